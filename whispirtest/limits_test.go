package whispirtest_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"strings"
	"testing"
	"time"

	"github.com/whispir-go/whispir/security"
	"github.com/whispir-go/whispir/whispirtest"
)

func TestJournalIsCapped(t *testing.T) {
	t.Parallel()
	srv := start(t, whispirtest.WithLimits(whispirtest.Limits{Requests: 3, RequestBody: 10}))
	for range 5 {
		sendSMS(t, srv, "")
	}
	got := srv.Requests()
	if len(got) != 3 {
		t.Fatalf("requests: got %d; want the last 3", len(got))
	}
	for i, r := range got {
		if string(r.Body) != smsBody[:10] || r.BodySize != len(smsBody) {
			t.Errorf("request %d: body %q of %d bytes; want the first 10 of %d", i, r.Body, r.BodySize, len(smsBody))
		}
	}
	if n := len(srv.Messages()); n != 5 {
		t.Errorf("messages: got %d; want 5 (a separate limit)", n)
	}
}

func TestJournalBytesAreCapped(t *testing.T) {
	t.Parallel()
	// Each record is its headers and body plus a few hundred bytes: 4 KiB
	// holds a few small ones, never ten.
	srv := start(t, whispirtest.WithLimits(whispirtest.Limits{Bytes: 4 << 10}))
	for range 10 {
		sendSMS(t, srv, "")
	}
	got := srv.Requests()
	if len(got) < 1 || len(got) >= 10 {
		t.Errorf("requests: got %d; want fewer than 10 but at least the newest", len(got))
	}
}

func TestUnauthenticatedBodiesAreNotKept(t *testing.T) {
	t.Parallel()
	srv := start(t)
	for _, tc := range []struct {
		name string
		edit func(*http.Request)
		want int
	}{
		{"no key", func(r *http.Request) { r.Header.Del(security.HeaderAPIKey) }, http.StatusForbidden},
		{"wrong password", func(r *http.Request) { r.SetBasicAuth(whispirtest.DefaultUsername, "wrong") }, http.StatusUnauthorized},
	} {
		req := newRequest(t, srv, http.MethodPost, "/messages", smsBody)
		tc.edit(req)
		if resp, _ := send(t, req); resp.StatusCode != tc.want {
			t.Fatalf("%s: got %d; want %d", tc.name, resp.StatusCode, tc.want)
		}
	}
	for i, r := range srv.Requests() {
		if r.Body != nil || r.BodySize != 0 {
			t.Errorf("request %d (%d): body %q, size %d; want none kept", i, r.Status, r.Body, r.BodySize)
		}
	}
}

// A refused request's body is read and dropped, so that the connection
// serves the next request (a client that sends 1 MiB with a wrong key
// need not reconnect).
func TestRefusedBodiesKeepTheConnection(t *testing.T) {
	t.Parallel()
	srv := start(t)
	big := strings.Repeat("x", 1<<20)
	var reused []bool
	for range 3 {
		req := newRequest(t, srv, http.MethodPost, "/messages", big)
		req.Header.Set(security.HeaderAPIKey, "wrong")
		req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
			GotConn: func(info httptrace.GotConnInfo) { reused = append(reused, info.Reused) },
		}))
		if resp, _ := send(t, req); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("got %d; want 403", resp.StatusCode)
		}
	}
	if len(reused) != 3 || !reused[1] || !reused[2] {
		t.Errorf("connections reused: got %v; want [false true true]", reused)
	}
}

func TestMessagesAreCapped(t *testing.T) {
	t.Parallel()
	srv := start(t, whispirtest.WithLimits(whispirtest.Limits{Messages: 2}))
	ids := []string{sendSMS(t, srv, ""), sendSMS(t, srv, ""), sendSMS(t, srv, workspace)}
	got := srv.Messages()
	if len(got) != 2 || got[0].ID != ids[1] || got[1].ID != ids[2] {
		t.Fatalf("messages: got %d; want the last two", len(got))
	}
	if err := srv.Deliver(ids[0]); !errors.Is(err, whispirtest.ErrUnknownMessage) {
		t.Errorf("Deliver a forgotten message: got %v; want ErrUnknownMessage", err)
	}
	if resp, _ := send(t, newRequest(t, srv, http.MethodGet, "/messages/"+ids[0], "")); resp.StatusCode != http.StatusNotFound {
		t.Errorf("retrieve a forgotten message: got %d; want 404", resp.StatusCode)
	}
	if err := srv.Deliver(ids[1]); err != nil {
		t.Errorf("Deliver a kept message: %v", err)
	}
}

func TestItemsAreCapped(t *testing.T) {
	t.Parallel()
	srv := start(t, whispirtest.WithLimits(whispirtest.Limits{Items: 3}))
	// Two collections share the limit: a workspace's contacts and the
	// default workspace's.
	colls := []string{"/workspaces/" + whispirtest.WorkspaceID + "/contacts", "/contacts"}
	var paths []string
	for i := range 4 {
		coll := colls[i%2]
		paths = append(paths, coll+"/"+postForID(t, srv, coll, `{"firstName":"N`+fmt.Sprint(i)+`","lastName":"C"}`, http.StatusCreated))
	}
	status := func(path string) int {
		resp, _ := send(t, newRequest(t, srv, http.MethodGet, path, ""))
		return resp.StatusCode
	}
	if got := status(paths[0]); got != http.StatusNotFound {
		t.Errorf("the oldest contact: got %d; want 404 (dropped)", got)
	}
	for _, p := range paths[1:] {
		if got := status(p); got != http.StatusOK {
			t.Errorf("contact %s: got %d; want 200", p, got)
		}
	}
	// The built-in workspace is outside the limit.
	if got := status("/workspaces/" + whispirtest.WorkspaceID); got != http.StatusOK {
		t.Errorf("the built-in workspace: got %d; want 200", got)
	}
}

func TestTokensAreCapped(t *testing.T) {
	t.Parallel()
	srv := start(t, whispirtest.WithLimits(whispirtest.Limits{Requests: 2}))
	token := func() string {
		_, body := send(t, newRequest(t, srv, http.MethodPost, "/auth", ""))
		return decode[struct{ Token string }](t, body).Token
	}
	first := token()
	token()
	token()
	req := newRequest(t, srv, http.MethodGet, "/messages", "")
	req.Header.Set("Authorization", "Bearer "+first)
	if resp, _ := send(t, req); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("the oldest token: got %d; want 401 (forgotten)", resp.StatusCode)
	}
}

func TestTooManyJSONValues(t *testing.T) {
	t.Parallel()
	srv := start(t, whispirtest.WithLimits(whispirtest.Limits{JSONValues: 10}))
	params := func(n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, `,"k%d":"v"`, i)
		}
		return `{"to":"61400000000","subject":"s","callbackParameters":{` + b.String()[1:] + `}}`
	}
	// 3 members at the top, n in callbackParameters.
	if resp, body := send(t, newRequest(t, srv, http.MethodPost, "/messages", params(7))); resp.StatusCode != http.StatusAccepted {
		t.Errorf("10 values: got %d %s; want 202", resp.StatusCode, body)
	}
	resp, body := send(t, newRequest(t, srv, http.MethodPost, "/messages", params(8)))
	if resp.StatusCode != http.StatusRequestEntityTooLarge || resp.Header.Get(whispirtest.HeaderMockError) == "" ||
		resp.Header.Get("Content-Type") != "application/problem+json" || !strings.Contains(string(body), "10 JSON") {
		t.Errorf("11 values: got %d %v %s; want the mock's 413", resp.StatusCode, resp.Header, body)
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("messages: got %d; want 1", n)
	}
}

func TestServerTimeouts(t *testing.T) {
	t.Parallel()
	srv := start(t, whispirtest.WithTimeouts(whispirtest.Timeouts{ReadHeader: 100 * time.Millisecond}))
	var d net.Dialer
	conn, err := d.DialContext(t.Context(), "tcp", strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// Half a header, then nothing: the server must hang up.
	if _, err := io.WriteString(conn, "GET /_whispir/health HTTP/1.1\r\nHost: x\r\n"); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second)) // far above the 100ms; the default is 10s
	_, err = bufio.NewReader(conn).ReadString('\n')
	var ne net.Error
	if err == nil || (errors.As(err, &ne) && ne.Timeout()) {
		t.Errorf("read: got %v; want the connection closed by the server", err)
	}
}

// A FaultSlow longer than the write timeout still answers: the wait
// extends the deadline.
func TestSlowFaultOutlivesTheWriteTimeout(t *testing.T) {
	t.Parallel()
	srv := start(t, whispirtest.WithTimeouts(whispirtest.Timeouts{Write: 100 * time.Millisecond}))
	if err := srv.InjectFaults(1, whispirtest.Fault{Kind: whispirtest.FaultSlow, Delay: 300 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	resp, err := client.Do(newRequest(t, srv, http.MethodGet, "/messages", ""))
	if err != nil {
		t.Fatalf("slow request: %v; want an answer", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("got %d; want 200", resp.StatusCode)
	}
}

func TestPublicURL(t *testing.T) {
	t.Parallel()
	srv := start(t, whispirtest.WithPublicURL("https://mock.internal:8443/"), whispirtest.WithBasePath("/api"))
	if srv.URL != "https://mock.internal:8443/api" {
		t.Fatalf("URL: got %q; want https://mock.internal:8443/api", srv.URL)
	}
	// Requests still reach the listener; the links name the public URL.
	h := srv.Handler()
	req := newRequest(t, srv, http.MethodPost, "/messages", smsBody)
	req.Header.Set("Content-Type", "application/vnd.whispir.message-v1+json")
	req.Header.Set("Accept", "application/vnd.whispir.message-v1+json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if loc := rec.Header().Get("Location"); !strings.HasPrefix(loc, "https://mock.internal:8443/api/messages/") {
		t.Errorf("Location: got %q (status %d: %s); want it under the public URL", loc, rec.Code, rec.Body)
	}
}

func TestCallbackCallsAreCapped(t *testing.T) {
	t.Parallel()
	srv := start(t, whispirtest.WithLimits(whispirtest.Limits{Requests: 2}))
	createCallback(t, srv, callbackJSON("hook", newReceiver(t, http.StatusOK).URL, "", "", "json", false))
	var last whispirtest.CallbackCall
	for range 3 {
		last = makeCall(t, srv, "hook")
	}
	got := srv.CallbackCalls()
	if len(got) != 2 || got[1].ID != last.ID {
		t.Errorf("calls: got %d; want the last 2", len(got))
	}
}
