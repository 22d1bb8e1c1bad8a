package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/whispir-go/whispir/security"
	"github.com/whispir-go/whispir/whispirtest"
)

const mockLong = `Serves the whispir-go mock of the Whispir API, which enforces the same
OpenAPI document as the client, until interrupted (Ctrl-C or SIGTERM: requests
in flight are answered first) or stopped through its admin API. It prints its
URL and its fake credentials as shell lines, so another shell can point
whispir, or any client, at it:

  export WHISPIR_BASE_URL=http://127.0.0.1:8080
  export WHISPIR_API_KEY=...
  export WHISPIR_USERNAME=...
  export WHISPIR_PASSWORD=...

With --json it prints one line instead:
{"baseUrl": ..., "adminUrl": ..., "apiKey": ..., "username": ..., "password": ...}
(and "certFile" with --tls).

Each request is logged on stderr (time, method, path, operation, status,
duration, fault); --quiet turns that off, --log-format json (the default
with --json) makes the lines JSON.

The admin API, under <base URL>/_whispir/ with the same x-api-key (its
OpenAPI document at /_whispir/openapi.yaml), lets tests in any language see
what the mock received (GET requests), forget everything (POST reset),
inject faults (POST faults), move messages on (POST
messages/{id}/deliver, reply, undeliverable), export the state (GET state)
and stop the mock (POST shutdown). A request with "Prefer: code=404" gets the
operation's declared 404 with the spec's example.

The mock keeps at most --max-requests requests, --max-messages messages and
--max-items items (the oldest go first), and the first --max-body-kept bytes
of each body. Its credentials are public, so it listens on loopback unless
--allow-remote; then --public-url gives the URL other hosts use, and --tls
serves HTTPS with a self-signed certificate whose PEM it writes to
--tls-cert for clients to trust.

Unlike --mock, which starts a new, empty mock for one command, this one keeps
what it is sent (messages, contacts, ...) until it stops, and can start from
a --seed file (JSON or YAML: workspaces, contacts, templates, distribution
lists, callbacks, custom lists).`

func newMockCommand(g *globals) *cobra.Command {
	var cfg mockConfig
	cmd := &cobra.Command{
		Use:   "mock [--addr 127.0.0.1:8080]",
		Short: "serve the mock Whispir API, with an admin API for tests in any language",
		Long:  mockLong,
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if g.json && !cmd.Flags().Changed("log-format") {
				cfg.logFormat = "json" // --json: stderr is JSON too
			}
			return runMock(cmd.Context(), g, &cfg, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	cfg.addFlags(cmd.Flags())
	return cmd
}

// mockConfig is the flags of the mock command. A new flag is a field, a
// line in addFlags and, if it configures the server, a line in
// serverOptions.
type mockConfig struct {
	addr        string
	allowRemote bool
	publicURL   string
	tls         bool
	tlsCert     string
	seed        string
	quiet       bool
	logFormat   string
	limits      whispirtest.Limits
	timeouts    whispirtest.Timeouts
}

func (c *mockConfig) addFlags(fs *pflag.FlagSet) {
	fs.StringVar(&c.addr, "addr", "127.0.0.1:0", "`HOST:PORT` to listen on (127.0.0.1:0: any free port);\nother than loopback only with --allow-remote")
	fs.BoolVar(&c.allowRemote, "allow-remote", false, "allow --addr off loopback (the mock's credentials are public)")
	fs.StringVar(&c.publicURL, "public-url", "", "base `URL` clients use (printed, and in links and Location);\ndefault: the address listened on")
	fs.BoolVar(&c.tls, "tls", false, "serve HTTPS with a new self-signed certificate")
	fs.StringVar(&c.tlsCert, "tls-cert", "", "`FILE` to write the certificate (PEM) to, for clients to trust;\ndefault: a new file in the temporary directory, printed")
	fs.StringVar(&c.seed, "seed", "", "`FILE` (JSON or YAML) of workspaces, contacts, templates,\ndistribution lists, callbacks and custom lists to start from")
	fs.BoolVar(&c.quiet, "quiet", false, "do not log requests on stderr")
	fs.StringVar(&c.logFormat, "log-format", "text", "request log `format`: text or json (with --json: json)")
	fs.IntVar(&c.limits.Requests, "max-requests", whispirtest.DefaultMaxRequests, "requests kept for GET /_whispir/requests")
	fs.IntVar(&c.limits.Messages, "max-messages", whispirtest.DefaultMaxMessages, "sent messages kept")
	fs.IntVar(&c.limits.Items, "max-items", whispirtest.DefaultMaxItems, "stored items kept (contacts, templates, ...), all collections together")
	fs.IntVar(&c.limits.RequestBody, "max-body-kept", whispirtest.DefaultMaxRequestBody, "`bytes` of each request body kept")
	fs.IntVar(&c.limits.Bytes, "max-store-bytes", whispirtest.DefaultMaxBytes, "`bytes` of bodies each store keeps (requests, messages, items)")
	fs.IntVar(&c.limits.JSONValues, "max-json-values", whispirtest.DefaultMaxJSONValues, "JSON members and array elements a request body may hold")
	fs.DurationVar(&c.timeouts.ReadHeader, "read-header-timeout", 10*time.Second, "bound on reading a request's header")
	fs.DurationVar(&c.timeouts.Read, "read-timeout", time.Minute, "bound on reading a whole request")
	fs.DurationVar(&c.timeouts.Write, "write-timeout", 2*time.Minute, "bound on handling a request and writing its answer\n(a FaultSlow extends it by its delay)")
	fs.DurationVar(&c.timeouts.Idle, "idle-timeout", 2*time.Minute, "bound on an idle keep-alive connection")
}

// mockServing is what serverOptions prepared: the options, what to print,
// and abandon, which releases what they hold (the listener) when the
// server does not start.
type mockServing struct {
	opts     []whispirtest.Option
	certFile string
	warning  string
	abandon  func()
}

// serverOptions checks the flags and prepares the server's options.
func (c *mockConfig) serverOptions(ctx context.Context, stderr io.Writer) (*mockServing, error) {
	host, loopback, err := checkAddr(c.addr, c.allowRemote)
	if err != nil {
		return nil, err
	}
	if c.tlsCert != "" && !c.tls {
		return nil, usagef("--tls-cert needs --tls")
	}
	if c.logFormat != "text" && c.logFormat != "json" {
		return nil, usagef("--log-format: %q; want text or json", c.logFormat)
	}
	for _, f := range []struct {
		name string
		v    int
	}{
		{"--max-requests", c.limits.Requests}, {"--max-messages", c.limits.Messages}, {"--max-items", c.limits.Items},
		{"--max-body-kept", c.limits.RequestBody}, {"--max-store-bytes", c.limits.Bytes}, {"--max-json-values", c.limits.JSONValues},
	} {
		if f.v < 1 {
			return nil, usagef("%s must be positive", f.name)
		}
	}
	for _, f := range []struct {
		name string
		v    time.Duration
	}{
		{"--read-header-timeout", c.timeouts.ReadHeader}, {"--read-timeout", c.timeouts.Read},
		{"--write-timeout", c.timeouts.Write}, {"--idle-timeout", c.timeouts.Idle},
	} {
		if f.v <= 0 {
			return nil, usagef("%s must be positive", f.name)
		}
	}
	var public *url.URL
	if c.publicURL != "" {
		if public, err = url.Parse(c.publicURL); err != nil || (public.Scheme != "http" && public.Scheme != "https") || public.Host == "" ||
			public.User != nil || public.RawQuery != "" || public.Fragment != "" {
			return nil, usagef("--public-url: want http(s)://host[:port][/path] without credentials, query or fragment")
		}
	}
	opts := []whispirtest.Option{whispirtest.WithLimits(c.limits), whispirtest.WithTimeouts(c.timeouts)}
	if c.seed != "" {
		data, err := os.ReadFile(c.seed)
		if err != nil {
			return nil, usagef("--seed: %v", err)
		}
		seed, err := whispirtest.ParseSeed(data)
		if err != nil {
			return nil, usagef("--seed %s: %v", filepath.Base(c.seed), err)
		}
		opts = append(opts, whispirtest.WithSeed(seed))
	}
	if !c.quiet {
		opts = append(opts, whispirtest.WithRequestLog(requestLogger(stderr, c.logFormat)))
	}

	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", c.addr)
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	s := &mockServing{abandon: func() { _ = ln.Close() }}
	scheme := "http"
	if c.tls {
		scheme = "https"
		hosts := []string{"localhost", "127.0.0.1", "::1", host}
		if public != nil {
			hosts = append(hosts, public.Hostname())
		}
		cert, pemData, err := selfSignedCert(hosts)
		if err != nil {
			s.abandon()
			return nil, err
		}
		if s.certFile, err = writeCert(c.tlsCert, pemData); err != nil {
			s.abandon()
			return nil, err
		}
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	}
	base := scheme + "://" + reachable(ln.Addr(), host)
	if public != nil {
		base = public.String()
	}
	if !loopback {
		s.warning = fmt.Sprintf("warning: the mock listens on %s, off loopback: anyone who can reach it can use its public credentials and its admin API", c.addr)
		if scheme == "http" {
			s.warning += "; Go clients need api.WithInsecureHTTP() for plain http off loopback"
		}
	}
	s.opts = append(opts, whispirtest.WithListener(ln), whispirtest.WithPublicURL(base))
	return s, nil
}

// checkAddr accepts a host:port address whose host is a loopback IP or
// "localhost" (the mock's credentials are public, so by default it must
// not be reachable from other machines), and any other with allowRemote.
// It returns the host and whether it is loopback.
func checkAddr(addr string, allowRemote bool) (host string, loopback bool, err error) {
	host, _, err = net.SplitHostPort(addr)
	if err != nil {
		return "", false, usagef("--addr: %v", err)
	}
	ip := net.ParseIP(host)
	loopback = strings.EqualFold(host, "localhost") || (ip != nil && ip.IsLoopback())
	if !loopback && !allowRemote {
		return host, false, usagef("--addr: %q is not a loopback address; the mock's credentials are public, so it serves only 127.0.0.1, ::1 or localhost unless --allow-remote", addr)
	}
	return host, loopback, nil
}

// reachable is the listener's address as a client on this machine dials
// it: for an unspecified host (0.0.0.0, "", ::), 127.0.0.1, or ::1 when
// the host asked for was IPv6.
func reachable(addr net.Addr, host string) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return addr.String()
	}
	if tcp.IP.IsUnspecified() {
		ip := "127.0.0.1"
		if strings.Contains(host, ":") {
			ip = "::1"
		}
		return net.JoinHostPort(ip, strconv.Itoa(tcp.Port))
	}
	return tcp.String()
}

// requestLogger writes the request log: one line per request, text or
// JSON, without the level (always info).
func requestLogger(w io.Writer, format string) *slog.Logger {
	opts := &slog.HandlerOptions{ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
		switch {
		case len(groups) == 0 && a.Key == slog.LevelKey:
			return slog.Attr{}
		case a.Value.Kind() == slog.KindDuration:
			a.Value = slog.DurationValue(a.Value.Duration().Round(time.Microsecond))
		}
		return a
	}}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// mockAddress is what the mock command prints with --json.
type mockAddress struct {
	BaseURL  string `json:"baseUrl"`
	AdminURL string `json:"adminUrl"`
	APIKey   string `json:"apiKey"`
	Username string `json:"username"`
	Password string `json:"password"`
	CertFile string `json:"certFile,omitempty"`
}

func runMock(ctx context.Context, g *globals, cfg *mockConfig, stdout, stderr io.Writer) error {
	s, err := cfg.serverOptions(ctx, stderr)
	if err != nil {
		return err
	}
	srv, err := newMockServer(s.opts...)
	if err != nil {
		s.abandon()
		return err
	}
	// Close waits for requests in flight; requests held by a fault end at
	// once, and callback deliveries stop.
	defer srv.Close()
	if s.warning != "" {
		fmt.Fprintln(stderr, s.warning)
	}
	creds := srv.Credentials()
	admin := srv.URL + whispirtest.AdminPath
	if g.json {
		err = writeJSON(stdout, mockAddress{BaseURL: srv.URL, AdminURL: admin, APIKey: creds.APIKey, Username: creds.Username, Password: creds.Password, CertFile: s.certFile})
	} else {
		w := bufio.NewWriter(stdout)
		fmt.Fprintf(w, "# whispir mock server at %s (fake credentials); stop it with Ctrl-C\n", srv.URL)
		fmt.Fprintf(w, "# admin API at %s (x-api-key as below; see %sopenapi.yaml)\n", admin, admin)
		for _, kv := range [][2]string{
			{envBaseURL, srv.URL},
			{security.EnvAPIKey, creds.APIKey},
			{security.EnvUsername, creds.Username},
			{security.EnvPassword, creds.Password},
		} {
			fmt.Fprintf(w, "export %s=%s\n", kv[0], shellQuote(kv[1]))
		}
		if s.certFile != "" {
			fmt.Fprintf(w, "export %s=%s # the certificate to trust, e.g. curl --cacert\n", envMockCert, shellQuote(s.certFile))
		}
		err = w.Flush()
	}
	if err != nil {
		return err
	}
	select {
	case <-ctx.Done():
	case <-srv.Done(): // POST /_whispir/shutdown
	}
	return nil
}

// envMockCert is the variable the mock command prints the path of its
// certificate in, with --tls.
const envMockCert = "WHISPIR_MOCK_CERT"

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	safe := s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_@%+=:,./-", r))
	}) < 0
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
