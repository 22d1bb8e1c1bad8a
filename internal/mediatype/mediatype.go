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
	base := Base(mt)
	return base == JSON || strings.HasSuffix(base, "+json")
}

// Base is the media type of a Content-Type or Accept value without its
// parameters, in lower case, as mime.ParseMediaType returns it; "" when
// that cannot parse v. A value that is already a bare lower-case
// type/subtype, as clients send it, is returned as it is, without the
// parser's allocations.
func Base(v string) string {
	if plain(v) {
		return v
	}
	base, _, err := mime.ParseMediaType(v)
	if err != nil {
		return ""
	}
	return base
}

// plain reports whether v is type/subtype made of lower-case token
// characters (RFC 2045), for which mime.ParseMediaType returns v itself.
func plain(v string) bool {
	slash := -1
	for i := range len(v) {
		switch c := v[i]; {
		case c == '/' && slash < 0:
			slash = i
		case !lowerToken[c]:
			return false
		}
	}
	return slash > 0 && slash < len(v)-1
}

// lowerToken marks the token characters of RFC 2045 other than upper-case
// letters.
var lowerToken = func() (t [256]bool) {
	for c := 0x21; c < 0x7f; c++ {
		t[c] = !strings.ContainsRune(`()<>@,;:\"/[]?=`, rune(c)) && (c < 'A' || c > 'Z')
	}
	return t
}()

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
