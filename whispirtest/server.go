package whispirtest

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/whispir-go/whispir/security"
)

// Default credentials: obviously fake, never valid anywhere else.
const (
	DefaultAPIKey   = "test-api-key-not-real"  // the default x-api-key
	DefaultUsername = "mock-user"              // the default Basic username
	DefaultPassword = "mock-password-not-real" // the default Basic password
)

// Server is a mock Whispir REST API listening on a loopback port.
type Server struct {
	// URL is the base URL of the mock, http://127.0.0.1:PORT followed by
	// the base path given to [WithBasePath]; pass it to api.WithBaseURL.
	// Links and Location headers are built from it. Change it only before
	// the first request, e.g. when serving [Server.Handler] elsewhere.
	URL string

	ts        *httptest.Server
	basePath  string
	overrides map[string]http.HandlerFunc
	validate  testing.TB // nil: responses are not validated
	pipeline  []stage    // the request pipeline, in order

	mu       sync.Mutex // guards creds, requests and tokens
	creds    security.Credentials
	requests []*Request
	tokens   map[[32]byte]string // sha256 of an issued token -> username

	messages *messageStore
	items    *itemStore
}

// NewServer starts a mock Whispir server on 127.0.0.1 and returns it; call
// Close when done. Like httptest.NewServer it panics only when it cannot
// listen.
func NewServer(opts ...Option) *Server {
	s := newServer(opts...)
	s.ts = httptest.NewServer(s.Handler())
	s.URL = s.ts.URL + s.basePath
	return s
}

// newServer builds a server that does not listen; its URL is a placeholder
// host. Tests drive its Handler directly.
func newServer(opts ...Option) *Server {
	s := &Server{
		creds: security.Credentials{
			APIKey:   DefaultAPIKey,
			Username: DefaultUsername,
			Password: DefaultPassword,
		},
		overrides: map[string]http.HandlerFunc{},
		tokens:    map[[32]byte]string{},
		messages:  &messageStore{},
		items:     &itemStore{},
		pipeline:  defaultPipeline(),
	}
	for _, opt := range opts {
		if opt != nil {
			opt(s)
		}
	}
	s.URL = "http://whispirtest.invalid" + s.basePath
	return s
}

// Close shuts the server down and blocks until all outstanding requests
// have completed. It is safe to call more than once.
func (s *Server) Close() {
	if s.ts != nil {
		s.ts.Close()
	}
}

// Handler returns the server's request handler, to drive the mock without
// a socket (fuzz tests, httptest.NewRecorder). Links and Location headers it
// writes still point at [Server.URL].
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(s.serve)
}

// Credentials returns the only credentials the server accepts. An empty
// field never matches.
func (s *Server) Credentials() security.Credentials {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.creds
}

// SetCredentials replaces the credentials the server accepts, as when a
// password is changed or a key rotated; requests with the old ones are
// refused from then on. Tokens already issued stay valid.
func (s *Server) SetCredentials(c security.Credentials) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.creds = c
}
