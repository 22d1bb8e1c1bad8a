package whispirtest

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
)

// TestCallbackClientDialsLoopbackOnly: without WithRemoteCallbacks the
// callback client refuses to connect off loopback, whatever the URL's host
// was; callbackURL checks the host name only.
func TestCallbackClientDialsLoopbackOnly(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		address string
		ok      bool
	}{
		{"127.0.0.1:80", true},
		{"127.9.9.9:8080", true},
		{"[::1]:443", true},
		{"0.0.0.0:80", false},
		{"10.0.0.1:80", false},
		{"[2001:db8::1]:80", false},
		{"not an address", false},
	} {
		if err := loopbackOnly("tcp", tc.address, nil); (err == nil) != tc.ok {
			t.Errorf("loopbackOnly(%q): got %v; want ok=%v", tc.address, err, tc.ok)
		}
	}

	if runtime.GOOS != "linux" && runtime.GOOS != "darwin" {
		t.Skip("connecting to 0.0.0.0 reaches loopback only on linux and darwin")
	}
	ts := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer ts.Close()
	target := "http://0.0.0.0:" + ts.URL[strings.LastIndex(ts.URL, ":")+1:] + "/"
	for _, remote := range []bool{false, true} {
		h := &hooks{remote: remote}
		h.init()
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, target, nil)
		if err != nil {
			t.Fatal(err)
		}
		code, msg := h.do(req)
		h.tr.CloseIdleConnections()
		switch {
		case remote && code != http.StatusOK:
			t.Errorf("remote: got %d %q; want 200", code, msg)
		case !remote && (code != 0 || !strings.Contains(msg, "not a loopback address")):
			t.Errorf("loopback only: got %d %q; want the connection refused as not loopback", code, msg)
		}
	}
	if !errors.Is(loopbackOnly("tcp", "10.0.0.1:80", nil), errNotLoopback) {
		t.Error("loopbackOnly: want errNotLoopback")
	}
}
