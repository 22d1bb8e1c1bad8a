package whispirtest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/whispir-go/whispir/generated"
	"github.com/whispir-go/whispir/security"
)

// init builds the client once the options are known.
func (h *hooks) init() {
	if h.every < 0 {
		h.every = 0
	}
	h.attempts = max(h.attempts, 1)
	if h.timeout <= 0 {
		h.timeout = defaultCallbackTimeout
	}
	dialer := &net.Dialer{Timeout: min(callbackDialTimeout, h.timeout)}
	if !h.remote {
		dialer.Control = loopbackOnly
	}
	h.tr = &http.Transport{
		Proxy:               nil, // callbacks are called directly, never through a proxy
		DialContext:         dialer.DialContext,
		MaxIdleConnsPerHost: 4,
		IdleConnTimeout:     30 * time.Second,
	}
	h.client = &http.Client{
		Transport: h.tr,
		Timeout:   h.timeout,
		// Whispir wants a 200: a redirect is an answer, not followed (it
		// could lead off loopback).
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	h.idle = make(chan struct{})
	close(h.idle)
	h.epoch, h.endEpoch = context.WithCancel(context.Background())
}

// loopbackOnly refuses connections to addresses off loopback, whatever a
// host name resolved to.
func loopbackOnly(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return errNotLoopback
	}
	return nil
}

var errNotLoopback = errors.New("not a loopback address")

// isLoopbackHost reports a host the mock calls without WithRemoteCallbacks:
// localhost, 127.0.0.0/8 or ::1.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// call POSTs body to cb with its auth and fills rec's URL and Header
// (redacted). It returns the status answered, or 0 and why there was none.
func (s *Server) call(cb storedCallback, body []byte, contentType string, rec *CallbackCall) (int, string) {
	u, err := s.callbackURL(cb.URL)
	if err != nil {
		return 0, err.Error()
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.hooks.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return 0, "invalid callback url"
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("User-Agent", "whispirtest")
	setCallbackAuth(req, cb.Auth)
	rec.URL, rec.Header = redactedURL(req.URL), redact(req.Header)
	return s.hooks.do(req)
}

// do sends req with the callback client: the status and reason phrase, or
// 0 and why there was no answer. Errors are described, never quoted: they
// hold the URL, and with it a queryparam key.
func (h *hooks) do(req *http.Request) (int, string) {
	resp, err := h.client.Do(req)
	if err != nil {
		return 0, describe(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, callbackDrain))
	return resp.StatusCode, http.StatusText(resp.StatusCode)
}

// describe names the kind of a failed call.
func describe(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, errNotLoopback):
		return "refused: not a loopback address (see WithRemoteCallbacks)"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed without an answer"
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return "host not found"
	}
	return "connection failed"
}

// callbackURL parses a callback's url and checks that the mock may call
// it: http or https, on a loopback host unless WithRemoteCallbacks.
func (s *Server) callbackURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("the url must be an absolute http or https URL")
	}
	if !s.hooks.remote && !isLoopbackHost(u.Hostname()) {
		return nil, errors.New("whispirtest only calls loopback URLs (127.0.0.0/8, ::1, localhost); the server was not started WithRemoteCallbacks")
	}
	return u, nil
}

// setCallbackAuth adds a callback's credentials to req as Whispir does:
// httpheader X-Whispir-Callback-Key, queryparam ?auth=, basicauth
// "Authorization: Basic <key>" (the key as is), bearertoken
// "Authorization: Bearer <key>".
func setCallbackAuth(req *http.Request, auth *generated.CallbackAuth) {
	if auth == nil {
		return
	}
	switch auth.Type {
	case generated.CallbackAuthTypeHttpheader:
		req.Header.Set(headerCallbackKey, auth.Key)
	case generated.CallbackAuthTypeQueryparam:
		sep := "&"
		if req.URL.RawQuery == "" {
			sep = ""
		}
		req.URL.RawQuery += sep + "auth=" + url.QueryEscape(auth.Key)
	case generated.CallbackAuthTypeBasicauth:
		req.Header.Set("Authorization", "Basic "+auth.Key)
	case generated.CallbackAuthTypeBearertoken:
		req.Header.Set("Authorization", "Bearer "+auth.Key)
	}
}

// redactedURL is u with the values of its auth (and Auth) query
// parameters redacted.
func redactedURL(u *url.URL) string {
	c := *u
	q := c.Query()
	changed := false
	for k := range q {
		if strings.EqualFold(k, "auth") {
			q[k] = slices.Repeat([]string{security.Redacted}, len(q[k]))
			changed = true
		}
	}
	if changed {
		c.RawQuery = q.Encode()
	}
	c.User = nil
	return c.String()
}
