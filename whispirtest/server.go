package whispirtest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/whispir-go/whispir/security"
)

// Default credentials: obviously fake, never valid anywhere else.
const (
	DefaultAPIKey   = "test-api-key-not-real"  // the default x-api-key
	DefaultUsername = "mock-user"              // the default Basic username
	DefaultPassword = "mock-password-not-real" // the default Basic password
)

// WorkspaceID is the id of the workspace every server knows from the
// start, besides the company's default one (the paths without
// /workspaces/{workspaceId}) and those created with workspaceCreate: a
// request that names any other workspace is answered 404, as Whispir
// answers it. It is the id of Whispir's own examples.
const WorkspaceID = "9A4C5521FFC7B15B"

// Server is a mock Whispir REST API listening on a loopback port.
type Server struct {
	// URL is the base URL of the mock, http://127.0.0.1:PORT followed by
	// the base path given to [WithBasePath]; pass it to api.WithBaseURL.
	// Links and Location headers are built from it; treat it as read-only
	// (serve on an address of your own with [WithListener]).
	URL string

	ts        *httptest.Server
	listener  net.Listener // from WithListener; nil: httptest's own
	basePath  string
	overrides map[string]http.HandlerFunc
	validate  testing.TB // nil: responses are not validated
	pipeline  []stage    // the request pipeline, in order

	mu sync.Mutex // guards creds, extra, requests, journal and tokens
	// creds and extra are held behind pointers, so that formatting a
	// Server with methods disabled (%p, %w outside fmt.Errorf) prints
	// addresses, never the secrets.
	creds *security.Credentials   // never nil
	extra []*security.Credentials // also accepted, see WithAdditionalCredentials
	// accepted holds the digests of creds and extra (see digests), read
	// without the lock by every request.
	accepted   atomic.Pointer[[]credentialDigests]
	requests   []*record
	journal    budget              // of requests
	tokens     map[[32]byte]string // sha256 of an issued token -> username
	tokenOrder [][32]byte          // the tokens' hashes, oldest first

	limits    Limits
	timeouts  Timeouts
	log       *slog.Logger // WithRequestLog; nil: none
	publicURL string       // WithPublicURL; "": the listener's
	seed      *Seed        // WithSeed: loaded at start and by ResetAll
	// tokenLifetime is how long an issued token is valid (0: forever); set
	// by WithTokenLifetime before the server starts.
	tokenLifetime time.Duration

	messages *messageStore
	items    *itemStore
	faults   faultSet
	hooks    hooks // callbacks: deliveries and calls

	closed    chan struct{} // closed by Close: slow faults stop waiting
	closeOnce sync.Once
	// life ends with Close: outgoing calls made for a request (a callback's
	// URL check) stop.
	life    context.Context
	endLife context.CancelFunc
	// inflight counts running handlers, hijacked ones (faults) included,
	// which httptest.Server.Close does not wait for.
	inflight sync.WaitGroup
}

// NewServer starts a mock Whispir server on 127.0.0.1 and returns it; call
// Close when done. Like httptest.NewServer it panics only when it cannot
// listen.
func NewServer(opts ...Option) *Server {
	s := newServer(opts...)
	s.ts = httptest.NewUnstartedServer(s.Handler())
	if s.listener != nil {
		_ = s.ts.Listener.Close()
		s.ts.Listener = s.listener
	}
	s.timeouts.apply(s.ts.Config)
	s.ts.Start()
	s.URL = s.ts.URL + s.basePath
	if s.publicURL != "" {
		s.URL = s.publicURL + s.basePath
	}
	return s
}

// newServer builds a server that does not listen; its URL is a placeholder
// host. Tests drive its Handler directly.
func newServer(opts ...Option) *Server {
	s := &Server{
		creds: &security.Credentials{
			APIKey:   DefaultAPIKey,
			Username: DefaultUsername,
			Password: DefaultPassword,
		},
		overrides: map[string]http.HandlerFunc{},
		tokens:    map[[32]byte]string{},
		messages:  &messageStore{},
		items:     &itemStore{},
		pipeline:  defaultPipeline(),
		closed:    make(chan struct{}),
	}
	s.life, s.endLife = context.WithCancel(context.Background())
	s.hooks.every, s.hooks.attempts = defaultCallbackEvery, defaultCallbackAttempts
	for _, opt := range opts {
		if opt != nil {
			opt(s)
		}
	}
	s.rehash()
	s.hooks.init()
	s.limits = s.limits.withDefaults()
	s.journal.maxCount, s.journal.maxBytes = s.limits.Requests, s.limits.Bytes
	s.messages.budget.maxCount, s.messages.budget.maxBytes = s.limits.Messages, s.limits.Bytes
	s.items.budget.maxCount, s.items.budget.maxBytes = s.limits.Items, s.limits.Bytes
	s.hooks.budget.maxCount, s.hooks.budget.maxBytes = s.limits.Requests, s.limits.Bytes
	s.timeouts = s.timeouts.withDefaults(s.hooks.timeout)
	s.items.seedWorkspace()
	s.URL = "http://whispirtest.invalid" + s.basePath
	if s.publicURL != "" {
		s.URL = s.publicURL + s.basePath
	}
	if s.seed != nil {
		if err := s.LoadSeed(*s.seed); err != nil {
			panic("whispirtest: WithSeed: " + err.Error())
		}
	}
	return s
}

// Close shuts the server down and blocks until all outstanding requests
// have completed; requests held by a [FaultSlow] end at once, without an
// answer. Callback deliveries stop: a call in progress ends (within the
// callback timeout, see [WithCallbackTimeout]) and is recorded, retries
// that wait are dropped, and events after Close call nothing. It is safe
// to call more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.closed)
		s.endLife()
		s.hooks.close()
	})
	if s.ts != nil {
		s.ts.Close()
	}
	s.inflight.Wait()
	s.hooks.wg.Wait()
	s.hooks.tr.CloseIdleConnections()
}

// Handler returns the server's request handler, to drive the mock without
// a socket (fuzz tests, httptest.NewRecorder). Links and Location headers it
// writes still point at [Server.URL].
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(s.serve)
}

// Credentials returns the server's credentials: the only ones it accepts
// unless [WithAdditionalCredentials] added others. An empty field never
// matches.
func (s *Server) Credentials() security.Credentials {
	s.mu.Lock()
	defer s.mu.Unlock()
	return *s.creds
}

// SetCredentials replaces the server's credentials, as when a password is
// changed or a key rotated; requests with the old ones are refused from
// then on (unless they are among the additional credentials). Tokens
// already issued stay valid.
func (s *Server) SetCredentials(c security.Credentials) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.creds = &c
	s.rehash()
}

// SetAdditionalCredentials replaces the credentials accepted besides
// [Server.Credentials] (see [WithAdditionalCredentials]); none removes them.
func (s *Server) SetAdditionalCredentials(cs ...security.Credentials) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.extra = credentialPointers(nil, cs)
	s.rehash()
}

// credentialPointers appends a pointer to a copy of each of cs to dst.
func credentialPointers(dst []*security.Credentials, cs []security.Credentials) []*security.Credentials {
	for _, c := range cs {
		dst = append(dst, &c)
	}
	return dst
}

// String describes the server by its URL. Formatting a Server with any
// verb, or logging it, shows only that: never its credentials or state.
func (s *Server) String() string {
	if s == nil {
		return "whispirtest.Server(nil)"
	}
	return "whispirtest.Server(" + s.URL + ")"
}

// Format implements [fmt.Formatter] with [Server.String] for every verb.
func (s *Server) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		_, _ = fmt.Fprintf(f, "%q", s.String())
		return
	}
	_, _ = io.WriteString(f, s.String())
}

// LogValue implements [slog.LogValuer] with [Server.String].
func (s *Server) LogValue() slog.Value { return slog.StringValue(s.String()) }
