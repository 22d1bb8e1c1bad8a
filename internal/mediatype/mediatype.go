// Package mediatype holds the media-type rules of the Whispir spec that both
// the run time (package whispir) and the generator of the prepared spec
// (internal/specgen) apply, so that the operation table written at generate
// time and the functions callers use at run time cannot disagree.
package mediatype

import (
	"mime"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// JSON is application/json.
const JSON = "application/json"

// IsJSON reports whether mt is application/json or a +json type
// (parameters such as charset are ignored).
func IsJSON(mt string) bool {
	base, _, err := mime.ParseMediaType(mt)
	if err != nil {
		return false
	}
	return base == JSON || strings.HasSuffix(base, "+json")
}

// Primary returns the media type an operation exchanges: the JSON type of
// its successful responses; failing that, of its request body; failing that,
// of the successful responses of the other operations on the same path. When
// several qualify the first in lexical order wins; with none it is
// application/json.
func Primary(item *openapi3.PathItem, op *openapi3.Operation) string {
	if mt := first(successTypes(op)); mt != "" {
		return mt
	}
	if op != nil && op.RequestBody != nil && op.RequestBody.Value != nil {
		if mt := first(jsonKeys(op.RequestBody.Value.Content)); mt != "" {
			return mt
		}
	}
	if item != nil {
		var siblings []string
		for _, other := range item.Operations() {
			siblings = append(siblings, successTypes(other)...)
		}
		if mt := first(siblings); mt != "" {
			return mt
		}
	}
	return JSON
}

// successTypes lists the JSON media types of op's 2xx responses.
func successTypes(op *openapi3.Operation) []string {
	if op == nil || op.Responses == nil {
		return nil
	}
	var out []string
	for code, ref := range op.Responses.Map() {
		if len(code) != 3 || code[0] != '2' || ref == nil || ref.Value == nil {
			continue
		}
		out = append(out, jsonKeys(ref.Value.Content)...)
	}
	return out
}

func jsonKeys(c openapi3.Content) []string {
	var out []string
	for mt := range c {
		if IsJSON(mt) {
			out = append(out, mt)
		}
	}
	return out
}

func first(mts []string) string {
	if len(mts) == 0 {
		return ""
	}
	return slices.Min(mts)
}
