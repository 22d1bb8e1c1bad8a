package whispirtest

import (
	"bytes"
	"encoding/binary"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/whispir-go/whispir/security"
)

// Request is one request the server received and the status it answered.
type Request struct {
	// Time is when the request arrived (when the server started handling it).
	Time     time.Time
	Method   string
	Path     string // as received, including any base path
	RawQuery string
	// OperationID is the spec operation the request was routed to; "" when
	// none matched.
	OperationID string
	// Header is a copy of the request's header in which the values of
	// x-api-key, Authorization, Proxy-Authorization, Cookie and
	// X-Whispir-Callback-Key are replaced by [security.Redacted] (an
	// authorization keeps its scheme, e.g. "Basic [REDACTED]");
	// Credentials has what was presented.
	Header http.Header
	// Body is the request body, or its first [Limits.RequestBody] bytes
	// (64 KiB by default): BodySize tells whether it was cut. It is nil
	// for a request that failed authentication or routing, and when the
	// body was over the 10 MiB limit.
	Body []byte
	// BodySize is the length of the body as received; 0 when it was not
	// read (see Body).
	BodySize int
	// Status is the status answered; 0 while the request is in flight, and
	// for a request that got no answer (FaultDrop, or a FaultSlow whose
	// client left first).
	Status int
	// Fault is the injected fault the request got; FaultNone for none.
	Fault FaultKind
	// Credentials are the credentials the request presented: the x-api-key
	// header and the Basic username and password (empty when absent). For a
	// Bearer request with a token this server issued, Username is the user
	// the token was issued to. Never nil in what [Server.Requests] returns.
	// Formatting them hides the secrets; they are behind a pointer so that
	// formatting a Request hides them too, even with a verb fmt reports as
	// bad (%p, or %w outside fmt.Errorf), where it calls no method.
	Credentials *security.Credentials
}

// cloneCredentials is a copy of c, never nil.
func cloneCredentials(c *security.Credentials) *security.Credentials {
	out := new(security.Credentials)
	if c != nil {
		*out = *c
	}
	return out
}

// record is a request in the journal. Its Request has no Header: the
// header is kept as a blob, which costs one allocation on every request
// where a map costs several, and which the garbage collector need not scan
// (it holds no pointers); it becomes an http.Header when it is read. The
// body is shared with the exchange (nothing writes to it) unless it was cut.
type record struct {
	Request
	header []byte               // see encodeHeader
	size   int                  // about how many bytes it holds, as the journal counts them
	creds  security.Credentials // what Credentials points to, once authenticated
}

// request is a copy of the record as [Server.Requests] returns it; the
// caller holds s.mu.
func (r *record) request() Request {
	out := r.Request
	out.Header = decodeHeader(r.header)
	out.Body = bytes.Clone(r.Body)
	out.Credentials = cloneCredentials(r.Credentials)
	return out
}

// Requests returns copies of the requests received since the server
// started or since the last [Server.Reset], in order of arrival: the last
// [Limits.Requests] of them (10,000 by default).
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.requests))
	for i, r := range s.requests {
		out[i] = r.request()
	}
	return out
}

// Reset forgets the recorded requests. Stored messages, items and issued
// tokens stay (see [Server.ResetAll] to forget everything).
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
	s.journal.count, s.journal.bytes = 0, 0
}

// recordOverhead is what a record is counted for besides its header, path,
// query and body.
const recordOverhead = 256

// record starts the record of r. The journal keeps at most
// [Limits.Requests] records and [Limits.Bytes] of their headers and bodies;
// the oldest go first.
func (s *Server) record(r *http.Request) *record {
	rec := &record{Request: Request{Time: time.Now(), Method: r.Method}}
	if r.URL != nil {
		rec.Path, rec.RawQuery = r.URL.Path, r.URL.RawQuery
	}
	rec.header, rec.size = encodeHeader(r.Header)
	rec.size += len(rec.Path) + len(rec.RawQuery) + recordOverhead
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, rec)
	s.journal.add(rec.size)
	s.trimJournal()
	return rec
}

// encodeHeader encodes h, with the values of the secret headers redacted
// (see [Request.Header]), as its names and values in pairs, each string
// preceded by its length as a uvarint; it returns the encoding and the
// bytes of the names and values.
func encodeHeader(h http.Header) ([]byte, int) {
	var buf [1024]byte // most headers fit: then one allocation, of the right size
	blob, size := buf[:0], 0
	for name, vs := range h {
		canonical, secret := secretHeader(name)
		for _, v := range vs {
			if secret {
				v = redactValue(canonical, v)
			}
			blob = binary.AppendUvarint(blob, uint64(len(name)))
			blob = append(blob, name...)
			blob = binary.AppendUvarint(blob, uint64(len(v)))
			blob = append(blob, v...)
			size += len(name) + len(v)
		}
	}
	if len(blob) == 0 {
		return nil, 0
	}
	return bytes.Clone(blob), size
}

// decodeHeader is the header encodeHeader encoded; never nil.
func decodeHeader(blob []byte) http.Header {
	h := http.Header{}
	next := func() string {
		n, k := binary.Uvarint(blob)
		if k <= 0 || n > uint64(len(blob)-k) {
			blob = nil // cannot happen: encodeHeader wrote it
			return ""
		}
		s := string(blob[k : k+int(n)])
		blob = blob[k+int(n):]
		return s
	}
	for len(blob) > 0 {
		name, value := next(), next()
		h[name] = append(h[name], value)
	}
	return h
}

// keepBody records (the first Limits.RequestBody bytes of) the body of an
// authenticated request. The record shares body, which nothing writes to,
// unless it is cut.
func (s *Server) keepBody(rec *record, body []byte) {
	kept := body
	if len(body) > s.limits.RequestBody {
		kept = bytes.Clone(body[:s.limits.RequestBody])
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	grown := len(kept) - len(rec.Body)
	rec.Body, rec.BodySize = kept, len(body)
	rec.size += grown
	if s.journaled(rec) {
		s.journal.bytes += grown
		s.trimJournal()
	}
}

// journaled reports whether rec is still in the journal (it was not
// dropped as one of the oldest); the caller holds s.mu. Records are looked
// for from the newest, where a request in flight usually is.
func (s *Server) journaled(rec *record) bool {
	for i := len(s.requests) - 1; i >= 0; i-- {
		if s.requests[i] == rec {
			return true
		}
	}
	return false
}

// trimJournal drops the oldest records while the journal is over its
// limits; the caller holds s.mu.
func (s *Server) trimJournal() {
	for s.journal.over() {
		s.journal.remove(s.requests[0].size)
		s.requests[0] = nil
		s.requests = s.requests[1:]
	}
}

// update changes a record under the server's lock.
func (s *Server) update(rec *record, f func(*record)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(rec)
}

// secretHeaders are the headers whose values are never recorded.
var secretHeaders = []string{"X-Api-Key", "Authorization", "Proxy-Authorization", "Cookie", headerCallbackKey}

// redact is a copy of h with the values of the secret headers redacted.
func redact(h http.Header) http.Header {
	out := h.Clone()
	if out == nil {
		out = http.Header{}
	}
	for name, values := range out {
		if canonical, secret := secretHeader(name); secret {
			for i, v := range values {
				values[i] = redactValue(canonical, v)
			}
		}
	}
	return out
}

// secretHeader returns the canonical form of a header name and whether
// the header is one of [secretHeaders].
func secretHeader(name string) (string, bool) {
	canonical := http.CanonicalHeaderKey(name)
	return canonical, slices.Contains(secretHeaders, canonical)
}

// redactValue is the recorded form of the value v of the secret header
// canonical: [security.Redacted], after the scheme for an authorization
// (e.g. "Basic [REDACTED]").
func redactValue(canonical, v string) string {
	scheme, _, ok := strings.Cut(strings.TrimSpace(v), " ")
	if !ok || !strings.HasSuffix(canonical, "Authorization") {
		return security.Redacted
	}
	switch scheme {
	case "Basic":
		return redactedBasic
	case "Bearer":
		return redactedBearer
	}
	return scheme + " " + security.Redacted
}

// The redacted forms of the usual authorizations, made once.
const (
	redactedBasic  = "Basic " + security.Redacted
	redactedBearer = "Bearer " + security.Redacted
)

// statusWriter remembers the status written and, when capture is set, the
// body (for response validation).
type statusWriter struct {
	http.ResponseWriter
	status  int
	capture *bytes.Buffer
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if w.capture != nil {
		w.capture.Write(b)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
