package main

import (
	"fmt"
	"net"
	"net/http"

	"github.com/whispir-go/whispir/security"
	"github.com/whispir-go/whispir/whispirtest"
)

// mockInstance is a running whispirtest server, for --mock.
type mockInstance struct {
	url   string
	creds security.Credentials
	close func()
}

// startMock starts the mock server on a free loopback port.
func startMock() (*mockInstance, error) {
	srv, err := newMockServer()
	if err != nil {
		return nil, err
	}
	return &mockInstance{url: srv.URL, creds: srv.Credentials(), close: srv.Close}, nil
}

// mockHandler returns the mock's handler for serving on ln, the
// credentials it accepts, its URL on ln and a func that stops it. The links
// and Location headers it writes point at ln.
func mockHandler(ln net.Listener) (h http.Handler, creds security.Credentials, url string, stop func(), err error) {
	srv, err := newMockServer()
	if err != nil {
		return nil, creds, "", nil, err
	}
	// whispirtest has no option to choose the address, so its handler is
	// served on ln, and its URL, where links and Location headers point, is
	// set to ln's. Nothing has reached the server yet, so nothing races
	// with the write.
	srv.URL = "http://" + ln.Addr().String()
	return srv.Handler(), srv.Credentials(), srv.URL, srv.Close, nil
}

// newMockServer is whispirtest.NewServer with its panic (it cannot listen on
// loopback) turned into an error.
func newMockServer() (srv *whispirtest.Server, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("start mock server: %v", r)
		}
	}()
	return whispirtest.NewServer(), nil
}
