package redislimit_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/whispir-go/whispir/api"
	"github.com/whispir-go/whispir/generated"
	"github.com/whispir-go/whispir/redislimit"
	"github.com/whispir-go/whispir/security"
	"github.com/whispir-go/whispir/whispirtest"
)

// sendThrough sends one SMS to a mock Whispir server through a client
// paced by lim, and says what happened.
func sendThrough(lim api.Limiter) {
	srv := whispirtest.NewServer()
	defer srv.Close()
	p, _ := security.New(srv.Credentials())
	c, err := api.New(p, api.WithBaseURL(srv.URL), api.WithLimiter(lim))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = c.SendMessage(ctx, "", generated.Message{To: "61400000000", Subject: ptr("Disk full"), Body: ptr("db-3 is at 98%")})
	switch {
	case errors.Is(err, redislimit.ErrUnavailable):
		fmt.Println("not sent: Redis is unreachable and the limiter fails closed")
	case err != nil:
		fmt.Println("error:", err)
	default:
		fmt.Println("sent")
	}
	fmt.Println("messages at the server:", len(srv.Messages()))
}

func ptr[T any](v T) *T { return &v }

// By default the limiter fails closed: without Redis, nothing is sent.
func ExampleNew_failClosed() {
	// Nothing listens on port 1: this Redis is unreachable.
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1})
	defer rdb.Close()
	lim, err := redislimit.New(rdb, whispirtest.DefaultAPIKey, 10, 2)
	if err != nil {
		fmt.Println(err)
		return
	}
	sendThrough(lim)
	// Output:
	// not sent: Redis is unreachable and the limiter fails closed
	// messages at the server: 0
}

// With WithFallback, each process goes on at its share of the rate while
// Redis is unreachable.
func ExampleWithFallback() {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1})
	defer rdb.Close()
	// Four processes share the key: each takes a quarter of 10 a second.
	lim, err := redislimit.New(rdb, whispirtest.DefaultAPIKey, 10, 2, redislimit.WithFallback(0.25))
	if err != nil {
		fmt.Println(err)
		return
	}
	sendThrough(lim)
	// Output:
	// sent
	// messages at the server: 1
}
