// Command loadsender is the helper process of redislimit's multi-process
// tests: it sends -n SMS messages through an api.Client paced by a
// redislimit.Limiter, from -c goroutines, and prints one JSON line per
// message with its outcome.
//
// With -ready it first sets everything up (spec, connections to Redis and
// the server, warmed with one messageList request paced by the limiter),
// prints the line "ready" and waits for a line on standard input, so a test
// can start several processes together.
//
// The Whispir base URL (a whispirtest server) comes from WHISPIR_BASE_URL,
// the (fake) credentials from WHISPIR_API_KEY, WHISPIR_USERNAME and
// WHISPIR_PASSWORD. Exit status: 0 when every message has an outcome
// (sent or failed), 2 for bad flags or setup.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/whispir-go/whispir/api"
	"github.com/whispir-go/whispir/generated"
	"github.com/whispir-go/whispir/redislimit"
	"github.com/whispir-go/whispir/security"
)

// Outcome is one message's line of output.
type Outcome struct {
	Body  string `json:"body"`         // the message body, unique per message
	ID    string `json:"id,omitempty"` // the message id, when sent
	Class string `json:"class"`        // "sent", "unavailable", "quota" or "other"
	Error string `json:"error,omitempty"`
	// Granted is when the limiter last let this message's request go
	// (unix nanoseconds; 0 when it never did).
	Granted int64 `json:"granted,omitempty"`
}

type flags struct {
	redisAddr, name         string
	n, workers              int
	perSecond, burst, quota int
	fallback                float64
	ready                   bool
}

func main() {
	var f flags
	flag.StringVar(&f.redisAddr, "redis", "", "Redis address host:port")
	flag.StringVar(&f.name, "name", "p", "prefix of the message bodies, unique per process")
	flag.IntVar(&f.n, "n", 100, "messages to send")
	flag.IntVar(&f.workers, "c", 1, "concurrent senders")
	flag.IntVar(&f.perSecond, "rate", 50, "shared requests per second")
	flag.IntVar(&f.burst, "burst", 5, "shared burst")
	flag.Float64Var(&f.fallback, "fallback", 0, "share of the rate to use when Redis is unreachable; 0 fails closed")
	flag.IntVar(&f.quota, "budget", 0, "shared daily budget; 0 for none")
	flag.BoolVar(&f.ready, "ready", false, `print "ready" after setup and wait for a line on stdin`)
	flag.Parse()
	if err := run(f); err != nil {
		fmt.Fprintln(os.Stderr, "loadsender:", err)
		os.Exit(2)
	}
}

func run(f flags) error {
	if f.redisAddr == "" || f.n < 0 || f.workers < 1 {
		return errors.New("need -redis, -n >= 0 and -c >= 1")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	p, err := security.FromEnv()
	if err != nil {
		return err
	}
	rdb := redis.NewClient(&redis.Options{Addr: f.redisAddr, DialTimeout: time.Second, MaxRetries: 1})
	defer rdb.Close()
	var opts []redislimit.Option
	if f.fallback > 0 {
		opts = append(opts, redislimit.WithFallback(f.fallback))
	}
	if f.quota > 0 {
		opts = append(opts, redislimit.WithDailyBudget(redislimit.DailyBudget{Limit: f.quota}))
	}
	lim, err := redislimit.New(rdb, p.Credentials().APIKey, f.perSecond, f.burst, opts...)
	if err != nil {
		return err
	}
	c, err := api.New(p, api.WithBaseURL(os.Getenv("WHISPIR_BASE_URL")), api.WithLimiter(stamped{lim}))
	if err != nil {
		return err
	}
	if f.ready {
		// Warm up: connect to Redis and to the server (one request,
		// paced like the others), so the first sends do not dial.
		if err := rdb.Ping(ctx).Err(); err != nil {
			return fmt.Errorf("redis: %w", err)
		}
		if _, err := c.DefaultMessageListWithResponse(ctx, nil); err != nil {
			return fmt.Errorf("warm-up request: %w", err)
		}
		fmt.Println("ready")
		if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
			return fmt.Errorf("wait for the start line: %w", err)
		}
	}

	jobs := make(chan int)
	var mu sync.Mutex
	enc := json.NewEncoder(os.Stdout)
	var wg sync.WaitGroup
	for range f.workers {
		wg.Go(func() {
			for i := range jobs {
				o := send(ctx, c, fmt.Sprintf("%s-%04d", f.name, i))
				mu.Lock()
				_ = enc.Encode(o)
				mu.Unlock()
			}
		})
	}
	for i := range f.n {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	return nil
}

// stamped records in the context's grant slot when its limiter last let a
// request go.
type stamped struct{ api.Limiter }

type grantKey struct{}

func (l stamped) Wait(ctx context.Context) error {
	err := l.Limiter.Wait(ctx)
	if slot, ok := ctx.Value(grantKey{}).(*int64); ok && err == nil {
		*slot = time.Now().UnixNano()
	}
	return err
}

func send(ctx context.Context, c *api.Client, body string) Outcome {
	subject := "load"
	var granted int64
	id, err := c.SendMessage(context.WithValue(ctx, grantKey{}, &granted), "", generated.Message{To: "61400000000", Subject: &subject, Body: &body})
	o := Outcome{Body: body, ID: id, Class: "sent", Granted: granted}
	var apiErr *api.Error
	switch {
	case err == nil:
	case errors.Is(err, redislimit.ErrUnavailable):
		o.Class = "unavailable"
	case errors.As(err, &apiErr) && apiErr.Code == api.CodeOverQPD:
		o.Class = "quota"
	default:
		o.Class = "other"
	}
	if err != nil {
		o.Error = err.Error()
	}
	return o
}
