package whispir

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// Errors for errors.Is. Every error from this package that concerns a
// request or response wraps one of them.
var (
	// ErrUnknownOperation: no operation of the spec matches the method and path.
	ErrUnknownOperation = errors.New("unknown operation")
	// ErrInvalidRequest: the request breaks the spec.
	ErrInvalidRequest = errors.New("invalid request")
	// ErrInvalidResponse: the response breaks the spec.
	ErrInvalidResponse = errors.New("invalid response")
)

// ValidationError is a request or response that breaks the spec. Its message
// is one line: the operation, where and why, never the offending value.
type ValidationError struct {
	Operation string // operationId
	Response  bool   // false for a request, true for a response
	Where     string // e.g. `body /to`, `query parameter "limit"`, `header "Content-Type"`
	Reason    string // e.g. `property "to" is missing`
}

// Error implements error.
func (e *ValidationError) Error() string {
	kind := "request"
	if e.Response {
		kind = "response"
	}
	msg := e.Operation + ": invalid " + kind
	if e.Where != "" {
		msg += ": " + e.Where
	}
	if e.Reason != "" {
		msg += ": " + e.Reason
	}
	return msg
}

// Unwrap makes errors.Is match [ErrInvalidRequest] or [ErrInvalidResponse].
func (e *ValidationError) Unwrap() error {
	if e.Response {
		return ErrInvalidResponse
	}
	return ErrInvalidRequest
}

var (
	// Read-only properties are tolerated in requests: a resource retrieved
	// and sent back for a full-replace PUT carries its id, links and
	// timestamps, and Whispir ignores them.
	requestOptions = &openapi3filter.Options{
		AuthenticationFunc:         openapi3filter.NoopAuthenticationFunc,
		SkipSettingDefaults:        true,
		ExcludeReadOnlyValidations: true,
	}
	responseOptions = &openapi3filter.Options{
		AuthenticationFunc:    openapi3filter.NoopAuthenticationFunc,
		IncludeResponseStatus: true,
	}
)

// ValidateRequest checks req, whose body is body (req.Body is not read),
// against the route's operation: parameters, Content-Type and body schema.
// Security headers are not checked here; the mock server checks them itself.
//
// It answers as openapi3filter.ValidateRequest did with requestOptions
// (validate_oracle_test.go compares the two on every operation), with the
// work that does not change the answer left out: the security check (a
// no-op with NoopAuthenticationFunc on a spec whose schemes validate, which
// still copied the body), the copy of the request and of its body, and,
// where asRequestMatters proves it changes nothing, VisitAsRequest, which
// sorts the property names of every object on every call. The parameters to
// check and the schema options are prepared once per operation; the body is
// decoded once, with the decoder kin-openapi would choose, and handed to
// the schema's VisitJSON.
func ValidateRequest(ctx context.Context, route *Route, req *http.Request, body []byte) error {
	if route == nil || req == nil {
		return fmt.Errorf("whispir: validate request: nil route or request")
	}
	ctx = withContext(ctx)
	p := route.op.prepared()
	in := &openapi3filter.RequestValidationInput{
		Request:    req,
		PathParams: route.PathParams(),
		Route:      p.route,
		Options:    requestOptions,
	}
	for _, param := range p.params {
		if err := openapi3filter.ValidateParameter(ctx, in, param); err != nil {
			return describe(route.ID, false, requestSchema(p.route.Operation, req.Header.Get("Content-Type")), err)
		}
	}
	if p.body != nil {
		if err := validateBody(ctx, in, p, body); err != nil {
			return describe(route.ID, false, requestSchema(p.route.Operation, req.Header.Get("Content-Type")), err)
		}
	}
	return nil
}

// prefixInvalidCT is openapi3filter's reason for a Content-Type the body
// does not declare (unexported there).
const prefixInvalidCT = "header Content-Type has unexpected value"

// validateBody is openapi3filter.ValidateRequestBody for a body already in
// memory, with requestOptions. Bodies that take another path in kin-openapi's
// decodeBody (binary schemas, encodings, media types without a registered
// decoder) are handed to ValidateRequestBody itself.
func validateBody(ctx context.Context, in *openapi3filter.RequestValidationInput, p *prepared, body []byte) error {
	rb := p.body
	if len(body) == 0 {
		if rb.Required {
			return &openapi3filter.RequestError{Input: in, RequestBody: rb, Err: openapi3filter.ErrInvalidRequired}
		}
		return nil
	}
	if len(rb.Content) == 0 {
		return nil
	}
	header := in.Request.Header
	ct := header.Get("Content-Type")
	media := rb.Content.Get(ct)
	if media == nil {
		return &openapi3filter.RequestError{Input: in, RequestBody: rb, Reason: fmt.Sprintf("%s %q", prefixInvalidCT, ct)}
	}
	if media.Schema == nil {
		return nil
	}
	decoder := bodyDecoder(media, ct)
	if decoder == nil {
		return openapi3filter.ValidateRequestBody(ctx, withBody(in, body), rb)
	}
	value, err := decoder(bytes.NewReader(body), header, media.Schema, p.encodings[media])
	if err != nil {
		return &openapi3filter.RequestError{Input: in, RequestBody: rb, Reason: "failed to decode request body", Err: err}
	}
	if err := media.Schema.Value.VisitJSON(value, p.bodyOptions...); err != nil {
		id := strings.TrimSpace(media.Schema.Ref)
		if id == "" {
			id = strings.TrimSpace(media.Schema.Value.Title)
		}
		if id != "" {
			id = " " + id
		}
		return &openapi3filter.RequestError{Input: in, RequestBody: rb, Reason: "doesn't match schema" + id, Err: err}
	}
	return nil
}

// bodyDecoder returns the decoder kin-openapi's decodeBody would use for a
// body of this media type, or nil when decodeBody would do anything else.
func bodyDecoder(media *openapi3.MediaType, contentType string) openapi3filter.BodyDecoder {
	mt, _, _ := strings.Cut(contentType, ";")
	mt = strings.ToLower(strings.TrimSpace(mt))
	schema := media.Schema.Value
	binary := schema != nil && schema.Type.Is("string") && schema.Format == "binary"
	if binary || media.Encoding[""] != nil {
		return nil
	}
	decoder := openapi3filter.RegisteredBodyDecoder(mt)
	if decoder == nil && strings.HasSuffix(mt, "+json") {
		decoder = openapi3filter.RegisteredBodyDecoder(JSONMediaType)
	}
	return decoder
}

// withBody returns a copy of in whose request carries body, for the
// kin-openapi functions that read it.
func withBody(in *openapi3filter.RequestValidationInput, body []byte) *openapi3filter.RequestValidationInput {
	shallow := *in.Request
	shallow.Body = io.NopCloser(bytes.NewReader(body))
	if len(body) == 0 {
		shallow.Body = http.NoBody
	}
	shallow.ContentLength = int64(len(body))
	out := *in
	out.Request = &shallow
	return &out
}

// ValidateResponse checks a response (status, headers and body) to req
// against the route's operation; undocumented statuses are errors.
//
// One habit of the service is accepted, as the spec describes it: a vendor
// +json type where the spec lists application/json (error bodies come back
// in the media type that was asked for). The plain-text 202 of a send needs
// none: the spec declares it under the message media type it carries,
// without a schema.
func ValidateResponse(ctx context.Context, route *Route, req *http.Request, status int, header http.Header, body []byte) error {
	if route == nil || req == nil {
		return fmt.Errorf("whispir: validate response: nil route or request")
	}
	p := route.op.prepared()
	// ValidateResponse reads only the request's method from its input.
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: route.PathParams(), Route: p.route, Options: responseOptions}
	header = normalizeResponseType(p.route.Operation, status, header)
	err := openapi3filter.ValidateResponse(withContext(ctx), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 status,
		Header:                 header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                responseOptions,
	})
	if err != nil {
		return describe(route.ID, true, responseSchema(p.route.Operation, status, header.Get("Content-Type")), err)
	}
	return nil
}

// withContext is a small helper so callers without a context still validate.
func withContext(ctx context.Context) context.Context {
	if ctx == nil {
		return context.Background()
	}
	return ctx
}

// normalizeResponseType maps the Content-Type of a response to the key the
// spec declares for it, per the habit ValidateResponse documents.
func normalizeResponseType(op *openapi3.Operation, status int, header http.Header) http.Header {
	ref := op.Responses.Status(status)
	if ref == nil || ref.Value == nil || len(ref.Value.Content) == 0 {
		return header
	}
	content := ref.Value.Content
	got := header.Get("Content-Type")
	if content.Get(got) != nil {
		return header
	}
	if content[JSONMediaType] == nil || !IsJSONMediaType(got) {
		return header
	}
	h := header.Clone()
	h.Set("Content-Type", JSONMediaType)
	return h
}

// describe turns a kin-openapi error into a ValidationError without values.
// body is the schema of the body in question, used to keep the location of a
// failure from naming keys the caller chose (see safePointer).
func describe(opID string, response bool, body *openapi3.Schema, err error) error {
	ve := &ValidationError{Operation: opID, Response: response}
	var reqErr *openapi3filter.RequestError
	var respErr *openapi3filter.ResponseError
	var inner error
	switch {
	case errors.As(err, &reqErr):
		switch {
		case reqErr.Parameter != nil:
			ve.Where = fmt.Sprintf("%s parameter %q", reqErr.Parameter.In, reqErr.Parameter.Name)
		case reqErr.RequestBody != nil:
			ve.Where = "body"
		}
		ve.Reason, inner = safeReason(reqErr.Reason), reqErr.Err
	case errors.As(err, &respErr):
		ve.Where = "body"
		if respErr.Reason == "status is not supported" {
			ve.Where = "status"
		}
		ve.Reason, inner = safeReason(respErr.Reason), respErr.Err
	default:
		inner = err
	}
	var schemaErr *openapi3.SchemaError
	var parseErr *openapi3filter.ParseError
	switch {
	case errors.As(inner, &schemaErr):
		if p := schemaErr.JSONPointer(); len(p) > 0 {
			ve.Where = strings.TrimSpace(ve.Where + " " + safePointer(body, p))
		}
		ve.Reason = oneLine(schemaErr.Reason)
		if name, ok := unsupportedProperty(schemaErr); ok {
			ve.Reason = unknownProperty(name)
		}
	case errors.As(inner, &parseErr):
		ve.Reason = "cannot be decoded"
	case inner != nil && ve.Reason == "":
		ve.Reason = "does not match the spec"
	}
	return ve
}

// unsupportedProperty returns the name in kin-openapi's error for a
// property that a schema with additionalProperties: false does not declare
// (the Message schema, as in Whispir's description).
func unsupportedProperty(e *openapi3.SchemaError) (string, bool) {
	quoted, ok := strings.CutPrefix(e.Reason, "property ")
	if !ok || e.SchemaField != "properties" {
		return "", false
	}
	quoted, ok = strings.CutSuffix(quoted, " is unsupported")
	if !ok {
		return "", false
	}
	name, err := strconv.Unquote(quoted)
	return name, err == nil
}

// maxShownName bounds the name of an unknown property in an error.
const maxShownName = 64

// unknownProperty is the reason for a property the schema does not
// declare. Its name is a key the caller chose, not a value, and naming it is
// what makes a typo (`subjekt`) easy to fix; so it is named when it looks
// like a field name: an ASCII letter or '_' and then up to 63 letters,
// digits or '_'. Anything else (a phone number or an email used as a key,
// control or bidirectional characters, a long string) is not shown: it could
// be personal data, or text that drives a terminal.
func unknownProperty(name string) string {
	if fieldName(name) {
		return fmt.Sprintf("unknown property %q", name)
	}
	return "unknown property (its name is not shown: it does not look like a field name)"
}

func fieldName(s string) bool {
	if s == "" || len(s) > maxShownName {
		return false
	}
	for i, r := range s {
		letter := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '_'
		if !letter && (i == 0 || r < '0' || r > '9') {
			return false
		}
	}
	return true
}

// safeReason keeps kin-openapi's fixed reasons and drops any that may quote
// a header or body value.
func safeReason(r string) string {
	r = oneLine(r)
	for _, prefix := range []string{"header Content-Type has unexpected value", "response header Content-Type has unexpected value"} {
		if strings.HasPrefix(r, prefix) {
			return "unexpected Content-Type"
		}
	}
	if strings.Contains(r, "\"") || strings.Contains(r, ":") {
		// Reasons with quotes or a colon may embed what was received.
		if i := strings.IndexAny(r, ":\""); i > 0 {
			return strings.TrimSpace(r[:i])
		}
	}
	return r
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func requestSchema(op *openapi3.Operation, contentType string) *openapi3.Schema {
	if op.RequestBody == nil || op.RequestBody.Value == nil {
		return nil
	}
	return contentSchema(op.RequestBody.Value.Content, contentType)
}

func responseSchema(op *openapi3.Operation, status int, contentType string) *openapi3.Schema {
	ref := op.Responses.Status(status)
	if ref == nil || ref.Value == nil {
		return nil
	}
	return contentSchema(ref.Value.Content, contentType)
}

func contentSchema(c openapi3.Content, contentType string) *openapi3.Schema {
	mt := c.Get(contentType)
	if mt == nil && len(c) == 1 {
		for _, only := range c {
			mt = only
		}
	}
	if mt == nil || mt.Schema == nil {
		return nil
	}
	return mt.Schema.Value
}

// safePointer renders a JSON pointer into a body for an error message,
// walking the schema alongside: property names the spec declares and array
// indexes are kept, while keys of free-form maps (callbackParameters, event
// fields, ...) are the caller's data and show as "*".
func safePointer(root *openapi3.Schema, path []string) string {
	s := root
	out := make([]string, len(path))
	for i, seg := range path {
		var next *openapi3.Schema
		known := false
		if s != nil {
			if p := propertySchema(s, seg); p != nil {
				next, known = p, true
			} else if items := itemSchema(s); items != nil && isIndex(seg) {
				next, known = items, true
			} else if ap := s.AdditionalProperties.Schema; ap != nil {
				next = ap.Value
			}
		}
		out[i] = "*"
		if known {
			out[i] = seg
		}
		s = next
	}
	return "/" + strings.Join(out, "/")
}

// propertySchema finds a declared property, also inside allOf/anyOf/oneOf.
func propertySchema(s *openapi3.Schema, name string) *openapi3.Schema {
	if p, ok := s.Properties[name]; ok && p != nil {
		return p.Value
	}
	for _, group := range []openapi3.SchemaRefs{s.AllOf, s.AnyOf, s.OneOf} {
		for _, ref := range group {
			if ref != nil && ref.Value != nil {
				if p := propertySchema(ref.Value, name); p != nil {
					return p
				}
			}
		}
	}
	return nil
}

func itemSchema(s *openapi3.Schema) *openapi3.Schema {
	if s.Items != nil && s.Items.Value != nil {
		return s.Items.Value
	}
	return nil
}

// isIndex reports an array index: a short run of digits (a long one is more
// likely a phone number used as a key).
func isIndex(seg string) bool {
	if seg == "" || len(seg) > 6 {
		return false
	}
	for _, r := range seg {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
