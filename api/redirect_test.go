package api

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/whispir-go/whispir/generated"
	"github.com/whispir-go/whispir/security"
)

// newSink starts a server that must receive nothing: it records whatever
// reaches it and answers as a send would.
func newSink(t *testing.T) *fakeServer {
	t.Helper()
	return newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/vnd.whispir.message-v1+json")
		w.Header().Set("Location", "/messages/STOLEN")
		w.WriteHeader(http.StatusAccepted)
	})
}

// redirectTo answers every request with status and a Location on target.
func redirectTo(target *string, status int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", *target+r.URL.Path)
		w.WriteHeader(status)
	}
}

// TestRedirectsToAnotherHostSendNothingThere: the API server redirects to
// a second server, which must receive nothing (no x-api-key, no
// Authorization, no body), whatever http.Client the caller supplied, unless
// the caller opted out with WithCrossHostRedirects.
func TestRedirectsToAnotherHostSendNothingThere(t *testing.T) {
	t.Parallel()
	var permissiveCalls atomic.Int32
	tests := []struct {
		name      string
		opts      func() []Option
		forwarded bool
	}{
		{"api.New's default client", func() []Option { return nil }, false},
		{"WithHTTPClient without CheckRedirect", func() []Option { return []Option{WithHTTPClient(&http.Client{})} }, false},
		{"WithHTTPClient with a permissive CheckRedirect", func() []Option {
			return []Option{WithHTTPClient(&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
				permissiveCalls.Add(1)
				return nil
			}})}
		}, false},
		{"WithCrossHostRedirects (the opt-out)", func() []Option { return []Option{WithCrossHostRedirects()} }, true},
	}
	for _, tc := range tests {
		for _, status := range []int{http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
			for _, method := range []string{http.MethodGet, http.MethodPost} {
				t.Run(tc.name+"/"+http.StatusText(status)+"/"+method, func(t *testing.T) {
					t.Parallel()
					other := newSink(t)
					c, f := setup(t, redirectTo(&other.URL, status), tc.opts()...)
					var err error
					if method == http.MethodPost {
						_, err = c.SendMessage(t.Context(), "ABC", generated.Message{To: "61400000000", Body: ptr("private text")})
					} else {
						_, err = c.MessageRetrieveWithResponse(t.Context(), "ABC", "DEF")
					}
					got := other.requests()
					if tc.forwarded {
						if len(got) == 0 || got[0].Header.Get(security.HeaderAPIKey) != testCreds.APIKey {
							t.Fatalf("other host got %d requests; want the redirect followed with the key (err %v)", len(got), err)
						}
						return
					}
					if len(got) != 0 {
						r := got[0]
						t.Fatalf("other host got %d requests (x-api-key %t, Authorization %t, %d body bytes); want none",
							len(got), r.Header.Get(security.HeaderAPIKey) != "", r.Header.Get("Authorization") != "", len(r.Body))
					}
					if !errors.Is(err, security.ErrRedirectRefused) {
						t.Errorf("err = %v; want it to wrap security.ErrRedirectRefused", err)
					}
					if n := len(f.requests()); n != 1 {
						t.Errorf("API server got %d requests; want 1 (a refused redirect is not retried)", n)
					}
				})
			}
		}
	}
	t.Cleanup(func() {
		if n := permissiveCalls.Load(); n != 0 {
			t.Errorf("the caller's CheckRedirect was consulted %d times about another host; want 0", n)
		}
	})
}

// TestCallersCheckRedirectDecidesSameHostRedirects: WithHTTPClient's
// CheckRedirect is consulted for redirects to the same host, and its answer
// stands.
func TestCallersCheckRedirectDecidesSameHostRedirects(t *testing.T) {
	t.Parallel()
	errMine := errors.New("my policy says no")
	tests := []struct {
		name    string
		policy  func(*http.Request, []*http.Request) error
		wantErr error
		status  int // the *Error's status, when the policy keeps the last response
	}{
		{"follows", func(*http.Request, []*http.Request) error { return nil }, nil, 0},
		{"refuses", func(*http.Request, []*http.Request) error { return errMine }, errMine, 0},
		{"keeps the redirect", func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }, nil, http.StatusFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int32
			policy := func(req *http.Request, via []*http.Request) error {
				calls.Add(1)
				return tc.policy(req, via)
			}
			c, f := setup(t, func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/workspaces/ABC/messages/DEF" {
					http.Redirect(w, r, prefix+"/workspaces/ABC/messages/MOVED", http.StatusFound)
					return
				}
				w.Header().Set("Content-Type", "application/vnd.whispir.message-v1+json")
				io.WriteString(w, `{"id":"MOVED"}`)
			}, WithHTTPClient(&http.Client{CheckRedirect: policy}))
			resp, err := c.MessageRetrieveWithResponse(t.Context(), "ABC", "DEF")
			if n := calls.Load(); n != 1 {
				t.Errorf("caller's CheckRedirect called %d times; want 1", n)
			}
			var apiErr *Error
			switch {
			case tc.status != 0:
				if !errors.As(err, &apiErr) || apiErr.StatusCode != tc.status {
					t.Errorf("err = %v; want *Error %d", err, tc.status)
				}
			case tc.wantErr != nil:
				if !errors.Is(err, tc.wantErr) {
					t.Errorf("err = %v; want it to wrap %v", err, tc.wantErr)
				}
			case err != nil || resp.JSON200 == nil || *resp.JSON200.ID != "MOVED":
				t.Errorf("got %v, %v; want message MOVED", resp, err)
			}
			if tc.wantErr == nil && tc.status == 0 && len(f.requests()) != 2 {
				t.Errorf("requests = %d; want 2", len(f.requests()))
			}
		})
	}
}

// TestPostNotResentWhenARedirectsDialFails: the server takes the POST and
// answers 307; following it needs a new connection, which is refused. The
// POST was sent, so it is not sent again: the server sees exactly one.
func TestPostNotResentWhenARedirectsDialFails(t *testing.T) {
	t.Parallel()
	t.Run("to a port that refuses", func(t *testing.T) {
		t.Parallel()
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		closed := "http://" + l.Addr().String()
		l.Close()
		c, f := setup(t, redirectTo(&closed, http.StatusTemporaryRedirect), WithCrossHostRedirects())
		_, err = c.SendMessage(t.Context(), "ABC", generated.Message{To: "61400000000"})
		if !errors.Is(err, syscall.ECONNREFUSED) {
			t.Fatalf("err = %v; want ECONNREFUSED", err)
		}
		if n := len(f.requests()); n != 1 {
			t.Errorf("server got %d POSTs; want 1", n)
		}
	})
	t.Run("to its own host on a new connection", func(t *testing.T) {
		t.Parallel()
		// Dial 1 works; dial 2, the redirect's, is refused; later ones work.
		var dials atomic.Int32
		var inner net.Dialer
		dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
			if dials.Add(1) == 2 {
				return nil, &net.OpError{Op: "dial", Net: network, Err: syscall.ECONNREFUSED}
			}
			return inner.DialContext(ctx, network, addr)
		}
		hc := &http.Client{Transport: &http.Transport{DialContext: dial}}
		var posts atomic.Int32
		c, f := setup(t, func(w http.ResponseWriter, r *http.Request) {
			if posts.Add(1) == 1 {
				w.Header().Set("Connection", "close")
				http.Redirect(w, r, prefix+r.URL.Path, http.StatusTemporaryRedirect)
				return
			}
			accepted("TWICE")(w, r)
		}, WithHTTPClient(hc))
		_, err := c.SendMessage(t.Context(), "ABC", generated.Message{To: "61400000000"})
		if !errors.Is(err, syscall.ECONNREFUSED) {
			t.Fatalf("err = %v; want ECONNREFUSED", err)
		}
		if n := len(f.requests()); n != 1 {
			t.Errorf("server got %d POSTs; want 1", n)
		}
	})
}
