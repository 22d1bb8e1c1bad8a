package api

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// sanitize makes server text safe to print on a terminal or in a log, on
// one line: the line-breaking controls (tab, LF, VT, FF, CR, NEL) become
// spaces; other C0 and C1 control characters, DEL, the bidirectional
// controls (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069) and bytes
// that are not UTF-8 are written as Go escapes (\x1b, \u202e), so they can
// neither move the cursor, recolour or clear a terminal, nor reorder what
// is shown. Text without them is returned as it is.
func sanitize(s string) string {
	i := strings.IndexFunc(s, unsafeRune)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for s = s[i:]; s != ""; {
		r, size := utf8.DecodeRuneInString(s)
		switch {
		case r == '\t', r == '\n', r == '\v', r == '\f', r == '\r', r == 0x85:
			b.WriteByte(' ')
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[0])
		case r == utf8.RuneError: // U+FFFD itself
			b.WriteString(s[:size])
		case r < 0x80 && unsafeRune(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[:size])
		}
		s = s[size:]
	}
	return b.String()
}

// unsafeRune reports the runes sanitize replaces. utf8.RuneError stands
// for bytes that are not UTF-8 (IndexFunc and DecodeRuneInString both give
// it) and for U+FFFD itself, which sanitize then keeps.
func unsafeRune(r rune) bool {
	switch {
	case r < 0x20, r >= 0x7f && r <= 0x9f:
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f,
		r >= 0x202a && r <= 0x202e,
		r >= 0x2066 && r <= 0x2069:
		return true
	}
	return r == utf8.RuneError
}

// transportError is a failed exchange as the pipeline returns it: the
// error with its URL dropped (scrubURL) and its text sanitized, since
// net/http quotes server bytes in some of its errors (a malformed header
// line). errors.Is and errors.As see the original error.
type transportError struct {
	err error
	// notSent: the connection could not be made and no request was written
	// on any connection of the attempt, redirects included.
	notSent bool
}

func (e *transportError) Error() string { return sanitize(e.err.Error()) }
func (e *transportError) Unwrap() error { return e.err }
