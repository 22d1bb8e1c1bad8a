package redislimit

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/whispir-go/whispir/api"
)

// period is one day of the budget: [start, end), its Redis key, and the
// time it was computed for.
type period struct {
	start, end, now time.Time
	key             string
}

// period returns the budget day that holds t: it starts at the reset time
// in the budget's location (a DST gap moves the reset as time.Date does).
func (l *Limiter) period(t time.Time) period {
	b := l.budget
	local := t.In(b.Location)
	y, m, d := local.Date()
	start := time.Date(y, m, d, b.ResetHour, b.ResetMinute, 0, 0, b.Location)
	if start.After(t) {
		start = time.Date(y, m, d-1, b.ResetHour, b.ResetMinute, 0, 0, b.Location)
	}
	sy, sm, sd := start.Date()
	end := time.Date(sy, sm, sd+1, b.ResetHour, b.ResetMinute, 0, 0, b.Location)
	return period{start: start, end: end, now: t, key: l.dayKey + start.Format(time.DateOnly)}
}

// BudgetStatus is the state of the shared daily budget, for metrics.
type BudgetStatus struct {
	Limit     int       // the budget
	Used      int       // requests counted today, at most Limit
	Remaining int       // Limit - Used
	ResetsAt  time.Time // when the next day's budget starts
}

// errNoBudget is returned by Budget on a limiter without WithDailyBudget.
var errNoBudget = fmt.Errorf("%w: no daily budget configured", api.ErrInvalidOption)

// Budget reads the shared daily budget from Redis: how much of it the
// processes sharing the key have used today, and what is left. Requests
// let through by the fallback during an outage are counted once Redis is
// back. It returns an error wrapping ErrUnavailable when Redis cannot be
// reached, and one wrapping api.ErrInvalidOption without WithDailyBudget.
func (l *Limiter) Budget(ctx context.Context) (BudgetStatus, error) {
	if l.budget.Limit <= 0 {
		return BudgetStatus{}, errNoBudget
	}
	day := l.period(l.now())
	n, err := l.rdb.Get(ctx, day.key).Int64()
	if err != nil && !errors.Is(err, redis.Nil) {
		if cerr := ctx.Err(); cerr != nil {
			return BudgetStatus{}, cerr
		}
		return BudgetStatus{}, fmt.Errorf("redislimit: read daily budget: %w: %w", ErrUnavailable, err)
	}
	used := int(min(max(n, 0), int64(l.budget.Limit)))
	return BudgetStatus{Limit: l.budget.Limit, Used: used, Remaining: l.budget.Limit - used, ResetsAt: day.end}, nil
}
