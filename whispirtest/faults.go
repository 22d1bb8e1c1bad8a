package whispirtest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/whispir-go/whispir"
)

// FaultKind is a way for the mock to misbehave; see [Fault].
type FaultKind int

// The kinds of fault. The gateway faults (FaultQPS, FaultQPD,
// FaultMasheryQPS, FaultTooManyRequests) reject a request before the
// service sees it, so they never process it.
const (
	// FaultNone is the zero value: no fault.
	FaultNone FaultKind = iota
	// FaultQPS answers 403 with X-Error-Code ERR_403_DEVELOPER_OVER_QPS,
	// X-Error-Detail "Account Over Queries Per Second Limit" and the
	// gateway body {"message":"Forbidden"}.
	FaultQPS
	// FaultQPD answers 403 with X-Error-Code ERR_403_DEVELOPER_OVER_QPD,
	// X-Error-Detail "Account Over Queries Per Day Limit" and the gateway
	// body.
	FaultQPD
	// FaultMasheryQPS answers like the retired Mashery gateway: 403 with
	// X-Mashery-Error-Code ERR_403_DEVELOPER_OVER_QPS and an HTML body.
	FaultMasheryQPS
	// FaultTooManyRequests answers 429 with {"message":"Too Many Requests"}.
	FaultTooManyRequests
	// FaultStatus answers Fault.Status (500..599; 503 when 0) with a
	// Whispir error body.
	FaultStatus
	// FaultSlow waits Fault.Delay before answering normally. The wait ends
	// early, without an answer, when the client goes away or the server
	// is closed; a request whose client left before processing is then
	// not processed.
	FaultSlow
	// FaultDrop closes the connection without answering.
	FaultDrop
	// FaultTruncated processes the request (always: it needs the answer)
	// and sends its answer with a Content-Length header that promises the
	// whole body but only half of it, then closes the connection.
	FaultTruncated
	// FaultMalformed answers the operation's first 2xx status with a body
	// that is not JSON, labelled with the operation's media type.
	FaultMalformed
	numFaultKinds
)

var faultNames = [...]string{
	FaultNone:            "FaultNone",
	FaultQPS:             "FaultQPS",
	FaultQPD:             "FaultQPD",
	FaultMasheryQPS:      "FaultMasheryQPS",
	FaultTooManyRequests: "FaultTooManyRequests",
	FaultStatus:          "FaultStatus",
	FaultSlow:            "FaultSlow",
	FaultDrop:            "FaultDrop",
	FaultTruncated:       "FaultTruncated",
	FaultMalformed:       "FaultMalformed",
}

// String returns the constant's name, e.g. "FaultQPS".
func (k FaultKind) String() string {
	if k >= 0 && k < numFaultKinds {
		return faultNames[k]
	}
	return "FaultKind(" + strconv.Itoa(int(k)) + ")"
}

// Fault describes one misbehaviour of the mock, applied to a request
// after it has been recorded, routed, authenticated and validated, just
// before it is processed. Inject faults with [Server.InjectFaults] or
// [Server.InjectFaultRate].
type Fault struct {
	Kind FaultKind
	// Status is the status of a FaultStatus: 500..599, 503 when 0. It must
	// be 0 for the other kinds.
	Status int
	// RetryAfter, when not empty, is sent as the Retry-After header of a
	// gateway fault or a FaultStatus: delay-seconds ("3") or an HTTP date.
	RetryAfter string
	// Delay is the wait of a FaultSlow; it must be positive there and 0
	// for the other kinds.
	Delay time.Duration
	// AfterProcessing, for FaultStatus, FaultDrop, FaultSlow and
	// FaultMalformed, processes the request first (a message is stored)
	// and only then answers with the fault: the server did the work but
	// the answer was lost or spoilt. A malformed answer then keeps the
	// status and headers (Location included) of the real one. FaultTruncated
	// always processes; the gateway faults never do, and refuse it.
	AfterProcessing bool
	// Operations, when not empty, limits the fault to requests routed to
	// these operation ids (e.g. "messageCreate", "defaultMessageCreate").
	Operations []string
}

// ErrInvalidFault is wrapped by the errors of [Server.InjectFaults] and
// [Server.InjectFaultRate] when a fault or its count or rate cannot be used.
var ErrInvalidFault = errors.New("whispirtest: invalid fault")

// validate checks f and fills in its defaults.
func (f Fault) validate() (Fault, error) {
	bad := func(format string, args ...any) (Fault, error) {
		return f, fmt.Errorf("%w: %s: "+format, append([]any{ErrInvalidFault, f.Kind}, args...)...)
	}
	if f.Kind <= FaultNone || f.Kind >= numFaultKinds {
		return bad("unknown kind")
	}
	if f.Kind == FaultStatus {
		if f.Status == 0 {
			f.Status = http.StatusServiceUnavailable
		}
		if f.Status < 500 || f.Status > 599 {
			return bad("Status %d is not 500..599", f.Status)
		}
	} else if f.Status != 0 {
		return bad("Status is only for FaultStatus")
	}
	switch {
	case f.Delay < 0:
		return bad("negative Delay")
	case f.Kind == FaultSlow && f.Delay == 0:
		return bad("Delay must be positive")
	case f.Kind != FaultSlow && f.Delay != 0:
		return bad("Delay is only for FaultSlow")
	}
	if f.RetryAfter != "" {
		if !f.Kind.gateway() && f.Kind != FaultStatus {
			return bad("RetryAfter is only for the gateway faults and FaultStatus")
		}
		if strings.TrimSpace(f.RetryAfter) == "" || strings.ContainsFunc(f.RetryAfter, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			return bad("RetryAfter is blank or has control characters")
		}
	}
	if f.AfterProcessing && f.Kind.gateway() {
		return bad("a gateway fault cannot come after processing")
	}
	if f.Kind == FaultTruncated {
		f.AfterProcessing = true
	}
	if len(f.Operations) > 0 {
		ops, err := whispir.Operations()
		if err != nil {
			return f, err
		}
		for _, id := range f.Operations {
			if !slices.ContainsFunc(ops, func(o whispir.Operation) bool { return o.ID == id }) {
				return bad("unknown operation %q", id)
			}
		}
		f.Operations = slices.Clone(f.Operations)
	}
	return f, nil
}

// gateway reports the faults that model a rejection by the API gateway.
func (k FaultKind) gateway() bool {
	switch k {
	case FaultQPS, FaultQPD, FaultMasheryQPS, FaultTooManyRequests:
		return true
	}
	return false
}

func (f Fault) matches(opID string) bool {
	return len(f.Operations) == 0 || slices.Contains(f.Operations, opID)
}

// faultRule is one injection: a count of requests still to fault, or a
// rate with its own random source.
type faultRule struct {
	fault Fault
	left  int        // count rules
	rate  float64    // rate rules
	seed  uint64     // rate rules: the seed of rng
	rng   *rand.Rand // rate rules; nil for a count rule
}

// faultSet holds the injected faults, in the order they were added.
type faultSet struct {
	mu    sync.Mutex
	rules []*faultRule
}

// next returns the fault for a request routed to opID, if any. Rules are
// tried in the order they were added: the first matching count rule with
// requests left applies (and counts one down); a matching rate rule
// applies when its draw says so, otherwise the next rule is tried.
func (fs *faultSet) next(opID string) (Fault, bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for i, r := range fs.rules {
		if !r.fault.matches(opID) {
			continue
		}
		if r.rng == nil {
			r.left--
			if r.left == 0 {
				fs.rules = slices.Delete(fs.rules, i, i+1)
			}
			return r.fault, true
		}
		if r.rng.Float64() < r.rate {
			return r.fault, true
		}
	}
	return Fault{}, false
}

// InjectFaults answers the next n requests that reach processing (and
// match f.Operations) with fault f. Requests refused earlier (unknown path,
// bad credentials, invalid body) do not count. Several injections queue up
// in the order they were made: InjectFaults(2, qps) then InjectFaults(1,
// drop) faults three requests, two with QPS, then one dropped. It returns
// an error wrapping [ErrInvalidFault] when n < 1 or f cannot be used.
func (s *Server) InjectFaults(n int, f Fault) error {
	if n < 1 {
		return fmt.Errorf("%w: count %d is not positive", ErrInvalidFault, n)
	}
	f, err := f.validate()
	if err != nil {
		return err
	}
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.rules = append(s.faults.rules, &faultRule{fault: f, left: n})
	return nil
}

// InjectFaultRate answers a fraction p (0..1) of the requests that reach
// processing (and match f.Operations) with fault f, until [Server.ClearFaults].
// The draws come from a generator seeded with seed, so the same seed and
// the same order of requests fault the same requests. Count injections
// made earlier are served first. It returns an error wrapping
// [ErrInvalidFault] when p is outside 0..1 or f cannot be used.
func (s *Server) InjectFaultRate(p float64, f Fault, seed uint64) error {
	if math.IsNaN(p) || p < 0 || p > 1 {
		return fmt.Errorf("%w: rate %v is not within 0..1", ErrInvalidFault, p)
	}
	f, err := f.validate()
	if err != nil {
		return err
	}
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.rules = append(s.faults.rules, &faultRule{
		fault: f,
		rate:  p,
		seed:  seed,
		rng:   rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
	})
	return nil
}

// ClearFaults removes every injected fault that has not been used up.
// Requests already being faulted finish as they started.
func (s *Server) ClearFaults() {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.rules = nil
}

// Bodies and headers of the faults.
const (
	detailOverQPS      = "Account Over Queries Per Second Limit"
	detailOverQPD      = "Account Over Queries Per Day Limit"
	codeOverQPS        = "ERR_403_DEVELOPER_OVER_QPS"
	codeOverQPD        = "ERR_403_DEVELOPER_OVER_QPD"
	masheryOverQPSBody = "<h1>Developer Over Qps</h1>"
	tooManyBody        = `{"message":"Too Many Requests"}`
	malformedBody      = `{"status":"ok","link":[{"rel":"self",]`
)

// stepFault applies an injected fault, if one is due for the exchange.
func stepFault(s *Server, x *exchange) bool {
	f, ok := s.faults.next(x.route.ID)
	if !ok {
		return true
	}
	x.fault = f.Kind
	s.update(x.rec, func(rec *record) { rec.Fault = f.Kind })
	if !f.AfterProcessing {
		switch f.Kind {
		case FaultSlow:
			s.extendWrite(x, f.Delay)
			if !s.wait(x.r.Context(), f.Delay) {
				x.drop() // the client left, or the server is closing
				return false
			}
			return true // answered normally by dispatch
		case FaultDrop:
			x.drop()
		default:
			x.reply(faultAnswer(f, x))
		}
		return false
	}

	// Process into a buffer, then answer with the fault.
	buf := httptest.NewRecorder()
	inner := *x
	inner.w = &statusWriter{ResponseWriter: buf}
	stepDispatch(s, &inner)
	done := answer{status: buf.Code, header: buf.Header().Clone(), body: buf.Body.Bytes()}
	switch f.Kind {
	case FaultSlow:
		s.extendWrite(x, f.Delay)
		if !s.wait(x.r.Context(), f.Delay) {
			x.drop()
			return false
		}
		x.reply(done)
	case FaultDrop:
		x.drop()
	case FaultTruncated:
		x.truncate(done)
	case FaultMalformed:
		done.header.Set("Content-Type", x.mediaType())
		done.body = []byte(malformedBody)
		x.reply(done)
	default:
		x.reply(faultAnswer(f, x))
	}
	return false
}

// faultAnswer is the answer of a fault that replaces the real one.
func faultAnswer(f Fault, x *exchange) answer {
	var a answer
	switch f.Kind {
	case FaultQPS, FaultQPD:
		a = gatewayForbidden()
		code, detail := codeOverQPS, detailOverQPS
		if f.Kind == FaultQPD {
			code, detail = codeOverQPD, detailOverQPD
		}
		a.header.Set("X-Error-Code", code)
		a.header.Set("X-Error-Detail", detail)
	case FaultMasheryQPS:
		a = answer{status: http.StatusForbidden, header: contentType("text/html; charset=utf-8"), body: []byte(masheryOverQPSBody)}
		a.header.Set("X-Mashery-Error-Code", codeOverQPS)
		a.header.Set("X-Mashery-Error-Detail", detailOverQPS)
	case FaultTooManyRequests:
		a = answer{status: http.StatusTooManyRequests, header: contentType(whispir.JSONMediaType), body: []byte(tooManyBody)}
	case FaultStatus:
		a = apiError(f.Status, x.mediaType(), http.StatusText(f.Status), "", "")
	case FaultMalformed:
		status := http.StatusOK
		if x.plan != nil && x.plan.ok.status != 0 {
			status = x.plan.ok.status
		}
		a = answer{status: status, header: contentType(x.mediaType()), body: []byte(malformedBody)}
	}
	if f.RetryAfter != "" {
		a.header.Set("Retry-After", f.RetryAfter)
	}
	return a
}

// wait sleeps d; it reports false when ctx ended or the server was closed
// first.
func (s *Server) wait(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-s.closed:
		return false
	}
}

// drop closes the connection without an answer. Served without a
// connection that can be hijacked (an httptest.ResponseRecorder), it panics
// with http.ErrAbortHandler, which a net/http server takes as an aborted
// response.
func (x *exchange) drop() {
	x.noAnswer = true
	conn, _, err := http.NewResponseController(x.w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

// truncate writes a's status and headers with the Content-Length of the
// whole body, half of the body, and closes the connection.
func (x *exchange) truncate(a answer) {
	h := x.w.Header()
	for k, v := range a.header {
		h[k] = v
	}
	if a.status == 0 {
		a.status = http.StatusOK
	}
	if bodyAllowed(a.status) {
		body := a.body
		if len(body) == 0 {
			body = []byte(malformedBody) // nothing to cut: promise a body that never comes
		}
		h.Set("Content-Length", strconv.Itoa(len(body)))
		x.w.WriteHeader(a.status)
		_, _ = x.w.Write(body[:len(body)/2])
	} else {
		x.w.WriteHeader(a.status)
	}
	rc := http.NewResponseController(x.w)
	if rc.Flush() != nil {
		return
	}
	if conn, _, err := rc.Hijack(); err == nil {
		_ = conn.Close()
	}
}
