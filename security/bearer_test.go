package security_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/whispir-go/whispir/security"
)

// jwt returns a JWT-shaped token with claims (not signed).
func jwt(claims map[string]any) string {
	enc := base64.RawURLEncoding
	payload, _ := json.Marshal(claims)
	return enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc.EncodeToString(payload) + "." + enc.EncodeToString([]byte("not-a-signature"))
}

// claimsOf decodes the claims of a token made by jwt; nil, with a test
// error, for anything else. It may be called from any goroutine.
func claimsOf(t *testing.T, authorization string) map[string]any {
	t.Helper()
	token, ok := strings.CutPrefix(authorization, "Bearer ")
	parts := strings.Split(token, ".")
	var claims map[string]any
	if !ok || len(parts) != 3 {
		t.Errorf("Authorization is not a Bearer JWT")
		return nil
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err == nil {
		err = json.Unmarshal(payload, &claims)
	}
	if err != nil {
		t.Errorf("decode the token's claims: %v", err)
	}
	return claims
}

// fakeSource issues tokens whose claims name the API key and user they were
// obtained with (taken from the request authenticate prepared) and the
// number of the call, so that tests can tell tokens and their credentials
// apart.
type fakeSource struct {
	calls  atomic.Int64
	claims func(now time.Time) map[string]any // extra claims; nil: none
	now    func() time.Time                   // nil: time.Now
	gate   chan struct{}                      // not nil: each call waits for it
	fail   atomic.Pointer[error]              // not nil: calls fail with it
	token  string                             // not "": returned as is
}

func (s *fakeSource) Token(ctx context.Context, authenticate func(context.Context, *http.Request) error) (string, error) {
	n := s.calls.Add(1)
	req := httptest.NewRequest(http.MethodPost, "http://whispir.invalid/auth", nil)
	if err := authenticate(ctx, req); err != nil {
		return "", err
	}
	user, _, ok := req.BasicAuth()
	if !ok {
		return "", errors.New("fake source: no Basic credentials")
	}
	if s.gate != nil {
		select {
		case <-s.gate:
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	if err := s.fail.Load(); err != nil {
		return "", *err
	}
	if s.token != "" {
		return s.token, nil
	}
	now := time.Now()
	if s.now != nil {
		now = s.now()
	}
	claims := map[string]any{"sub": user, "key": req.Header.Get(security.HeaderAPIKey), "n": n}
	if s.claims != nil {
		for k, v := range s.claims(now) {
			claims[k] = v
		}
	}
	return jwt(claims), nil
}

// fakeClock is a clock that tests move by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Unix(1_700_000_000, 0)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func mustBearer(t *testing.T, p *security.Provider, src security.TokenSource, opts ...security.BearerOption) *security.Provider {
	t.Helper()
	bp, err := p.Bearer(src, opts...)
	if err != nil {
		t.Fatalf("Bearer() error = %v; want nil", err)
	}
	return bp
}

// intercept returns the request Intercept prepared; on error, with a test
// error, a request without credentials. It may be called from any
// goroutine.
func intercept(t *testing.T, ctx context.Context, p *security.Provider) *http.Request {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "http://whispir.invalid/messages", nil)
	if err := p.Intercept(ctx, req); err != nil {
		t.Errorf("Intercept() error = %v; want nil", err)
	}
	return req
}

func TestBearerIntercept(t *testing.T) {
	t.Parallel()
	p := mustNew(t, fakeCreds)
	src := &fakeSource{}
	bp := mustBearer(t, p, src)

	first := intercept(t, t.Context(), bp)
	if got := first.Header.Get(security.HeaderAPIKey); got != fakeKey {
		t.Errorf("x-api-key: got %q; want the API key", got)
	}
	claims := claimsOf(t, first.Header.Get("Authorization"))
	if claims["sub"] != fakeUser || claims["key"] != fakeKey {
		t.Errorf("token obtained for user %v and key %v; want the provider's", claims["sub"], claims["key"])
	}
	second := intercept(t, t.Context(), bp)
	if got, want := second.Header.Get("Authorization"), first.Header.Get("Authorization"); got != want {
		t.Errorf("second request: got another token; want the first one reused")
	}
	if n := src.calls.Load(); n != 1 {
		t.Errorf("token source calls: got %d; want 1", n)
	}
	// p itself still sends Basic credentials.
	if got := intercept(t, t.Context(), p).Header.Get("Authorization"); got != basic(fakeUser, fakePassword) {
		t.Errorf("the Basic provider: got Authorization %q; want its Basic credentials", got)
	}
}

func TestBearerRefreshBeforeExpiry(t *testing.T) {
	t.Parallel()
	expIn := func(d time.Duration, withIat bool) func(time.Time) map[string]any {
		return func(now time.Time) map[string]any {
			c := map[string]any{"exp": now.Add(d).Unix()}
			if withIat {
				c["iat"] = now.Unix()
			}
			return c
		}
	}
	tests := []struct {
		name       string
		claims     func(time.Time) map[string]any
		serverSkew time.Duration // the issuer's clock minus ours
		opts       []security.BearerOption
		keep       time.Duration // still used this long after it was obtained
		replace    time.Duration // replaced this long after it was obtained
	}{
		{"exp and iat: a minute early", expIn(time.Hour, true), 0, nil, time.Hour - time.Minute - time.Second, time.Hour - time.Minute},
		{"exp and iat from a clock an hour ahead", expIn(time.Hour, true), time.Hour, nil, time.Hour - time.Minute - time.Second, time.Hour - time.Minute},
		{"exp without iat", expIn(time.Hour, false), 0, nil, time.Hour - time.Minute - time.Second, time.Hour - time.Minute},
		{"short token: a tenth of its life early", expIn(5*time.Minute, true), 0, nil, 270*time.Second - time.Second, 270 * time.Second},
		{"no exp: the default lifetime", nil, 0, nil, security.DefaultTokenLifetime - time.Minute - time.Second, security.DefaultTokenLifetime - time.Minute},
		{"no exp: WithTokenLifetime", nil, 0, []security.BearerOption{security.WithTokenLifetime(2 * time.Minute)}, 108*time.Second - time.Second, 108 * time.Second},
		{"exp before iat: the default lifetime", func(now time.Time) map[string]any {
			return map[string]any{"iat": now.Unix(), "exp": now.Add(-time.Hour).Unix()}
		}, 0, nil, security.DefaultTokenLifetime - time.Minute - time.Second, security.DefaultTokenLifetime - time.Minute},
		{"exp as a string: the default lifetime", func(now time.Time) map[string]any {
			return map[string]any{"exp": "soon"}
		}, 0, nil, security.DefaultTokenLifetime - time.Minute - time.Second, security.DefaultTokenLifetime - time.Minute},
		{"exp years ahead: a day", expIn(24*365*time.Hour, true), 0, nil, 24*time.Hour - time.Minute - time.Second, 24*time.Hour - time.Minute},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clock := newFakeClock()
			src := &fakeSource{claims: tc.claims, now: func() time.Time { return clock.Now().Add(tc.serverSkew) }}
			bp := mustBearer(t, mustNew(t, fakeCreds), src, append([]security.BearerOption{security.WithClock(clock.Now)}, tc.opts...)...)
			first := intercept(t, t.Context(), bp).Header.Get("Authorization")
			clock.Advance(tc.keep)
			if got := intercept(t, t.Context(), bp).Header.Get("Authorization"); got != first || src.calls.Load() != 1 {
				t.Errorf("after %s: got token #%d; want the first one still", tc.keep, src.calls.Load())
			}
			clock.Advance(tc.replace - tc.keep)
			if got := intercept(t, t.Context(), bp).Header.Get("Authorization"); got == first || src.calls.Load() != 2 {
				t.Errorf("after %s: got %d token source calls; want the token replaced (2 calls)", tc.replace, src.calls.Load())
			}
		})
	}
}

func TestBearerRefreshToken(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		basicOnly bool // the provider sends Basic credentials
		rejected  func(current *http.Request) *http.Request
		wantAgain bool
		wantCalls int64 // token source calls the refresh makes
	}{
		{"the current token", false, func(cur *http.Request) *http.Request { return cur }, true, 1},
		{"a token already replaced", false, func(*http.Request) *http.Request {
			old := httptest.NewRequest(http.MethodGet, "http://whispir.invalid/", nil)
			old.Header.Set("Authorization", "Bearer replaced.long.ago")
			return old
		}, true, 0},
		{"Basic credentials", false, func(*http.Request) *http.Request {
			r := httptest.NewRequest(http.MethodGet, "http://whispir.invalid/", nil)
			r.SetBasicAuth(fakeUser, fakePassword)
			return r
		}, false, 0},
		{"a provider without tokens", true, func(cur *http.Request) *http.Request { return cur }, false, 0},
		{"nil request", false, func(*http.Request) *http.Request { return nil }, false, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			src := &fakeSource{}
			p := mustNew(t, fakeCreds)
			if !tc.basicOnly {
				p = mustBearer(t, p, src)
			}
			cur := intercept(t, t.Context(), p)
			before := src.calls.Load()
			again, err := p.RefreshToken(t.Context(), tc.rejected(cur))
			if err != nil || again != tc.wantAgain {
				t.Fatalf("RefreshToken() = %v, %v; want %v, nil", again, err, tc.wantAgain)
			}
			if n := src.calls.Load() - before; n != tc.wantCalls {
				t.Errorf("token source calls: got %d; want %d", n, tc.wantCalls)
			}
			next := intercept(t, t.Context(), p).Header.Get("Authorization")
			if changed := next != cur.Header.Get("Authorization"); changed != (tc.wantCalls > 0) {
				t.Errorf("token changed: got %v; want %v", changed, tc.wantCalls > 0)
			}
		})
	}
}

// waitFor polls cond until it holds, for at most 10 seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestBearerOneRefreshAtATime(t *testing.T) {
	t.Parallel()
	const workers = 32
	src := &fakeSource{gate: make(chan struct{})}
	bp := mustBearer(t, mustNew(t, fakeCreds), src)

	// Every worker needs the first token; one asks for it, the others wait.
	var wg sync.WaitGroup
	auths := make([]string, workers)
	for i := range workers {
		wg.Go(func() { auths[i] = intercept(t, t.Context(), bp).Header.Get("Authorization") })
	}
	waitFor(t, "the refresh to start", func() bool { return src.calls.Load() > 0 })
	close(src.gate)
	wg.Wait()
	for i, a := range auths {
		if a != auths[0] {
			t.Fatalf("worker %d got another token; want all to share the first", i)
		}
	}
	if n := src.calls.Load(); n != 1 {
		t.Errorf("token source calls for %d concurrent first requests: got %d; want 1", workers, n)
	}

	// All of them are answered 401 together: one refresh replaces the token.
	rejected := httptest.NewRequest(http.MethodGet, "http://whispir.invalid/", nil)
	rejected.Header.Set("Authorization", auths[0])
	for range workers {
		wg.Go(func() {
			if again, err := bp.RefreshToken(t.Context(), rejected); !again || err != nil {
				t.Errorf("RefreshToken() = %v, %v; want true, nil", again, err)
			}
		})
	}
	wg.Wait()
	if n := src.calls.Load(); n != 2 {
		t.Errorf("token source calls after %d concurrent 401s: got %d; want 2", workers, n)
	}
}

func TestBearerNeverMixesCredentials(t *testing.T) {
	t.Parallel()
	pairs := []security.Credentials{
		{APIKey: "key-A", Username: "user-A", Password: "pass-A"},
		{APIKey: "key-B", Username: "user-B", Password: "pass-B"},
	}
	wantUser := map[string]string{"key-A": "user-A", "key-B": "user-B"}
	p := mustNew(t, pairs[0])
	src := &fakeSource{}
	bp := mustBearer(t, p, src)
	const (
		workers   = 8
		perWorker = 2000
		updates   = 200
	)
	stop := make(chan struct{})
	updaterDone := make(chan struct{})
	go func() {
		defer close(updaterDone)
		for i := 1; i <= updates; i++ {
			if err := p.Update(pairs[i%2]); err != nil { // through the Basic provider: bp shares it
				t.Errorf("Update() error = %v; want nil", err)
				return
			}
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Microsecond):
			}
		}
	}()
	var wg sync.WaitGroup
	var mismatches, seenA, seenB atomic.Int64
	for range workers {
		wg.Go(func() {
			for range perWorker {
				req := intercept(t, t.Context(), bp)
				key := req.Header.Get(security.HeaderAPIKey)
				claims := claimsOf(t, req.Header.Get("Authorization"))
				if claims["key"] != key || claims["sub"] != wantUser[key] {
					if mismatches.Add(1) == 1 {
						t.Errorf("x-api-key %q with a token obtained for %v, %v; want the token of the same credentials", key, claims["key"], claims["sub"])
					}
				}
				if key == "key-A" {
					seenA.Add(1)
				} else {
					seenB.Add(1)
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	<-updaterDone
	t.Logf("%d requests with set A, %d with set B, %d tokens", seenA.Load(), seenB.Load(), src.calls.Load())
	if seenB.Load() == 0 || src.calls.Load() < 2 {
		t.Errorf("set B seen %d times with %d tokens; want the rotation exercised", seenB.Load(), src.calls.Load())
	}
}

func TestBearerErrors(t *testing.T) {
	t.Parallel()
	const token = "s3cr3t.t0ken.value"
	long := strings.Repeat("a", 16<<10+1)
	tests := []struct {
		name    string
		src     *fakeSource
		wantErr []error
	}{
		{"the source fails", &fakeSource{}, []error{security.ErrToken, errSourceDown}},
		{"an empty token", &fakeSource{token: " "}, []error{security.ErrToken}},
		{"a newline in the token", &fakeSource{token: token + "\r\nX-Evil: 1"}, []error{security.ErrToken}},
		{"a space in the token", &fakeSource{token: "s3cr3t t0ken"}, []error{security.ErrToken}},
		{"a token too long", &fakeSource{token: long}, []error{security.ErrToken}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if tc.name == "the source fails" {
				err := errSourceDown
				tc.src.fail.Store(&err)
			}
			bp := mustBearer(t, mustNew(t, fakeCreds), tc.src)
			req := httptest.NewRequest(http.MethodGet, "http://whispir.invalid/", nil)
			err := bp.Intercept(t.Context(), req)
			for _, want := range tc.wantErr {
				if !errors.Is(err, want) {
					t.Errorf("Intercept() error = %v; want it to wrap %v", err, want)
				}
			}
			if req.Header.Get("Authorization") != "" || req.Header.Get(security.HeaderAPIKey) != "" {
				t.Errorf("headers set after a failure; want none")
			}
			if err != nil {
				assertNoSecrets(t, "error", err.Error(), append(secretsOf(fakeCreds), token, "s3cr3t")...)
			}
			// A failure is not kept: the next request asks again.
			_ = bp.Intercept(t.Context(), req)
			if n := tc.src.calls.Load(); n != 2 {
				t.Errorf("token source calls after two failed requests: got %d; want 2", n)
			}
		})
	}
}

var errSourceDown = errors.New("token source down")

// TestBearerContext is not parallel: it sets a package hook that other
// tests' waiting requests would call.
func TestBearerContext(t *testing.T) {
	t.Run("waiting for another request's refresh", func(t *testing.T) {
		src := &fakeSource{gate: make(chan struct{})}
		defer close(src.gate)
		bp := mustBearer(t, mustNew(t, fakeCreds), src)
		go func() {
			_ = bp.Intercept(t.Context(), httptest.NewRequest(http.MethodGet, "http://whispir.invalid/", nil))
		}()
		waitFor(t, "the refresh to start", func() bool { return src.calls.Load() > 0 })
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		err := bp.Intercept(ctx, httptest.NewRequest(http.MethodGet, "http://whispir.invalid/", nil))
		if !errors.Is(err, security.ErrToken) || !errors.Is(err, context.Canceled) {
			t.Errorf("Intercept() error = %v; want ErrToken and context.Canceled", err)
		}
	})
	t.Run("the refresh it waited for was cancelled by another request", func(t *testing.T) {
		// Not parallel: it sets a package hook.
		waiting := make(chan struct{}, 1)
		security.SetTestHookWaiting(func() { waiting <- struct{}{} })
		defer security.SetTestHookWaiting(nil)
		src := &fakeSource{gate: make(chan struct{})}
		bp := mustBearer(t, mustNew(t, fakeCreds), src)
		first, cancelFirst := context.WithCancel(t.Context())
		firstDone := make(chan error)
		go func() {
			firstDone <- bp.Intercept(first, httptest.NewRequest(http.MethodGet, "http://whispir.invalid/", nil))
		}()
		waitFor(t, "the refresh to start", func() bool { return src.calls.Load() > 0 })
		secondDone := make(chan error)
		second := httptest.NewRequest(http.MethodGet, "http://whispir.invalid/", nil)
		go func() { secondDone <- bp.Intercept(t.Context(), second) }()
		<-waiting // the second request waits for the first one's refresh
		security.SetTestHookWaiting(nil)
		cancelFirst()
		if err := <-firstDone; !errors.Is(err, context.Canceled) {
			t.Errorf("the cancelled request: got %v; want context.Canceled", err)
		}
		close(src.gate) // the second request's own refresh may go on
		if err := <-secondDone; err != nil || second.Header.Get("Authorization") == "" {
			t.Errorf("the other request: got %v and no token; want a token", err)
		}
	})
}

func TestBearerConstruction(t *testing.T) {
	t.Parallel()
	var nilProvider *security.Provider
	if _, err := nilProvider.Bearer(&fakeSource{}); !errors.Is(err, security.ErrNoProvider) {
		t.Errorf("Bearer on a nil Provider: got %v; want ErrNoProvider", err)
	}
	p := mustNew(t, fakeCreds)
	for name, src := range map[string]security.TokenSource{
		"nil":                 nil,
		"nil TokenSourceFunc": security.TokenSourceFunc(nil),
	} {
		if _, err := p.Bearer(src); !errors.Is(err, security.ErrToken) {
			t.Errorf("Bearer(%s): got %v; want ErrToken", name, err)
		}
	}
	if _, err := nilProvider.RefreshToken(t.Context(), nil); !errors.Is(err, security.ErrNoProvider) {
		t.Errorf("RefreshToken on a nil Provider: got %v; want ErrNoProvider", err)
	}
}

func TestBearerSecretsNotShown(t *testing.T) {
	t.Parallel()
	src := &fakeSource{}
	bp := mustBearer(t, mustNew(t, fakeCreds), src)
	token := strings.TrimPrefix(intercept(t, t.Context(), bp).Header.Get("Authorization"), "Bearer ")
	var out strings.Builder
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d", "%p"} {
		fmt.Fprintf(&out, verb+"\n", bp)
		fmt.Fprintf(&out, verb+"\n", *bp)
	}
	data, _ := json.Marshal(bp)
	out.Write(data)
	slog.New(slog.NewJSONHandler(&out, nil)).Info("provider", "p", bp)
	assertNoSecrets(t, "a Bearer provider", out.String(), append(secretsOf(fakeCreds), token)...)
}

func TestBearerRoundTripper(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		rejectAll bool                     // the server refuses every token
		body      func() (io.Reader, bool) // the body, and whether GetBody is kept
		wantCode  int
		wantSent  int   // requests that reached the server, token request excluded
		wantCalls int64 // token source calls
	}{
		{"a revoked token is replaced", false, nil, http.StatusOK, 2, 2},
		{"a body is sent again", false, func() (io.Reader, bool) { return strings.NewReader(`{"a":1}`), true }, http.StatusOK, 2, 2},
		{"a body that cannot be read again is not", false, func() (io.Reader, bool) { return strings.NewReader(`{"a":1}`), false }, http.StatusUnauthorized, 1, 1},
		{"a second 401 is returned", true, nil, http.StatusUnauthorized, 2, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			src := &fakeSource{}
			bp := mustBearer(t, mustNew(t, fakeCreds), src)
			var sent atomic.Int64
			var bodies sync.Map
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n := sent.Add(1)
				data, _ := io.ReadAll(r.Body)
				bodies.Store(n, string(data))
				// Only the token of the second source call is accepted: the
				// first one was revoked.
				if tc.rejectAll || claimsOf(t, r.Header.Get("Authorization"))["n"] != float64(2) {
					w.WriteHeader(http.StatusUnauthorized)
					return
				}
				w.WriteHeader(http.StatusOK)
			}))
			defer srv.Close()
			var body io.Reader
			keep := true
			if tc.body != nil {
				body, keep = tc.body()
			}
			req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL, body)
			if err != nil {
				t.Fatal(err)
			}
			if !keep {
				req.GetBody = nil
			}
			resp, err := (&http.Client{Transport: bp.RoundTripper(nil)}).Do(req)
			if err != nil {
				t.Fatalf("Do() error = %v; want nil", err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.wantCode || sent.Load() != int64(tc.wantSent) || src.calls.Load() != tc.wantCalls {
				t.Errorf("got status %d, %d requests, %d tokens; want %d, %d, %d", resp.StatusCode, sent.Load(), src.calls.Load(), tc.wantCode, tc.wantSent, tc.wantCalls)
			}
			if tc.body != nil && keep {
				first, _ := bodies.Load(int64(1))
				second, _ := bodies.Load(int64(2))
				if first != `{"a":1}` || second != first {
					t.Errorf("bodies sent: %q then %q; want the body twice", first, second)
				}
			}
		})
	}
}
