package whispir

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// Spec returns a copy of the embedded OpenAPI document (YAML).
func Spec() []byte { return bytes.Clone(specYAML) }

// contract is the parsed spec, its router and the per-operation facts the
// pipeline needs; built once per process by [load].
type contract struct {
	doc     *openapi3.T
	router  routers.Router
	ops     map[string]*Operation // by operation id
	ordered []*Operation          // in path, then method order
	servers []Server
}

var load = sync.OnceValues(func() (*contract, error) {
	return build(specYAML)
})

// build parses and validates a spec and prepares its router.
func build(data []byte) (*contract, error) {
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	doc, err := loader.LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("whispir: load spec: %w", err)
	}
	if err := doc.Validate(loader.Context, openapi3.EnableExamplesValidation()); err != nil {
		return nil, fmt.Errorf("whispir: validate spec: %w", err)
	}
	c := &contract{doc: doc, ops: map[string]*Operation{}}
	for _, s := range doc.Servers {
		c.servers = append(c.servers, Server{Name: s.Description, URL: s.URL})
	}
	// Route on paths only: the same operation is reached on every regional
	// host and on loopback mocks, so the router must not match servers.
	routing := *doc
	routing.Servers = nil
	if c.router, err = gorillamux.NewRouter(&routing); err != nil {
		return nil, fmt.Errorf("whispir: build router: %w", err)
	}
	for _, path := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(path)
		for method, op := range item.Operations() {
			o := &Operation{
				ID:        op.OperationID,
				Method:    method,
				Path:      path,
				MediaType: PrimaryMediaType(item, op),
			}
			if op.RequestBody != nil && op.RequestBody.Value != nil {
				for mt := range op.RequestBody.Value.Content {
					o.RequestMediaTypes = append(o.RequestMediaTypes, mt)
				}
				slices.Sort(o.RequestMediaTypes)
			}
			if _, dup := c.ops[o.ID]; dup || o.ID == "" {
				return nil, fmt.Errorf("whispir: %s %s: missing or duplicate operationId %q", method, path, o.ID)
			}
			c.ops[o.ID] = o
			c.ordered = append(c.ordered, o)
		}
	}
	slices.SortFunc(c.ordered, func(a, b *Operation) int {
		return strings.Compare(a.Path+" "+a.Method, b.Path+" "+b.Method)
	})
	return c, nil
}

// Document returns the parsed embedded spec. It is parsed and validated on
// first use and shared afterwards; callers must not modify it.
func Document() (*openapi3.T, error) {
	c, err := load()
	if err != nil {
		return nil, err
	}
	return c.doc, nil
}

// Server is one of the spec's servers: a Whispir region and its base URL.
type Server struct {
	Name string // the server's description, e.g. "AU"
	URL  string // e.g. "https://api.au.whispir.com"
}

// Servers returns the spec's servers in the spec's order.
func Servers() ([]Server, error) {
	c, err := load()
	if err != nil {
		return nil, err
	}
	return slices.Clone(c.servers), nil
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
}

// Operations returns every operation of the spec, ordered by path and method.
func Operations() ([]Operation, error) {
	c, err := load()
	if err != nil {
		return nil, err
	}
	out := make([]Operation, len(c.ordered))
	for i, o := range c.ordered {
		out[i] = *o
		out[i].RequestMediaTypes = slices.Clone(o.RequestMediaTypes)
	}
	return out, nil
}

// Route is a request matched to its operation.
type Route struct {
	*Operation
	route  *routers.Route
	params map[string]string
}

// PathParams returns the values of the route's path parameters.
func (r *Route) PathParams() map[string]string { return r.params }

// FindRoute matches a request to its operation. basePath is the path part of
// the base URL the request was sent to ("" or "/" for none); it is stripped
// before matching. The host is ignored.
func FindRoute(req *http.Request, basePath string) (*Route, error) {
	c, err := load()
	if err != nil {
		return nil, err
	}
	return c.findRoute(req, basePath)
}

func (c *contract) findRoute(req *http.Request, basePath string) (*Route, error) {
	if req == nil || req.URL == nil {
		return nil, fmt.Errorf("whispir: find route: nil request")
	}
	rel, ok := relativeURL(req.URL, basePath)
	if !ok {
		return nil, fmt.Errorf("%w: %s outside base path", ErrUnknownOperation, req.Method)
	}
	shallow := *req
	shallow.URL = rel
	route, params, err := c.router.FindRoute(&shallow)
	if err != nil {
		// Never echo the path: it can carry ids that identify people.
		return nil, fmt.Errorf("%w: %s: %v", ErrUnknownOperation, req.Method, err)
	}
	op := c.ops[route.Operation.OperationID]
	return &Route{Operation: op, route: route, params: params}, nil
}

// relativeURL strips basePath from u's path; it reports false when u is not
// below basePath.
func relativeURL(u *url.URL, basePath string) (*url.URL, bool) {
	basePath = strings.TrimSuffix(basePath, "/")
	rel := *u
	rel.Host, rel.Scheme = "", ""
	if basePath == "" {
		return &rel, true
	}
	p := u.EscapedPath()
	rest, ok := strings.CutPrefix(p, basePath)
	if !ok || (rest != "" && rest[0] != '/') {
		return nil, false
	}
	if rest == "" {
		rest = "/"
	}
	unescaped, err := url.PathUnescape(rest)
	if err != nil {
		return nil, false
	}
	rel.Path, rel.RawPath = unescaped, rest
	if unescaped == rest {
		rel.RawPath = ""
	}
	return &rel, true
}

// withContext is a small helper so callers without a context still validate.
func withContext(ctx context.Context) context.Context {
	if ctx == nil {
		return context.Background()
	}
	return ctx
}

// DeclaresJSON reports whether the operation declares a JSON body for a
// response with this status, so that such a body must at least parse.
func (r *Route) DeclaresJSON(status int) bool {
	ref := r.route.Operation.Responses.Status(status)
	if ref == nil || ref.Value == nil {
		return false
	}
	for mt := range ref.Value.Content {
		if IsJSONMediaType(mt) {
			return true
		}
	}
	return false
}
