package api_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/whispir-go/whispir/api"
	"github.com/whispir-go/whispir/generated"
	"github.com/whispir-go/whispir/security"
	"github.com/whispir-go/whispir/whispirtest"
)

// bearerClient starts a mock and returns a client of it that sends Bearer
// tokens; clock, when not nil, is the client's clock.
func bearerClient(t *testing.T, clock func() time.Time, mockOpts ...whispirtest.Option) (*api.Client, *whispirtest.Server, *security.Provider) {
	t.Helper()
	srv := whispirtest.NewServer(append([]whispirtest.Option{whispirtest.WithResponseValidation(t)}, mockOpts...)...)
	t.Cleanup(srv.Close)
	p, err := security.New(srv.Credentials())
	if err != nil {
		t.Fatal(err)
	}
	c, err := api.New(p, api.WithBaseURL(srv.URL), api.WithRetry(api.NoWaitRetryPolicy()),
		api.WithBearerAuth(security.WithClock(clock)))
	if err != nil {
		t.Fatal(err)
	}
	return c, srv, p
}

// exchange is one recorded request, told by its operation, the scheme of
// its Authorization and its status: "authCreate Basic 200".
func exchanges(srv *whispirtest.Server) []string {
	var out []string
	for _, r := range srv.Requests() {
		scheme, _, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		out = append(out, fmt.Sprint(r.OperationID, " ", scheme, " ", r.Status))
	}
	return out
}

func listMessages(ctx context.Context, c *api.Client) error {
	_, err := c.DefaultMessageListWithResponse(ctx, nil)
	return err
}

func TestBearerAuthAgainstTheMock(t *testing.T) {
	t.Parallel()
	const (
		auth = "authCreate Basic 200"
		list = "defaultMessageList Bearer 200"
	)
	tests := []struct {
		name string
		mock []whispirtest.Option
		// between the first and the second call
		between func(srv *whispirtest.Server, clock *testClock)
		want    []string
	}{
		{"a token is obtained once and reused", nil, nil,
			[]string{auth, list, list}},
		{"a token is replaced before its exp", []whispirtest.Option{whispirtest.WithTokenLifetime(time.Hour)},
			func(_ *whispirtest.Server, clock *testClock) { clock.Advance(time.Hour) },
			[]string{auth, list, auth, list}},
		{"a token is kept until shortly before its exp", []whispirtest.Option{whispirtest.WithTokenLifetime(time.Hour)},
			func(_ *whispirtest.Server, clock *testClock) { clock.Advance(58 * time.Minute) },
			[]string{auth, list, list}},
		{"a token without exp is replaced after the default lifetime", nil,
			func(_ *whispirtest.Server, clock *testClock) { clock.Advance(security.DefaultTokenLifetime) },
			[]string{auth, list, auth, list}},
		{"a revoked token is answered 401, replaced once and the call sent again", nil,
			func(srv *whispirtest.Server, _ *testClock) { srv.RevokeTokens() },
			[]string{auth, list, "defaultMessageList Bearer 401", auth, list}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clock := newTestClock()
			c, srv, _ := bearerClient(t, clock.Now, tc.mock...)
			if err := listMessages(t.Context(), c); err != nil {
				t.Fatalf("first call: %v", err)
			}
			if tc.between != nil {
				tc.between(srv, clock)
			}
			if err := listMessages(t.Context(), c); err != nil {
				t.Fatalf("second call: %v", err)
			}
			if got := exchanges(srv); strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("requests:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

// A send answered 401 was not processed: sent again with a new token, it
// is one message.
func TestBearerAuthResendsARefusedSendOnce(t *testing.T) {
	t.Parallel()
	c, srv, _ := bearerClient(t, nil)
	if _, err := c.SendMessage(t.Context(), "", generated.Message{To: "61400000000", Subject: api.Ptr("One"), Body: api.Ptr("Hello")}); err != nil {
		t.Fatal(err)
	}
	srv.RevokeTokens()
	if _, err := c.SendMessage(t.Context(), "", generated.Message{To: "61400000000", Subject: api.Ptr("Two"), Body: api.Ptr("Hello")}); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.Messages()); n != 2 {
		t.Errorf("messages: got %d; want 2", n)
	}
}

func TestBearerAuthFailures(t *testing.T) {
	t.Parallel()
	alwaysUnauthorized := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/vnd.whispir.message-v1+json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"errorSummary":"Your token is not valid","errorText":"Unauthorized"}`))
	}
	tests := []struct {
		name     string
		mock     []whispirtest.Option
		password string // "" keeps the mock's
		wantErr  []error
		want     []string
	}{
		{"every token answered 401: one refresh, then the error",
			[]whispirtest.Option{whispirtest.WithHandler("defaultMessageList", alwaysUnauthorized)}, "",
			[]error{api.ErrUnauthorized},
			[]string{"authCreate Basic 200", "defaultMessageList Bearer 401", "authCreate Basic 200", "defaultMessageList Bearer 401"}},
		{"a wrong password: authCreate's 401, nothing else sent",
			nil, "wrong-password-not-real",
			[]error{security.ErrToken, api.ErrUnauthorized},
			[]string{"authCreate Basic 401"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, srv, p := bearerClient(t, nil, tc.mock...)
			if tc.password != "" {
				creds := srv.Credentials()
				creds.Password = tc.password
				if err := p.Update(creds); err != nil {
					t.Fatal(err)
				}
			}
			err := listMessages(t.Context(), c)
			for _, want := range tc.wantErr {
				if !errors.Is(err, want) {
					t.Errorf("error %v; want it to wrap %v", err, want)
				}
			}
			if err != nil {
				creds := srv.Credentials()
				for _, secret := range []string{creds.APIKey, creds.Password, tc.password} {
					if secret != "" && strings.Contains(err.Error(), secret) {
						t.Errorf("error %q shows a secret", err)
					}
				}
			}
			if got := exchanges(srv); strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("requests:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

// Concurrent calls share one token, and after a revocation one refresh;
// while the credentials rotate, no request carries the API key of one set
// with a token of the other.
func TestBearerAuthConcurrent(t *testing.T) {
	t.Parallel()
	setA := security.Credentials{APIKey: "key-A-not-real", Username: "user-A", Password: "pass-A-not-real"}
	setB := security.Credentials{APIKey: "key-B-not-real", Username: "user-B", Password: "pass-B-not-real"}
	c, srv, p := bearerClient(t, nil, whispirtest.WithCredentials(setA), whispirtest.WithAdditionalCredentials(setB))
	const workers = 16
	burst := func() {
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				if err := listMessages(t.Context(), c); err != nil {
					t.Errorf("call: %v", err)
				}
			})
		}
		wg.Wait()
	}
	countAuth := func() int {
		n := 0
		for _, r := range srv.Requests() {
			if r.OperationID == "authCreate" {
				n++
			}
		}
		return n
	}
	burst()
	if n := countAuth(); n != 1 {
		t.Errorf("authCreate calls after %d concurrent calls: got %d; want 1", workers, n)
	}
	srv.RevokeTokens()
	burst()
	if n := countAuth(); n != 2 {
		t.Errorf("authCreate calls after a revocation and %d concurrent calls: got %d; want 2", workers, n)
	}

	// Rotation under load.
	stop := make(chan struct{})
	rotated := make(chan struct{})
	go func() {
		defer close(rotated)
		for i := 0; ; i++ {
			if err := p.Update([]security.Credentials{setB, setA}[i%2]); err != nil {
				t.Errorf("Update: %v", err)
				return
			}
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	for range 5 {
		burst()
	}
	close(stop)
	<-rotated
	users := map[string]string{setA.APIKey: setA.Username, setB.APIKey: setB.Username}
	seen := map[string]int{}
	for _, r := range srv.Requests() {
		if r.OperationID == "authCreate" || r.Status == http.StatusUnauthorized {
			continue // a revoked token names no user
		}
		if users[r.Credentials.APIKey] != r.Credentials.Username {
			t.Errorf("a request with the key of %s carried a token of %q; want the same set", users[r.Credentials.APIKey], r.Credentials.Username)
		}
		seen[r.Credentials.Username]++
	}
	t.Logf("requests per user: %v; authCreate calls: %d", seen, countAuth())
	if seen[setA.Username] == 0 || seen[setB.Username] == 0 {
		t.Errorf("requests per user %v; want both sets used (rotation not exercised)", seen)
	}
}

// The token source gives Bearer tokens to a plain http.Client too.
func TestTokenSourceWithAPlainHTTPClient(t *testing.T) {
	t.Parallel()
	srv := whispirtest.NewServer()
	defer srv.Close()
	p, err := security.New(srv.Credentials())
	if err != nil {
		t.Fatal(err)
	}
	c, err := api.New(p, api.WithBaseURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	bp, err := p.Bearer(c.TokenSource())
	if err != nil {
		t.Fatal(err)
	}
	hc := &http.Client{Transport: bp.RoundTripper(nil)}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+"/messages", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "application/vnd.whispir.message-v1+json")
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	got := exchanges(srv)
	want := []string{"authCreate Basic 200", "defaultMessageList Bearer 200"}
	if resp.StatusCode != http.StatusOK || strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("status %d, requests %q; want 200 and %q", resp.StatusCode, got, want)
	}
}

// testClock is a clock that tests move by hand.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func newTestClock() *testClock { return &testClock{now: time.Now()} }

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
