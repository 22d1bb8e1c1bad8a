package callback

import (
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Defaults of [NewHandler].
const (
	// DefaultMaxBodySize is the largest body the handler reads (1 MiB);
	// larger ones are answered 413.
	DefaultMaxBodySize int64 = 1 << 20
	// DefaultTimeout bounds fn's context, well inside Whispir's limit.
	DefaultTimeout = 50 * time.Second
	// DefaultDuplicateWindow is how long an event handled successfully is
	// remembered: Whispir retries failed calls for 24 hours.
	DefaultDuplicateWindow = 24 * time.Hour
	// WhispirTimeout is how long Whispir waits for an answer before it
	// counts the call as failed.
	WhispirTimeout = 60 * time.Second
)

// ErrInvalidOption is wrapped by the errors [NewHandler] returns for a bad
// option or a nil fn.
var ErrInvalidOption = errors.New("callback: invalid option")

// Option configures the handler of [NewHandler]. Options check their input:
// NewHandler returns an error wrapping [ErrInvalidOption] for a bad one.
type Option func(*config) error

type config struct {
	maxBody int64
	timeout time.Duration
	window  time.Duration
	store   Store
	logger  *slog.Logger
}

func defaultConfig() config {
	return config{
		maxBody: DefaultMaxBodySize,
		timeout: DefaultTimeout,
		window:  DefaultDuplicateWindow,
		logger:  slog.New(slog.DiscardHandler),
	}
}

// WithMaxBodySize sets the largest body the handler reads, in bytes
// (default 1 MiB); larger ones are answered 413 without calling fn. n must
// be positive.
func WithMaxBodySize(n int64) Option {
	return func(c *config) error {
		if n <= 0 {
			return fmt.Errorf("%w: max body size %d is not positive", ErrInvalidOption, n)
		}
		c.maxBody = n
		return nil
	}
}

// WithTimeout bounds the context fn gets (default 50 s). It must be positive
// and shorter than [WhispirTimeout], so that the handler answers before
// Whispir gives up. fn must return when its context ends.
func WithTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 || d >= WhispirTimeout {
			return fmt.Errorf("%w: timeout %s is not between 0 and Whispir's %s", ErrInvalidOption, d, WhispirTimeout)
		}
		c.timeout = d
		return nil
	}
}

// WithDuplicateWindow sets how long an event handled successfully is
// remembered, so that a redelivery of it is answered 200 without calling fn
// (default 24 h, as long as Whispir retries). d must be positive.
func WithDuplicateWindow(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return fmt.Errorf("%w: duplicate window %s is not positive", ErrInvalidOption, d)
		}
		c.window = d
		return nil
	}
}

// WithStore keeps the keys of handled events in s instead of the handler's
// own [MemoryStore], e.g. a store several instances behind a load balancer
// share. s must not be nil.
func WithStore(s Store) Option {
	return func(c *config) error {
		if s == nil {
			return fmt.Errorf("%w: nil store", ErrInvalidOption)
		}
		c.store = s
		return nil
	}
}

// WithLogger logs what the handler answers and why: the status, the
// event's kind, message id and key, fn's error, a panic's type and stack;
// never a key, a message's content or a phone number (fn's own errors are
// logged as they are: keep personal data out of them). The default logs
// nothing. l must not be nil.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return fmt.Errorf("%w: nil logger", ErrInvalidOption)
		}
		c.logger = l
		return nil
	}
}
