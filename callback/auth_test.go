package callback_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/whispir-go/whispir/callback"
)

// placement puts a key where one auth type sends it.
type placement func(r *http.Request, key string)

var placements = map[string]placement{
	"header":       func(r *http.Request, k string) { r.Header.Set(callback.HeaderCallbackKey, k) },
	"query auth":   func(r *http.Request, k string) { setQuery(r, "auth", k) },
	"query Auth":   func(r *http.Request, k string) { setQuery(r, "Auth", k) },
	"basic":        func(r *http.Request, k string) { r.Header.Set("Authorization", "Basic "+k) },
	"bearer":       func(r *http.Request, k string) { r.Header.Set("Authorization", "Bearer "+k) },
	"basic base64": func(r *http.Request, k string) { r.SetBasicAuth(k, "") },
}

func setQuery(r *http.Request, name, value string) {
	q := r.URL.Query()
	q.Add(name, value)
	r.URL.RawQuery = q.Encode()
}

// placesOf lists where each auth type's key goes.
var placesOf = map[string][]string{
	callback.AuthHTTPHeader:  {"header"},
	callback.AuthQueryParam:  {"query auth", "query Auth"},
	callback.AuthQueryString: {"query auth", "query Auth"},
	callback.AuthBasic:       {"basic"},
	callback.AuthBearer:      {"bearer"},
}

func newRequest(t *testing.T) *http.Request {
	t.Helper()
	return httptest.NewRequestWithContext(t.Context(), http.MethodPost, "https://hooks.example.com/whispir?x=1", strings.NewReader(jsonReply))
}

func TestVerifyEveryPlacement(t *testing.T) {
	t.Parallel()
	for typ, places := range placesOf {
		for place, put := range placements {
			right := false
			for _, p := range places {
				right = right || p == place
			}
			for _, key := range []string{testKey, "wrong-key", testKey + "x", testKey[:5]} {
				name := fmt.Sprintf("%s/%s/%s", typ, place, key)
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					r := newRequest(t)
					put(r, key)
					err := callback.Verify(callback.Auth{Type: typ, Key: testKey}, r)
					if want := right && key == testKey; want {
						if err != nil {
							t.Fatalf("Verify = %v; want nil", err)
						}
						return
					}
					if !errors.Is(err, callback.ErrUnauthorized) {
						t.Fatalf("Verify = %v; want ErrUnauthorized", err)
					}
					if strings.Contains(err.Error(), key) || strings.Contains(err.Error(), testKey) {
						t.Errorf("error %q shows a key", err)
					}
				})
			}
		}
	}
}

func TestVerifyEdgeCases(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		auth callback.Auth
		req  func(r *http.Request)
		ok   bool
	}{
		{"missing header", callback.Auth{Type: callback.AuthHTTPHeader, Key: testKey}, func(r *http.Request) {}, false},
		{"missing query", callback.Auth{Type: callback.AuthQueryParam, Key: testKey}, func(r *http.Request) {}, false},
		{"missing authorization", callback.Auth{Type: callback.AuthBearer, Key: testKey}, func(r *http.Request) {}, false},
		{"empty header", callback.Auth{Type: callback.AuthHTTPHeader, Key: testKey}, func(r *http.Request) { r.Header.Set(callback.HeaderCallbackKey, "") }, false},
		{"header twice", callback.Auth{Type: callback.AuthHTTPHeader, Key: testKey}, func(r *http.Request) {
			r.Header.Add(callback.HeaderCallbackKey, testKey)
			r.Header.Add(callback.HeaderCallbackKey, "guess")
		}, false},
		{"auth and Auth", callback.Auth{Type: callback.AuthQueryParam, Key: testKey}, func(r *http.Request) {
			setQuery(r, "auth", testKey)
			setQuery(r, "Auth", testKey)
		}, false},
		{"query AUTH", callback.Auth{Type: callback.AuthQueryParam, Key: testKey}, func(r *http.Request) { setQuery(r, "AUTH", testKey) }, false},
		{"query escaped", callback.Auth{Type: callback.AuthQueryParam, Key: "k&y=1 +/"}, func(r *http.Request) { setQuery(r, "auth", "k&y=1 +/") }, true},
		{"header canonical", callback.Auth{Type: callback.AuthHTTPHeader, Key: testKey}, func(r *http.Request) { r.Header["X-Whispir-Callback-Key"] = []string{testKey} }, true},
		{"basic scheme lower case", callback.Auth{Type: callback.AuthBasic, Key: testKey}, func(r *http.Request) { r.Header.Set("Authorization", "basic "+testKey) }, true},
		{"bearer extra spaces", callback.Auth{Type: callback.AuthBearer, Key: testKey}, func(r *http.Request) { r.Header.Set("Authorization", "Bearer   "+testKey) }, true},
		{"bearer without space", callback.Auth{Type: callback.AuthBearer, Key: testKey}, func(r *http.Request) { r.Header.Set("Authorization", "Bearer"+testKey) }, false},
		{"bearer scheme only", callback.Auth{Type: callback.AuthBearer, Key: testKey}, func(r *http.Request) { r.Header.Set("Authorization", "Bearer") }, false},
		{"two authorization headers", callback.Auth{Type: callback.AuthBearer, Key: testKey}, func(r *http.Request) {
			r.Header.Add("Authorization", "Bearer "+testKey)
			r.Header.Add("Authorization", "Bearer guess")
		}, false},
		{"type in capitals", callback.Auth{Type: "HttpHeader", Key: testKey}, func(r *http.Request) { r.Header.Set(callback.HeaderCallbackKey, testKey) }, true},
		{"legacy querystring", callback.Auth{Type: callback.AuthQueryString, Key: testKey}, func(r *http.Request) { setQuery(r, "auth", testKey) }, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newRequest(t)
			tc.req(r)
			err := callback.Verify(tc.auth, r)
			if tc.ok && err != nil {
				t.Fatalf("Verify = %v; want nil", err)
			}
			if !tc.ok && !errors.Is(err, callback.ErrUnauthorized) {
				t.Fatalf("Verify = %v; want ErrUnauthorized", err)
			}
		})
	}
}

func TestVerifyInvalidAuth(t *testing.T) {
	t.Parallel()
	for _, a := range []callback.Auth{
		{Type: "hmac", Key: testKey},
		{Type: "", Key: testKey},
		{Type: callback.AuthHTTPHeader, Key: ""},
		{Type: callback.AuthBasic, Key: " \t"},
	} {
		err := callback.Verify(a, newRequest(t))
		if !errors.Is(err, callback.ErrInvalidAuth) {
			t.Errorf("Verify(%v) = %v; want ErrInvalidAuth", a, err)
		}
	}
	if err := callback.Verify(callback.Auth{Type: callback.AuthHTTPHeader, Key: testKey}, nil); !errors.Is(err, callback.ErrUnauthorized) {
		t.Errorf("Verify(nil request) = %v; want ErrUnauthorized", err)
	}
}

// TestVerifyIgnoresBody pins that Verify reads no body: a request whose
// body cannot be read is still checked.
func TestVerifyIgnoresBody(t *testing.T) {
	t.Parallel()
	r := newRequest(t)
	r.Body = nil
	r.Header.Set(callback.HeaderCallbackKey, testKey)
	if err := callback.Verify(callback.Auth{Type: callback.AuthHTTPHeader, Key: testKey}, r); err != nil {
		t.Fatalf("Verify = %v; want nil", err)
	}
}

func TestAuthNeverShowsKey(t *testing.T) {
	t.Parallel()
	a := callback.Auth{Type: callback.AuthBearer, Key: testKey}
	var out bytes.Buffer
	for _, f := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		fmt.Fprintf(&out, f+"\n", a)
		fmt.Fprintf(&out, f+"\n", &a)
	}
	j, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	out.Write(j)
	slog.New(slog.NewJSONHandler(&out, nil)).Info("auth", "auth", a)
	slog.New(slog.NewTextHandler(&out, nil)).Info("auth", "auth", a)
	if strings.Contains(out.String(), testKey) {
		t.Errorf("output shows the key:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "bearertoken") || !strings.Contains(out.String(), "[REDACTED]") {
		t.Errorf("output %s; want the type and a redaction marker", out.String())
	}
}

// TestVerifyURLForms pins the query forms Whispir may use: the key added to
// a URL that has its own query, and the key percent-encoded.
func TestVerifyURLForms(t *testing.T) {
	t.Parallel()
	auth := callback.Auth{Type: callback.AuthQueryParam, Key: "a b/c"}
	for _, raw := range []string{
		"https://hooks.example.com/whispir?auth=a+b%2Fc",
		"https://hooks.example.com/whispir?tenant=7&auth=a%20b/c",
		"https://hooks.example.com/whispir?Auth=a%20b%2Fc&tenant=7",
	} {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		r := newRequest(t)
		r.URL = u
		if err := callback.Verify(auth, r); err != nil {
			t.Errorf("%s: Verify = %v; want nil", raw, err)
		}
	}
}
