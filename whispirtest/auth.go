package whispirtest

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/whispir-go/whispir/security"
)

// stepAuthenticate checks the two credentials of every request: the API key
// (403 with the gateway body when missing or wrong), then Basic credentials
// of the same set as the key, or a Bearer token this server issued (401
// otherwise). Secrets are compared in constant time and never written
// anywhere.
func stepAuthenticate(s *Server, x *exchange) bool {
	presented := security.Credentials{APIKey: x.r.Header.Get(security.HeaderAPIKey)}
	scheme, rest, _ := strings.Cut(strings.TrimSpace(x.r.Header.Get("Authorization")), " ")
	basic := false
	switch strings.ToLower(scheme) {
	case "basic":
		presented.Username, presented.Password, basic = x.r.BasicAuth()
	}
	keyOK, ok := false, false
	for _, want := range s.accepted() {
		// Every comparison runs, so timing does not tell which part failed.
		k := secretEqual(presented.APIKey, want.APIKey)
		u := secretEqual(presented.Username, want.Username)
		p := secretEqual(presented.Password, want.Password)
		keyOK = keyOK || k
		ok = ok || (basic && k && u && p)
	}
	if strings.EqualFold(scheme, "bearer") {
		if user, found := s.tokenUser(strings.TrimSpace(rest)); found {
			presented.Username, ok = user, true
		}
	}
	x.creds = presented
	s.update(x.rec, func(rec *Request) { rec.Credentials = &presented })
	if presented.APIKey == "" || !keyOK {
		x.reply(gatewayForbidden())
		return false
	}
	if !ok {
		x.reply(apiError(http.StatusUnauthorized, x.mediaType(), summaryUnauthorized, "Unauthorized", ""))
		return false
	}
	return true
}

// secretEqual compares got with want in constant time; an empty want never
// matches. Both are hashed first so that their lengths do not leak either.
func secretEqual(got, want string) bool {
	if want == "" {
		return false
	}
	g, w := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(g[:], w[:]) == 1
}

// tokenUser reports whether token was issued by this server, has not
// expired and was not revoked, and to whom it was issued.
func (s *Server) tokenUser(token string) (string, bool) {
	if token == "" {
		return "", false
	}
	sum := sha256.Sum256([]byte(token))
	s.mu.Lock()
	user, ok := s.tokens[sum]
	s.mu.Unlock()
	if !ok {
		return "", false
	}
	// The token is one this server issued, so its claims are its own.
	if exp, found := tokenExpiry(token); found && !time.Now().Before(exp) {
		return "", false
	}
	return user, true
}

// WithTokenLifetime makes the tokens that POST /auth (authCreate) issues
// expire d after they are issued: they carry an `exp` claim (in whole
// seconds, rounded up) and a request that presents one after it is
// answered 401, as Whispir answers an expired token. By default (d <= 0)
// tokens carry no `exp` and never expire.
func WithTokenLifetime(d time.Duration) Option {
	return func(s *Server) { s.tokenLifetime = max(d, 0) }
}

// RevokeTokens forgets every token the server issued: a request that
// presents one is answered 401 from now on, as after a token expired
// early. New tokens can be obtained from POST /auth.
func (s *Server) RevokeTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.tokens)
}

// tokenExpiry reads the `exp` claim of a token made by newToken.
func tokenExpiry(token string) (time.Time, bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return time.Time{}, false
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return time.Time{}, false
	}
	var claims struct {
		Exp *int64 `json:"exp"`
	}
	if json.Unmarshal(payload, &claims) != nil || claims.Exp == nil {
		return time.Time{}, false
	}
	return time.Unix(*claims.Exp, 0), true
}

// authCreate answers POST /auth (authCreate) with a new Bearer token and
// remembers it. Only its hash is kept.
func (s *Server) authCreate(x *exchange) answer {
	token := s.issueToken(x.creds.Username)
	body, _ := json.Marshal(map[string]any{"token": token, "link": []any{}})
	status := x.plan.ok.status
	if status == 0 {
		status = http.StatusOK
	}
	return answer{status: status, header: contentType(x.route.MediaType), body: body}
}

// issueToken makes a token for user and remembers its hash; the server
// remembers Limits.Requests tokens, forgetting the oldest first.
func (s *Server) issueToken(user string) string {
	token := newToken(user, time.Now(), s.tokenLifetime)
	sum := sha256.Sum256([]byte(token))
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[sum] = user
	s.tokenOrder = append(s.tokenOrder, sum)
	for len(s.tokenOrder) > max(s.limits.Requests, 1) {
		delete(s.tokens, s.tokenOrder[0])
		s.tokenOrder = s.tokenOrder[1:]
	}
	return token
}

// newToken returns a random, JWT-shaped token issued at now (not signed:
// the mock only recognises tokens it issued). A positive lifetime adds an
// `exp` claim, lifetime after now rounded up to a whole second.
func newToken(user string, now time.Time, lifetime time.Duration) string {
	enc := base64.RawURLEncoding
	head, _ := json.Marshal(map[string]string{"alg": "HS256", "typ": "JWT"})
	fields := map[string]any{"iss": "whispirtest", "sub": user, "iat": now.Unix(), "jti": randomHex(16)}
	if lifetime > 0 {
		exp := now.Add(lifetime)
		secs := exp.Unix()
		if exp.After(time.Unix(secs, 0)) {
			secs++
		}
		fields["exp"] = secs
	}
	claims, _ := json.Marshal(fields)
	sig := make([]byte, 32)
	_, _ = rand.Read(sig)
	return enc.EncodeToString(head) + "." + enc.EncodeToString(claims) + "." + enc.EncodeToString(sig)
}

// randomHex returns n random bytes as upper-case hex, the shape of Whispir
// ids (16 bytes for a message id).
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return strings.ToUpper(hex.EncodeToString(b))
}
