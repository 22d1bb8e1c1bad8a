package api

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"syscall"
	"time"

	"github.com/whispir-go/whispir"
)

// RetryPolicy says which failed attempts are tried again and how long to
// wait in between. The zero value is invalid; start from DefaultRetryPolicy.
//
// Retried, for every method: 429, and 403 with X-Error-Code
// ERR_403_DEVELOPER_OVER_QPS (the gateway rejected the request before
// Whispir saw it), and connections that failed before the request was
// written (dial errors such as connection refused, when no connection was
// made on any hop of the attempt: a redirect whose follow-up dial fails
// after the first hop was sent is not one).
//
// Retried only for GET, HEAD, PUT and DELETE: 502, 503, 504 and other
// transport errors, including a per-attempt timeout and a response body cut
// short. A POST creates something (a message, a contact, a run), and after a
// timeout or a 5xx it may have been processed, so it is never sent twice on
// those.
//
// Never retried: ERR_403_DEVELOPER_OVER_QPD (the daily quota is spent;
// returned at once as ErrRateLimited with the code), 1xx, other 4xx, 500,
// 501, a response over 32 MiB, a JSON body that does not parse, a 2xx
// that fails WithResponseValidation (a broken answer does not mend itself)
// and a redirect the client's policy refused.
// A Retry-After longer than MaxDelay (a date over a day ahead, or a number
// of seconds too large to parse, counts as a day) is returned at once. The
// caller's context ending stops everything at once.
type RetryPolicy struct {
	// MaxAttempts counts the first attempt too; 1 disables retries.
	MaxAttempts int
	// BaseDelay is the first backoff; each retry doubles it, with full
	// jitter in [delay/2, delay].
	BaseDelay time.Duration
	// MaxDelay caps any single wait, Retry-After included. A Retry-After
	// longer than MaxDelay is not waited for: the error is returned.
	MaxDelay time.Duration
	// QPSDelay is the wait after a per-second rate limit without
	// Retry-After (Whispir's quota window is one second).
	QPSDelay time.Duration
	// Sleep waits for d or until ctx ends, returning ctx.Err() then. Nil
	// uses a timer; tests inject a fake clock here.
	Sleep func(ctx context.Context, d time.Duration) error
}

// DefaultRetryPolicy returns the policy clients start with: 4 attempts,
// 250 ms base delay, 1 s after a per-second rate limit, waits capped at 30 s.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{MaxAttempts: 4, BaseDelay: 250 * time.Millisecond, MaxDelay: 30 * time.Second, QPSDelay: time.Second}
}

// NoWaitRetryPolicy returns DefaultRetryPolicy with a Sleep that returns at
// once (with the context's error once it has ended): the same decisions
// (what is retried, how often, which Retry-After is too long to wait for)
// without the waits. For tests against whispirtest's faults, which then
// take no real time:
//
//	c, err := api.New(p, api.WithBaseURL(srv.URL), api.WithRetry(api.NoWaitRetryPolicy()))
func NoWaitRetryPolicy() RetryPolicy {
	p := DefaultRetryPolicy()
	p.Sleep = func(ctx context.Context, _ time.Duration) error { return ctx.Err() }
	return p
}

func (p RetryPolicy) validate() error {
	if p.MaxAttempts < 1 || p.MaxAttempts > 100 {
		return fmt.Errorf("%w: retry MaxAttempts must be 1..100", ErrInvalidOption)
	}
	if p.BaseDelay < 0 || p.MaxDelay < 0 || p.QPSDelay < 0 {
		return fmt.Errorf("%w: negative retry delay", ErrInvalidOption)
	}
	return nil
}

func (p RetryPolicy) sleep(ctx context.Context, d time.Duration) error {
	if p.Sleep != nil {
		return p.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// backoff is the wait before retry number n (1-based) after failure err
// (an *Error or a transport error); ok is false when the wait would exceed
// MaxDelay.
func (p RetryPolicy) backoff(n int, err error) (d time.Duration, ok bool) {
	var apiErr *Error
	if errors.As(err, &apiErr) {
		if apiErr.RetryAfter > 0 {
			return apiErr.RetryAfter, apiErr.RetryAfter <= p.MaxDelay
		}
		if apiErr.Code == CodeOverQPS && p.QPSDelay > 0 {
			return min(p.QPSDelay, p.MaxDelay), true
		}
	}
	d = p.BaseDelay
	for i := 1; i < n && d < p.MaxDelay; i++ {
		d *= 2
	}
	d = min(d, p.MaxDelay)
	if d > 1 {
		d = d/2 + rand.N(d/2+1)
	}
	return d, true
}

// retryable reports whether a failed attempt may be tried again.
func retryable(method string, err error) bool {
	// The caller's context is checked before this; a DeadlineExceeded here
	// is the per-attempt timeout, a transport failure like any other.
	if errors.Is(err, ErrResponseTooLarge) || errors.Is(err, ErrMalformedResponse) || errors.Is(err, whispir.ErrInvalidResponse) {
		return false
	}
	if re := (*redirectError)(nil); errors.As(err, &re) {
		return false // a refused redirect is refused again
	}
	var apiErr *Error
	if errors.As(err, &apiErr) {
		switch {
		case apiErr.StatusCode == http.StatusTooManyRequests:
			return true
		case apiErr.Code == CodeOverQPS:
			return true
		case apiErr.StatusCode == http.StatusBadGateway,
			apiErr.StatusCode == http.StatusServiceUnavailable,
			apiErr.StatusCode == http.StatusGatewayTimeout:
			return idempotent(method)
		}
		return false
	}
	if notSent(err) {
		return true
	}
	return idempotent(method)
}

// notSent reports a failed attempt that provably never reached the server:
// its connection could not be made, and no connection was made on any other
// hop of the attempt either (a redirect's follow-up dial failing after the
// first hop was sent does not count).
func notSent(err error) bool {
	var te *transportError
	return errors.As(err, &te) && te.notSent
}

// dialFailed reports a transport error from making a connection.
func dialFailed(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	return errors.Is(err, syscall.ECONNREFUSED)
}

func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodOptions:
		return true
	}
	return false
}
