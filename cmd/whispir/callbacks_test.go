package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/whispir-go/whispir/callback"
)

const fakeCallbackKey = "fake-callback-key-789"

// listener is a running "whispir callbacks listen".
type listener struct {
	url    string
	lines  <-chan string // stdout, line by line
	stderr func() string
	stop   func() int // cancels the command and returns its exit code
}

// startListen runs the listen command with args and env until the test
// stops it.
func startListen(t *testing.T, env map[string]string, args ...string) *listener {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	outR, outW := io.Pipe()
	errR, errW := io.Pipe()
	done := make(chan int, 1)
	go func() {
		code := run(ctx, append([]string{"callbacks", "listen", "--addr", "127.0.0.1:0"}, args...), mapEnv(env), strings.NewReader(""), outW, errW)
		outW.Close()
		errW.Close()
		done <- code
	}()
	lines := make(chan string, 16)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(outR)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	var mu sync.Mutex
	var stderr strings.Builder
	first := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(errR)
		for sc.Scan() {
			mu.Lock()
			if stderr.Len() == 0 {
				first <- sc.Text()
			}
			stderr.WriteString(sc.Text() + "\n")
			mu.Unlock()
		}
		close(first)
	}()
	l := &listener{
		lines:  lines,
		stderr: func() string { mu.Lock(); defer mu.Unlock(); return stderr.String() },
	}
	var once sync.Once
	code := -1
	l.stop = func() int {
		once.Do(func() {
			cancel()
			select {
			case code = <-done:
			case <-time.After(10 * time.Second):
				t.Error("listen did not stop within 10s of cancellation")
			}
		})
		return code
	}
	t.Cleanup(func() { l.stop() })
	select {
	case line, ok := <-first:
		_, rest, found := strings.Cut(line, "http://")
		if !ok || !found {
			t.Fatalf("listen printed %q first; want its address", line)
		}
		l.url = "http://" + strings.Fields(rest)[0]
	case <-time.After(10 * time.Second):
		t.Fatal("listen printed no address within 10s")
	}
	return l
}

// deliver sends one event to url the way Whispir does with httpheader auth.
func deliver(t *testing.T, url, contentType, body, key string) int {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set(callback.HeaderCallbackKey, key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

const (
	listenReply = `{"messageid": "747AB7E716C1802B6476784AEB5C9BB8",
 "messagelocation": "https://api.au.whispir.com/messages/747AB7E716C1802B6476784AEB5C9BB8",
 "from": {"name": "Jane Citizen", "mobile": "61400000000"},
 "responseMessage": {"channel": "SMS", "acknowledged": "27/11/26 10:15", "content": "Yes, I will be there"},
 "customParameters": {"shift": "night"}}`
	listenUndeliverable = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<ns2:deliveryResponse xmlns:ns2="http://schemas.api.whispir.com">
  <messageid>747AB7E716C1802B6476784AEB5C9BB8</messageid>
  <from><mobile>61400000001</mobile></from>
  <responseMessage><channel>SMS</channel><undeliverable>27/11/26 10:16</undeliverable></responseMessage>
</ns2:deliveryResponse>`
)

func TestCallbacksListen(t *testing.T) {
	t.Parallel()
	l := startListen(t, map[string]string{envCallbackKey: fakeCallbackKey}, "--auth-type", "httpheader")

	// Whispir's URL check.
	resp, err := http.Get(l.url + "/whispir")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("GET: %d; want 200", resp.StatusCode)
	}
	steps := []struct {
		name, contentType, body, key string
		want                         int
	}{
		{"wrong key", "application/json", listenReply, "wrong", 401},
		{"reply", "application/json", listenReply, fakeCallbackKey, 200},
		{"redelivered reply", "application/json", listenReply, fakeCallbackKey, 200},
		{"malformed", "application/json", `{"messageid":`, fakeCallbackKey, 400},
		{"undeliverable as xml", "application/xml", listenUndeliverable, fakeCallbackKey, 200},
	}
	for _, s := range steps {
		if got := deliver(t, l.url+"/whispir", s.contentType, s.body, s.key); got != s.want {
			t.Errorf("%s: status %d; want %d", s.name, got, s.want)
		}
	}

	want := []callback.Event{
		{Kind: callback.KindReply, MessageID: "747AB7E716C1802B6476784AEB5C9BB8",
			MessageLocation: "https://api.au.whispir.com/messages/747AB7E716C1802B6476784AEB5C9BB8",
			From:            callback.Sender{Name: "Jane Citizen", Mobile: "61400000000"}, Channel: "SMS",
			Content: "Yes, I will be there", Time: "27/11/26 10:15", CustomParameters: map[string]string{"shift": "night"}},
		{Kind: callback.KindUndeliverable, MessageID: "747AB7E716C1802B6476784AEB5C9BB8",
			From: callback.Sender{Mobile: "61400000001"}, Channel: "SMS", Time: "27/11/26 10:16"},
	}
	for i, w := range want {
		select {
		case line := <-l.lines:
			var got callback.Event
			if err := json.Unmarshal([]byte(line), &got); err != nil {
				t.Fatalf("line %d %q is not an event: %v", i, line, err)
			}
			if got.Kind != w.Kind || got.MessageID != w.MessageID || got.MessageLocation != w.MessageLocation ||
				got.From != w.From || got.Channel != w.Channel || got.Content != w.Content || got.Time != w.Time ||
				!maps.Equal(got.CustomParameters, w.CustomParameters) {
				t.Errorf("line %d = %s; want %+v", i, line, w.From)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("no line %d within 10s; stderr: %s", i, l.stderr())
		}
	}
	if code := l.stop(); code != exitOK {
		t.Errorf("exit %d; want 0; stderr: %s", code, l.stderr())
	}
	for line := range l.lines {
		t.Errorf("extra line %q: the redelivery or a refused call was printed", line)
	}
	stderr := l.stderr()
	if strings.Contains(stderr, fakeCallbackKey) || strings.Contains(stderr, "61400000000") || strings.Contains(stderr, "Yes, I will") {
		t.Errorf("stderr shows the key or the event: %s", stderr)
	}
	if !strings.Contains(stderr, "status=401") || !strings.Contains(stderr, "status=400") {
		t.Errorf("stderr %q; want the refused calls logged", stderr)
	}
}

// TestCallbacksListenAuthTypes: the key flag and each auth type reach the
// handler.
func TestCallbacksListenAuthTypes(t *testing.T) {
	t.Parallel()
	l := startListen(t, nil, "--auth-type", "bearertoken", "--key", fakeCallbackKey)
	post := func(authorization string) int {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, l.url, strings.NewReader(listenReply))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", authorization)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := post("Basic " + fakeCallbackKey); got != 401 {
		t.Errorf("basic with a bearer listener: %d; want 401", got)
	}
	if got := post("Bearer " + fakeCallbackKey); got != 200 {
		t.Errorf("bearer: %d; want 200", got)
	}
	if code := l.stop(); code != exitOK {
		t.Errorf("exit %d; want 0", code)
	}
}

// TestCallbacksManage creates, lists and deletes a callback through a mock
// server, the callback's URL a loopback receiver that passes Whispir's URL
// check.
func TestCallbacksManage(t *testing.T) {
	t.Parallel()
	env, _ := testServer(t)
	env[envCallbackKey] = fakeCallbackKey
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer receiver.Close()
	url := receiver.URL + "/whispir"

	created := runTool(t, env, "callbacks", "create", "--name", "replies", "--url", url,
		"--auth-type", "bearertoken", "--content-type", "xml", "--undeliverable=false", "--email", "ops@example.com")
	if created.code != exitOK {
		t.Fatalf("create: exit %d; stderr: %s", created.code, created.stderr)
	}
	id := strings.TrimSpace(created.stdout)
	if id == "" || strings.ContainsAny(id, " \t\n") {
		t.Fatalf("create printed %q; want an id", created.stdout)
	}

	listed := runTool(t, env, "callbacks", "list")
	if listed.code != exitOK {
		t.Fatalf("list: exit %d; stderr: %s", listed.code, listed.stderr)
	}
	if want := id + "\treplies\t" + url + "\tbearertoken\txml\n"; listed.stdout != want {
		t.Errorf("list = %q; want %q", listed.stdout, want)
	}
	if strings.Contains(listed.stdout+listed.stderr, fakeCallbackKey) {
		t.Error("list shows the key")
	}

	if r := runTool(t, env, "callbacks", "delete", "--id", id); r.code != exitOK || r.stdout != "" {
		t.Fatalf("delete: exit %d, stdout %q; stderr: %s", r.code, r.stdout, r.stderr)
	}
	if r := runTool(t, env, "callbacks", "list"); r.code != exitOK || r.stdout != "" {
		t.Errorf("list after delete: exit %d, stdout %q; want 0 and nothing listed", r.code, r.stdout)
	}
	if r := runTool(t, env, "callbacks", "delete", "--id", id); r.code != exitError || !strings.Contains(r.stderr, "404") {
		t.Errorf("second delete: exit %d, stderr %q; want 1 and a 404", r.code, r.stderr)
	}
}

func TestCallbacksWithMockFlag(t *testing.T) {
	t.Parallel()
	// A fresh mock stores no callback: the list is empty (it used to show
	// the spec's example).
	r := runTool(t, nil, "--mock", "callbacks", "list")
	if r.code != exitOK || r.stdout != "" {
		t.Fatalf("--mock callbacks list: exit %d, stdout %q, stderr %q; want 0 and nothing listed", r.code, r.stdout, r.stderr)
	}
}

func TestCallbacksUsageErrors(t *testing.T) {
	t.Parallel()
	key := map[string]string{envCallbackKey: fakeCallbackKey}
	tests := []struct {
		name    string
		env     map[string]string
		args    []string
		wantErr string
	}{
		{"no subcommand", nil, []string{"callbacks"}, "missing subcommand"},
		{"unknown subcommand", nil, []string{"callbacks", "frobnicate"}, `unknown subcommand "frobnicate"`},
		{"create without name and url", key, []string{"--mock", "callbacks", "create"}, "missing --name, --url"},
		{"create without key", nil, []string{"--mock", "callbacks", "create", "--name", "n", "--url", "https://hooks.example.com"}, envCallbackKey},
		{"create with an unknown auth type", key, []string{"--mock", "callbacks", "create", "--name", "n", "--url", "https://hooks.example.com", "--auth-type", "hmac"}, "auth"},
		{"create with an unknown content type", key, []string{"--mock", "callbacks", "create", "--name", "n", "--url", "https://hooks.example.com", "--content-type", "csv"}, "contentType"},
		{"delete without id", nil, []string{"--mock", "callbacks", "delete"}, "missing --id"},
		{"list with argument", nil, []string{"--mock", "callbacks", "list", "extra"}, "unexpected argument"},
		{"listen without key", nil, []string{"callbacks", "listen", "--addr", "127.0.0.1:0"}, envCallbackKey},
		{"listen with an unknown auth type", key, []string{"callbacks", "listen", "--addr", "127.0.0.1:0", "--auth-type", "hmac"}, "--auth-type"},
		{"listen without port", key, []string{"callbacks", "listen", "--addr", "127.0.0.1"}, "--addr"},
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
			if strings.Contains(r.stderr, fakeCallbackKey) {
				t.Errorf("stderr shows the key: %s", r.stderr)
			}
		})
	}
}

func TestCallbacksHelp(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"help", "callbacks"}, {"callbacks", "-h"}, {"callbacks", "listen", "-h"}} {
		r := runTool(t, nil, args...)
		if r.code != exitOK || !strings.Contains(r.stdout, "callbacks listen") || !strings.Contains(r.stdout, envCallbackKey) {
			t.Errorf("%v: exit %d, stdout %q; want 0 and the callbacks usage", args, r.code, r.stdout)
		}
	}
	if r := runTool(t, nil, "help"); !strings.Contains(r.stdout, "callbacks ") {
		t.Errorf("help does not list callbacks: %s", r.stdout)
	}
}
