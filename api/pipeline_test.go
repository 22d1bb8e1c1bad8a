package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/whispir-go/whispir"
	"github.com/whispir-go/whispir/generated"
)

// bound is how long a call that must return at once may take before a
// test calls it hung: a bound, not a measurement.
const bound = 20 * time.Second

// within runs f and fails the test if it has not returned after bound.
func within[T any](t *testing.T, what string, f func() T) T {
	t.Helper()
	done := make(chan T, 1)
	go func() { done <- f() }()
	select {
	case v := <-done:
		return v
	case <-time.After(bound):
		t.Fatalf("%s: still running after %s; want it to return at once", what, bound)
		panic("unreachable")
	}
}

// blockingBody is a response body whose Read blocks until Close, like the
// raw connection of a 101 answer held open by the server.
type blockingBody struct {
	closed chan struct{}
	reads  atomic.Int32
}

func (b *blockingBody) Read([]byte) (int, error) {
	b.reads.Add(1)
	<-b.closed
	return 0, io.EOF
}

func (b *blockingBody) Close() error { close(b.closed); return nil }

// writeRaw takes over the connection of w, writes raw to it and returns
// it (nil after failing the test when it cannot).
func writeRaw(t *testing.T, w http.ResponseWriter, raw string) net.Conn {
	t.Helper()
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		t.Errorf("hijack: %v", err)
		return nil
	}
	buf.WriteString(raw)
	buf.Flush()
	return conn
}

func TestCheckResponseNeverReadsA1xxBody(t *testing.T) {
	t.Parallel()
	for _, status := range []int{100, 101, 103, 199} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			t.Parallel()
			body := &blockingBody{closed: make(chan struct{})}
			resp := &http.Response{StatusCode: status, Header: http.Header{"Upgrade": {"websocket"}}, Body: body}
			err := within(t, "CheckResponse", func() error { return CheckResponse("messageCreate", resp) })
			var apiErr *Error
			if !errors.As(err, &apiErr) || apiErr.StatusCode != status || apiErr.Operation != "messageCreate" {
				t.Fatalf("err = %v; want *Error with status %d", err, status)
			}
			if n := body.reads.Load(); n != 0 {
				t.Errorf("body reads = %d; want 0", n)
			}
			select {
			case <-body.closed:
			default:
				t.Error("body not closed; want the connection closed")
			}
		})
	}
}

// TestSwitchingProtocolsDoesNotHang: a server answers 101 with Upgrade and
// holds the connection. The call returns a *Error at once and closes the
// connection, which the server sees while it is still holding it.
func TestSwitchingProtocolsDoesNotHang(t *testing.T) {
	t.Parallel()
	clientClosed := make(chan struct{})
	release := make(chan struct{})
	c, f := setup(t, func(w http.ResponseWriter, r *http.Request) {
		conn := writeRaw(t, w, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: whispir-test\r\n\r\n")
		if conn == nil {
			return
		}
		defer conn.Close()
		// Hold the connection until the client closes it (Read fails) or
		// the test ends.
		go func() {
			_, _ = io.Copy(io.Discard, conn)
			close(clientClosed)
		}()
		<-release
	})
	t.Cleanup(func() { close(release) }) // runs before the server's Close
	err := within(t, "a call answered 101", func() error {
		_, err := c.MessageRetrieveWithResponse(t.Context(), "ABC", "DEF")
		return err
	})
	var apiErr *Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("err = %v; want *Error 101", err)
	}
	if want := "messageRetrieve: 101 switching protocols"; err.Error() != want {
		t.Errorf("err = %q; want %q", err, want)
	}
	within(t, "the server seeing the connection closed", func() struct{} { <-clientClosed; return struct{}{} })
	if n := len(f.requests()); n != 1 {
		t.Errorf("requests = %d; want 1 (a 101 is not retried)", n)
	}
}

// TestBrokenAnswersAreNotRetried: a GET answered with a body that is not
// JSON, or with a Retry-After beyond MaxDelay however it is written, is
// returned at once: one request, no wait.
func TestBrokenAnswersAreNotRetried(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		status  int
		header  map[string]string
		body    string
		wantErr error
		after   time.Duration // the *Error's RetryAfter, when wantErr is ErrRateLimited
	}{
		{"malformed JSON", 200, nil, `{"id":`, ErrMalformedResponse, 0},
		{"Retry-After over int64", 429, map[string]string{"Retry-After": "9223372036854775808"}, ``, ErrRateLimited, maxRetryAfter},
		{"Retry-After of a hundred digits", 429, map[string]string{"Retry-After": strings.Repeat("9", 100)}, ``, ErrRateLimited, maxRetryAfter},
		{"Retry-After in the year 2300", 429, map[string]string{"Retry-After": "Fri, 01 Jan 2300 00:00:00 GMT"}, ``, ErrRateLimited, maxRetryAfter},
		{"QPS with Retry-After over int64", 403, map[string]string{"X-Error-Code": CodeOverQPS, "Retry-After": "9223372036854775808"}, ``, ErrRateLimited, maxRetryAfter},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var waits atomic.Int32
			policy := DefaultRetryPolicy()
			policy.Sleep = func(ctx context.Context, d time.Duration) error { waits.Add(1); return ctx.Err() }
			c, f := setup(t, respond(tc.status, tc.header, tc.body), WithRetry(policy))
			_, err := c.MessageRetrieveWithResponse(t.Context(), "ABC", "DEF")
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v; want %v", err, tc.wantErr)
			}
			var apiErr *Error
			if tc.after > 0 && (!errors.As(err, &apiErr) || apiErr.RetryAfter != tc.after) {
				t.Errorf("err = %v; want *Error with RetryAfter %s", err, tc.after)
			}
			if n := len(f.requests()); n != 1 {
				t.Errorf("requests = %d; want 1", n)
			}
			if n := waits.Load(); n != 0 {
				t.Errorf("waits = %d; want 0", n)
			}
		})
	}
}

// TestPostIsNotRetriedAfterATransportError: the connection drops after the
// server read the POST (it may have been processed): one request. A GET is
// retried.
func TestPostIsNotRetriedAfterATransportError(t *testing.T) {
	t.Parallel()
	drop := func(w http.ResponseWriter, r *http.Request) {
		if conn := writeRaw(t, w, ""); conn != nil {
			conn.Close()
		}
	}
	t.Run("POST", func(t *testing.T) {
		t.Parallel()
		c, f := setup(t, drop)
		_, err := c.SendMessage(t.Context(), "ABC", generated.Message{To: "61400000000"})
		var apiErr *Error
		if err == nil || errors.As(err, &apiErr) {
			t.Fatalf("err = %v; want a transport error", err)
		}
		if n := len(f.requests()); n != 1 {
			t.Errorf("POST sent %d times; want 1", n)
		}
	})
	t.Run("GET", func(t *testing.T) {
		t.Parallel()
		c, f := setup(t, drop)
		if _, err := c.MessageRetrieveWithResponse(t.Context(), "ABC", "DEF"); err == nil {
			t.Fatal("err = nil; want a transport error")
		}
		if n, want := len(f.requests()), DefaultRetryPolicy().MaxAttempts; n != want {
			t.Errorf("GET sent %d times; want %d", n, want)
		}
	})
}

// cancelOnRetry is a slog handler that cancels a context when the pipeline
// logs a retry, which it does just before it waits.
type cancelOnRetry struct{ cancel context.CancelFunc }

func (h cancelOnRetry) Enabled(context.Context, slog.Level) bool { return true }
func (h cancelOnRetry) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h cancelOnRetry) WithGroup(string) slog.Handler            { return h }
func (h cancelOnRetry) Handle(_ context.Context, r slog.Record) error {
	if r.Message == "whispir retry" {
		h.cancel()
	}
	return nil
}

// TestRetryWaitEndsWithTheContext uses the policy's own timer: a wait of
// 30 s (Retry-After, equal to MaxDelay) ends as soon as the context does,
// here just as the wait begins.
func TestRetryWaitEndsWithTheContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	c, f := setup(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "30")
		w.WriteHeader(http.StatusTooManyRequests)
	}, WithRetry(DefaultRetryPolicy()), WithLogger(slog.New(cancelOnRetry{cancel})))
	err := within(t, "a call whose retry wait outlasts its context", func() error {
		_, err := c.MessageRetrieveWithResponse(ctx, "ABC", "DEF")
		return err
	})
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "retry wait") {
		t.Fatalf("err = %v; want a retry wait ended by context.Canceled", err)
	}
	if n := len(f.requests()); n != 1 {
		t.Errorf("requests = %d; want 1", n)
	}
}

// TestBackoffDoubles: wait n is within [base·2ⁿ⁻¹/2, base·2ⁿ⁻¹], capped at
// MaxDelay.
func TestBackoffDoubles(t *testing.T) {
	t.Parallel()
	p := RetryPolicy{MaxAttempts: 10, BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second}
	transport := &transportError{err: errors.New("reset")}
	for n := 1; n <= 8; n++ {
		hi := min(p.BaseDelay<<(n-1), p.MaxDelay)
		for range 50 { // the jitter is random: look at several draws
			d, ok := p.backoff(n, transport)
			if !ok || d < hi/2 || d > hi {
				t.Fatalf("backoff(%d) = %s, %t; want within [%s, %s], true", n, d, ok, hi/2, hi)
			}
		}
	}
}

// TestRateLimitTokenPerAttempt: with WithRateLimit, retries are paced like
// first attempts. The limiter barely refills (one token an hour), so the
// tokens it lost are the attempts that took one.
func TestRateLimitTokenPerAttempt(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	c, f := setup(t, func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) <= 3 {
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.Header().Set("Content-Type", "application/vnd.whispir.message-v1+json")
		io.WriteString(w, `{"id":"DEF"}`)
	}, WithRateLimit(1))
	const burst = 10
	lim := rate.NewLimiter(rate.Every(time.Hour), burst)
	c.pipeline.limiter = lim
	if _, err := c.MessageRetrieveWithResponse(t.Context(), "ABC", "DEF"); err != nil {
		t.Fatal(err)
	}
	attempts := len(f.requests())
	if attempts != 4 {
		t.Fatalf("attempts = %d; want 4", attempts)
	}
	if taken := int(math.Round(burst - lim.Tokens())); taken != attempts {
		t.Errorf("tokens taken = %d; want %d, one per attempt", taken, attempts)
	}
}

// TestTransportErrorsCarryNoURL: a contact search by phone number fails to
// connect; the error names the operation and the cause, never the URL or
// its query.
func TestTransportErrorsCarryNoURL(t *testing.T) {
	t.Parallel()
	d := &refusingDialer{}
	d.n.Store(math.MaxInt32)
	hc := &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
	c, f := setup(t, accepted("X"), WithHTTPClient(hc), WithoutRetry())
	phone := "61499887766"
	_, err := c.ContactListWithResponse(t.Context(), "ABC", &generated.ContactListParams{WorkMobilePhone1: &phone})
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("err = %v; want ECONNREFUSED", err)
	}
	for _, leak := range []string{phone, prefix, "contacts", f.URL, "?"} {
		if strings.Contains(err.Error(), leak) {
			t.Errorf("err = %q; want it without %q", err, leak)
		}
	}
	if ue := (*url.Error)(nil); errors.As(err, &ue) {
		t.Errorf("err wraps a *url.Error (%v); want the URL dropped", ue)
	}
	if want := "contactList: send: "; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("err = %q; want it to start with %q", err, want)
	}
}

// TestBodilessRequestsCarryTheContentTypeTheSpecNames walks every operation
// without a request body: those whose spec names a Content-Type
// (x-bodiless-content-type: authCreate, scenarioRunCreate, templateDelete,
// callbackDelete, userDelete, usersDelete and the default forms) send it,
// as Whispir's description requires and its SDKs do; the others send none.
func TestBodilessRequestsCarryTheContentTypeTheSpecNames(t *testing.T) {
	t.Parallel()
	ops, err := whispir.Operations()
	if err != nil {
		t.Fatal(err)
	}
	c, f := setup(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	named := 0
	for _, op := range ops {
		if len(op.RequestMediaTypes) > 0 {
			continue
		}
		path := op.Path
		for name, value := range map[string]string{"{workspaceId}": "9A4C5521FFC7B15B", "{keyId}": "3f1e0c2a-5b7d-4e8f-9a6b-1c2d3e4f5a6b"} {
			path = strings.ReplaceAll(path, name, value)
		}
		for strings.Contains(path, "{") {
			i, j := strings.Index(path, "{"), strings.Index(path, "}")
			path = path[:i] + "ABC123" + path[j+1:]
		}
		req, err := http.NewRequestWithContext(t.Context(), op.Method, c.BaseURL()+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		before := len(f.requests())
		if _, err := c.do(t.Context(), req); err != nil {
			t.Errorf("%s: %v", op.ID, err)
			continue
		}
		got := f.requests()
		if len(got) != before+1 {
			t.Fatalf("%s: server got %d requests; want %d", op.ID, len(got), before+1)
		}
		sent := got[len(got)-1].Header.Values("Content-Type")
		want := []string(nil)
		if op.BodilessContentType != "" {
			want = []string{op.BodilessContentType}
			named++
		}
		if fmt.Sprint(sent) != fmt.Sprint(want) {
			t.Errorf("%s (%s %s): Content-Type = %q; want %q", op.ID, op.Method, op.Path, sent, want)
		}
	}
	if named != 8 {
		t.Errorf("operations with a bodiless Content-Type = %d; want 8", named)
	}
}

// TestBodilessContentTypeThroughTheGeneratedMethod: the generated method
// of one such operation sends it too, with the operation's Accept.
func TestBodilessContentTypeThroughTheGeneratedMethod(t *testing.T) {
	t.Parallel()
	c, f := setup(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	if _, err := c.TemplateDeleteWithResponse(t.Context(), "9A4C5521FFC7B15B", "BCD384BC3847CD3484CD"); err != nil {
		t.Fatal(err)
	}
	r := f.requests()[0]
	const template = "application/vnd.whispir.template-v1+json"
	if got := r.Header.Get("Content-Type"); got != template {
		t.Errorf("Content-Type = %q; want %q", got, template)
	}
	if len(r.Body) != 0 {
		t.Errorf("body = %d bytes; want none", len(r.Body))
	}
}
