package whispirtest

import (
	"net/http"
	"reflect"
	"testing"

	"github.com/whispir-go/whispir/security"
)

// TestEncodeHeader checks that a journal record's header blob reads back as
// redact's copy of the header: every name as received, every value in
// order, the secrets redacted.
func TestEncodeHeader(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		header http.Header
	}{
		{"none", nil},
		{"empty", http.Header{}},
		{"a send", http.Header{
			"X-Api-Key":     {"key"},
			"Authorization": {"Basic bW9jazpwYXNz"},
			"Content-Type":  {"application/vnd.whispir.message-v1+json"},
			"Accept":        {"application/vnd.whispir.message-v1+json"},
		}},
		{"repeated values", http.Header{"Prefer": {"code=404", "example=x"}, "Cookie": {"a=1", "b=2"}}},
		{"names not canonical", http.Header{"x-api-key": {"key"}, "authorization": {"Bearer t"}}},
		{"other schemes and empty values", http.Header{"Proxy-Authorization": {"Digest x"}, "Authorization": {"token"}, "X-Empty": {""}}},
		{"callback key", http.Header{headerCallbackKey: {"k"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			blob, size := encodeHeader(tc.header)
			got, want := decodeHeader(blob), redact(tc.header)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("decodeHeader(encodeHeader(h)): got %v; want %v", got, want)
			}
			wantSize := 0
			for name, vs := range want {
				for _, v := range vs {
					wantSize += len(name) + len(v)
				}
			}
			if size != wantSize {
				t.Errorf("size: got %d; want %d", size, wantSize)
			}
			for _, vs := range got {
				for _, v := range vs {
					if v == "key" || v == "bW9jazpwYXNz" || v == "t" || v == "a=1" || v == "k" {
						t.Errorf("a secret was kept: %q in %v", v, got)
					}
				}
			}
		})
	}
	if got := redactValue("Authorization", "Basic abc"); got != "Basic "+security.Redacted {
		t.Errorf("redactValue(Basic): got %q; want %q", got, "Basic "+security.Redacted)
	}
}
