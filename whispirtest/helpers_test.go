package whispirtest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/whispir-go/whispir"
	"github.com/whispir-go/whispir/api"
	"github.com/whispir-go/whispir/generated"
	"github.com/whispir-go/whispir/whispirtest"
)

// workspace is the workspace every mock knows from the start.
const workspace = whispirtest.WorkspaceID

// start returns a server that checks its own answers against the spec and
// closes with the test.
func start(t *testing.T, opts ...whispirtest.Option) *whispirtest.Server {
	t.Helper()
	srv := whispirtest.NewServer(append([]whispirtest.Option{whispirtest.WithResponseValidation(t)}, opts...)...)
	t.Cleanup(srv.Close)
	return srv
}

// newRequest builds a request to srv with its credentials and, when the
// path names an operation, that operation's media types.
func newRequest(t *testing.T, srv *whispirtest.Server, method, path, body string) *http.Request {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, srv.URL+path, rd)
	if err != nil {
		t.Fatalf("new request: %v", err)
	}
	c := srv.Credentials()
	req.Header.Set("x-api-key", c.APIKey)
	req.SetBasicAuth(c.Username, c.Password)
	if route, err := whispir.FindRoute(req, basePath(srv)); err == nil {
		req.Header.Set("Accept", route.MediaType)
		if body != "" {
			req.Header.Set("Content-Type", route.MediaType)
		}
	}
	return req
}

func basePath(srv *whispirtest.Server) string {
	_, rest, _ := strings.Cut(strings.TrimPrefix(srv.URL, "http://"), "/")
	if rest == "" {
		return ""
	}
	return "/" + rest
}

var client = &http.Client{Timeout: 30 * time.Second}

// send sends req and returns the answer with its body read.
func send(t *testing.T, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return resp, data
}

// validate checks an answer against the spec with whispir.ValidateResponse.
func validate(t *testing.T, req *http.Request, resp *http.Response, body []byte, base string) {
	t.Helper()
	route, err := whispir.FindRoute(req, base)
	if err != nil {
		t.Fatalf("find route: %v", err)
	}
	if err := whispir.ValidateResponse(t.Context(), route, req, resp.StatusCode, resp.Header, body); err != nil {
		t.Errorf("ValidateResponse: got %v; want nil", err)
	}
}

// apiErr is the Whispir error body.
type apiErr struct {
	ErrorSummary string `json:"errorSummary"`
	ErrorText    string `json:"errorText"`
	ErrorDetail  string `json:"errorDetail"`
}

func decode[T any](t *testing.T, data []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("decode %T: %v (body %q)", v, err, clip(data))
	}
	return v
}

func clip(b []byte) []byte {
	if len(b) > 300 {
		return append(bytes.Clone(b[:300]), "..."...)
	}
	return b
}

const smsBody = `{"to":"61400000000","subject":"Test SMS","body":"Hello from whispir-go"}`

// sendSMS creates a message and returns its id from Location.
func sendSMS(t *testing.T, srv *whispirtest.Server, ws string) string {
	t.Helper()
	path := "/messages"
	if ws != "" {
		path = "/workspaces/" + ws + "/messages"
	}
	return postForID(t, srv, path, smsBody, http.StatusAccepted)
}

// atOnce runs f n times at once and counts the statuses it returns.
func atOnce(n int, f func() int) map[int]int {
	codes := make(chan int, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() { codes <- f() })
	}
	wg.Wait()
	close(codes)
	count := map[int]int{}
	for c := range codes {
		count[c]++
	}
	return count
}

// listedID is the id of a message as a list shows it: as in Whispir's
// examples, the item has no id field and its self link names it.
func listedID(t *testing.T, m generated.MessageSummary) string {
	t.Helper()
	if m.ID != nil {
		t.Errorf("list item has an id field %q; Whispir's have none", *m.ID)
	}
	id, err := api.MessageID(m)
	if err != nil {
		t.Fatalf("list item: %v", err)
	}
	return id
}

// createWorkspace creates a workspace through workspaceCreate and returns
// its id: the mock answers 404 for workspaces it does not know.
func createWorkspace(t *testing.T, srv *whispirtest.Server) string {
	t.Helper()
	return postForID(t, srv, "/workspaces", `{"projectName":"Second","status":"A"}`, http.StatusCreated)
}

// postForID POSTs body to path and returns the id at the end of the
// answer's Location; it fails the test unless the mock answered want.
func postForID(t *testing.T, srv *whispirtest.Server, path, body string, want int) string {
	t.Helper()
	resp, data := send(t, newRequest(t, srv, http.MethodPost, path, body))
	if resp.StatusCode != want {
		t.Fatalf("POST %s: got status %d (%s); want %d", path, resp.StatusCode, clip(data), want)
	}
	loc := resp.Header.Get("Location")
	return loc[strings.LastIndex(loc, "/")+1:]
}

// received is one request a receiver got.
type received struct {
	Method, RawQuery string
	Header           http.Header
	Body             []byte
}

// receiver is a callback endpoint on loopback that records what it gets.
// It answers GET with get and the n-th POST with posts[n-1] (200 after the
// list); a status of -1 closes the connection without an answer, and -2
// holds the request until the caller gives up.
type receiver struct {
	*httptest.Server
	get   int
	posts []int

	mu   sync.Mutex
	got  []received // POSTs
	gets []received
	// arrived gets a value (without blocking) for each POST, once it is
	// recorded.
	arrived chan struct{}
}

func newReceiver(t *testing.T, get int, posts ...int) *receiver {
	t.Helper()
	r := &receiver{get: get, posts: posts, arrived: make(chan struct{}, 100)}
	r.Server = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	got := received{Method: req.Method, RawQuery: req.URL.RawQuery, Header: req.Header.Clone(), Body: body}
	r.mu.Lock()
	if req.Method == http.MethodGet {
		r.gets = append(r.gets, got)
	} else {
		r.got = append(r.got, got)
	}
	n := len(r.got)
	r.mu.Unlock()
	status := r.get
	if req.Method != http.MethodGet {
		select {
		case r.arrived <- struct{}{}:
		default:
		}
		status = http.StatusOK
		if n <= len(r.posts) {
			status = r.posts[n-1]
		}
	}
	switch status {
	case -1:
		panic(http.ErrAbortHandler)
	case -2:
		<-req.Context().Done()
		return
	}
	w.WriteHeader(status)
}

// checks returns the GETs so far.
func (r *receiver) checks() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.gets)
}

// received returns the POSTs so far.
func (r *receiver) received() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got)
}

// callbackJSON is a callback body for POST /callbacks.
func callbackJSON(name, url, authType, key, contentType string, retries bool) string {
	cb := map[string]any{
		"name": name, "url": url, "contentType": contentType, "retriesEnabled": retries,
		"callbacks": map[string]string{"reply": "enabled", "undeliverable": "enabled"},
	}
	if authType != "" {
		cb["auth"] = map[string]string{"type": authType, "key": key}
	}
	data, _ := json.Marshal(cb)
	return string(data)
}

// createCallback stores a callback and returns its id; it fails the test
// unless the mock answered 201.
func createCallback(t *testing.T, srv *whispirtest.Server, body string) string {
	t.Helper()
	return postForID(t, srv, "/callbacks", body, http.StatusCreated)
}

// sendMessage sends body (a message) to the default workspace and returns
// its id.
func sendMessage(t *testing.T, srv *whispirtest.Server, body string) string {
	t.Helper()
	return postForID(t, srv, "/messages", body, http.StatusAccepted)
}

// waitCallbacks waits, at most a minute, for the deliveries to settle.
func waitCallbacks(t *testing.T, srv *whispirtest.Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	if err := srv.WaitCallbacks(ctx); err != nil {
		t.Fatalf("WaitCallbacks: %v", err)
	}
}

// makeCall has the mock call the stored callback name once (a reply to a
// new message that names it) and returns the call.
func makeCall(t *testing.T, srv *whispirtest.Server, name string) whispirtest.CallbackCall {
	t.Helper()
	id := sendMessage(t, srv, `{"to":"61400000000","subject":"Call me","callbackId":"`+name+`"}`)
	if err := srv.Reply(id, "61400000000", "yes"); err != nil {
		t.Fatalf("Reply: %v", err)
	}
	waitCallbacks(t, srv)
	for _, c := range srv.CallbackCalls() {
		if c.MessageID == id {
			return c
		}
	}
	t.Fatalf("CallbackCalls: no call for message %s", id)
	return whispirtest.CallbackCall{}
}
