package api

import (
	"net/http"
	"sync"
)

// DefaultMaxIdleConnsPerHost is how many idle keep-alive connections to the
// Whispir host the default transport keeps. net/http keeps 2, so that
// more than 2 goroutines sending on one client close and reopen
// connections all the time (and pile up sockets in TIME-WAIT); idle
// connections are only kept when that many were in use at once, and close
// after 90 s idle as in http.DefaultTransport.
const DefaultMaxIdleConnsPerHost = 100

// defaultTransport is the transport of every client made without
// WithHTTPClient, shared as http.DefaultTransport is, so that clients made
// per request do not each hold idle connections. It is a clone of
// http.DefaultTransport, as it is when the first client is made (proxy from
// the environment, dial and TLS timeouts, HTTP/2 where the server offers it
// over TLS), keeping up to DefaultMaxIdleConnsPerHost idle connections per
// host. If http.DefaultTransport has been replaced by another kind of
// RoundTripper, that one is used as it is. It is made on first use:
// package init allocates nothing.
var defaultTransport = sync.OnceValue(func() http.RoundTripper {
	base, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		return http.DefaultTransport
	}
	t := base.Clone()
	t.MaxIdleConnsPerHost = max(t.MaxIdleConnsPerHost, DefaultMaxIdleConnsPerHost)
	if t.MaxIdleConns != 0 { // 0: no limit
		t.MaxIdleConns = max(t.MaxIdleConns, DefaultMaxIdleConnsPerHost)
	}
	t.ForceAttemptHTTP2 = true
	return t
})
