package callback

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/whispir-go/whispir/internal/redaction"
)

// The auth types of a Whispir callback (its auth.type), and where Whispir
// puts the key K of each.
const (
	AuthHTTPHeader  = "httpheader"  // header X-Whispir-Callback-Key: K
	AuthQueryParam  = "queryparam"  // query ?auth=K (or ?Auth=K)
	AuthQueryString = "querystring" // the legacy name of queryparam
	AuthBasic       = "basicauth"   // header Authorization: Basic K (K as is, not base64)
	AuthBearer      = "bearertoken" // header Authorization: Bearer K
)

// HeaderCallbackKey is the header that carries the key for [AuthHTTPHeader].
const HeaderCallbackKey = "X-Whispir-Callback-Key"

// Auth is how Whispir proves itself to your callback URL: the callback's
// auth.type and auth.key.
//
// Key is a secret: formatting, logging or marshalling an Auth shows
// "[REDACTED]" in its place.
type Auth struct {
	Type string // AuthHTTPHeader, AuthQueryParam (or AuthQueryString), AuthBasic or AuthBearer; case-insensitive
	Key  string
}

// ErrUnauthorized is wrapped by the errors [Verify] returns when a request's
// credentials are missing or do not match (the handler answers 401). The
// errors say which, never the key.
var ErrUnauthorized = errors.New("callback: unauthorized")

// ErrInvalidAuth is wrapped by the errors [Verify] and [NewHandler] return
// for an [Auth] with an unknown type or an empty key.
var ErrInvalidAuth = errors.New("callback: invalid auth")

// verifier checks requests against one Auth. It keeps the key's SHA-256
// only: comparing digests takes the same time whatever the lengths.
type verifier struct {
	typ string // one of the Auth constants; querystring is queryparam
	sum [sha256.Size]byte
}

func newVerifier(a Auth) (verifier, error) {
	typ := strings.ToLower(strings.TrimSpace(a.Type))
	switch typ {
	case AuthHTTPHeader, AuthQueryParam, AuthBasic, AuthBearer:
	case AuthQueryString:
		typ = AuthQueryParam
	default:
		return verifier{}, fmt.Errorf("%w: type %q is not one of %s, %s (or %s), %s, %s",
			ErrInvalidAuth, a.Type, AuthHTTPHeader, AuthQueryParam, AuthQueryString, AuthBasic, AuthBearer)
	}
	if strings.TrimSpace(a.Key) == "" {
		return verifier{}, fmt.Errorf("%w: empty key", ErrInvalidAuth)
	}
	return verifier{typ: typ, sum: sha256.Sum256([]byte(a.Key))}, nil
}

// Verify checks that r carries auth's key where auth.Type says Whispir puts
// it (see the Auth constants), comparing in constant time. It reads headers
// and the URL's query only, never the body. A missing key, a key in another
// place, a key sent twice or a wrong key gives an error wrapping
// [ErrUnauthorized]; an invalid auth, one wrapping [ErrInvalidAuth].
func Verify(auth Auth, r *http.Request) error {
	v, err := newVerifier(auth)
	if err != nil {
		return err
	}
	return v.verify(r)
}

func (v verifier) verify(r *http.Request) error {
	if r == nil || r.URL == nil {
		return fmt.Errorf("%w: nil request", ErrUnauthorized)
	}
	var got []string
	var where string
	switch v.typ {
	case AuthHTTPHeader:
		got, where = r.Header.Values(HeaderCallbackKey), "header "+HeaderCallbackKey
	case AuthQueryParam:
		q := r.URL.Query()
		got, where = append(q["auth"], q["Auth"]...), "query parameter auth"
	case AuthBasic:
		got, where = credentials(r.Header, "Basic"), "Authorization: Basic"
	case AuthBearer:
		got, where = credentials(r.Header, "Bearer"), "Authorization: Bearer"
	}
	switch len(got) {
	case 0:
		return fmt.Errorf("%w: %s: no %s", ErrUnauthorized, v.typ, where)
	case 1:
		sum := sha256.Sum256([]byte(got[0]))
		if subtle.ConstantTimeCompare(sum[:], v.sum[:]) != 1 {
			return fmt.Errorf("%w: %s: the key does not match", ErrUnauthorized, v.typ)
		}
		return nil
	default:
		return fmt.Errorf("%w: %s: more than one %s", ErrUnauthorized, v.typ, where)
	}
}

// credentials returns the credentials of each Authorization header with the
// given scheme (case-insensitive).
func credentials(h http.Header, scheme string) []string {
	var out []string
	for _, v := range h.Values("Authorization") {
		if len(v) > len(scheme) && strings.EqualFold(v[:len(scheme)], scheme) && v[len(scheme)] == ' ' {
			out = append(out, strings.TrimLeft(v[len(scheme)+1:], " "))
		}
	}
	return out
}

// String shows the type and hides the key.
func (a Auth) String() string { return "callback.Auth{Type:" + a.Type + " Key:" + redact(a.Key) + "}" }

// GoString is the %#v form of [Auth.String].
func (a Auth) GoString() string {
	return "callback.Auth{Type:" + strconv.Quote(a.Type) + ", Key:" + strconv.Quote(redact(a.Key)) + "}"
}

// Format implements [fmt.Formatter]: every verb hides the key.
func (a Auth) Format(f fmt.State, verb rune) {
	redaction.Format(f, verb, "callback.Auth", a.String(), a.GoString())
}

// LogValue implements [slog.LogValuer]: the type, and the key redacted.
func (a Auth) LogValue() slog.Value {
	return slog.GroupValue(slog.String("type", a.Type), slog.String("key", redact(a.Key)))
}

// MarshalJSON implements [json.Marshaler] with the key redacted.
func (a Auth) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Type string `json:"type"`
		Key  string `json:"key"`
	}{a.Type, redact(a.Key)})
}

// redact returns what is shown for a secret: nothing for an empty one.
func redact(secret string) string {
	if secret == "" {
		return ""
	}
	return redacted
}
