package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/whispir-go/whispir"
	"github.com/whispir-go/whispir/api"
	"github.com/whispir-go/whispir/security"
	"github.com/whispir-go/whispir/whispirtest"
)

func TestVersion(t *testing.T) {
	t.Parallel()
	r := runTool(t, nil, "--version")
	if r.code != exitOK || !strings.HasPrefix(r.stdout, "whispir "+api.Version+" (") || !strings.HasSuffix(r.stdout, runtime.Version()+")\n") {
		t.Errorf("--version: exit %d, stdout %q; want 0 and whispir %s (... %s)", r.code, r.stdout, api.Version, runtime.Version())
	}
	r = runTool(t, nil, "--version", "--json")
	var v versionInfo
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil || r.code != exitOK {
		t.Fatalf("--version --json: exit %d, stdout %q (%v); want 0 and JSON", r.code, r.stdout, err)
	}
	if v.Version != api.Version || v.Go != runtime.Version() {
		t.Errorf("--version --json = %+v; want version %s, go %s", v, api.Version, runtime.Version())
	}
}

// jsonCase is one command run with --json: its stdout must be one line
// holding one JSON document, which check vets.
type jsonCase struct {
	command string   // the command's path, e.g. "callbacks list"
	args    []string // after --json
	check   func(t *testing.T, doc any)
}

// TestJSONOnEveryCommand runs every command with --json, except those that
// serve until stopped (mock and callbacks listen: TestMockCommandJSON,
// TestCallbacksListenJSON) and those whose output is for people or shells
// (help, completion). It fails for a command of the tree it does not run.
func TestJSONOnEveryCommand(t *testing.T) {
	t.Parallel()
	env, _ := testServer(t)
	env[envCallbackKey] = fakeCallbackKey
	receiver := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	t.Cleanup(receiver.Close)

	sent := runTool(t, env, "send", "--to", "61400000000", "--subject", "Hello", "--body", "From whispir-go")
	created := runTool(t, env, "callbacks", "create", "--name", "replies", "--url", receiver.URL)
	if sent.code != exitOK || created.code != exitOK {
		t.Fatalf("setup: send %q, callbacks create %q", sent.stderr, created.stderr)
	}
	messageID, callbackID := strings.TrimSpace(sent.stdout), strings.TrimSpace(created.stdout)
	ops, err := whispir.Operations()
	if err != nil {
		t.Fatal(err)
	}

	tests := []jsonCase{
		{"send", []string{"send", "--to", "61400000000", "--subject", "Hello", "--body", "From whispir-go"}, wantKeys("id")},
		{"status", []string{"status", "--id", messageID}, func(t *testing.T, doc any) {
			wantKeys("id", "categories")(t, doc)
			wantKeys("name", "count", "percentage")(t, index(t, doc, "categories", 0))
		}},
		{"status", []string{"status", "--detailed", "--id", messageID}, func(t *testing.T, doc any) {
			wantKeys("id", "recipients")(t, doc)
			wantKeys("name", "channel", "status")(t, index(t, doc, "recipients", 0))
		}},
		{"call", []string{"call", "defaultMessageRetrieve", "messageId=" + messageID}, wantKeys("operation", "status", "body")},
		{"ops", []string{"ops"}, func(t *testing.T, doc any) {
			if list, ok := doc.([]any); !ok || len(list) != len(ops) {
				t.Fatalf("got %T; want an array of %d operations", doc, len(ops))
			}
			wantKeys("id", "method", "path", "summary", "tags", "parameters", "requestMediaTypes", "bodyRequired")(t, doc.([]any)[0])
		}},
		{"regions", []string{"regions"}, func(t *testing.T, doc any) {
			if list, ok := doc.([]any); !ok || len(list) != len(api.Regions()) {
				t.Fatalf("got %v; want an array of %d regions", doc, len(api.Regions()))
			}
			wantKeys("region", "baseUrl")(t, doc.([]any)[0])
		}},
		{"spec", []string{"spec"}, func(t *testing.T, doc any) {
			wantKeys("openapi", "paths", "components")(t, doc)
		}},
		{"callbacks list", []string{"callbacks", "list"}, func(t *testing.T, doc any) {
			wantKeys("id", "name", "url", "authType", "contentType")(t, index(t, doc, "", 0))
		}},
		{"callbacks create", []string{"callbacks", "create", "--name", "others", "--url", receiver.URL}, wantKeys("id")},
		{"callbacks delete", []string{"callbacks", "delete", "--id", callbackID}, wantKeys("id", "deleted")},
	}
	covered := map[string]bool{"mock": true, "callbacks listen": true, "help": true, "completion": true}
	for _, tc := range tests {
		covered[tc.command] = true
		t.Run(tc.command, func(t *testing.T) {
			r := runTool(t, env, append([]string{"--json"}, tc.args...)...)
			if r.code != exitOK {
				t.Fatalf("exit %d; want 0; stderr: %s", r.code, r.stderr)
			}
			if strings.Count(r.stdout, "\n") != 1 || !strings.HasSuffix(r.stdout, "\n") {
				t.Errorf("stdout has %d lines; want one JSON line", strings.Count(r.stdout, "\n"))
			}
			var doc any
			if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
				t.Fatalf("stdout %.200q is not JSON: %v", r.stdout, err)
			}
			tc.check(t, doc)
		})
	}
	// Every command of the tree has a case here or a test of its own.
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			name := commandName(sub)
			if sub.Runnable() && !sub.Hidden && !covered[name] && !sub.HasSubCommands() {
				t.Errorf("command %q: no --json case", name)
			}
			walk(sub)
		}
	}
	walk(newRootCommand(newGlobals(nil), strings.NewReader(""), io.Discard, io.Discard))
}

// wantKeys checks that doc is an object with the keys.
func wantKeys(keys ...string) func(t *testing.T, doc any) {
	return func(t *testing.T, doc any) {
		t.Helper()
		obj, ok := doc.(map[string]any)
		if !ok {
			t.Fatalf("got %T; want an object with %v", doc, keys)
		}
		for _, k := range keys {
			if _, ok := obj[k]; !ok {
				t.Errorf("got %v; want key %q", obj, k)
			}
		}
	}
}

// index returns doc[key][i], or doc[i] for key "".
func index(t *testing.T, doc any, key string, i int) any {
	t.Helper()
	if key != "" {
		obj, _ := doc.(map[string]any)
		doc = obj[key]
	}
	list, ok := doc.([]any)
	if !ok || len(list) <= i {
		t.Fatalf("%s: got %v; want an array with an item %d", key, doc, i)
	}
	return list[i]
}

func TestJSONErrors(t *testing.T) {
	t.Parallel()
	env, creds := testServer(t)
	tests := []struct {
		name    string
		env     map[string]string
		args    []string
		code    int
		want    jsonError // the fields that must match; Error: a part of it
		private string
	}{
		{"usage", env, []string{"--json", "send", "--to", "61400000000"}, exitUsage,
			jsonError{Error: "missing --subject, --body", Command: "send", ExitCode: exitUsage}, ""},
		{"flag error, --json after it", env, []string{"send", "--nope", "--json"}, exitUsage,
			jsonError{Error: "flag provided but not defined: --nope", Command: "send", ExitCode: exitUsage}, ""},
		{"no command", env, []string{"--json"}, exitUsage,
			jsonError{Error: "missing command", ExitCode: exitUsage}, ""},
		{"unknown command", env, []string{"--json", "frobnicate"}, exitUsage,
			jsonError{Error: `unknown command "frobnicate"`, ExitCode: exitUsage}, ""},
		{"no credentials", nil, []string{"--json", "status", "--id", "747AB7E716C1802B6476784AEB5C9BB8"}, exitUsage,
			jsonError{Error: "WHISPIR_API_KEY", Command: "status", ExitCode: exitUsage}, ""},
		{"invalid request", env, []string{"--json", "call", "defaultContactList", "limit=lots"}, exitUsage,
			jsonError{Error: "invalid request", Command: "call", ExitCode: exitUsage, Operation: "defaultContactList"}, "lots"},
		{"not found", env, []string{"--json", "status", "--id", "747AB7E716C1802B6476784AEB5C9BB8"}, exitError,
			jsonError{Error: "404", Command: "status", ExitCode: exitError, Operation: "defaultMessageStatusList", Status: 404}, ""},
		{"wrong password", withEnv(env, security.EnvPassword, "fake-password-123"), []string{"--json", "callbacks", "list"}, exitError,
			jsonError{Error: "401", Command: "callbacks list", ExitCode: exitError, Operation: "callbackList", Status: 401}, "fake-password-123"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := runTool(t, tc.env, tc.args...)
			if r.code != tc.code {
				t.Fatalf("exit %d; want %d; stderr %q", r.code, tc.code, r.stderr)
			}
			if strings.Count(r.stderr, "\n") != 1 {
				t.Errorf("stderr %q; want one line", r.stderr)
			}
			var got jsonError
			if err := json.Unmarshal([]byte(r.stderr), &got); err != nil {
				t.Fatalf("stderr %q is not a JSON error: %v", r.stderr, err)
			}
			if !strings.Contains(got.Error, tc.want.Error) || got.Command != tc.want.Command || got.ExitCode != tc.want.ExitCode ||
				got.Operation != tc.want.Operation || got.Status != tc.want.Status {
				t.Errorf("got %+v; want %+v", got, tc.want)
			}
			for _, secret := range []string{creds.Password, creds.APIKey, tc.private} {
				if secret != "" && strings.Contains(r.stderr, secret) {
					t.Errorf("stderr shows %q: %s", secret, r.stderr)
				}
			}
			if r.stdout != "" {
				t.Errorf("stdout %q; want nothing", r.stdout)
			}
		})
	}
}

// serving is a command that serves until cancelled (mock, callbacks
// listen), started by serve.
type serving struct {
	first string     // the first line it printed on the stream watched
	stop  func() int // cancels it and returns its exit code
}

// serve runs args until the test stops it, and waits for the first line
// of stdout, or of stderr when onStderr.
func serve(t *testing.T, env map[string]string, onStderr bool, args ...string) serving {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	t.Cleanup(cancel)
	pr, pw := io.Pipe()
	stdout, stderr := io.Writer(pw), io.Writer(io.Discard)
	if onStderr {
		stdout, stderr = stderr, stdout
	}
	done := make(chan int, 1)
	go func() {
		code := run(ctx, args, mapEnv(env), strings.NewReader(""), stdout, stderr)
		pw.Close()
		done <- code
	}()
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		if sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		_, _ = io.Copy(io.Discard, pr) // never block the command
	}()
	var s serving
	select {
	case s.first = <-lines:
	case <-time.After(10 * time.Second):
		t.Fatalf("%v printed no line within 10s", args)
	}
	s.stop = func() int {
		cancel()
		select {
		case code := <-done:
			return code
		case <-time.After(10 * time.Second):
			t.Fatalf("%v did not stop within 10s of cancellation", args)
			return -1
		}
	}
	return s
}

func TestMockCommandJSON(t *testing.T) {
	t.Parallel()
	s := serve(t, nil, false, "--json", "mock")
	var m mockAddress
	if err := json.Unmarshal([]byte(s.first), &m); err != nil {
		t.Fatalf("first line %q is not JSON: %v", s.first, err)
	}
	if !strings.HasPrefix(m.BaseURL, "http://127.0.0.1:") || m.APIKey == "" || m.Username == "" || m.Password == "" {
		t.Errorf("got %+v; want a loopback URL and credentials", m)
	}
	// What it printed is enough to call it.
	r := runTool(t, credentialsEnv(m.BaseURL, security.Credentials{APIKey: m.APIKey, Username: m.Username, Password: m.Password}),
		"call", "defaultContactList")
	if r.code != exitOK {
		t.Errorf("call through the served mock: exit %d; stderr %s", r.code, r.stderr)
	}
	if code := s.stop(); code != exitOK {
		t.Errorf("mock exit %d; want 0", code)
	}
}

func TestCallbacksListenJSON(t *testing.T) {
	t.Parallel()
	s := serve(t, map[string]string{envCallbackKey: fakeCallbackKey}, true,
		"--json", "callbacks", "listen", "--addr", "127.0.0.1:0", "--auth-type", "bearertoken")
	var banner struct{ URL, AuthType string }
	if err := json.Unmarshal([]byte(s.first), &banner); err != nil || !strings.HasPrefix(banner.URL, "http://127.0.0.1:") || banner.AuthType != "bearertoken" {
		t.Errorf("first stderr line %q (%v); want {\"url\": \"http://127.0.0.1:...\", \"authType\": \"bearertoken\"}", s.first, err)
	}
	if strings.Contains(s.first, fakeCallbackKey) {
		t.Errorf("stderr shows the key: %s", s.first)
	}
	if code := s.stop(); code != exitOK {
		t.Errorf("listen exit %d; want 0", code)
	}
}

// TestMockValidatesRegion: --mock does not make a wrong region right.
func TestMockValidatesRegion(t *testing.T) {
	t.Parallel()
	send := []string{"send", "--to", "61400000000", "--subject", "Hello", "--body", "From whispir-go"}
	tests := []struct {
		name string
		env  map[string]string
		args []string
		code int
		want string // in stderr
	}{
		{"flag before --mock", nil, append([]string{"--region", "mars", "--mock"}, send...), exitUsage, `--region: unknown region: "mars"`},
		{"flag after the command", nil, append(append([]string{"--mock"}, send...), "--region", "mars"), exitUsage, "unknown region"},
		{"environment", map[string]string{envRegion: "mars"}, append([]string{"--mock"}, send...), exitUsage, envRegion + ": unknown region"},
		{"without the API", nil, []string{"--region", "mars", "regions"}, exitUsage, "unknown region"},
		{"a region that exists", nil, append([]string{"--region", "nz", "--mock"}, send...), exitOK, ""},
		{"a region that exists, in the environment", map[string]string{envRegion: "edu"}, append([]string{"--mock"}, send...), exitOK, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := runTool(t, tc.env, tc.args...)
			if r.code != tc.code || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", r.code, r.stderr, tc.code, tc.want)
			}
			if tc.code == exitOK && !messageID.MatchString(r.stdout) {
				t.Errorf("stdout %q; want the message id", r.stdout)
			}
		})
	}
}

// TestMockNotFoundHint: a 404 under --mock says why it is likely.
func TestMockNotFoundHint(t *testing.T) {
	t.Parallel()
	const id = "747AB7E716C1802B6476784AEB5C9BB8"
	hint := []string{"each --mock run starts a new, empty mock server", "whispir mock", envBaseURL}
	for _, args := range [][]string{
		{"--mock", "status", "--id", id},
		{"--mock", "call", "defaultMessageRetrieve", "messageId=" + id},
		{"status", "--mock", "--detailed", "--id", id},
	} {
		r := runTool(t, nil, args...)
		if r.code != exitError || !strings.Contains(r.stderr, "404") {
			t.Errorf("%v: exit %d, stderr %q; want 1 and the 404", args, r.code, r.stderr)
		}
		for _, h := range hint {
			if !strings.Contains(r.stderr, h) {
				t.Errorf("%v: stderr %q; want it to say %q", args, r.stderr, h)
			}
		}
	}
	r := runTool(t, nil, "--json", "--mock", "status", "--id", id)
	var e jsonError
	if err := json.Unmarshal([]byte(r.stderr), &e); err != nil || !strings.Contains(e.Hint, hint[0]) {
		t.Errorf("--json: stderr %q; want a JSON error with the hint", r.stderr)
	}
	// A 404 from a server that lasts has no reason for the hint.
	env, _ := testServer(t)
	r = runTool(t, env, "status", "--id", id)
	if r.code != exitError || strings.Contains(r.stderr, hint[0]) {
		t.Errorf("without --mock: exit %d, stderr %q; want 1 without the hint", r.code, r.stderr)
	}
	// Neither has another failure under --mock.
	r = runTool(t, nil, "--mock", "call", "defaultMessageRetrieve", "messageId=not-hex")
	if r.code != exitUsage || strings.Contains(r.stderr, hint[0]) {
		t.Errorf("invalid id under --mock: exit %d, stderr %q; want 2 without the hint", r.code, r.stderr)
	}
}

// TestRetriesReported: retries show on stderr as they happen, without -v.
func TestRetriesReported(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		json  bool
		wants []string
	}{
		{"text", false, []string{`msg="whispir retry"`, "operation=defaultContactList", "attempt=1", `reason="Service Unavailable"`, "wait="}},
		{"json", true, []string{`"msg":"whispir retry"`, `"operation":"defaultContactList"`, `"attempt":1`, `"reason":"Service Unavailable"`, `"wait":`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := whispirtest.NewServer()
			t.Cleanup(srv.Close)
			if err := srv.InjectFaults(1, whispirtest.Fault{Kind: whispirtest.FaultStatus, Status: http.StatusServiceUnavailable}); err != nil {
				t.Fatal(err)
			}
			args := []string{"call", "defaultContactList"}
			if tc.json {
				args = append([]string{"--json"}, args...)
			}
			r := runTool(t, credentialsEnv(srv.URL, srv.Credentials()), args...)
			if r.code != exitOK {
				t.Fatalf("exit %d; want 0 after the retry; stderr: %s", r.code, r.stderr)
			}
			lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
			retry := lines[0]
			for _, w := range tc.wants {
				if !strings.Contains(retry, w) {
					t.Errorf("first stderr line %q; want it to contain %s", retry, w)
				}
			}
			if tc.json && !json.Valid([]byte(retry)) {
				t.Errorf("retry report %q is not JSON", retry)
			}
			if n := len(srv.Requests()); n != 2 {
				t.Errorf("the mock got %d requests; want 2", n)
			}
		})
	}
}

func TestCompletionScripts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		shell string
		want  []string
	}{
		{"bash", []string{"# bash completion V2 for whispir", "__start_whispir", "complete -o default -F __start_whispir whispir"}},
		{"zsh", []string{"#compdef whispir", "compdef _whispir whispir"}},
		{"fish", []string{"complete -c whispir"}},
		{"powershell", []string{"Register-ArgumentCompleter", "-CommandName 'whispir'"}},
	}
	for _, tc := range tests {
		t.Run(tc.shell, func(t *testing.T) {
			t.Parallel()
			r := runTool(t, nil, "completion", tc.shell)
			if r.code != exitOK {
				t.Fatalf("exit %d; stderr %s", r.code, r.stderr)
			}
			// Every script asks the binary for the words: that is how
			// operation ids and parameters get completed.
			for _, w := range append(tc.want, "__complete") {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("completion %s: want the script to contain %q", tc.shell, w)
				}
			}
		})
	}
	for _, args := range [][]string{{"completion"}, {"completion", "tcsh"}, {"completion", "bash", "zsh"}} {
		if r := runTool(t, nil, args...); r.code != exitUsage {
			t.Errorf("%v: exit %d; want 2", args, r.code)
		}
	}
}

// TestCompletionWords checks what the scripts get back from the binary.
func TestCompletionWords(t *testing.T) {
	t.Parallel()
	ops, err := whispir.Operations()
	if err != nil {
		t.Fatal(err)
	}
	allIDs := make([]string, len(ops))
	for i, op := range ops {
		allIDs[i] = op.ID
	}
	regions := make([]string, 0, len(api.Regions()))
	for _, r := range api.Regions() {
		regions = append(regions, r.String())
	}
	tests := []struct {
		name      string
		args      []string // after __complete; the last is the word being completed
		want      []string // exactly these words, in order
		directive string
	}{
		{"every operation id", []string{"call", ""}, allIDs, ":4"},
		{"operation ids by prefix", []string{"call", "contactL"}, []string{"contactList"}, ":4"},
		{"parameters", []string{"call", "contactList", "li"}, []string{"limit="}, ":6"},
		{"parameters not given yet", []string{"call", "contactList", "workspaceId=X", "limit=5", "s"}, []string{"sortFields=", "sortOrder="}, ":6"},
		{"enum values", []string{"call", "contactList", "sortOrder="}, []string{"sortOrder=asc", "sortOrder=desc"}, ":4"},
		{"media types", []string{"call", "defaultMessageCreate", "--content-type", ""},
			[]string{"application/vnd.whispir.bulkmessage-v1+json", "application/vnd.whispir.message-v1+json"}, ":4"},
		{"ops takes ids", []string{"ops", "keyL"}, []string{"keyList"}, ":4"},
		{"regions", []string{"--region", ""}, regions, ":4"},
		{"auth types", []string{"callbacks", "listen", "--auth-type", "b"}, []string{"basicauth", "bearertoken"}, ":4"},
		{"shells", []string{"completion", ""}, []string{"bash", "zsh", "fish", "powershell"}, ":4"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := runTool(t, nil, append([]string{"__completeNoDesc"}, tc.args...)...)
			if r.code != exitOK {
				t.Fatalf("exit %d; stderr %s", r.code, r.stderr)
			}
			lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
			got, directive := lines[:len(lines)-1], lines[len(lines)-1]
			if !slices.Equal(got, tc.want) || directive != tc.directive {
				t.Errorf("got %q %s; want %q %s", got, directive, tc.want, tc.directive)
			}
		})
	}
	// With descriptions, an operation id comes with its summary.
	r := runTool(t, nil, "__complete", "call", "contactList")
	if !strings.HasPrefix(r.stdout, "contactList\tList contacts\n") {
		t.Errorf("stdout %q; want contactList and its summary", r.stdout)
	}
}

func TestSingleDashLongFlags(t *testing.T) {
	t.Parallel()
	root := newRootCommand(newGlobals(nil), strings.NewReader(""), io.Discard, io.Discard)
	tests := []struct {
		name string
		in   []string
		want []string
	}{
		{"global and command flags", []string{"-mock", "send", "-to=61400000000", "-subject", "Hello"}, []string{"--mock", "send", "--to=61400000000", "--subject", "Hello"}},
		{"a value that looks like a flag", []string{"send", "--body", "-mock", "-label", "-x"}, []string{"send", "--body", "-mock", "--label", "-x"}},
		{"shorthands", []string{"-v", "send", "-h"}, []string{"-v", "send", "-h"}},
		{"after --", []string{"call", "x", "--", "-mock"}, []string{"call", "x", "--", "-mock"}},
		{"a negative duration", []string{"--timeout", "-1s", "-mock"}, []string{"--timeout", "-1s", "--mock"}},
		{"unknown", []string{"-nope", "regions"}, []string{"-nope", "regions"}},
		{"help", []string{"send", "-help"}, []string{"send", "--help"}},
		{"a flag of another command", []string{"-addr", "mock", "-addr", "x"}, []string{"-addr", "mock", "--addr", "x"}},
		{"sub-subcommand", []string{"callbacks", "create", "-name", "n"}, []string{"callbacks", "create", "--name", "n"}},
		{"completion requests", []string{"__complete", "-mock", ""}, []string{"__complete", "-mock", ""}},
		{"nothing", nil, []string{}},
	}
	for _, tc := range tests {
		if got := singleDashLongFlags(root, tc.in); !slices.Equal(got, tc.want) || got == nil {
			t.Errorf("%s: singleDashLongFlags(%q) = %q; want %q", tc.name, tc.in, got, tc.want)
		}
	}
}

func TestWantsJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want bool
	}{
		{[]string{"send", "--json"}, true},
		{[]string{"-json", "send"}, true},
		{[]string{"--json=true"}, true},
		{[]string{"--json=false"}, false},
		{[]string{"--", "--json"}, false},
		{[]string{"json"}, false},
		{nil, false},
	}
	for _, tc := range tests {
		if got := wantsJSON(tc.args); got != tc.want {
			t.Errorf("wantsJSON(%q) = %v; want %v", tc.args, got, tc.want)
		}
	}
}

// withEnv is a copy of env with k set to v.
func withEnv(env map[string]string, k, v string) map[string]string {
	e := maps.Clone(env)
	e[k] = v
	return e
}
