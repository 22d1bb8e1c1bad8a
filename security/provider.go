package security

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/whispir-go/whispir/internal/redaction"
)

// HeaderAPIKey is the name of the header that carries the Whispir API key.
// Header names are case-insensitive; net/http sends it as "X-Api-Key".
const HeaderAPIKey = "x-api-key"

// headerAuthorization is the name of the header that carries the HTTP Basic
// credentials.
const headerAuthorization = "Authorization"

// Redacted is the marker shown in place of a secret when credentials are
// formatted, logged or marshalled.
const Redacted = redaction.Mark

// Names of the environment variables read by [FromEnv].
const (
	EnvAPIKey   = "WHISPIR_API_KEY"
	EnvUsername = "WHISPIR_USERNAME"
	EnvPassword = "WHISPIR_PASSWORD"
)

// ErrMissingCredentials is wrapped by the errors that [New], [FromEnv] and
// [Provider.Update] return when a credential field is empty or holds only
// whitespace.
var ErrMissingCredentials = errors.New("security: missing credentials")

// ErrInvalidCredentials is wrapped by the errors that [New], [FromEnv] and
// [Provider.Update] return when a credential field is present but cannot be
// used: a username containing ':', an API key with leading or trailing
// whitespace, or a value containing control characters.
var ErrInvalidCredentials = errors.New("security: invalid credentials")

// ErrNoProvider is returned when a method is called on a nil *Provider or on
// a zero Provider that was not created with [New] or [FromEnv].
var ErrNoProvider = errors.New("security: provider is nil or not initialised; use New or FromEnv")

// errNilRequest is returned when [Provider.Intercept] or the RoundTripper is
// given a nil request.
var errNilRequest = errors.New("security: nil request")

// Credentials are the three values Whispir needs to authenticate a request.
//
// APIKey and Password are secrets. Formatting, logging or marshalling a
// Credentials value shows only the Username; the secrets are replaced with
// [Redacted].
//
// Two misuses of fmt are beyond any method: %p with a value that is not a
// pointer, and %w outside fmt.Errorf or with an argument that is not an
// error. fmt reports them as %!p(...) and %!w(...) and prints the argument
// with every method disabled, so fmt.Sprintf("%p", c) and
// fmt.Sprintf("%w", &c) show the API key and password, as they do for any
// struct that holds a Credentials value. No change to this type prevents it
// while its fields stay strings (a field that accepts a string value is a
// string or an interface, and both are printed as they are), so go vet's
// printf check, which reports both misuses, is the guard. A [Provider] holds
// its credentials behind two pointers and is safe under every verb.
type Credentials struct {
	// APIKey is sent in the x-api-key header.
	APIKey string
	// Username is the user part of the HTTP Basic Authorization header. It
	// must not contain ':'.
	Username string
	// Password is the password part of the HTTP Basic Authorization header.
	Password string
}

// String returns a description of c that shows the username and hides the
// API key and password.
func (c Credentials) String() string {
	return "Credentials{" + c.fields(" ", false) + "}"
}

// GoString returns a Go-syntax-like description of c, used by %#v, that shows
// the username and hides the API key and password.
func (c Credentials) GoString() string {
	return "security.Credentials{" + c.fields(", ", true) + "}"
}

// Format implements [fmt.Formatter] so that every verb, including %#v and
// %+v, prints the redacted form of c.
func (c Credentials) Format(f fmt.State, verb rune) {
	redaction.Format(f, verb, "security.Credentials", c.String(), c.GoString())
}

// LogValue implements [slog.LogValuer]. It logs the username and a
// [Redacted] marker for each secret.
func (c Credentials) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("username", c.Username),
		slog.String("api_key", redact(c.APIKey)),
		slog.String("password", redact(c.Password)),
	)
}

// MarshalJSON implements [json.Marshaler]. The output shows the username and
// a [Redacted] marker for each secret, so it cannot be decoded back into
// usable credentials.
func (c Credentials) MarshalJSON() ([]byte, error) {
	return json.Marshal(redactedJSON{
		Username: c.Username,
		APIKey:   redact(c.APIKey),
		Password: redact(c.Password),
	})
}

// MarshalText implements [encoding.TextMarshaler] with the output of
// [Credentials.String], so that text-based encoders never see the secrets.
func (c Credentials) MarshalText() ([]byte, error) {
	return []byte(c.String()), nil
}

// fields renders the fields of c with secrets redacted. An empty secret is
// shown as "". With goSyntax set, the markers are quoted as well, so the
// result reads as a Go composite literal.
func (c Credentials) fields(sep string, goSyntax bool) string {
	show := func(secret string) string {
		if r := redact(secret); r != "" && !goSyntax {
			return r
		}
		return strconv.Quote(redact(secret))
	}
	key, pass := show(c.APIKey), show(c.Password)
	return "Username:" + strconv.Quote(c.Username) + sep + "APIKey:" + key + sep + "Password:" + pass
}

// redactedJSON is the JSON shape of redacted credentials.
type redactedJSON struct {
	Username string `json:"username"`
	APIKey   string `json:"api_key"`
	Password string `json:"password"`
}

// redact returns the marker shown in place of secret. An empty secret is shown
// as empty, which reveals nothing and helps to diagnose missing values.
func redact(secret string) string {
	if secret == "" {
		return ""
	}
	return Redacted
}

// headers is an immutable snapshot of validated credentials and the header
// values derived from them. A Provider swaps whole snapshots, so the two
// headers always come from the same credentials.
type headers struct {
	creds         Credentials
	apiKey        string // value of the x-api-key header
	authorization string // value of the Authorization header
}

// Provider attaches Whispir credentials to HTTP requests. Create one with
// [New] or [FromEnv]; the zero value holds no credentials and its methods
// return [ErrNoProvider].
//
// A Provider is safe for concurrent use. Copies of a Provider value share the
// same credentials, so an [Provider.Update] through one copy is seen by all.
// Formatting, logging or marshalling a Provider never reveals the secrets.
type Provider struct {
	// cur is a pointer so that a Provider value can be copied and printed
	// safely: fmt shows a nested pointer only as an address.
	cur *atomic.Pointer[headers]
	// tok is the Bearer state of a Provider made with Bearer; nil sends the
	// Basic credentials.
	tok *tokens
}

// New validates c and returns a Provider that sends it with every request.
//
// An empty or whitespace-only field gives an error wrapping
// [ErrMissingCredentials]; a malformed field gives an error wrapping
// [ErrInvalidCredentials]. The error names each field at fault and never
// contains any credential value.
func New(c Credentials) (*Provider, error) {
	return newProvider(c, fieldNames)
}

// newProvider is New with the field names used in error messages.
func newProvider(c Credentials, n names) (*Provider, error) {
	h, err := newHeaders(c, n)
	if err != nil {
		return nil, err
	}
	p := &Provider{cur: new(atomic.Pointer[headers])}
	p.cur.Store(h)
	return p, nil
}

// FromEnv returns a Provider built from the WHISPIR_API_KEY,
// WHISPIR_USERNAME and WHISPIR_PASSWORD environment variables. It validates
// them as [New] does, and its errors name the variables at fault.
func FromEnv() (*Provider, error) {
	return newProvider(Credentials{
		APIKey:   os.Getenv(EnvAPIKey),
		Username: os.Getenv(EnvUsername),
		Password: os.Getenv(EnvPassword),
	}, envNames)
}

// Update validates c as [New] does and then replaces the credentials of p
// atomically: every later request carries the new API key and the new
// Authorization value together, and a request being prepared concurrently
// carries either the old pair or the new pair. If c is not valid, Update
// returns the error and p keeps its current credentials.
func (p *Provider) Update(c Credentials) error {
	if p == nil || p.cur == nil {
		return ErrNoProvider
	}
	h, err := newHeaders(c, fieldNames)
	if err != nil {
		return err
	}
	p.cur.Store(h)
	return nil
}

// Credentials returns a copy of the credentials p currently sends. It returns
// the zero Credentials if p is nil or not initialised.
func (p *Provider) Credentials() Credentials {
	if h := p.load(); h != nil {
		return h.creds
	}
	return Credentials{}
}

// Intercept sets the x-api-key and Authorization headers of req, replacing
// any values already present. Both values come from one snapshot of the
// credentials, so they always match even while [Provider.Update] runs.
//
// Its signature matches oapi-codegen's RequestEditorFn, so it can be passed to
// a generated client's WithRequestEditorFn option. A Provider made with
// [Provider.Bearer] sets a Bearer token instead of the Basic credentials,
// obtaining one first when it has none that is fresh; ctx bounds that wait,
// and its error wraps [ErrToken]. Otherwise ctx is not used. Intercept
// returns an error, and does not panic, if p or req is nil.
func (p *Provider) Intercept(ctx context.Context, req *http.Request) error {
	h := p.load()
	if h == nil {
		return ErrNoProvider
	}
	if req == nil {
		return errNilRequest
	}
	apiKey, authorization := h.apiKey, h.authorization
	if p.tok != nil {
		b, err := p.tok.get(ctx, p)
		if err != nil {
			return err
		}
		apiKey, authorization = b.h.apiKey, b.authorization
	}
	if req.Header == nil {
		req.Header = make(http.Header)
	}
	setHeader(req.Header, HeaderAPIKey, apiKey)
	setHeader(req.Header, headerAuthorization, authorization)
	return nil
}

// RoundTripper returns an [http.RoundTripper] that sends each request through
// base with the credentials of p attached. A nil base means
// [http.DefaultTransport].
//
// The returned RoundTripper clones each request with [http.Request.Clone]
// before it sets the headers, so the caller's request is never modified. It
// reads the credentials of p for every request, so [Provider.Update] takes
// effect on the next request. If p is nil or not initialised, each request
// fails with [ErrNoProvider] and is not sent.
//
// Redirects are safe whatever the client's CheckRedirect: when an
// [http.Client] follows a redirect to a host other than that of the first
// request, or from https to http, the RoundTripper refuses that hop with an
// error wrapping [ErrRedirectRefused] and sends nothing (no credentials, no
// 307 POST body) to it. A hop whose first request it cannot find (a base
// RoundTripper that leaves [http.Response.Request] nil) is refused too.
// [WithCrossHostRedirects] opts out.
//
// With a Provider made with [Provider.Bearer], a request answered 401 is
// sent once more with a new token (see [Provider.RefreshToken]) when its
// body can be read again: none, or one with GetBody, which
// [http.NewRequest] sets for in-memory bodies.
func (p *Provider) RoundTripper(base http.RoundTripper, opts ...RoundTripperOption) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	rt := &roundTripper{p: p, base: base}
	for _, opt := range opts {
		if opt != nil {
			opt(rt)
		}
	}
	return rt
}

// RoundTripperOption changes what [Provider.RoundTripper] does.
type RoundTripperOption func(*roundTripper)

// WithCrossHostRedirects makes [Provider.RoundTripper] authenticate every
// request it is given, a redirect's hop to another host (or from https to
// http) included: both credentials, and a 307 or 308 POST body, then reach
// whatever host a redirect names. Use it only with a client whose
// CheckRedirect decides which hosts are safe.
func WithCrossHostRedirects() RoundTripperOption {
	return func(rt *roundTripper) { rt.crossHost = true }
}

// LogValue implements [slog.LogValuer]. It logs the username and a
// [Redacted] marker for each secret.
func (p *Provider) LogValue() slog.Value {
	if p == nil {
		return slog.StringValue("<nil>")
	}
	return p.Credentials().LogValue()
}

// String returns a description of p that shows the username and hides the
// API key and password.
func (p Provider) String() string {
	return "Provider{" + p.Credentials().fields(" ", false) + "}"
}

// GoString returns a Go-syntax-like description of p, used by %#v, that
// shows the username and hides the API key and password.
func (p Provider) GoString() string {
	return "security.Provider{" + p.Credentials().fields(", ", true) + "}"
}

// Format implements [fmt.Formatter] so that every verb, including %#v and
// %+v, prints the redacted form of p.
func (p Provider) Format(f fmt.State, verb rune) {
	redaction.Format(f, verb, "security.Provider", p.String(), p.GoString())
}

// MarshalJSON implements [json.Marshaler] with the redacted form of the
// current credentials.
func (p Provider) MarshalJSON() ([]byte, error) {
	return p.Credentials().MarshalJSON()
}

// MarshalText implements [encoding.TextMarshaler] with the output of
// [Provider.String].
func (p Provider) MarshalText() ([]byte, error) {
	return []byte(p.String()), nil
}

// load returns the current snapshot, or nil if p is nil or not initialised.
func (p *Provider) load() *headers {
	if p == nil || p.cur == nil {
		return nil
	}
	return p.cur.Load()
}

// roundTripper is the http.RoundTripper returned by Provider.RoundTripper.
type roundTripper struct {
	p         *Provider
	base      http.RoundTripper
	crossHost bool // WithCrossHostRedirects
}

// RoundTrip implements http.RoundTripper.
func (rt *roundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	if req == nil {
		return nil, errNilRequest
	}
	err := rt.checkHop(req)
	var clone *http.Request
	if err == nil {
		clone = req.Clone(req.Context())
		err = rt.p.Intercept(req.Context(), clone)
	}
	if err != nil {
		// A RoundTripper must close the request body, even on error.
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, err
	}
	resp, err := rt.base.RoundTrip(clone)
	if resp != nil && resp.Request == nil {
		resp.Request = clone // the next hop of a redirect finds its origin
	}
	if err == nil && resp.StatusCode == http.StatusUnauthorized && rt.p.tok != nil {
		return rt.resendWithNewToken(req, clone, resp)
	}
	return resp, err
}

// resendWithNewToken sends req once more, with a new token, after the
// token clone carried was answered 401 (resp). A request whose body cannot
// be read again (no GetBody) gets resp as it is.
func (rt *roundTripper) resendWithNewToken(req, clone *http.Request, resp *http.Response) (*http.Response, error) {
	if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
		return resp, nil
	}
	ctx := req.Context()
	again, err := rt.p.RefreshToken(ctx, clone)
	if err != nil {
		drainAndClose(resp)
		return nil, err
	}
	if !again {
		return resp, nil
	}
	next := req.Clone(ctx)
	if req.GetBody != nil {
		if next.Body, err = req.GetBody(); err != nil {
			drainAndClose(resp)
			return nil, err
		}
	}
	if err := rt.p.Intercept(ctx, next); err != nil {
		if next.Body != nil {
			_ = next.Body.Close()
		}
		drainAndClose(resp)
		return nil, err
	}
	drainAndClose(resp)
	resp, err = rt.base.RoundTrip(next)
	if resp != nil && resp.Request == nil {
		resp.Request = next
	}
	return resp, err
}

// drainAndClose reads a little of a response body that is not used, so
// that its connection can be reused, and closes it.
func drainAndClose(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
	_ = resp.Body.Close()
}

// maxHops bounds the walk back along a redirect chain.
const maxHops = 100

// checkHop refuses a redirect hop (a request with a Response) to another
// host than the chain's first request, unless WithCrossHostRedirects.
func (rt *roundTripper) checkHop(req *http.Request) error {
	if rt.crossHost || req.Response == nil {
		return nil
	}
	first := req
	for range maxHops {
		if first.Response == nil {
			return SameHostRedirectPolicy(req, []*http.Request{first})
		}
		if first = first.Response.Request; first == nil {
			break
		}
	}
	return fmt.Errorf("%w: the redirect's first request is unknown", ErrRedirectRefused)
}

// ErrRedirectRefused is wrapped by the errors of [SameHostRedirectPolicy]
// and of [Provider.RoundTripper] when they refuse a redirect.
var ErrRedirectRefused = errors.New("security: redirect refused")

// SameHostRedirectPolicy is a CheckRedirect function for an [http.Client]
// that sends Whispir credentials. It refuses a redirect to a host other than
// that of the first request, or from https to http, because net/http would
// forward the x-api-key header (and a 307 or 308 POST body) to the new
// location. Like the default policy, it stops after 10 redirects. Its errors
// wrap [ErrRedirectRefused].
func SameHostRedirectPolicy(req *http.Request, via []*http.Request) error {
	if len(via) == 0 {
		return nil
	}
	if len(via) >= 10 {
		return fmt.Errorf("%w: stopped after 10 redirects", ErrRedirectRefused)
	}
	first := via[0].URL
	if !strings.EqualFold(req.URL.Host, first.Host) {
		return fmt.Errorf("%w: from host %q to host %q: credentials would be sent to another host", ErrRedirectRefused, first.Host, req.URL.Host)
	}
	if strings.EqualFold(first.Scheme, "https") && !strings.EqualFold(req.URL.Scheme, "https") {
		return fmt.Errorf("%w: from https to %q: credentials would be sent unencrypted", ErrRedirectRefused, req.URL.Scheme)
	}
	return nil
}

// setHeader sets key to the single value v. Besides the canonical key that
// http.Header.Set uses, it removes entries whose key differs only in case,
// which can exist when a caller wrote to the header map directly.
func setHeader(hdr http.Header, key, v string) {
	canonical := http.CanonicalHeaderKey(key)
	for k := range hdr {
		if k != canonical && strings.EqualFold(k, canonical) {
			delete(hdr, k)
		}
	}
	hdr.Set(canonical, v)
}

// names says how error messages refer to each credential field, and how they
// describe an empty one.
type names struct {
	APIKey, Username, Password string
	empty                      string
}

// fieldNames names the fields as in the Credentials struct.
var fieldNames = names{APIKey: "APIKey", Username: "Username", Password: "Password", empty: "is empty"}

// envNames names the fields by the environment variables FromEnv reads.
var envNames = names{APIKey: EnvAPIKey, Username: EnvUsername, Password: EnvPassword, empty: "is not set or empty"}

// newHeaders validates c and precomputes the header values. Error messages
// use n to name the fields and never include a value.
func newHeaders(c Credentials, n names) (*headers, error) {
	if err := validate(c, n); err != nil {
		return nil, err
	}
	return &headers{
		creds:         c,
		apiKey:        c.APIKey,
		authorization: "Basic " + base64.StdEncoding.EncodeToString([]byte(c.Username+":"+c.Password)),
	}, nil
}

// validate reports every problem with c in one error. Missing fields wrap
// ErrMissingCredentials, malformed ones wrap ErrInvalidCredentials.
func validate(c Credentials, n names) error {
	var missing, invalid []string
	check := func(name, v string) bool {
		switch {
		case v == "":
			missing = append(missing, name+" "+n.empty)
		case strings.TrimSpace(v) == "":
			missing = append(missing, name+" is whitespace only")
		case hasControl(v):
			invalid = append(invalid, name+" contains control characters")
		default:
			return true
		}
		return false
	}
	if check(n.APIKey, c.APIKey) && strings.TrimSpace(c.APIKey) != c.APIKey {
		invalid = append(invalid, n.APIKey+" has leading or trailing whitespace")
	}
	if check(n.Username, c.Username) && strings.Contains(c.Username, ":") {
		invalid = append(invalid, n.Username+" contains ':', which HTTP Basic authentication cannot carry")
	}
	check(n.Password, c.Password)

	switch {
	case len(missing) > 0 && len(invalid) > 0:
		return fmt.Errorf("%w: %s; %w: %s",
			ErrMissingCredentials, strings.Join(missing, ", "),
			ErrInvalidCredentials, strings.Join(invalid, ", "))
	case len(missing) > 0:
		return fmt.Errorf("%w: %s", ErrMissingCredentials, strings.Join(missing, ", "))
	case len(invalid) > 0:
		return fmt.Errorf("%w: %s", ErrInvalidCredentials, strings.Join(invalid, ", "))
	}
	return nil
}

// hasControl reports whether s contains an ASCII control character other than
// horizontal tab. Such characters are not allowed in header values (a newline
// could inject a header) nor in Basic credentials (RFC 7617).
func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if b := s[i]; (b < 0x20 && b != '\t') || b == 0x7f {
			return true
		}
	}
	return false
}
