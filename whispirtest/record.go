package whispirtest

import (
	"bytes"
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

func (r Request) clone() Request {
	r.Header = r.Header.Clone()
	r.Body = bytes.Clone(r.Body)
	r.Credentials = cloneCredentials(r.Credentials)
	return r
}

// cloneCredentials is a copy of c, never nil.
func cloneCredentials(c *security.Credentials) *security.Credentials {
	out := new(security.Credentials)
	if c != nil {
		*out = *c
	}
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
		out[i] = r.clone()
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

// record starts the record of r. The journal keeps at most
// [Limits.Requests] records and [Limits.Bytes] of their headers and bodies;
// the oldest go first.
func (s *Server) record(r *http.Request) *Request {
	rec := &Request{Time: time.Now(), Method: r.Method, Header: redact(r.Header)}
	if r.URL != nil {
		rec.Path, rec.RawQuery = r.URL.Path, r.URL.RawQuery
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, rec)
	s.journal.add(rec.size())
	s.trimJournal()
	return rec
}

// keepBody records (the first Limits.RequestBody bytes of) the body of an
// authenticated request.
func (s *Server) keepBody(rec *Request, body []byte) {
	kept := bytes.Clone(body[:min(len(body), s.limits.RequestBody)])
	s.mu.Lock()
	defer s.mu.Unlock()
	old := rec.size()
	rec.Body, rec.BodySize = kept, len(body)
	if s.journaled(rec) {
		s.journal.bytes += rec.size() - old
		s.trimJournal()
	}
}

// journaled reports whether rec is still in the journal (it was not
// dropped as one of the oldest); the caller holds s.mu. Records are looked
// for from the newest, where a request in flight usually is.
func (s *Server) journaled(rec *Request) bool {
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
		s.journal.remove(s.requests[0].size())
		s.requests[0] = nil
		s.requests = s.requests[1:]
	}
}

// size is about how many bytes the record holds.
func (r *Request) size() int {
	n := len(r.Body) + len(r.Path) + len(r.RawQuery) + 256
	for k, vs := range r.Header {
		for _, v := range vs {
			n += len(k) + len(v)
		}
	}
	return n
}

// update changes a record under the server's lock.
func (s *Server) update(rec *Request, f func(*Request)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(rec)
}

// secretHeaders are the headers whose values are never recorded.
var secretHeaders = []string{"X-Api-Key", "Authorization", "Proxy-Authorization", "Cookie", headerCallbackKey}

func redact(h http.Header) http.Header {
	out := h.Clone()
	if out == nil {
		out = http.Header{}
	}
	for name, values := range out {
		if !slices.Contains(secretHeaders, http.CanonicalHeaderKey(name)) {
			continue
		}
		red := make([]string, len(values))
		for i, v := range values {
			red[i] = security.Redacted
			if scheme, _, ok := strings.Cut(strings.TrimSpace(v), " "); ok && strings.HasSuffix(http.CanonicalHeaderKey(name), "Authorization") {
				red[i] = scheme + " " + security.Redacted
			}
		}
		out[name] = red
	}
	return out
}

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
