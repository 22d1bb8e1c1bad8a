//go:build unix

package whispirtest_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"

	"github.com/whispir-go/whispir/internal/loadgen"
	"github.com/whispir-go/whispir/security"
	"github.com/whispir-go/whispir/whispirtest"
)

// sendHeader is what a client of the mock sends with an SMS: the
// credentials and the message media type as Content-Type and Accept.
func sendHeader(c security.Credentials) http.Header {
	req, _ := http.NewRequest(http.MethodPost, "http://x", nil)
	req.Header.Set(security.HeaderAPIKey, c.APIKey)
	req.SetBasicAuth(c.Username, c.Password)
	req.Header.Set("Content-Type", "application/vnd.whispir.message-v1+json")
	req.Header.Set("Accept", "application/vnd.whispir.message-v1+json")
	return req.Header
}

// BenchmarkSend measures the mock's hot path: a valid SMS (POST /messages)
// answered 202, against a bare net/http handler that answers the same 202
// with the same headers and body and does nothing else
// (loadgen.BareHandler), in the same run. Variants:
//
//   - via=handler: ServeHTTP called directly, with a reused request and a
//     writer that discards, so that only the handler's work is measured.
//   - via=loopback: 8 concurrent keep-alive connections over loopback, with
//     the light HTTP/1.1 client with which make bench-mock drives whispir
//     mock (loadgen.Conn); client and server share the process, so the CPU
//     per request includes the client's few microseconds.
//
// Besides sec/op and allocations, each reports cpu-ns/op: the process's CPU
// time per request, garbage collection included, steadier than wall time
// on a shared machine. Run the variants interleaved and compare them with
// benchstat:
//
//	for i in 1 2 3 4 5 6; do go test -run '^$' -bench Send -benchmem -count 1 ./whispirtest; done > send.txt
//	go tool benchstat -col /impl send.txt
func BenchmarkSend(b *testing.B) {
	for _, via := range []string{"handler", "loopback"} {
		for _, impl := range []string{"bare", "whispirtest"} {
			b.Run("via="+via+"/impl="+impl, func(b *testing.B) {
				srv := whispirtest.NewServer()
				defer srv.Close()
				h := srv.Handler()
				if impl == "bare" {
					h = loadgen.BareHandler(srv.URL)
				}
				header := sendHeader(srv.Credentials())
				if via == "handler" {
					benchHandler(b, h, srv.URL, header)
					return
				}
				ts := srv.URL
				if impl == "bare" {
					bare := httptest.NewServer(h)
					defer bare.Close()
					ts = bare.URL
				}
				benchLoopback(b, ts, header)
			})
		}
	}
}

// discard is a ResponseWriter that keeps only the status; its header is
// emptied for each request.
type discard struct {
	header http.Header
	status int
}

func (d *discard) Header() http.Header         { return d.header }
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }
func (d *discard) WriteHeader(code int)        { d.status = code }

func benchHandler(b *testing.B, h http.Handler, base string, header http.Header) {
	body := []byte(smsBody)
	req := httptest.NewRequest(http.MethodPost, base+"/messages", nil)
	req.Header = header
	var rd bytes.Reader
	w := &discard{header: http.Header{}}
	b.ReportAllocs()
	start := cpuTime()
	for b.Loop() {
		rd.Reset(body)
		req.Body, req.ContentLength = io.NopCloser(&rd), int64(len(body))
		clear(w.header)
		w.status = 0
		h.ServeHTTP(w, req)
		if w.status != http.StatusAccepted || w.header.Get("Location") == "" {
			b.Fatalf("got %d, Location %q; want 202 with a Location", w.status, w.header.Get("Location"))
		}
	}
	b.ReportMetric(float64((cpuTime()-start).Nanoseconds())/float64(b.N), "cpu-ns/op")
}

// loopbackWorkers is the concurrency of via=loopback, that of make
// bench-mock.
const loopbackWorkers = 8

func benchLoopback(b *testing.B, base string, header http.Header) {
	req := loadgen.Request{Method: http.MethodPost, URL: base + "/messages", Header: header, Body: []byte(smsBody)}
	b.SetParallelism((loopbackWorkers + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
	b.ReportAllocs()
	start := cpuTime()
	b.RunParallel(func(pb *testing.PB) {
		conn, err := loadgen.NewConn(req)
		if err != nil {
			b.Error(err)
			return
		}
		defer conn.Close()
		for pb.Next() {
			status, err := conn.Do(b.Context())
			if err != nil || status != http.StatusAccepted {
				b.Errorf("got %d, %v; want 202", status, err)
				return
			}
		}
	})
	b.ReportMetric(float64((cpuTime()-start).Nanoseconds())/float64(b.N), "cpu-ns/op")
}
