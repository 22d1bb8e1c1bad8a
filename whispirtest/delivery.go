package whispirtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/whispir-go/whispir/generated"
	"github.com/whispir-go/whispir/security"
)

// Whispir's delivery rules (reference 5.11): retries every 5 minutes for
// 24 hours, a connection within 5 seconds and an answer within 60.
const (
	defaultCallbackEvery    = 5 * time.Minute
	defaultCallbackAttempts = int(24*time.Hour/defaultCallbackEvery) + 1 // the first call and 288 retries
	defaultCallbackTimeout  = 60 * time.Second
	callbackDialTimeout     = 5 * time.Second
	// callbackDrain is how much of a callback's answer is read, so that
	// its connection can be used again.
	callbackDrain = 64 << 10
)

// headerCallbackKey is the header of a callback's `httpheader` auth.
const headerCallbackKey = "X-Whispir-Callback-Key"

// CallbackCall is one attempt of the mock to call a callback, as
// [Server.CallbackCalls] returns it; GET /callbacks/{id}/calls
// (callbackCallList) lists the same attempts. Secrets are redacted.
type CallbackCall struct {
	ID           string // the call's id in callbackCallList and callbackCallUpdate
	CallbackID   string
	CallbackName string
	MessageID    string
	Event        string    // "reply" or "undeliverable"
	Attempt      int       // 1 for the first call of an event, 2 for its first retry, ...
	Time         time.Time // when the attempt started
	// URL is the URL called, its `auth` query value (queryparam auth)
	// replaced by [security.Redacted].
	URL string
	// Header is the request's header; the values of X-Whispir-Callback-Key
	// and Authorization are redacted (Authorization keeps its scheme).
	Header http.Header
	Body   []byte // the payload, JSON or XML
	// StatusCode is the status the callback answered; 0 when it did not
	// answer (StatusMessage says why: e.g. "connection refused", "timeout").
	StatusCode    int
	StatusMessage string
	// Status is SUCCESS for a 200, FAILED otherwise, or what
	// callbackCallUpdate set since.
	Status generated.CallbackCallStatus
}

func (c CallbackCall) clone() CallbackCall {
	c.Header = c.Header.Clone()
	c.Body = bytes.Clone(c.Body)
	return c
}

// callRecord is a CallbackCall with what callbackCallList shows of it.
type callRecord struct {
	CallbackCall
	callbackURL string // the callback's configured url
	location    string // the message's URI
	from        sender
	response    payloadResponse
}

// hooks is the callback side of a Server: its options, the HTTP client it
// calls callbacks with, the deliveries in progress and the calls made.
type hooks struct {
	every    time.Duration
	attempts int
	timeout  time.Duration
	remote   bool // WithRemoteCallbacks
	client   *http.Client
	tr       *http.Transport

	// names serialises the duplicate-name check and the store of
	// callbackCreate and callbackUpdate.
	names sync.Mutex

	mu     sync.Mutex // guards the fields below
	calls  []*callRecord
	active int           // deliveries not settled: attempting or waiting to retry
	idle   chan struct{} // closed when active drops to 0
	closed bool
	wg     sync.WaitGroup
}

// init builds the client once the options are known.
func (h *hooks) init() {
	if h.every < 0 {
		h.every = 0
	}
	h.attempts = max(h.attempts, 1)
	if h.timeout <= 0 {
		h.timeout = defaultCallbackTimeout
	}
	dialer := &net.Dialer{Timeout: min(callbackDialTimeout, h.timeout)}
	if !h.remote {
		dialer.Control = loopbackOnly
	}
	h.tr = &http.Transport{
		Proxy:               nil, // callbacks are called directly, never through a proxy
		DialContext:         dialer.DialContext,
		MaxIdleConnsPerHost: 4,
		IdleConnTimeout:     30 * time.Second,
	}
	h.client = &http.Client{
		Transport: h.tr,
		Timeout:   h.timeout,
		// Whispir wants a 200: a redirect is an answer, not followed (it
		// could lead off loopback).
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	h.idle = make(chan struct{})
	close(h.idle)
}

// loopbackOnly refuses connections to addresses off loopback, whatever a
// host name resolved to.
func loopbackOnly(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return errNotLoopback
	}
	return nil
}

var errNotLoopback = errors.New("not a loopback address")

// isLoopbackHost reports a host the mock calls without WithRemoteCallbacks:
// localhost, 127.0.0.0/8 or ::1.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// start runs a delivery in the background; false after Close.
func (h *hooks) start(run func()) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	if h.active == 0 {
		h.idle = make(chan struct{})
	}
	h.active++
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		defer h.settle()
		run()
	}()
	return true
}

func (h *hooks) settle() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.active--
	if h.active == 0 {
		close(h.idle)
	}
}

// close stops new deliveries; the caller then waits for h.wg.
func (h *hooks) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
}

// WaitCallbacks blocks until every callback delivery has settled: each
// event's call succeeded, or failed with no retry left (or the server was
// closed). Deliveries waiting for a retry are not settled: with retries
// enabled and the default [WithCallbackRetry] (every 5 minutes), a failing
// callback keeps WaitCallbacks waiting until ctx ends. It returns nil, or
// an error wrapping ctx's error.
func (s *Server) WaitCallbacks(ctx context.Context) error {
	h := &s.hooks
	h.mu.Lock()
	idle := h.idle
	h.mu.Unlock()
	select {
	case <-idle:
		return nil // settled, even when ctx has ended too
	default:
	}
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("whispirtest: wait for callbacks: %w", ctx.Err())
	}
}

// CallbackCalls returns copies of every attempt to call a callback so
// far, in the order they ended, secrets redacted.
func (s *Server) CallbackCalls() []CallbackCall {
	h := &s.hooks
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]CallbackCall, len(h.calls))
	for i, c := range h.calls {
		out[i] = c.CallbackCall.clone()
	}
	return out
}

// storedCallback is a callback as callbackCreate stored it.
type storedCallback struct {
	id string
	generated.Callback
}

// callbackNamed returns the stored callback called name.
func (s *Server) callbackNamed(name string) (storedCallback, bool) {
	for _, it := range s.items.snapshot(callbacksPath) {
		var cb generated.Callback
		if data, err := json.Marshal(it.obj); err == nil && json.Unmarshal(data, &cb) == nil && cb.Name == name {
			return storedCallback{id: it.id, Callback: cb}, true
		}
	}
	return storedCallback{}, false
}

// enabled reports whether cb is called for events of kind.
func (cb storedCallback) enabled(kind string) bool {
	if cb.Callbacks == nil {
		return false
	}
	t := cb.Callbacks.Reply
	if kind == eventUndeliverable {
		t = cb.Callbacks.Undeliverable
	}
	return t != nil && *t == generated.ToggleEnabled
}

// notify starts the delivery of each event whose message names a stored
// callback that has the event enabled. The callback's configuration is the
// one stored when the event happens.
func (s *Server) notify(events []callbackEvent) {
	for _, ev := range events {
		if ev.callbackName == "" {
			continue
		}
		cb, ok := s.callbackNamed(ev.callbackName)
		if !ok || !cb.enabled(ev.kind) {
			continue
		}
		asXML := cb.ContentType != nil && *cb.ContentType == generated.CallbackContentTypeXML
		body, contentType, err := ev.payload(asXML)
		if err != nil {
			continue // a map of strings always encodes
		}
		attempts := 1
		if cb.RetriesEnabled != nil && *cb.RetriesEnabled {
			attempts = s.hooks.attempts
		}
		s.hooks.start(func() { s.deliver(cb, ev, body, contentType, attempts) })
	}
}

// deliver calls cb with one event's payload until it answers 200 or the
// attempts are spent, waiting between attempts; Close ends the waits.
func (s *Server) deliver(cb storedCallback, ev callbackEvent, body []byte, contentType string, attempts int) {
	for n := 1; ; n++ {
		if s.attempt(cb, ev, body, contentType, n) || n >= attempts {
			return
		}
		if !s.wait(context.Background(), s.hooks.every) {
			return // closed
		}
	}
}

// attempt makes one call and records it; it reports success (a 200).
func (s *Server) attempt(cb storedCallback, ev callbackEvent, body []byte, contentType string, n int) bool {
	rec := &callRecord{
		CallbackCall: CallbackCall{
			ID: randomHex(8), CallbackID: cb.id, CallbackName: cb.Name, MessageID: ev.messageID,
			Event: ev.kind, Attempt: n, Time: time.Now(), Body: body,
		},
		callbackURL: cb.URL,
		location:    ev.location,
		from:        ev.from,
		response:    ev.response(),
	}
	code, msg := s.call(cb, body, contentType, &rec.CallbackCall)
	rec.StatusCode, rec.StatusMessage = code, msg
	rec.Status = generated.CallbackCallStatusFAILED
	if code == http.StatusOK {
		rec.Status = generated.CallbackCallStatusSUCCESS
	}
	h := &s.hooks
	h.mu.Lock()
	h.calls = append(h.calls, rec)
	h.mu.Unlock()
	return code == http.StatusOK
}

// call POSTs body to cb with its auth and fills rec's URL and Header
// (redacted). It returns the status answered, or 0 and why there was none.
func (s *Server) call(cb storedCallback, body []byte, contentType string, rec *CallbackCall) (int, string) {
	u, err := s.callbackURL(cb.URL)
	if err != nil {
		return 0, err.Error()
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.hooks.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return 0, "invalid callback url"
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("User-Agent", "whispirtest")
	setCallbackAuth(req, cb.Auth)
	rec.URL, rec.Header = redactedURL(req.URL), redact(req.Header)
	return s.hooks.do(req)
}

// do sends req with the callback client: the status and reason phrase, or
// 0 and why there was no answer. Errors are described, never quoted: they
// hold the URL, and with it a queryparam key.
func (h *hooks) do(req *http.Request) (int, string) {
	resp, err := h.client.Do(req)
	if err != nil {
		return 0, describe(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, callbackDrain))
	return resp.StatusCode, http.StatusText(resp.StatusCode)
}

// describe names the kind of a failed call.
func describe(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, errNotLoopback):
		return "refused: not a loopback address (see WithRemoteCallbacks)"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed without an answer"
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return "host not found"
	}
	return "connection failed"
}

// callbackURL parses a callback's url and checks that the mock may call
// it: http or https, on a loopback host unless WithRemoteCallbacks.
func (s *Server) callbackURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("the url must be an absolute http or https URL")
	}
	if !s.hooks.remote && !isLoopbackHost(u.Hostname()) {
		return nil, errors.New("whispirtest only calls loopback URLs (127.0.0.0/8, ::1, localhost); the server was not started WithRemoteCallbacks")
	}
	return u, nil
}

// setCallbackAuth adds a callback's credentials to req as Whispir does:
// httpheader X-Whispir-Callback-Key, queryparam ?auth=, basicauth
// "Authorization: Basic <key>" (the key as is), bearertoken
// "Authorization: Bearer <key>".
func setCallbackAuth(req *http.Request, auth *generated.CallbackAuth) {
	if auth == nil {
		return
	}
	switch auth.Type {
	case generated.CallbackAuthTypeHttpheader:
		req.Header.Set(headerCallbackKey, auth.Key)
	case generated.CallbackAuthTypeQueryparam:
		sep := "&"
		if req.URL.RawQuery == "" {
			sep = ""
		}
		req.URL.RawQuery += sep + "auth=" + url.QueryEscape(auth.Key)
	case generated.CallbackAuthTypeBasicauth:
		req.Header.Set("Authorization", "Basic "+auth.Key)
	case generated.CallbackAuthTypeBearertoken:
		req.Header.Set("Authorization", "Bearer "+auth.Key)
	}
}

// redactedURL is u with the values of its auth (and Auth) query
// parameters redacted.
func redactedURL(u *url.URL) string {
	c := *u
	q := c.Query()
	changed := false
	for k := range q {
		if strings.EqualFold(k, "auth") {
			q[k] = slices.Repeat([]string{security.Redacted}, len(q[k]))
			changed = true
		}
	}
	if changed {
		c.RawQuery = q.Encode()
	}
	c.User = nil
	return c.String()
}
