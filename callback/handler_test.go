package callback_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/whispir-go/whispir/callback"
)

var headerAuth = callback.Auth{Type: callback.AuthHTTPHeader, Key: testKey}

// counter is an fn that counts its calls and keeps the events.
type counter struct {
	calls  atomic.Int32
	mu     sync.Mutex
	events []callback.Event
}

func (c *counter) fn(_ context.Context, e callback.Event) error {
	c.calls.Add(1)
	c.mu.Lock()
	c.events = append(c.events, e)
	c.mu.Unlock()
	return nil
}

// serve starts a loopback server with NewHandler(auth, fn, opts...).
func serve(t *testing.T, auth callback.Auth, fn func(context.Context, callback.Event) error, opts ...callback.Option) *httptest.Server {
	t.Helper()
	h, err := callback.NewHandler(auth, fn, opts...)
	if err != nil {
		t.Fatalf("NewHandler: %v", err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// request is one call to the handler.
type request struct {
	method, contentType string
	body                io.Reader
	key                 string // sent in the X-Whispir-Callback-Key header unless empty
	edit                func(r *http.Request)
}

// answer is what the handler said.
type answer struct {
	status int
	header http.Header
	body   string
}

func do(t *testing.T, url string, rq request) answer {
	t.Helper()
	if rq.method == "" {
		rq.method = http.MethodPost
	}
	r, err := http.NewRequestWithContext(t.Context(), rq.method, url, rq.body)
	if err != nil {
		t.Fatal(err)
	}
	if rq.contentType != "" {
		r.Header.Set("Content-Type", rq.contentType)
	}
	if rq.key != "" {
		r.Header.Set(callback.HeaderCallbackKey, rq.key)
	}
	if rq.edit != nil {
		rq.edit(r)
	}
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatalf("%s: %v", rq.method, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// postJSON delivers body as JSON with the right key.
func postJSON(t *testing.T, url, body string) answer {
	t.Helper()
	return do(t, url, request{contentType: "application/json", body: strings.NewReader(body), key: testKey})
}

// padded is jsonReply padded with spaces to exactly n bytes.
func padded(t *testing.T, n int) string {
	t.Helper()
	if n < len(jsonReply) {
		t.Fatalf("cannot pad to %d bytes", n)
	}
	return jsonReply + strings.Repeat(" ", n-len(jsonReply))
}

// TestHandlerAnswers is the table of answers, row by row.
func TestHandlerAnswers(t *testing.T) {
	t.Parallel()
	json := func(s string) request {
		return request{contentType: "application/json", body: strings.NewReader(s), key: testKey}
	}
	tests := []struct {
		name       string
		opts       []callback.Option
		fnErr      error
		rq         request
		wantStatus int
		wantCalls  int32
		emptyBody  bool
	}{
		{name: "GET url check", rq: request{method: http.MethodGet}, wantStatus: 200, emptyBody: true},
		{name: "GET with a wrong key", rq: request{method: http.MethodGet, key: "wrong"}, wantStatus: 200},
		{name: "HEAD", rq: request{method: http.MethodHead}, wantStatus: 200},
		{name: "PUT", rq: request{method: http.MethodPut, contentType: "application/json", body: strings.NewReader(jsonReply), key: testKey}, wantStatus: 405},
		{name: "DELETE", rq: request{method: http.MethodDelete, key: testKey}, wantStatus: 405},
		{name: "wrong key", rq: request{contentType: "application/json", body: strings.NewReader(jsonReply), key: "wrong"}, wantStatus: 401, emptyBody: true},
		{name: "missing key", rq: request{contentType: "application/json", body: strings.NewReader(jsonReply)}, wantStatus: 401, emptyBody: true},
		{name: "key in the query instead of the header", rq: request{contentType: "application/json", body: strings.NewReader(jsonReply), edit: func(r *http.Request) { setQuery(r, "auth", testKey) }}, wantStatus: 401, emptyBody: true},
		{name: "key as a bearer token instead of the header", rq: request{contentType: "application/json", body: strings.NewReader(jsonReply), edit: func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+testKey) }}, wantStatus: 401, emptyBody: true},
		{name: "wrong key and bad body", rq: request{contentType: "text/plain", body: strings.NewReader("x"), key: "wrong"}, wantStatus: 401, emptyBody: true},
		{name: "text/plain", rq: request{contentType: "text/plain", body: strings.NewReader(jsonReply), key: testKey}, wantStatus: 415},
		{name: "no content type", rq: request{body: strings.NewReader(jsonReply), key: testKey}, wantStatus: 415},
		{name: "form", rq: request{contentType: "application/x-www-form-urlencoded", body: strings.NewReader("a=b"), key: testKey}, wantStatus: 415},
		{name: "body at the default limit", rq: json(padded(t, int(callback.DefaultMaxBodySize))), wantStatus: 200, wantCalls: 1},
		{name: "body over the default limit", rq: json(padded(t, int(callback.DefaultMaxBodySize)+1)), wantStatus: 413},
		{name: "body over a set limit", opts: []callback.Option{callback.WithMaxBodySize(100)}, rq: json(jsonReply), wantStatus: 413},
		{name: "chunked body over the limit", opts: []callback.Option{callback.WithMaxBodySize(100)}, rq: request{contentType: "application/json", body: io.MultiReader(strings.NewReader(jsonReply)), key: testKey}, wantStatus: 413},
		{name: "malformed json", rq: json(`{"messageid": `), wantStatus: 400},
		{name: "wrongly typed json", rq: json(variant(t, jsonReply, `"myValue"`, `7`)), wantStatus: 400},
		{name: "from as a string", rq: json(`{"messageid": "1", "from": "61400000000", "responseMessage": {"channel": "SMS"}}`), wantStatus: 400},
		{name: "malformed xml", rq: request{contentType: "application/xml", body: strings.NewReader(xmlReply[:150]), key: testKey}, wantStatus: 400},
		{name: "fn error", fnErr: errors.New("database down"), rq: json(jsonReply), wantStatus: 500, wantCalls: 1},
		{name: "json reply", rq: json(jsonReply), wantStatus: 200, wantCalls: 1, emptyBody: true},
		{name: "json undeliverable", rq: json(jsonUndeliverable), wantStatus: 200, wantCalls: 1},
		{name: "xml reply", rq: request{contentType: "application/xml", body: strings.NewReader(xmlReply), key: testKey}, wantStatus: 200, wantCalls: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int32
			srv := serve(t, headerAuth, func(context.Context, callback.Event) error {
				calls.Add(1)
				return tc.fnErr
			}, tc.opts...)
			a := do(t, srv.URL+"/whispir", tc.rq)
			if a.status != tc.wantStatus {
				t.Errorf("status %d (%q); want %d", a.status, a.body, tc.wantStatus)
			}
			if got := calls.Load(); got != tc.wantCalls {
				t.Errorf("fn called %d times; want %d", got, tc.wantCalls)
			}
			if tc.emptyBody && a.body != "" {
				t.Errorf("body %q; want none", a.body)
			}
			if tc.wantStatus == 405 && a.header.Get("Allow") == "" {
				t.Error("405 without Allow")
			}
			if strings.Contains(a.body, "SECRET") || strings.Contains(a.body, testKey) || strings.Contains(a.body, "database") {
				t.Errorf("body %q shows a value, the key or fn's error", a.body)
			}
		})
	}
}

func TestHandlerEveryAuthType(t *testing.T) {
	t.Parallel()
	for typ, places := range placesOf {
		for _, place := range places {
			t.Run(typ+"/"+place, func(t *testing.T) {
				t.Parallel()
				var c counter
				srv := serve(t, callback.Auth{Type: typ, Key: testKey}, c.fn)
				for _, key := range []string{"wrong", testKey} {
					a := do(t, srv.URL, request{contentType: "application/json", body: strings.NewReader(jsonReply),
						edit: func(r *http.Request) { placements[place](r, key) }})
					want := 401
					if key == testKey {
						want = 200
					}
					if a.status != want {
						t.Errorf("key %q: status %d; want %d", key, a.status, want)
					}
				}
				if got := c.calls.Load(); got != 1 {
					t.Errorf("fn called %d times; want 1", got)
				}
				if typ == callback.AuthBasic || typ == callback.AuthBearer {
					a := do(t, srv.URL, request{contentType: "application/json", body: strings.NewReader(jsonReply)})
					if a.header.Get("WWW-Authenticate") == "" {
						t.Error("401 without WWW-Authenticate")
					}
				}
			})
		}
	}
}

// TestHandlerDuplicates: a redelivery of a handled event is answered 200
// without fn; a failed fn does not mark the event, so its redelivery runs fn
// again; XML and JSON forms of one event are one event.
func TestHandlerDuplicates(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	fail := atomic.Bool{}
	fail.Store(true)
	srv := serve(t, headerAuth, func(context.Context, callback.Event) error {
		calls.Add(1)
		if fail.Load() {
			return errors.New("try again")
		}
		return nil
	})
	steps := []struct {
		name       string
		rq         request
		fail       bool
		wantStatus int
		wantCalls  int32
	}{
		{"first delivery fails", request{contentType: "application/json", body: strings.NewReader(jsonReply)}, true, 500, 1},
		{"retry succeeds", request{contentType: "application/json", body: strings.NewReader(jsonReply)}, false, 200, 2},
		{"redelivery", request{contentType: "application/json", body: strings.NewReader(jsonReply)}, false, 200, 2},
		{"redelivery as xml", request{contentType: "application/xml", body: strings.NewReader(xmlReply)}, false, 200, 2},
		{"redelivery with another spelling", request{contentType: "application/json", body: strings.NewReader(variant(t, jsonReply, `"messageid"`, `"messageId"`))}, false, 200, 2},
		{"another event", request{contentType: "application/json", body: strings.NewReader(jsonUndeliverable)}, false, 200, 3},
	}
	for _, s := range steps {
		fail.Store(s.fail)
		s.rq.key = testKey
		a := do(t, srv.URL, s.rq)
		if a.status != s.wantStatus || calls.Load() != s.wantCalls {
			t.Errorf("%s: status %d, fn calls %d; want %d, %d", s.name, a.status, calls.Load(), s.wantStatus, s.wantCalls)
		}
	}
}

// TestHandlerPanic: a panicking fn is answered 500, the server keeps
// serving, and the event is not marked handled.
func TestHandlerPanic(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	srv := serve(t, headerAuth, func(context.Context, callback.Event) error {
		if calls.Add(1) == 1 {
			panic("SECRET boom")
		}
		return nil
	})
	if a := postJSON(t, srv.URL, jsonReply); a.status != 500 || strings.Contains(a.body, "SECRET") {
		t.Errorf("panic: status %d, body %q; want 500 without the panic value", a.status, a.body)
	}
	if a := postJSON(t, srv.URL, jsonReply); a.status != 200 {
		t.Errorf("after the panic: status %d; want 200", a.status)
	}
	if got := calls.Load(); got != 2 {
		t.Errorf("fn called %d times; want 2 (the panic did not mark the event)", got)
	}
}

// TestHandlerConcurrentDuplicates delivers one event many times at once: fn
// runs once, the deliveries that find it running are answered 409 (Whispir
// retries them), and once fn succeeded a redelivery is answered 200.
func TestHandlerConcurrentDuplicates(t *testing.T) {
	t.Parallel()
	const n = 8
	var calls, running, maxRunning atomic.Int32
	release := make(chan struct{})
	srv := serve(t, headerAuth, func(ctx context.Context, _ callback.Event) error {
		calls.Add(1)
		r := running.Add(1)
		defer running.Add(-1)
		for m := maxRunning.Load(); r > m && !maxRunning.CompareAndSwap(m, r); m = maxRunning.Load() {
		}
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	start := make(chan struct{})
	answers := make(chan answer, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			<-start
			answers <- postJSON(t, srv.URL, jsonReply)
		})
	}
	close(start)
	timeout := time.After(10 * time.Second)
	for i := range n - 1 {
		select {
		case a := <-answers:
			if a.status != http.StatusConflict || a.header.Get("Retry-After") == "" {
				t.Errorf("concurrent delivery %d: status %d, Retry-After %q; want 409 with Retry-After", i, a.status, a.header.Get("Retry-After"))
			}
		case <-timeout:
			close(release)
			t.Fatalf("only %d of %d concurrent deliveries answered while fn ran (fn calls: %d)", i, n-1, calls.Load())
		}
	}
	close(release)
	wg.Wait()
	if a := <-answers; a.status != 200 {
		t.Errorf("the delivery that ran fn: status %d; want 200", a.status)
	}
	if a := postJSON(t, srv.URL, jsonReply); a.status != 200 {
		t.Errorf("redelivery: status %d; want 200", a.status)
	}
	if calls.Load() != 1 || maxRunning.Load() != 1 {
		t.Errorf("fn calls %d, at most %d at once; want 1 and 1", calls.Load(), maxRunning.Load())
	}
}

type ctxKey struct{}

// TestHandlerContext: fn's context carries the request's values and ends
// after the handler's timeout.
func TestHandlerContext(t *testing.T) {
	t.Parallel()
	type seen struct {
		value    any
		err      error
		deadline time.Time
	}
	got := make(chan seen, 1)
	h, err := callback.NewHandler(headerAuth, func(ctx context.Context, _ callback.Event) error {
		s := seen{value: ctx.Value(ctxKey{})}
		s.deadline, _ = ctx.Deadline()
		<-ctx.Done()
		s.err = ctx.Err()
		got <- s
		return s.err
	}, callback.WithTimeout(20*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, "from the router")))
	}))
	defer srv.Close()
	before := time.Now()
	if a := postJSON(t, srv.URL, jsonReply); a.status != 500 {
		t.Errorf("status %d; want 500 for fn's context error", a.status)
	}
	s := <-got
	if s.value != "from the router" {
		t.Errorf("fn's context value = %v; want the request's", s.value)
	}
	if !errors.Is(s.err, context.DeadlineExceeded) {
		t.Errorf("fn's context ended with %v; want DeadlineExceeded", s.err)
	}
	if s.deadline.IsZero() || s.deadline.Before(before) {
		t.Errorf("fn's deadline %v; want one after the request started (%v)", s.deadline, before)
	}
}

// TestHandlerDefaultDeadline: without WithTimeout, fn's deadline is before
// Whispir's 60 s.
func TestHandlerDefaultDeadline(t *testing.T) {
	t.Parallel()
	left := make(chan time.Duration, 1)
	srv := serve(t, headerAuth, func(ctx context.Context, _ callback.Event) error {
		d, ok := ctx.Deadline()
		if !ok {
			return errors.New("no deadline")
		}
		left <- time.Until(d)
		return nil
	})
	if a := postJSON(t, srv.URL, jsonReply); a.status != 200 {
		t.Fatalf("status %d; want 200", a.status)
	}
	if l := <-left; l <= 0 || l > callback.DefaultTimeout || callback.DefaultTimeout >= callback.WhispirTimeout {
		t.Errorf("fn's deadline in %v (default %v); want within the default, under %v", l, callback.DefaultTimeout, callback.WhispirTimeout)
	}
}

func TestNewHandlerErrors(t *testing.T) {
	t.Parallel()
	var c counter
	tests := []struct {
		name string
		auth callback.Auth
		fn   func(context.Context, callback.Event) error
		opts []callback.Option
		want error
	}{
		{"unknown auth type", callback.Auth{Type: "signature", Key: testKey}, c.fn, nil, callback.ErrInvalidAuth},
		{"no auth type", callback.Auth{Key: testKey}, c.fn, nil, callback.ErrInvalidAuth},
		{"empty key", callback.Auth{Type: callback.AuthBasic}, c.fn, nil, callback.ErrInvalidAuth},
		{"blank key", callback.Auth{Type: callback.AuthBasic, Key: "  "}, c.fn, nil, callback.ErrInvalidAuth},
		{"nil fn", headerAuth, nil, nil, callback.ErrInvalidOption},
		{"nil option", headerAuth, c.fn, []callback.Option{nil}, callback.ErrInvalidOption},
		{"zero body size", headerAuth, c.fn, []callback.Option{callback.WithMaxBodySize(0)}, callback.ErrInvalidOption},
		{"negative body size", headerAuth, c.fn, []callback.Option{callback.WithMaxBodySize(-1)}, callback.ErrInvalidOption},
		{"zero timeout", headerAuth, c.fn, []callback.Option{callback.WithTimeout(0)}, callback.ErrInvalidOption},
		{"timeout past Whispir's", headerAuth, c.fn, []callback.Option{callback.WithTimeout(callback.WhispirTimeout)}, callback.ErrInvalidOption},
		{"zero window", headerAuth, c.fn, []callback.Option{callback.WithDuplicateWindow(0)}, callback.ErrInvalidOption},
		{"nil store", headerAuth, c.fn, []callback.Option{callback.WithStore(nil)}, callback.ErrInvalidOption},
		{"nil logger", headerAuth, c.fn, []callback.Option{callback.WithLogger(nil)}, callback.ErrInvalidOption},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h, err := callback.NewHandler(tc.auth, tc.fn, tc.opts...)
			if !errors.Is(err, tc.want) || h != nil {
				t.Fatalf("NewHandler = %v, %v; want nil and an error wrapping %v", h, err, tc.want)
			}
			if strings.Contains(err.Error(), testKey) {
				t.Errorf("error %q shows the key", err)
			}
		})
	}
	for _, opt := range []callback.Option{
		callback.WithMaxBodySize(1), callback.WithTimeout(59 * time.Second), callback.WithDuplicateWindow(time.Hour),
		callback.WithStore(callback.NewMemoryStore(10)), callback.WithLogger(slog.Default()),
	} {
		if _, err := callback.NewHandler(headerAuth, c.fn, opt); err != nil {
			t.Errorf("NewHandler with a good option: %v", err)
		}
	}
}

// failingStore fails the calls named in fail.
type failingStore struct {
	callback.Store
	fail string
}

func (s failingStore) Claim(ctx context.Context, key string, lease time.Duration) (callback.ClaimState, error) {
	if s.fail == "claim" {
		return 0, errors.New("store down")
	}
	if s.fail == "state" {
		return 42, nil
	}
	return s.Store.Claim(ctx, key, lease)
}

func (s failingStore) Done(ctx context.Context, key string, keep time.Duration) error {
	if s.fail == "done" {
		return errors.New("store down")
	}
	return s.Store.Done(ctx, key, keep)
}

func TestHandlerStoreFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		fail       string
		wantStatus int
		wantCalls  int32
	}{
		{"claim", 500, 0}, // nothing is known: Whispir retries
		{"state", 500, 0},
		{"done", 200, 1}, // fn succeeded: the event is handled
	}
	for _, tc := range tests {
		t.Run(tc.fail, func(t *testing.T) {
			t.Parallel()
			var c counter
			srv := serve(t, headerAuth, c.fn, callback.WithStore(failingStore{callback.NewMemoryStore(10), tc.fail}))
			a := postJSON(t, srv.URL, jsonReply)
			if a.status != tc.wantStatus || c.calls.Load() != tc.wantCalls {
				t.Errorf("status %d, fn calls %d; want %d, %d", a.status, c.calls.Load(), tc.wantStatus, tc.wantCalls)
			}
		})
	}
}

// TestHandlerSharedStore: two instances behind a load balancer share one
// store, so an event delivered to each runs fn once.
func TestHandlerSharedStore(t *testing.T) {
	t.Parallel()
	var c counter
	store := callback.NewMemoryStore(100)
	a := serve(t, headerAuth, c.fn, callback.WithStore(store))
	b := serve(t, headerAuth, c.fn, callback.WithStore(store))
	for _, url := range []string{a.URL, b.URL, a.URL} {
		if got := postJSON(t, url, jsonReply); got.status != 200 {
			t.Errorf("status %d; want 200", got.status)
		}
	}
	if c.calls.Load() != 1 {
		t.Errorf("fn called %d times; want 1", c.calls.Load())
	}
}

// TestHandlerLogs: the handler's logs name status, kind, message id and
// key, and never the key, the content or a phone number.
func TestHandlerLogs(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var out bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&lockedWriter{mu: &mu, w: &out}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var calls atomic.Int32
	srv := serve(t, headerAuth, func(context.Context, callback.Event) error {
		switch calls.Add(1) {
		case 1:
			return errors.New("fn failed")
		case 2:
			panic("SECRET")
		}
		return nil
	}, callback.WithLogger(log))
	postJSON(t, srv.URL, jsonReply) // fn error
	postJSON(t, srv.URL, jsonReply) // panic
	postJSON(t, srv.URL, jsonReply) // handled
	postJSON(t, srv.URL, jsonReply) // duplicate
	do(t, srv.URL, request{contentType: "application/json", body: strings.NewReader(jsonReply), key: "wrong-" + testKey})
	postJSON(t, srv.URL, variant(t, jsonReply, `"myValue"`, `7`))
	mu.Lock()
	logs := out.String()
	mu.Unlock()
	for _, bad := range []string{testKey, "SECRET", "61400", "myValue", "Jane"} {
		if strings.Contains(logs, bad) {
			t.Errorf("logs show %q:\n%s", bad, logs)
		}
	}
	for _, want := range []string{`"status":500`, `"status":200`, `"status":401`, `"status":400`, `"duplicate":true`,
		testID, replyEvent().Key(), "fn failed", "fn panicked (string)", `"stack":"goroutine`} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %q:\n%s", want, logs)
		}
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
