package whispirtest

import (
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/whispir-go/whispir/security"
)

// Option configures a [Server].
type Option func(*Server)

// WithCredentials sets the server's credentials (by default
// [DefaultAPIKey], [DefaultUsername] and [DefaultPassword]). An empty field
// never matches.
func WithCredentials(c security.Credentials) Option {
	return func(s *Server) { s.creds = &c }
}

// WithAdditionalCredentials makes the server accept each of cs as well as
// [Server.Credentials], for tests that rotate credentials under load and
// need the old and the new ones to work at once. A request must present the
// API key and the Basic username and password of one same set: the key of
// one set with the password of another is refused (401).
func WithAdditionalCredentials(cs ...security.Credentials) Option {
	return func(s *Server) { s.extra = credentialPointers(s.extra, cs) }
}

// WithListener serves on ln (for example a fixed loopback port) instead of
// a new listener on 127.0.0.1:0. The server takes ln over: Close closes it.
// The mock's credentials are public, so ln should listen on loopback only.
func WithListener(ln net.Listener) Option {
	return func(s *Server) { s.listener = ln }
}

// WithBasePath serves the API under a path prefix such as "/api"; the
// server's URL then ends with it and requests outside it are answered 404.
// It pins that clients keep the path of their base URL.
func WithBasePath(p string) Option {
	return func(s *Server) {
		p = strings.Trim(strings.TrimSpace(p), "/")
		if p == "" {
			s.basePath = ""
			return
		}
		s.basePath = "/" + p
	}
}

// WithHandler answers the operation operationID (e.g. "contactCreate") with
// h instead of the mock's own answer. h runs after authentication, media
// type checks and validation, with the request body intact. A nil h removes
// an earlier override.
func WithHandler(operationID string, h http.HandlerFunc) Option {
	return func(s *Server) {
		if h == nil {
			delete(s.overrides, operationID)
			return
		}
		s.overrides[operationID] = h
	}
}

// WithResponseValidation checks every answer to a request that matched an
// operation against the spec (whispir.ValidateResponse) and reports each
// mismatch with t.Errorf. Answers from [WithHandler] overrides are checked
// too. The server must be closed before the test ends.
func WithResponseValidation(t testing.TB) Option {
	return func(s *Server) { s.validate = t }
}

// WithCallbackRetry sets how the mock retries a failed callback call (an
// answer other than 200, no connection, or no answer within the callback
// timeout) for callbacks saved with `retriesEnabled: true`: after each
// failure it waits every, and it makes at most attempts calls per event,
// the first included. The default is Whispir's: every 5 minutes for 24
// hours, 289 calls (24h / 5min retries after the first). A negative every
// is taken as 0 and attempts below 1 as 1 (no retry). Callbacks without
// retriesEnabled are called once. Tests use short intervals, e.g.
// WithCallbackRetry(10*time.Millisecond, 3).
func WithCallbackRetry(every time.Duration, attempts int) Option {
	return func(s *Server) { s.hooks.every, s.hooks.attempts = every, attempts }
}

// WithCallbackTimeout bounds each call to a callback, and the GET with
// which callbackCreate checks a callback's url: connecting (at most 5
// seconds, like Whispir) and answering together. The default is Whispir's
// 60 seconds; d <= 0 keeps it. [Server.Close] waits for a call in
// progress up to this bound.
func WithCallbackTimeout(d time.Duration) Option {
	return func(s *Server) { s.hooks.timeout = d }
}

// WithRemoteCallbacks lets the mock call callbacks off loopback. Without
// it, callbackCreate and callbackUpdate refuse (400) a url whose host is
// not localhost, in 127.0.0.0/8 or ::1, and every call checks that the
// address it connects to is loopback, whatever the host name resolved to.
func WithRemoteCallbacks() Option {
	return func(s *Server) { s.hooks.remote = true }
}
