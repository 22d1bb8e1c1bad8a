package security

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultTokenLifetime is how long a Bearer token whose JWT names no expiry
// (no `exp` claim) is used before it is replaced. Whispir does not document
// the lifetime of its tokens; one that ends sooner is answered 401, and
// [Provider.RefreshToken] replaces it then.
const DefaultTokenLifetime = 10 * time.Minute

// refreshMargin is how long before its expiry a token is replaced (at most a
// tenth of its lifetime), so that a request does not leave with a token that
// expires on the way.
const refreshMargin = time.Minute

// maxTokenLifetime caps the lifetime read from a token: one that claims
// more is still replaced daily.
const maxTokenLifetime = 24 * time.Hour

// maxTokenLength bounds a token taken from a [TokenSource].
const maxTokenLength = 16 << 10

// maxTokenTries bounds how often a request starts a refresh again after
// the refresh it waited for ended with another request's cancelled context.
const maxTokenTries = 3

// ErrToken is wrapped by the errors of a Bearer [Provider] (see
// [Provider.Bearer]) that could not obtain a token: the [TokenSource]
// failed (its error is wrapped too), returned something that is not a
// token, or the context ended while the request waited for one. The errors
// never contain a token or a credential.
var ErrToken = errors.New("security: bearer token")

// TokenSource obtains Bearer tokens for a Provider made with
// [Provider.Bearer]. The api package's Client.TokenSource is the one that
// asks Whispir's POST /auth (authCreate) for them.
type TokenSource interface {
	// Token returns a new token: the JWT, without the "Bearer " prefix.
	// authenticate sets the x-api-key and Basic Authorization headers of
	// the credentials the token will be sent with; the source applies it
	// to the request it sends. A Provider runs at most one Token call at a
	// time.
	Token(ctx context.Context, authenticate func(context.Context, *http.Request) error) (string, error)
}

// TokenSourceFunc adapts a function to [TokenSource].
type TokenSourceFunc func(ctx context.Context, authenticate func(context.Context, *http.Request) error) (string, error)

// Token calls f.
func (f TokenSourceFunc) Token(ctx context.Context, authenticate func(context.Context, *http.Request) error) (string, error) {
	return f(ctx, authenticate)
}

// BearerOption changes what [Provider.Bearer] does.
type BearerOption func(*tokens)

// WithTokenLifetime sets how long a token whose JWT names no expiry is used
// ([DefaultTokenLifetime] by default). d <= 0 keeps the default.
func WithTokenLifetime(d time.Duration) BearerOption {
	return func(t *tokens) {
		if d > 0 {
			t.lifetime = d
		}
	}
}

// WithClock makes the Provider read the time from now, instead of
// time.Now, when it decides whether a token has expired: tests move it
// forward instead of waiting. A nil now keeps time.Now.
func WithClock(now func() time.Time) BearerOption {
	return func(t *tokens) {
		if now != nil {
			t.now = now
		}
	}
}

// tokens is the Bearer state of a Provider: the current token and the one
// refresh in flight.
type tokens struct {
	src      TokenSource
	lifetime time.Duration
	now      func() time.Time

	cur    atomic.Pointer[bearer] // nil until the first token
	mu     sync.Mutex             // guards flight
	flight *flight                // the refresh in progress, if any
}

// bearer is one token with the credentials it was obtained with: a request
// carries the API key of the same snapshot, so it never mixes credentials.
type bearer struct {
	h             *headers // the credentials the token was issued for
	authorization string   // "Bearer <token>"
	refreshAt     time.Time
}

// flight is one call to the TokenSource that concurrent requests share.
type flight struct {
	done chan struct{} // closed when b and err are set
	b    *bearer
	err  error
}

// Bearer returns a Provider that sends, with the API key, a Bearer token
// from src in place of the Basic credentials:
//
//	x-api-key: <api key>
//	Authorization: Bearer <token>
//
// It shares the credentials of p: an [Provider.Update] through either is
// seen by both, and the next request waits for a token obtained with the
// new credentials. The first request obtains a token; a token is replaced
// shortly before it expires, read from the JWT's `exp` claim (measured from
// its `iat`, so that a server clock ahead or behind does not matter), or
// after [WithTokenLifetime] when it has none; and [Provider.RefreshToken]
// replaces one answered 401. Concurrent requests share one call to src:
// one refresh at a time, and a request always carries a token together
// with the API key it was obtained with.
//
// The token is a secret like the password: formatting or logging the
// Provider never shows it, nor do its errors.
func (p *Provider) Bearer(src TokenSource, opts ...BearerOption) (*Provider, error) {
	if p == nil || p.cur == nil {
		return nil, ErrNoProvider
	}
	if f, ok := src.(TokenSourceFunc); src == nil || ok && f == nil {
		return nil, fmt.Errorf("%w: nil TokenSource", ErrToken)
	}
	t := &tokens{src: src, lifetime: DefaultTokenLifetime, now: time.Now}
	for _, opt := range opts {
		if opt != nil {
			opt(t)
		}
	}
	return &Provider{cur: p.cur, tok: t}, nil
}

// RefreshToken is what to do with a request that carried a Bearer token of
// p and was answered 401 (the token expired early, or was revoked): p
// discards that token, if it still holds it, and obtains a new one, one
// refresh at a time, so that requests answered 401 together share one
// refresh. It reports whether the request may be sent again, once, after
// [Provider.Intercept] sets its headers anew (a second 401 means the
// credentials themselves are refused). It reports false, with a nil
// error, when p sends no Bearer tokens or rejected carried none: refused
// Basic credentials would be refused again.
func (p *Provider) RefreshToken(ctx context.Context, rejected *http.Request) (bool, error) {
	if p.load() == nil {
		return false, ErrNoProvider
	}
	if p.tok == nil || rejected == nil {
		return false, nil
	}
	sent := rejected.Header.Get(headerAuthorization)
	if scheme, _, _ := strings.Cut(sent, " "); !strings.EqualFold(scheme, "Bearer") {
		return false, nil
	}
	if b := p.tok.cur.Load(); b != nil && b.authorization == sent {
		if _, err := p.tok.replace(ctx, p, b); err != nil {
			return false, err
		}
	}
	return true, nil
}

// testHookWaiting, when set by a test, runs when a request starts waiting
// for a refresh another request is making.
var testHookWaiting func()

// get returns a token to send: the current one while it is fresh and was
// obtained with p's current credentials, else a new one.
func (t *tokens) get(ctx context.Context, p *Provider) (*bearer, error) {
	b := t.cur.Load()
	if b != nil && b.h == p.load() && t.now().Before(b.refreshAt) {
		return b, nil
	}
	return t.replace(ctx, p, b)
}

// replace returns a token other than stale (nil: there is none yet). If
// another request replaced stale meanwhile, that token is returned; if one
// is replacing it, the caller waits for it; else the caller asks the
// source. A caller whose wait ends with the error of another request's
// context, while its own goes on, tries again.
func (t *tokens) replace(ctx context.Context, p *Provider, stale *bearer) (*bearer, error) {
	var err error
	for range maxTokenTries {
		var b *bearer
		b, err = t.replaceOnce(ctx, p, stale)
		if err == nil {
			return b, nil
		}
		if ctx.Err() != nil || !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
			return nil, err
		}
	}
	return nil, err
}

func (t *tokens) replaceOnce(ctx context.Context, p *Provider, stale *bearer) (*bearer, error) {
	t.mu.Lock()
	if cur := t.cur.Load(); cur != stale {
		t.mu.Unlock()
		return cur, nil
	}
	if f := t.flight; f != nil {
		t.mu.Unlock()
		if testHookWaiting != nil {
			testHookWaiting()
		}
		select {
		case <-f.done:
			return f.b, f.err
		case <-ctx.Done():
			return nil, fmt.Errorf("%w: waiting for a refresh: %w", ErrToken, ctx.Err())
		}
	}
	f := &flight{done: make(chan struct{}), err: fmt.Errorf("%w: the token source panicked", ErrToken)}
	t.flight = f
	t.mu.Unlock()
	defer func() {
		t.mu.Lock()
		if f.err == nil {
			t.cur.Store(f.b)
		}
		t.flight = nil
		t.mu.Unlock()
		close(f.done)
	}()
	f.b, f.err = t.fetch(ctx, p)
	return f.b, f.err
}

// fetch asks the source for a token for p's current credentials.
func (t *tokens) fetch(ctx context.Context, p *Provider) (*bearer, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrToken, err)
	}
	h := p.load()
	token, err := t.src.Token(ctx, func(_ context.Context, req *http.Request) error {
		if req == nil {
			return errNilRequest
		}
		if req.Header == nil {
			req.Header = make(http.Header)
		}
		setHeader(req.Header, HeaderAPIKey, h.apiKey)
		setHeader(req.Header, headerAuthorization, h.authorization)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrToken, err)
	}
	token = strings.TrimSpace(token)
	if reason := badToken(token); reason != "" {
		return nil, fmt.Errorf("%w: the token source returned %s", ErrToken, reason)
	}
	now := t.now()
	life := tokenLifetime(token, now, t.lifetime)
	return &bearer{
		h:             h,
		authorization: "Bearer " + token,
		refreshAt:     now.Add(life - min(refreshMargin, life/10)),
	}, nil
}

// badToken says why token cannot be sent as a Bearer token (RFC 6750's
// b64token: letters, digits and -._~+/ then '='), or "" when it can. The
// reason never quotes the token.
func badToken(token string) string {
	switch {
	case token == "":
		return "an empty token"
	case len(token) > maxTokenLength:
		return fmt.Sprintf("a token longer than %d bytes", maxTokenLength)
	}
	body := strings.TrimRight(token, "=")
	if body == "" || strings.ContainsFunc(body, func(r rune) bool { return !tokenRune(r) }) {
		return "a token with characters a Bearer token cannot hold"
	}
	return ""
}

func tokenRune(r rune) bool {
	return r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || strings.ContainsRune("-._~+/", r)
}

// tokenLifetime is how long token is valid, from its JWT claims: exp - iat
// when both are present, else exp - now; capped at a day. A token that is
// not a JWT, has no numeric exp, or whose exp is not after iat (or now)
// gets fallback.
func tokenLifetime(token string, now time.Time, fallback time.Duration) time.Duration {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return fallback
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return fallback
	}
	var claims struct {
		Exp *float64 `json:"exp"`
		Iat *float64 `json:"iat"`
	}
	if json.Unmarshal(payload, &claims) != nil || claims.Exp == nil {
		return fallback
	}
	from := float64(now.UnixNano()) / 1e9
	if claims.Iat != nil {
		from = *claims.Iat
	}
	secs := *claims.Exp - from
	switch {
	case math.IsNaN(secs) || secs <= 0:
		return fallback
	case secs >= maxTokenLifetime.Seconds():
		return maxTokenLifetime
	}
	return time.Duration(secs * float64(time.Second))
}
