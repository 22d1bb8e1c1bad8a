package security

import (
	"encoding/base64"
	"testing"
	"time"
)

// FuzzTokenLifetime feeds the JWT claims reader tokens from a server, which
// are untrusted: it must not panic, and must give the fallback or a
// lifetime in (0, maxTokenLifetime].
func FuzzTokenLifetime(f *testing.F) {
	enc := base64.RawURLEncoding
	for _, claims := range []string{
		`{"iat":1700000000,"exp":1700003600}`,
		`{"exp":1e300}`,
		`{"exp":-1e300,"iat":1e300}`,
		`{"exp":"soon"}`,
		`{"exp":1700003600.5}`,
		`not json`,
	} {
		f.Add("e30." + enc.EncodeToString([]byte(claims)) + ".c2ln")
	}
	f.Add("not-a-jwt")
	f.Add("a.b.c.d")
	now := time.Unix(1_700_000_000, 0)
	const fallback = 7 * time.Minute
	f.Fuzz(func(t *testing.T, token string) {
		got := tokenLifetime(token, now, fallback)
		if got != fallback && (got <= 0 || got > maxTokenLifetime) {
			t.Errorf("tokenLifetime(%q) = %v; want the fallback or a lifetime in (0, %v]", token, got, maxTokenLifetime)
		}
		if reason := badToken(token); reason == "" && (token == "" || len(token) > maxTokenLength) {
			t.Errorf("badToken(%q) accepted it", token)
		}
	})
}
