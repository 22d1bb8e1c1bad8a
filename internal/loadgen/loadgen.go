// Package loadgen drives an HTTP server with a fixed number of workers, each
// sending one request after another on its own keep-alive connection, for a
// fixed time after a warm-up, and measures what the server answers:
// requests per second, latency percentiles and the statuses. An answer
// with a status the caller did not expect, or a request that fails, fails
// the run: a fast wrong answer must not count. make bench-mock uses it
// (internal/cmd/loadgen) to compare whispir mock with Prism and with
// [BareHandler].
//
// By default each worker speaks HTTP/1.1 itself, as wrk does: it writes the
// request, serialised once, and reads the answer's status line, headers and
// body (Content-Length or chunked). That costs the client a few
// microseconds of CPU per request, where net/http's client costs tens: on
// a machine whose cores the client shares with the server, a lighter
// client leaves more of them to the server under test. Config.NetHTTP
// uses net/http's client instead.
package loadgen

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Request is the request every worker sends, again and again.
type Request struct {
	Method string
	URL    string
	Header http.Header
	Body   []byte
}

// Config is one run.
type Config struct {
	Request Request
	// Workers is the number of concurrent senders, each with its own
	// connection (at least 1).
	Workers int
	// Warmup is how long the workers send before the measurement starts;
	// its answers are checked but not measured.
	Warmup time.Duration
	// Duration is how long the measurement lasts (positive).
	Duration time.Duration
	// Want are the statuses a correct answer may have (at least one).
	Want []int
	// NetHTTP sends with net/http's client instead of the built-in
	// HTTP/1.1 one.
	NetHTTP bool
}

// Result is what a run measured: requests sent in the measured window,
// and answered with an expected status.
type Result struct {
	Requests int           // answered within the window
	Elapsed  time.Duration // the window
	P50, P99 time.Duration // latency percentiles of those requests
	// Statuses counts every answer, warm-up included, by status.
	Statuses map[int]int
}

// PerSecond is the throughput: requests answered per second of the window.
func (r Result) PerSecond() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Elapsed.Seconds()
}

// ErrUnexpected is wrapped by the error of a run in which an answer had a
// status outside Config.Want.
var ErrUnexpected = errors.New("unexpected status")

// Run sends c.Request from c.Workers workers for c.Warmup plus c.Duration.
// It returns an error when a request fails, when an answer's status is not
// in c.Want (wrapping [ErrUnexpected]), or when ctx ends first.
func Run(ctx context.Context, c Config) (Result, error) {
	switch {
	case c.Workers < 1:
		return Result{}, fmt.Errorf("loadgen: %d workers", c.Workers)
	case c.Duration <= 0 || c.Warmup < 0:
		return Result{}, fmt.Errorf("loadgen: duration %v, warm-up %v", c.Duration, c.Warmup)
	case len(c.Want) == 0:
		return Result{}, fmt.Errorf("loadgen: no expected status")
	}
	var send func(ctx context.Context, w *worker) (int, error)
	if c.NetHTTP {
		tr := &http.Transport{
			MaxIdleConnsPerHost: c.Workers,
			MaxConnsPerHost:     c.Workers,
			DisableCompression:  true,
			IdleConnTimeout:     time.Minute,
		}
		defer tr.CloseIdleConnections()
		client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
		send = func(ctx context.Context, w *worker) (int, error) { return w.sendNetHTTP(ctx, client, c.Request) }
	} else {
		raw, err := serialize(c.Request)
		if err != nil {
			return Result{}, err
		}
		send = func(ctx context.Context, w *worker) (int, error) { return w.raw.do(ctx, raw) }
	}

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	start := time.Now()
	from, until := start.Add(c.Warmup), start.Add(c.Warmup+c.Duration)
	workers := make([]*worker, c.Workers)
	var wg sync.WaitGroup
	for i := range workers {
		w := &worker{header: c.Request.Header.Clone(), statuses: map[int]int{}, latencies: make([]time.Duration, 0, 1<<14)}
		workers[i] = w
		wg.Go(func() {
			defer w.raw.close()
			if err := w.run(ctx, send, c, from, until); err != nil {
				cancel(err)
			}
		})
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return Result{}, err
	}
	res := Result{Elapsed: c.Duration, Statuses: map[int]int{}}
	var all []time.Duration
	for _, w := range workers {
		all = append(all, w.latencies...)
		for code, n := range w.statuses {
			res.Statuses[code] += n
		}
	}
	res.Requests = len(all)
	slices.Sort(all)
	res.P50, res.P99 = percentile(all, 50), percentile(all, 99)
	return res, nil
}

// percentile is the p-th percentile of sorted (nearest rank); 0 for none.
func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := (len(sorted)*p + 99) / 100 // ceil(n*p/100), the nearest rank
	return sorted[max(i, 1)-1]
}

type worker struct {
	header    http.Header  // NetHTTP
	body      bytes.Reader // NetHTTP
	raw       rawConn      // the built-in client
	statuses  map[int]int
	latencies []time.Duration // of the requests within the window
}

// run sends requests until the window ends: those that start within it
// and end before its end are measured.
func (w *worker) run(ctx context.Context, send func(context.Context, *worker) (int, error), c Config, from, until time.Time) error {
	for {
		t0 := time.Now()
		if !t0.Before(until) {
			return nil
		}
		status, err := send(ctx, w)
		if err != nil {
			return fmt.Errorf("loadgen: %s %s: %w", c.Request.Method, c.Request.URL, err)
		}
		w.statuses[status]++
		if !slices.Contains(c.Want, status) {
			return fmt.Errorf("loadgen: %s %s: %w %d; want %s", c.Request.Method, c.Request.URL, ErrUnexpected, status, statusList(c.Want))
		}
		if t1 := time.Now(); !t0.Before(from) && t1.Before(until) {
			w.latencies = append(w.latencies, t1.Sub(t0))
		}
	}
}

func (w *worker) sendNetHTTP(ctx context.Context, client *http.Client, r Request) (int, error) {
	var body io.Reader
	if r.Body != nil {
		w.body.Reset(r.Body)
		body = &w.body
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, r.URL, body)
	if err != nil {
		return 0, err
	}
	req.Header = w.header // read-only to the transport; one copy per worker
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	if cerr := resp.Body.Close(); err == nil {
		err = cerr
	}
	return resp.StatusCode, err
}

func statusList(codes []int) string {
	s := make([]string, len(codes))
	for i, c := range codes {
		s[i] = strconv.Itoa(c)
	}
	return strings.Join(s, " or ")
}

// StatusCounts formats counts as "202×1234 422×1", in status order.
func StatusCounts(counts map[int]int) string {
	var parts []string
	for _, code := range slices.Sorted(maps.Keys(counts)) {
		parts = append(parts, strconv.Itoa(code)+"×"+strconv.Itoa(counts[code]))
	}
	return strings.Join(parts, " ")
}
