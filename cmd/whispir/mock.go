package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/whispir-go/whispir/security"
	"github.com/whispir-go/whispir/whispirtest"
)

func newMockCommand(g *globals) *cobra.Command {
	var cfg mockConfig
	cmd := &cobra.Command{
		Use:   "mock [--addr 127.0.0.1:8080]",
		Short: "serve the mock Whispir API on a loopback address",
		Long: `Serves the whispir-go mock of the Whispir API, which enforces the same
OpenAPI document as the client, until interrupted (Ctrl-C or SIGTERM). It
prints its URL and its fake credentials as shell lines, so another shell can
point whispir, or any client, at it:

  export WHISPIR_BASE_URL=http://127.0.0.1:8080
  export WHISPIR_API_KEY=...
  export WHISPIR_USERNAME=...
  export WHISPIR_PASSWORD=...

With --json it prints one line instead:
{"baseUrl": ..., "apiKey": ..., "username": ..., "password": ...}.

Unlike --mock, which starts a new, empty mock for one command, this one keeps
what it is sent (messages, contacts, ...) until it stops.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runMock(cmd.Context(), g, &cfg, cmd.OutOrStdout())
		},
	}
	cfg.addFlags(cmd.Flags())
	return cmd
}

// mockConfig is the flags of the mock command. A new flag is a field, a
// line in addFlags and, if it configures the server, a line in
// serverOptions.
type mockConfig struct {
	addr string
}

func (c *mockConfig) addFlags(fs *pflag.FlagSet) {
	fs.StringVar(&c.addr, "addr", "127.0.0.1:0", "loopback `HOST:PORT` to listen on (127.0.0.1:0: any free port);\nother hosts are refused")
}

// serverOptions checks the flags and returns the server's options, and
// abandon, which releases what they hold (the listener) when the server
// does not start.
func (c *mockConfig) serverOptions(ctx context.Context) (opts []whispirtest.Option, abandon func(), err error) {
	if err := checkLoopback(c.addr); err != nil {
		return nil, nil, err
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", c.addr)
	if err != nil {
		return nil, nil, fmt.Errorf("listen: %w", err)
	}
	return []whispirtest.Option{whispirtest.WithListener(ln)}, func() { _ = ln.Close() }, nil
}

// mockAddress is what the mock command prints with --json.
type mockAddress struct {
	BaseURL  string `json:"baseUrl"`
	APIKey   string `json:"apiKey"`
	Username string `json:"username"`
	Password string `json:"password"`
}

func runMock(ctx context.Context, g *globals, cfg *mockConfig, stdout io.Writer) error {
	opts, abandon, err := cfg.serverOptions(ctx)
	if err != nil {
		return err
	}
	srv, err := newMockServer(opts...)
	if err != nil {
		abandon()
		return err
	}
	// Close waits for requests in flight; requests held by a fault end at once.
	defer srv.Close()
	creds := srv.Credentials()

	if g.json {
		err = writeJSON(stdout, mockAddress{BaseURL: srv.URL, APIKey: creds.APIKey, Username: creds.Username, Password: creds.Password})
	} else {
		w := bufio.NewWriter(stdout)
		fmt.Fprintf(w, "# whispir mock server at %s (fake credentials); stop it with Ctrl-C\n", srv.URL)
		for _, kv := range [][2]string{
			{envBaseURL, srv.URL},
			{security.EnvAPIKey, creds.APIKey},
			{security.EnvUsername, creds.Username},
			{security.EnvPassword, creds.Password},
		} {
			fmt.Fprintf(w, "export %s=%s\n", kv[0], shellQuote(kv[1]))
		}
		err = w.Flush()
	}
	if err != nil {
		return err
	}
	<-ctx.Done()
	return nil
}

// checkLoopback accepts host:port addresses whose host is a loopback IP or
// "localhost": the mock's credentials are public, so it must not be
// reachable from other machines.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return usagef("--addr: %v", err)
	}
	if strings.EqualFold(host, "localhost") {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return usagef("--addr: %q is not a loopback address; the mock serves only 127.0.0.1, ::1 or localhost", addr)
}

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
