package main

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/whispir-go/whispir"
)

// operation is one operation of the spec, as call and ops use it.
type operation struct {
	whispir.Operation
	Summary      string
	Description  string
	Tags         []string
	Params       []parameter // path parameters in template order, then the others by place and name
	Body         bool        // the operation takes a request body
	BodyRequired bool
}

// parameter is one path or query parameter of an operation.
type parameter struct {
	Name        string
	In          string // path, query, header or cookie
	Required    bool
	Array       bool     // may be given more than once: id=A id=B
	Type        string   // the schema's type: string, integer, boolean, array of string
	Enum        []string // the values allowed, when the spec lists them
	Description string
}

// catalog is every operation of the embedded spec.
type catalog struct {
	ops  []*operation // in whispir.Operations order: by path, then method
	byID map[string]*operation
}

// loadCatalog reads the catalog from the embedded spec the first time a
// command needs it (call, ops, their completions), never at start-up.
var loadCatalog = sync.OnceValues(func() (*catalog, error) {
	ops, err := whispir.Operations()
	if err != nil {
		return nil, err
	}
	doc, err := whispir.Document()
	if err != nil {
		return nil, err
	}
	return newCatalog(doc, ops)
})

func newCatalog(doc *openapi3.T, ops []whispir.Operation) (*catalog, error) {
	c := &catalog{byID: make(map[string]*operation, len(ops))}
	for _, o := range ops {
		item := doc.Paths.Value(o.Path)
		if item == nil || item.GetOperation(o.Method) == nil {
			return nil, fmt.Errorf("%s: %s %s is not in the spec", o.ID, o.Method, o.Path)
		}
		spec := item.GetOperation(o.Method)
		op := &operation{Operation: o, Summary: spec.Summary, Description: strings.TrimSpace(spec.Description), Tags: spec.Tags}
		if rb := spec.RequestBody; rb != nil && rb.Value != nil {
			op.Body, op.BodyRequired = true, rb.Value.Required
		}
		// Operation parameters override path-item ones of the same name and place.
		params := map[string]*openapi3.Parameter{}
		for _, group := range []openapi3.Parameters{item.Parameters, spec.Parameters} {
			for _, ref := range group {
				if ref == nil || ref.Value == nil {
					continue
				}
				p := ref.Value
				params[p.In+" "+p.Name] = p
			}
		}
		for _, p := range params {
			op.Params = append(op.Params, newParameter(p))
		}
		order := templateOrder(o.Path)
		slices.SortFunc(op.Params, func(a, b parameter) int {
			if a.In != b.In {
				return cmp.Compare(placeOrder[a.In], placeOrder[b.In])
			}
			if a.In == openapi3.ParameterInPath {
				return cmp.Compare(order[a.Name], order[b.Name])
			}
			return cmp.Compare(a.Name, b.Name)
		})
		for i, p := range op.Params {
			if slices.ContainsFunc(op.Params[:i], func(q parameter) bool { return q.Name == p.Name }) {
				return nil, fmt.Errorf("%s: two parameters are called %q: call cannot tell them apart", o.ID, p.Name)
			}
		}
		c.ops = append(c.ops, op)
		c.byID[o.ID] = op
	}
	return c, nil
}

// placeOrder orders parameters by where they go.
var placeOrder = map[string]int{
	openapi3.ParameterInPath: 0, openapi3.ParameterInQuery: 1, openapi3.ParameterInHeader: 2, openapi3.ParameterInCookie: 3,
}

func newParameter(p *openapi3.Parameter) parameter {
	out := parameter{Name: p.Name, In: p.In, Required: p.Required, Description: firstLine(p.Description)}
	if p.Schema == nil || p.Schema.Value == nil {
		return out
	}
	s := p.Schema.Value
	out.Type = typeName(s)
	if s.Type.Is(openapi3.TypeArray) {
		out.Array = true
		if s.Items != nil && s.Items.Value != nil {
			out.Type = "array of " + typeName(s.Items.Value)
			s = s.Items.Value
		}
	}
	for _, v := range s.Enum {
		out.Enum = append(out.Enum, fmt.Sprint(v))
	}
	return out
}

func typeName(s *openapi3.Schema) string {
	if types := s.Type.Slice(); len(types) > 0 {
		return strings.Join(types, " or ")
	}
	return "any"
}

// templateOrder numbers the parameters of a path template by position.
func templateOrder(path string) map[string]int {
	order := map[string]int{}
	for i, part := range strings.Split(path, "/") {
		if name, ok := strings.CutPrefix(part, "{"); ok {
			order[strings.TrimSuffix(name, "}")] = i
		}
	}
	return order
}

// firstLine is the first line of a description, for tables.
func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(line)
}

// lookup returns the operation named id, or a usage error that suggests
// close names.
func (c *catalog) lookup(id string) (*operation, error) {
	if op := c.byID[id]; op != nil {
		return op, nil
	}
	ids := make([]string, len(c.ops))
	for i, op := range c.ops {
		ids[i] = op.ID
	}
	return nil, usagef("unknown operation %q%s ('whispir ops' lists them)", id, didYouMean(suggest(id, ids)))
}

// param returns the parameter called name.
func (op *operation) param(name string) (parameter, bool) {
	for _, p := range op.Params {
		if p.Name == name {
			return p, true
		}
	}
	return parameter{}, false
}

func (op *operation) paramNames() []string {
	names := make([]string, len(op.Params))
	for i, p := range op.Params {
		names[i] = p.Name
	}
	return names
}

// maxSuggestions bounds how many close names an error suggests.
const maxSuggestions = 5

// suggest returns the candidates close to name: the same but for case, at a
// small edit distance, or containing it; closest first.
func suggest(name string, candidates []string) []string {
	type scored struct {
		name string
		d    int
	}
	lower := strings.ToLower(name)
	limit := max(2, len(name)/3)
	var found []scored
	for _, c := range candidates {
		lc := strings.ToLower(c)
		d := editDistance(lower, lc)
		switch {
		case d <= limit:
		case len(lower) >= 4 && (strings.Contains(lc, lower) || strings.Contains(lower, lc)):
			d = limit + 1 + abs(len(lc)-len(lower))
		default:
			continue
		}
		found = append(found, scored{c, d})
	}
	slices.SortStableFunc(found, func(a, b scored) int { return cmp.Compare(a.d, b.d) })
	out := make([]string, 0, min(len(found), maxSuggestions))
	for _, s := range found[:min(len(found), maxSuggestions)] {
		out = append(out, s.name)
	}
	return out
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
