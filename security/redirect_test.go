package security_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/whispir-go/whispir/security"
)

// recorder is a test server that records what reaches it.
type recorder struct {
	*httptest.Server
	mu   sync.Mutex
	got  []http.Header
	body []string
}

func newRecorder(t *testing.T, answer http.HandlerFunc) *recorder {
	t.Helper()
	r := &recorder{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, req.Header.Clone())
		r.body = append(r.body, string(b))
		r.mu.Unlock()
		answer(w, req)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *recorder) requests() ([]http.Header, []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]http.Header(nil), r.got...), append([]string(nil), r.body...)
}

// TestRoundTripperRefusesRedirectsToAnotherHost: a client with the
// provider's RoundTripper and no CheckRedirect follows a 307 from the API
// host to another one. The other host receives nothing (no x-api-key, no
// Authorization, no POST body) unless WithCrossHostRedirects says so; a
// redirect to the same host is followed with the credentials.
func TestRoundTripperRefusesRedirectsToAnotherHost(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		opts      []security.RoundTripperOption
		sameHost  bool
		forwarded bool // the target gets the request, credentials and body
	}{
		{name: "another host", forwarded: false},
		{name: "another host, WithCrossHostRedirects", opts: []security.RoundTripperOption{security.WithCrossHostRedirects()}, forwarded: true},
		{name: "same host", sameHost: true, forwarded: true},
	}
	for _, tc := range tests {
		for _, status := range []int{http.StatusTemporaryRedirect, http.StatusPermanentRedirect, http.StatusFound} {
			t.Run(tc.name+"/"+http.StatusText(status), func(t *testing.T) {
				t.Parallel()
				target := newRecorder(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
				var origin *recorder
				origin = newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
					switch {
					case r.URL.Path == "/moved":
						w.WriteHeader(http.StatusNoContent)
					case tc.sameHost:
						http.Redirect(w, r, origin.URL+"/moved", status)
					default:
						http.Redirect(w, r, target.URL+"/moved", status)
					}
				})
				p := mustNew(t, fakeCreds)
				client := &http.Client{Transport: p.RoundTripper(nil, tc.opts...)}
				resp, err := client.Post(origin.URL+"/messages", "application/json", strings.NewReader(`{"body":"private text"}`))
				if err == nil {
					resp.Body.Close()
				}
				hop := target
				if tc.sameHost {
					hop = origin
				}
				headers, bodies := hop.requests()
				if tc.sameHost {
					headers, bodies = headers[1:], bodies[1:]
				}
				if !tc.forwarded {
					if len(headers) != 0 {
						t.Fatalf("other host got %d requests (x-api-key %t, Authorization %t, body %q); want none",
							len(headers), headers[0].Get(security.HeaderAPIKey) != "", headers[0].Get("Authorization") != "", bodies[0])
					}
					if !errors.Is(err, security.ErrRedirectRefused) {
						t.Errorf("Post() error = %v; want it to wrap ErrRedirectRefused", err)
					}
					assertNoSecrets(t, "error", err.Error(), secretsOf(fakeCreds)...)
					return
				}
				if err != nil {
					t.Fatalf("Post() error = %v; want the redirect followed", err)
				}
				if len(headers) != 1 || headers[0].Get(security.HeaderAPIKey) != fakeKey || headers[0].Get("Authorization") != basic(fakeUser, fakePassword) {
					t.Fatalf("redirect target got %d requests; want 1 with both credentials", len(headers))
				}
				if wantBody := status != http.StatusFound; wantBody != (bodies[0] != "") {
					t.Errorf("redirect target got body %q; want a body %t (307 and 308 keep it)", bodies[0], wantBody)
				}
			})
		}
	}
}

// TestRoundTripperChecksEachHopAgainstTheFirstRequest builds redirect chains
// by hand, as net/http's Client does (a hop's Response.Request is the
// request before it).
func TestRoundTripperChecksEachHopAgainstTheFirstRequest(t *testing.T) {
	t.Parallel()
	hop := func(raw string, prev *http.Request) *http.Request {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		r := &http.Request{Method: http.MethodGet, URL: u, Header: http.Header{}}
		if prev != nil {
			r.Response = &http.Response{Request: prev}
		}
		return r
	}
	first := hop("https://api.whispir.invalid/messages", nil)
	second := hop("https://api.whispir.invalid/elsewhere", first)
	tests := []struct {
		name string
		req  *http.Request
		ok   bool
	}{
		{"first request", first, true},
		{"same host", second, true},
		{"same host, two hops", hop("https://API.whispir.invalid/x", second), true},
		{"other host", hop("https://evil.invalid/", first), false},
		{"other host after a same-host hop", hop("https://evil.invalid/", second), false},
		{"other port", hop("https://api.whispir.invalid:8443/", first), false},
		{"subdomain", hop("https://x.api.whispir.invalid/", first), false},
		{"https to http", hop("http://api.whispir.invalid/", first), false},
		{"a request that is no redirect, to any host", hop("https://other.invalid/", nil), true},
		{"hop without its previous request", &http.Request{Method: http.MethodGet, URL: second.URL, Header: http.Header{}, Response: &http.Response{}}, false},
	}
	p := mustNew(t, fakeCreds)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sent := false
			rt := p.RoundTripper(roundTripFunc(func(r *http.Request) (*http.Response, error) {
				sent = true
				return &http.Response{StatusCode: http.StatusNoContent, Body: http.NoBody}, nil
			}))
			_, err := rt.RoundTrip(tc.req)
			if tc.ok != (err == nil) || tc.ok != sent {
				t.Errorf("RoundTrip() error = %v, sent %t; want ok %t", err, sent, tc.ok)
			}
			if !tc.ok && !errors.Is(err, security.ErrRedirectRefused) {
				t.Errorf("RoundTrip() error = %v; want ErrRedirectRefused", err)
			}
		})
	}
}
