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

// tokenUser reports whether token was issued by this server, and to whom.
func (s *Server) tokenUser(token string) (string, bool) {
	if token == "" {
		return "", false
	}
	sum := sha256.Sum256([]byte(token))
	s.mu.Lock()
	defer s.mu.Unlock()
	user, ok := s.tokens[sum]
	return user, ok
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
	token := newToken(user)
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

// newToken returns a random, JWT-shaped token (not signed: the mock only
// recognises tokens it issued).
func newToken(user string) string {
	enc := base64.RawURLEncoding
	head, _ := json.Marshal(map[string]string{"alg": "HS256", "typ": "JWT"})
	claims, _ := json.Marshal(map[string]any{"iss": "whispirtest", "sub": user, "iat": time.Now().Unix(), "jti": randomHex(16)})
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
