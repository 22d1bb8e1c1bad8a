package whispir_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/whispir-go/whispir/api"
	"github.com/whispir-go/whispir/security"
	"github.com/whispir-go/whispir/whispirtest"
)

// Distinctive credentials: any of these strings in an output is a leak.
var (
	leakCreds = security.Credentials{APIKey: "LEAK-KEY-5f1e0c9a7b", Username: "leak-user", Password: "LEAK-PASS-c4d2e8b6"}
	// leakWrong are credentials the mock refuses: their values must not
	// leak either.
	leakWrong = security.Credentials{APIKey: "LEAK-WRONGKEY-19af", Username: "leak-user", Password: "LEAK-WRONGPASS-77d0"}
)

// leakSecrets are the strings that must never be shown: each API key and
// password, and each Basic token.
func leakSecrets() map[string]string {
	out := map[string]string{}
	for _, c := range []security.Credentials{leakCreds, leakWrong} {
		out[c.APIKey] = "an API key"
		out[c.Password] = "a password"
		out[base64.StdEncoding.EncodeToString([]byte(c.Username+":"+c.Password))] = "a Basic token"
	}
	return out
}

// leakCheck fails the test when s holds a secret; it never prints s.
func leakCheck(t *testing.T, where, s string) {
	t.Helper()
	for secret, what := range leakSecrets() {
		if strings.Contains(s, secret) {
			t.Errorf("%s shows %s", where, what)
		}
	}
}

// leakFaults are the faults the leak tests go through: every kind, with
// Retry-After where it applies, so that retries are logged.
var leakFaults = []whispirtest.Fault{
	{Kind: whispirtest.FaultQPS},
	{Kind: whispirtest.FaultQPD},
	{Kind: whispirtest.FaultMasheryQPS},
	{Kind: whispirtest.FaultTooManyRequests, RetryAfter: "1"},
	{Kind: whispirtest.FaultTooManyRequests, RetryAfter: "3600"},
	{Kind: whispirtest.FaultStatus, Status: 500},
	{Kind: whispirtest.FaultStatus, Status: 502},
	{Kind: whispirtest.FaultStatus, Status: 503, AfterProcessing: true},
	{Kind: whispirtest.FaultStatus, Status: 504},
	{Kind: whispirtest.FaultSlow, Delay: time.Minute},
	{Kind: whispirtest.FaultDrop},
	{Kind: whispirtest.FaultDrop, AfterProcessing: true},
	{Kind: whispirtest.FaultTruncated},
	{Kind: whispirtest.FaultMalformed},
}

// leakClient is a client of srv with creds, logging to logger, on the fake
// clock.
func leakClient(t *testing.T, srv *whispirtest.Server, creds security.Credentials, logger *slog.Logger, opts ...api.Option) *api.Client {
	t.Helper()
	p, err := security.New(creds)
	if err != nil {
		t.Fatalf("security.New: %v", err)
	}
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	c, err := api.New(p, append([]api.Option{api.WithBaseURL(srv.URL), api.WithRetry(resilPolicy(&resilClock{})),
		api.WithHTTPClient(&http.Client{Transport: tr}), api.WithTimeout(resilShortAttemptTimeout), api.WithLogger(logger)}, opts...)...)
	if err != nil {
		t.Fatalf("api.New: %v", err)
	}
	return c
}

// leakFormats renders v with the verbs a user logs values with, the two
// verbs fmt reports as bad before calling any method (%p on a value that is
// not a pointer, %w outside fmt.Errorf: fmt then prints the value with every
// method disabled), and as JSON. With all, it adds %s, %q, %d and %x: on a
// type without a Format method these print what nested pointers point to.
func leakFormats(v any, all ...bool) string {
	return leakRender(v, len(all) > 0 && all[0], true)
}

// leakWrap is a variable, so that go vet lets fmt.Errorf misuse it here.
var leakWrap = "%w"

// leakRender is leakFormats, without %p and %w unless badVerbs.
func leakRender(v any, all, badVerbs bool) string {
	verbs := []string{"%v", "%+v", "%#v"}
	if badVerbs {
		verbs = append(verbs, "%p", "%w")
	}
	if all {
		verbs = append(verbs, "%s", "%q", "%d", "%x")
	}
	var b strings.Builder
	for _, verb := range verbs {
		fmt.Fprintf(&b, verb+"\n", v)
	}
	if badVerbs {
		fmt.Fprintf(&b, "%s\n", fmt.Errorf(leakWrap, v))
	}
	if data, err := json.Marshal(v); err == nil {
		b.Write(data)
	}
	return b.String()
}

// TestNoSecretInErrorsOrLogs goes through every fault (and refused
// credentials) with debug logging on, in JSON and in text, and looks for
// the credentials in every error and log line.
func TestNoSecretInErrorsOrLogs(t *testing.T) {
	t.Parallel()
	handlers := []struct {
		name string
		new  func(*bytes.Buffer) slog.Handler
	}{
		{"json", func(b *bytes.Buffer) slog.Handler {
			return slog.NewJSONHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug, AddSource: true})
		}},
		{"text", func(b *bytes.Buffer) slog.Handler {
			return slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug})
		}},
	}
	for _, h := range handlers {
		t.Run(h.name, func(t *testing.T) {
			t.Parallel()
			var logs bytes.Buffer
			logger := slog.New(h.new(&logs))
			srv := whispirtest.NewServer(whispirtest.WithCredentials(leakCreds))
			t.Cleanup(srv.Close)
			c := leakClient(t, srv, leakCreds, logger)
			var errs []error
			note := func(err error) {
				if err != nil {
					errs = append(errs, err)
				}
			}

			id, err := c.SendMessage(t.Context(), resilWorkspace, resilSMS("leak seed"))
			if err != nil {
				t.Fatalf("SendMessage: %v", err)
			}
			for _, f := range leakFaults {
				for _, n := range []int{1, 2} {
					if err := srv.InjectFaults(n, f); err != nil {
						t.Fatalf("InjectFaults: %v", err)
					}
					_, err := c.SendMessage(t.Context(), resilWorkspace, resilSMS("leak"))
					note(err)
					srv.ClearFaults()
					if err := srv.InjectFaults(n, f); err != nil {
						t.Fatalf("InjectFaults: %v", err)
					}
					_, err = c.MessageRetrieveWithResponse(t.Context(), resilWorkspace, id)
					note(err)
					srv.ClearFaults()
				}
			}
			// Refused credentials: a wrong key (403) and a wrong password (401).
			for _, creds := range []security.Credentials{
				leakWrong,
				{APIKey: leakCreds.APIKey, Username: leakWrong.Username, Password: leakWrong.Password},
			} {
				_, err := leakClient(t, srv, creds, logger).SendMessage(t.Context(), resilWorkspace, resilSMS("refused"))
				if err == nil {
					t.Fatal("SendMessage with wrong credentials: got no error")
				}
				note(err)
			}
			// A cancelled context, and a deadline in the middle of a slow answer.
			ctx, cancel := context.WithCancel(t.Context())
			cancel()
			_, err = c.SendMessage(ctx, resilWorkspace, resilSMS("cancelled"))
			if !errors.Is(err, context.Canceled) {
				t.Errorf("SendMessage with a cancelled context: got %v; want context.Canceled", err)
			}
			note(err)
			note(leakDeadlineMidAnswer(t, srv, logger))

			// The values users log next to a client.
			p, _ := security.New(leakCreds)
			logger.Info("state", "provider", p, "credentials", leakCreds, "requests", srv.Requests(), "messages", srv.Messages())
			logger.Debug("errors", "errors", errs)

			if len(errs) < len(leakFaults) {
				t.Fatalf("errors: got %d; want at least %d", len(errs), len(leakFaults))
			}
			for i, err := range errs {
				// Named by index and type only: the text is what is checked,
				// and a failure must not print the secret it found.
				where := fmt.Sprintf("error %d (%T)", i, err)
				leakCheck(t, where, leakFormats(err))
				var e *api.Error
				if errors.As(err, &e) {
					leakCheck(t, where+" as *api.Error", leakFormats(e)+string(e.Body))
				}
			}
			out := logs.String()
			leakCheck(t, h.name+" log", out)
			for _, want := range []string{"whispir attempt", "whispir retry", "ERR_403_DEVELOPER_OVER_QPS"} {
				if !strings.Contains(out, want) {
					t.Errorf("%s log: got no %q; want the retries logged", h.name, want)
				}
			}
		})
	}
}

// leakDeadline is a context whose deadline passes when expire is called, so
// that a test can make it pass at a chosen moment.
type leakDeadline struct {
	context.Context
	done chan struct{}
	once sync.Once
}

func newLeakDeadline(parent context.Context) *leakDeadline {
	return &leakDeadline{Context: parent, done: make(chan struct{})}
}

func (d *leakDeadline) Done() <-chan struct{} { return d.done }

func (d *leakDeadline) Err() error {
	select {
	case <-d.done:
		return context.DeadlineExceeded
	default:
		return nil
	}
}

func (d *leakDeadline) expire() { d.once.Do(func() { close(d.done) }) }

// leakDeadlineMidAnswer sends a message whose context's deadline passes
// while the mock holds the answer back (FaultSlow), and returns the error.
// The client has no attempt timeout, so only that deadline ends the call.
func leakDeadlineMidAnswer(t *testing.T, srv *whispirtest.Server, logger *slog.Logger) error {
	t.Helper()
	c := leakClient(t, srv, leakCreds, logger, api.WithTimeout(0))
	if err := srv.InjectFaults(1, whispirtest.Fault{Kind: whispirtest.FaultSlow, Delay: time.Minute}); err != nil {
		t.Fatalf("InjectFaults: %v", err)
	}
	defer srv.ClearFaults()
	before := len(srv.Requests())
	ctx := newLeakDeadline(t.Context())
	defer ctx.expire()
	done := make(chan error, 1)
	go func() {
		_, err := c.SendMessage(ctx, resilWorkspace, resilSMS("deadline"))
		done <- err
	}()
	held := func() bool {
		r := srv.Requests()
		return len(r) == before+1 && r[before].Fault == whispirtest.FaultSlow && r[before].Status == 0
	}
	for i := 0; !held(); i++ { // bounded: 20 s
		if i == 2000 {
			t.Fatal("the mock never held the request back")
		}
		time.Sleep(10 * time.Millisecond)
	}
	ctx.expire()
	var err error
	select {
	case err = <-done:
	case <-time.After(20 * time.Second): // a bound, not a measurement
		t.Fatal("SendMessage outlived its deadline by 20 s")
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("SendMessage whose deadline passed during a slow answer: got %v; want context.DeadlineExceeded", err)
	}
	return err
}

// TestNoSecretInFormattedValues formats every public type that holds or
// meets credentials.
func TestNoSecretInFormattedValues(t *testing.T) {
	t.Parallel()
	srv := whispirtest.NewServer(whispirtest.WithCredentials(leakCreds))
	t.Cleanup(srv.Close)
	// No slow fault here: the longer attempt timeout keeps a busy machine
	// from failing the sends.
	c := leakClient(t, srv, leakCreds, slog.New(slog.DiscardHandler), api.WithTimeout(resilAttemptTimeout))
	// Before any request, nothing runs in the background: every verb can
	// walk the whole client without racing with its connections.
	leakCheck(t, "*api.Client, every verb", leakFormats(c, true))
	leakCheck(t, "api.Client, every verb", leakFormats(*c, true))
	if _, err := c.SendMessage(t.Context(), resilWorkspace, resilSMS("format")); err != nil {
		t.Fatalf("SendMessage: %v", err)
	}
	if err := srv.InjectFaults(1, whispirtest.Fault{Kind: whispirtest.FaultQPD}); err != nil {
		t.Fatalf("InjectFaults: %v", err)
	}
	_, sendErr := c.SendMessage(t.Context(), resilWorkspace, resilSMS("format"))
	var apiErr *api.Error
	if !errors.As(sendErr, &apiErr) {
		t.Fatalf("SendMessage: got %v; want an *api.Error", sendErr)
	}
	p, err := security.New(leakCreds)
	if err != nil {
		t.Fatalf("security.New: %v", err)
	}
	req, err := http.NewRequest(http.MethodGet, srv.URL, nil)
	if err != nil {
		t.Fatalf("NewRequest: %v", err)
	}
	reqs, msgs := srv.Requests(), srv.Messages()
	if len(reqs) == 0 || len(msgs) == 0 {
		t.Fatalf("got %d requests and %d messages; want some", len(reqs), len(msgs))
	}
	if *reqs[0].Credentials != leakCreds || *msgs[0].Credentials != leakCreds {
		t.Fatalf("recorded credentials differ from the ones sent")
	}
	values := []struct {
		name string
		v    any
		all  bool // every verb: the value has no pointer to live state
		// gap names why %p and %w are not checked: a known limit, reported.
		gap string
	}{
		{"*api.Client", c, false, ""},
		{"api.Client", *c, false, ""},
		{"embedded generated client", c.ClientWithResponses, false, ""},
		{"*api.Error", apiErr, true, ""},
		{"api.Error", *apiErr, true, ""},
		{"error chain", sendErr, true, ""},
		{"*security.Provider", p, true, ""},
		{"security.Provider", *p, true, ""},
		{"security.Credentials", leakCreds, true, "no change to its string fields can hide them (see its doc)"},
		{"*security.Credentials", &leakCreds, true, "as security.Credentials"},
		{"provider round tripper", p.RoundTripper(nil), false, ""},
		{"whispirtest.Request", reqs[0], true, ""},
		{"[]whispirtest.Request", reqs, true, ""},
		{"whispirtest.SentMessage", msgs[0], true, ""},
		{"[]whispirtest.SentMessage", msgs, true, ""},
		{"*whispirtest.Server", srv, true, ""},
		{"unsent *http.Request", req, true, ""},
	}
	for _, tc := range values {
		leakCheck(t, tc.name, leakRender(tc.v, tc.all, tc.gap == ""))
	}
	// Intercept writes the secrets where they belong, and only there.
	if err := p.Intercept(t.Context(), req); err != nil {
		t.Fatalf("Intercept: %v", err)
	}
	if req.Header.Get("x-api-key") != leakCreds.APIKey {
		t.Errorf("Intercept: the request does not carry the API key")
	}
}

// TestNoSecretInPanics calls the public functions that might panic on
// nil or zero values. None may panic with a secret in its value; the
// constructors (TestConstructorsRefuseBadInput) may not panic at all.
func TestNoSecretInPanics(t *testing.T) {
	t.Parallel()
	p, err := security.New(leakCreds)
	if err != nil {
		t.Fatalf("security.New: %v", err)
	}
	withSecret, _ := http.NewRequest(http.MethodGet, "https://leak-user:"+leakCreds.Password+"@example.invalid/", nil)
	calls := []struct {
		name string
		call func() error
	}{
		{"nil Provider Intercept", func() error { return (*security.Provider)(nil).Intercept(context.Background(), withSecret) }},
		{"zero Provider Intercept", func() error { return (&security.Provider{}).Intercept(context.Background(), withSecret) }},
		{"Intercept nil request", func() error { return p.Intercept(context.Background(), nil) }},
		{"nil Provider Update", func() error { return (*security.Provider)(nil).Update(leakCreds) }},
		{"Update with a bad password", func() error {
			return p.Update(security.Credentials{APIKey: leakCreds.APIKey, Username: "u", Password: leakCreds.Password + "\n"})
		}},
		{"RoundTrip nil request", func() error { _, err := p.RoundTripper(nil).RoundTrip(nil); return err }},
		{"zero Provider RoundTrip", func() error {
			_, err := (&security.Provider{}).RoundTripper(nil).RoundTrip(withSecret)
			return err
		}},
		{"nil Provider String", func() error { _ = fmt.Sprint((*security.Provider)(nil)); return nil }},
		{"zero Provider formats", func() error { _ = fmt.Sprintf("%v %#v", security.Provider{}, &security.Provider{}); return nil }},
		{"nil Client BaseURL", func() error { _ = (*api.Client)(nil).BaseURL(); return nil }},
		{"nil Client SendMessage", func() error {
			_, err := (*api.Client)(nil).SendMessage(context.Background(), "", resilSMS("x"))
			return err
		}},
		{"CheckResponse nil response", func() error { return api.CheckResponse("op", nil) }},
		{"nil *api.Error", func() error { return error((*api.Error)(nil)) }},
		{"IDFromLocation with userinfo", func() error {
			_, err := api.IDFromLocation("https://u:" + leakCreds.Password + "@h/%zz")
			return err
		}},
		{"WithBaseURL with userinfo", func() error {
			_, err := api.New(p, api.WithBaseURL("https://u:"+leakCreds.Password+"@example.com"))
			return err
		}},
		{"WithBaseURL unparsable with userinfo", func() error {
			_, err := api.New(p, api.WithBaseURL("https://u:"+leakCreds.Password+"@example.com:port"))
			return err
		}},
	}
	for _, tc := range calls {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var recovered any
			var err error
			func() {
				defer func() { recovered = recover() }()
				err = tc.call()
				if err != nil {
					_ = err.Error()
				}
			}()
			if err != nil {
				leakCheck(t, "error", leakFormats(err))
			}
			if recovered != nil {
				shown := fmt.Sprintf("%v %+v %#v", recovered, recovered, recovered)
				leakCheck(t, "panic value", shown)
				if t.Failed() {
					shown = "(not shown: it holds a secret)"
				}
				t.Errorf("panicked: %s; want an error or nothing", shown)
			}
		})
	}
}

// TestBaseURLLoopbackOnly: plain http only to a loopback host.
func TestBaseURLLoopbackOnly(t *testing.T) {
	t.Parallel()
	p, err := security.New(leakCreds)
	if err != nil {
		t.Fatalf("security.New: %v", err)
	}
	tests := []struct {
		url string
		ok  bool
	}{
		{"http://example.com", false},
		{"http://example.com/api", false},
		{"http://10.0.0.1", false},
		{"http://192.168.1.10:8080", false},
		{"http://[2001:db8::1]", false},
		{"http://0.0.0.0", false},
		{"http://127.0.0.1.example.com", false},
		{"http://localhost.example.com", false},
		{"http://api.au.whispir.com", false},
		{"ftp://127.0.0.1", false},
		{"127.0.0.1:8080", false},
		{"", false},
		{"https://", false},
		{"http://127.0.0.1", true},
		{"http://127.0.0.1:8080/api", true},
		{"http://127.1.2.3", true},
		{"http://[::1]", true},
		{"http://[::1]:9000", true},
		{"http://localhost:8080", true},
		{"https://example.com", true},
		{"https://api.au.whispir.com/", true},
	}
	for _, tc := range tests {
		t.Run(tc.url, func(t *testing.T) {
			t.Parallel()
			c, err := api.New(p, api.WithBaseURL(tc.url))
			switch {
			case tc.ok && err != nil:
				t.Errorf("api.New(WithBaseURL(%q)): got %v; want a client", tc.url, err)
			case !tc.ok && err == nil:
				t.Errorf("api.New(WithBaseURL(%q)): got a client for %s; want an error", tc.url, c.BaseURL())
			case !tc.ok && !errors.Is(err, api.ErrInvalidOption):
				t.Errorf("api.New(WithBaseURL(%q)): got %v; want it to wrap ErrInvalidOption", tc.url, err)
			}
		})
	}
}

// TestConstructorsRefuseBadInput: every public constructor and option
// answers bad input with a clear error (one that wraps the package's
// sentinel and names what is wrong), never a panic.
func TestConstructorsRefuseBadInput(t *testing.T) {
	t.Parallel()
	good, err := security.New(leakCreds)
	if err != nil {
		t.Fatalf("security.New: %v", err)
	}
	newClient := func(opts ...api.Option) func() error {
		return func() error { _, err := api.New(good, opts...); return err }
	}
	creds := func(key, user, pass string) func() error {
		return func() error {
			_, err := security.New(security.Credentials{APIKey: key, Username: user, Password: pass})
			return err
		}
	}
	srv := whispirtest.NewServer()
	t.Cleanup(srv.Close)
	tests := []struct {
		name     string
		call     func() error
		sentinel error
		mention  string // a word the message must contain
	}{
		{"security.New empty", creds("", "", ""), security.ErrMissingCredentials, "APIKey"},
		{"security.New empty key", creds("", "u", "p"), security.ErrMissingCredentials, "APIKey"},
		{"security.New empty username", creds("k", "", "p"), security.ErrMissingCredentials, "Username"},
		{"security.New empty password", creds("k", "u", ""), security.ErrMissingCredentials, "Password"},
		{"security.New whitespace key", creds(" \t ", "u", "p"), security.ErrMissingCredentials, "APIKey"},
		{"security.New whitespace username", creds("k", "   ", "p"), security.ErrMissingCredentials, "Username"},
		{"security.New whitespace password", creds("k", "u", "\t"), security.ErrMissingCredentials, "Password"},
		{"security.New newline in password", creds("k", "u", "p\r\nX-Evil: 1"), security.ErrInvalidCredentials, "Password"},
		{"security.New colon in username", creds("k", "a:b", "p"), security.ErrInvalidCredentials, "Username"},
		{"security.New padded key", creds(" k ", "u", "p"), security.ErrInvalidCredentials, "APIKey"},
		{"Provider.Update empty", func() error { return good.Update(security.Credentials{}) }, security.ErrMissingCredentials, "Password"},
		{"zero Provider.Update", func() error { return (&security.Provider{}).Update(leakCreds) }, security.ErrNoProvider, "New"},
		{"api.ParseRegion nowhere", func() error { _, err := api.ParseRegion("nowhere"); return err }, api.ErrUnknownRegion, "nowhere"},
		{"api.ParseRegion empty", func() error { _, err := api.ParseRegion(""); return err }, api.ErrUnknownRegion, "region"},
		{"api.WithRegion XX", newClient(api.WithRegion("XX")), api.ErrUnknownRegion, "XX"},
		{"api.WithRegion empty", newClient(api.WithRegion("")), api.ErrUnknownRegion, "region"},
		{"api.WithTimeout -1", newClient(api.WithTimeout(-1)), api.ErrInvalidOption, "timeout"},
		{"api.WithTimeout -1h", newClient(api.WithTimeout(-time.Hour)), api.ErrInvalidOption, "timeout"},
		{"api.WithHTTPClient nil", newClient(api.WithHTTPClient(nil)), api.ErrInvalidOption, "http.Client"},
		{"api.New nil provider", func() error { _, err := api.New(nil); return err }, api.ErrInvalidOption, "Provider"},
		{"api.New nil option", newClient(nil), api.ErrInvalidOption, "Option"},
		{"api.WithRetry zero policy", newClient(api.WithRetry(api.RetryPolicy{})), api.ErrInvalidOption, "MaxAttempts"},
		{"api.WithRetry negative delay", newClient(api.WithRetry(api.RetryPolicy{MaxAttempts: 2, BaseDelay: -1})), api.ErrInvalidOption, "delay"},
		{"api.WithRetry too many attempts", newClient(api.WithRetry(api.RetryPolicy{MaxAttempts: math.MaxInt})), api.ErrInvalidOption, "MaxAttempts"},
		{"api.WithLogger nil", newClient(api.WithLogger(nil)), api.ErrInvalidOption, "logger"},
		{"api.WithUserAgent empty", newClient(api.WithUserAgent(" ")), api.ErrInvalidOption, "user agent"},
		{"api.WithUserAgent newline", newClient(api.WithUserAgent("a\nb")), api.ErrInvalidOption, "user agent"},
		{"api.WithRateLimit zero", newClient(api.WithRateLimit(0)), api.ErrInvalidOption, "rate"},
		{"api.WithRateLimit NaN", newClient(api.WithRateLimit(math.NaN())), api.ErrInvalidOption, "rate"},
		{"api.WithRateLimit negative", newClient(api.WithRateLimit(-5)), api.ErrInvalidOption, "rate"},
		{"api.WithBaseURL empty", newClient(api.WithBaseURL("")), api.ErrInvalidOption, "base URL"},
		{"api.WithBaseURL garbage", newClient(api.WithBaseURL("::not a url::")), api.ErrInvalidOption, "base URL"},
		{"api.WithBaseURL query", newClient(api.WithBaseURL("https://example.com/?a=b")), api.ErrInvalidOption, "base URL"},
		{"whispirtest.InjectFaults bad count", func() error { return srv.InjectFaults(0, whispirtest.Fault{Kind: whispirtest.FaultQPS}) }, whispirtest.ErrInvalidFault, "count"},
		{"whispirtest.InjectFaults no kind", func() error { return srv.InjectFaults(1, whispirtest.Fault{}) }, whispirtest.ErrInvalidFault, "kind"},
		{"whispirtest.InjectFaultRate NaN", func() error {
			return srv.InjectFaultRate(math.NaN(), whispirtest.Fault{Kind: whispirtest.FaultQPS}, 1)
		}, whispirtest.ErrInvalidFault, "rate"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var err error
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Errorf("panicked: %v; want an error", r)
					}
				}()
				err = tc.call()
			}()
			if err == nil {
				t.Fatalf("got no error; want one wrapping %v", tc.sentinel)
			}
			if !errors.Is(err, tc.sentinel) {
				t.Errorf("error: got %v; want it to wrap %v", err, tc.sentinel)
			}
			if !strings.Contains(err.Error(), tc.mention) {
				t.Errorf("error: got %q; want it to mention %q", err, tc.mention)
			}
			if first := err.Error()[:1]; first != strings.ToLower(first) {
				t.Errorf("error: got %q; want it lowercase", err)
			}
		})
	}

	// Bad or nil options to the mock are ignored, not fatal.
	func() {
		defer func() {
			if r := recover(); r != nil {
				t.Errorf("whispirtest.NewServer(nil, bad options) panicked: %v", r)
			}
		}()
		s := whispirtest.NewServer(nil, whispirtest.WithBasePath("///"), whispirtest.WithHandler("", nil),
			whispirtest.WithCredentials(security.Credentials{}), whispirtest.WithAdditionalCredentials())
		defer s.Close()
		if !strings.HasPrefix(s.URL, "http://127.0.0.1:") {
			t.Errorf("URL: got %q; want a loopback URL", s.URL)
		}
	}()
}

// TestFromEnvRefusesMissingVariables cannot run in parallel: it sets the
// environment.
func TestFromEnvRefusesMissingVariables(t *testing.T) {
	t.Setenv(security.EnvAPIKey, "")
	t.Setenv(security.EnvUsername, "  ")
	t.Setenv(security.EnvPassword, leakCreds.Password)
	var p *security.Provider
	var err error
	func() {
		defer func() {
			if r := recover(); r != nil {
				t.Errorf("FromEnv panicked: %v", r)
			}
		}()
		p, err = security.FromEnv()
	}()
	if p != nil || !errors.Is(err, security.ErrMissingCredentials) {
		t.Fatalf("FromEnv: got %v, %v; want an error wrapping ErrMissingCredentials", p, err)
	}
	for _, name := range []string{security.EnvAPIKey, security.EnvUsername} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("FromEnv error: got %q; want it to name %s", err, name)
		}
	}
	leakCheck(t, "FromEnv error", err.Error())
}
