package whispir

import (
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

// opState is one operation at run time: its facts from the generated table,
// and what validating it needs, prepared on first use.
type opState struct {
	Operation
	c    *contract
	once sync.Once
	prep *prepared
}

// prepared is what validating one operation needs, computed once: the route
// openapi3filter wants, the parameters to check in the order kin-openapi
// checks them, and the options of the body check.
type prepared struct {
	route *routers.Route
	// params are the path item's parameters that the operation does not
	// override, then the operation's own: openapi3filter.ValidateRequest's
	// order, so that the first error is the same.
	params []*openapi3.Parameter
	body   *openapi3.RequestBody // nil: no request body
	// bodyOptions are the schema options openapi3filter.ValidateRequestBody
	// uses with requestOptions (VisitAsRequest, DisableReadOnlyValidation),
	// minus VisitAsRequest where it provably changes nothing (see
	// asRequestMatters).
	bodyOptions []openapi3.SchemaValidationOption
	// encodings are the EncodingFn openapi3filter hands to body decoders,
	// by media type of the request body.
	encodings map[*openapi3.MediaType]openapi3filter.EncodingFn
	// jsonResponses are the responses that declare a JSON body: a JSON
	// media type with a schema. (The 202 of a send is declared under the
	// message media type without one: its body is plain text.)
	jsonResponses map[*openapi3.ResponseRef]bool
}

// prepared returns the operation's validation inputs, building its path
// item (and only that part of the document) the first time.
func (o *opState) prepared() *prepared {
	o.once.Do(func() { o.prep = o.c.prepare(o) })
	return o.prep
}

func (c *contract) prepare(o *opState) *prepared {
	item := c.pathItem(o.Path)
	op := item.GetOperation(o.Method)
	p := &prepared{
		route: &routers.Route{
			Spec:      c.shell,
			Path:      o.Path,
			PathItem:  item,
			Method:    o.Method,
			Operation: op,
		},
		jsonResponses: map[*openapi3.ResponseRef]bool{},
	}
	for _, ref := range item.Parameters {
		if op.Parameters != nil && op.Parameters.GetByInAndName(ref.Value.In, ref.Value.Name) != nil {
			continue
		}
		p.params = append(p.params, ref.Value)
	}
	for _, ref := range op.Parameters {
		p.params = append(p.params, ref.Value)
	}
	if op.RequestBody != nil {
		p.body = op.RequestBody.Value
		p.bodyOptions, p.encodings = bodyInputs(p.body)
	}
	for _, ref := range op.Responses.Map() {
		if ref.Value == nil {
			continue
		}
		for mt, media := range ref.Value.Content {
			if IsJSONMediaType(mt) && media.Schema != nil {
				p.jsonResponses[ref] = true
			}
		}
	}
	return p
}

// bodyInputs returns the schema options for a request body (see
// prepared.bodyOptions) and the EncodingFn of each of its media types.
func bodyInputs(rb *openapi3.RequestBody) ([]openapi3.SchemaValidationOption, map[*openapi3.MediaType]openapi3filter.EncodingFn) {
	opts := []openapi3.SchemaValidationOption{openapi3.DisableReadOnlyValidation()}
	encodings := map[*openapi3.MediaType]openapi3filter.EncodingFn{}
	asRequest := false
	for _, mt := range rb.Content {
		encodings[mt] = func(name string) *openapi3.Encoding { return mt.Encoding[name] }
		if mt.Schema != nil && asRequestMatters(mt.Schema.Value, map[*openapi3.Schema]bool{}) {
			asRequest = true
		}
	}
	if asRequest {
		opts = append(opts, openapi3.VisitAsRequest())
	}
	return opts, encodings
}

// asRequestMatters reports whether visiting a body with
// openapi3.VisitAsRequest can give another answer than visiting it without,
// given the options requests are checked with (no defaults written, read-only
// properties not refused).
//
// It costs: kin-openapi then sorts the declared property names of every
// object it visits, on every call (4.6 µs of 11.7 for a message, by the
// profile of issue 10). With those options, kin-openapi v0.153 uses it for
// two things only (openapi3/schema_3point0_validator.go): a required property
// that is readOnly is not required in a request, and the same holds when a
// schema the value is also visited with (allOf, anyOf, oneOf, not) declares
// it readOnly. So it matters when a schema reachable from the body has a
// required readOnly property, or uses a keyword that visits the value with
// another schema; the answer errs towards keeping it. The oracle tests
// (validate_oracle_test.go) compare the result with
// openapi3filter.ValidateRequest on every operation.
func asRequestMatters(s *openapi3.Schema, seen map[*openapi3.Schema]bool) bool {
	if s == nil || seen[s] {
		return false
	}
	seen[s] = true
	if len(s.AllOf) > 0 || len(s.AnyOf) > 0 || len(s.OneOf) > 0 || s.Not != nil ||
		len(s.PrefixItems) > 0 || s.Contains != nil || len(s.PatternProperties) > 0 ||
		len(s.DependentSchemas) > 0 || s.PropertyNames != nil || s.If != nil || s.Then != nil ||
		s.Else != nil || s.ContentSchema != nil || s.Discriminator != nil ||
		s.UnevaluatedItems != (openapi3.BoolSchema{}) || s.UnevaluatedProperties != (openapi3.BoolSchema{}) {
		return true
	}
	for _, name := range s.Required {
		if p := s.Properties[name]; p != nil && p.Value != nil && p.Value.ReadOnly {
			return true
		}
	}
	for _, p := range s.Properties {
		if p != nil && asRequestMatters(p.Value, seen) {
			return true
		}
	}
	if s.Items != nil && asRequestMatters(s.Items.Value, seen) {
		return true
	}
	if ap := s.AdditionalProperties.Schema; ap != nil && asRequestMatters(ap.Value, seen) {
		return true
	}
	return false
}
