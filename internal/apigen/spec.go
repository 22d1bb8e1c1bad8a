package apigen

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/whispir-go/whispir/internal/mediatype"
)

// op is what the helpers need to know of one operation of the spec.
type op struct {
	ID          string
	Method      string
	Path        string
	Summary     string
	Description string
	Internal    bool     // x-internal: true
	PathParams  []string // in the order of the path template
	List        bool     // it has a `limit` query parameter
	// NotFoundIsEmpty: a search that matches nothing is answered 404.
	NotFoundIsEmpty bool
	Answers         []answer // its 2xx answers, by status
}

// answer is one 2xx response of an operation.
type answer struct {
	Status   int
	Location bool // it declares a Location header
	JSON     bool // it declares a JSON body
	Body     bool // it declares any body
}

// readSpec loads the spec and returns its operations by operationId.
func readSpec(data []byte) (map[string]*op, error) {
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	doc, err := loader.LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("load spec: %w", err)
	}
	ops := map[string]*op{}
	for path, item := range doc.Paths.Map() {
		for method, o := range item.Operations() {
			if o.OperationID == "" {
				return nil, fmt.Errorf("%s %s: no operationId", method, path)
			}
			x := &op{
				ID:          o.OperationID,
				Method:      method,
				Path:        path,
				Summary:     strings.TrimSpace(o.Summary),
				Description: strings.TrimSpace(o.Description),
				PathParams:  templateParams(path),
			}
			if v, ok := o.Extensions["x-internal"].(bool); ok && v {
				x.Internal = true
			}
			for _, p := range append(slices.Clone(item.Parameters), o.Parameters...) {
				if p.Value != nil && p.Value.In == "query" && p.Value.Name == "limit" {
					x.List = true
				}
			}
			for code, ref := range o.Responses.Map() {
				status, err := strconv.Atoi(code)
				if err != nil || ref.Value == nil {
					continue
				}
				if status == 404 && x.List && notFoundIsEmpty(x.Description) {
					x.NotFoundIsEmpty = true
				}
				if status < 200 || status > 299 {
					continue
				}
				a := answer{Status: status, Body: len(ref.Value.Content) > 0}
				for name := range ref.Value.Headers {
					a.Location = a.Location || strings.EqualFold(name, "Location")
				}
				for mt := range ref.Value.Content {
					a.JSON = a.JSON || mediatype.IsJSON(mt)
				}
				x.Answers = append(x.Answers, a)
			}
			slices.SortFunc(x.Answers, func(a, b answer) int { return a.Status - b.Status })
			if ops[x.ID] != nil {
				return nil, fmt.Errorf("operationId %s is used twice", x.ID)
			}
			ops[x.ID] = x
		}
	}
	return ops, nil
}

// notFoundIsEmpty reports whether a list operation's description says that
// a search without matches is answered 404 (activityList, customListList):
// its iterator then yields nothing instead of an error.
func notFoundIsEmpty(description string) bool {
	return strings.Contains(strings.Join(strings.Fields(description), " "), "matches nothing is answered 404")
}

// templateParams returns the parameter names of a path template, in order.
func templateParams(path string) []string {
	var out []string
	for _, seg := range strings.Split(path, "/") {
		if name, ok := strings.CutPrefix(seg, "{"); ok {
			out = append(out, strings.TrimSuffix(name, "}"))
		}
	}
	return out
}

// sortedOps returns ops ordered by operationId.
func sortedOps(ops map[string]*op) []*op {
	out := make([]*op, 0, len(ops))
	for _, o := range ops {
		out = append(out, o)
	}
	slices.SortFunc(out, func(a, b *op) int { return strings.Compare(a.ID, b.ID) })
	return out
}
