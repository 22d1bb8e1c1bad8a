package redislimit

import (
	"fmt"
	"strings"
	"time"

	"github.com/whispir-go/whispir/api"
)

// Option configures a Limiter. Options check their input: New returns an
// error wrapping api.ErrInvalidOption for a bad one.
type Option func(*config) error

type config struct {
	prefix  string
	budget  DailyBudget
	share   float64 // 0: fail closed
	recheck time.Duration
	clock   func() time.Time // nil: time.Now
}

// DefaultPrefix namespaces the limiter's keys in Redis unless WithPrefix
// says otherwise.
const DefaultPrefix = "whispir"

// DefaultRecheck is how long the limiter leaves an unreachable Redis alone
// before it asks it again.
const DefaultRecheck = time.Second

// DailyBudget is a number of requests a key may make in a day, shared by
// every process using the same Redis, key and prefix. Whispir's editions
// allow 10,000, 20,000 or 50,000 a day; Whispir does not publish when its
// day starts, so set the reset to what your account shows (the zero value
// resets at midnight UTC). Every process sharing the key must use the same
// DailyBudget.
type DailyBudget struct {
	// Limit is the number of requests a day; it must be positive.
	Limit int
	// ResetHour and ResetMinute are the local time in Location at which a
	// new day's budget starts: 0..23 and 0..59.
	ResetHour, ResetMinute int
	// Location is the time zone of the reset; nil means UTC.
	Location *time.Location
}

// WithDailyBudget counts every request (every attempt, retries included)
// against a shared daily budget. Once it is spent, Wait fails at once, and
// the client's calls fail with an *api.Error with Code
// api.CodeOverQPD, without being sent, until the next reset.
func WithDailyBudget(b DailyBudget) Option {
	return func(c *config) error {
		switch {
		case b.Limit <= 0:
			return fmt.Errorf("%w: daily budget must be positive", api.ErrInvalidOption)
		case b.ResetHour < 0 || b.ResetHour > 23 || b.ResetMinute < 0 || b.ResetMinute > 59:
			return fmt.Errorf("%w: daily budget reset must be a time of day (hour 0..23, minute 0..59)", api.ErrInvalidOption)
		}
		if b.Location == nil {
			b.Location = time.UTC
		}
		c.budget = b
		return nil
	}
}

// WithPrefix namespaces the keys in Redis (default "whispir"). Processes
// share a quota when they use the same Redis, API key and prefix. The
// prefix must not be empty nor hold spaces or control characters.
func WithPrefix(prefix string) Option {
	return func(c *config) error {
		if prefix == "" || strings.ContainsFunc(prefix, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
			return fmt.Errorf("%w: empty prefix, or spaces or control characters in it", api.ErrInvalidOption)
		}
		c.prefix = prefix
		return nil
	}
}

// WithFallback makes the limiter go on without Redis when Redis cannot be
// reached: each process then paces itself with a local token bucket at
// share of the shared rate and burst (burst at least 1). With N processes
// sharing the key, a share of 1/N keeps them together within the rate.
// Requests made meanwhile are added to the daily count when Redis is back.
// share must be in (0, 1]. Without WithFallback the limiter fails closed:
// Wait returns an error wrapping ErrUnavailable and nothing is sent.
func WithFallback(share float64) Option {
	return func(c *config) error {
		if !(share > 0 && share <= 1) {
			return fmt.Errorf("%w: fallback share must be in (0, 1]", api.ErrInvalidOption)
		}
		c.share = share
		return nil
	}
}

// WithRecheck sets how long the limiter treats Redis as unreachable after
// a failure before it tries it again (default 1 s). Meanwhile Wait fails
// at once (fail closed) or uses the local fallback, without waiting on
// Redis timeouts. d must be positive.
func WithRecheck(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return fmt.Errorf("%w: recheck interval must be positive", api.ErrInvalidOption)
		}
		c.recheck = d
		return nil
	}
}
