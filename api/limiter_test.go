package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/whispir-go/whispir/generated"
)

// countingLimiter counts Wait calls and answers each with the next error
// of errs (nil once they run out).
type countingLimiter struct {
	mu    sync.Mutex
	waits int
	errs  []error
}

func (l *countingLimiter) Wait(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.waits++
	if len(l.errs) == 0 {
		return nil
	}
	err := l.errs[0]
	l.errs = l.errs[1:]
	return err
}

func (l *countingLimiter) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.waits
}

// failFirst answers status (with code in X-Error-Code when set) to the
// first n requests, then handler.
func failFirst(n int32, status int, code string, handler http.HandlerFunc) http.HandlerFunc {
	var calls atomic.Int32
	return func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) <= n {
			if code != "" {
				w.Header().Set("X-Error-Code", code)
			}
			w.WriteHeader(status)
			return
		}
		handler(w, r)
	}
}

func listed(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/vnd.whispir.message-v1+json")
	fmt.Fprint(w, `{"messages":[],"status":"No records found","link":[]}`)
}

func TestEveryAttemptTakesAToken(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		handler  http.HandlerFunc
		call     func(ctx context.Context, c *Client) error
		attempts int
	}{
		{"send, no retry", accepted("A"), sendOne, 1},
		{"send retried after two QPS rejections", failFirst(2, http.StatusForbidden, CodeOverQPS, accepted("A")), sendOne, 3},
		{"send retried after 429s until the policy gives up", failFirst(10, http.StatusTooManyRequests, "", accepted("A")), sendOne, DefaultRetryPolicy().MaxAttempts},
		{"list retried after 503s", failFirst(3, http.StatusServiceUnavailable, "", listed), listOne, 4},
		{"send not retried after QPD", failFirst(1, http.StatusForbidden, CodeOverQPD, accepted("A")), sendOne, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := &countingLimiter{}
			c, f := setup(t, tc.handler, WithLimiter(l))
			_ = tc.call(t.Context(), c)
			if got := len(f.requests()); got != tc.attempts {
				t.Fatalf("requests = %d; want %d", got, tc.attempts)
			}
			if got := l.count(); got != tc.attempts {
				t.Errorf("limiter waits = %d; want %d, one per attempt", got, tc.attempts)
			}
		})
	}
}

func sendOne(ctx context.Context, c *Client) error {
	_, err := c.SendMessage(ctx, "ABC", generated.Message{To: "61400000000"})
	return err
}

func listOne(ctx context.Context, c *Client) error {
	_, err := c.MessageListWithResponse(ctx, "ABC", nil)
	return err
}

func TestLimiterRefusalIsReturnedAtOnceAndNothingIsSent(t *testing.T) {
	t.Parallel()
	quota := fmt.Errorf("shared budget of 20000 spent: %w", ErrDailyQuotaSpent)
	broken := errors.New("store unreachable")
	tests := []struct {
		name      string
		retryErrs []error // limiter answers, in order
		sentFirst bool    // the first attempt gets a QPS rejection, so the refusal hits the retry
		wantIs    []error
		wantNot   []error
		wantText  string
		wantQPD   bool
	}{
		{"daily quota spent", []error{quota}, false, []error{ErrRateLimited}, []error{ErrLimiterWait}, "messageCreate: not sent (ERR_403_DEVELOPER_OVER_QPD): daily quota spent", true},
		{"daily quota spent on a retry", []error{nil, quota}, true, []error{ErrRateLimited}, []error{ErrLimiterWait}, "messageCreate: not sent (ERR_403_DEVELOPER_OVER_QPD)", true},
		{"limiter failure", []error{broken}, false, []error{ErrLimiterWait, broken}, []error{ErrRateLimited}, "messageCreate: rate limit wait: store unreachable", false},
		{"limiter failure on a retry", []error{nil, broken}, true, []error{ErrLimiterWait, broken}, []error{ErrRateLimited}, "messageCreate: rate limit wait: store unreachable", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			handler := accepted("A")
			if tc.sentFirst {
				handler = failFirst(1, http.StatusForbidden, CodeOverQPS, handler)
			}
			c, f := setup(t, handler, WithLimiter(&countingLimiter{errs: tc.retryErrs}))
			_, err := c.SendMessage(t.Context(), "ABC", generated.Message{To: "61400000000"})
			for _, want := range tc.wantIs {
				if !errors.Is(err, want) {
					t.Errorf("err = %v; want errors.Is %v", err, want)
				}
			}
			for _, not := range tc.wantNot {
				if errors.Is(err, not) {
					t.Errorf("err = %v; want not errors.Is %v", err, not)
				}
			}
			if err == nil || !strings.HasPrefix(err.Error(), tc.wantText) || strings.Contains(err.Error(), "\n") {
				t.Errorf("err = %q; want one line starting %q", err, tc.wantText)
			}
			var apiErr *Error
			if gotQPD := errors.As(err, &apiErr) && apiErr.Code == CodeOverQPD; gotQPD != tc.wantQPD {
				t.Errorf("*Error with Code %s: got %v; want %v (err %v)", CodeOverQPD, gotQPD, tc.wantQPD, err)
			}
			if tc.wantQPD && (apiErr.Operation != "messageCreate" || apiErr.StatusCode != 0 || apiErr.Temporary()) {
				t.Errorf("error = %+v; want operation messageCreate, status 0 (not sent), not temporary", apiErr)
			}
			want := 0
			if tc.sentFirst {
				want = 1
			}
			if got := len(f.requests()); got != want {
				t.Errorf("requests = %d; want %d", got, want)
			}
		})
	}
}

func TestLimiterWaitPastTheDeadlineFailsAtOnce(t *testing.T) {
	t.Parallel()
	c, f := setup(t, accepted("A"), WithLimiter(rate.NewLimiter(rate.Every(time.Hour), 1)))
	if err := sendOne(t.Context(), c); err != nil {
		t.Fatal(err)
	}
	// The next token is an hour away; with a one-minute deadline the wait
	// is refused up front rather than run into the deadline.
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	err := sendOne(ctx, c)
	if !errors.Is(err, ErrLimiterWait) || !strings.HasPrefix(err.Error(), "messageCreate: rate limit wait: ") {
		t.Fatalf("err = %v; want messageCreate: rate limit wait: ... wrapping ErrLimiterWait", err)
	}
	if ctx.Err() != nil {
		t.Errorf("the wait ran into the deadline; want a refusal at once")
	}
	if n := len(f.requests()); n != 1 {
		t.Errorf("requests = %d; want 1", n)
	}
}

func TestLimiterWaitEndsWithTheContext(t *testing.T) {
	t.Parallel()
	c, f := setup(t, accepted("A"), WithLimiter(rate.NewLimiter(rate.Every(time.Hour), 1)))
	if err := sendOne(t.Context(), c); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context()) // no deadline: the limiter waits
	time.AfterFunc(20*time.Millisecond, cancel)
	err := sendOne(ctx, c)
	if !errors.Is(err, ErrLimiterWait) || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v; want ErrLimiterWait and context.Canceled", err)
	}
	if n := len(f.requests()); n != 1 {
		t.Errorf("requests = %d; want 1", n)
	}
}

func TestWithLimiterRefusesNil(t *testing.T) {
	t.Parallel()
	p := newTestProvider(t)
	tests := []struct {
		name string
		l    Limiter
	}{
		{"nil interface", nil},
		{"nil *rate.Limiter", (*rate.Limiter)(nil)},
		{"nil *countingLimiter", (*countingLimiter)(nil)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := New(p, WithLimiter(tc.l))
			if c != nil || !errors.Is(err, ErrInvalidOption) {
				t.Fatalf("New = %v, %v; want nil, ErrInvalidOption", c, err)
			}
		})
	}
}

func TestWithRateLimitGivesEachClientItsOwnBucket(t *testing.T) {
	t.Parallel()
	// One Option value used for two clients: each must get a fresh bucket
	// of one token, not share one.
	opt := WithRateLimit(0.001)
	c1, f1 := setup(t, accepted("A"), opt)
	c2, f2 := setup(t, accepted("B"), opt)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	for i, c := range []*Client{c1, c2} {
		if err := sendOne(ctx, c); err != nil {
			t.Errorf("client %d first send: %v; want nil (its own token)", i+1, err)
		}
	}
	if n1, n2 := len(f1.requests()), len(f2.requests()); n1 != 1 || n2 != 1 {
		t.Errorf("requests = %d, %d; want 1, 1", n1, n2)
	}
}

func TestLastLimiterOptionWins(t *testing.T) {
	t.Parallel()
	l := &countingLimiter{}
	c, _ := setup(t, accepted("A"), WithRateLimit(0.001), WithLimiter(l))
	for range 3 {
		if err := sendOne(t.Context(), c); err != nil {
			t.Fatalf("send: %v; want nil (the rate limit was replaced)", err)
		}
	}
	if got := l.count(); got != 3 {
		t.Errorf("waits = %d; want 3", got)
	}
}
