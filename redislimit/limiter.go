package redislimit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
	"golang.org/x/time/rate"

	"github.com/whispir-go/whispir/api"
)

// ErrUnavailable: Redis could not be reached (or answered with an error)
// and the limiter fails closed, so the request was not sent. The error
// also wraps Redis's own error.
var ErrUnavailable = errors.New("redis unavailable")

// Limiter is an api.Limiter shared through Redis by every process that
// uses the same Redis, API key and prefix. It is safe for concurrent use.
type Limiter struct {
	rdb      redis.Cmdable
	gcra     *redis_rate.Limiter
	limit    redis_rate.Limit
	rateKey  string // redis_rate stores it as "rate:" + rateKey
	dayKey   string // followed by the day, e.g. "2026-01-31"
	budget   DailyBudget
	local    *rate.Limiter // nil: fail closed
	recheck  time.Duration
	now      func() time.Time
	perSec   int
	burst    int
	keyHash  string
	fallback float64

	downUntil  atomic.Int64 // unix ns: Redis is treated as unreachable until then; 0: up
	probing    atomic.Bool  // one Wait is asking Redis again after downUntil
	lastErr    atomic.Pointer[error]
	spentUntil atomic.Int64 // unix ns: the daily budget is known to be spent until then
	unsynced   atomic.Int64 // requests let through by the fallback, not yet counted in Redis
}

var _ api.Limiter = (*Limiter)(nil)

// New returns a limiter that lets perSecond requests a second through,
// with bursts of up to burst, across every process that shares rdb, the
// API key and the prefix: in any one second, together they send at most
// perSecond + burst requests. Use the rate of your Whispir edition (5, 10
// or 30) and a small burst.
//
// The API key only names the shared state: Redis gets a prefix of its
// SHA-256, never the key. rdb is any go-redis client (*redis.Client,
// *redis.ClusterClient, *redis.Ring); it stays the caller's to close.
func New(rdb redis.Cmdable, apiKey string, perSecond, burst int, opts ...Option) (*Limiter, error) {
	switch {
	case rdb == nil:
		return nil, fmt.Errorf("%w: nil Redis client", api.ErrInvalidOption)
	case apiKey == "":
		return nil, fmt.Errorf("%w: empty API key", api.ErrInvalidOption)
	case perSecond < 1 || burst < 1:
		return nil, fmt.Errorf("%w: rate and burst must be at least 1", api.ErrInvalidOption)
	}
	cfg := config{prefix: DefaultPrefix, recheck: DefaultRecheck, clock: time.Now}
	for _, opt := range opts {
		if opt == nil {
			return nil, fmt.Errorf("%w: nil Option", api.ErrInvalidOption)
		}
		if err := opt(&cfg); err != nil {
			return nil, err
		}
	}
	sum := sha256.Sum256([]byte(apiKey))
	hash := hex.EncodeToString(sum[:8])
	l := &Limiter{
		rdb:      rdb,
		gcra:     redis_rate.NewLimiter(rdb),
		limit:    redis_rate.Limit{Rate: perSecond, Burst: burst, Period: time.Second},
		rateKey:  cfg.prefix + ":" + hash + ":qps",
		dayKey:   cfg.prefix + ":" + hash + ":qpd:",
		budget:   cfg.budget,
		recheck:  cfg.recheck,
		now:      cfg.clock,
		perSec:   perSecond,
		burst:    burst,
		keyHash:  hash,
		fallback: cfg.share,
	}
	if cfg.share > 0 {
		l.local = rate.NewLimiter(rate.Limit(float64(perSecond)*cfg.share), max(1, int(float64(burst)*cfg.share)))
	}
	return l, nil
}

// String describes the limiter without its API key.
func (l *Limiter) String() string {
	mode := "fail closed"
	if l.local != nil {
		mode = fmt.Sprintf("fallback %g", l.fallback)
	}
	return fmt.Sprintf("redislimit.Limiter{%s, %d/s burst %d, %s}", l.rateKey, l.perSec, l.burst, mode)
}

// Wait blocks until the shared limiter lets one request go, and counts it
// against the daily budget. It returns:
//   - an error wrapping api.ErrDailyQuotaSpent, at once, when the daily
//     budget is spent (the client turns it into an *api.Error with Code
//     api.CodeOverQPD);
//   - an error wrapping context.DeadlineExceeded, at once, when Redis says
//     the next token comes after ctx's deadline;
//   - ctx.Err() when ctx ends while waiting;
//   - an error wrapping ErrUnavailable when Redis cannot be reached and
//     the limiter fails closed. With WithFallback it waits on its local
//     share instead.
func (l *Limiter) Wait(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if l.budget.Limit > 0 {
		if until := l.spentUntil.Load(); l.now().UnixNano() < until {
			return l.spent(time.Unix(0, until))
		}
	}
	probe, down := l.checkDown()
	if probe {
		defer l.probing.Store(false)
	}
	if down {
		return l.unreachable(ctx, *l.lastErr.Load())
	}
	var day period
	if l.budget.Limit > 0 {
		day = l.period(l.now())
		n, err := l.rdb.Get(ctx, day.key).Int64()
		if err != nil && !errors.Is(err, redis.Nil) {
			return l.failed(ctx, err)
		}
		if n >= int64(l.budget.Limit) {
			l.spentUntil.Store(day.end.UnixNano())
			return l.spent(day.end)
		}
	}
	if err := l.token(ctx); err != nil {
		return err
	}
	if l.budget.Limit > 0 {
		return l.count(ctx, day)
	}
	return nil
}

// token waits until the GCRA in Redis allows one request.
func (l *Limiter) token(ctx context.Context) error {
	for {
		res, err := l.gcra.Allow(ctx, l.rateKey, l.limit)
		if err != nil {
			return l.failed(ctx, err)
		}
		l.up()
		if res.Allowed > 0 {
			return nil
		}
		wait := max(res.RetryAfter, time.Millisecond)
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
			return fmt.Errorf("redislimit: next token in %s, after the context's deadline: %w", wait.Round(time.Millisecond), context.DeadlineExceeded)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// count adds one request (and any the fallback let through during an
// outage) to the day's count; past the budget the request is refused.
func (l *Limiter) count(ctx context.Context, day period) error {
	n := 1 + l.unsynced.Swap(0)
	var incr *redis.IntCmd
	_, err := l.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		incr = p.IncrBy(ctx, day.key, n)
		// Relative, so a clock that differs from Redis's does not matter.
		p.Expire(ctx, day.key, day.end.Sub(day.now)+time.Hour)
		return nil
	})
	if err != nil {
		l.unsynced.Add(n - 1)
		return l.failed(ctx, err)
	}
	if incr.Val() > int64(l.budget.Limit) {
		l.spentUntil.Store(day.end.UnixNano())
		return l.spent(day.end)
	}
	return nil
}

func (l *Limiter) spent(until time.Time) error {
	return fmt.Errorf("redislimit: shared daily budget of %d spent until %s: %w", l.budget.Limit, until.In(l.budget.Location).Format(time.RFC3339), api.ErrDailyQuotaSpent)
}

// checkDown reports whether Redis is to be treated as unreachable now;
// probe is true for the one caller that asks Redis again after the
// recheck interval.
func (l *Limiter) checkDown() (probe, down bool) {
	until := l.downUntil.Load()
	switch {
	case until == 0:
		return false, false
	case time.Now().UnixNano() < until:
		return false, true
	case l.probing.CompareAndSwap(false, true):
		return true, false
	}
	return false, true
}

func (l *Limiter) up() {
	if l.downUntil.Load() != 0 {
		l.downUntil.Store(0)
	}
}

// failed handles an error from Redis: the context's end is returned as
// such; anything else marks Redis unreachable for the recheck interval.
func (l *Limiter) failed(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	l.lastErr.Store(&err)
	l.downUntil.Store(time.Now().Add(l.recheck).UnixNano())
	return l.unreachable(ctx, err)
}

// unreachable fails closed, or waits on the local fallback.
func (l *Limiter) unreachable(ctx context.Context, err error) error {
	if l.local == nil {
		return fmt.Errorf("redislimit: %w: %w", ErrUnavailable, err)
	}
	if err := l.local.Wait(ctx); err != nil {
		return err
	}
	if l.budget.Limit > 0 {
		l.unsynced.Add(1)
	}
	return nil
}
