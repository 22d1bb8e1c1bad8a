package redaction_test

import (
	"fmt"
	"testing"

	"github.com/whispir-go/whispir/internal/redaction"
)

type secret struct{ key string }

func (s secret) Format(f fmt.State, verb rune) {
	redaction.Format(f, verb, "redact_test.secret", "secret{"+redaction.Mark+"}", `redact_test.secret{key:"`+redaction.Mark+`"}`)
}

func TestFormatEveryVerb(t *testing.T) {
	t.Parallel()
	s := secret{key: "hunter2"}
	for _, tc := range []struct{ format, want string }{
		{"%v", "secret{[REDACTED]}"},
		{"%+v", "secret{[REDACTED]}"},
		{"%s", "secret{[REDACTED]}"},
		{"%q", `"secret{[REDACTED]}"`},
		{"%20s", "  secret{[REDACTED]}"},
		{"%#v", `redact_test.secret{key:"[REDACTED]"}`},
		{"%d", "%!d(redact_test.secret=secret{[REDACTED]})"},
		{"%x", "%!x(redact_test.secret=secret{[REDACTED]})"},
	} {
		t.Run(tc.format, func(t *testing.T) {
			t.Parallel()
			if got := fmt.Sprintf(tc.format, s); got != tc.want {
				t.Errorf("Sprintf(%q) = %q; want %q", tc.format, got, tc.want)
			}
		})
	}
}
