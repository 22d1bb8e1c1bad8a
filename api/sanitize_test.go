package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSanitize(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"plain", "Forbidden", "Forbidden"},
		{"unicode text", "Zugriff verweigert – überprüfen", "Zugriff verweigert – überprüfen"},
		{"ESC colour", "\x1b[31mred\x1b[0m", `\x1b[31mred\x1b[0m`},
		{"BEL", "ding\a", `ding\x07`},
		{"DEL and NUL", "a\x7fb\x00c", `a\x7fb\x00c`},
		{"C1 CSI", "a\u009b2Jb", `a\u009b2Jb`},
		{"line breaks", "one\ntwo\r\tthree\u0085four", "one two  three four"},
		{"bidi override", "abc\u202edcba", `abc\u202edcba`},
		{"bidi marks and isolates", "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069",
			`\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069`},
		{"invalid UTF-8", "a\x9bb\xffc", `a\x9bb\xffc`},
		{"replacement character kept", "a\ufffdb", "a\ufffdb"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := sanitize(tc.in)
			if got != tc.want {
				t.Errorf("sanitize(%q) = %q; want %q", tc.in, got, tc.want)
			}
			if again := sanitize(got); again != got {
				t.Errorf("sanitize(sanitize(%q)) = %q; want %q (stable)", tc.in, again, got)
			}
		})
	}
}

// shownRaw are the characters the hostile texts below use; none may be
// shown as it is.
const shownRaw = "\x1b\a\u202e\u2066\u009b"

// TestErrorsFromServerTextAreTerminalSafe: ESC, BEL and U+202E in an error
// body and in X-Error-Code never reach Error(), nor the Error's text
// fields; Body keeps the bytes.
func TestErrorsFromServerTextAreTerminalSafe(t *testing.T) {
	t.Parallel()
	hostile := "\x1b]0;pwned\a\x1b[2J\u202eten\u2066 \u009b"
	tests := []struct {
		name   string
		header map[string]string
		body   string
	}{
		{"errorText", nil, `{"errorSummary":` + jsonString(hostile) + `,"errorText":` + jsonString(hostile) + `,"errorDetail":` + jsonString(hostile) + `}`},
		{"gateway message", nil, `{"message":` + jsonString(hostile) + `}`},
		{"bare JSON string", nil, jsonString(hostile)},
		// net/http refuses ESC in a header; C1 and bidi characters pass.
		{"X-Error-Code", map[string]string{"X-Error-Code": "ERR\u202e\u009b\u2066"}, `{"errorText":"x"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, _ := setup(t, respond(http.StatusBadRequest, tc.header, tc.body))
			_, err := c.MessageRetrieveWithResponse(t.Context(), "ABC", "DEF")
			var apiErr *Error
			if !errors.As(err, &apiErr) {
				t.Fatalf("err = %v; want *Error", err)
			}
			for name, s := range map[string]string{"Error()": err.Error(), "Summary": apiErr.Summary, "Text": apiErr.Text, "Detail": apiErr.Detail, "Code": apiErr.Code} {
				if strings.ContainsAny(s, shownRaw) || !utf8.ValidString(s) {
					t.Errorf("%s = %q; want no control or bidi characters", name, s)
				}
			}
			if !strings.Contains(err.Error(), `\x1b`) && tc.header == nil {
				t.Errorf("Error() = %q; want the ESC shown escaped", err)
			}
			if string(apiErr.Body) != tc.body {
				t.Errorf("Body = %q; want the raw %q", apiErr.Body, tc.body)
			}
		})
	}
}

// jsonString is s as a JSON string literal, control characters escaped.
func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// rawErrorTransport fails every request with an error quoting server
// text as it came, as a proxy or a custom RoundTripper may.
type rawErrorTransport struct{ err error }

func (t rawErrorTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		r.Body.Close()
	}
	return nil, t.err
}

// TestTransportErrorsAreTerminalSafe: whatever a transport error quotes,
// the pipeline's error shows it escaped, and still wraps the original.
func TestTransportErrorsAreTerminalSafe(t *testing.T) {
	t.Parallel()
	t.Run("a transport quoting server text raw", func(t *testing.T) {
		t.Parallel()
		raw := errors.New("proxy: upstream said \x1b]0;pwned\a\x1b[2J\u202eten\u2066")
		c, _ := setup(t, accepted("X"), WithHTTPClient(&http.Client{Transport: rawErrorTransport{raw}}), WithoutRetry())
		_, err := c.MessageRetrieveWithResponse(t.Context(), "ABC", "DEF")
		if !errors.Is(err, raw) {
			t.Fatalf("err = %v; want it to wrap the transport's error", err)
		}
		if s := err.Error(); strings.ContainsAny(s, shownRaw) || !strings.Contains(s, `upstream said \x1b]0;pwned\x07\x1b[2J\u202eten\u2066`) {
			t.Errorf("err = %q; want the server text escaped", s)
		}
	})
	t.Run("net/http's malformed header line", func(t *testing.T) {
		t.Parallel()
		c, _ := setup(t, func(w http.ResponseWriter, r *http.Request) {
			if conn := writeRaw(t, w, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\x1b[2J\u202eBad header\r\n\r\n{}"); conn != nil {
				conn.Close()
			}
		}, WithoutRetry())
		_, err := c.MessageRetrieveWithResponse(t.Context(), "ABC", "DEF")
		if err == nil {
			t.Fatal("err = nil; want a transport error")
		}
		if s := err.Error(); strings.ContainsAny(s, shownRaw) {
			t.Errorf("err = %q; want no control or bidi characters", s)
		}
	})
}
