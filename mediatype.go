package whispir

import (
	"mime"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// JSONMediaType is the media type the generated client sends and expects for
// every operation; the client pipeline replaces it with the operation's
// vendor media type before a request leaves the process.
const JSONMediaType = "application/json"

// IsJSONMediaType reports whether mt is application/json or a +json type
// (parameters such as charset are ignored).
func IsJSONMediaType(mt string) bool {
	base, _, err := mime.ParseMediaType(mt)
	if err != nil {
		return false
	}
	return base == JSONMediaType || strings.HasSuffix(base, "+json")
}

// PrimaryMediaType returns the media type an operation exchanges: the JSON
// type of its successful responses; failing that, of its request body;
// failing that, of the successful responses of the other operations on the
// same path (a DELETE answers in its resource's type). When several qualify
// the first in lexical order wins; with none it is application/json.
//
// cmd/whispir-gen presents this type to oapi-codegen as application/json so
// that generated names stay short, and the client pipeline puts it back on the
// wire as Content-Type and Accept.
func PrimaryMediaType(item *openapi3.PathItem, op *openapi3.Operation) string {
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
	return JSONMediaType
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
		if IsJSONMediaType(mt) {
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
