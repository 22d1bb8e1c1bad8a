package whispir

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/whispir-go/whispir/internal/specgen"
)

// oracle is the contract as this package ran it before the spec was
// prepared at generate time: openapi.yaml parsed and validated by
// kin-openapi on first use, requests routed by kin-openapi's gorillamux
// router and validated by openapi3filter.ValidateRequest. The tests hold the
// prepared form, the trie router and the fast validation to its answers, and
// the benchmarks measure against it (impl=kin).
type oracle struct {
	doc    *openapi3.T
	router routers.Router
}

var loadOracle = sync.OnceValues(func() (*oracle, error) { return newOracle(specYAML) })

func newOracle(data []byte) (*oracle, error) {
	doc, err := specgen.Load(data)
	if err != nil {
		return nil, err
	}
	// Route on paths only, as FindRoute did: no servers.
	routing := *doc
	routing.Servers = nil
	r, err := gorillamux.NewRouter(&routing)
	if err != nil {
		return nil, err
	}
	return &oracle{doc: doc, router: r}, nil
}

// findRoute is FindRoute as it was.
func (o *oracle) findRoute(req *http.Request, basePath string) (*routers.Route, map[string]string, error) {
	rel, ok := oracleRelativeURL(req.URL, basePath)
	if !ok {
		return nil, nil, fmt.Errorf("%w: %s outside base path", ErrUnknownOperation, req.Method)
	}
	shallow := *req
	shallow.URL = rel
	route, params, err := o.router.FindRoute(&shallow)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %s: %v", ErrUnknownOperation, req.Method, err)
	}
	return route, params, nil
}

// oracleRelativeURL is FindRoute's relativeURL as it was.
func oracleRelativeURL(u *url.URL, basePath string) (*url.URL, bool) {
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

// validateRequest is FindRoute and ValidateRequest as they were.
func (o *oracle) validateRequest(ctx context.Context, req *http.Request, basePath string, body []byte) error {
	route, params, err := o.findRoute(req, basePath)
	if err != nil {
		return err
	}
	return o.validate(ctx, route, params, req, body)
}

// validate is ValidateRequest as it was, on a route of o.
func (o *oracle) validate(ctx context.Context, route *routers.Route, params map[string]string, req *http.Request, body []byte) error {
	shallow := *req
	shallow.Body = io.NopCloser(bytes.NewReader(body))
	if len(body) == 0 {
		shallow.Body = http.NoBody
	}
	shallow.ContentLength = int64(len(body))
	input := &openapi3filter.RequestValidationInput{
		Request:    &shallow,
		PathParams: params,
		Route:      route,
		Options:    requestOptions,
	}
	if err := openapi3filter.ValidateRequest(ctx, input); err != nil {
		return describe(route.Operation.OperationID, false, requestSchema(route.Operation, req.Header.Get("Content-Type")), err)
	}
	return nil
}

// validateResponse is FindRoute and ValidateResponse as they were.
func (o *oracle) validateResponse(ctx context.Context, req *http.Request, status int, header http.Header, body []byte) error {
	route, params, err := o.findRoute(req, "")
	if err != nil {
		return err
	}
	shallow := *req
	shallow.Body = http.NoBody
	in := &openapi3filter.RequestValidationInput{Request: &shallow, PathParams: params, Route: route, Options: responseOptions}
	header = normalizeResponseType(route.Operation, status, header)
	err = openapi3filter.ValidateResponse(ctx, &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 status,
		Header:                 header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                responseOptions,
	})
	if err != nil {
		return describe(route.Operation.OperationID, true, responseSchema(route.Operation, status, header.Get("Content-Type")), err)
	}
	return nil
}
