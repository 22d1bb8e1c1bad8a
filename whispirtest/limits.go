package whispirtest

import (
	"net/http"
	"time"
)

// Limits bound what a [Server] keeps and accepts, so that a mock that runs
// for hours (whispir mock in a CI job) stays within a known amount of
// memory and no request costs more than about a second of CPU. Each store
// drops its oldest entries first. A zero field keeps its default; see
// [WithLimits].
type Limits struct {
	// Requests is how many requests [Server.Requests] (and the admin
	// API's journal) keeps: 10,000 by default. Callback calls
	// ([Server.CallbackCalls], with Bytes of their bodies) and issued
	// tokens are capped at the same number.
	Requests int
	// RequestBody is how many bytes of each request body the journal
	// keeps: 64 KiB by default. Bodies of requests that failed
	// authentication are never kept.
	RequestBody int
	// Messages is how many sent messages are kept, with their delivery
	// states and replies ([Server.Messages], messageList, the lifecycle):
	// 10,000 by default. A forgotten message is unknown from then on.
	Messages int
	// Items is how many items the generic engine keeps, over all its
	// collections together (contacts, templates, callbacks, ...): 10,000
	// by default.
	Items int
	// Bytes bounds the bodies each store (the journal, the messages, the
	// items, the callback calls) keeps, headers included for the journal:
	// 64 MiB by default. With the counts above it bounds the mock's
	// memory: about four times Bytes, plus a few KiB per entry.
	Bytes int
	// JSONValues is the most members and array elements a JSON request
	// body may hold: 100,000 by default. A body with more is refused with
	// 413, a problem+json body and an X-Whispir-Mock-Error header (it is
	// the mock's limit, not Whispir's) before it is validated: validating
	// it would cost seconds of CPU. Whispir's request bodies need a few
	// hundred at most.
	JSONValues int
}

// Defaults of [Limits].
const (
	DefaultMaxRequests    = 10_000
	DefaultMaxRequestBody = 64 << 10
	DefaultMaxMessages    = 10_000
	DefaultMaxItems       = 10_000
	DefaultMaxBytes       = 64 << 20
	DefaultMaxJSONValues  = 100_000
)

// WithLimits sets the server's [Limits]; zero or negative fields keep
// their defaults.
func WithLimits(l Limits) Option {
	return func(s *Server) { s.limits = l.withDefaults() }
}

func (l Limits) withDefaults() Limits {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&l.Requests, DefaultMaxRequests)
	def(&l.RequestBody, DefaultMaxRequestBody)
	def(&l.Messages, DefaultMaxMessages)
	def(&l.Items, DefaultMaxItems)
	def(&l.Bytes, DefaultMaxBytes)
	def(&l.JSONValues, DefaultMaxJSONValues)
	return l
}

// budget counts the entries and bytes a store keeps against its limits.
type budget struct {
	count, bytes       int
	maxCount, maxBytes int
}

func (b *budget) add(n int)    { b.count++; b.bytes += n }
func (b *budget) remove(n int) { b.count--; b.bytes -= n }

// over reports whether the store must drop its oldest entry. A store
// always keeps its newest entry, however large.
func (b *budget) over() bool {
	return b.count > 1 && (b.count > b.maxCount || b.bytes > b.maxBytes)
}

// Timeouts are the HTTP server's timeouts (see [http.Server]); a zero field
// keeps its default. See [WithTimeouts].
type Timeouts struct {
	// ReadHeader bounds reading a request's header: 10 s by default.
	ReadHeader time.Duration
	// Read bounds reading a whole request, body included: 1 minute.
	Read time.Duration
	// Write bounds the handling of a request and the writing of its
	// answer: 2 minutes, or the callback timeout ([WithCallbackTimeout])
	// plus 1 minute when that is longer, since callbackCreate calls the
	// callback's URL first. A [FaultSlow] extends it by its Delay.
	Write time.Duration
	// Idle bounds how long a keep-alive connection waits for its next
	// request: 2 minutes.
	Idle time.Duration
}

// WithTimeouts sets the timeouts of the server's HTTP server; zero or
// negative fields keep their defaults. A client that sends its header more
// slowly than ReadHeader, or its body more slowly than Read, has its
// connection closed.
func WithTimeouts(t Timeouts) Option {
	return func(s *Server) { s.timeouts = t }
}

// Defaults of [Timeouts].
const (
	defaultReadHeaderTimeout = 10 * time.Second
	defaultReadTimeout       = time.Minute
	defaultWriteTimeout      = 2 * time.Minute
	defaultIdleTimeout       = 2 * time.Minute
)

func (t Timeouts) withDefaults(callbackTimeout time.Duration) Timeouts {
	def := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&t.ReadHeader, defaultReadHeaderTimeout)
	def(&t.Read, defaultReadTimeout)
	def(&t.Write, max(defaultWriteTimeout, callbackTimeout+time.Minute))
	def(&t.Idle, defaultIdleTimeout)
	return t
}

// apply sets t on hs.
func (t Timeouts) apply(hs *http.Server) {
	hs.ReadHeaderTimeout, hs.ReadTimeout, hs.WriteTimeout, hs.IdleTimeout = t.ReadHeader, t.Read, t.Write, t.Idle
}

// extendWrite moves the write deadline of x's connection to d from now plus
// the server's write timeout, before a wait of d (a FaultSlow). It does
// nothing without a connection (an httptest.ResponseRecorder).
func (s *Server) extendWrite(x *exchange, d time.Duration) {
	_ = http.NewResponseController(x.w).SetWriteDeadline(time.Now().Add(d + s.timeouts.Write))
}
