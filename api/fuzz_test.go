package api

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/whispir-go/whispir/generated"
)

func FuzzErrorBody(f *testing.F) {
	f.Add(403, `{"message":"Forbidden"}`, "ERR_403_DEVELOPER_OVER_QPS", "1")
	f.Add(401, `{"errorSummary":"x","errorText":"Unauthorized","errorDetail":""}`, "", "")
	f.Add(413, `"HTTP content length exceeded 10485760 bytes."`, "", "Wed, 21 Oct 2015 07:28:00 GMT")
	f.Add(500, `<h1>Developer Inactive</h1>`, "", "-1")
	f.Add(400, `{"errorText":"\u001b[2J\u202e\u0007"}`, "ERR\u009b", "9223372036854775808")
	f.Fuzz(func(t *testing.T, status int, body, code, retryAfter string) {
		h := http.Header{}
		h.Set("X-Error-Code", code)
		h.Set("Retry-After", retryAfter)
		e := newError("op", status, h, []byte(body), time.Unix(0, 0))
		if s := e.Error(); !utf8.ValidString(s) || strings.ContainsFunc(s, unsafeText) {
			t.Errorf("Error() = %q; want valid UTF-8 without control or bidi characters", s)
		}
		for _, s := range []string{e.Summary, e.Text, e.Detail, e.Code} {
			if strings.ContainsFunc(s, unsafeText) {
				t.Errorf("field %q; want no control or bidi characters", s)
			}
		}
		_ = e.Unwrap()
		_ = e.Temporary()
		if e.RetryAfter < 0 || e.RetryAfter > maxRetryAfter {
			t.Errorf("RetryAfter %s; want within [0, %s]", e.RetryAfter, maxRetryAfter)
		}
	})
}

func FuzzIDFromLocation(f *testing.F) {
	for _, s := range []string{"https://api.au.whispir.com/messages/ABC?apikey=1", "/x/y/", "", "%", "?a=b", "a/b#c", "/m/%2e%2e", "/m/%2F", "/k/3fa85f64-5717-4562-b3fc-2c963f66afa6"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, loc string) {
		id, err := IDFromLocation(loc)
		if err == nil && (id == "" || len(id) > maxIDLength || strings.Trim(id, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_") != "") {
			t.Errorf("IDFromLocation(%q) = %q without error; want an id of letters, digits, - and _", loc, id)
		}
	})
}

func FuzzResolveNextLink(f *testing.F) {
	for _, s := range []string{"https://api.au.whispir.com/pre/messages?offset=20", "/calls?offset=20", "//evil/x", "http://[::1", "messages"} {
		f.Add(s)
	}
	base, _ := url.Parse("https://api.au.whispir.com/pre")
	c := &Client{baseURL: base}
	f.Fuzz(func(t *testing.T, link string) {
		u, err := c.resolve(link)
		if err == nil && u.Host != base.Host && !equalFoldASCII(u.Host, base.Host) {
			t.Errorf("resolve(%q) left the base host: %s", link, u)
		}
		rel := "next"
		_, _ = NextLink([]generated.Link{{Rel: &rel, URI: &link}})
	})
}

func FuzzParseStatus(f *testing.F) {
	for _, s := range []string{"1 to 20 of 45   ", "status: 1 to 1 of 1", "No records found", "", "9 to 9 of 99999999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		first, last, total, ok := ParseStatus(s)
		if !ok && (first != 0 || last != 0 || total != 0) {
			t.Errorf("ParseStatus(%q) = %d %d %d with ok false", s, first, last, total)
		}
	})
}

// unsafeText reports what must never be shown raw: C0 and C1 controls,
// DEL and the bidirectional controls (U+FFFD may stand for invalid bytes).
func unsafeText(r rune) bool {
	return r < 0x20 || r >= 0x7f && r <= 0x9f || r == 0x061c || r == 0x200e || r == 0x200f ||
		r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i]|0x20, b[i]|0x20
		if x != y {
			return false
		}
	}
	return true
}
