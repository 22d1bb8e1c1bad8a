package api

import (
	"net/http"
	"net/url"
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
	f.Fuzz(func(t *testing.T, status int, body, code, retryAfter string) {
		h := http.Header{}
		h.Set("X-Error-Code", code)
		h.Set("Retry-After", retryAfter)
		e := newError("op", status, h, []byte(body), time.Unix(0, 0))
		if s := e.Error(); !utf8.ValidString(s) && utf8.ValidString(body) && utf8.ValidString(code) {
			t.Errorf("Error() not valid UTF-8: %q", s)
		}
		_ = e.Unwrap()
		_ = e.Temporary()
		if e.RetryAfter < 0 {
			t.Errorf("negative RetryAfter %s", e.RetryAfter)
		}
	})
}

func FuzzIDFromLocation(f *testing.F) {
	for _, s := range []string{"https://api.au.whispir.com/messages/ABC?apikey=1", "/x/y/", "", "%", "?a=b", "a/b#c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, loc string) {
		id, err := IDFromLocation(loc)
		if err == nil && (id == "" || id == "." || id == "/") {
			t.Errorf("IDFromLocation(%q) = %q without error", loc, id)
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
