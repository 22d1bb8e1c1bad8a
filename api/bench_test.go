package api

// Benchmarks of the client, each against a baseline measured in the same
// run. Each benchmark runs its variants as sub-benchmarks named impl=raw
// (the baseline: the standard library) then impl=whispir and others, so
// that benchstat -col /impl puts them side by side; make bench runs go
// test -count 1 several times, so that the variants alternate. Each
// reports cpu-ns/op besides wall time (see internal/benchutil).

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/whispir-go/whispir/internal/benchprog"

	"github.com/whispir-go/whispir/generated"
	"github.com/whispir-go/whispir/internal/benchutil"
	"github.com/whispir-go/whispir/security"
)

const benchMessageID = "747AB7E716C1802B6476784AEB5C9BB8"

// benchMessage is a small SMS, the common case.
var benchMessage = generated.Message{To: "61400000000", Subject: ptr("Hello"), Body: ptr("From whispir-go")}

// rawSend returns a function that POSTs body to url with the headers
// SendMessage sends, through hc, and checks the answer as a careful caller
// of net/http would: status 202, a Location, the body read and closed.
func rawSend(b *testing.B, hc *http.Client, url string, body []byte) func() {
	const mt = "application/vnd.whispir.message-v1+json"
	return func() {
		req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Content-Type", mt)
		req.Header.Set("Accept", mt)
		req.Header.Set("User-Agent", DefaultUserAgent)
		req.Header.Set(security.HeaderAPIKey, testCreds.APIKey)
		req.SetBasicAuth(testCreds.Username, testCreds.Password)
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusAccepted || resp.Header.Get("Location") == "" {
			b.Fatalf("raw send: status %d, %v", resp.StatusCode, err)
		}
	}
}

// newTransport is a transport of its own, as http.DefaultTransport is made.
func newTransport() *http.Transport { return http.DefaultTransport.(*http.Transport).Clone() }

// BenchmarkSendMessage sends one message to a loopback server:
//
//   - impl=raw: the same bytes POSTed with net/http (request built from the
//     URL string, headers set, body read and closed, status checked);
//   - impl=raw+timeout: the same with the client's per-attempt timeout
//     (http.Client.Timeout = DefaultTimeout), which costs every request a
//     context with a deadline and its timer;
//   - impl=whispir: SendMessage with the defaults (routing, media types,
//     credentials, validation, retry wrapper, the id from Location);
//   - impl=whispir-novalidate: the same WithoutValidation.
func BenchmarkSendMessage(b *testing.B) {
	srv := httptest.NewServer(accepted(benchMessageID))
	defer srv.Close()
	body, err := json.Marshal(benchMessage)
	if err != nil {
		b.Fatal(err)
	}
	p, err := security.New(testCreds)
	if err != nil {
		b.Fatal(err)
	}
	client := func(b *testing.B, opts ...Option) *Client {
		c, err := New(p, append([]Option{WithBaseURL(srv.URL)}, opts...)...)
		if err != nil {
			b.Fatal(err)
		}
		return c
	}
	send := func(b *testing.B, c *Client) func() {
		ctx := b.Context()
		return func() {
			id, err := c.SendMessage(ctx, "9A4C5521FFC7B15B", benchMessage)
			if err != nil || id != benchMessageID {
				b.Fatalf("got %q, %v; want %s", id, err, benchMessageID)
			}
		}
	}
	b.Run("impl=raw", func(b *testing.B) {
		hc := &http.Client{Transport: newTransport()}
		defer hc.CloseIdleConnections()
		benchutil.Loop(b, rawSend(b, hc, srv.URL+"/workspaces/9A4C5521FFC7B15B/messages", body))
	})
	b.Run("impl=raw+timeout", func(b *testing.B) {
		hc := &http.Client{Transport: newTransport(), Timeout: DefaultTimeout}
		defer hc.CloseIdleConnections()
		benchutil.Loop(b, rawSend(b, hc, srv.URL+"/workspaces/9A4C5521FFC7B15B/messages", body))
	})
	b.Run("impl=whispir", func(b *testing.B) {
		benchutil.Loop(b, send(b, client(b)))
	})
	b.Run("impl=whispir-novalidate", func(b *testing.B) {
		benchutil.Loop(b, send(b, client(b, WithoutValidation())))
	})
}

// BenchmarkSendMessageParallel sends from 8 goroutines on one client to a
// loopback server that answers after 1 ms, as a remote one would after
// some latency, so that the 8 requests are in flight at once rather than
// queued for the 2 CPUs. ns/op is the wall time over all sends, so that
// its inverse is the throughput; dials/op counts the connections the
// server accepted per send:
//
//   - impl=tuned: a client given (WithHTTPClient) a transport that keeps
//     enough idle connections for 8 senders: the base;
//   - impl=whispir: a client with the defaults;
//   - impl=go-default: a client given net/http's default transport, which
//     keeps 2 idle connections per host: what the defaults were.
func BenchmarkSendMessageParallel(b *testing.B) {
	const senders, serverLatency = 8, time.Millisecond
	var dials atomic.Int64
	answer := accepted(benchMessageID)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(serverLatency)
		answer(w, r)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			dials.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	p, err := security.New(testCreds)
	if err != nil {
		b.Fatal(err)
	}
	tuned := newTransport()
	tuned.MaxIdleConnsPerHost = 64
	run := func(b *testing.B, opts ...Option) {
		c, err := New(p, append([]Option{WithBaseURL(srv.URL)}, opts...)...)
		if err != nil {
			b.Fatal(err)
		}
		ctx := b.Context()
		before := dials.Load()
		benchutil.Parallel(b, senders, func() {
			if _, err := c.SendMessage(ctx, "9A4C5521FFC7B15B", benchMessage); err != nil {
				b.Error(err) // not Fatal: this is not the benchmark's goroutine
			}
		})
		b.ReportMetric(float64(dials.Load()-before)/float64(b.N), "dials/op")
	}
	b.Run("impl=tuned", func(b *testing.B) {
		run(b, WithHTTPClient(&http.Client{Transport: tuned}))
	})
	b.Run("impl=whispir", func(b *testing.B) {
		run(b)
	})
	b.Run("impl=go-default", func(b *testing.B) {
		t := newTransport()
		defer t.CloseIdleConnections()
		run(b, WithHTTPClient(&http.Client{Transport: t}))
	})
	tuned.CloseIdleConnections()
}

// BenchmarkColdStart starts a program that sends one message to a
// loopback server and exits (internal/benchprog); sec/op is from start to
// exit, cpu-ns/op the program's own CPU time:
//
//   - impl=raw: rawsend, one POST of the same bytes with net/http;
//   - impl=raw+openapi3: the same program linking kin-openapi's openapi3
//     package: what any program that validates with kin-openapi pays
//     before main (its dependencies' init);
//   - impl=whispir: send, api.New and a validated SendMessage.
func BenchmarkColdStart(b *testing.B) {
	srv := httptest.NewServer(accepted(benchMessageID))
	defer srv.Close()
	for _, v := range []struct{ impl, pkg string }{
		{"raw", "./internal/benchprog/rawsend"},
		{"raw+openapi3", "./internal/benchprog/rawsendkin"},
		{"whispir", "./internal/benchprog/send"},
	} {
		bin := benchutil.Build(b, v.pkg)
		b.Run("impl="+v.impl, func(b *testing.B) {
			benchutil.Start(b, bin, srv.URL)
		})
	}
}

// TestColdStartProgramsSendTheBenchmarkMessage: the programs that
// BenchmarkColdStart starts send the bytes SendMessage makes of
// benchMessage, so that the variants send the same.
func TestColdStartProgramsSendTheBenchmarkMessage(t *testing.T) {
	t.Parallel()
	data, err := json.Marshal(benchMessage)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := benchprog.MessageJSON, string(data); got != want {
		t.Errorf("benchprog.MessageJSON = %s; want %s", got, want)
	}
}
