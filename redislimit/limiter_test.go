package redislimit

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/whispir-go/whispir/api"
	"github.com/whispir-go/whispir/internal/redistest"
)

// Obviously fake; the tests check it never reaches Redis.
const testAPIKey = "fake-api-key-for-redislimit-tests"

// withClock replaces time.Now for the daily budget.
func withClock(now func() time.Time) Option {
	return func(c *config) error {
		c.clock = now
		return nil
	}
}

// breaker is a go-redis hook that fails every command while it is broken,
// as an unreachable Redis would, and counts the commands tried.
type breaker struct {
	broken atomic.Bool
	calls  atomic.Int64
}

var errBroken = errors.New("dial tcp: connection refused (test breaker)")

func (b *breaker) DialHook(next redis.DialHook) redis.DialHook {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		if b.broken.Load() {
			return nil, errBroken
		}
		return next(ctx, network, addr)
	}
}

func (b *breaker) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		b.calls.Add(1)
		if b.broken.Load() {
			return errBroken
		}
		return next(ctx, cmd)
	}
}

func (b *breaker) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		b.calls.Add(1)
		if b.broken.Load() {
			return errBroken
		}
		return next(ctx, cmds)
	}
}

// client returns a go-redis client of addr with a breaker hook, closed
// when t ends.
func client(t *testing.T, addr string) (*redis.Client, *breaker) {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: addr, DialTimeout: time.Second, MaxRetries: -1})
	t.Cleanup(func() { _ = rdb.Close() })
	b := &breaker{}
	rdb.AddHook(b)
	return rdb, b
}

func newLimiter(t *testing.T, rdb redis.Cmdable, perSecond, burst int, opts ...Option) *Limiter {
	t.Helper()
	l, err := New(rdb, testAPIKey, perSecond, burst, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestNewRejectsBadInput(t *testing.T) {
	t.Parallel()
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	defer rdb.Close()
	tests := []struct {
		name      string
		rdb       redis.Cmdable
		key       string
		rate, bur int
		opts      []Option
	}{
		{"nil client", nil, testAPIKey, 10, 1, nil},
		{"empty key", rdb, "", 10, 1, nil},
		{"zero rate", rdb, testAPIKey, 0, 1, nil},
		{"zero burst", rdb, testAPIKey, 10, 0, nil},
		{"nil option", rdb, testAPIKey, 10, 1, []Option{nil}},
		{"zero budget", rdb, testAPIKey, 10, 1, []Option{WithDailyBudget(DailyBudget{})}},
		{"reset hour 24", rdb, testAPIKey, 10, 1, []Option{WithDailyBudget(DailyBudget{Limit: 1, ResetHour: 24})}},
		{"reset minute -1", rdb, testAPIKey, 10, 1, []Option{WithDailyBudget(DailyBudget{Limit: 1, ResetMinute: -1})}},
		{"empty prefix", rdb, testAPIKey, 10, 1, []Option{WithPrefix("")}},
		{"space in prefix", rdb, testAPIKey, 10, 1, []Option{WithPrefix("a b")}},
		{"zero share", rdb, testAPIKey, 10, 1, []Option{WithFallback(0)}},
		{"share over 1", rdb, testAPIKey, 10, 1, []Option{WithFallback(1.5)}},
		{"zero recheck", rdb, testAPIKey, 10, 1, []Option{WithRecheck(0)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l, err := New(tc.rdb, tc.key, tc.rate, tc.bur, tc.opts...)
			if l != nil || !errors.Is(err, api.ErrInvalidOption) {
				t.Fatalf("New = %v, %v; want nil, api.ErrInvalidOption", l, err)
			}
		})
	}
}

func TestBurstIsSharedByEveryLimiterOfTheKey(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	// Four "processes": four clients and limiters, one key. At 1 a second
	// with a burst of 3, three waits pass at once and the rest are refused
	// at once, since the next token is about a second away.
	var limiters []*Limiter
	for range 4 {
		rdb, _ := client(t, srv.Addr)
		limiters = append(limiters, newLimiter(t, rdb, 1, 3))
	}
	start := time.Now()
	var passed, refused int
	for round := range 2 {
		for i, l := range limiters {
			ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
			err := l.Wait(ctx)
			switch {
			case err == nil:
				passed++
			case errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil:
				refused++
			default:
				t.Errorf("round %d limiter %d: err %v; want nil or a refusal before the deadline", round, i, err)
			}
			cancel()
		}
	}
	took := time.Since(start)
	if took >= 900*time.Millisecond {
		// A new token may have come in the meantime: only the bounds hold.
		t.Logf("eight waits took %s; checking bounds only", took)
		if passed < 3 || passed > 4 {
			t.Errorf("passed %d in %s; want 3 or 4", passed, took)
		}
		return
	}
	if passed != 3 || refused != 5 {
		t.Errorf("passed %d, refused %d in %s; want 3 (the shared burst) and 5", passed, refused, took)
	}
}

func TestWaitEndsWithTheContext(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	rdb, _ := client(t, srv.Addr)
	l := newLimiter(t, rdb, 1, 1)
	if err := l.Wait(t.Context()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(50*time.Millisecond, cancel)
	if err := l.Wait(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v; want context.Canceled", err)
	}
	if err := l.Wait(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("err with an ended context = %v; want context.Canceled", err)
	}
}

func TestDailyBudgetIsSharedAndRefusesOnceSpent(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	sydney := time.FixedZone("AEST", 10*3600)
	now := time.Date(2026, 3, 10, 3, 59, 0, 0, sydney)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	budget := WithDailyBudget(DailyBudget{Limit: 5, ResetHour: 4, Location: sydney})
	var limiters []*Limiter
	for range 2 {
		rdb, _ := client(t, srv.Addr)
		limiters = append(limiters, newLimiter(t, rdb, 1000, 1000, budget, withClock(clock)))
	}
	var errs []error
	for i := range 8 {
		errs = append(errs, limiters[i%2].Wait(t.Context()))
	}
	for i, err := range errs {
		if i < 5 && err != nil {
			t.Errorf("wait %d: %v; want nil (within the budget of 5)", i, err)
		}
		if i >= 5 && !errors.Is(err, api.ErrDailyQuotaSpent) {
			t.Errorf("wait %d: %v; want api.ErrDailyQuotaSpent", i, err)
		}
	}
	if err := errs[7]; err == nil || !strings.Contains(err.Error(), "until 2026-03-10T04:00:00+10:00") {
		t.Errorf("error %q; want it to name the reset, 2026-03-10T04:00:00+10:00", err)
	}
	st, err := limiters[1].Budget(t.Context())
	want := BudgetStatus{Limit: 5, Used: 5, Remaining: 0, ResetsAt: time.Date(2026, 3, 10, 4, 0, 0, 0, sydney)}
	if err != nil || st != want {
		t.Errorf("Budget = %+v, %v; want %+v", st, err, want)
	}

	// At the reset the count starts over, for both.
	mu.Lock()
	now = now.Add(time.Minute)
	mu.Unlock()
	for i, l := range limiters {
		if err := l.Wait(t.Context()); err != nil {
			t.Errorf("limiter %d after the reset: %v; want nil", i, err)
		}
	}
	st, err = limiters[0].Budget(t.Context())
	if want := (BudgetStatus{Limit: 5, Used: 2, Remaining: 3, ResetsAt: time.Date(2026, 3, 11, 4, 0, 0, 0, sydney)}); err != nil || st != want {
		t.Errorf("Budget after the reset = %+v, %v; want %+v", st, err, want)
	}
}

func TestBudgetPeriods(t *testing.T) {
	t.Parallel()
	plus10 := time.FixedZone("+10", 10*3600)
	minus5 := time.FixedZone("-5", -5*3600)
	tests := []struct {
		name       string
		budget     DailyBudget
		now        time.Time
		start, end time.Time
		day        string
	}{
		{"midnight UTC by default", DailyBudget{Limit: 1}, time.Date(2026, 1, 31, 23, 59, 59, 0, time.UTC),
			time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC), time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), "2026-01-31"},
		{"exactly at the reset", DailyBudget{Limit: 1}, time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC),
			time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 2, 2, 0, 0, 0, 0, time.UTC), "2026-02-01"},
		{"before the reset time: yesterday's period", DailyBudget{Limit: 1, ResetHour: 4, ResetMinute: 30, Location: plus10}, time.Date(2026, 3, 1, 4, 29, 0, 0, plus10),
			time.Date(2026, 2, 28, 4, 30, 0, 0, plus10), time.Date(2026, 3, 1, 4, 30, 0, 0, plus10), "2026-02-28"},
		{"the zone decides the day, not UTC", DailyBudget{Limit: 1, Location: minus5}, time.Date(2026, 7, 2, 3, 0, 0, 0, time.UTC),
			time.Date(2026, 7, 1, 0, 0, 0, 0, minus5), time.Date(2026, 7, 2, 0, 0, 0, 0, minus5), "2026-07-01"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := newLimiter(t, redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"}), 1, 1, WithDailyBudget(tc.budget))
			p := l.period(tc.now)
			if !p.start.Equal(tc.start) || !p.end.Equal(tc.end) || !strings.HasSuffix(p.key, ":qpd:"+tc.day) {
				t.Errorf("period(%s) = [%s, %s) %s; want [%s, %s) ...:qpd:%s", tc.now, p.start, p.end, p.key, tc.start, tc.end, tc.day)
			}
		})
	}
}

func TestKeysAreNamespacedHoldNoSecretAndExpire(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	rdb, _ := client(t, srv.Addr)
	// 1 a second with a burst of 3: after 3 requests the rate key lives for
	// about 3 s, long enough to be seen.
	l := newLimiter(t, rdb, 1, 3, WithPrefix("acme-alerts"), WithDailyBudget(DailyBudget{Limit: 100}))
	for range 3 {
		if err := l.Wait(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	keys, err := rdb.Keys(t.Context(), "*").Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 2 {
		t.Fatalf("keys = %q; want 2 (the rate and the day's count)", keys)
	}
	for _, k := range keys {
		if !strings.Contains(k, "acme-alerts:"+l.keyHash+":") {
			t.Errorf("key %q; want it under acme-alerts:%s:", k, l.keyHash)
		}
		if strings.Contains(k, testAPIKey) || strings.Contains(k, "fake") {
			t.Errorf("key %q holds the API key", k)
		}
		ttl, err := rdb.TTL(t.Context(), k).Result()
		if err != nil || ttl <= 0 || ttl > 25*time.Hour+time.Minute {
			t.Errorf("TTL(%q) = %s, %v; want it to expire within a day and an hour", k, ttl, err)
		}
	}
	if len(l.keyHash) != 16 {
		t.Errorf("key hash %q; want 16 hex digits of SHA-256", l.keyHash)
	}
	if s := l.String(); strings.Contains(s, testAPIKey) {
		t.Errorf("String() = %q holds the API key", s)
	}
}

func TestRedisUnreachable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		opts     []Option
		wantErr  error // nil: the local fallback lets it go
		passes   int   // waits that pass at once after Redis broke
		local    float64
		localBur int
	}{
		{"fail closed", nil, ErrUnavailable, 0, 0, 0},
		{"fall back to a share", []Option{WithFallback(0.25)}, nil, 2, 10, 2},
		{"fall back to all of it", []Option{WithFallback(1)}, nil, 9, 40, 9},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := redistest.Start(t)
			rdb, b := client(t, srv.Addr)
			l := newLimiter(t, rdb, 40, 9, append(tc.opts, WithRecheck(time.Hour))...)
			if err := l.Wait(t.Context()); err != nil {
				t.Fatalf("with Redis up: %v", err)
			}
			b.broken.Store(true)
			callsBefore := b.calls.Load()
			var errs []error
			for range tc.passes + 1 {
				ctx, cancel := context.WithTimeout(t.Context(), 10*time.Millisecond)
				errs = append(errs, l.Wait(ctx))
				cancel()
			}
			for i, err := range errs[:tc.passes] {
				if err != nil {
					t.Errorf("wait %d: %v; want nil from the local share", i, err)
				}
			}
			last := errs[tc.passes]
			if tc.wantErr != nil && (!errors.Is(last, tc.wantErr) || !errors.Is(last, errBroken) || !strings.HasPrefix(last.Error(), "redislimit: redis unavailable: ")) {
				t.Errorf("err = %v; want ErrUnavailable wrapping Redis's error", last)
			}
			if tc.wantErr == nil && last == nil {
				t.Errorf("wait after the local burst passed; want the local bucket (%g/s, burst %d) to refuse a 10 ms deadline", tc.local, tc.localBur)
			}
			if tc.local > 0 && (float64(l.local.Limit()) != tc.local || l.local.Burst() != tc.localBur) {
				t.Errorf("local bucket %g/s burst %d; want %g/s burst %d", float64(l.local.Limit()), l.local.Burst(), tc.local, tc.localBur)
			}
			// Only the first wait asks Redis; the others, within the recheck
			// interval, do not wait on it again.
			if got := b.calls.Load() - callsBefore; got != 1 {
				t.Errorf("commands tried while Redis was broken: %d; want 1", got)
			}
		})
	}
}

func TestRecoversAndCountsWhatTheFallbackLetThrough(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	rdb, b := client(t, srv.Addr)
	l := newLimiter(t, rdb, 100, 10, WithFallback(1), WithRecheck(20*time.Millisecond), WithDailyBudget(DailyBudget{Limit: 50}))
	wait := func(what string) {
		t.Helper()
		if err := l.Wait(t.Context()); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	wait("before the outage")
	b.broken.Store(true)
	for range 3 {
		wait("during the outage")
	}
	if _, err := l.Budget(t.Context()); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Budget during the outage: %v; want ErrUnavailable", err)
	}
	b.broken.Store(false)
	time.Sleep(30 * time.Millisecond) // past the recheck interval
	callsBefore := b.calls.Load()
	wait("after the outage")
	if b.calls.Load() == callsBefore {
		t.Fatalf("the wait after the recheck interval did not ask Redis")
	}
	st, err := l.Budget(t.Context())
	if err != nil || st.Used != 5 || st.Remaining != 45 {
		t.Errorf("Budget = %+v, %v; want 5 used (1 before, 3 during, 1 after the outage), 45 left", st, err)
	}
}

func TestCheckDownLetsOneProberThrough(t *testing.T) {
	t.Parallel()
	l := &Limiter{}
	if probe, down := l.checkDown(); probe || down {
		t.Fatalf("fresh: probe %v down %v; want false false", probe, down)
	}
	l.downUntil.Store(time.Now().Add(time.Hour).UnixNano())
	if probe, down := l.checkDown(); probe || !down {
		t.Fatalf("within the interval: probe %v down %v; want false true", probe, down)
	}
	l.downUntil.Store(time.Now().Add(-time.Millisecond).UnixNano())
	if probe, down := l.checkDown(); !probe || down {
		t.Fatalf("interval over: probe %v down %v; want true false (the prober)", probe, down)
	}
	if probe, down := l.checkDown(); probe || !down {
		t.Fatalf("while probing: probe %v down %v; want false true", probe, down)
	}
}
