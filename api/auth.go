package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/whispir-go/whispir/generated"
	"github.com/whispir-go/whispir/security"
)

// ErrNoToken: authCreate answered 200 without a token.
var ErrNoToken = errors.New("no token in the response")

// WithBearerAuth makes the client send, with the API key, a Bearer token
// from authCreate (POST /auth) instead of the Basic credentials:
//
//	x-api-key: <api key>
//	Authorization: Bearer <token>
//
// The first call obtains a token with the provider's Basic credentials,
// through the client's own pipeline ([Client.TokenSource]); later calls
// reuse it until shortly before it expires (its JWT `exp` claim, else
// [security.WithTokenLifetime], 10 minutes by default). A call whose token
// is answered 401 gets a new token and is sent again, once; a second 401
// is returned as the *Error it is. Concurrent calls share one refresh, and
// [security.Provider.Update] takes effect on the next call, with a token
// obtained with the new credentials: see [security.Provider.Bearer], which
// opts configures. A failure to obtain a token is returned by the call
// that needed it, wrapping [security.ErrToken] and authCreate's error
// (errors.Is(err, ErrUnauthorized) for a wrong password).
func WithBearerAuth(opts ...security.BearerOption) Option {
	return func(c *config) error {
		c.bearer, c.bearerOpts = true, append([]security.BearerOption(nil), opts...)
		return nil
	}
}

// TokenSource returns a [security.TokenSource] that obtains tokens from
// authCreate (POST /auth) through c's pipeline: the request is validated,
// paced and retried like any call, and a non-2xx answer is an *Error. It
// authenticates the request with the Basic credentials the Provider hands
// it, whatever c sends on other calls. [WithBearerAuth] uses it; with
// [security.Provider.Bearer] it gives Bearer tokens to a plain
// [net/http.Client] too.
func (c *Client) TokenSource() security.TokenSource {
	return security.TokenSourceFunc(func(ctx context.Context, authenticate func(context.Context, *http.Request) error) (string, error) {
		if c == nil {
			return "", errNilClient
		}
		req, err := generated.NewAuthCreateRequest(c.server())
		if err != nil {
			return "", fmt.Errorf("authCreate: build request: %w", err)
		}
		req = req.WithContext(ctx)
		if err := authenticate(ctx, req); err != nil {
			return "", fmt.Errorf("authCreate: %w", err)
		}
		resp, err := c.pipeline.Do(req)
		if err != nil {
			return "", err
		}
		parsed, err := generated.ParseAuthCreateResponse(resp)
		if err != nil {
			return "", err
		}
		if parsed.JSON200 == nil || parsed.JSON200.Token == "" {
			return "", fmt.Errorf("authCreate: %d: %w", resp.StatusCode, ErrNoToken)
		}
		return parsed.JSON200.Token, nil
	})
}
