package whispir_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/whispir-go/whispir/api"
	"github.com/whispir-go/whispir/generated"
	"github.com/whispir-go/whispir/security"
	"github.com/whispir-go/whispir/whispirtest"
)

// resilWorkspace is the workspace every mock knows.
const resilWorkspace = whispirtest.WorkspaceID

// resilAttemptTimeout bounds each HTTP attempt of the clients here. It only
// has to be far below a slow fault's delay and far above a normal answer
// under the race detector on a busy machine. The cases whose slow fault
// outlasts it use resilShortAttemptTimeout, to keep the suite quick (go test
// runs only GOMAXPROCS parallel tests at once).
const (
	resilAttemptTimeout      = 3 * time.Second
	resilShortAttemptTimeout = 500 * time.Millisecond
)

// resilClock is a fake clock for RetryPolicy.Sleep: it records every wait
// and returns at once, with ctx.Err() when the context has ended. onSleep,
// when set, runs first (a test cancels its context there).
type resilClock struct {
	mu      sync.Mutex
	waits   []time.Duration
	onSleep func()
}

func (c *resilClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.waits = append(c.waits, d)
	f := c.onSleep
	c.mu.Unlock()
	if f != nil {
		f()
	}
	return ctx.Err()
}

func (c *resilClock) Waits() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.waits...)
}

// resilPolicy is DefaultRetryPolicy on the fake clock.
func resilPolicy(c *resilClock) api.RetryPolicy {
	p := api.DefaultRetryPolicy()
	p.Sleep = c.Sleep
	return p
}

// resilSetup starts a mock that checks its own (unfaulted) answers against
// the spec and returns it with a client on policy. The client has a
// transport of its own, so no connection is shared with another test; the
// transport is returned to drop idle connections.
func resilSetup(t *testing.T, policy api.RetryPolicy, attemptTimeout time.Duration, srvOpts ...whispirtest.Option) (*whispirtest.Server, *api.Client, *http.Transport) {
	t.Helper()
	srv := whispirtest.NewServer(append([]whispirtest.Option{whispirtest.WithResponseValidation(t)}, srvOpts...)...)
	t.Cleanup(srv.Close)
	p, err := security.New(srv.Credentials())
	if err != nil {
		t.Fatalf("security.New: %v", err)
	}
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	c, err := api.New(p, api.WithBaseURL(srv.URL), api.WithRetry(policy),
		api.WithHTTPClient(&http.Client{Transport: tr}), api.WithTimeout(attemptTimeout))
	if err != nil {
		t.Fatalf("api.New: %v", err)
	}
	return srv, c, tr
}

func resilSMS(subject string) generated.Message {
	body := "Hello from the resilience tests"
	return generated.Message{To: "61400000000", Subject: &subject, Body: &body}
}

// resilAttempts counts the requests the mock got for operation op.
func resilAttempts(srv *whispirtest.Server, op string) int {
	n := 0
	for _, r := range srv.Requests() {
		if r.OperationID == op {
			n++
		}
	}
	return n
}

// resilOutcome is what a fault does to one logical call.
type resilOutcome int

const (
	resilRetried  resilOutcome = iota // resilRetried until an attempt succeeds
	resilFails                        // one attempt, an error
	resilAbsorbed                     // one attempt, success despite the fault
)

// resilFault is one row of the fault matrix, before it is multiplied by
// the number of faulted attempts.
type resilFault struct {
	name      string
	fault     whispirtest.Fault
	outcome   resilOutcome
	processed bool                                  // a failing POST still stored its message
	timesOut  bool                                  // the fault outlasts the attempt timeout
	check     func(t *testing.T, err error)         // the error of a failing call
	waits     func(t *testing.T, w []time.Duration) // the waits of a resilRetried call
}

func (r resilFault) attemptTimeout() time.Duration {
	if r.timesOut {
		return resilShortAttemptTimeout
	}
	return resilAttemptTimeout
}

func resilWantAPIError(status int, code string, sentinel error) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		var e *api.Error
		if !errors.As(err, &e) {
			t.Fatalf("error: got %T %v; want an *api.Error", err, err)
		}
		if e.StatusCode != status || e.Code != code {
			t.Errorf("api.Error: got status %d code %q; want %d %q", e.StatusCode, e.Code, status, code)
		}
		if sentinel != nil && !errors.Is(err, sentinel) {
			t.Errorf("error: got %v; want it to wrap %v", err, sentinel)
		}
	}
}

func resilWantErrorIs(target error) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		if !errors.Is(err, target) {
			t.Errorf("error: got %v; want it to wrap %v", err, target)
		}
	}
}

func resilWantTransportError(t *testing.T, err error) {
	t.Helper()
	var e *api.Error
	if errors.As(err, &e) {
		t.Errorf("error: got *api.Error %v; want a transport error", err)
	}
}

// resilWaitsOf wants one wait of d per retry.
func resilWaitsOf(d time.Duration) func(*testing.T, []time.Duration) {
	return func(t *testing.T, w []time.Duration) {
		t.Helper()
		for i, got := range w {
			if got != d {
				t.Errorf("wait %d: got %v; want %v", i+1, got, d)
			}
		}
	}
}

// resilBackoffWaits wants DefaultRetryPolicy's exponential backoff with jitter:
// wait n in [base·2ⁿ⁻¹/2, base·2ⁿ⁻¹].
func resilBackoffWaits(t *testing.T, w []time.Duration) {
	t.Helper()
	base := api.DefaultRetryPolicy().BaseDelay
	for i, got := range w {
		hi := base << i
		if got < hi/2 || got > hi {
			t.Errorf("wait %d: got %v; want within [%v, %v]", i+1, got, hi/2, hi)
		}
	}
}

var (
	resilQPS       = whispirtest.Fault{Kind: whispirtest.FaultQPS}
	resilQPD       = whispirtest.Fault{Kind: whispirtest.FaultQPD}
	resilMashery   = whispirtest.Fault{Kind: whispirtest.FaultMasheryQPS}
	resil429       = whispirtest.Fault{Kind: whispirtest.FaultTooManyRequests, RetryAfter: "1"}
	resilSlowShort = 10 * time.Millisecond
	resilSlowLong  = time.Minute // far past resilAttemptTimeout; the mock stops when the client leaves
)

func resilStatus(code int, after bool) whispirtest.Fault {
	return whispirtest.Fault{Kind: whispirtest.FaultStatus, Status: code, AfterProcessing: after}
}

func resilSlow(d time.Duration, after bool) whispirtest.Fault {
	return whispirtest.Fault{Kind: whispirtest.FaultSlow, Delay: d, AfterProcessing: after}
}

// resilGatewayFaults are the gateway's rate-limit rejections, which every
// method meets alike: the request was not processed, so all but the daily
// quota are retried.
func resilGatewayFaults() []resilFault {
	qps := resilWaitsOf(api.DefaultRetryPolicy().QPSDelay)
	return []resilFault{
		{name: "FaultQPS", fault: resilQPS, outcome: resilRetried, waits: qps},
		{name: "FaultQPD", fault: resilQPD, outcome: resilFails, check: resilWantAPIError(403, api.CodeOverQPD, api.ErrRateLimited)},
		{name: "FaultMasheryQPS", fault: resilMashery, outcome: resilRetried, waits: qps},
		{name: "FaultTooManyRequests Retry-After 1", fault: resil429, outcome: resilRetried, waits: resilWaitsOf(time.Second)},
	}
}

// resilSendFaults are the faults a send (POST, not idempotent) meets.
func resilSendFaults() []resilFault {
	rows := resilGatewayFaults()
	for _, code := range []int{500, 502, 503, 504} {
		for _, after := range []bool{false, true} {
			rows = append(rows, resilFault{
				name: fmt.Sprintf("FaultStatus %d%s", code, resilAfterName(after)), fault: resilStatus(code, after),
				outcome: resilFails, processed: after, check: resilWantAPIError(code, "", nil),
			})
		}
	}
	for _, after := range []bool{false, true} {
		rows = append(rows,
			resilFault{name: "FaultSlow 10ms" + resilAfterName(after), fault: resilSlow(resilSlowShort, after), outcome: resilAbsorbed},
			resilFault{name: "FaultSlow past attempt timeout" + resilAfterName(after), fault: resilSlow(resilSlowLong, after),
				outcome: resilFails, processed: after, timesOut: true, check: resilWantErrorIs(context.DeadlineExceeded)},
			resilFault{name: "FaultDrop" + resilAfterName(after), fault: whispirtest.Fault{Kind: whispirtest.FaultDrop, AfterProcessing: after},
				outcome: resilFails, processed: after, check: resilWantTransportError},
		)
	}
	return append(rows,
		resilFault{name: "FaultTruncated", fault: whispirtest.Fault{Kind: whispirtest.FaultTruncated},
			outcome: resilFails, processed: true, check: resilWantErrorIs(io.ErrUnexpectedEOF)},
		resilFault{name: "FaultMalformed", fault: whispirtest.Fault{Kind: whispirtest.FaultMalformed},
			outcome: resilFails, check: resilWantErrorIs(api.ErrMalformedResponse)},
		// The id comes from Location, which the spoilt answer kept.
		resilFault{name: "FaultMalformed after processing", fault: whispirtest.Fault{Kind: whispirtest.FaultMalformed, AfterProcessing: true},
			outcome: resilAbsorbed},
	)
}

// resilReadFaults are the faults a read (GET, idempotent) meets.
func resilReadFaults() []resilFault {
	rows := append(resilGatewayFaults(),
		resilFault{name: "FaultStatus 500", fault: resilStatus(500, false), outcome: resilFails, check: resilWantAPIError(500, "", nil)})
	for _, code := range []int{502, 503, 504} {
		rows = append(rows, resilFault{name: fmt.Sprintf("FaultStatus %d", code), fault: resilStatus(code, false), outcome: resilRetried, waits: resilBackoffWaits})
	}
	return append(rows,
		resilFault{name: "FaultSlow 10ms", fault: resilSlow(resilSlowShort, false), outcome: resilAbsorbed},
		// A per-attempt timeout is a transport failure: retried for a GET.
		resilFault{name: "FaultSlow past attempt timeout", fault: resilSlow(resilSlowLong, false), outcome: resilRetried,
			timesOut: true, waits: resilBackoffWaits},
		resilFault{name: "FaultDrop", fault: whispirtest.Fault{Kind: whispirtest.FaultDrop}, outcome: resilRetried, waits: resilBackoffWaits},
		// The body is read inside the attempt: one cut short is retried.
		resilFault{name: "FaultTruncated", fault: whispirtest.Fault{Kind: whispirtest.FaultTruncated}, outcome: resilRetried, waits: resilBackoffWaits},
		resilFault{name: "FaultMalformed", fault: whispirtest.Fault{Kind: whispirtest.FaultMalformed}, outcome: resilFails, check: resilWantErrorIs(api.ErrMalformedResponse)},
	)
}

func resilAfterName(after bool) string {
	if after {
		return " after processing"
	}
	return ""
}

func resilErrText(err error) string {
	if err == nil {
		return "none"
	}
	return err.Error()
}

// TestFaultMatrixSend sends one message per case while the first 1, 2 or 3
// attempts meet a fault, and checks the promise: the mock holds exactly one
// message and SendMessage returned its id, or SendMessage returned an error
// and the mock holds at most one. Never two.
func TestFaultMatrixSend(t *testing.T) {
	t.Parallel()
	type tcase struct {
		row    resilFault
		faults int
	}
	var cases []tcase
	for _, row := range resilSendFaults() {
		for n := 1; n <= 3; n++ {
			cases = append(cases, tcase{row, n})
		}
	}
	// Every attempt refused: bounded by MaxAttempts.
	for _, f := range []whispirtest.Fault{resilQPS, resil429} {
		cases = append(cases, tcase{resilFault{name: f.Kind.String() + " on every attempt", fault: f, outcome: resilFails,
			check: resilWantErrorIs(api.ErrRateLimited)}, api.DefaultRetryPolicy().MaxAttempts})
	}
	for _, tc := range cases {
		name := fmt.Sprintf("%s x%d", tc.row.name, tc.faults)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			clock := &resilClock{}
			srv, c, _ := resilSetup(t, resilPolicy(clock), tc.row.attemptTimeout())
			if err := srv.InjectFaults(tc.faults, tc.row.fault); err != nil {
				t.Fatalf("InjectFaults: %v", err)
			}
			id, err := c.SendMessage(t.Context(), resilWorkspace, resilSMS(name))
			srv.Close() // waits for the mock's handlers: what it stored is final
			msgs := srv.Messages()
			attempts := resilAttempts(srv, "messageCreate")
			t.Logf("POST %-44s faulted=%d attempts=%d messages=%d err=%s", tc.row.name, tc.faults, attempts, len(msgs), resilErrText(err))

			// The promise.
			switch {
			case len(msgs) > 1:
				t.Fatalf("messages: got %d; want at most 1 (a send was duplicated)", len(msgs))
			case err == nil && len(msgs) != 1:
				t.Fatalf("messages: got %d after a successful send; want 1", len(msgs))
			case err == nil && id != msgs[0].ID:
				t.Fatalf("id: got %q; want %q, the recorded message's", id, msgs[0].ID)
			}

			// The expected outcome.
			wantAttempts, wantMessages, wantRetries := 1, 0, 0
			switch tc.row.outcome {
			case resilRetried:
				wantAttempts, wantMessages, wantRetries = tc.faults+1, 1, tc.faults
			case resilAbsorbed:
				wantMessages = 1
			case resilFails:
				if tc.row.processed {
					wantMessages = 1
				}
				if tc.faults == api.DefaultRetryPolicy().MaxAttempts {
					wantAttempts, wantRetries = tc.faults, tc.faults-1
				}
			}
			if attempts != wantAttempts {
				t.Errorf("attempts: got %d; want %d", attempts, wantAttempts)
			}
			if len(msgs) != wantMessages {
				t.Errorf("messages: got %d; want %d", len(msgs), wantMessages)
			}
			if (err != nil) != (tc.row.outcome == resilFails) {
				t.Errorf("error: got %v; want error: %v", err, tc.row.outcome == resilFails)
			}
			if err != nil && tc.row.check != nil {
				tc.row.check(t, err)
			}
			waits := clock.Waits()
			if len(waits) != wantRetries {
				t.Errorf("waits: got %v; want %d", waits, wantRetries)
			}
			if tc.row.waits != nil {
				tc.row.waits(t, waits)
			}
		})
	}
}

// TestFaultMatrixRead reads a message (messageRetrieve, a GET) while the
// first 1, 2 or 3 attempts meet a fault: gateway errors and dropped
// connections are resilRetried here, as a read cannot do harm twice.
func TestFaultMatrixRead(t *testing.T) {
	t.Parallel()
	for _, row := range resilReadFaults() {
		for n := 1; n <= 3; n++ {
			name := fmt.Sprintf("%s x%d", row.name, n)
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				clock := &resilClock{}
				srv, c, tr := resilSetup(t, resilPolicy(clock), row.attemptTimeout())
				id, err := c.SendMessage(t.Context(), resilWorkspace, resilSMS(name))
				if err != nil {
					t.Fatalf("SendMessage: %v", err)
				}
				// A fresh connection for the read: net/http itself resends a
				// GET whose reused connection was dropped, which would hide
				// the attempts from the count.
				tr.CloseIdleConnections()
				srv.Reset()
				if err := srv.InjectFaults(n, row.fault); err != nil {
					t.Fatalf("InjectFaults: %v", err)
				}
				resp, err := c.MessageRetrieveWithResponse(t.Context(), resilWorkspace, id)
				srv.Close()
				msgs := srv.Messages()
				attempts := resilAttempts(srv, "messageRetrieve")
				t.Logf("GET  %-44s faulted=%d attempts=%d messages=%d err=%s", row.name, n, attempts, len(msgs), resilErrText(err))

				if len(msgs) != 1 {
					t.Errorf("messages: got %d; want 1 (a read stores nothing)", len(msgs))
				}
				wantAttempts, wantRetries := 1, 0
				if row.outcome == resilRetried {
					wantAttempts, wantRetries = n+1, n
				}
				if attempts != wantAttempts {
					t.Errorf("attempts: got %d; want %d", attempts, wantAttempts)
				}
				switch {
				case row.outcome == resilFails && err == nil:
					t.Fatalf("error: got none; want one")
				case row.outcome != resilFails && err != nil:
					t.Fatalf("error: got %v; want none", err)
				case err != nil:
					if row.check != nil {
						row.check(t, err)
					}
				case resp.JSON200 == nil:
					t.Errorf("retrieved: got nothing; want message %s", id)
				default:
					// As Whispir's, the mock names the message by its self link.
					if got, err := api.MessageID(*resp.JSON200); err != nil || got != id {
						t.Errorf("retrieved: got %+v (%v); want message %s", resp.JSON200, err, id)
					}
				}
				waits := clock.Waits()
				if len(waits) != wantRetries {
					t.Errorf("waits: got %v; want %d", waits, wantRetries)
				}
				if row.waits != nil {
					row.waits(t, waits)
				}
			})
		}
	}
}

// resilDateIn10s stands for an HTTP date 10 s from when the case runs.
const resilDateIn10s = "<date in 10s>"

// TestRetryAfterHonoured measures the waits through the fake clock.
func TestRetryAfterHonoured(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		fault      whispirtest.Fault
		maxDelay   time.Duration
		wantErr    bool
		wantWaitLo time.Duration // the wait, when resilRetried, within [lo, hi]
		wantWaitHi time.Duration
	}{
		{"429 Retry-After 3", whispirtest.Fault{Kind: whispirtest.FaultTooManyRequests, RetryAfter: "3"},
			30 * time.Second, false, 3 * time.Second, 3 * time.Second},
		{"QPS Retry-After 2 beats QPSDelay", whispirtest.Fault{Kind: whispirtest.FaultQPS, RetryAfter: "2"},
			30 * time.Second, false, 2 * time.Second, 2 * time.Second},
		{"QPS without Retry-After waits QPSDelay", whispirtest.Fault{Kind: whispirtest.FaultQPS},
			30 * time.Second, false, time.Second, time.Second},
		{"Mashery QPS Retry-After 4", whispirtest.Fault{Kind: whispirtest.FaultMasheryQPS, RetryAfter: "4"},
			30 * time.Second, false, 4 * time.Second, 4 * time.Second},
		// An HTTP date has whole seconds and the client reads it against
		// time.Now: the wait is the 10 s ahead less up to a second (plus
		// scheduling slack).
		{"429 Retry-After HTTP date 10s ahead", whispirtest.Fault{Kind: whispirtest.FaultTooManyRequests, RetryAfter: resilDateIn10s},
			30 * time.Second, false, 7 * time.Second, 10 * time.Second},
		{"429 Retry-After equal to MaxDelay", whispirtest.Fault{Kind: whispirtest.FaultTooManyRequests, RetryAfter: "30"},
			30 * time.Second, false, 30 * time.Second, 30 * time.Second},
		{"429 Retry-After over MaxDelay", whispirtest.Fault{Kind: whispirtest.FaultTooManyRequests, RetryAfter: "120"},
			30 * time.Second, true, 0, 0},
		{"QPS Retry-After over a small MaxDelay", whispirtest.Fault{Kind: whispirtest.FaultQPS, RetryAfter: "5"},
			2 * time.Second, true, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clock := &resilClock{}
			policy := resilPolicy(clock)
			policy.MaxDelay = tc.maxDelay
			srv, c, _ := resilSetup(t, policy, resilAttemptTimeout)
			f := tc.fault
			if f.RetryAfter == resilDateIn10s {
				f.RetryAfter = time.Now().Add(10 * time.Second).UTC().Format(http.TimeFormat)
			}
			if err := srv.InjectFaults(1, f); err != nil {
				t.Fatalf("InjectFaults: %v", err)
			}
			_, err := c.SendMessage(t.Context(), resilWorkspace, resilSMS(tc.name))
			waits := clock.Waits()
			if tc.wantErr {
				var e *api.Error
				if !errors.As(err, &e) || !errors.Is(err, api.ErrRateLimited) {
					t.Fatalf("error: got %v; want an *api.Error wrapping ErrRateLimited", err)
				}
				if want, _ := time.ParseDuration(tc.fault.RetryAfter + "s"); e.RetryAfter != want {
					t.Errorf("RetryAfter: got %v; want %v", e.RetryAfter, want)
				}
				if len(waits) != 0 {
					t.Errorf("waits: got %v; want none (the error is returned at once)", waits)
				}
				if got := resilAttempts(srv, "messageCreate"); got != 1 {
					t.Errorf("attempts: got %d; want 1", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("SendMessage: got %v; want success after one retry", err)
			}
			t.Logf("Retry-After %q: waits %v", tc.fault.RetryAfter, waits)
			if len(waits) != 1 || waits[0] < tc.wantWaitLo || waits[0] > tc.wantWaitHi {
				t.Errorf("waits: got %v; want one within [%v, %v]", waits, tc.wantWaitLo, tc.wantWaitHi)
			}
		})
	}
}

// TestContextDeadlineWins: however the server behaves and whatever the
// policy says, the call ends when its context does.
func TestContextDeadlineWins(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		fault    whispirtest.Fault
		faults   int
		realTime bool // the policy's own timer instead of the fake clock
		deadline time.Duration
		cancel   bool // the fake clock cancels the context at the first wait
		wantErr  error
		wantMax  int // attempts at most
	}{
		{"slow answer past the deadline", resilSlow(time.Minute, false), 1, false, 200 * time.Millisecond, false, context.DeadlineExceeded, 1},
		{"slow answer after processing past the deadline", resilSlow(time.Minute, true), 1, false, 200 * time.Millisecond, false, context.DeadlineExceeded, 1},
		{"Retry-After longer than the deadline, real timer", whispirtest.Fault{Kind: whispirtest.FaultTooManyRequests, RetryAfter: "25"}, 1, true, 200 * time.Millisecond, false, context.DeadlineExceeded, 1},
		{"context ends during the wait", resilQPS, 3, false, time.Minute, true, context.Canceled, 1},
		{"deadline already passed", resilQPS, 1, false, -time.Second, false, context.DeadlineExceeded, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clock := &resilClock{}
			policy := resilPolicy(clock)
			if tc.realTime {
				policy.Sleep = nil
			}
			srv, c, _ := resilSetup(t, policy, resilAttemptTimeout)
			if err := srv.InjectFaults(tc.faults, tc.fault); err != nil {
				t.Fatalf("InjectFaults: %v", err)
			}
			ctx, cancel := context.WithTimeout(t.Context(), tc.deadline)
			defer cancel()
			if tc.cancel {
				clock.onSleep = cancel
			}
			type result struct {
				id  string
				err error
			}
			done := make(chan result, 1)
			go func() {
				id, err := c.SendMessage(ctx, resilWorkspace, resilSMS(tc.name))
				done <- result{id, err}
			}()
			var r result
			select {
			case r = <-done:
			case <-time.After(20 * time.Second): // a bound, not a measurement
				t.Fatal("SendMessage outlived its context by 20 s")
			}
			if !errors.Is(r.err, tc.wantErr) {
				t.Errorf("error: got %v; want it to wrap %v", r.err, tc.wantErr)
			}
			srv.Close()
			if got := resilAttempts(srv, "messageCreate"); got > tc.wantMax {
				t.Errorf("attempts: got %d; want at most %d", got, tc.wantMax)
			}
			if n := len(srv.Messages()); n > 1 {
				t.Errorf("messages: got %d; want at most 1", n)
			}
			if tc.cancel && len(clock.Waits()) != 1 {
				t.Errorf("waits: got %v; want 1 (no retry after the context ended)", clock.Waits())
			}
		})
	}
}

// TestConcurrentSendsWhileRotating shares one client between 100
// goroutines sending 20 messages each while another goroutine rotates the
// credentials between two sets, on the provider and on the mock. The mock
// accepts both sets, each only whole, so every message must arrive once,
// sent with one set and never with the key of one and the password of the
// other.
func TestConcurrentSendsWhileRotating(t *testing.T) {
	t.Parallel()
	const goroutines, perGoroutine = 100, 20
	a := security.Credentials{APIKey: "rotation-key-a", Username: "rotation-user-a", Password: "rotation-password-a"}
	b := security.Credentials{APIKey: "rotation-key-b", Username: "rotation-user-b", Password: "rotation-password-b"}
	srv := whispirtest.NewServer(whispirtest.WithCredentials(a), whispirtest.WithAdditionalCredentials(a, b))
	t.Cleanup(srv.Close)
	p, err := security.New(a)
	if err != nil {
		t.Fatalf("security.New: %v", err)
	}
	tr := &http.Transport{MaxIdleConnsPerHost: goroutines}
	t.Cleanup(tr.CloseIdleConnections)
	c, err := api.New(p, api.WithBaseURL(srv.URL), api.WithRetry(resilPolicy(&resilClock{})),
		api.WithHTTPClient(&http.Client{Transport: tr}))
	if err != nil {
		t.Fatalf("api.New: %v", err)
	}

	ctx := t.Context()
	stop := make(chan struct{})
	var rotations atomic.Int64
	var rotator sync.WaitGroup
	rotator.Go(func() {
		sets := [2]security.Credentials{b, a}
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			next := sets[i%2]
			if err := p.Update(next); err != nil {
				t.Errorf("Update: %v", err)
				return
			}
			srv.SetCredentials(next)
			rotations.Add(1)
			time.Sleep(200 * time.Microsecond)
		}
	})

	var senders sync.WaitGroup
	errs := make(chan error, goroutines*perGoroutine)
	for g := range goroutines {
		senders.Go(func() {
			for m := range perGoroutine {
				if _, err := c.SendMessage(ctx, resilWorkspace, resilSMS(fmt.Sprintf("g%03d-m%02d", g, m))); err != nil {
					errs <- fmt.Errorf("g%03d-m%02d: %w", g, m, err)
				}
			}
		})
	}
	senders.Wait()
	close(stop)
	rotator.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("SendMessage: %v", err)
	}

	msgs := srv.Messages()
	if got, want := len(msgs), goroutines*perGoroutine; got != want {
		t.Errorf("messages: got %d; want %d", got, want)
	}
	seen := map[string]int{}
	used := map[string]int{}
	for _, m := range msgs {
		subject := ""
		if m.Message.Subject != nil {
			subject = *m.Message.Subject
		}
		seen[subject]++
		switch *m.Credentials {
		case a:
			used["a"]++
		case b:
			used["b"]++
		default:
			t.Errorf("message %s: sent with credentials %v; want set a or set b, whole", subject, m.Credentials)
		}
	}
	for g := range goroutines {
		for m := range perGoroutine {
			if s := fmt.Sprintf("g%03d-m%02d", g, m); seen[s] != 1 {
				t.Errorf("message %s: arrived %d times; want 1", s, seen[s])
			}
		}
	}
	for _, r := range srv.Requests() {
		if r.Status != http.StatusAccepted {
			t.Errorf("request %s %s: answered %d; want 202", r.Method, r.Path, r.Status)
		}
	}
	t.Logf("%d messages, %d rotations, sent with set a: %d, set b: %d", len(msgs), rotations.Load(), used["a"], used["b"])
	if len(msgs) == 0 {
		t.Fatal("messages: got none; want some to format")
	}
	if strings.Contains(fmt.Sprint(msgs[:1]), a.Password) {
		t.Errorf("formatted SentMessage shows a password")
	}
}
