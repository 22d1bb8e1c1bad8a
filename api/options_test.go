package api

import (
	"errors"
	"log/slog"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/whispir-go/whispir/generated"
	"github.com/whispir-go/whispir/security"
)

func newTestProvider(t *testing.T) *security.Provider {
	t.Helper()
	p, err := security.New(testCreds)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// NewMessageListRequestFor builds (without sending) a messageList request,
// for tests that check where requests would go.
func (c *Client) NewMessageListRequestFor(workspaceID string) (*http.Request, error) {
	return generated.NewMessageListRequest(c.server(), workspaceID, nil)
}

func TestNewRejectsBadInput(t *testing.T) {
	t.Parallel()
	p := newTestProvider(t)
	tests := []struct {
		name string
		p    *security.Provider
		opts []Option
		want error
	}{
		{"nil provider", nil, nil, ErrInvalidOption},
		{"nil option", p, []Option{nil}, ErrInvalidOption},
		{"unknown region", p, []Option{WithRegion("EU")}, ErrUnknownRegion},
		{"empty region", p, []Option{WithRegion("")}, ErrUnknownRegion},
		{"http to a public host", p, []Option{WithBaseURL("http://api.au.whispir.com")}, ErrInvalidOption},
		{"http to a private host", p, []Option{WithBaseURL("http://10.0.0.1")}, ErrInvalidOption},
		{"ftp", p, []Option{WithBaseURL("ftp://127.0.0.1")}, ErrInvalidOption},
		{"no host", p, []Option{WithBaseURL("https://")}, ErrInvalidOption},
		{"relative", p, []Option{WithBaseURL("/messages")}, ErrInvalidOption},
		{"credentials in URL", p, []Option{WithBaseURL("https://u:p@api.au.whispir.com")}, ErrInvalidOption},
		{"query in URL", p, []Option{WithBaseURL("https://api.au.whispir.com?apikey=x")}, ErrInvalidOption},
		{"nil http client", p, []Option{WithHTTPClient(nil)}, ErrInvalidOption},
		{"negative timeout", p, []Option{WithTimeout(-time.Second)}, ErrInvalidOption},
		{"zero attempts", p, []Option{WithRetry(RetryPolicy{})}, ErrInvalidOption},
		{"negative delay", p, []Option{WithRetry(RetryPolicy{MaxAttempts: 2, BaseDelay: -1})}, ErrInvalidOption},
		{"empty user agent", p, []Option{WithUserAgent(" ")}, ErrInvalidOption},
		{"header injection in user agent", p, []Option{WithUserAgent("x\r\nX-Evil: 1")}, ErrInvalidOption},
		{"nil logger", p, []Option{WithLogger(nil)}, ErrInvalidOption},
		{"zero rate", p, []Option{WithRateLimit(0)}, ErrInvalidOption},
		{"negative rate", p, []Option{WithRateLimit(-5)}, ErrInvalidOption},
		{"infinite rate", p, []Option{WithRateLimit(math.Inf(1))}, ErrInvalidOption},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := New(tc.p, tc.opts...)
			if c != nil || !errors.Is(err, tc.want) {
				t.Fatalf("New = %v, %v; want nil, %v", c, err, tc.want)
			}
			if strings.Contains(err.Error(), testCreds.Password) {
				t.Errorf("error %q contains the password", err)
			}
		})
	}
}

func TestNewAcceptsGoodInput(t *testing.T) {
	t.Parallel()
	p := newTestProvider(t)
	for _, base := range []string{"http://127.0.0.1:8080", "http://[::1]:9/x/", "http://localhost", "https://api.au.whispir.com", "https://proxy.example.com/whispir"} {
		if _, err := New(p, WithBaseURL(base)); err != nil {
			t.Errorf("WithBaseURL(%q): %v", base, err)
		}
	}
	hc := &http.Client{Timeout: 5 * time.Second}
	c, err := New(p, WithHTTPClient(hc), WithTimeout(time.Second), WithLogger(slog.Default()), WithUserAgent("my-app/1.0"), WithRateLimit(10), WithoutRetry())
	if err != nil {
		t.Fatal(err)
	}
	if hc.Timeout != 5*time.Second {
		t.Errorf("caller's http.Client was modified: Timeout = %s", hc.Timeout)
	}
	if c.pipeline.http.Timeout != time.Second {
		t.Errorf("timeout = %s; want 1s", c.pipeline.http.Timeout)
	}
	c2, _ := New(p)
	if c2.pipeline.http.Timeout != DefaultTimeout || c2.BaseURL() != "https://api.au.whispir.com" {
		t.Errorf("defaults: timeout %s, base %s; want %s, AU", c2.pipeline.http.Timeout, c2.BaseURL(), DefaultTimeout)
	}
}
