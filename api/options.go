package api

import (
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/whispir-go/whispir/security"
)

// DefaultTimeout bounds each HTTP attempt unless WithTimeout or a client
// with its own Timeout says otherwise.
const DefaultTimeout = 30 * time.Second

// Option configures a Client. Options check their input: New returns an
// error wrapping ErrInvalidOption (or ErrUnknownRegion) for a bad one.
type Option func(*config) error

type config struct {
	baseURL           *url.URL
	region            Region
	httpClient        *http.Client
	timeout           time.Duration
	timeoutSet        bool
	retry             RetryPolicy
	validate          bool
	validateResponses bool
	userAgent         string
	logger            *slog.Logger
	limiter           Limiter // nil: no pacing
	insecureHTTP      bool    // WithInsecureHTTP

	crossHostRedirects bool // WithCrossHostRedirects (redirect.go)

	bearer     bool                    // WithBearerAuth (auth.go)
	bearerOpts []security.BearerOption // its options
}

// WithRegion sends requests to the region's server from the spec.
func WithRegion(r Region) Option {
	return func(c *config) error {
		raw, err := r.BaseURL()
		if err != nil {
			return err
		}
		u, err := url.Parse(raw)
		if err != nil {
			return fmt.Errorf("%w: region %s: %v", ErrInvalidOption, r, err)
		}
		c.baseURL, c.region = u, r
		return nil
	}
}

// WithBaseURL sends requests to u, which may carry a path prefix. It must
// be https, except on a loopback host (127.0.0.0/8, ::1, localhost) where
// plain http is allowed for mocks such as whispirtest, or with
// [WithInsecureHTTP].
func WithBaseURL(u string) Option {
	return func(c *config) error {
		parsed, err := parseBaseURL(u)
		if err != nil {
			return err
		}
		c.baseURL, c.region = parsed, ""
		return nil
	}
}

func parseBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, fmt.Errorf("%w: base URL does not parse (value not shown: it may hold credentials)", ErrInvalidOption)
	}
	if u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%w: base URL must be scheme://host[/path] without credentials, query or fragment", ErrInvalidOption)
	}
	switch u.Scheme {
	case "https", "http": // plain http: see checkScheme
	default:
		return nil, fmt.Errorf("%w: base URL scheme must be https", ErrInvalidOption)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// checkScheme refuses plain http to a host off loopback unless the
// caller said so with WithInsecureHTTP: credentials would cross a network
// in clear.
func (c *config) checkScheme() error {
	if c.baseURL.Scheme == "http" && !isLoopback(c.baseURL.Hostname()) && !c.insecureHTTP {
		return fmt.Errorf("%w: base URL must use https unless its host is loopback (or WithInsecureHTTP says so)", ErrInvalidOption)
	}
	return nil
}

// WithInsecureHTTP allows a plain-http base URL whose host is not loopback,
// such as a whispir mock in another container of a CI job
// (http://whispir-mock:8080). The credentials then cross the network in
// clear: use it only with fake ones, never with Whispir's.
func WithInsecureHTTP() Option {
	return func(c *config) error {
		c.insecureHTTP = true
		return nil
	}
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// WithHTTPClient uses a copy of hc for the HTTP exchanges; its Transport
// and Jar are kept, and used as they are (a nil Transport means
// http.DefaultTransport, as in net/http, not the client's default
// transport described at New). Its CheckRedirect is consulted for redirects to the
// same host only: a redirect to another host, or from https to http, is
// refused even when hc's policy would follow it, because the x-api-key
// header (and a POST body) would go with it. WithCrossHostRedirects opts
// out. Without a CheckRedirect, hc gets security.SameHostRedirectPolicy.
// A nil client is an error.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) error {
		if hc == nil {
			return fmt.Errorf("%w: nil *http.Client", ErrInvalidOption)
		}
		cp := *hc
		c.httpClient = &cp
		return nil
	}
}

// WithTimeout bounds each HTTP attempt (default 30 s). Zero means no
// bound; negative is an error.
func WithTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return fmt.Errorf("%w: negative timeout %s", ErrInvalidOption, d)
		}
		c.timeout, c.timeoutSet = d, true
		return nil
	}
}

// WithRetry replaces the retry policy (DefaultRetryPolicy is on by default).
func WithRetry(p RetryPolicy) Option {
	return func(c *config) error {
		if err := p.validate(); err != nil {
			return err
		}
		c.retry = p
		return nil
	}
}

// WithoutRetry makes each call a single attempt.
func WithoutRetry() Option {
	return func(c *config) error {
		c.retry = RetryPolicy{MaxAttempts: 1}
		return nil
	}
}

// WithoutValidation skips checking requests against the spec before they
// are sent. Media types are still set.
func WithoutValidation() Option {
	return func(c *config) error {
		c.validate = false
		return nil
	}
}

// WithResponseValidation checks every response against the spec too, and
// returns an error wrapping whispir.ErrInvalidResponse when one breaks it.
// Meant for tests and contract checks.
func WithResponseValidation() Option {
	return func(c *config) error {
		c.validateResponses = true
		return nil
	}
}

// WithUserAgent replaces the User-Agent header. An empty value or one with
// control characters is an error.
func WithUserAgent(s string) Option {
	return func(c *config) error {
		if strings.TrimSpace(s) == "" || strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			return fmt.Errorf("%w: empty user agent or control characters in it", ErrInvalidOption)
		}
		c.userAgent = s
		return nil
	}
}

// WithLogger logs each attempt at Debug level and retries at Info, with
// operation, status, attempt and duration; never headers, bodies or URLs
// with values. A nil logger is an error.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return fmt.Errorf("%w: nil logger", ErrInvalidOption)
		}
		c.logger = l
		return nil
	}
}

// WithRateLimit paces requests to perSecond on average, with bursts of up
// to perSecond (at least 1) requests, so a batch of sends stays under the
// plan's quota (5, 10 or 30 a second) instead of collecting rate-limit
// rejections. It is WithLimiter with a new *rate.Limiter for each client,
// which paces this process only (for many processes sharing a key see
// package redislimit). Every attempt, retries included, takes a token;
// waiting for one ends with the context. perSecond must be a positive
// finite number.
func WithRateLimit(perSecond float64) Option {
	return func(c *config) error {
		if !(perSecond > 0) || math.IsInf(perSecond, 1) {
			return fmt.Errorf("%w: rate limit needs a positive finite rate", ErrInvalidOption)
		}
		return WithLimiter(rate.NewLimiter(rate.Limit(perSecond), max(1, int(perSecond))))(c)
	}
}
