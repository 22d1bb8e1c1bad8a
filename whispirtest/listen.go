package whispirtest

import "strings"

// WithPublicURL makes u (for example https://mock.internal:8443, the
// address other containers use, or a proxy's) the server's URL, instead of
// the address it listens on: [Server.URL] is u followed by the base path
// of [WithBasePath], and links and Location headers point there. Use it
// with [WithListener] when clients reach the server under another name.
func WithPublicURL(u string) Option {
	return func(s *Server) { s.publicURL = strings.TrimSuffix(strings.TrimSpace(u), "/") }
}

// Done is closed when the server starts closing: by [Server.Close], or by
// a POST /_whispir/shutdown to the admin API. A program that serves the
// mock waits on it, then calls Close, which waits for requests in flight.
func (s *Server) Done() <-chan struct{} { return s.closed }
