package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/whispir-go/whispir"
	"github.com/whispir-go/whispir/generated"
	"github.com/whispir-go/whispir/security"
)

// maxRequestBody is Whispir's payload limit; larger bodies are refused
// before sending (the service would answer 413).
const maxRequestBody = 10 << 20

// pipeline is the generated client's HttpRequestDoer: it finds the
// operation, sets its media types, validates, paces, retries and turns
// failures into errors.
type pipeline struct {
	http              *http.Client
	basePath          string
	retry             RetryPolicy
	validate          bool
	validateResponses bool
	userAgent         string
	logger            *slog.Logger
	limiter           Limiter // nil: no pacing
	// auth set the request's credentials (the client's request editor); a
	// request whose Bearer token is answered 401 gets a new one from it,
	// once. nil: no second chance.
	auth *security.Provider
}

var _ generated.HttpRequestDoer = (*pipeline)(nil)

// Do sends req. A non-2xx answer is returned as an *Error (with a nil
// response); a request that breaks the spec is returned as an error
// wrapping ErrInvalidRequest and never reaches the network. The response's
// body has been read in full (so that a body cut short fails the attempt)
// and is handed back in memory.
func (p *pipeline) Do(req *http.Request) (*http.Response, error) {
	route, err := whispir.FindRoute(req, p.basePath)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidRequest, err)
	}
	body, err := readBody(req)
	if err != nil {
		return nil, opError(route.ID, "read request body", err)
	}
	resp, data, err := p.exchange(route, req, body)
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(data))
	return resp, nil
}

// doBody is Do for a request built by this package, whose body the caller
// holds: body is sent (req.Body is not read), and the response comes back
// with its body as data (resp.Body is closed).
func (p *pipeline) doBody(req *http.Request, body []byte) (resp *http.Response, data []byte, err error) {
	route, err := whispir.FindRoute(req, p.basePath)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrInvalidRequest, err)
	}
	return p.exchange(route, req, body)
}

// exchange sets the operation's media types and the User-Agent on req,
// validates it with body and sends it.
func (p *pipeline) exchange(route *whispir.Route, req *http.Request, body []byte) (*http.Response, []byte, error) {
	ctx := req.Context()
	req.Header.Set("Accept", route.MediaType)
	switch {
	case len(body) > 0:
		// The generated client labels every body application/json; a caller
		// that chose another of the operation's types (bulkmessage-v1) keeps it.
		if ct := req.Header.Get("Content-Type"); ct == "" || ct == whispir.JSONMediaType {
			req.Header.Set("Content-Type", route.MediaType)
		}
	case route.BodilessContentType != "":
		// No body, but the spec names the Content-Type Whispir wants anyway.
		req.Header.Set("Content-Type", route.BodilessContentType)
	}
	if p.userAgent != "" {
		req.Header.Set("User-Agent", p.userAgent)
	}
	if len(body) > maxRequestBody {
		// Refused with or without validation: readBody stopped reading, and
		// Whispir would answer 413 anyway.
		return nil, nil, &whispir.ValidationError{Operation: route.ID, Where: "body", Reason: "larger than 10485760 bytes"}
	}
	if p.validate {
		if err := whispir.ValidateRequest(ctx, route, req, body); err != nil {
			return nil, nil, err
		}
	}
	return p.send(ctx, route, req, body)
}

// send runs the attempts of one call.
func (p *pipeline) send(ctx context.Context, route *whispir.Route, req *http.Request, body []byte) (*http.Response, []byte, error) {
	reauthorized := false
	for attempt := 1; ; attempt++ {
		if p.limiter != nil {
			if err := p.limiter.Wait(ctx); err != nil {
				return nil, nil, limiterError(ctx, route.ID, err)
			}
		}
		resp, data, err := p.attempt(ctx, route, req, body, attempt)
		if err == nil {
			return resp, data, nil
		}
		if ctx.Err() != nil {
			return nil, nil, opError(route.ID, "send", errors.Join(ctx.Err(), err))
		}
		if !reauthorized && errors.Is(err, ErrUnauthorized) {
			// A Bearer token answered 401 is replaced, and the request sent
			// again once; the resend is not a retry (it was refused before
			// being processed), so it does not count as an attempt.
			again, aerr := p.reauthorize(ctx, route, req, attempt)
			if aerr != nil {
				return nil, nil, opError(route.ID, "refresh bearer token", aerr)
			}
			if again {
				reauthorized = true
				attempt--
				continue
			}
		}
		if attempt >= p.retry.MaxAttempts || !retryable(req.Method, err) {
			return nil, nil, err
		}
		wait, ok := p.retry.backoff(attempt, err)
		if !ok {
			return nil, nil, err
		}
		p.logger.LogAttrs(ctx, slog.LevelInfo, "whispir retry",
			slog.String("operation", route.ID), slog.Int("attempt", attempt),
			slog.Duration("wait", wait), slog.String("reason", retryReason(err)))
		if err := p.retry.sleep(ctx, wait); err != nil {
			return nil, nil, opError(route.ID, "retry wait", err)
		}
	}
}

// reauthorize gets a new Bearer token for req after its token was answered
// 401, and reports whether req, with it, may be sent again.
func (p *pipeline) reauthorize(ctx context.Context, route *whispir.Route, req *http.Request, attempt int) (bool, error) {
	if p.auth == nil {
		return false, nil
	}
	again, err := p.auth.RefreshToken(ctx, req)
	if err != nil || !again {
		return false, err
	}
	p.logger.LogAttrs(ctx, slog.LevelInfo, "whispir token refresh",
		slog.String("operation", route.ID), slog.Int("attempt", attempt),
		slog.String("reason", "bearer token answered 401"))
	// The attempt answered 401 shares req's header map, which net/http may
	// still be writing (see attempt): the new token goes into a new map.
	req.Header = req.Header.Clone()
	if err := p.auth.Intercept(ctx, req); err != nil {
		return false, err
	}
	return true, nil
}

// attempt makes one HTTP exchange and reads the answer's body.
//
// Its request is a shallow copy of req with the attempt's context and a
// fresh reader of body. The header map is req's, not a copy (cloning it
// for every attempt was a measurable share of a send): nothing here writes
// to req.Header once the first attempt has started, and code that must
// change a header between attempts has to give req a new map first
// (req.Header = req.Header.Clone()), because net/http may still be writing
// the previous attempt's headers when its answer has come back.
func (p *pipeline) attempt(ctx context.Context, route *whispir.Route, req *http.Request, body []byte, n int) (*http.Response, []byte, error) {
	// A connection made on any hop of the attempt (redirects included)
	// means the request may have been written: only an attempt without one
	// counts as never sent.
	trace := new(connTrace)
	trace.GotConn = trace.gotConn
	r := req.WithContext(httptrace.WithClientTrace(ctx, &trace.ClientTrace))
	r.Body, r.ContentLength, r.GetBody = http.NoBody, 0, nil
	if len(body) > 0 {
		r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	start := time.Now()
	resp, err := p.http.Do(r)
	if err != nil {
		te := &transportError{err: scrubURL(err), notSent: !trace.connected.Load() && dialFailed(err)}
		p.logger.LogAttrs(ctx, slog.LevelDebug, "whispir attempt",
			slog.String("operation", route.ID), slog.Int("attempt", n),
			slog.Duration("took", time.Since(start)), slog.String("error", transportReason(te)))
		return nil, nil, opError(route.ID, "send", te)
	}
	p.logger.LogAttrs(ctx, slog.LevelDebug, "whispir attempt",
		slog.String("operation", route.ID), slog.Int("attempt", n),
		slog.Int("status", resp.StatusCode), slog.Duration("took", time.Since(start)))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, nil, CheckResponse(route.ID, resp)
	}
	// Read the body here, inside the attempt, so a body cut short counts as
	// a failed attempt (retried where safe) and errors name the operation.
	data, err := readResponseBody(resp)
	_ = resp.Body.Close()
	switch {
	case err != nil:
		return nil, nil, opError(route.ID, "read response", err)
	case len(data) > maxResponseBody:
		return nil, nil, opError(route.ID, "read response", ErrResponseTooLarge)
	}
	if len(data) > 0 && route.DeclaresJSON(resp.StatusCode) && whispir.IsJSONMediaType(resp.Header.Get("Content-Type")) && !json.Valid(data) {
		return nil, nil, opError(route.ID, "decode response", ErrMalformedResponse)
	}
	if p.validateResponses {
		if err := whispir.ValidateResponse(ctx, route, r, resp.StatusCode, resp.Header, data); err != nil {
			return nil, nil, err
		}
	}
	return resp, data, nil
}

// connTrace records whether an attempt got a connection, on any hop.
type connTrace struct {
	httptrace.ClientTrace
	connected atomic.Bool
}

func (t *connTrace) gotConn(httptrace.GotConnInfo) { t.connected.Store(true) }

// readResponseBody reads resp's body to its end, or to one byte past
// maxResponseBody. A body whose length is announced (and below 1 MiB) is
// read into one buffer of that size; a lie about the length costs at most
// that much before the reads show it.
func readResponseBody(resp *http.Response) ([]byte, error) {
	size := 512
	if n := resp.ContentLength; n >= 0 && n < 1<<20 {
		size = int(n) + 1 // room for the read that reports the end
	}
	buf := make([]byte, 0, size)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := resp.Body.Read(buf[len(buf):min(cap(buf), maxResponseBody+1)])
		buf = buf[:len(buf)+n]
		switch {
		case err == io.EOF:
			return buf, nil
		case err != nil:
			return buf, err
		case len(buf) > maxResponseBody:
			return buf, nil
		}
	}
}

// maxResponseBody caps a successful response body; no Whispir answer comes
// near it, and a broken or hostile server cannot exhaust memory.
const maxResponseBody = 32 << 20

var (
	// ErrResponseTooLarge: a response body longer than 32 MiB. Not retried.
	ErrResponseTooLarge = errors.New("response body larger than 32 MiB")
	// ErrMalformedResponse: a 2xx body the spec declares as JSON does not
	// parse. Not retried.
	ErrMalformedResponse = errors.New("response body is not valid JSON")
)

// readBody takes the whole request body once, so every attempt can replay it.
func readBody(req *http.Request) ([]byte, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	defer req.Body.Close()
	data, err := io.ReadAll(io.LimitReader(req.Body, maxRequestBody+1))
	if err != nil {
		return nil, err
	}
	req.Body = http.NoBody
	return data, nil
}

// scrubURL drops the URL from a *url.Error: query strings can hold
// personal data. The underlying error is kept.
func scrubURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", strings.ToLower(ue.Op), ue.Err)
	}
	return err
}

func transportReason(err error) string {
	switch {
	case notSent(err):
		return "connection not made"
	case errors.Is(err, context.DeadlineExceeded):
		return "deadline exceeded"
	}
	return "transport error"
}

func retryReason(err error) string {
	var apiErr *Error
	if errors.As(err, &apiErr) {
		if apiErr.Code != "" {
			return apiErr.Code
		}
		return http.StatusText(apiErr.StatusCode)
	}
	return transportReason(err)
}
