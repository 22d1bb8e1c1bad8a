package whispir

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/whispir-go/whispir/internal/specdoc"
)

// Spec returns a copy of the embedded OpenAPI document (YAML).
func Spec() []byte { return bytes.Clone(specYAML) }

// contract is the spec at run time: the operation table and router, built
// on first use from tables that go generate prepared (internal/specdoc), and
// the document itself, built lazily, a path item at a time, by the generated
// builder. Nothing here parses YAML or validates the document: openapi.yaml
// was loaded and validated (examples included) by kin-openapi when
// internal/specdoc was generated, and TestPreparedSpecIsCurrent fails when it
// no longer matches openapi.yaml; TestSpecLoadsWithExamples validates the
// built document. Measured with BenchmarkSpecLoad on a 2-core machine:
// parsing the YAML and validating it cost every process about 29 ms and
// 10 ms when the machine was quiet (75 ms of CPU, 11 MB and 188k
// allocations together under load); the generated code builds the whole
// document in about 3 ms (1 MB), and what a first validated send needs (the
// tables, its path item, its validation inputs) in under 1 ms (285 KB).
type contract struct {
	ops    []opState
	byID   map[string]*opState
	router *router

	// shell stands in for the document in the routes given to
	// openapi3filter: it reads from it only the OpenAPI version and the
	// global security requirements, and security is not checked here (see
	// ValidateRequest), so it carries the version alone. That keeps the
	// preparation of one operation from building the whole document.
	shell *openapi3.T

	// routeErrors holds the errors of FindRoute for the common methods,
	// made once: the mock tells 404 from 405 by routing an unknown request
	// with five methods.
	routeErrors map[string]*[2]error

	mu      sync.Mutex // guards builder
	builder *specdoc.Builder
	doc     func() *openapi3.T
}

var load = sync.OnceValues(newContract)

// newContract reads the generated tables. It is cheap (no document is built)
// and runs once, on the first call that needs the spec; package init does
// nothing.
func newContract() (*contract, error) {
	c := &contract{
		ops:     make([]opState, len(specdoc.Operations)),
		byID:    make(map[string]*opState, len(specdoc.Operations)),
		shell:   &openapi3.T{OpenAPI: specdoc.OpenAPI},
		builder: new(specdoc.Builder),
	}
	c.doc = sync.OnceValue(func() *openapi3.T {
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.builder.Document()
	})
	for i, o := range specdoc.Operations {
		st := &c.ops[i]
		st.Operation = Operation{ID: o.ID, Method: o.Method, Path: o.Path, MediaType: o.MediaType, RequestMediaTypes: o.RequestMediaTypes, BodilessContentType: o.BodilessContentType}
		st.c = c
		if _, dup := c.byID[o.ID]; dup || o.ID == "" {
			return nil, fmt.Errorf("whispir: %s %s: missing or duplicate operationId %q", o.Method, o.Path, o.ID)
		}
		c.byID[o.ID] = st
	}
	c.routeErrors = map[string]*[2]error{}
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodHead, http.MethodOptions} {
		c.routeErrors[m] = &[2]error{routeError(m, reasonPathNotFound), routeError(m, reasonMethodNotAllowed)}
	}
	r, err := newRouter(specdoc.Paths[:], c.ops)
	if err != nil {
		return nil, err
	}
	c.router = r
	return c, nil
}

// pathItem builds (once) and returns the path item of a template.
func (c *contract) pathItem(path string) *openapi3.PathItem {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.builder.PathItem(path)
}

// Document returns the parsed embedded spec. It is built on first use from
// the form go generate prepared, and shared afterwards; callers must not
// modify it. It shares its objects with the routes of [FindRoute]: the
// path item of a route is the document's.
//
// Building it costs about 3 ms and 1 MB; a process that only sends requests
// does not need it (routing and validation build one path item at a time).
func Document() (*openapi3.T, error) {
	c, err := load()
	if err != nil {
		return nil, err
	}
	return c.doc(), nil
}

// Server is one of the spec's servers: a Whispir region and its base URL.
type Server struct {
	Name string // the server's description, e.g. "AU"
	URL  string // e.g. "https://api.au.whispir.com"
}

// Servers returns the spec's servers in the spec's order. It reads the
// prepared table alone: no operation table, router or document is built.
// The error is always nil.
func Servers() ([]Server, error) {
	out := make([]Server, len(specdoc.Servers))
	for i, s := range specdoc.Servers {
		out[i] = Server{Name: s.Description, URL: s.URL}
	}
	return out, nil
}

// Operation describes one operation of the spec.
type Operation struct {
	ID     string // operationId, e.g. "messageCreate"
	Method string // HTTP method
	Path   string // path template, e.g. "/workspaces/{workspaceId}/messages"
	// MediaType is the operation's vendor media type, sent as Accept and, for
	// requests with a body, as Content-Type (see [PrimaryMediaType]).
	MediaType string
	// RequestMediaTypes lists every media type the request body may have.
	RequestMediaTypes []string
	// BodilessContentType is the Content-Type to send with a request that
	// has no body, for the few operations whose spec names one (the
	// extension x-bodiless-content-type: Whispir's description requires the
	// header there, and its SDKs send it); "" for the rest.
	BodilessContentType string
}

// Operations returns every operation of the spec, ordered by path and
// method. It builds no document.
func Operations() ([]Operation, error) {
	c, err := load()
	if err != nil {
		return nil, err
	}
	out := make([]Operation, len(c.ops))
	for i := range c.ops {
		out[i] = c.ops[i].Operation
		out[i].RequestMediaTypes = slices.Clone(out[i].RequestMediaTypes)
	}
	return out, nil
}

// Route is a request matched to its operation.
type Route struct {
	*Operation
	op *opState

	tpl    *template // its names are those of values
	values [maxPathParams]string
	once   sync.Once
	params map[string]string
}

// PathParams returns the values of the route's path parameters, still
// escaped as they appear in the request path. The map is made on first
// call, so that routing alone does not pay for it.
func (r *Route) PathParams() map[string]string {
	r.once.Do(func() {
		r.params = make(map[string]string, len(r.tpl.names))
		for i, name := range r.tpl.names {
			r.params[name] = r.values[i]
		}
	})
	return r.params
}

// FindRoute matches a request to its operation. basePath is the path part of
// the base URL the request was sent to ("" or "/" for none); it is stripped
// before matching. The host is ignored.
//
// The match is a walk down a trie of path segments: its cost does not depend
// on the number of operations or on their order, and nothing is built per
// request besides the Route (its parameter map waits for PathParams).
func FindRoute(req *http.Request, basePath string) (*Route, error) {
	c, err := load()
	if err != nil {
		return nil, err
	}
	return c.findRoute(req, basePath)
}

// Errors of the router, worded as kin-openapi's (routers.ErrPathNotFound
// and routers.ErrMethodNotAllowed), which FindRoute used to wrap.
const (
	reasonPathNotFound     = "no matching operation was found"
	reasonMethodNotAllowed = "method not allowed"
)

func (c *contract) findRoute(req *http.Request, basePath string) (*Route, error) {
	if req == nil || req.URL == nil {
		return nil, fmt.Errorf("whispir: find route: nil request")
	}
	path, ok := routingPath(req.URL, basePath)
	if !ok {
		return nil, fmt.Errorf("%w: %s outside base path", ErrUnknownOperation, req.Method)
	}
	var m match
	if !c.router.find(path, &m) {
		return nil, c.routeError(req.Method, 0)
	}
	op := m.tpl.ops[req.Method]
	if op == nil {
		return nil, c.routeError(req.Method, 1)
	}
	return &Route{Operation: &op.Operation, op: op, tpl: m.tpl, values: m.values}, nil
}

// routeError returns the error for a request with this method that no
// template matches (kind 0) or whose template lacks the method (kind 1).
func (c *contract) routeError(method string, kind int) error {
	if errs := c.routeErrors[method]; errs != nil {
		return errs[kind]
	}
	return routeError(method, [2]string{reasonPathNotFound, reasonMethodNotAllowed}[kind])
}

// routeError never echoes the path: it can carry ids that identify people.
func routeError(method, reason string) error {
	return fmt.Errorf("%w: %s: %s", ErrUnknownOperation, method, reason)
}

// routingPath returns the escaped path to match: u's, with basePath
// stripped; false when u is not below basePath. It is the escaped path of the
// relative URL that FindRoute used to hand to kin-openapi's router.
func routingPath(u *url.URL, basePath string) (string, bool) {
	basePath = strings.TrimSuffix(basePath, "/")
	p := u.EscapedPath()
	if basePath == "" {
		return p, true
	}
	rest, ok := strings.CutPrefix(p, basePath)
	if !ok || (rest != "" && rest[0] != '/') {
		return "", false
	}
	if rest == "" {
		rest = "/"
	}
	unescaped, err := url.PathUnescape(rest)
	if err != nil {
		return "", false
	}
	rel := url.URL{Path: unescaped, RawPath: rest}
	if unescaped == rest {
		rel.RawPath = ""
	}
	return rel.EscapedPath(), true
}

// DeclaresJSON reports whether the operation declares a JSON body for a
// response with this status, so that such a body must at least parse.
func (r *Route) DeclaresJSON(status int) bool {
	p := r.op.prepared()
	ref := p.route.Operation.Responses.Status(status)
	return ref != nil && p.jsonResponses[ref]
}
