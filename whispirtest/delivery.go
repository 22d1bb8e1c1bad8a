package whispirtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/whispir-go/whispir/generated"
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

	mu sync.Mutex // guards the fields below
	// calls are the attempts made: at most Limits.Requests of them and
	// Limits.Bytes of their bodies, the oldest dropped.
	calls  []*callRecord
	budget budget
	// epoch ends with ResetAll: deliveries started before stop, and their
	// calls are not recorded.
	epoch    context.Context
	endEpoch context.CancelFunc
	active   int           // deliveries not settled: attempting or waiting to retry
	idle     chan struct{} // closed when active drops to 0
	closed   bool
	wg       sync.WaitGroup
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
		ctx := s.hooks.current()
		s.hooks.start(func() { s.deliver(ctx, cb, ev, body, contentType, attempts) })
	}
}

// deliver calls cb with one event's payload until it answers 200 or the
// attempts are spent, waiting between attempts; Close and the end of ctx
// (a ResetAll) end the waits.
func (s *Server) deliver(ctx context.Context, cb storedCallback, ev callbackEvent, body []byte, contentType string, attempts int) {
	for n := 1; ctx.Err() == nil; n++ {
		if s.attempt(ctx, cb, ev, body, contentType, n) || n >= attempts {
			return
		}
		if !s.wait(ctx, s.hooks.every) {
			return // closed or reset
		}
	}
}

// current is the context of the deliveries started now.
func (h *hooks) current() context.Context {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.epoch
}

// reset forgets the calls made and stops the deliveries in progress.
func (h *hooks) reset() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.endEpoch()
	h.epoch, h.endEpoch = context.WithCancel(context.Background())
	h.calls = nil
	h.budget.count, h.budget.bytes = 0, 0
}

// attempt makes one call and records it, unless ctx ended meanwhile; it
// reports success (a 200).
func (s *Server) attempt(ctx context.Context, cb storedCallback, ev callbackEvent, body []byte, contentType string, n int) bool {
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
	if ctx.Err() == nil {
		h.calls = append(h.calls, rec)
		h.budget.add(len(rec.Body))
		for h.budget.over() {
			h.budget.remove(len(h.calls[0].Body))
			h.calls[0] = nil
			h.calls = h.calls[1:]
		}
	}
	h.mu.Unlock()
	return code == http.StatusOK
}
