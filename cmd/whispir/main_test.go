package main

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"regexp"
	"strings"
	"testing"

	"github.com/whispir-go/whispir"
	"github.com/whispir-go/whispir/api"
	"github.com/whispir-go/whispir/security"
)

// result is what one run of the tool produced.
type result struct {
	code           int
	stdout, stderr string
}

// runTool runs the tool with args and the environment in env (nothing else
// of the process environment is visible to it), with an empty stdin.
func runTool(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	return runToolInput(t, env, "", args...)
}

// runToolInput is runTool with stdin.
func runToolInput(t *testing.T, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), args, mapEnv(env), strings.NewReader(stdin), &stdout, &stderr)
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

func mapEnv(env map[string]string) func(string) string {
	return func(k string) string { return env[k] }
}

// testServer starts a mock Whispir server for one test and returns the
// environment that points the tool at it.
func testServer(t *testing.T) (env map[string]string, creds security.Credentials) {
	t.Helper()
	m, err := startMock()
	if err != nil {
		t.Fatalf("start mock: %v", err)
	}
	t.Cleanup(m.close)
	return map[string]string{
		envBaseURL:           m.url,
		security.EnvAPIKey:   m.creds.APIKey,
		security.EnvUsername: m.creds.Username,
		security.EnvPassword: m.creds.Password,
	}, m.creds
}

var messageID = regexp.MustCompile(`^[0-9A-Fa-f]{32}\n$`)

func TestSendWithMock(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
	}{
		{"readme first command", []string{"--mock", "send", "--to", "61400000000", "--subject", "Hello", "--body", "From whispir-go"}},
		{"mock after command", []string{"send", "--mock", "--to", "61400000000", "--subject", "Hello", "--body", "From whispir-go"}},
		{"double-dash and single-dash flags", []string{"-mock", "send", "-to=61400000000,61400000001", "--subject=Hello", "--body", "From whispir-go", "--label", "cli-test"}},
		{"verbose", []string{"-v", "--mock", "send", "--to", "61400000000", "--subject", "Hello", "--body", "From whispir-go"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := runTool(t, nil, tc.args...)
			if r.code != exitOK {
				t.Fatalf("exit %d; want 0; stderr: %s", r.code, r.stderr)
			}
			if !messageID.MatchString(r.stdout) {
				t.Errorf("stdout %q; want a 32-hex message id and a newline", r.stdout)
			}
			if strings.Contains(r.stderr, "From whispir-go") {
				t.Errorf("stderr shows the message body: %s", r.stderr)
			}
		})
	}
}

func TestSendThenStatus(t *testing.T) {
	t.Parallel()
	env, _ := testServer(t)
	sent := runTool(t, env, "send", "--to", "61400000000", "--subject", "Hello", "--body", "From whispir-go")
	if sent.code != exitOK || !messageID.MatchString(sent.stdout) {
		t.Fatalf("send: exit %d, stdout %q, stderr %q; want 0 and an id", sent.code, sent.stdout, sent.stderr)
	}
	id := strings.TrimSpace(sent.stdout)

	summary := runTool(t, env, "status", "--id", id)
	if summary.code != exitOK {
		t.Fatalf("status: exit %d; want 0; stderr: %s", summary.code, summary.stderr)
	}
	line := regexp.MustCompile(`^[A-Za-z ]+: \d+( \(\d+(\.\d+)?%\))?$`)
	lines := strings.Split(strings.TrimSuffix(summary.stdout, "\n"), "\n")
	if len(lines) == 0 || lines[0] == "" {
		t.Fatalf("status printed nothing")
	}
	for _, l := range lines {
		if !line.MatchString(l) {
			t.Errorf("status line %q; want like %q", l, "Sent: 1 (100.0%)")
		}
	}

	if !strings.Contains(summary.stdout, "Sent: 1 (100.0%)\n") {
		t.Errorf("status %q; want a line %q", summary.stdout, "Sent: 1 (100.0%)")
	}

	detailed := runTool(t, env, "status", "--detailed", "--id", id)
	if detailed.code != exitOK {
		t.Fatalf("status --detailed: exit %d; want 0; stderr: %s", detailed.code, detailed.stderr)
	}
	if !strings.HasPrefix(detailed.stdout, "61400000000 sms ") {
		t.Errorf("status --detailed %q; want it to start with %q", detailed.stdout, "61400000000 sms ")
	}
}

func TestStatusDetailedFollowsPages(t *testing.T) {
	t.Parallel()
	env, _ := testServer(t)
	const n = 2*api.PageSize + 5
	to := make([]string, n)
	for i := range to {
		to[i] = fmt.Sprintf("614000%05d", i)
	}
	sent := runTool(t, env, "send", "--to", strings.Join(to, ", "), "--subject", "Hello", "--body", "From whispir-go")
	if sent.code != exitOK {
		t.Fatalf("send: exit %d; want 0; stderr: %s", sent.code, sent.stderr)
	}
	r := runTool(t, env, "status", "--detailed", "--id", strings.TrimSpace(sent.stdout))
	if r.code != exitOK {
		t.Fatalf("status --detailed: exit %d; want 0; stderr: %s", r.code, r.stderr)
	}
	seen := map[string]bool{}
	for _, l := range strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n") {
		seen[strings.Fields(l)[0]] = true
	}
	for _, num := range to {
		if !seen[num] {
			t.Errorf("no status line for %s; got:\n%s", num, r.stdout)
			break
		}
	}
}

func TestWorkspace(t *testing.T) {
	t.Parallel()
	env, _ := testServer(t)
	const ws = "9A4C5521FFC7B15B"
	sent := runTool(t, env, "--workspace", ws, "send", "--to", "61400000000", "--subject", "Hello", "--body", "From whispir-go")
	if sent.code != exitOK || !messageID.MatchString(sent.stdout) {
		t.Fatalf("send: exit %d, stdout %q, stderr %q; want 0 and an id", sent.code, sent.stdout, sent.stderr)
	}
	r := runTool(t, env, "status", "--workspace", ws, "--id", strings.TrimSpace(sent.stdout))
	if r.code != exitOK || !strings.Contains(r.stdout, "Sent: 1") {
		t.Errorf("status: exit %d, stdout %q, stderr %q; want 0 and Sent: 1", r.code, r.stdout, r.stderr)
	}
	bad := runTool(t, env, "--workspace", "not-hex", "send", "--to", "61400000000", "--subject", "Hello", "--body", "From whispir-go")
	if bad.code != exitUsage || !strings.Contains(bad.stderr, "workspaceId") {
		t.Errorf("bad workspace: exit %d, stderr %q; want 2 naming workspaceId", bad.code, bad.stderr)
	}
}

func TestUnknownMessage(t *testing.T) {
	t.Parallel()
	env, _ := testServer(t)
	r := runTool(t, env, "status", "--id", "00000000000000000000000000000000")
	if r.code != exitError || !strings.Contains(r.stderr, "404") {
		t.Errorf("exit %d, stderr %q; want 1 and a 404", r.code, r.stderr)
	}
}

func TestNoCredentials(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string
		args []string
	}{
		{"send", nil, []string{"send", "--to", "61400000000", "--subject", "Hello", "--body", "From whispir-go"}},
		{"status", nil, []string{"status", "--id", "747AB7E716C1802B6476784AEB5C9BB8"}},
		{"region without credentials", map[string]string{envRegion: "NZ"}, []string{"status", "--id", "747AB7E716C1802B6476784AEB5C9BB8"}},
		{"password missing", map[string]string{security.EnvAPIKey: "fake-api-key-456", security.EnvUsername: "fake.user"}, []string{"status", "--id", "747AB7E716C1802B6476784AEB5C9BB8"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := runTool(t, tc.env, tc.args...)
			if r.code != exitUsage {
				t.Fatalf("exit %d; want 2; stderr: %s", r.code, r.stderr)
			}
			for _, want := range []string{"WHISPIR_API_KEY", "WHISPIR_USERNAME", "WHISPIR_PASSWORD", "WHISPIR_REGION", "--mock"} {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr %q; want it to name %s", r.stderr, want)
				}
			}
			if strings.Contains(r.stderr, "fake-api-key-456") {
				t.Errorf("stderr shows the API key: %s", r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("stdout %q; want nothing", r.stdout)
			}
		})
	}
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	creds := fakeEnv(nil)
	tests := []struct {
		name    string
		env     map[string]string
		args    []string
		wantErr string // in stderr
	}{
		{"no command", nil, nil, "Usage"},
		{"unknown command", nil, []string{"frobnicate"}, `unknown command "frobnicate"`},
		{"unknown global flag", nil, []string{"--nope", "regions"}, "flag provided but not defined"},
		{"unknown command flag", nil, []string{"--mock", "send", "--nope"}, "flag provided but not defined"},
		{"flag without value", nil, []string{"--mock", "send", "--to"}, "flag needs an argument"},
		{"missing --to", nil, []string{"--mock", "send", "--subject", "Hello", "--body", "From whispir-go"}, "missing --to"},
		{"blank --to", nil, []string{"--mock", "send", "--to", " , ", "--subject", "Hello", "--body", "From whispir-go"}, "missing --to"},
		{"missing --subject and --body", nil, []string{"--mock", "send", "--to", "61400000000"}, "missing --subject, --body"},
		{"positional argument", nil, []string{"--mock", "send", "--to", "61400000000", "--subject", "Hello", "--body", "x", "extra"}, `unexpected argument "extra"`},
		{"missing --id", nil, []string{"--mock", "status"}, "missing --id"},
		{"id breaks the spec", creds, []string{"call", "defaultMessageRetrieve", "messageId=not-hex!", "--base-url", "http://127.0.0.1:1"}, "messageId"},
		{"unknown region flag", creds, []string{"--region", "MARS", "status", "--id", "747AB7E716C1802B6476784AEB5C9BB8"}, "unknown region"},
		{"unknown region env", map[string]string{envRegion: "MARS", security.EnvAPIKey: "k", security.EnvUsername: "u", security.EnvPassword: "p"}, []string{"status", "--id", "747AB7E716C1802B6476784AEB5C9BB8"}, "WHISPIR_REGION"},
		{"bad timeout", nil, []string{"--timeout", "soon", "regions"}, "invalid value"},
		{"negative timeout", nil, []string{"--mock", "--timeout", "-1s", "status", "--id", "747AB7E716C1802B6476784AEB5C9BB8"}, "--timeout"},
		{"mock and base URL", nil, []string{"--mock", "--base-url", "http://127.0.0.1:1", "status", "--id", "747AB7E716C1802B6476784AEB5C9BB8"}, "--base-url"},
		{"username with colon", map[string]string{security.EnvAPIKey: "k", security.EnvUsername: "a:b", security.EnvPassword: "p"}, []string{"status", "--id", "747AB7E716C1802B6476784AEB5C9BB8"}, "credentials"},
		{"help for unknown command", nil, []string{"help", "frobnicate"}, "unknown command"},
		{"regions with argument", nil, []string{"regions", "AU"}, "unexpected argument"},
		{"mock on all interfaces", nil, []string{"mock", "--addr", ":0"}, "loopback"},
		{"mock on a public address", nil, []string{"mock", "--addr", "0.0.0.0:0"}, "loopback"},
		{"mock on a host name", nil, []string{"mock", "--addr", "example.com:80"}, "loopback"},
		{"mock without port", nil, []string{"mock", "--addr", "127.0.0.1"}, "--addr"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := runTool(t, tc.env, tc.args...)
			if r.code != exitUsage {
				t.Fatalf("exit %d; want 2; stdout %q; stderr %q", r.code, r.stdout, r.stderr)
			}
			if !strings.Contains(r.stderr, tc.wantErr) {
				t.Errorf("stderr %q; want it to contain %q", r.stderr, tc.wantErr)
			}
			if strings.Contains(r.stderr, "fake-password-123") || strings.Contains(r.stderr, "fake-api-key-456") {
				t.Errorf("stderr shows a secret: %s", r.stderr)
			}
		})
	}
}

func TestBaseURLNotLoopback(t *testing.T) {
	t.Parallel()
	creds := fakeEnv(nil)
	withEnvURL := fakeEnv(map[string]string{envBaseURL: "http://example.com"})
	tests := []struct {
		name  string
		env   map[string]string
		args  []string
		names string // the flag or variable the message must name
		why   string // and the reason it must give
	}{
		{"flag", creds, []string{"--base-url", "http://example.com", "send", "--to", "61400000000", "--subject", "Hello", "--body", "From whispir-go"}, "--base-url", "https"},
		{"flag after command", creds, []string{"status", "--base-url", "http://example.com", "--id", "747AB7E716C1802B6476784AEB5C9BB8"}, "--base-url", "https"},
		{"environment", withEnvURL, []string{"status", "--id", "747AB7E716C1802B6476784AEB5C9BB8"}, envBaseURL, "https"},
		{"credentials in URL", creds, []string{"--base-url", "https://user:s3cret@api.au.whispir.com", "status", "--id", "747AB7E716C1802B6476784AEB5C9BB8"}, "--base-url", "without credentials"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := runTool(t, tc.env, tc.args...)
			if r.code != exitUsage {
				t.Fatalf("exit %d; want 2; stderr: %s", r.code, r.stderr)
			}
			if !strings.Contains(r.stderr, tc.names) || !strings.Contains(r.stderr, tc.why) {
				t.Errorf("stderr %q; want it to name %s and say %q", r.stderr, tc.names, tc.why)
			}
			if strings.Contains(r.stderr, "s3cret") {
				t.Errorf("stderr shows the URL's password: %s", r.stderr)
			}
		})
	}
}

func TestWrongCredentials(t *testing.T) {
	t.Parallel()
	env, good := testServer(t)
	const (
		badPassword = "fake-password-123"
		badKey      = "fake-api-key-456"
	)
	with := func(k, v string) map[string]string {
		e := map[string]string{}
		for kk, vv := range env {
			e[kk] = vv
		}
		e[k] = v
		return e
	}
	send := []string{"send", "--to", "61400000000", "--subject", "Hello", "--body", "From whispir-go"}
	tests := []struct {
		name string
		env  map[string]string
		args []string
	}{
		{"wrong password in env", with(security.EnvPassword, badPassword), send},
		{"wrong password flag", env, append([]string{"-v", "--password", badPassword}, send...)},
		{"wrong password flag after command", env, append(append([]string{}, send...), "--password", badPassword)},
		{"wrong API key", with(security.EnvAPIKey, badKey), append([]string{"-v"}, send...)},
		{"wrong password, status", with(security.EnvPassword, badPassword), []string{"status", "--id", "747AB7E716C1802B6476784AEB5C9BB8"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := runTool(t, tc.env, tc.args...)
			if r.code != exitError {
				t.Fatalf("exit %d; want 1; stderr: %s", r.code, r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("stdout %q; want nothing", r.stdout)
			}
			out := r.stdout + r.stderr
			for _, secret := range []string{badPassword, badKey, good.Password, good.APIKey, "From whispir-go"} {
				if strings.Contains(out, secret) {
					t.Errorf("output shows %q: %s", secret, out)
				}
			}
			lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
			last := lines[len(lines)-1]
			if !strings.HasPrefix(last, "whispir ") || !regexp.MustCompile(`\b40[13]\b`).MatchString(last) {
				t.Errorf("last stderr line %q; want one line with the 401 or 403", last)
			}
		})
	}
}

func TestUnreachableServer(t *testing.T) {
	t.Parallel()
	env := fakeEnv(map[string]string{envBaseURL: "http://127.0.0.1:1"})
	r := runTool(t, env, "--timeout", "5s", "status", "--id", "747AB7E716C1802B6476784AEB5C9BB8")
	if r.code != exitError {
		t.Fatalf("exit %d; want 1; stderr: %s", r.code, r.stderr)
	}
	// The refused connection is retried (it never reached the server), and
	// each retry is reported as it happens, without -v; the error is the
	// last line.
	lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
	want := api.DefaultRetryPolicy().MaxAttempts
	if len(lines) != want {
		t.Fatalf("stderr has %d lines; want %d retry reports and the error:\n%s", len(lines), want-1, r.stderr)
	}
	for i, l := range lines[:len(lines)-1] {
		for _, part := range []string{`msg="whispir retry"`, "operation=defaultMessageStatusList", fmt.Sprintf("attempt=%d", i+1), "wait="} {
			if !strings.Contains(l, part) {
				t.Errorf("stderr line %d %q; want it to contain %s", i+1, l, part)
			}
		}
	}
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, "whispir status: defaultMessageStatusList: ") {
		t.Errorf("last stderr line %q; want the error", last)
	}
}

func TestRegions(t *testing.T) {
	t.Parallel()
	r := runTool(t, nil, "regions")
	if r.code != exitOK {
		t.Fatalf("exit %d; want 0; stderr: %s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	if len(lines) != 7 {
		t.Errorf("%d lines; want 7:\n%s", len(lines), r.stdout)
	}
	if !strings.Contains(r.stdout, "EDU https://api.education.whispir.com\n") {
		t.Errorf("stdout %q; want the EDU line", r.stdout)
	}
	for i, reg := range api.Regions() {
		u, err := reg.BaseURL()
		if err != nil {
			t.Fatal(err)
		}
		if want := reg.String() + " " + u; i >= len(lines) || lines[i] != want {
			t.Errorf("line %d; want %q", i, want)
		}
	}
}

func TestSpec(t *testing.T) {
	t.Parallel()
	r := runTool(t, nil, "spec")
	if r.code != exitOK {
		t.Fatalf("exit %d; want 0; stderr: %s", r.code, r.stderr)
	}
	if !strings.HasPrefix(r.stdout, "openapi: 3.0.3") {
		t.Errorf("stdout starts %q; want openapi: 3.0.3", r.stdout[:min(len(r.stdout), 40)])
	}
	if r.stdout != string(whispir.Spec()) {
		t.Errorf("stdout is not the embedded spec")
	}
}

func TestHelp(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"help", []string{"help"}, "Commands:"},
		{"-h", []string{"-h"}, "Commands:"},
		{"--help", []string{"--help"}, "Commands:"},
		{"help send", []string{"help", "send"}, "--subject"},
		{"send -h", []string{"send", "-h"}, "--subject"},
		{"status -h", []string{"status", "-h"}, "--detailed"},
		{"mock -h", []string{"mock", "-h"}, "--addr"},
		{"secret flags before -h", []string{"--password", "fake-password-123", "--api-key", "fake-api-key-456", "send", "-h"}, "--subject"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := runTool(t, nil, tc.args...)
			if r.code != exitOK {
				t.Fatalf("exit %d; want 0; stderr: %s", r.code, r.stderr)
			}
			if !strings.Contains(r.stdout, tc.want) {
				t.Errorf("stdout %q; want it to contain %q", r.stdout, tc.want)
			}
			if strings.Contains(r.stdout, "fake-password-123") || strings.Contains(r.stdout, "fake-api-key-456") {
				t.Errorf("help shows a secret: %s", r.stdout)
			}
		})
	}
}

func TestCheckAddr(t *testing.T) {
	t.Parallel()
	tests := []struct {
		addr     string
		loopback bool // accepted without --allow-remote
		valid    bool // accepted with it
	}{
		{"127.0.0.1:0", true, true},
		{"127.0.0.2:8080", true, true},
		{"[::1]:0", true, true},
		{"localhost:8080", true, true},
		{"LOCALHOST:8080", true, true},
		{":8080", false, true},
		{"0.0.0.0:8080", false, true},
		{"[::]:8080", false, true},
		{"192.168.1.10:8080", false, true},
		{"example.com:80", false, true},
		{"127.0.0.1", false, false},
	}
	for _, tc := range tests {
		t.Run(tc.addr, func(t *testing.T) {
			t.Parallel()
			_, loopback, err := checkAddr(tc.addr, false)
			if got := err == nil; got != tc.loopback || loopback != tc.loopback {
				t.Errorf("checkAddr(%q, false) = %v, %v; want ok and loopback %v", tc.addr, loopback, err, tc.loopback)
			}
			if _, _, err := checkAddr(tc.addr, true); (err == nil) != tc.valid {
				t.Errorf("checkAddr(%q, true) = %v; want ok %v", tc.addr, err, tc.valid)
			}
		})
	}
}

func TestShellQuote(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080"},
		{"mock.user@example.com", "mock.user@example.com"},
		{"", "''"},
		{"a b", "'a b'"},
		{"it's", `'it'\''s'`},
		{"$HOME", "'$HOME'"},
	}
	for _, tc := range tests {
		if got := shellQuote(tc.in); got != tc.want {
			t.Errorf("shellQuote(%q) = %q; want %q", tc.in, got, tc.want)
		}
	}
}

func TestOneLine(t *testing.T) {
	t.Parallel()
	if got, want := oneLine("a: context canceled\nb: send failed\n"), "a: context canceled; b: send failed"; got != want {
		t.Errorf("oneLine = %q; want %q", got, want)
	}
}

func TestRunHonoursCancelledContext(t *testing.T) {
	t.Parallel()
	env, _ := testServer(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	for _, args := range [][]string{
		{"send", "--to", "61400000000", "--subject", "Hello", "--body", "From whispir-go"},
		{"call", "defaultContactList"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(ctx, args, mapEnv(env), strings.NewReader(""), &stdout, &stderr)
		if code != exitError {
			t.Errorf("%s: exit %d; want 1; stderr: %s", args[0], code, stderr.String())
		}
		if stdout.Len() != 0 {
			t.Errorf("%s: stdout %q; want nothing", args[0], stdout.String())
		}
	}
}

// fakeEnv is an environment with obviously fake credentials plus extra.
func fakeEnv(extra map[string]string) map[string]string {
	env := map[string]string{
		security.EnvAPIKey:   "fake-api-key-456",
		security.EnvUsername: "fake.user",
		security.EnvPassword: "fake-password-123",
	}
	maps.Copy(env, extra)
	return env
}
