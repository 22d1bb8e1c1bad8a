package loadgen

import (
	"bufio"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// counted wraps h and counts the requests it answers.
func counted(h http.Handler, n *atomic.Int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		h.ServeHTTP(w, r)
	})
}

func TestRun(t *testing.T) {
	t.Parallel()
	chunked := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, "first part")
		w.(http.Flusher).Flush() // no Content-Length: chunked
		_, _ = io.WriteString(w, "second part")
	})
	closing := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "close")
		_, _ = io.WriteString(w, "bye")
	})
	for _, client := range []struct {
		name    string
		netHTTP bool
	}{{"raw", false}, {"net/http", true}} {
		for _, tc := range []struct {
			name    string
			handler http.Handler
			want    []int
			wantErr error // nil: the run succeeds
		}{
			{"bare 202", BareHandler("http://x"), []int{http.StatusAccepted}, nil},
			{"chunked", chunked, []int{http.StatusCreated}, nil},
			{"connection close", closing, []int{http.StatusOK}, nil},
			{"no content", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }), []int{http.StatusNoContent}, nil},
			{"unexpected status", BareHandler("http://x"), []int{http.StatusOK}, ErrUnexpected},
		} {
			t.Run(client.name+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				var served atomic.Int64
				srv := httptest.NewServer(counted(tc.handler, &served))
				defer srv.Close()
				res, err := Run(t.Context(), Config{
					Request:  Request{Method: http.MethodPost, URL: srv.URL + "/messages", Header: http.Header{"X-Test": {"1"}}, Body: []byte(`{"to":"1"}`)},
					Workers:  2,
					Warmup:   20 * time.Millisecond,
					Duration: 100 * time.Millisecond,
					Want:     tc.want,
					NetHTTP:  client.netHTTP,
				})
				if tc.wantErr != nil {
					if !errors.Is(err, tc.wantErr) {
						t.Fatalf("Run: got %v; want %v", err, tc.wantErr)
					}
					return
				}
				if err != nil {
					t.Fatalf("Run: %v", err)
				}
				total := 0
				for code, n := range res.Statuses {
					if code != tc.want[0] {
						t.Errorf("status %d answered %d times; want only %d", code, n, tc.want[0])
					}
					total += n
				}
				if int64(total) != served.Load() {
					t.Errorf("answers counted: got %d; want the %d the server answered", total, served.Load())
				}
				if res.Requests < 1 || res.Requests > total {
					t.Errorf("measured requests: got %d; want 1..%d", res.Requests, total)
				}
				if res.P50 <= 0 || res.P99 < res.P50 {
					t.Errorf("latency: got p50 %v, p99 %v; want 0 < p50 <= p99", res.P50, res.P99)
				}
				if res.PerSecond() <= 0 {
					t.Errorf("PerSecond: got %v; want > 0", res.PerSecond())
				}
			})
		}
	}
}

// TestRawRequest checks that the built-in client sends what net/http's
// would: the server sees the method, path, headers and body.
func TestRawRequest(t *testing.T) {
	t.Parallel()
	got := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		select {
		case got <- r.Method + " " + r.URL.Path + " " + r.Header.Get("X-Api-Key") + " " + r.Header.Get("Content-Type") + " " + string(body):
		default:
		}
	}))
	defer srv.Close()
	_, err := Run(t.Context(), Config{
		Request:  Request{Method: http.MethodPost, URL: srv.URL + "/messages", Header: http.Header{"X-Api-Key": {"k"}, "Content-Type": {"application/json"}}, Body: []byte(`{"a":1}`)},
		Workers:  1,
		Duration: 10 * time.Millisecond,
		Want:     []int{http.StatusOK},
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if g, want := <-got, `POST /messages k application/json {"a":1}`; g != want {
		t.Errorf("server saw %q; want %q", g, want)
	}
}

func TestReadResponseRefusesGarbage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, in string }{
		{"not HTTP", "SSH-2.0-OpenSSH\r\n\r\n"},
		{"short status", "HTTP/1.1 2\r\n\r\n"},
		{"bad length", "HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n"},
		{"header without colon", "HTTP/1.1 200 OK\r\nbroken\r\n\r\n"},
		{"bad chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"},
		{"cut short", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if _, _, err := readResponse(bufio.NewReader(strings.NewReader(tc.in))); err == nil {
				t.Errorf("readResponse(%q): got nil error; want one", tc.in)
			}
		})
	}
}

func TestPercentile(t *testing.T) {
	t.Parallel()
	ms := func(ns ...int) []time.Duration {
		out := make([]time.Duration, len(ns))
		for i, n := range ns {
			out[i] = time.Duration(n) * time.Millisecond
		}
		return out
	}
	for _, tc := range []struct {
		name   string
		sorted []time.Duration
		p      int
		want   time.Duration
	}{
		{"none", nil, 50, 0},
		{"one", ms(7), 99, 7 * time.Millisecond},
		{"median of four", ms(1, 2, 3, 4), 50, 2 * time.Millisecond},
		{"p99 of 100", ms(make([]int, 99)...), 99, 0},
		{"p99 of 200", append(ms(make([]int, 197)...), ms(5, 6, 9)...), 99, 5 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := percentile(tc.sorted, tc.p); got != tc.want {
				t.Errorf("percentile(%d): got %v; want %v", tc.p, got, tc.want)
			}
		})
	}
}
