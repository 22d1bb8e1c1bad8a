package main

import (
	"fmt"

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

// newMockServer is whispirtest.NewServer with its panic (it cannot listen on
// loopback) turned into an error.
func newMockServer(opts ...whispirtest.Option) (srv *whispirtest.Server, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("start mock server: %v", r)
		}
	}()
	return whispirtest.NewServer(opts...), nil
}
