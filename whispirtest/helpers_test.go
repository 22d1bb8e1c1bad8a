package whispirtest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/whispir-go/whispir"
	"github.com/whispir-go/whispir/whispirtest"
)

// workspace is the spec's example workspace id.
const workspace = "9A4C5521FFC7B15B"

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
	resp, body := send(t, newRequest(t, srv, http.MethodPost, path, smsBody))
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("create: got status %d (%s); want 202", resp.StatusCode, clip(body))
	}
	loc := resp.Header.Get("Location")
	return loc[strings.LastIndex(loc, "/")+1:]
}
