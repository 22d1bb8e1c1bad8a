package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/whispir-go/whispir"
)

// Sentinel errors for errors.Is. An *Error unwraps to the one its status
// and headers call for.
var (
	// ErrUnauthorized: 401, the username and password were not accepted.
	ErrUnauthorized = errors.New("unauthorized")
	// ErrForbidden: 403 without a rate-limit code; a missing or wrong API
	// key, or a user without permission.
	ErrForbidden = errors.New("forbidden")
	// ErrRateLimited: 429, or 403 with X-Error-Code (or X-Mashery-Error-Code)
	// ERR_403_DEVELOPER_OVER_QPS or ERR_403_DEVELOPER_OVER_QPD.
	ErrRateLimited = errors.New("rate limited")
	// ErrNotFound: 404.
	ErrNotFound = errors.New("not found")
	// ErrInvalidRequest: the request breaks the spec; it was not sent. It is
	// the same value as whispir.ErrInvalidRequest.
	ErrInvalidRequest = whispir.ErrInvalidRequest
	// ErrUnknownRegion: a region name that is not one of the spec's servers.
	ErrUnknownRegion = errors.New("unknown region")
	// ErrInvalidOption: an option was given a value it cannot use.
	ErrInvalidOption = errors.New("invalid option")
)

// Rate-limit codes of Whispir's gateway, in X-Error-Code.
const (
	CodeOverQPS = "ERR_403_DEVELOPER_OVER_QPS" // per-second quota spent
	CodeOverQPD = "ERR_403_DEVELOPER_OVER_QPD" // per-day quota spent
)

// maxErrorBody caps how much of an error response is read.
const maxErrorBody = 1 << 20

// Error is a non-2xx answer from Whispir (or its gateway), or, with
// StatusCode 0, a refusal the gateway would make that a Limiter made first.
//
// Summary, Text, Detail and Code are server text with control characters
// (C0, C1, DEL) and bidirectional controls written as escapes (\x1b,
// \u202e), so printing them cannot drive a terminal; Body keeps the bytes
// as received.
type Error struct {
	Operation  string        // operationId, e.g. "messageCreate"
	StatusCode int           // HTTP status; 0 when refused before sending (a Limiter's spent daily quota)
	Summary    string        // errorSummary of a Whispir error body
	Text       string        // errorText, or the gateway's "message"
	Detail     string        // errorDetail
	Code       string        // X-Error-Code (or X-Mashery-Error-Code), e.g. ERR_403_DEVELOPER_OVER_QPS
	RetryAfter time.Duration // from Retry-After, when given
	// Body is the raw body, at most 1 MiB; nil for a 1xx answer, whose
	// body is never read. It is not part of Error().
	Body []byte
}

var _ error = (*Error)(nil)

// Error returns one line: operation, status, gateway code and Whispir's
// short reason. It never contains request values or credentials, nor
// control or bidirectional characters (they are escaped, as in [Error]'s
// fields, even in an Error built by hand).
func (e *Error) Error() string {
	if e == nil {
		return "<nil *api.Error>"
	}
	var b strings.Builder
	b.WriteString(sanitize(e.Operation))
	b.WriteString(": ")
	if e.StatusCode == 0 { // refused before sending, e.g. by a Limiter
		b.WriteString("not sent")
	} else {
		b.WriteString(strconv.Itoa(e.StatusCode))
	}
	if t := http.StatusText(e.StatusCode); t != "" {
		b.WriteString(" " + strings.ToLower(t))
	}
	if e.Code != "" {
		b.WriteString(" (" + clip(sanitize(oneLine(e.Code)), 100) + ")")
	}
	if e.Text != "" && !strings.EqualFold(e.Text, http.StatusText(e.StatusCode)) {
		b.WriteString(": " + clip(sanitize(oneLine(e.Text)), 200))
	}
	return b.String()
}

// Unwrap returns the sentinel for the status: ErrUnauthorized,
// ErrForbidden, ErrRateLimited or ErrNotFound; nil for other statuses.
func (e *Error) Unwrap() error {
	if e == nil {
		return nil
	}
	switch {
	case e.StatusCode == http.StatusTooManyRequests, isRateLimitCode(e.Code):
		return ErrRateLimited
	case e.StatusCode == http.StatusUnauthorized:
		return ErrUnauthorized
	case e.StatusCode == http.StatusForbidden:
		return ErrForbidden
	case e.StatusCode == http.StatusNotFound:
		return ErrNotFound
	}
	return nil
}

// Temporary reports whether trying again later may succeed: per-second
// rate limits, 429 and gateway errors (502, 503, 504).
func (e *Error) Temporary() bool {
	if e == nil {
		return false
	}
	switch e.StatusCode {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return e.Code == CodeOverQPS
}

func isRateLimitCode(code string) bool {
	return strings.HasPrefix(code, "ERR_403_DEVELOPER_OVER_")
}

// errorBody is the union of Whispir's error shapes.
type errorBody struct {
	ErrorSummary string `json:"errorSummary"`
	ErrorText    string `json:"errorText"`
	ErrorDetail  string `json:"errorDetail"`
	Message      string `json:"message"`
}

// CheckResponse turns a response into an error: nil for 2xx, otherwise an
// *Error whose Unwrap gives ErrUnauthorized, ErrForbidden, ErrRateLimited or
// ErrNotFound where they apply. It reads at most 1 MiB of an error body and
// closes it; a 2xx body is left unread. A 1xx answer (101 Switching
// Protocols: its "body" is the raw connection, which a server can hold open
// forever) is closed without reading and returned as an *Error at once.
func CheckResponse(operation string, resp *http.Response) error {
	if resp == nil {
		return fmt.Errorf("%s: nil response", operation)
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	var body []byte
	if resp.StatusCode >= 200 {
		body, _ = io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	}
	if resp.Body != nil {
		_ = resp.Body.Close()
	}
	return newError(operation, resp.StatusCode, resp.Header, body, time.Now())
}

// newError decodes an error response; now anchors an HTTP-date Retry-After.
func newError(operation string, status int, h http.Header, body []byte, now time.Time) *Error {
	e := &Error{Operation: operation, StatusCode: status, Body: body}
	e.Code = h.Get("X-Error-Code")
	if e.Code == "" {
		e.Code = h.Get("X-Mashery-Error-Code")
	}
	e.RetryAfter = parseRetryAfter(h.Get("Retry-After"), now)
	var eb errorBody
	if json.Unmarshal(body, &eb) == nil {
		e.Summary, e.Text, e.Detail = eb.ErrorSummary, eb.ErrorText, eb.ErrorDetail
		if e.Text == "" {
			e.Text = eb.Message
		}
	} else {
		var s string // 413 answers a bare JSON string
		if json.Unmarshal(body, &s) == nil {
			e.Text = s
		}
	}
	e.Code, e.Summary, e.Text, e.Detail = sanitize(e.Code), sanitize(e.Summary), sanitize(e.Text), sanitize(e.Detail)
	return e
}

// maxRetryAfter caps a Retry-After: anything longer means "not soon",
// and is longer than any sensible RetryPolicy.MaxDelay.
const maxRetryAfter = 24 * time.Hour

// parseRetryAfter reads delay-seconds or an HTTP date; 0 when absent, bad
// or in the past. Both forms are capped at maxRetryAfter, and so is a
// number of seconds too large for int64: it means "very long", not absent.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if allDigits(v) {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n > int64(maxRetryAfter/time.Second) { // only ErrRange is possible
			return maxRetryAfter
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return min(d, maxRetryAfter)
		}
	}
	return 0
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// clip shortens s to at most n bytes, on a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// opError prefixes err with the operation, keeping it for errors.Is/As.
func opError(operation, step string, err error) error {
	return fmt.Errorf("%s: %s: %w", operation, step, err)
}
