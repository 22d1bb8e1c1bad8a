package whispirtest

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// conform trims v towards schema s so that it can be served as a response:
// writeOnly properties and properties the schema forbids are dropped,
// recursively. It does not add anything.
func conform(v any, s *openapi3.Schema) any {
	if s == nil {
		return v
	}
	switch v := v.(type) {
	case map[string]any:
		props := properties(s)
		closed := s.AdditionalProperties.Has != nil && !*s.AdditionalProperties.Has
		var extra *openapi3.Schema
		if s.AdditionalProperties.Schema != nil {
			extra = s.AdditionalProperties.Schema.Value
		}
		out := make(map[string]any, len(v))
		for k, val := range v {
			p, known := props[k]
			switch {
			case known && p.WriteOnly:
			case known:
				out[k] = conform(val, p)
			case closed:
			case extra != nil:
				out[k] = conform(val, extra)
			default:
				out[k] = val
			}
		}
		return out
	case []any:
		items := itemsOf(s)
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = conform(e, items)
		}
		return out
	}
	return v
}

// fits reports whether v (decoded JSON) is a valid response body for s.
func fits(v any, s *openapi3.Schema) bool {
	if s == nil {
		return true
	}
	return s.VisitJSON(normalize(v), openapi3.VisitAsResponse()) == nil
}

// hasProperty reports whether s declares the property name.
func hasProperty(s *openapi3.Schema, name string) bool {
	_, ok := properties(s)[name]
	return ok
}

// minimal builds the smallest value that s accepts, for responses whose
// spec has no example. It is best effort: a pattern it cannot satisfy is
// left unsatisfied.
func minimal(s *openapi3.Schema, depth int) any {
	if s == nil || depth > 8 {
		return map[string]any{}
	}
	switch {
	case s.Example != nil:
		return normalize(s.Example)
	case s.Default != nil:
		return normalize(s.Default)
	case len(s.Enum) > 0:
		return normalize(s.Enum[0])
	}
	for _, alt := range [][]*openapi3.SchemaRef{s.OneOf, s.AnyOf} {
		if len(alt) > 0 && alt[0] != nil {
			return minimal(alt[0].Value, depth+1)
		}
	}
	switch {
	case s.Type.Is(openapi3.TypeString):
		n := int(s.MinLength)
		return strings.Repeat("x", n)
	case s.Type.Is(openapi3.TypeInteger), s.Type.Is(openapi3.TypeNumber):
		if s.Min != nil {
			return *s.Min
		}
		return 0.0
	case s.Type.Is(openapi3.TypeBoolean):
		return false
	case s.Type.Is(openapi3.TypeArray):
		out := []any{}
		for range s.MinItems {
			out = append(out, minimal(itemsOf(s), depth+1))
		}
		return out
	}
	out := map[string]any{}
	props := properties(s)
	var required []string
	required = append(required, s.Required...)
	for _, ref := range s.AllOf {
		if ref != nil && ref.Value != nil {
			required = append(required, ref.Value.Required...)
		}
	}
	for _, name := range required {
		if p := props[name]; p != nil && !p.WriteOnly {
			out[name] = minimal(p, depth+1)
		}
	}
	return out
}

// exampleBody returns the response body r's spec suggests: its example, or a
// minimal value of its schema.
func (r reply) exampleBody() any {
	if r.example != nil {
		return r.example
	}
	return minimal(r.schema, 0)
}

// success builds r's answer with candidate as the body when it fits the
// schema (after [conform]), else with the spec's example.
func (r reply) success(candidate any) answer {
	a := answer{status: r.status, header: http.Header{}}
	if r.mediaType == "" || !bodyAllowed(r.status) {
		return a
	}
	a.header.Set("Content-Type", r.mediaType)
	if !r.json() {
		// A text body: the example, verbatim.
		text, _ := r.example.(string)
		a.body = []byte(text)
		return a
	}
	var v any
	if candidate != nil {
		if c := conform(normalize(candidate), r.schema); fits(c, r.schema) {
			v = c
		}
	}
	if v == nil {
		v = r.exampleBody()
	}
	a.body, _ = json.Marshal(v)
	return a
}
