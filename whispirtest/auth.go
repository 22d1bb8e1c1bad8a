package whispirtest

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
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
	if strings.EqualFold(scheme, "basic") {
		presented.Username, presented.Password, basic = x.r.BasicAuth()
	}
	key, user, pass := sha256.Sum256([]byte(presented.APIKey)), sha256.Sum256([]byte(presented.Username)), sha256.Sum256([]byte(presented.Password))
	keyOK, ok := false, false
	for _, want := range s.digests() {
		// Every comparison runs, so timing does not tell which part failed.
		k := want.key.matches(key)
		u := want.username.matches(user)
		p := want.password.matches(pass)
		keyOK = keyOK || k
		ok = ok || (basic && k && u && p)
	}
	if strings.EqualFold(scheme, "bearer") {
		if user, found := s.tokenUser(strings.TrimSpace(rest)); found {
			presented.Username, ok = user, true
		}
	}
	x.creds = presented
	s.update(x.rec, func(rec *record) { rec.creds = presented; rec.Credentials = &rec.creds })
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

// digest is the SHA-256 digest of an accepted secret. Secrets are compared
// by their digests, so that neither their contents nor their lengths show
// in the time a comparison takes; the server computes those of its
// credentials once, when they are set, not for each request.
type digest struct {
	sum [sha256.Size]byte
	set bool // the secret is not empty: an empty one never matches
}

func digestOf(secret string) digest {
	return digest{sum: sha256.Sum256([]byte(secret)), set: secret != ""}
}

// matches compares, in constant time, the digest of a presented secret.
func (d digest) matches(got [sha256.Size]byte) bool {
	return subtle.ConstantTimeCompare(got[:], d.sum[:]) == 1 && d.set
}

// credentialDigests are the digests of one set of accepted credentials.
type credentialDigests struct {
	key, username, password digest
}

// digests returns the digests of every set of credentials the server
// accepts, its own first. The slice is never changed: a change of
// credentials replaces it.
func (s *Server) digests() []credentialDigests {
	if d := s.accepted.Load(); d != nil {
		return *d
	}
	return nil
}

// rehash computes the digests of the server's credentials; it runs
// whenever they change, with s.mu held (or before the server serves).
func (s *Server) rehash() {
	d := make([]credentialDigests, 0, 1+len(s.extra))
	for _, c := range append([]*security.Credentials{s.creds}, s.extra...) {
		d = append(d, credentialDigests{key: digestOf(c.APIKey), username: digestOf(c.Username), password: digestOf(c.Password)})
	}
	s.accepted.Store(&d)
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
	var buf [3 * 32]byte // up to 32 bytes: only the string is allocated
	b := buf[:0]
	if n > 32 {
		b = make([]byte, 0, 3*n)
	}
	b = b[:3*n] // the bytes at the end, their hex before them
	_, _ = rand.Read(b[2*n:])
	for i, c := range b[2*n:] {
		b[2*i], b[2*i+1] = upperHex[c>>4], upperHex[c&0x0f]
	}
	return string(b[:2*n])
}

const upperHex = "0123456789ABCDEF"
