package api

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/whispir-go/whispir/generated"
	"github.com/whispir-go/whispir/security"
)

// Client calls the Whispir API. Its embedded generated client has one
// method per operation of the spec (MessageCreateWithResponse,
// MessageListWithResponse, ...); every call goes through the pipeline
// described in the package documentation. A Client is safe for concurrent
// use.
type Client struct {
	*generated.ClientWithResponses

	provider  *security.Provider
	baseURL   *url.URL
	serverURL string // baseURL with a trailing slash, as the generated builders take it
	dotBase   bool   // the base URL's path has a "." or ".." segment or starts with "//" (see endpoint)
	pipeline  *pipeline
	editors   []generated.RequestEditorFn
}

// New returns a client that authenticates with p. Without WithRegion or
// WithBaseURL it calls DefaultRegion. Without WithHTTPClient it sends
// through a transport that every such client shares, configured as
// http.DefaultTransport but keeping up to DefaultMaxIdleConnsPerHost idle
// connections per host, so that concurrent senders reuse connections.
//
// New reads the spec's tables only (the servers, for a region): it builds
// no part of the OpenAPI document, so a process is ready to send at once;
// each operation's validation inputs are prepared on its first call.
//
// The client follows redirects only to the host of the request (and never
// from https to http), so the credentials cannot reach another host; see
// WithHTTPClient and WithCrossHostRedirects.
func New(p *security.Provider, opts ...Option) (*Client, error) {
	if p == nil {
		return nil, fmt.Errorf("%w: nil *security.Provider", ErrInvalidOption)
	}
	cfg := config{
		retry:     DefaultRetryPolicy(),
		validate:  true,
		userAgent: DefaultUserAgent,
		logger:    slog.New(slog.DiscardHandler),
	}
	for _, opt := range opts {
		if opt == nil {
			return nil, fmt.Errorf("%w: nil Option", ErrInvalidOption)
		}
		if err := opt(&cfg); err != nil {
			return nil, err
		}
	}
	if cfg.baseURL == nil {
		if err := WithRegion(DefaultRegion)(&cfg); err != nil {
			return nil, err
		}
	}
	if err := cfg.checkScheme(); err != nil {
		return nil, err
	}
	hc := cfg.httpClient
	if hc == nil {
		hc = &http.Client{Transport: defaultTransport()}
	}
	switch {
	case cfg.timeoutSet:
		hc.Timeout = cfg.timeout
	case hc.Timeout == 0:
		hc.Timeout = DefaultTimeout
	}
	hc.CheckRedirect = redirectPolicy(hc.CheckRedirect, cfg.crossHostRedirects)
	pl := &pipeline{
		http:              hc,
		basePath:          cfg.baseURL.Path,
		retry:             cfg.retry,
		validate:          cfg.validate,
		validateResponses: cfg.validateResponses,
		userAgent:         cfg.userAgent,
		logger:            cfg.logger,
		limiter:           cfg.limiter,
	}
	c := &Client{provider: p, baseURL: cfg.baseURL, serverURL: cfg.baseURL.String() + "/", pipeline: pl}
	basePath := cfg.baseURL.EscapedPath()
	c.dotBase = hasDotSegment(basePath) || strings.HasPrefix(basePath, "//")
	auth := p
	if cfg.bearer {
		bp, err := p.Bearer(c.TokenSource(), cfg.bearerOpts...)
		if err != nil {
			return nil, err
		}
		auth = bp
	}
	pl.auth = auth
	c.editors = []generated.RequestEditorFn{auth.Intercept}
	gen, err := generated.NewClientWithResponses(c.server(),
		generated.WithHTTPClient(pl),
		generated.WithRequestEditorFn(auth.Intercept))
	if err != nil {
		return nil, err
	}
	c.ClientWithResponses = gen
	return c, nil
}

// BaseURL returns the base URL requests are sent to.
func (c *Client) BaseURL() string {
	if c == nil {
		return ""
	}
	return c.baseURL.String()
}

// String describes the client by its base URL; it holds no secret.
func (c *Client) String() string {
	if c == nil {
		return "api.Client(nil)"
	}
	return "api.Client{" + c.baseURL.String() + "}"
}

// Format prints String for every verb, so formatting a client never walks
// its HTTP transport (which requests in flight are using) or credentials.
func (c *Client) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.String()) }

// server is the base URL in the form the generated request builders take.
func (c *Client) server() string { return c.serverURL }

// errNilClient is returned by helpers called on a nil *Client.
var errNilClient = fmt.Errorf("%w: nil *api.Client", ErrInvalidOption)

// do sends a request built outside the generated methods (a page's next
// link) through the same editors and pipeline.
func (c *Client) do(ctx context.Context, req *http.Request) (*http.Response, error) {
	req = req.WithContext(ctx)
	if err := c.edit(ctx, req); err != nil {
		return nil, err
	}
	return c.pipeline.Do(req)
}

// edit applies the request editors, as the generated methods do.
func (c *Client) edit(ctx context.Context, req *http.Request) error {
	for _, edit := range c.editors {
		if err := edit(ctx, req); err != nil {
			return err
		}
	}
	return nil
}
