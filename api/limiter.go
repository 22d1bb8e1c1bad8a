package api

import (
	"context"
	"errors"
	"fmt"
	"reflect"

	"golang.org/x/time/rate"
)

// Limiter paces requests: the pipeline calls Wait before every attempt,
// retries included, and sends only when it returns nil. Wait blocks until
// the request may go or ctx ends, and should return at once with an error
// when it knows the wait cannot end before ctx's deadline.
//
// *rate.Limiter (golang.org/x/time/rate) is a Limiter for one process;
// [WithRateLimit] uses one. Package redislimit has one that many processes
// sharing an API key can use together, with a shared daily budget.
//
// A Limiter that refuses because the key's daily quota is spent returns an
// error wrapping [ErrDailyQuotaSpent]; the call then fails as Whispir's
// gateway would fail it, without sending anything (see [WithLimiter]).
type Limiter interface {
	Wait(ctx context.Context) error
}

var _ Limiter = (*rate.Limiter)(nil)

var (
	// ErrLimiterWait: the Limiter did not let the request go (its wait
	// could not end before the context's deadline, the context ended, or
	// the limiter failed, e.g. a shared limiter's store is unreachable).
	// Nothing was sent. The error also wraps the limiter's own error and,
	// when the context ended, ctx.Err().
	ErrLimiterWait = errors.New("rate limit wait")
	// ErrDailyQuotaSpent is for Limiter implementations: wrap it to say the
	// key's daily quota is spent. The pipeline turns it into an *Error with
	// Code [CodeOverQPD] (so errors.Is(err, ErrRateLimited) holds) and
	// StatusCode 0: refused here, never sent.
	ErrDailyQuotaSpent = errors.New("daily quota spent")
)

// WithLimiter paces every attempt, retries included, with l: each one
// waits for l.Wait to return nil before it is sent. A failed wait ends the
// call at once with an error that names the operation: an *[Error] with
// Code [CodeOverQPD] when l's error wraps [ErrDailyQuotaSpent], otherwise
// one wrapping [ErrLimiterWait] and l's error. A nil l is an error. The
// last of WithLimiter and WithRateLimit wins.
func WithLimiter(l Limiter) Option {
	return func(c *config) error {
		if isNil(l) {
			return fmt.Errorf("%w: nil Limiter", ErrInvalidOption)
		}
		c.limiter = l
		return nil
	}
}

func isNil(l Limiter) bool {
	if l == nil {
		return true
	}
	v := reflect.ValueOf(l)
	switch v.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan, reflect.Interface:
		return v.IsNil()
	}
	return false
}

// limiterError is the error of a call whose limiter wait failed.
func limiterError(ctx context.Context, operation string, err error) error {
	if errors.Is(err, ErrDailyQuotaSpent) {
		return &Error{
			Operation: operation,
			Code:      CodeOverQPD,
			Text:      "daily quota spent: refused by the limiter, not sent",
			Detail:    err.Error(),
		}
	}
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("%s: %w: %w: %w", operation, ErrLimiterWait, err, cerr)
	}
	return fmt.Errorf("%s: %w: %w", operation, ErrLimiterWait, err)
}
