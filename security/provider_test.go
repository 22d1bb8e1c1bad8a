package security_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/whispir-go/whispir/security"
)

// Fake secrets used throughout the tests. None of them, nor the derived
// Authorization value, may appear in any formatted, logged or marshalled
// output, or in any error message.
const (
	fakeKey      = "fake-key-0123456789"
	fakeUser     = "alice"
	fakePassword = "fake-password-!@#"
)

var fakeCreds = security.Credentials{APIKey: fakeKey, Username: fakeUser, Password: fakePassword}

// basic returns the expected Authorization header value.
func basic(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

// secretsOf lists every string derived from c that must never be shown.
func secretsOf(c security.Credentials) []string {
	return []string{
		c.APIKey,
		c.Password,
		base64.StdEncoding.EncodeToString([]byte(c.Username + ":" + c.Password)),
	}
}

// assertNoSecrets fails the test if out contains any of the secrets. Values
// that are only whitespace are skipped, as they would match any message.
func assertNoSecrets(t *testing.T, what, out string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if strings.TrimSpace(s) == "" {
			continue
		}
		if strings.Contains(out, s) {
			t.Errorf("%s leaks secret %q: got %q; want no secret", what, s, out)
		}
	}
}

func mustNew(t *testing.T, c security.Credentials) *security.Provider {
	t.Helper()
	p, err := security.New(c)
	if err != nil {
		t.Fatalf("New() error = %v; want nil", err)
	}
	return p
}

// validationCases is shared by the New and Update tests.
var validationCases = []struct {
	name    string
	creds   security.Credentials
	wantErr []error  // sentinels the error must wrap; nil means success
	wantIn  []string // substrings the error message must contain
}{
	{
		name:  "valid",
		creds: fakeCreds,
	},
	{
		name:  "password with surrounding spaces is kept as is",
		creds: security.Credentials{APIKey: fakeKey, Username: fakeUser, Password: "  fake-password-!@#  "},
	},
	{
		name:    "empty api key",
		creds:   security.Credentials{Username: fakeUser, Password: fakePassword},
		wantErr: []error{security.ErrMissingCredentials},
		wantIn:  []string{"security: missing credentials: APIKey is empty"},
	},
	{
		name:    "empty username",
		creds:   security.Credentials{APIKey: fakeKey, Password: fakePassword},
		wantErr: []error{security.ErrMissingCredentials},
		wantIn:  []string{"security: missing credentials: Username is empty"},
	},
	{
		name:    "empty password",
		creds:   security.Credentials{APIKey: fakeKey, Username: fakeUser},
		wantErr: []error{security.ErrMissingCredentials},
		wantIn:  []string{"security: missing credentials: Password is empty"},
	},
	{
		name:    "whitespace api key",
		creds:   security.Credentials{APIKey: " \t ", Username: fakeUser, Password: fakePassword},
		wantErr: []error{security.ErrMissingCredentials},
		wantIn:  []string{"APIKey is whitespace only"},
	},
	{
		name:    "whitespace username",
		creds:   security.Credentials{APIKey: fakeKey, Username: "   ", Password: fakePassword},
		wantErr: []error{security.ErrMissingCredentials},
		wantIn:  []string{"Username is whitespace only"},
	},
	{
		name:    "whitespace password",
		creds:   security.Credentials{APIKey: fakeKey, Username: fakeUser, Password: "\t"},
		wantErr: []error{security.ErrMissingCredentials},
		wantIn:  []string{"Password is whitespace only"},
	},
	{
		name:    "all empty names every field",
		creds:   security.Credentials{},
		wantErr: []error{security.ErrMissingCredentials},
		wantIn:  []string{"APIKey is empty", "Username is empty", "Password is empty"},
	},
	{
		name:    "colon in username",
		creds:   security.Credentials{APIKey: fakeKey, Username: "alice:admin", Password: fakePassword},
		wantErr: []error{security.ErrInvalidCredentials},
		wantIn:  []string{"security: invalid credentials: Username contains ':'"},
	},
	{
		name:    "api key with leading space",
		creds:   security.Credentials{APIKey: " " + fakeKey, Username: fakeUser, Password: fakePassword},
		wantErr: []error{security.ErrInvalidCredentials},
		wantIn:  []string{"APIKey has leading or trailing whitespace"},
	},
	{
		name:    "api key with trailing tab",
		creds:   security.Credentials{APIKey: fakeKey + "\t", Username: fakeUser, Password: fakePassword},
		wantErr: []error{security.ErrInvalidCredentials},
		wantIn:  []string{"APIKey has leading or trailing whitespace"},
	},
	{
		name:    "api key with newline",
		creds:   security.Credentials{APIKey: fakeKey + "\r\nX-Injected: 1", Username: fakeUser, Password: fakePassword},
		wantErr: []error{security.ErrInvalidCredentials},
		wantIn:  []string{"APIKey contains control characters"},
	},
	{
		name:    "password with trailing newline",
		creds:   security.Credentials{APIKey: fakeKey, Username: fakeUser, Password: fakePassword + "\n"},
		wantErr: []error{security.ErrInvalidCredentials},
		wantIn:  []string{"Password contains control characters"},
	},
	{
		name:    "missing and invalid together",
		creds:   security.Credentials{APIKey: fakeKey, Username: "alice:admin"},
		wantErr: []error{security.ErrMissingCredentials, security.ErrInvalidCredentials},
		wantIn:  []string{"Password is empty", "Username contains ':'"},
	},
}

// checkValidationErr checks err against a validationCases entry.
func checkValidationErr(t *testing.T, err error, c security.Credentials, wantErr []error, wantIn []string) {
	t.Helper()
	if len(wantErr) == 0 {
		if err != nil {
			t.Fatalf("got error %q; want nil", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("got nil error; want error wrapping %v", wantErr)
	}
	for _, target := range wantErr {
		if !errors.Is(err, target) {
			t.Errorf("errors.Is(%q, %q) = false; want true", err, target)
		}
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "security: ") {
		t.Errorf("got error %q; want prefix %q", msg, "security: ")
	}
	for _, s := range wantIn {
		if !strings.Contains(msg, s) {
			t.Errorf("got error %q; want it to contain %q", msg, s)
		}
	}
	assertNoSecrets(t, "error", msg, append(secretsOf(c), c.Username)...)
}

func TestNewValidation(t *testing.T) {
	t.Parallel()
	for _, tc := range validationCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, err := security.New(tc.creds)
			checkValidationErr(t, err, tc.creds, tc.wantErr, tc.wantIn)
			if err != nil {
				if p != nil {
					t.Errorf("got provider %v with error; want nil provider", p)
				}
				return
			}
			if got := p.Credentials(); got != tc.creds {
				t.Errorf("Credentials() = %#v; want the credentials passed to New", got)
			}
		})
	}
}

func TestNewExactMessage(t *testing.T) {
	t.Parallel()
	_, err := security.New(security.Credentials{APIKey: fakeKey, Username: fakeUser})
	const want = "security: missing credentials: Password is empty"
	if err == nil || err.Error() != want {
		t.Fatalf("got error %v; want %q", err, want)
	}
}

func TestUpdateValidation(t *testing.T) {
	t.Parallel()
	old := security.Credentials{APIKey: "old-key-0123456789", Username: "old-user", Password: "old-password-!@#"}
	for _, tc := range validationCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := mustNew(t, old)
			err := p.Update(tc.creds)
			checkValidationErr(t, err, tc.creds, tc.wantErr, tc.wantIn)

			want := tc.creds
			if err != nil {
				want = old // invalid input must leave the old credentials in place
			}
			if got := p.Credentials(); got != want {
				t.Errorf("Credentials() after Update = %#v; want %#v", got, want)
			}
			req := httptest.NewRequest(http.MethodGet, "http://whispir.invalid/", nil)
			if err := p.Intercept(context.Background(), req); err != nil {
				t.Fatalf("Intercept() error = %v; want nil", err)
			}
			if got := req.Header.Get(security.HeaderAPIKey); got != want.APIKey {
				t.Errorf("x-api-key after Update = %q; want %q", got, want.APIKey)
			}
			if got, wantAuth := req.Header.Get("Authorization"), basic(want.Username, want.Password); got != wantAuth {
				t.Errorf("Authorization after Update = %q; want %q", got, wantAuth)
			}
		})
	}
}

func TestIntercept(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		prepare func(req *http.Request)
	}{
		{name: "no existing headers"},
		{
			name:    "nil header map",
			prepare: func(req *http.Request) { req.Header = nil },
		},
		{
			name: "existing values are overwritten",
			prepare: func(req *http.Request) {
				req.Header.Add(security.HeaderAPIKey, "stale-1")
				req.Header.Add(security.HeaderAPIKey, "stale-2")
				req.Header.Add("Authorization", "Bearer stale-1")
				req.Header.Add("Authorization", "Bearer stale-2")
			},
		},
		{
			name: "non-canonical map keys are replaced",
			prepare: func(req *http.Request) {
				req.Header["x-api-key"] = []string{"stale-lower"}
				req.Header["authorization"] = []string{"Bearer stale-lower"}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := mustNew(t, fakeCreds)
			req := httptest.NewRequest(http.MethodPost, "http://whispir.invalid/messages", nil)
			req.Header.Set("Content-Type", "application/json")
			if tc.prepare != nil {
				tc.prepare(req)
			}
			if err := p.Intercept(context.Background(), req); err != nil {
				t.Fatalf("Intercept() error = %v; want nil", err)
			}

			for _, h := range []string{security.HeaderAPIKey, "Authorization"} {
				if got := len(req.Header.Values(h)); got != 1 {
					t.Errorf("len(Header.Values(%q)) = %d; want 1", h, got)
				}
			}
			for k := range req.Header {
				if k != http.CanonicalHeaderKey(k) {
					t.Errorf("header map has non-canonical key %q; want it removed", k)
				}
			}
			if got := req.Header.Get(security.HeaderAPIKey); got != fakeKey {
				t.Errorf("x-api-key = %q; want %q", got, fakeKey)
			}
			if got, want := req.Header.Get("Authorization"), basic(fakeUser, fakePassword); got != want {
				t.Errorf("Authorization = %q; want %q", got, want)
			}
			user, pass, ok := req.BasicAuth()
			if !ok || user != fakeUser || pass != fakePassword {
				t.Errorf("BasicAuth() = %q, %q, %t; want %q, %q, true", user, pass, ok, fakeUser, fakePassword)
			}
			if tc.prepare == nil {
				if got := req.Header.Get("Content-Type"); got != "application/json" {
					t.Errorf("Content-Type = %q; want other headers untouched", got)
				}
			}
		})
	}
}

func TestNilAndZeroProvider(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		p    *security.Provider
	}{
		{name: "nil pointer", p: nil},
		{name: "zero value", p: &security.Provider{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req := httptest.NewRequest(http.MethodGet, "http://whispir.invalid/", nil)
			if err := tc.p.Intercept(context.Background(), req); !errors.Is(err, security.ErrNoProvider) {
				t.Errorf("Intercept() error = %v; want %v", err, security.ErrNoProvider)
			}
			if len(req.Header) != 0 {
				t.Errorf("request headers = %v; want none set", req.Header)
			}
			if err := tc.p.Update(fakeCreds); !errors.Is(err, security.ErrNoProvider) {
				t.Errorf("Update() error = %v; want %v", err, security.ErrNoProvider)
			}
			if got := tc.p.Credentials(); got != (security.Credentials{}) {
				t.Errorf("Credentials() = %v; want zero value", got)
			}
			_ = fmt.Sprintf("%v %+v %#v %s %q", tc.p, tc.p, tc.p, tc.p, tc.p) // must not panic
			_ = tc.p.LogValue()
		})
	}
}

func TestInterceptNilRequest(t *testing.T) {
	t.Parallel()
	p := mustNew(t, fakeCreds)
	if err := p.Intercept(context.Background(), nil); err == nil {
		t.Fatalf("Intercept(nil request) error = nil; want error")
	}
}

func TestCredentialsReturnsCopy(t *testing.T) {
	t.Parallel()
	p := mustNew(t, fakeCreds)
	c := p.Credentials()
	c.APIKey = "changed"
	if got := p.Credentials().APIKey; got != fakeKey {
		t.Errorf("Credentials().APIKey after changing a copy = %q; want %q", got, fakeKey)
	}
}

func TestRoundTripper(t *testing.T) {
	t.Parallel()

	type seen struct {
		keys, auths []string
		body        string
	}
	var (
		mu   sync.Mutex
		last seen
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		last = seen{keys: r.Header.Values(security.HeaderAPIKey), auths: r.Header.Values("Authorization"), body: string(b)}
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)

	p := mustNew(t, fakeCreds)
	client := &http.Client{Transport: p.RoundTripper(nil), CheckRedirect: security.SameHostRedirectPolicy}

	send := func(t *testing.T) (seen, http.Header) {
		t.Helper()
		req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, srv.URL+"/messages", strings.NewReader(`{"body":"hi"}`))
		if err != nil {
			t.Fatalf("NewRequest() error = %v", err)
		}
		req.Header.Add(security.HeaderAPIKey, "caller-key")
		req.Header.Add("Authorization", "Bearer caller-token")
		req.Header.Set("Content-Type", "application/json")
		before := req.Header.Clone()

		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("Do() error = %v; want nil", err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusNoContent {
			t.Fatalf("status = %d; want %d", resp.StatusCode, http.StatusNoContent)
		}
		mu.Lock()
		defer mu.Unlock()
		if !reflect.DeepEqual(req.Header, before) {
			t.Errorf("caller's request headers after Do = %v; want unchanged %v", req.Header, before)
		}
		return last, req.Header
	}

	got, _ := send(t)
	if want := []string{fakeKey}; !reflect.DeepEqual(got.keys, want) {
		t.Errorf("server saw x-api-key %q; want %q", got.keys, want)
	}
	if want := []string{basic(fakeUser, fakePassword)}; !reflect.DeepEqual(got.auths, want) {
		t.Errorf("server saw Authorization %q; want %q", got.auths, want)
	}
	if want := `{"body":"hi"}`; got.body != want {
		t.Errorf("server saw body %q; want %q", got.body, want)
	}

	// An Update takes effect on the next request.
	rotated := security.Credentials{APIKey: "rotated-key", Username: "bob", Password: "rotated-password"}
	if err := p.Update(rotated); err != nil {
		t.Fatalf("Update() error = %v; want nil", err)
	}
	got, _ = send(t)
	if want := []string{"rotated-key"}; !reflect.DeepEqual(got.keys, want) {
		t.Errorf("server saw x-api-key %q after Update; want %q", got.keys, want)
	}
	if want := []string{basic("bob", "rotated-password")}; !reflect.DeepEqual(got.auths, want) {
		t.Errorf("server saw Authorization %q after Update; want %q", got.auths, want)
	}
}

// roundTripFunc adapts a function to http.RoundTripper.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// closeRecorder is a request body that records whether it was closed.
type closeRecorder struct {
	io.Reader
	closed atomic.Bool
}

func (c *closeRecorder) Close() error { c.closed.Store(true); return nil }

func TestRoundTripperErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		p       *security.Provider
		nilReq  bool
		wantErr error
	}{
		{name: "nil provider", p: nil, wantErr: security.ErrNoProvider},
		{name: "zero provider", p: &security.Provider{}, wantErr: security.ErrNoProvider},
		{name: "nil request", p: nil, nilReq: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			base := roundTripFunc(func(*http.Request) (*http.Response, error) {
				t.Errorf("base RoundTrip called; want the request not sent")
				return nil, errors.New("unexpected")
			})
			rt := tc.p.RoundTripper(base)
			var req *http.Request
			body := &closeRecorder{Reader: strings.NewReader("payload")}
			if !tc.nilReq {
				req = httptest.NewRequest(http.MethodPost, "http://whispir.invalid/", body)
			}
			resp, err := rt.RoundTrip(req)
			if err == nil {
				t.Fatalf("RoundTrip() error = nil; want error")
			}
			if resp != nil {
				t.Errorf("RoundTrip() response = %v; want nil", resp)
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("RoundTrip() error = %v; want %v", err, tc.wantErr)
			}
			if !tc.nilReq && !body.closed.Load() {
				t.Errorf("request body closed = false; want true")
			}
		})
	}
}

func TestRoundTripperDoesNotMutateRequest(t *testing.T) {
	t.Parallel()
	p := mustNew(t, fakeCreds)
	var sent *http.Request
	rt := p.RoundTripper(roundTripFunc(func(r *http.Request) (*http.Response, error) {
		sent = r
		return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody, Request: r}, nil
	}))
	req := httptest.NewRequest(http.MethodGet, "http://whispir.invalid/", nil)
	if _, err := rt.RoundTrip(req); err != nil {
		t.Fatalf("RoundTrip() error = %v; want nil", err)
	}
	if sent == req {
		t.Errorf("base received the caller's *http.Request; want a clone")
	}
	if len(req.Header) != 0 {
		t.Errorf("caller's request headers = %v; want none", req.Header)
	}
	if got := sent.Header.Get(security.HeaderAPIKey); got != fakeKey {
		t.Errorf("sent x-api-key = %q; want %q", got, fakeKey)
	}
}

// TestConcurrentUpdate rotates between two credential sets while workers
// intercept requests, and checks that every request carries one set whole.
// A torn Update shows only when an Intercept lands inside it, so the
// workers run until they have seen both sets many times and the set change
// under them many times, not for a fixed count (which a busy machine can
// finish before the updater is scheduled). A bound keeps it finite; not
// reaching the goal within it fails the test rather than passing untested.
func TestConcurrentUpdate(t *testing.T) {
	t.Parallel()
	pairs := []security.Credentials{
		{APIKey: "key-A", Username: "user-A", Password: "pass-A"},
		{APIKey: "key-B", Username: "user-B", Password: "pass-B"},
	}
	wantPass := map[string]string{"key-A": "pass-A", "key-B": "pass-B"}
	wantUser := map[string]string{"key-A": "user-A", "key-B": "user-B"}

	p := mustNew(t, pairs[0])
	const (
		workers      = 8
		wantSeen     = 1000    // requests with each set, at least
		wantSwitches = 500     // times a worker saw the set change, at least
		maxPerWorker = 2000000 // the bound
	)

	stop := make(chan struct{})
	var updates atomic.Int64
	updaterDone := make(chan struct{})
	go func() {
		defer close(updaterDone)
		for i := 0; ; i++ {
			if err := p.Update(pairs[i%2]); err != nil {
				t.Errorf("Update() error = %v; want nil", err)
				return
			}
			updates.Add(1)
			select {
			case <-stop:
				return
			default:
			}
		}
	}()

	var (
		wg                 sync.WaitGroup
		mismatches         atomic.Int64
		seenA, seenB       atomic.Int64
		switches, requests atomic.Int64
	)
	done := func() bool {
		return seenA.Load() >= wantSeen && seenB.Load() >= wantSeen && switches.Load() >= wantSwitches
	}
	for range workers {
		wg.Go(func() {
			last := ""
			for i := 0; i < maxPerWorker && (i%64 != 0 || !done()); i++ {
				req := httptest.NewRequest(http.MethodGet, "http://whispir.invalid/", nil)
				if err := p.Intercept(context.Background(), req); err != nil {
					t.Errorf("Intercept() error = %v; want nil", err)
					return
				}
				requests.Add(1)
				key := req.Header.Get(security.HeaderAPIKey)
				user, pass, ok := req.BasicAuth()
				if !ok || wantPass[key] != pass || wantUser[key] != user {
					if mismatches.Add(1) == 1 {
						t.Errorf("got key %q with user %q password %q; want a matching pair", key, user, pass)
					}
				}
				switch key {
				case "key-A":
					seenA.Add(1)
				case "key-B":
					seenB.Add(1)
				default:
					t.Errorf("got unexpected key %q; want key-A or key-B", key)
					return
				}
				if last != "" && key != last {
					switches.Add(1)
				}
				last = key
			}
		})
	}
	wg.Wait()
	close(stop)
	<-updaterDone

	if n := mismatches.Load(); n != 0 {
		t.Errorf("got %d requests with mismatched credentials; want 0", n)
	}
	t.Logf("%d requests (set A %d, set B %d), %d switches seen, %d updates",
		requests.Load(), seenA.Load(), seenB.Load(), switches.Load(), updates.Load())
	if !done() {
		t.Errorf("after %d requests: set A seen %d times, set B %d, %d switches; want at least %d, %d and %d (rotation was not exercised)",
			requests.Load(), seenA.Load(), seenB.Load(), switches.Load(), wantSeen, wantSeen, wantSwitches)
	}
}

func TestRedactionFmt(t *testing.T) {
	t.Parallel()
	p := mustNew(t, fakeCreds)
	c := fakeCreds
	values := []struct {
		name string
		v    any
	}{
		{"Credentials", c},
		{"*Credentials", &c},
		{"*Provider", p},
		{"Provider", *p},
		{"struct with exported fields", struct {
			C security.Credentials
			P *security.Provider
		}{c, p}},
		{"slice of Credentials", []security.Credentials{c}},
		{"map of *Credentials", map[string]*security.Credentials{"k": &c}},
	}
	verbs := []string{"%v", "%+v", "%s", "%q", "%#v", "%x", "%X", "%d", "%20s", "%-40v", "%+q"}
	for _, val := range values {
		for _, verb := range verbs {
			t.Run(val.name+" "+verb, func(t *testing.T) {
				t.Parallel()
				out := fmt.Sprintf(verb, val.v)
				assertNoSecrets(t, verb, out, secretsOf(fakeCreds)...)
				if verb == "%x" || verb == "%X" || verb == "%d" {
					return
				}
				if !strings.Contains(out, security.Redacted) {
					t.Errorf("fmt %s = %q; want it to contain %q", verb, out, security.Redacted)
				}
				if !strings.Contains(out, fakeUser) {
					t.Errorf("fmt %s = %q; want it to contain username %q", verb, out, fakeUser)
				}
			})
		}
	}
}

// TestRedactionBadVerbs: fmt handles %p before any method, and %w outside
// fmt.Errorf, by printing the argument with every method disabled (a
// "%!p(...)" report). A Provider and its RoundTripper keep the secrets out
// of reach even then. A bare Credentials value cannot (see its doc comment).
func TestRedactionBadVerbs(t *testing.T) {
	t.Parallel()
	p := mustNew(t, fakeCreds)
	values := []struct {
		name string
		v    any
	}{
		{"*Provider", p},
		{"Provider", *p},
		{"struct holding a *Provider", struct{ P *security.Provider }{p}},
		{"struct holding a Provider", struct{ P security.Provider }{*p}},
		{"*struct holding a Provider", &struct{ p security.Provider }{*p}},
		// Its own transport: formatting with methods disabled walks the base
		// transport, which must not be one that parallel tests are using.
		{"RoundTripper", p.RoundTripper(&http.Transport{})},
		{"[]*Provider", []*security.Provider{p}},
	}
	for _, val := range values {
		for _, verb := range []string{"%p", "%w", "%v", "%+v", "%#v", "%s", "%d", "%x"} {
			// A variable format: go vet rightly reports these misuses in a
			// constant one.
			assertNoSecrets(t, val.name+" "+verb, fmt.Sprintf(verb, val.v), secretsOf(fakeCreds)...)
			assertNoSecrets(t, val.name+" fmt.Errorf "+verb, fmt.Errorf(verb, val.v).Error(), secretsOf(fakeCreds)...)
		}
	}
}

func TestRedactionStrings(t *testing.T) {
	t.Parallel()
	p := mustNew(t, fakeCreds)
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"Credentials.String", fakeCreds.String(), `Credentials{Username:"alice" APIKey:[REDACTED] Password:[REDACTED]}`},
		{"Credentials.GoString", fakeCreds.GoString(), `security.Credentials{Username:"alice", APIKey:"[REDACTED]", Password:"[REDACTED]"}`},
		{"Credentials %#v", fmt.Sprintf("%#v", fakeCreds), `security.Credentials{Username:"alice", APIKey:"[REDACTED]", Password:"[REDACTED]"}`},
		{"empty Credentials", fmt.Sprint(security.Credentials{}), `Credentials{Username:"" APIKey:"" Password:""}`},
		{"Provider.String", p.String(), `Provider{Username:"alice" APIKey:[REDACTED] Password:[REDACTED]}`},
		{"*Provider %v", fmt.Sprintf("%v", p), `Provider{Username:"alice" APIKey:[REDACTED] Password:[REDACTED]}`},
		{"*Provider %#v", fmt.Sprintf("%#v", p), `security.Provider{Username:"alice", APIKey:"[REDACTED]", Password:"[REDACTED]"}`},
		{"nil *Provider", fmt.Sprint((*security.Provider)(nil)), `<nil>`},
		{"nil *Credentials", fmt.Sprint((*security.Credentials)(nil)), `<nil>`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if tc.got != tc.want {
				t.Errorf("got %s; want %s", tc.got, tc.want)
			}
		})
	}
}

func TestRedactionSlog(t *testing.T) {
	t.Parallel()
	p := mustNew(t, fakeCreds)
	c := fakeCreds
	handlers := []struct {
		name string
		new  func(w io.Writer) slog.Handler
	}{
		{"text", func(w io.Writer) slog.Handler { return slog.NewTextHandler(w, nil) }},
		{"json", func(w io.Writer) slog.Handler { return slog.NewJSONHandler(w, nil) }},
	}
	attrs := []struct {
		name string
		attr slog.Attr
	}{
		{"Credentials", slog.Any("creds", c)},
		{"*Credentials", slog.Any("creds", &c)},
		{"*Provider", slog.Any("provider", p)},
		{"Provider", slog.Any("provider", *p)},
		{"group", slog.Group("auth", slog.Any("creds", c), slog.Any("provider", p))},
	}
	for _, h := range handlers {
		for _, a := range attrs {
			t.Run(h.name+" "+a.name, func(t *testing.T) {
				t.Parallel()
				var buf bytes.Buffer
				logger := slog.New(h.new(&buf))
				logger.LogAttrs(context.Background(), slog.LevelInfo, "using credentials", a.attr)
				logger.Info("args form", "value", a.attr.Value.Any())
				out := buf.String()
				assertNoSecrets(t, "slog output", out, secretsOf(fakeCreds)...)
				if !strings.Contains(out, security.Redacted) {
					t.Errorf("slog output = %q; want it to contain %q", out, security.Redacted)
				}
				if !strings.Contains(out, fakeUser) {
					t.Errorf("slog output = %q; want it to contain username %q", out, fakeUser)
				}
			})
		}
	}
}

func TestRedactionJSON(t *testing.T) {
	t.Parallel()
	p := mustNew(t, fakeCreds)
	c := fakeCreds
	values := []struct {
		name string
		v    any
	}{
		{"Credentials", c},
		{"*Credentials", &c},
		{"*Provider", p},
		{"Provider", *p},
		{"struct", struct {
			C security.Credentials `json:"creds"`
			P *security.Provider   `json:"provider"`
		}{c, p}},
	}
	for _, val := range values {
		t.Run(val.name, func(t *testing.T) {
			t.Parallel()
			b, err := json.Marshal(val.v)
			if err != nil {
				t.Fatalf("json.Marshal() error = %v; want nil", err)
			}
			out := string(b)
			assertNoSecrets(t, "json", out, secretsOf(fakeCreds)...)
			if !strings.Contains(out, `"username":"alice"`) || !strings.Contains(out, `"api_key":"[REDACTED]"`) {
				t.Errorf("json = %s; want redacted fields with the username", out)
			}
		})
	}

	t.Run("exact", func(t *testing.T) {
		t.Parallel()
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatalf("json.Marshal() error = %v; want nil", err)
		}
		const want = `{"username":"alice","api_key":"[REDACTED]","password":"[REDACTED]"}`
		if string(b) != want {
			t.Errorf("got %s; want %s", b, want)
		}
	})

	t.Run("MarshalText", func(t *testing.T) {
		t.Parallel()
		for _, m := range []interface{ MarshalText() ([]byte, error) }{c, p} {
			b, err := m.MarshalText()
			if err != nil {
				t.Fatalf("MarshalText() error = %v; want nil", err)
			}
			assertNoSecrets(t, "MarshalText", string(b), secretsOf(fakeCreds)...)
		}
	})
}

// TestFromEnv uses t.Setenv, which cannot be combined with t.Parallel, so
// neither the test nor its subtests are parallel.
func TestFromEnv(t *testing.T) {
	unset := "\x00unset" // marker: the variable is removed from the environment
	tests := []struct {
		name            string
		key, user, pass string
		wantErr         error
		wantIn          []string
		wantNotIn       []string
	}{
		{name: "all set", key: fakeKey, user: fakeUser, pass: fakePassword},
		{
			name: "api key unset", key: unset, user: fakeUser, pass: fakePassword,
			wantErr:   security.ErrMissingCredentials,
			wantIn:    []string{"WHISPIR_API_KEY is not set or empty"},
			wantNotIn: []string{"WHISPIR_USERNAME", "WHISPIR_PASSWORD"},
		},
		{
			name: "password empty", key: fakeKey, user: fakeUser, pass: "",
			wantErr:   security.ErrMissingCredentials,
			wantIn:    []string{"WHISPIR_PASSWORD is not set or empty"},
			wantNotIn: []string{"WHISPIR_API_KEY", "WHISPIR_USERNAME"},
		},
		{
			name: "all unset", key: unset, user: unset, pass: unset,
			wantErr: security.ErrMissingCredentials,
			wantIn:  []string{"WHISPIR_API_KEY", "WHISPIR_USERNAME", "WHISPIR_PASSWORD"},
		},
		{
			name: "username whitespace", key: fakeKey, user: "  ", pass: fakePassword,
			wantErr: security.ErrMissingCredentials,
			wantIn:  []string{"WHISPIR_USERNAME is whitespace only"},
		},
		{
			name: "username with colon", key: fakeKey, user: "alice:x", pass: fakePassword,
			wantErr: security.ErrInvalidCredentials,
			wantIn:  []string{"WHISPIR_USERNAME contains ':'"},
		},
		{
			name: "api key with trailing newline", key: fakeKey + "\n", user: fakeUser, pass: fakePassword,
			wantErr: security.ErrInvalidCredentials,
			wantIn:  []string{"WHISPIR_API_KEY"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for name, v := range map[string]string{
				security.EnvAPIKey:   tc.key,
				security.EnvUsername: tc.user,
				security.EnvPassword: tc.pass,
			} {
				t.Setenv(name, "") // restores the original value after the test
				if v == unset {
					if err := os.Unsetenv(name); err != nil {
						t.Fatalf("Unsetenv(%q) error = %v", name, err)
					}
					continue
				}
				t.Setenv(name, v)
			}

			p, err := security.FromEnv()
			if tc.wantErr == nil {
				if err != nil {
					t.Fatalf("FromEnv() error = %v; want nil", err)
				}
				want := security.Credentials{APIKey: tc.key, Username: tc.user, Password: tc.pass}
				if got := p.Credentials(); got != want {
					t.Errorf("Credentials() = %#v; want the environment values", got)
				}
				return
			}
			if err == nil {
				t.Fatalf("FromEnv() error = nil; want error wrapping %v", tc.wantErr)
			}
			if !errors.Is(err, tc.wantErr) {
				t.Errorf("errors.Is(%q, %q) = false; want true", err, tc.wantErr)
			}
			for _, s := range tc.wantIn {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("got error %q; want it to contain %q", err, s)
				}
			}
			for _, s := range tc.wantNotIn {
				if strings.Contains(err.Error(), s) {
					t.Errorf("got error %q; want it not to mention %q", err, s)
				}
			}
			assertNoSecrets(t, "FromEnv error", err.Error(), tc.key, tc.pass)
		})
	}
}

func TestSameHostRedirectPolicy(t *testing.T) {
	t.Parallel()
	mustReq := func(raw string) *http.Request {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatalf("url.Parse(%q) error = %v", raw, err)
		}
		return &http.Request{URL: u}
	}
	first := mustReq("https://api.whispir.invalid/messages")
	tests := []struct {
		name    string
		target  string
		via     int
		wantErr bool
	}{
		{name: "same host", target: "https://api.whispir.invalid/other", via: 1},
		{name: "same host different case", target: "https://API.whispir.invalid/other", via: 1},
		{name: "other host", target: "https://evil.invalid/", via: 1, wantErr: true},
		{name: "subdomain", target: "https://x.api.whispir.invalid/", via: 1, wantErr: true},
		{name: "other port", target: "https://api.whispir.invalid:8443/", via: 1, wantErr: true},
		{name: "https to http", target: "http://api.whispir.invalid/", via: 1, wantErr: true},
		{name: "too many redirects", target: "https://api.whispir.invalid/", via: 10, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			via := make([]*http.Request, tc.via)
			for i := range via {
				via[i] = first
			}
			err := security.SameHostRedirectPolicy(mustReq(tc.target), via)
			if (err != nil) != tc.wantErr {
				t.Errorf("got error %v; want error %t", err, tc.wantErr)
			}
		})
	}
}
