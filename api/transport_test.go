package api

import (
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/whispir-go/whispir/generated"
)

// TestConcurrentSendersKeepTheirConnections: 8 goroutines send on one
// client made with the defaults, 3 rounds, each with all 8 requests in
// flight at once. The default transport keeps the 8 connections between
// rounds, so the server sees 8 connections in all. (net/http's default
// transport keeps 2 idle connections per host: it would close 6 after
// each round and dial 6 more, 20 connections in all.)
//
// It is not parallel: it uses the transport that every default client
// shares, and runs before the parallel tests so that no other test's idle
// connections can push its own out of the shared pool.
func TestConcurrentSendersKeepTheirConnections(t *testing.T) {
	const senders, rounds = 8, 3
	var conns atomic.Int32
	arrived := make(chan struct{}, senders)
	var release chan struct{}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-release // all senders in flight at once: each holds a connection
		accepted(benchMessageID)(w, r)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	c, err := New(newTestProvider(t), WithBaseURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	msg := generated.Message{To: "61400000000", Subject: ptr("Hello")}
	for round := range rounds {
		release = make(chan struct{})
		errs := make(chan error, senders)
		var wg sync.WaitGroup
		for range senders {
			wg.Go(func() {
				_, err := c.SendMessage(t.Context(), "", msg)
				errs <- err
			})
		}
		for i := range senders {
			select {
			case <-arrived:
			case <-time.After(bound):
				t.Fatalf("round %d: %d of %d requests arrived after %s", round, i, senders, bound)
			}
		}
		close(release)
		wg.Wait()
		for range senders {
			if err := <-errs; err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
	}
	if got := conns.Load(); got != senders {
		t.Errorf("the server saw %d connections; want %d (the idle ones kept between rounds)", got, senders)
	}
}

// TestWithHTTPClientTransportIsUsedAsItIs: a caller's client, with its own
// transport or without one (net/http's default), is not given the
// package's default transport.
func TestWithHTTPClientTransportIsUsedAsItIs(t *testing.T) {
	t.Parallel()
	p := newTestProvider(t)
	own := &http.Transport{}
	tests := []struct {
		name string
		opts []Option
		want http.RoundTripper
	}{
		{"defaults", nil, defaultTransport()},
		{"a client with its transport", []Option{WithHTTPClient(&http.Client{Transport: own})}, own},
		{"a client without one", []Option{WithHTTPClient(&http.Client{})}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := New(p, tc.opts...)
			if err != nil {
				t.Fatal(err)
			}
			if got := c.pipeline.http.Transport; got != tc.want {
				t.Errorf("transport = %T %p; want %T %p", got, got, tc.want, tc.want)
			}
		})
	}
	tr, ok := defaultTransport().(*http.Transport)
	if !ok {
		t.Fatalf("default transport is a %T; want *http.Transport (http.DefaultTransport is not replaced in these tests)", defaultTransport())
	}
	if tr == http.DefaultTransport || tr.MaxIdleConnsPerHost < DefaultMaxIdleConnsPerHost || !tr.ForceAttemptHTTP2 || tr.Proxy == nil {
		t.Errorf("default transport: MaxIdleConnsPerHost %d, ForceAttemptHTTP2 %v, proxy set %v; want a clone of http.DefaultTransport with %d, true, true",
			tr.MaxIdleConnsPerHost, tr.ForceAttemptHTTP2, tr.Proxy != nil, DefaultMaxIdleConnsPerHost)
	}
}
