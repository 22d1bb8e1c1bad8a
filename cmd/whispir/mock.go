package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/whispir-go/whispir/security"
	"github.com/whispir-go/whispir/whispirtest"
)

var mockCommand = &command{
	name:  "mock",
	short: "serve the mock Whispir API on a loopback address",
	usage: `Usage: whispir mock [--addr 127.0.0.1:8080]

Serves the whispir-go mock of the Whispir API, which enforces the same
OpenAPI document as the client, until interrupted (Ctrl-C or SIGTERM). It
prints its URL and its fake credentials as shell lines, so another shell can
point whispir, or any client, at it:

	export WHISPIR_BASE_URL=http://127.0.0.1:8080
	export WHISPIR_API_KEY=...
	export WHISPIR_USERNAME=...
	export WHISPIR_PASSWORD=...

	--addr HOST:PORT   loopback address to listen on (default 127.0.0.1:0,
	                   any free port); other hosts are refused
`,
	run: runMock,
}

func runMock(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	fs := g.flagSet("mock")
	addr := fs.String("addr", "127.0.0.1:0", "loopback address to listen on")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := checkLoopback(*addr); err != nil {
		return err
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv, err := newMockServer(whispirtest.WithListener(ln))
	if err != nil {
		_ = ln.Close()
		return err
	}
	// Close waits for requests in flight; requests held by a fault end at once.
	defer srv.Close()
	creds := srv.Credentials()

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
	if err := w.Flush(); err != nil {
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
