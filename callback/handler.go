package callback

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"time"
)

// ConstructEvent turns one call Whispir made to a callback into an Event:
// it checks the credentials first ([Verify]: the request's headers and
// query) and decodes body second ([Parse], as the request's Content-Type
// says). Use it from your own router when [NewHandler] does not fit; body is
// the request's body, read by you (bounded: see [DefaultMaxBodySize]).
// ConstructEvent does not detect duplicates: see [Event.Key].
func ConstructEvent(auth Auth, r *http.Request, body []byte) (Event, error) {
	if err := Verify(auth, r); err != nil {
		return Event{}, err
	}
	return Parse(r.Header.Get("Content-Type"), body)
}

// storeTimeout bounds the store calls made after fn, which run even when
// the request's context has ended, so that a finished fn is recorded.
const storeTimeout = 10 * time.Second

// leaseMargin is added to fn's timeout for the store's lease.
const leaseMargin = 5 * time.Second

// handler is the http.Handler of NewHandler.
type handler struct {
	verifier
	fn  func(context.Context, Event) error
	cfg config
}

// NewHandler returns the http.Handler for a callback URL: it answers
// Whispir's URL check, checks each call's credentials against auth, decodes
// the event and calls fn with it, once per event however often Whispir
// delivers it. Mount it on any router or server (httptest.NewServer too);
// it serves every path it is given.
//
//	request                                                     answer           fn called
//	GET or HEAD (Whispir's URL check)                            200              no
//	POST whose credentials do not match auth (see Verify)        401, empty body  no
//	a Content-Type neither JSON nor XML                          415              no
//	a body over the limit (WithMaxBodySize, default 1 MiB)       413              no
//	a body that does not decode (see Parse)                      400              no
//	an event already handled successfully (same Key)             200              no
//	the same event while another delivery of it runs             409              no
//	fn returns an error or panics                                500              yes
//	otherwise                                                    200              once
//	any other method                                             405              no
//
// Whispir counts every answer but 200 as a failed call and, with retries
// enabled, sends the event again about every 5 minutes for 24 hours: so a
// 500 is how fn asks for a retry. fn's context is the request's, ended
// after WithTimeout (default 50 s, inside Whispir's 60 s). A panic in fn is
// recovered and answered 500; the server stays up. fn may run concurrently
// for different events, never for one key at a time.
//
// Duplicates are detected with [Event.Key] in a [Store]: by default a
// [MemoryStore] of the handler's own that remembers handled events for 24
// hours ([WithStore] and [WithDuplicateWindow] change that). A failed fn
// does not mark the event handled.
//
// NewHandler returns an error wrapping [ErrInvalidAuth] for an unknown auth
// type or an empty key, and one wrapping [ErrInvalidOption] for a nil fn or
// a bad option.
func NewHandler(auth Auth, fn func(context.Context, Event) error, opts ...Option) (http.Handler, error) {
	v, err := newVerifier(auth)
	if err != nil {
		return nil, err
	}
	if fn == nil {
		return nil, fmt.Errorf("%w: nil fn", ErrInvalidOption)
	}
	cfg := defaultConfig()
	for _, opt := range opts {
		if opt == nil {
			return nil, fmt.Errorf("%w: nil option", ErrInvalidOption)
		}
		if err := opt(&cfg); err != nil {
			return nil, err
		}
	}
	if cfg.store == nil {
		cfg.store = NewMemoryStore(DefaultMaxKeys)
	}
	return &handler{verifier: v, fn: fn, cfg: cfg}, nil
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		w.WriteHeader(http.StatusOK)
		return
	case http.MethodPost:
	default:
		w.Header().Set("Allow", "GET, HEAD, POST")
		h.answer(w, r, http.StatusMethodNotAllowed, "callback: method not allowed", nil)
		return
	}
	if err := h.verify(r); err != nil {
		switch h.typ {
		case AuthBasic:
			w.Header().Set("WWW-Authenticate", `Basic realm="whispir-callback"`)
		case AuthBearer:
			w.Header().Set("WWW-Authenticate", `Bearer realm="whispir-callback"`)
		}
		h.answer(w, r, http.StatusUnauthorized, "", err)
		return
	}
	f, err := formatOf(r.Header.Get("Content-Type"))
	if err != nil {
		h.answer(w, r, http.StatusUnsupportedMediaType, err.Error(), err)
		return
	}
	body, status, err := h.readBody(w, r)
	if err != nil {
		h.answer(w, r, status, err.Error(), err)
		return
	}
	ev, err := parseAs(f, body)
	if err != nil {
		h.answer(w, r, http.StatusBadRequest, err.Error(), err)
		return
	}
	h.handle(w, r, ev)
}

// readBody reads the request's body up to the limit; the status goes with
// the error.
func (h *handler) readBody(w http.ResponseWriter, r *http.Request) ([]byte, int, error) {
	tooLarge := fmt.Errorf("callback: body over %d bytes", h.cfg.maxBody)
	if r.ContentLength > h.cfg.maxBody {
		return nil, http.StatusRequestEntityTooLarge, tooLarge
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.cfg.maxBody))
	if mbe := (*http.MaxBytesError)(nil); errors.As(err, &mbe) {
		return nil, http.StatusRequestEntityTooLarge, tooLarge
	}
	if err != nil {
		return nil, http.StatusBadRequest, errors.New("callback: the body could not be read")
	}
	return body, 0, nil
}

// handle runs fn for ev unless its key is handled or held.
func (h *handler) handle(w http.ResponseWriter, r *http.Request, ev Event) {
	ctx := r.Context()
	key := ev.Key()
	state, err := h.cfg.store.Claim(ctx, key, h.cfg.timeout+leaseMargin)
	switch {
	case err != nil:
		h.answer(w, r, http.StatusInternalServerError, "callback: the duplicate store failed", fmt.Errorf("claim: %w", err), slog.Any("event", ev))
		return
	case state == Handled:
		h.answer(w, r, http.StatusOK, "", nil, slog.Any("event", ev), slog.Bool("duplicate", true))
		return
	case state == InProgress:
		// Not 200: if that delivery fails, Whispir must send the event again.
		w.Header().Set("Retry-After", strconv.Itoa(int(h.cfg.timeout.Seconds())+1))
		h.answer(w, r, http.StatusConflict, "callback: this event is being handled", nil, slog.Any("event", ev))
		return
	case state != Claimed:
		h.answer(w, r, http.StatusInternalServerError, "callback: the duplicate store failed", fmt.Errorf("claim: unknown state %d", state), slog.Any("event", ev))
		return
	}

	err = h.call(ctx, ev)
	after, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
	defer cancel()
	if err != nil {
		if rerr := h.cfg.store.Release(after, key); rerr != nil {
			h.cfg.logger.LogAttrs(ctx, slog.LevelError, "callback: release failed", slog.String("error", rerr.Error()), slog.Any("event", ev))
		}
		h.answer(w, r, http.StatusInternalServerError, "callback: the event was not handled", err, slog.Any("event", ev))
		return
	}
	if err := h.cfg.store.Done(after, key, h.cfg.window); err != nil {
		// fn succeeded: the event is handled, only a redelivery may repeat it.
		h.cfg.logger.LogAttrs(ctx, slog.LevelError, "callback: recording a handled event failed", slog.String("error", err.Error()), slog.Any("event", ev))
	}
	h.answer(w, r, http.StatusOK, "", nil, slog.Any("event", ev))
}

// panicError is a panic in fn, recovered.
type panicError struct {
	value any
	stack []byte
}

func (p *panicError) Error() string { return fmt.Sprintf("callback: fn panicked (%T)", p.value) }

// call runs fn with the handler's timeout, turning a panic into an error.
func (h *handler) call(ctx context.Context, ev Event) (err error) {
	ctx, cancel := context.WithTimeout(ctx, h.cfg.timeout)
	defer cancel()
	defer func() {
		if v := recover(); v != nil {
			err = &panicError{value: v, stack: debug.Stack()}
		}
	}()
	return h.fn(ctx, ev)
}

// answer writes status with msg as a plain-text body (none when empty) and
// logs it: errors of 4xx answers at Warn, of 5xx answers at Error.
func (h *handler) answer(w http.ResponseWriter, r *http.Request, status int, msg string, err error, attrs ...slog.Attr) {
	if msg == "" {
		w.WriteHeader(status)
	} else {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, msg+"\n")
	}
	level := slog.LevelDebug
	switch {
	case status >= 500:
		level = slog.LevelError
	case status >= 400:
		level = slog.LevelWarn
	}
	ctx := r.Context()
	if !h.cfg.logger.Enabled(ctx, level) {
		return
	}
	attrs = append(attrs, slog.String("method", r.Method), slog.Int("status", status))
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
		if p := (*panicError)(nil); errors.As(err, &p) {
			attrs = append(attrs, slog.String("stack", string(p.stack)))
		}
	}
	h.cfg.logger.LogAttrs(ctx, level, "callback: answered", attrs...)
}
