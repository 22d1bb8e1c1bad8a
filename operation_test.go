package whispir

import (
	"net/http"
	"net/url"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

func object(required []string, props map[string]*openapi3.Schema) *openapi3.Schema {
	s := openapi3.NewObjectSchema()
	s.Required = required
	for name, p := range props {
		s.WithProperty(name, p)
	}
	return s
}

func readOnly(s *openapi3.Schema) *openapi3.Schema {
	s.ReadOnly = true
	return s
}

func TestAsRequestMatters(t *testing.T) {
	t.Parallel()
	recursive := object(nil, map[string]*openapi3.Schema{"name": openapi3.NewStringSchema()})
	recursive.Properties["self"] = &openapi3.SchemaRef{Value: recursive}
	tests := []struct {
		name   string
		schema *openapi3.Schema
		want   bool
	}{
		{"plain object", object([]string{"to"}, map[string]*openapi3.Schema{"to": openapi3.NewStringSchema()}), false},
		{"readOnly, not required", object(nil, map[string]*openapi3.Schema{"id": readOnly(openapi3.NewStringSchema())}), false},
		{"required readOnly", object([]string{"id"}, map[string]*openapi3.Schema{"id": readOnly(openapi3.NewStringSchema())}), true},
		{"required readOnly in items", openapi3.NewArraySchema().WithItems(object([]string{"id"}, map[string]*openapi3.Schema{"id": readOnly(openapi3.NewStringSchema())})), true},
		{"required readOnly in a map", object(nil, nil).WithAdditionalProperties(object([]string{"id"}, map[string]*openapi3.Schema{"id": readOnly(openapi3.NewStringSchema())})), true},
		{"nested property", object(nil, map[string]*openapi3.Schema{"a": object([]string{"id"}, map[string]*openapi3.Schema{"id": readOnly(openapi3.NewStringSchema())})}), true},
		{"allOf", openapi3.NewAllOfSchema(openapi3.NewStringSchema()), true},
		{"anyOf", openapi3.NewAnyOfSchema(openapi3.NewStringSchema()), true},
		{"oneOf", openapi3.NewOneOfSchema(openapi3.NewStringSchema()), true},
		{"not", &openapi3.Schema{Not: &openapi3.SchemaRef{Value: openapi3.NewStringSchema()}}, true},
		{"recursive, plain", recursive, false},
		{"nil", nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := asRequestMatters(tc.schema, map[*openapi3.Schema]bool{}); got != tc.want {
				t.Errorf("asRequestMatters = %v; want %v", got, tc.want)
			}
		})
	}
}

// TestValidateBodyKeepsVisitAsRequestWhereItMatters checks validateBody
// against openapi3filter.ValidateRequestBody (which always visits as a
// request) on bodies whose schemas need VisitAsRequest, and on one that does
// not: a required readOnly property may be left out of a request.
func TestValidateBodyKeepsVisitAsRequestWhereItMatters(t *testing.T) {
	t.Parallel()
	withID := object([]string{"id", "name"}, map[string]*openapi3.Schema{
		"id":   readOnly(openapi3.NewStringSchema()),
		"name": openapi3.NewStringSchema(),
	})
	tests := []struct {
		name    string
		schema  *openapi3.Schema
		body    string
		wantErr bool
	}{
		{"required readOnly left out", withID, `{"name":"a"}`, false},
		{"required readOnly sent", withID, `{"id":"1","name":"a"}`, false},
		{"required plain left out", withID, `{"id":"1"}`, true},
		{"in items", openapi3.NewArraySchema().WithItems(withID), `[{"name":"a"}]`, false},
		{"through allOf", openapi3.NewAllOfSchema(withID, openapi3.NewObjectSchema()), `{"name":"a"}`, false},
		{"plain schema", object([]string{"name"}, map[string]*openapi3.Schema{"name": openapi3.NewStringSchema()}), `{}`, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rb := openapi3.NewRequestBody().WithJSONSchema(tc.schema)
			req, _ := http.NewRequest(http.MethodPost, "https://example.com/x", nil)
			req.Header.Set("Content-Type", JSONMediaType)
			in := &openapi3filter.RequestValidationInput{
				Request: req,
				Route:   &routers.Route{Spec: &openapi3.T{OpenAPI: "3.0.3"}, Operation: &openapi3.Operation{RequestBody: &openapi3.RequestBodyRef{Value: rb}}},
				Options: requestOptions,
			}
			p := &prepared{body: rb}
			p.bodyOptions, p.encodings = bodyInputs(rb)
			got := validateBody(t.Context(), in, p, []byte(tc.body))
			want := openapi3filter.ValidateRequestBody(t.Context(), withBody(in, []byte(tc.body)), rb)
			if (got != nil) != tc.wantErr || (want != nil) != tc.wantErr {
				t.Errorf("validateBody = %v, ValidateRequestBody = %v; want error: %v", got, want, tc.wantErr)
			}
			if got != nil && want != nil && got.Error() != want.Error() {
				t.Errorf("got %q; want %q", got, want)
			}
		})
	}
}

// TestPrepareConcurrently builds a fresh contract's operations and document
// from many goroutines at once; run with -race, it pins that the lazy,
// shared builder is guarded.
func TestPrepareConcurrently(t *testing.T) {
	t.Parallel()
	c, err := newContract()
	if err != nil {
		t.Fatal(err)
	}
	ops, err := Operations()
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			if g == 0 {
				c.doc()
			}
			for i := range ops {
				o := ops[(i+g*7)%len(ops)]
				req := &http.Request{Method: o.Method, URL: &url.URL{Path: fill(o.Path, "X")}, Header: http.Header{}}
				route, err := c.findRoute(req, "")
				if err != nil {
					t.Errorf("%s: %v", o.ID, err)
					return
				}
				_ = ValidateRequest(t.Context(), route, req, nil)
				_ = route.DeclaresJSON(http.StatusOK)
			}
		})
	}
	wg.Wait()
	for i := range c.ops {
		if p := c.ops[i].prepared(); p.route.PathItem != c.doc().Paths.Value(c.ops[i].Path) {
			t.Errorf("%s: path item not shared with the document", c.ops[i].ID)
		}
	}
}
