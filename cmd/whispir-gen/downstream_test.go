package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDownstreamModule does what a user's repository does: a module of its
// own that requires whispir-go (replaced by this checkout), lists
// whispir-gen as a tool and runs it from go generate, for a vendor-typed
// spec of its own (client, and strict servers on std-http and chi) and for
// Whispir's spec (strict server, reached through api.Client). Its tests check that each send
// reaches the stub's handler with the body decoded and the spec's media
// type on the wire. It needs the module cache (or the module proxy).
func TestDownstreamModule(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a separate module with the go command; skipped with -short")
	}
	t.Parallel()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	spec, err := os.ReadFile(filepath.Join(root, "openapi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"go.mod": "module example.com/downstream\n\ngo 1.26.0\n\n" +
			"require (\n\tgithub.com/go-chi/chi/v5 v5.5.0\n\tgithub.com/whispir-go/whispir v0.0.0\n)\n\n" +
			"replace github.com/whispir-go/whispir => " + root + "\n\n" +
			"tool github.com/whispir-go/whispir/cmd/whispir-gen\n",
		"go.sum":       string(sum),
		"openapi.yaml": string(spec),

		"acme/spec.yaml": acmeSpec,
		"acme/gen.go":    "// Package acme is generated from spec.yaml.\npackage acme\n\n//go:generate go tool whispir-gen -config config.yaml spec.yaml\n",
		"acme/config.yaml": "package: acme\noutput: acme.gen.go\ngenerate:\n  models: true\n  client: true\n" +
			"  std-http-server: true\n  strict-server: true\n",

		"acmechi/gen.go": "// Package acmechi is a chi server stub for acme.\npackage acmechi\n\n" +
			"//go:generate go tool whispir-gen -config config.yaml ../acme/spec.yaml\n",
		"acmechi/config.yaml": "package: acmechi\noutput: acmechi.gen.go\ngenerate:\n  models: true\n  chi-server: true\n  strict-server: true\n",

		"whispirfake/gen.go": "// Package whispirfake is a server stub for Whispir's spec.\npackage whispirfake\n\n" +
			"//go:generate go tool whispir-gen -config config.yaml ../openapi.yaml\n",
		"whispirfake/config.yaml": "package: whispirfake\noutput: whispirfake.gen.go\ngenerate:\n  models: true\n" +
			"  std-http-server: true\n  strict-server: true\noutput-options:\n  name-normalizer: ToCamelCaseWithInitialisms\n" +
			"  additional-initialisms: [OTP]\n  resolve-type-name-collisions: true\n" +
			// One operation keeps the stub small (and fast to build).
			"  include-operation-ids: [messageCreate]\ncompatibility:\n  always-prefix-enum-values: true\n",

		"roundtrip_test.go": downstreamTest,
	})
	goCmd := func(args ...string) string {
		t.Helper()
		cmd := exec.CommandContext(t.Context(), "go", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOFLAGS="+strings.TrimSpace(os.Getenv("GOFLAGS")+" -mod=mod"), "GOWORK=off", "GOTOOLCHAIN=local")
		start := time.Now()
		out, err := cmd.CombinedOutput()
		t.Logf("go %s: %v", strings.Join(args, " "), time.Since(start).Round(time.Millisecond))
		if err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	goCmd("mod", "tidy") // what go get -tool does: list the tool's dependencies
	goCmd("generate", "./...")
	for _, f := range []struct{ path, mediaType string }{
		{"acme/acme.gen.go", "application/vnd.acme.bulkthing-v1+json"},
		{"whispirfake/whispirfake.gen.go", "application/vnd.whispir.bulkmessage-v1+json"},
	} {
		code, err := os.ReadFile(filepath.Join(dir, f.path))
		if err != nil {
			t.Fatal(err)
		}
		assertNoMediaTypeNames(t, string(code), f.mediaType)
	}
	t.Log(goCmd("test", "-count=1", "-v", "."))
}

// downstreamTest is the downstream module's test.
const downstreamTest = `package downstream_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"example.com/downstream/acme"
	"example.com/downstream/acmechi"
	"example.com/downstream/whispirfake"
	"github.com/whispir-go/whispir/api"
	"github.com/whispir-go/whispir/generated"
	"github.com/whispir-go/whispir/security"
)

func ptr[T any](v T) *T { return &v }

// wire is what crossed the wire last, recorded outside every middleware.
type wire struct {
	mu                      sync.Mutex
	reqType, accept, answer string
}

func (w *wire) around(next http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w.mu.Lock()
		w.reqType, w.accept = r.Header.Get("Content-Type"), r.Header.Get("Accept")
		w.mu.Unlock()
		next.ServeHTTP(rw, r)
		w.mu.Lock()
		w.answer = rw.Header().Get("Content-Type")
		w.mu.Unlock()
	})
}

func (w *wire) check(t *testing.T, reqType, accept, answer string) {
	t.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.reqType != reqType || w.accept != accept || w.answer != answer {
		t.Errorf("on the wire: Content-Type %q, Accept %q, answered %q; want %q, %q, %q", w.reqType, w.accept, w.answer, reqType, accept, answer)
	}
}

// recorder keeps the request objects a strict server handed to a stub.
type recorder[T any] struct {
	mu  sync.Mutex
	got []T
}

func (r *recorder[T]) add(req T) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, req)
}

func (r *recorder[T]) last(t *testing.T) T {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.got) == 0 {
		t.Fatal("the stub's handler was not called")
	}
	return r.got[len(r.got)-1]
}

// things is the acme stub: it records what the strict server decoded.
type things struct {
	acme.StrictServerInterface // other operations are not called
	recorder[acme.ThingCreateRequestObject]
}

func (s *things) ThingCreate(_ context.Context, req acme.ThingCreateRequestObject) (acme.ThingCreateResponseObject, error) {
	s.add(req)
	name := "none"
	switch {
	case req.JSONBody != nil:
		name = *req.JSONBody.Name
	case req.BulkBody != nil:
		name = req.BulkBody.ResourceId
	}
	return acme.ThingCreate201JSONResponse{Name: &name}, nil
}

func acmeServer(t *testing.T, withMiddleware bool) (*httptest.Server, *things, *wire) {
	const base = "/v1"
	stub, w := &things{}, &wire{}
	var h http.Handler = acme.HandlerWithOptions(acme.NewStrictHandler(stub, nil), acme.StdHTTPServerOptions{BaseURL: base})
	if withMiddleware {
		h = acme.MediaTypeMiddleware(base)(h)
	}
	srv := httptest.NewServer(w.around(h))
	t.Cleanup(srv.Close)
	return srv, stub, w
}

// createAnvil sends the thing "anvil" with acme's generated client.
func createAnvil(t *testing.T, server string) (*acme.ClientWithResponses, *acme.ThingCreateResponse) {
	t.Helper()
	c, err := acme.NewClientWithResponses(server, acme.WithMediaTypes())
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.ThingCreateWithResponse(t.Context(), acme.Thing{Name: ptr("anvil")})
	if err != nil {
		t.Fatal(err)
	}
	return c, resp
}

func TestAcmeClientToStrictStub(t *testing.T) {
	const thing, bulk = "application/vnd.acme.thing-v1+json", "application/vnd.acme.bulkthing-v1+json"
	srv, stub, w := acmeServer(t, true)
	c, resp := createAnvil(t, srv.URL+"/v1")
	if b := stub.last(t).JSONBody; b == nil || *b.Name != "anvil" {
		t.Errorf("stub decoded %+v; want the thing named anvil", b)
	}
	w.check(t, thing, thing, thing)
	if resp.StatusCode() != 201 || resp.JSON201 == nil || *resp.JSON201.Name != "anvil" {
		t.Errorf("client decoded %d %+v; want 201 with the thing", resp.StatusCode(), resp.JSON201)
	}

	if _, err := c.ThingCreateBulkWithResponse(t.Context(), acme.ThingCreateBulkRequestBody{ResourceId: "R1"}); err != nil {
		t.Fatal(err)
	}
	if b := stub.last(t).BulkBody; b == nil || b.ResourceId != "R1" {
		t.Errorf("stub decoded %+v; want the bulk body with resource R1", b)
	}
	w.check(t, bulk, thing, thing)
}

// Without the middleware the strict server drops the vendor-typed body:
// the failure the middleware exists for.
func TestAcmeStrictStubWithoutMiddleware(t *testing.T) {
	srv, stub, _ := acmeServer(t, false)
	createAnvil(t, srv.URL+"/v1")
	if b := stub.last(t).JSONBody; b != nil {
		t.Errorf("stub decoded %+v without the middleware; the test cannot tell the middleware's effect", b)
	}
}

func TestAcmeDecodeError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/vnd.acme.thing-v1+json")
		w.WriteHeader(201)
		io.WriteString(w, ` + "`" + `{"name":"x","size":` + "`" + `+strings.Repeat("7", 100000)+"}")
	}))
	defer srv.Close()
	c, err := acme.NewClientWithResponses(srv.URL, acme.WithMediaTypes())
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ThingCreateWithResponse(t.Context(), acme.Thing{Name: ptr("x")})
	var de *acme.DecodeError
	if !errors.As(err, &de) || len(err.Error()) > 300 || !strings.HasPrefix(err.Error(), "thingCreate: decode response: status 201: ") {
		t.Errorf("error = %.300q; want a short *acme.DecodeError naming thingCreate", err)
	}
}

// chiThings is the acme stub on the chi strict server.
type chiThings struct {
	acmechi.StrictServerInterface // other operations are not called
	recorder[acmechi.ThingCreateRequestObject]
}

func (s *chiThings) ThingCreate(_ context.Context, req acmechi.ThingCreateRequestObject) (acmechi.ThingCreateResponseObject, error) {
	s.add(req)
	return acmechi.ThingCreate201JSONResponse{Name: ptr("made")}, nil
}

// The chi server takes the middleware through its own Middlewares option.
func TestAcmeClientToChiStub(t *testing.T) {
	const base, thing = "/v1", "application/vnd.acme.thing-v1+json"
	stub, w := &chiThings{}, &wire{}
	h := acmechi.HandlerWithOptions(acmechi.NewStrictHandler(stub, nil), acmechi.ChiServerOptions{
		BaseURL: base, Middlewares: []acmechi.MiddlewareFunc{acmechi.MediaTypeMiddleware(base)},
	})
	srv := httptest.NewServer(w.around(h))
	defer srv.Close()
	_, resp := createAnvil(t, srv.URL+base)
	if b := stub.last(t).JSONBody; b == nil || *b.Name != "anvil" {
		t.Errorf("chi stub decoded %+v; want the thing named anvil", b)
	}
	w.check(t, thing, thing, thing)
	if resp.JSON201 == nil || *resp.JSON201.Name != "made" {
		t.Errorf("client decoded %+v; want the stub's thing", resp.JSON201)
	}
}

func TestAcmeRoutes(t *testing.T) {
	for path, want := range map[string]string{"/things": "thingList", "/things/search": "thingSearch", "/things/T1": "thingRetrieve"} {
		if got, _, ok := acme.FindMediaTypes("GET", path); !ok || got != want {
			t.Errorf("FindMediaTypes(GET, %s) = %q, %v; want %q", path, got, ok, want)
		}
	}
}

// messages is a Whispir stub built on the strict server of Whispir's spec.
type messages struct {
	whispirfake.StrictServerInterface // other operations are not called
	recorder[whispirfake.MessageCreateRequestObject]
}

// accepted is the 202 answer to a send, written by hand so the test does not
// depend on how the spec declares it.
type accepted struct{}

func (accepted) VisitMessageCreateResponse(w http.ResponseWriter) error {
	w.Header().Set("Location", "https://example.invalid/workspaces/9A4C5521FFC7B15B/messages/ABCDEF0123456789")
	w.Header().Set("Content-Type", "text/plain")
	w.WriteHeader(202)
	_, err := io.WriteString(w, "Your request has been accepted for processing")
	return err
}

func (s *messages) MessageCreate(_ context.Context, req whispirfake.MessageCreateRequestObject) (whispirfake.MessageCreateResponseObject, error) {
	s.add(req)
	return accepted{}, nil
}

func TestWhispirClientToStrictStub(t *testing.T) {
	const base = "/api"
	stub, w := &messages{}, &wire{}
	h := whispirfake.HandlerWithOptions(whispirfake.NewStrictHandler(stub, nil), whispirfake.StdHTTPServerOptions{BaseURL: base})
	srv := httptest.NewServer(w.around(whispirfake.MediaTypeMiddleware(base)(h)))
	defer srv.Close()
	p, err := security.New(security.Credentials{APIKey: "fake-key", Username: "fake-user", Password: "fake-password"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := api.New(p, api.WithBaseURL(srv.URL+base))
	if err != nil {
		t.Fatal(err)
	}
	const message = "application/vnd.whispir.message-v1+json"
	id, err := c.SendMessage(t.Context(), "9A4C5521FFC7B15B", generated.Message{To: "61400000000", Subject: ptr("Hello"), Body: ptr("From the stub")})
	if err != nil || id != "ABCDEF0123456789" {
		t.Fatalf("SendMessage = %q, %v; want ABCDEF0123456789", id, err)
	}
	w.check(t, message, message, "text/plain")
	if got := stub.last(t); got.JSONBody == nil || got.JSONBody.To != "61400000000" || *got.JSONBody.Subject != "Hello" {
		t.Errorf("stub decoded %+v; want the message", got.JSONBody)
	}

	if _, err := c.SendBulkMessage(t.Context(), "9A4C5521FFC7B15B", generated.BulkMessage{Resource: generated.BulkResource{ResourceID: "4FBBC384BCE3DAABFE3"}, Subject: ptr("Hi")}); err != nil {
		t.Fatal(err)
	}
	w.check(t, "application/vnd.whispir.bulkmessage-v1+json", message, "text/plain")
	if got := stub.last(t); got.BulkBody == nil || got.BulkBody.Resource.ResourceID != "4FBBC384BCE3DAABFE3" {
		t.Errorf("stub decoded %+v; want the bulk message", got.BulkBody)
	}
}
`
