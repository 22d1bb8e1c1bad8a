package api

import (
	"errors"
	"net/http"

	"github.com/whispir-go/whispir/security"
)

// WithCrossHostRedirects lets the client follow redirects to other hosts
// (and from https to http). It is an explicit opt-out of the default
// policy, for a caller whose own http.Client (WithHTTPClient) must follow
// them: net/http keeps custom headers on such a hop, so the x-api-key, and
// a POST body on a 307 or 308, reach the other host. The caller's
// CheckRedirect, if any, is used as it is; without one net/http's default
// applies (up to 10 redirects).
func WithCrossHostRedirects() Option {
	return func(c *config) error {
		c.crossHostRedirects = true
		return nil
	}
}

// redirectPolicy is the CheckRedirect the client's http.Client gets: by
// default a redirect to another host (or from https to http) is refused
// whatever caller says, and caller, when set, decides about the others;
// with crossHost, caller alone (net/http's default without one). A refusal
// is a redirectError, which is not retried: the same answer would come back.
func redirectPolicy(caller func(*http.Request, []*http.Request) error, crossHost bool) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		var err error
		switch {
		case !crossHost && caller == nil:
			err = security.SameHostRedirectPolicy(req, via)
		case !crossHost:
			// Given only via[0], the first request, SameHostRedirectPolicy
			// checks the host and scheme and leaves counting hops to caller.
			if err = security.SameHostRedirectPolicy(req, via[:1]); err == nil {
				err = caller(req, via)
			}
		case caller != nil:
			err = caller(req, via)
		case len(via) >= 10:
			err = errors.New("stopped after 10 redirects") // net/http's default
		}
		if err == nil || err == http.ErrUseLastResponse { // compared with == by net/http
			return err
		}
		return &redirectError{err}
	}
}

// redirectError is a redirect the client's policy refused.
type redirectError struct{ err error }

func (e *redirectError) Error() string { return e.err.Error() }
func (e *redirectError) Unwrap() error { return e.err }
