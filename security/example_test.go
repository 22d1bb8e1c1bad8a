package security_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/whispir-go/whispir/security"
)

// The example values below are placeholders, not real credentials.

func Example() {
	p, err := security.New(security.Credentials{
		APIKey:   "example-api-key",
		Username: "alice",
		Password: "example-password",
	})
	if err != nil {
		log.Fatal(err)
	}

	req, err := http.NewRequest(http.MethodGet, "https://api.whispir.invalid/messages", nil)
	if err != nil {
		log.Fatal(err)
	}
	if err := p.Intercept(context.Background(), req); err != nil {
		log.Fatal(err)
	}

	user, _, ok := req.BasicAuth()
	fmt.Println("x-api-key set:", req.Header.Get(security.HeaderAPIKey) != "")
	fmt.Println("basic auth:", ok, user)
	fmt.Println(p) // secrets are redacted
	// Output:
	// x-api-key set: true
	// basic auth: true alice
	// Provider{Username:"alice" APIKey:[REDACTED] Password:[REDACTED]}
}

func ExampleNew() {
	_, err := security.New(security.Credentials{APIKey: "example-api-key", Username: "alice"})
	fmt.Println(err)
	fmt.Println(errors.Is(err, security.ErrMissingCredentials))
	// Output:
	// security: missing credentials: Password is empty
	// true
}

// FromEnv reads WHISPIR_API_KEY, WHISPIR_USERNAME and WHISPIR_PASSWORD.
func ExampleFromEnv() {
	p, err := security.FromEnv()
	if err != nil {
		log.Fatal(err) // names the variables that are missing, never their values
	}
	client := &http.Client{
		Transport:     p.RoundTripper(nil),
		CheckRedirect: security.SameHostRedirectPolicy,
	}
	_ = client
}

// Intercept matches oapi-codegen's RequestEditorFn, so it can be passed to a
// generated client with WithRequestEditorFn(p.Intercept). Existing values of
// the two headers are replaced, not duplicated.
func ExampleProvider_Intercept() {
	p, err := security.New(security.Credentials{
		APIKey:   "example-api-key",
		Username: "alice",
		Password: "example-password",
	})
	if err != nil {
		log.Fatal(err)
	}

	// The same type as oapi-codegen's RequestEditorFn.
	var editor func(ctx context.Context, req *http.Request) error = p.Intercept

	req, err := http.NewRequest(http.MethodPost, "https://api.whispir.invalid/messages", nil)
	if err != nil {
		log.Fatal(err)
	}
	req.Header.Add(security.HeaderAPIKey, "stale")
	req.Header.Add(security.HeaderAPIKey, "also stale")

	if err := editor(context.Background(), req); err != nil {
		log.Fatal(err)
	}
	user, _, ok := req.BasicAuth()
	fmt.Println("x-api-key values:", len(req.Header.Values(security.HeaderAPIKey)))
	fmt.Println("Authorization values:", len(req.Header.Values("Authorization")))
	fmt.Println("basic auth user:", user, ok)

	fmt.Println("nil request:", p.Intercept(context.Background(), nil))
	// Output:
	// x-api-key values: 1
	// Authorization values: 1
	// basic auth user: alice true
	// nil request: security: nil request
}

func ExampleProvider_RoundTripper() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, _, ok := r.BasicAuth()
		fmt.Println("server: x-api-key present:", r.Header.Get(security.HeaderAPIKey) != "")
		fmt.Println("server: basic auth:", ok, user)
	}))
	defer srv.Close()

	p, err := security.New(security.Credentials{
		APIKey:   "example-api-key",
		Username: "alice",
		Password: "example-password",
	})
	if err != nil {
		log.Fatal(err)
	}
	client := &http.Client{
		Transport:     p.RoundTripper(nil), // nil means http.DefaultTransport
		CheckRedirect: security.SameHostRedirectPolicy,
	}

	req, err := http.NewRequest(http.MethodGet, srv.URL, nil)
	if err != nil {
		log.Fatal(err)
	}
	resp, err := client.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	_ = resp.Body.Close()
	fmt.Println("caller's request changed:", len(req.Header) != 0)
	// Output:
	// server: x-api-key present: true
	// server: basic auth: true alice
	// caller's request changed: false
}

func ExampleProvider_Update() {
	p, err := security.New(security.Credentials{
		APIKey:   "example-api-key",
		Username: "alice",
		Password: "example-password",
	})
	if err != nil {
		log.Fatal(err)
	}

	// Invalid credentials are rejected and the old ones stay in effect.
	err = p.Update(security.Credentials{APIKey: "rotated-key", Username: "bob:admin", Password: "rotated-password"})
	fmt.Println(err)
	fmt.Println("username:", p.Credentials().Username)

	// Valid credentials replace key and password together.
	if err := p.Update(security.Credentials{APIKey: "rotated-key", Username: "bob", Password: "rotated-password"}); err != nil {
		log.Fatal(err)
	}
	fmt.Println("username:", p.Credentials().Username)
	// Output:
	// security: invalid credentials: Username contains ':', which HTTP Basic authentication cannot carry
	// username: alice
	// username: bob
}

// A Provider that sends Bearer tokens. The token source here makes one up;
// api.Client.TokenSource gets real ones from Whispir's POST /auth, and
// api.WithBearerAuth sets all of this up for an api.Client.
func ExampleProvider_Bearer() {
	p, err := security.New(security.Credentials{APIKey: "example-api-key", Username: "alice", Password: "example-password"})
	if err != nil {
		log.Fatal(err)
	}
	calls := 0
	src := security.TokenSourceFunc(func(ctx context.Context, authenticate func(context.Context, *http.Request) error) (string, error) {
		calls++
		req := httptest.NewRequest(http.MethodPost, "https://api.whispir.invalid/auth", nil)
		if err := authenticate(ctx, req); err != nil { // the Basic credentials and the API key
			return "", err
		}
		user, _, _ := req.BasicAuth()
		return "token-for-" + user, nil
	})
	bp, err := p.Bearer(src, security.WithTokenLifetime(time.Hour))
	if err != nil {
		log.Fatal(err)
	}
	for range 2 {
		req := httptest.NewRequest(http.MethodGet, "https://api.whispir.invalid/messages", nil)
		if err := bp.Intercept(context.Background(), req); err != nil {
			log.Fatal(err)
		}
		fmt.Println(req.Header.Get("Authorization"))
	}
	fmt.Println(calls, "token obtained")
	// Output:
	// Bearer token-for-alice
	// Bearer token-for-alice
	// 1 token obtained
}
