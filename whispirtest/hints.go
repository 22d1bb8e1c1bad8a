package whispirtest

import (
	"encoding/json"
	"strings"
)

// Headers the mock adds to answers, never sent by Whispir.
const (
	// HeaderViolations names the rule a refused request broke (like
	// Prism's sl-violations): on the 400, 415 and 422 answers of the
	// media-type checks and of validation, e.g.
	// `body /to: property "to" is missing`. It never quotes a value.
	HeaderViolations = "X-Whispir-Mock-Violations"
	// HeaderMockError marks an answer of the mock itself, not one Whispir
	// would give: a Prefer it cannot meet, one of its [Limits]. Its value
	// says what went wrong; the body is application/problem+json.
	HeaderMockError = "X-Whispir-Mock-Error"
)

// problemMediaType labels the mock's own error bodies (RFC 9457), which
// cannot be mistaken for Whispir's {errorSummary, errorText, errorDetail}.
const problemMediaType = "application/problem+json"

// textUnsupportedMedia starts the errorText of a 415, as Whispir's does.
const textUnsupportedMedia = "Unsupported Media Type"

// violation adds the rule broken to a refusal.
func violation(a answer, rule string) answer {
	a.header.Set(HeaderViolations, oneLine(rule))
	return a
}

// consumesText is the errorText of a 415 for a Content-Type the operation
// does not take: Whispir's text, then the media types it takes.
func consumesText(types []string) string {
	if len(types) == 0 {
		return textUnsupportedMedia + ": this operation takes no body"
	}
	return textUnsupportedMedia + ": send " + strings.Join(types, " or ")
}

// problem is an RFC 9457 problem details body.
type problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
	// Available lists what could have been asked for (Prefer codes or
	// examples).
	Available []string `json:"available,omitempty"`
}

// problemType is the type URI of the mock's problems: the mock's admin
// API documents them.
const problemType = "https://github.com/whispir-go/whispir/whispirtest#"

// mockAnswer is an answer of the mock itself: status, a problem body and
// the HeaderMockError header with detail.
func mockAnswer(status int, kind, detail string, available []string) answer {
	body, _ := json.Marshal(problem{
		Type:      problemType + kind,
		Title:     "whispir mock: " + strings.ReplaceAll(kind, "-", " "),
		Status:    status,
		Detail:    detail,
		Available: available,
	})
	h := contentType(problemMediaType)
	h.Set(HeaderMockError, oneLine(detail))
	return answer{status: status, header: h, body: body}
}

// oneLine keeps a header value on one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// replyMock writes one of the mock's own answers; such an exchange is not
// checked against Whispir's spec.
func (x *exchange) replyMock(a answer) {
	x.mock = true
	x.reply(a)
}
