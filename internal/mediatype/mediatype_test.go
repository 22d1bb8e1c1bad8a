package mediatype

import (
	"mime"
	"testing"
)

// parsed is what Base must return: mime.ParseMediaType's media type, ""
// when it fails.
func parsed(v string) string {
	base, _, err := mime.ParseMediaType(v)
	if err != nil {
		return ""
	}
	return base
}

func TestBase(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, in, want string
		plain          bool // taken without the parser
	}{
		{"vendor type", "application/vnd.whispir.message-v1+json", "application/vnd.whispir.message-v1+json", true},
		{"json", "application/json", "application/json", true},
		{"upper case", "Application/JSON", "application/json", false},
		{"parameter", "application/json; charset=utf-8", "application/json", false},
		{"spaces", " application/json ", "application/json", false},
		{"type only", "text", "text", false},
		{"empty", "", "", false},
		{"no subtype", "text/", "", false},
		{"no type", "/json", "", false},
		{"two slashes", "a/b/c", "", false},
		{"tspecial", "a/b@c", "", false},
		{"control", "a/b\x01", "", false},
		{"non-ASCII", "a/bé", "", false},
		{"bad parameter", "application/json; =x", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := Base(tc.in); got != tc.want {
				t.Errorf("Base(%q): got %q; want %q", tc.in, got, tc.want)
			}
			if got := parsed(tc.in); got != tc.want {
				t.Errorf("mime.ParseMediaType(%q): got %q; want %q (the table is wrong)", tc.in, got, tc.want)
			}
			if got := plain(tc.in); got != tc.plain {
				t.Errorf("plain(%q): got %v; want %v", tc.in, got, tc.plain)
			}
		})
	}
}

// FuzzBase checks Base against mime.ParseMediaType, its oracle.
func FuzzBase(f *testing.F) {
	for _, s := range []string{"application/json", "application/vnd.whispir.message-v1+json", "Text/Plain; q=1", "a/b/c", "a/", "*/*"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if got, want := Base(v), parsed(v); got != want {
			t.Errorf("Base(%q): got %q; want %q", v, got, want)
		}
	})
}
