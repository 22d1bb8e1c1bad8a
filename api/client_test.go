package api

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/whispir-go/whispir"
	"github.com/whispir-go/whispir/generated"
	"github.com/whispir-go/whispir/security"
)

// Obviously fake credentials.
var testCreds = security.Credentials{APIKey: "fake-key-for-tests", Username: "fake-user", Password: "fake-password-for-tests"}

const prefix = "/api-prefix"

// received is one request as the test server saw it.
type received struct {
	Method, Path, RawQuery string
	Header                 http.Header
	Body                   []byte
}

// fakeServer answers with handler and records what it receives. Its base
// URL has a path prefix, so a client that drops it fails loudly.
type fakeServer struct {
	*httptest.Server
	mu  sync.Mutex
	got []received
}

func (f *fakeServer) requests() []received {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]received(nil), f.got...)
}

// newFakeServer starts a server that records every request and answers
// with handler.
func newFakeServer(t *testing.T, handler http.HandlerFunc) *fakeServer {
	t.Helper()
	f := &fakeServer{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.got = append(f.got, received{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Clone(), body})
		f.mu.Unlock()
		handler(w, r)
	}))
	t.Cleanup(f.Close)
	return f
}

// setup returns a client talking to a test server whose base URL has a
// path prefix; handler sees paths without the prefix.
func setup(t *testing.T, handler http.HandlerFunc, opts ...Option) (*Client, *fakeServer) {
	t.Helper()
	f := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		rest, ok := strings.CutPrefix(r.URL.Path, prefix)
		if !ok {
			http.Error(w, "path prefix dropped", http.StatusTeapot)
			return
		}
		r.URL.Path = rest
		handler(w, r)
	})
	p, err := security.New(testCreds)
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(p, append([]Option{WithBaseURL(f.URL + prefix), WithRetry(NoWaitRetryPolicy())}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c, f
}

// respond answers with status, header and body, as a Whispir message
// resource.
func respond(status int, header map[string]string, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/vnd.whispir.message-v1+json")
		for k, v := range header {
			w.Header()[http.CanonicalHeaderKey(k)] = []string{v} // raw, as a hostile server would
		}
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

func accepted(id string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "https://api.au.whispir.com/workspaces/ABC/messages/"+id+"?apikey=zzz")
		w.Header().Set("Content-Type", "application/vnd.whispir.message-v1+json")
		w.WriteHeader(http.StatusAccepted)
		io.WriteString(w, "Your request has been accepted for processing")
	}
}

func TestSendMessageHeadersOnTheWire(t *testing.T) {
	t.Parallel()
	c, f := setup(t, accepted("747AB7E716C1802B6476784AEB5C9BB8"))
	id, err := c.SendMessage(t.Context(), "9A4C5521FFC7B15B", generated.Message{To: "61400000000", Subject: ptr("Hi"), Body: ptr("There")})
	if err != nil {
		t.Fatal(err)
	}
	if id != "747AB7E716C1802B6476784AEB5C9BB8" {
		t.Errorf("id = %q; want 747AB7E716C1802B6476784AEB5C9BB8", id)
	}
	got := f.requests()
	if len(got) != 1 {
		t.Fatalf("server got %d requests; want 1", len(got))
	}
	r := got[0]
	if want := prefix + "/workspaces/9A4C5521FFC7B15B/messages"; r.Method != "POST" || r.Path != want {
		t.Errorf("request = %s %s; want POST %s", r.Method, r.Path, want)
	}
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(testCreds.Username+":"+testCreds.Password))
	for name, want := range map[string]string{
		"X-Api-Key":     testCreds.APIKey,
		"Authorization": basic,
		"Content-Type":  "application/vnd.whispir.message-v1+json",
		"Accept":        "application/vnd.whispir.message-v1+json",
		"User-Agent":    DefaultUserAgent,
	} {
		if vals := r.Header.Values(name); len(vals) != 1 || vals[0] != want {
			t.Errorf("header %s = %q; want exactly [%q]", name, vals, want)
		}
	}
	if !strings.HasPrefix(DefaultUserAgent, "whispir-go/"+Version+" (go") {
		t.Errorf("DefaultUserAgent = %q; want whispir-go/%s (go...)", DefaultUserAgent, Version)
	}
}

func TestSendMessageDefaultWorkspace(t *testing.T) {
	t.Parallel()
	c, f := setup(t, accepted("ABCDEF"))
	if _, err := c.SendMessage(t.Context(), "", generated.Message{To: "61400000000", Subject: ptr("x")}); err != nil {
		t.Fatal(err)
	}
	if got, want := f.requests()[0].Path, prefix+"/messages"; got != want {
		t.Errorf("path = %q; want %q", got, want)
	}
}

func TestSendBulkMessageKeepsItsMediaType(t *testing.T) {
	t.Parallel()
	c, f := setup(t, accepted("B0B"))
	id, err := c.SendBulkMessage(t.Context(), "ABC", generated.BulkMessage{Resource: generated.BulkResource{ResourceID: "4FBB"}, Subject: ptr("Hi @@name@@")})
	if err != nil || id != "B0B" {
		t.Fatalf("SendBulkMessage = %q, %v; want B0B, nil", id, err)
	}
	r := f.requests()[0]
	if got := r.Header.Get("Content-Type"); got != BulkMessageMediaType {
		t.Errorf("Content-Type = %q; want %q", got, BulkMessageMediaType)
	}
	if got := r.Header.Get("Accept"); got != "application/vnd.whispir.message-v1+json" {
		t.Errorf("Accept = %q; want the message type", got)
	}
}

func TestScheduledSendReturnsIDFromBody(t *testing.T) {
	t.Parallel()
	c, _ := setup(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/vnd.whispir.message-v1+json")
		io.WriteString(w, `{"to":"61400000000","messageType":"SCHEDULED","link":[{"rel":"self","uri":"https://api.au.whispir.com/messages/5CHED?x=1","method":"GET"}]}`)
	})
	id, err := c.SendMessage(t.Context(), "", generated.Message{To: "61400000000", MessageType: ptr(generated.MessageTypeSCHEDULED), ScheduleDate: ptr("28/11/2026 09:00")})
	if err != nil || id != "5CHED" {
		t.Fatalf("SendMessage = %q, %v; want 5CHED, nil", id, err)
	}
}

func TestInvalidRequestNeverReachesTheNetwork(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		msg  generated.Message
		want string
	}{
		{"missing to", generated.Message{Subject: ptr("x")}, `messageCreate: invalid request: body /to`},
		{"bad repeat", generated.Message{To: "61400000000", RepeatDays: ptr("seven")}, "body /repeatDays"},
		{"label too long", generated.Message{To: "61400000000", Label: ptr(strings.Repeat("L", 49))}, "body /label"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, f := setup(t, accepted("X"))
			_, err := c.SendMessage(t.Context(), "ABC", tc.msg)
			if !errors.Is(err, ErrInvalidRequest) {
				t.Fatalf("err = %v; want ErrInvalidRequest", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %q; want it to contain %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "61400000000") || strings.Contains(err.Error(), "seven") {
				t.Errorf("err = %q echoes a request value", err)
			}
			if n := len(f.requests()); n != 0 {
				t.Errorf("server got %d requests; want 0", n)
			}
		})
	}
}

func TestWithoutValidationSendsAnyway(t *testing.T) {
	t.Parallel()
	c, f := setup(t, accepted("X"), WithoutValidation())
	if _, err := c.SendMessage(t.Context(), "ABC", generated.Message{Subject: ptr("no to")}); err != nil {
		t.Fatal(err)
	}
	if n := len(f.requests()); n != 1 {
		t.Errorf("server got %d requests; want 1", n)
	}
}

func TestErrorMapping(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		status    int
		header    map[string]string
		body      string
		sentinel  error
		code      string
		text      string
		attempts  int
		retryWait time.Duration // every wait, when set; else the backoff's range
		temporary bool          // Error.Temporary
	}{
		{"bad password", 401, nil, `{"errorSummary":"Your username and password combination was incorrect.","errorText":"Unauthorized","errorDetail":""}`, ErrUnauthorized, "", "Unauthorized", 1, 0, false},
		{"missing key", 403, nil, `{"message":"Forbidden"}`, ErrForbidden, "", "Forbidden", 1, 0, false},
		{"no permission", 403, nil, `{"errorSummary":"","errorText":"Forbidden","errorDetail":""}`, ErrForbidden, "", "Forbidden", 1, 0, false},
		{"over qps", 403, map[string]string{"X-Error-Code": CodeOverQPS}, ``, ErrRateLimited, CodeOverQPS, "", 4, time.Second, true},
		{"over qpd", 403, map[string]string{"X-Error-Code": CodeOverQPD}, ``, ErrRateLimited, CodeOverQPD, "", 1, 0, false},
		{"mashery qps", 403, map[string]string{"X-Mashery-Error-Code": CodeOverQPS}, `<h1>Developer Over Qps</h1>`, ErrRateLimited, CodeOverQPS, "", 4, time.Second, true},
		{"too many", 429, map[string]string{"Retry-After": "2"}, `{"errorText":"Too Many Requests"}`, ErrRateLimited, "", "Too Many Requests", 4, 2 * time.Second, true},
		{"not found", 404, nil, `{"errorSummary":"The resource that you have requested does not exist.","errorText":"Not Found","errorDetail":""}`, ErrNotFound, "", "Not Found", 1, 0, false},
		{"too large", 413, nil, `"HTTP content length exceeded 10485760 bytes."`, nil, "", "HTTP content length exceeded 10485760 bytes.", 1, 0, false},
		{"server error is not retried for GET? it is not 502", 500, nil, `{"errorText":"Internal Server Error"}`, nil, "", "Internal Server Error", 1, 0, false},
		{"not implemented", 501, nil, ``, nil, "", "", 1, 0, false},
		{"bad gateway retried for GET", 502, nil, ``, nil, "", "", 4, 0, true},
		{"unavailable retried for GET", 503, nil, ``, nil, "", "", 4, 0, true},
		{"gateway timeout retried for GET", 504, nil, ``, nil, "", "", 4, 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var waits []time.Duration
			var mu sync.Mutex
			policy := DefaultRetryPolicy()
			policy.Sleep = func(ctx context.Context, d time.Duration) error {
				mu.Lock()
				waits = append(waits, d)
				mu.Unlock()
				return nil
			}
			c, f := setup(t, respond(tc.status, tc.header, tc.body), WithRetry(policy))
			_, err := c.MessageRetrieveWithResponse(t.Context(), "ABC", "DEF")
			var apiErr *Error
			if !errors.As(err, &apiErr) {
				t.Fatalf("err = %v (%T); want *Error", err, err)
			}
			if tc.sentinel != nil && !errors.Is(err, tc.sentinel) {
				t.Errorf("errors.Is(err, %v) = false; err = %v", tc.sentinel, err)
			}
			if apiErr.StatusCode != tc.status || apiErr.Code != tc.code || apiErr.Text != tc.text || apiErr.Operation != "messageRetrieve" {
				t.Errorf("got status %d code %q text %q op %q; want %d %q %q messageRetrieve", apiErr.StatusCode, apiErr.Code, apiErr.Text, apiErr.Operation, tc.status, tc.code, tc.text)
			}
			if n := len(f.requests()); n != tc.attempts {
				t.Errorf("attempts = %d; want %d", n, tc.attempts)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(waits) != tc.attempts-1 {
				t.Errorf("waits = %v; want %d, one before each retry", waits, tc.attempts-1)
			}
			for i, w := range waits {
				lo, hi := tc.retryWait, tc.retryWait
				if tc.retryWait == 0 { // exponential backoff with jitter
					hi = policy.BaseDelay << i
					lo = hi / 2
				}
				if w < lo || w > hi {
					t.Errorf("wait %d = %s; want within [%s, %s]", i+1, w, lo, hi)
				}
			}
			if got := apiErr.Temporary(); got != tc.temporary {
				t.Errorf("Temporary() = %t; want %t", got, tc.temporary)
			}
			if strings.Contains(err.Error(), testCreds.APIKey) || strings.Contains(err.Error(), testCreds.Password) {
				t.Errorf("error %q contains a credential", err)
			}
		})
	}
}

func TestPostIsNotRetriedAfterAServerError(t *testing.T) {
	t.Parallel()
	for _, status := range []int{500, 502, 503, 504} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			t.Parallel()
			c, f := setup(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(status) })
			_, err := c.SendMessage(t.Context(), "ABC", generated.Message{To: "61400000000"})
			var apiErr *Error
			if !errors.As(err, &apiErr) || apiErr.StatusCode != status {
				t.Fatalf("err = %v; want *Error %d", err, status)
			}
			if n := len(f.requests()); n != 1 {
				t.Errorf("POST sent %d times after %d; want 1", n, status)
			}
		})
	}
}

func TestPostRetriedAfterRateLimitThenSucceeds(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	c, f := setup(t, func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) <= 2 {
			w.Header().Set("X-Error-Code", CodeOverQPS)
			w.WriteHeader(http.StatusForbidden)
			return
		}
		accepted("OK1")(w, r)
	})
	id, err := c.SendMessage(t.Context(), "ABC", generated.Message{To: "61400000000"})
	if err != nil || id != "OK1" {
		t.Fatalf("SendMessage = %q, %v; want OK1, nil", id, err)
	}
	reqs := f.requests()
	if len(reqs) != 3 {
		t.Fatalf("attempts = %d; want 3", len(reqs))
	}
	for i, r := range reqs {
		if string(r.Body) != string(reqs[0].Body) || len(r.Body) == 0 {
			t.Errorf("attempt %d body differs from the first (%d bytes); want the same replayed body", i, len(r.Body))
		}
	}
}

func TestContextEndsRetries(t *testing.T) {
	t.Parallel()
	policy := DefaultRetryPolicy()
	ctx, cancel := context.WithCancel(t.Context())
	policy.Sleep = func(ctx context.Context, d time.Duration) error {
		cancel()
		return ctx.Err()
	}
	c, f := setup(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTooManyRequests) }, WithRetry(policy))
	_, err := c.MessageRetrieveWithResponse(ctx, "ABC", "DEF")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v; want context.Canceled", err)
	}
	if n := len(f.requests()); n != 1 {
		t.Errorf("attempts = %d; want 1", n)
	}
}

func TestMessagesIteratorFollowsNextLinks(t *testing.T) {
	t.Parallel()
	const total = 45
	var base string
	c, f := setup(t, func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		offset := 0
		fmt.Sscan(q.Get("offset"), &offset)
		limit := 20
		fmt.Sscan(q.Get("limit"), &limit)
		var items []string
		for i := offset; i < min(offset+limit, total); i++ {
			items = append(items, fmt.Sprintf(`{"id":"M%02d","subject":"s"}`, i))
		}
		next := ""
		if offset+limit < total {
			uri := fmt.Sprintf("%s/workspaces/ABC/messages?limit=%d&offset=%d", prefix, limit, offset+limit)
			if offset == 0 {
				uri = base + uri // absolute first, relative after
			}
			next = fmt.Sprintf(`{"rel":"next","uri":%q,"method":"GET"}`, uri)
		}
		w.Header().Set("Content-Type", "application/vnd.whispir.message-v1+json")
		fmt.Fprintf(w, `{"status":"%d to %d of %d   ","messages":[%s],"link":[%s]}`, offset+1, offset+len(items), total, strings.Join(items, ","), next)
	})
	base = f.URL
	var ids []string
	for m, err := range c.Messages(t.Context(), "ABC", nil) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, *m.ID)
	}
	if len(ids) != total || ids[0] != "M00" || ids[total-1] != "M44" {
		t.Fatalf("got %d ids (%v...); want %d from M00 to M44", len(ids), ids[:min(3, len(ids))], total)
	}
	reqs := f.requests()
	if len(reqs) != 3 {
		t.Fatalf("pages fetched = %d; want 3", len(reqs))
	}
	for _, r := range reqs {
		if !strings.Contains(r.RawQuery, "limit=20") || r.Header.Get("X-Api-Key") == "" || r.Header.Get("Accept") != "application/vnd.whispir.message-v1+json" {
			t.Errorf("page request %q headers api-key=%t accept=%q; want limit=20, key and message Accept", r.RawQuery, r.Header.Get("X-Api-Key") != "", r.Header.Get("Accept"))
		}
	}
}

func TestMessagesIteratorRefusesForeignHost(t *testing.T) {
	t.Parallel()
	c, f := setup(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/vnd.whispir.message-v1+json")
		io.WriteString(w, `{"status":"1 to 1 of 2","messages":[{"id":"A"}],"link":[{"rel":"next","uri":"https://evil.example.com/messages?offset=1"}]}`)
	})
	var n int
	var lastErr error
	for _, err := range c.Messages(t.Context(), "", nil) {
		n++
		lastErr = err
	}
	if !errors.Is(lastErr, ErrPagination) || n != 2 {
		t.Fatalf("got %d yields, last err %v; want 2 and ErrPagination", n, lastErr)
	}
	if len(f.requests()) != 1 {
		t.Errorf("requests = %d; want 1 (the foreign link must not be fetched)", len(f.requests()))
	}
}

func TestMessagesIteratorRejectsLimitOver20(t *testing.T) {
	t.Parallel()
	c, f := setup(t, func(w http.ResponseWriter, r *http.Request) {})
	limit := 50
	for _, err := range c.Messages(t.Context(), "ABC", &generated.MessageListParams{Limit: &limit}) {
		if !errors.Is(err, ErrInvalidRequest) || !strings.Contains(err.Error(), `query parameter "limit"`) {
			t.Fatalf("err = %v; want ErrInvalidRequest about limit", err)
		}
	}
	if len(f.requests()) != 0 {
		t.Errorf("requests = %d; want 0", len(f.requests()))
	}
}

// A 2xx that breaks the spec is a broken answer, like a malformed body: it
// is returned at once, not retried.
func TestResponseValidationCatchesABadAnswer(t *testing.T) {
	t.Parallel()
	c, f := setup(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/vnd.whispir.message-v1+json")
		io.WriteString(w, `{"id":"A","to":12}`)
	}, WithResponseValidation())
	_, err := c.MessageRetrieveWithResponse(t.Context(), "ABC", "DEF")
	if !errors.Is(err, whispir.ErrInvalidResponse) {
		t.Fatalf("err = %v; want ErrInvalidResponse", err)
	}
	if n := len(f.requests()); n != 1 {
		t.Errorf("requests = %d; want 1", n)
	}
}

func ptr[T any](v T) *T { return &v }

func TestHugeResponseBodyIsRefused(t *testing.T) {
	t.Parallel()
	c, _ := setup(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/vnd.whispir.message-v1+json")
		io.WriteString(w, `{"messages":[`)
		chunk := []byte(strings.Repeat(`{"id":"A"},`, 1000))
		for written := 0; written <= maxResponseBody; written += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	_, err := c.MessageListWithResponse(t.Context(), "ABC", nil)
	if !errors.Is(err, ErrResponseTooLarge) {
		t.Fatalf("err = %v; want ErrResponseTooLarge", err)
	}
}

func TestHugeErrorBodyIsCapped(t *testing.T) {
	t.Parallel()
	c, _ := setup(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		chunk := []byte(strings.Repeat("x", 64<<10))
		for range 64 { // 4 MiB
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	_, err := c.MessageListWithResponse(t.Context(), "ABC", nil)
	var apiErr *Error
	if !errors.As(err, &apiErr) || len(apiErr.Body) != maxErrorBody {
		t.Fatalf("err = %v, body %d bytes; want *Error with %d bytes", err, len(apiErr.Body), maxErrorBody)
	}
}

func TestRateLimitWaitsForATokenBeforeSending(t *testing.T) {
	t.Parallel()
	c, f := setup(t, accepted("A"), WithRateLimit(0.001))
	if _, err := c.SendMessage(t.Context(), "ABC", generated.Message{To: "61400000000"}); err != nil {
		t.Fatal(err)
	}
	// The bucket is empty for the next ~1000 s: with a short deadline the
	// limiter refuses at once, and nothing is sent.
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	_, err := c.SendMessage(ctx, "ABC", generated.Message{To: "61400000000"})
	if err == nil || !strings.Contains(err.Error(), "rate limit wait") {
		t.Fatalf("err = %v; want a rate limit wait error", err)
	}
	if n := len(f.requests()); n != 1 {
		t.Errorf("requests = %d; want 1", n)
	}
}

func TestLogsHoldNoSecretsOrContent(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(slog.NewJSONHandler(&lockedWriter{w: &buf, mu: &mu}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var calls atomic.Int32
	c, _ := setup(t, func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		accepted("A")(w, r)
	}, WithLogger(logger))
	if _, err := c.SendMessage(t.Context(), "ABC", generated.Message{To: "61499999999", Body: ptr("private text")}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	out := buf.String()
	mu.Unlock()
	for _, secret := range []string{testCreds.APIKey, testCreds.Password, base64.StdEncoding.EncodeToString([]byte(testCreds.Username + ":" + testCreds.Password)), "61499999999", "private text"} {
		if strings.Contains(out, secret) {
			t.Errorf("log contains %q:\n%s", secret, out)
		}
	}
	if !strings.Contains(out, `"operation":"messageCreate"`) || !strings.Contains(out, "whispir retry") {
		t.Errorf("log lacks the operation or the retry line:\n%s", out)
	}
}

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestNilReceiversAndFormatting(t *testing.T) {
	t.Parallel()
	var nilClient *Client
	if _, err := nilClient.SendMessage(t.Context(), "", generated.Message{To: "1"}); !errors.Is(err, ErrInvalidOption) {
		t.Errorf("nil client SendMessage err = %v; want ErrInvalidOption", err)
	}
	if _, err := nilClient.SendBulkMessage(t.Context(), "", generated.BulkMessage{}); !errors.Is(err, ErrInvalidOption) {
		t.Errorf("nil client SendBulkMessage err = %v; want ErrInvalidOption", err)
	}
	var nilErr *Error
	if nilErr.Error() == "" || nilErr.Unwrap() != nil || nilErr.Temporary() {
		t.Error("nil *Error methods misbehave")
	}
	if err := CheckResponse("op", nil); err == nil {
		t.Error("CheckResponse(nil) = nil; want an error")
	}
	c, _ := setup(t, accepted("A"))
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%d", "%x"} {
		got := fmt.Sprintf(verb, c)
		if got != "api.Client{"+c.BaseURL()+"}" {
			t.Errorf("Sprintf(%s, client) = %q; want api.Client{%s}", verb, got, c.BaseURL())
		}
	}
}

// refusingDialer fails its first n dials as a refused connection would.
type refusingDialer struct {
	n     atomic.Int32
	inner net.Dialer
}

func (d *refusingDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	if d.n.Add(-1) >= 0 {
		return nil, &net.OpError{Op: "dial", Net: network, Err: syscall.ECONNREFUSED}
	}
	return d.inner.DialContext(ctx, network, addr)
}

func TestPostRetriedWhenTheConnectionWasRefused(t *testing.T) {
	t.Parallel()
	for _, refusals := range []int32{1, 3, 4} {
		t.Run(fmt.Sprint(refusals), func(t *testing.T) {
			t.Parallel()
			d := &refusingDialer{}
			d.n.Store(refusals)
			hc := &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
			c, f := setup(t, accepted("R1"), WithHTTPClient(hc))
			id, err := c.SendMessage(t.Context(), "ABC", generated.Message{To: "61400000000"})
			got := len(f.requests())
			if refusals < 4 {
				if err != nil || id != "R1" || got != 1 {
					t.Fatalf("after %d refusals: id %q, err %v, server saw %d; want R1, nil, 1", refusals, id, err, got)
				}
				return
			}
			// MaxAttempts (4) refusals: the error is returned, nothing sent.
			if err == nil || !errors.Is(err, syscall.ECONNREFUSED) || got != 0 {
				t.Fatalf("after %d refusals: err %v, server saw %d; want ECONNREFUSED and 0", refusals, err, got)
			}
		})
	}
}

func TestRateLimitAllowsABurstOfItsRate(t *testing.T) {
	t.Parallel()
	c, f := setup(t, accepted("A"), WithRateLimit(2))
	for i := range 2 {
		if _, err := c.SendMessage(t.Context(), "ABC", generated.Message{To: "61400000000"}); err != nil {
			t.Fatalf("send %d of the burst: %v", i+1, err)
		}
	}
	// The third token comes ~500 ms after the burst; a 50 ms deadline is
	// refused by the limiter up front, without waiting or sending.
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if _, err := c.SendMessage(ctx, "ABC", generated.Message{To: "61400000000"}); err == nil || !strings.Contains(err.Error(), "rate limit wait") {
		t.Fatalf("third send err = %v; want a rate limit wait error", err)
	}
	if n := len(f.requests()); n != 2 {
		t.Errorf("requests = %d; want 2", n)
	}
}

func TestOversizedBodyIsRefusedEvenWithoutValidation(t *testing.T) {
	t.Parallel()
	for _, opts := range [][]Option{nil, {WithoutValidation()}} {
		c, f := setup(t, accepted("A"), opts...)
		huge := strings.Repeat("x", maxRequestBody)
		_, err := c.SendMessage(t.Context(), "ABC", generated.Message{To: "61400000000", Body: &huge})
		if !errors.Is(err, ErrInvalidRequest) || !strings.Contains(err.Error(), "larger than 10485760 bytes") {
			t.Errorf("options %d: err = %v; want ErrInvalidRequest about the size", len(opts), err)
		}
		if n := len(f.requests()); n != 0 {
			t.Errorf("options %d: requests = %d; want 0 (never a truncated body)", len(opts), n)
		}
	}
}
