package main

import (
	"fmt"
	"mime"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/whispir-go/whispir"
)

// operation is one operation of the spec and the media types whispir-gen
// presents to oapi-codegen for it: the row of the generated MediaTypes
// table.
type operation struct {
	id           string // operationId; oapi-codegen's own name when the spec gives none
	method, path string
	op           *openapi3.Operation
	accept       string            // whispir.PrimaryMediaType; "" for application/json
	requests     map[string]string // request type as presented -> as declared
	responses    map[string]string // response key ("200", "4XX", "default") -> type presented as application/json
	goName       string            // oapi-codegen's Go name for the operation, set after generation
}

// presenter renames media types in a loaded spec. Request bodies and
// responses shared through components are renamed once; what they hold
// afterwards is remembered for every operation that uses them.
type presenter struct {
	bodies    map[*openapi3.RequestBody]string
	responses map[*openapi3.Response]string
}

// present presents, in every request body and response, one media type as
// application/json where the spec declares none: the operation's primary
// type (whispir.PrimaryMediaType) if the content has it, else its only JSON
// type. Everything else keeps its media type, and gets a short Go name in
// rewrite. It returns the operations in path and method order, and a
// function that puts the declared media types back into doc.
func present(doc *openapi3.T) ([]*operation, func(), error) {
	pr := presenter{bodies: map[*openapi3.RequestBody]string{}, responses: map[*openapi3.Response]string{}}
	// Primary types first: presenting changes what PrimaryMediaType sees.
	var ops []*operation
	paths := doc.Paths.Map()
	for _, path := range sortedKeys(paths) {
		item := paths[path]
		methods := item.Operations()
		for _, method := range sortedKeys(methods) {
			op := methods[method]
			o := &operation{
				id: op.OperationID, method: strings.ToUpper(method), path: path, op: op,
				requests: map[string]string{}, responses: map[string]string{},
			}
			// Plain JSON needs no Accept restored (and an operation without
			// JSON should not ask for it).
			if primary := whispir.PrimaryMediaType(item, op); primary != whispir.JSONMediaType {
				o.accept = primary
			}
			ops = append(ops, o)
		}
	}
	for _, o := range ops {
		if err := pr.presentOperation(o); err != nil {
			return nil, nil, fmt.Errorf("%s %s %w", o.method, o.path, err)
		}
	}
	return ops, pr.undo, nil
}

// undo moves every presented media type back to its declared name.
func (pr presenter) undo() {
	for body, real := range pr.bodies {
		if real != "" {
			_ = rename(body.Content, whispir.JSONMediaType, real)
		}
	}
	for resp, real := range pr.responses {
		if real != "" {
			_ = rename(resp.Content, whispir.JSONMediaType, real)
		}
	}
}

func (pr presenter) presentOperation(o *operation) error {
	op := o.op
	if op.RequestBody != nil && op.RequestBody.Value != nil {
		body := op.RequestBody.Value
		real, seen := pr.bodies[body]
		if !seen {
			real = choosePresented(body.Content, o.accept)
			if err := rename(body.Content, real, whispir.JSONMediaType); err != nil {
				return fmt.Errorf("request: %w", err)
			}
			pr.bodies[body] = real
		}
		if real != "" {
			o.requests[whispir.JSONMediaType] = real
		}
	}
	if op.Responses == nil {
		return nil
	}
	for code, ref := range op.Responses.Map() {
		if ref == nil || ref.Value == nil {
			continue
		}
		real, seen := pr.responses[ref.Value]
		if !seen {
			real = choosePresented(ref.Value.Content, o.accept)
			if err := rename(ref.Value.Content, real, whispir.JSONMediaType); err != nil {
				return fmt.Errorf("response %s: %w", code, err)
			}
			pr.responses[ref.Value] = real
		}
		if real != "" {
			o.responses[code] = real
		}
	}
	return nil
}

// choosePresented picks the media type of c to present as
// application/json, or "" for none.
func choosePresented(c openapi3.Content, primary string) string {
	if _, ok := c[whispir.JSONMediaType]; ok {
		return ""
	}
	if _, ok := c[primary]; ok && primary != whispir.JSONMediaType {
		return primary
	}
	var jsonTypes []string
	for mt := range c {
		if whispir.IsJSONMediaType(mt) {
			jsonTypes = append(jsonTypes, mt)
		}
	}
	if len(jsonTypes) == 1 {
		return jsonTypes[0]
	}
	return ""
}

// rename moves content[from] to content[to].
func rename(content openapi3.Content, from, to string) error {
	if from == "" {
		return nil
	}
	mt, ok := content[from]
	if !ok {
		return nil
	}
	if _, clash := content[to]; clash {
		return fmt.Errorf("both %s and %s are declared", from, to)
	}
	content[to] = mt
	delete(content, from)
	return nil
}

// shortTagged reports whether oapi-codegen names mt with a short tag of its
// own (JSON, Text, Formdata, Multipart) rather than spelling it out.
func shortTagged(mt string) bool {
	base, _, err := mime.ParseMediaType(mt)
	if err != nil {
		return false
	}
	return base == whispir.JSONMediaType || base == "text/plain" ||
		base == "application/x-www-form-urlencoded" || strings.HasPrefix(base, "multipart/")
}

// nameRequests lists, after present, every media type that oapi-codegen
// would spell out in a Go name, with what the naming rule needs to know.
func nameRequests(ops []*operation) ([]nameRequest, error) {
	byType := map[string]*nameRequest{}
	note := func(o *operation, c openapi3.Content) error {
		for mt, m := range c {
			if shortTagged(mt) {
				continue
			}
			r := byType[mt]
			if r == nil {
				r = &nameRequest{mediaType: mt}
				byType[mt] = r
			}
			if o.accept != "" && !slices.Contains(r.primaries, o.accept) {
				r.primaries = append(r.primaries, o.accept)
			}
			if m == nil {
				continue
			}
			if v, ok := m.Extensions["x-go-name"]; ok {
				name, isString := v.(string)
				if !isString {
					return fmt.Errorf("media type %s: x-go-name is not a string", mt)
				}
				if r.goName != "" && r.goName != name {
					return fmt.Errorf("media type %s: x-go-name is %q in one place and %q in another", mt, r.goName, name)
				}
				r.goName = name
			}
		}
		return nil
	}
	for _, o := range ops {
		if o.op.RequestBody != nil && o.op.RequestBody.Value != nil {
			if err := note(o, o.op.RequestBody.Value.Content); err != nil {
				return nil, err
			}
		}
		if o.op.Responses == nil {
			continue
		}
		for _, ref := range o.op.Responses.Map() {
			if ref != nil && ref.Value != nil {
				if err := note(o, ref.Value.Content); err != nil {
					return nil, err
				}
			}
		}
	}
	out := make([]nameRequest, 0, len(byType))
	for _, mt := range sortedKeys(byType) {
		r := byType[mt]
		slices.Sort(r.primaries)
		out = append(out, *r)
	}
	return out, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
