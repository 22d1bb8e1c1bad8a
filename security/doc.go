// Package security supplies the credentials that every Whispir REST API
// request must carry, and keeps those credentials out of logs, error messages
// and serialised output.
//
// # Authentication
//
// Whispir authenticates each request with two headers, and both must be
// present on every call:
//
//	x-api-key: <api key>
//	Authorization: Basic base64(<username>:<password>)
//
// A [Provider] holds a validated [Credentials] value together with the two
// precomputed header values. It can attach them in two ways:
//
//   - [Provider.Intercept] has the signature of oapi-codegen's RequestEditorFn,
//     so it can be passed to a generated client with WithRequestEditorFn, or
//     called directly on an *http.Request.
//   - [Provider.RoundTripper] wraps a [net/http.RoundTripper] so that any
//     [net/http.Client] authenticates its requests. It works on a clone of each
//     request and never changes the caller's request.
//
// Both use [net/http.Header.Set], so a header that is already present is
// replaced, never duplicated. Create a Provider with [New] or, from the
// WHISPIR_API_KEY, WHISPIR_USERNAME and WHISPIR_PASSWORD environment
// variables, with [FromEnv].
//
// Credentials are checked before they are accepted. A field that is empty or
// only whitespace gives an error wrapping [ErrMissingCredentials]. A username
// that contains ':' (HTTP Basic authentication cannot carry it), an API key
// with leading or trailing whitespace, or a value with control characters
// gives an error wrapping [ErrInvalidCredentials]. Error messages name the
// field or environment variable at fault and never include its value.
//
// # Rotation
//
// [Provider.Update] replaces the credentials of a Provider that is in use. The
// new API key and Authorization value are published together through one
// atomic pointer swap, so a request in flight gets either the old pair or the
// new pair, never a new key with an old password. If the new credentials fail
// validation, Update returns an error and the old credentials stay in effect.
//
// # Bearer tokens
//
// Whispir also accepts, with the API key, a JWT from POST /auth (authCreate)
// in place of the Basic credentials:
//
//	x-api-key: <api key>
//	Authorization: Bearer <token>
//
// [Provider.Bearer] returns a Provider that sends one. It gets tokens from a
// [TokenSource], which is given the Basic credentials to ask with; the api
// package's Client.TokenSource asks authCreate through the client's
// pipeline, and its WithBearerAuth option sets all of this up. The Provider
// obtains a token on the first request, replaces it shortly before it
// expires (the JWT's `exp` claim, measured from its `iat`; else after
// [WithTokenLifetime], [DefaultTokenLifetime] by default: Whispir does not
// document the lifetime), and [Provider.RefreshToken] replaces one that
// was answered 401, after which the request is sent once more (the api
// client and [Provider.RoundTripper] do this). Concurrent requests share
// one refresh. A token belongs to the credentials it was obtained with:
// after [Provider.Update] the next request waits for a token obtained with
// the new ones, and no request carries the API key of one set with the
// token of another. Tokens are secrets: they never appear in formatted or
// logged output, nor in errors.
//
// # Redaction
//
// The API key and the password are secrets, and so is the Authorization
// header value, which is only a base64 encoding of the username and password.
// [Credentials] and [Provider] implement [fmt.Formatter], [fmt.Stringer],
// [fmt.GoStringer], [log/slog.LogValuer], [encoding/json.Marshaler] and
// [encoding.TextMarshaler]. All of them show the username and put the
// [Redacted] marker where each secret would be, so the values cannot leak
// through any fmt verb (including %#v), through slog's text and JSON handlers,
// through encoding/json, or through encoders that use MarshalText. JSON output
// from Credentials is redacted on purpose and cannot be decoded back into
// working credentials.
//
// These methods only help when the value itself is formatted. A Credentials
// value stored in an unexported field of some other struct is printed by fmt
// field by field, with no call to its methods, and fmt disables every method
// when it reports a bad verb (%p on a value that is not a pointer, %w
// outside fmt.Errorf): see [Credentials]. So store credentials in a Provider
// (which holds them behind two pointers, safe under every verb) rather than
// in a bare struct field, and let go vet check format strings.
//
// # Redirects
//
// net/http's Client removes the Authorization header when it follows a
// redirect to another domain, but it copies custom headers such as x-api-key,
// and it resends a POST body on a 307 or 308. [Provider.RoundTripper]
// therefore refuses a redirect's hop to another host (or from https to http)
// whatever the client's CheckRedirect says, and sends nothing there;
// [WithCrossHostRedirects] opts out. A client that attaches the credentials
// with [Provider.Intercept] instead should set its CheckRedirect field to
// [SameHostRedirectPolicy], as the api package does.
package security
