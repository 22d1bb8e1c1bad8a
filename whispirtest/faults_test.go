package whispirtest_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/whispir-go/whispir/security"
	"github.com/whispir-go/whispir/whispirtest"
)

// inject adds n faults f to srv or fails the test.
func inject(t *testing.T, srv *whispirtest.Server, n int, f whispirtest.Fault) {
	t.Helper()
	if err := srv.InjectFaults(n, f); err != nil {
		t.Fatalf("InjectFaults(%d, %v): %v", n, f.Kind, err)
	}
}

// exchange sends req with a client of its own (so no connection is shared
// between cases) and returns the status, headers and body, or the error of
// the exchange or of reading the body.
func exchange(t *testing.T, req *http.Request, timeout time.Duration) (*http.Response, []byte, error) {
	t.Helper()
	c := &http.Client{Timeout: timeout, Transport: &http.Transport{}}
	defer c.CloseIdleConnections()
	resp, err := c.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}

func TestFaultKinds(t *testing.T) {
	t.Parallel()
	const create = "/workspaces/" + workspace + "/messages"
	type want struct {
		status   int    // 0: the exchange fails
		header   string // "Name: value" expected in the answer
		body     string // substring of the body
		bodyErr  bool   // reading the body fails
		badJSON  bool   // the body is not JSON
		messages int    // messages stored
		recorded int    // status recorded in Requests
	}
	tests := []struct {
		name    string
		fault   whispirtest.Fault
		timeout time.Duration // client timeout; 0: 10 s
		want    want
	}{
		{"qps", whispirtest.Fault{Kind: whispirtest.FaultQPS},
			0, want{status: 403, header: "X-Error-Code: ERR_403_DEVELOPER_OVER_QPS", body: `{"message":"Forbidden"}`, recorded: 403}},
		{"qps detail", whispirtest.Fault{Kind: whispirtest.FaultQPS},
			0, want{status: 403, header: "X-Error-Detail: Account Over Queries Per Second Limit", recorded: 403}},
		{"qpd", whispirtest.Fault{Kind: whispirtest.FaultQPD},
			0, want{status: 403, header: "X-Error-Code: ERR_403_DEVELOPER_OVER_QPD", body: "Forbidden", recorded: 403}},
		{"mashery qps", whispirtest.Fault{Kind: whispirtest.FaultMasheryQPS},
			0, want{status: 403, header: "X-Mashery-Error-Code: ERR_403_DEVELOPER_OVER_QPS", body: "Developer Over Qps", recorded: 403}},
		{"429 with retry-after", whispirtest.Fault{Kind: whispirtest.FaultTooManyRequests, RetryAfter: "7"},
			0, want{status: 429, header: "Retry-After: 7", body: "Too Many Requests", recorded: 429}},
		{"qps with http-date retry-after", whispirtest.Fault{Kind: whispirtest.FaultQPS, RetryAfter: "Wed, 21 Oct 2026 07:28:00 GMT"},
			0, want{status: 403, header: "Retry-After: Wed, 21 Oct 2026 07:28:00 GMT", recorded: 403}},
		{"status default 503", whispirtest.Fault{Kind: whispirtest.FaultStatus},
			0, want{status: 503, body: `"errorText":"Service Unavailable"`, recorded: 503}},
		{"500", whispirtest.Fault{Kind: whispirtest.FaultStatus, Status: 500},
			0, want{status: 500, body: `"errorText":"Internal Server Error"`, recorded: 500}},
		{"502", whispirtest.Fault{Kind: whispirtest.FaultStatus, Status: 502},
			0, want{status: 502, body: `"errorText":"Bad Gateway"`, recorded: 502}},
		{"504 with retry-after", whispirtest.Fault{Kind: whispirtest.FaultStatus, Status: 504, RetryAfter: "2"},
			0, want{status: 504, header: "Retry-After: 2", body: `"errorText":"Gateway Timeout"`, recorded: 504}},
		{"503 after processing", whispirtest.Fault{Kind: whispirtest.FaultStatus, Status: 503, AfterProcessing: true},
			0, want{status: 503, messages: 1, recorded: 503}},
		{"slow, then answered", whispirtest.Fault{Kind: whispirtest.FaultSlow, Delay: 20 * time.Millisecond},
			0, want{status: 202, header: "Content-Type: application/vnd.whispir.message-v1+json", body: "accepted for processing", messages: 1, recorded: 202}},
		{"slow after processing, then answered", whispirtest.Fault{Kind: whispirtest.FaultSlow, Delay: 20 * time.Millisecond, AfterProcessing: true},
			0, want{status: 202, body: "accepted for processing", messages: 1, recorded: 202}},
		{"slow, client gives up first", whispirtest.Fault{Kind: whispirtest.FaultSlow, Delay: time.Minute},
			50 * time.Millisecond, want{messages: 0, recorded: 0}},
		{"slow after processing, client gives up", whispirtest.Fault{Kind: whispirtest.FaultSlow, Delay: time.Minute, AfterProcessing: true},
			50 * time.Millisecond, want{messages: 1, recorded: 0}},
		{"drop", whispirtest.Fault{Kind: whispirtest.FaultDrop},
			0, want{messages: 0, recorded: 0}},
		{"drop after processing", whispirtest.Fault{Kind: whispirtest.FaultDrop, AfterProcessing: true},
			0, want{messages: 1, recorded: 0}},
		{"truncated", whispirtest.Fault{Kind: whispirtest.FaultTruncated},
			0, want{status: 202, header: "Content-Length: 45", bodyErr: true, messages: 1, recorded: 202}},
		{"malformed", whispirtest.Fault{Kind: whispirtest.FaultMalformed},
			0, want{status: 200, header: "Content-Type: application/vnd.whispir.message-v1+json", badJSON: true, recorded: 200}},
		{"malformed after processing keeps location", whispirtest.Fault{Kind: whispirtest.FaultMalformed, AfterProcessing: true},
			0, want{status: 202, badJSON: true, messages: 1, recorded: 202}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := start(t)
			inject(t, srv, 1, tc.fault)
			timeout := tc.timeout
			if timeout == 0 {
				timeout = 10 * time.Second
			}
			resp, body, err := exchange(t, newRequest(t, srv, http.MethodPost, create, smsBody), timeout)
			switch {
			case tc.want.status == 0:
				if err == nil {
					t.Fatalf("exchange: got status %d; want an error", resp.StatusCode)
				}
			case resp == nil:
				t.Fatalf("exchange: got %v; want status %d", err, tc.want.status)
			default:
				if resp.StatusCode != tc.want.status {
					t.Fatalf("status: got %d; want %d", resp.StatusCode, tc.want.status)
				}
				if tc.want.bodyErr {
					if !errors.Is(err, io.ErrUnexpectedEOF) {
						t.Errorf("reading the body: got %v; want %v", err, io.ErrUnexpectedEOF)
					}
				} else if err != nil {
					t.Fatalf("reading the body: got %v; want nil", err)
				}
				if tc.want.header != "" {
					name, value, _ := strings.Cut(tc.want.header, ": ")
					if got := resp.Header.Get(name); got != value {
						t.Errorf("%s: got %q; want %q", name, got, value)
					}
				}
				if !strings.Contains(string(body), tc.want.body) {
					t.Errorf("body: got %s; want it to contain %s", clip(body), tc.want.body)
				}
				if tc.want.badJSON && json.Valid(body) {
					t.Errorf("body: got valid JSON %s; want malformed", clip(body))
				}
				if tc.want.messages == 1 && resp.StatusCode == http.StatusAccepted && resp.Header.Get("Location") == "" {
					t.Errorf("Location: got none; want the new message's")
				}
			}
			srv.Close() // waits for the handler: what it stored is final
			if got := len(srv.Messages()); got != tc.want.messages {
				t.Errorf("messages: got %d; want %d", got, tc.want.messages)
			}
			reqs := srv.Requests()
			if len(reqs) != 1 {
				t.Fatalf("requests: got %d; want 1", len(reqs))
			}
			if got := reqs[0]; got.Status != tc.want.recorded || got.Fault != tc.fault.Kind || got.OperationID != "messageCreate" {
				t.Errorf("recorded: got status %d fault %v op %q; want %d %v messageCreate", got.Status, got.Fault, got.OperationID, tc.want.recorded, tc.fault.Kind)
			}
		})
	}
}

func TestFaultQueue(t *testing.T) {
	t.Parallel()
	srv := start(t)
	create := "/workspaces/" + workspace + "/messages"
	inject(t, srv, 2, whispirtest.Fault{Kind: whispirtest.FaultQPS})
	inject(t, srv, 1, whispirtest.Fault{Kind: whispirtest.FaultStatus, Status: 502})
	inject(t, srv, 1, whispirtest.Fault{Kind: whispirtest.FaultTooManyRequests, Operations: []string{"messageList"}})

	// A request refused before processing does not use a fault up.
	bad := newRequest(t, srv, http.MethodPost, create, smsBody)
	bad.Header.Set("x-api-key", "wrong")
	if resp, _ := send(t, bad); resp.StatusCode != http.StatusForbidden || resp.Header.Get("X-Error-Code") != "" {
		t.Fatalf("bad key: got %d %q; want a plain 403", resp.StatusCode, resp.Header.Get("X-Error-Code"))
	}
	steps := []struct {
		method, path, body string
		want               int
	}{
		{http.MethodPost, create, smsBody, 403},
		{http.MethodPost, create, smsBody, 403},
		{http.MethodPost, create, smsBody, 502},
		{http.MethodPost, create, smsBody, 202}, // the 429 is for messageList only
		{http.MethodGet, create, "", 429},
		{http.MethodGet, create, "", 200},
	}
	for i, st := range steps {
		resp, body := send(t, newRequest(t, srv, st.method, st.path, st.body))
		if resp.StatusCode != st.want {
			t.Errorf("request %d (%s): got %d (%s); want %d", i, st.method, resp.StatusCode, clip(body), st.want)
		}
	}
	if got := len(srv.Messages()); got != 1 {
		t.Errorf("messages: got %d; want 1", got)
	}

	inject(t, srv, 5, whispirtest.Fault{Kind: whispirtest.FaultStatus, Status: 500})
	srv.ClearFaults()
	if resp, body := send(t, newRequest(t, srv, http.MethodGet, create, "")); resp.StatusCode != http.StatusOK {
		t.Errorf("after ClearFaults: got %d (%s); want 200", resp.StatusCode, clip(body))
	}
}

func TestFaultRate(t *testing.T) {
	t.Parallel()
	const n = 40
	pattern := func(p float64, seed uint64) string {
		srv := start(t)
		if err := srv.InjectFaultRate(p, whispirtest.Fault{Kind: whispirtest.FaultStatus, Status: 503}, seed); err != nil {
			t.Fatalf("InjectFaultRate: %v", err)
		}
		var b strings.Builder
		for range n {
			resp, _ := send(t, newRequest(t, srv, http.MethodGet, "/messages", ""))
			if resp.StatusCode == http.StatusServiceUnavailable {
				b.WriteByte('x')
			} else {
				b.WriteByte('.')
			}
		}
		return b.String()
	}
	a, b := pattern(0.5, 42), pattern(0.5, 42)
	if a != b {
		t.Errorf("same seed: got %s and %s; want the same faults", a, b)
	}
	if c := strings.Count(a, "x"); c == 0 || c == n {
		t.Errorf("rate 0.5: got %s; want some faulted and some not", a)
	}
	if got, want := pattern(0, 1), strings.Repeat(".", n); got != want {
		t.Errorf("rate 0: got %s; want %s", got, want)
	}
	if got, want := pattern(1, 1), strings.Repeat("x", n); got != want {
		t.Errorf("rate 1: got %s; want %s", got, want)
	}
}

func TestInjectFaultsRefusesBadInput(t *testing.T) {
	t.Parallel()
	srv := start(t)
	tests := []struct {
		name  string
		n     int
		fault whispirtest.Fault
	}{
		{"no kind", 1, whispirtest.Fault{}},
		{"unknown kind", 1, whispirtest.Fault{Kind: 99}},
		{"zero count", 0, whispirtest.Fault{Kind: whispirtest.FaultQPS}},
		{"negative count", -3, whispirtest.Fault{Kind: whispirtest.FaultQPS}},
		{"status not 5xx", 1, whispirtest.Fault{Kind: whispirtest.FaultStatus, Status: 404}},
		{"status on another kind", 1, whispirtest.Fault{Kind: whispirtest.FaultDrop, Status: 500}},
		{"slow without delay", 1, whispirtest.Fault{Kind: whispirtest.FaultSlow}},
		{"negative delay", 1, whispirtest.Fault{Kind: whispirtest.FaultSlow, Delay: -time.Second}},
		{"delay on another kind", 1, whispirtest.Fault{Kind: whispirtest.FaultQPS, Delay: time.Second}},
		{"retry-after with a newline", 1, whispirtest.Fault{Kind: whispirtest.FaultQPS, RetryAfter: "1\r\nX-Evil: 1"}},
		{"blank retry-after", 1, whispirtest.Fault{Kind: whispirtest.FaultQPS, RetryAfter: "  "}},
		{"retry-after on a drop", 1, whispirtest.Fault{Kind: whispirtest.FaultDrop, RetryAfter: "1"}},
		{"gateway fault after processing", 1, whispirtest.Fault{Kind: whispirtest.FaultQPS, AfterProcessing: true}},
		{"unknown operation", 1, whispirtest.Fault{Kind: whispirtest.FaultQPS, Operations: []string{"messageSend"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := srv.InjectFaults(tc.n, tc.fault)
			if !errors.Is(err, whispirtest.ErrInvalidFault) {
				t.Errorf("InjectFaults: got %v; want an error wrapping ErrInvalidFault", err)
			}
		})
	}
	for _, p := range []float64{-0.1, 1.5} {
		if err := srv.InjectFaultRate(p, whispirtest.Fault{Kind: whispirtest.FaultQPS}, 1); !errors.Is(err, whispirtest.ErrInvalidFault) {
			t.Errorf("InjectFaultRate(%v): got %v; want an error wrapping ErrInvalidFault", p, err)
		}
	}
	if err := srv.InjectFaultRate(1, whispirtest.Fault{}, 1); !errors.Is(err, whispirtest.ErrInvalidFault) {
		t.Errorf("InjectFaultRate with no kind: got %v; want an error wrapping ErrInvalidFault", err)
	}
	// Nothing was injected by the refused calls.
	if resp, _ := send(t, newRequest(t, srv, http.MethodGet, "/messages", "")); resp.StatusCode != http.StatusOK {
		t.Errorf("after refused injections: got %d; want 200", resp.StatusCode)
	}
}

func TestFaultKindString(t *testing.T) {
	t.Parallel()
	for k, want := range map[whispirtest.FaultKind]string{
		whispirtest.FaultNone:      "FaultNone",
		whispirtest.FaultQPS:       "FaultQPS",
		whispirtest.FaultMalformed: "FaultMalformed",
		42:                         "FaultKind(42)",
		-1:                         "FaultKind(-1)",
	} {
		if got := k.String(); got != want {
			t.Errorf("String: got %q; want %q", got, want)
		}
	}
}

func TestSlowFaultEndsOnClose(t *testing.T) {
	t.Parallel()
	srv := whispirtest.NewServer()
	defer srv.Close()
	inject(t, srv, 1, whispirtest.Fault{Kind: whispirtest.FaultSlow, Delay: time.Hour})
	req := newRequest(t, srv, http.MethodGet, "/messages", "")
	done := make(chan error, 1)
	go func() {
		_, _, err := exchange(t, req, time.Hour)
		done <- err
	}()
	// Wait (bounded) until the request is held by the fault.
	for i := 0; len(srv.Requests()) == 0 || srv.Requests()[0].Fault != whispirtest.FaultSlow; i++ {
		if i == 1000 {
			t.Fatal("the request never reached the fault")
		}
		time.Sleep(5 * time.Millisecond)
	}
	closed := make(chan struct{})
	go func() { srv.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(20 * time.Second):
		t.Fatal("Close waited for a slow fault; want it to end the wait")
	}
	if err := <-done; err == nil {
		t.Errorf("exchange: got an answer; want an error (no answer after Close)")
	}
}

// Handler without a socket: a drop cannot hijack a recorder and aborts the
// handler as net/http expects.
func TestDropWithoutConnection(t *testing.T) {
	t.Parallel()
	srv := whispirtest.NewServer()
	defer srv.Close()
	inject(t, srv, 1, whispirtest.Fault{Kind: whispirtest.FaultDrop})
	req := newRequest(t, srv, http.MethodGet, "/messages", "")
	defer func() {
		if got := recover(); got != http.ErrAbortHandler {
			t.Errorf("recovered: got %v; want http.ErrAbortHandler", got)
		}
	}()
	srv.Handler().ServeHTTP(httptest.NewRecorder(), req)
}

func TestAdditionalCredentials(t *testing.T) {
	t.Parallel()
	a := security.Credentials{APIKey: "key-a", Username: "user-a", Password: "password-a"}
	b := security.Credentials{APIKey: "key-b", Username: "user-b", Password: "password-b"}
	srv := start(t, whispirtest.WithCredentials(a), whispirtest.WithAdditionalCredentials(b))
	create := "/workspaces/" + workspace + "/messages"
	tests := []struct {
		name       string
		key        string
		user, pass string
		want       int
	}{
		{"set a", a.APIKey, a.Username, a.Password, 202},
		{"set b", b.APIKey, b.Username, b.Password, 202},
		{"key a with basic b", a.APIKey, b.Username, b.Password, 401},
		{"key b with password a", b.APIKey, b.Username, a.Password, 401},
		{"user a with password b", a.APIKey, a.Username, b.Password, 401},
		{"unknown key", "key-c", a.Username, a.Password, 403},
	}
	for _, tc := range tests {
		req := newRequest(t, srv, http.MethodPost, create, smsBody)
		req.Header.Set("x-api-key", tc.key)
		req.SetBasicAuth(tc.user, tc.pass)
		if resp, body := send(t, req); resp.StatusCode != tc.want {
			t.Errorf("%s: got %d (%s); want %d", tc.name, resp.StatusCode, clip(body), tc.want)
		}
	}
	msgs := srv.Messages()
	if len(msgs) != 2 || *msgs[0].Credentials != a || *msgs[1].Credentials != b {
		t.Errorf("messages: got %d, credentials %v; want 2, sent with a then b", len(msgs), msgs)
	}

	srv.SetAdditionalCredentials()
	req := newRequest(t, srv, http.MethodPost, create, smsBody)
	req.Header.Set("x-api-key", b.APIKey)
	req.SetBasicAuth(b.Username, b.Password)
	if resp, _ := send(t, req); resp.StatusCode != http.StatusForbidden {
		t.Errorf("b after SetAdditionalCredentials(): got %d; want 403", resp.StatusCode)
	}
}
