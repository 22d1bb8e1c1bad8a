package whispirtest

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/whispir-go/whispir"
)

// opKind is how the generic engine treats an operation, from its
// operationId suffix, method and path.
type opKind int

const (
	kindOther     opKind = iota // answer the first 2xx with the spec's example
	kindCreate                  // POST on a collection: store the body under a new id
	kindList                    // GET on a collection: page the stored items
	kindRetrieve                // GET on an item
	kindUpdate                  // PUT or PATCH on an item: replace it
	kindDelete                  // DELETE on an item
	kindDeleteAll               // DELETE on a collection: empty it
)

// reply describes the first successful response an operation declares.
type reply struct {
	status    int
	mediaType string           // content key; "" when the response has no body
	schema    *openapi3.Schema // nil when the content has no schema
	example   any              // the spec's example, as decoded JSON; nil when none
	headers   map[string]*openapi3.Header
}

func (r reply) json() bool { return r.mediaType != "" && whispir.IsJSONMediaType(r.mediaType) }

// plan is what the mock knows about one operation, read from the spec once.
type plan struct {
	id           string
	method       string
	path         string // template, e.g. /workspaces/{workspaceId}/contacts/{contactId}
	mediaType    string // the operation's media type, for errors
	kind         opKind
	collection   string // template of the collection it works on
	idParam      string // item operations: the last path parameter
	creatable    bool   // the collection has a create operation
	itemOps      bool   // the collection has operations on its items (GET .../{id}), so an item's self link leads somewhere
	ok           reply
	arrayProp    string // list: the property holding the items; "" when the body is the array
	itemSchema   *openapi3.Schema
	declared     map[int]bool // statuses the operation declares
	bodyRequired bool
	bodyRef      string // the $ref of the request body's schema, "" when inline or none
	// uuidIDs: the collection's ids are UUIDs (format uuid in the spec,
	// API keys), issued and matched in lower case; other ids are upper-case
	// hexadecimal.
	uuidIDs bool
	// unique is the property the collection keeps unique, nil for none.
	unique *uniqueName
	// nextGen: the operation's errors use the Verify service's body
	// (NextGenError: status, message, detail), not Whispir's classic one.
	nextGen bool
}

// uniqueName is a property Whispir keeps unique in a collection, and the
// errorText of the 422 that refuses a second item with the same value.
type uniqueName struct {
	property, text string
}

// uniqueNames are the unique properties, by the schema of the request
// body of the collection's create and update. Templates: Whispir's
// description of templateUpdate and its 422 example (reference section 5.6).
// Callbacks have their own check (callbacks.go), with the URL check.
var uniqueNames = map[string]*uniqueName{
	"#/components/schemas/Template": {"messageTemplateName", "A Template name already exists in the current Workspace, please select another name and try again."},
}

// newID returns a new id for an item of the plan's collection.
func (p *plan) newID() string {
	if p.uuidIDs {
		return newUUID()
	}
	return randomHex(16)
}

// canonicalID is the form in which the collection stores id.
func (p *plan) canonicalID(id string) string {
	if p.uuidIDs {
		return strings.ToLower(id)
	}
	return strings.ToUpper(id)
}

// planSet holds the plans of every operation of a spec.
type planSet struct {
	byID map[string]*plan
}

var loadPlans = sync.OnceValues(func() (*planSet, error) {
	doc, err := whispir.Document()
	if err != nil {
		return nil, err
	}
	return buildPlans(doc), nil
})

// planFor returns the plan of an operation of the embedded spec.
func planFor(opID string) (*plan, error) {
	ps, err := loadPlans()
	if err != nil {
		return nil, err
	}
	p := ps.byID[opID]
	if p == nil {
		return nil, fmt.Errorf("whispirtest: %s: no plan", opID)
	}
	return p, nil
}

// buildPlans reads the operations of doc.
func buildPlans(doc *openapi3.T) *planSet {
	ps := &planSet{byID: map[string]*plan{}}
	paths := doc.Paths.Map()
	// Collections: paths with an item path (one more {param} segment) below.
	collections := map[string]bool{}
	for p := range paths {
		if parent, _, ok := itemPath(p); ok {
			collections[shape(parent)] = true
		}
	}
	// A path that is listed and posted to with no item path below
	// (/activities) is a collection too: what is posted there is listed
	// there, though no operation reads one item.
	withItems := maps.Clone(collections)
	for p, item := range paths {
		if get, post := item.Get, item.Post; get != nil && post != nil &&
			strings.HasSuffix(get.OperationID, "List") && strings.HasSuffix(post.OperationID, "Create") {
			collections[shape(p)] = true
		}
	}
	creatable := map[string]bool{}
	for p, item := range paths {
		for method, op := range item.Operations() {
			if op == nil || op.OperationID == "" {
				continue
			}
			pl := newPlan(p, method, item, op, collections)
			ps.byID[pl.id] = pl
			if pl.kind == kindCreate {
				creatable[shape(pl.collection)] = true
			}
		}
	}
	for _, pl := range ps.byID {
		pl.creatable = creatable[shape(pl.collection)]
		pl.itemOps = withItems[shape(pl.collection)]
	}
	return ps
}

func newPlan(path, method string, item *openapi3.PathItem, op *openapi3.Operation, collections map[string]bool) *plan {
	pl := &plan{
		id:         op.OperationID,
		method:     method,
		path:       path,
		mediaType:  whispir.PrimaryMediaType(item, op),
		collection: path,
		declared:   map[int]bool{},
	}
	if op.RequestBody != nil && op.RequestBody.Value != nil {
		pl.bodyRequired = op.RequestBody.Value.Required
		if mt := op.RequestBody.Value.Content.Get(pl.mediaType); mt != nil && mt.Schema != nil {
			pl.bodyRef = mt.Schema.Ref
			pl.unique = uniqueNames[mt.Schema.Ref]
		}
	}
	pl.ok = firstSuccess(op, pl.mediaType)
	pl.nextGen = nextGenErrors(op)
	if op.Responses != nil {
		for code := range op.Responses.Map() {
			if n, err := strconv.Atoi(code); err == nil {
				pl.declared[n] = true
			}
		}
	}
	parent, param, isItem := itemPath(path)
	isCollection := collections[shape(path)]
	id := op.OperationID
	switch {
	case strings.HasSuffix(id, "Create") && method == http.MethodPost && !isItem && isCollection:
		pl.kind = kindCreate
	case strings.HasSuffix(id, "List") && method == http.MethodGet:
		if prop, items, ok := arrayOf(pl.ok.schema); ok && pl.ok.json() {
			pl.kind, pl.arrayProp, pl.itemSchema = kindList, prop, items
		}
	case strings.HasSuffix(id, "Retrieve") && method == http.MethodGet && isItem:
		pl.kind = kindRetrieve
	case strings.HasSuffix(id, "Update") && (method == http.MethodPut || method == http.MethodPatch) && isItem:
		pl.kind = kindUpdate
	case strings.HasSuffix(id, "Delete") && method == http.MethodDelete && isItem:
		pl.kind = kindDelete
	case strings.HasSuffix(id, "Delete") && method == http.MethodDelete && isCollection:
		pl.kind = kindDeleteAll
	}
	if isItem && pl.kind >= kindRetrieve && pl.kind <= kindDelete {
		pl.collection, pl.idParam = parent, param
	}
	switch {
	case pl.kind == kindCreate:
		pl.uuidIDs = uuidFormat(properties(pl.ok.schema)["id"])
	case pl.idParam != "":
		pl.uuidIDs = uuidFormat(pathParameter(item, op, pl.idParam))
	}
	return pl
}

func uuidFormat(s *openapi3.Schema) bool { return s != nil && s.Format == "uuid" }

// pathParameter returns the schema of the path parameter name of op.
func pathParameter(item *openapi3.PathItem, op *openapi3.Operation, name string) *openapi3.Schema {
	for _, params := range []openapi3.Parameters{op.Parameters, item.Parameters} {
		if ref := params.GetByInAndName(openapi3.ParameterInPath, name); ref != nil && ref.Schema != nil {
			return ref.Schema.Value
		}
	}
	return nil
}

// nextGenErrors reports whether op's 400 is the Verify service's error body.
func nextGenErrors(op *openapi3.Operation) bool {
	if op.Responses == nil {
		return false
	}
	ref := op.Responses.Status(http.StatusBadRequest)
	if ref == nil || ref.Value == nil {
		return false
	}
	for _, mt := range ref.Value.Content {
		if mt.Schema != nil && mt.Schema.Ref == "#/components/schemas/NextGenError" {
			return true
		}
	}
	return false
}

// itemPath splits a path whose last segment is a parameter into the
// collection above it and the parameter's name.
func itemPath(p string) (parent, param string, ok bool) {
	i := strings.LastIndex(p, "/")
	if i <= 0 {
		return "", "", false
	}
	last := p[i+1:]
	if len(last) < 3 || last[0] != '{' || last[len(last)-1] != '}' {
		return "", "", false
	}
	return p[:i], last[1 : len(last)-1], true
}

// shape is a path template with its parameter names erased, so that
// /a/{x}/b and /a/{y}/b compare equal.
func shape(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
			segs[i] = "{}"
		}
	}
	return strings.Join(segs, "/")
}

// firstSuccess reads the lowest 2xx response of op, preferring the content
// labelled with the operation's media type.
func firstSuccess(op *openapi3.Operation, mediaType string) reply {
	r := reply{status: http.StatusOK}
	if op.Responses == nil {
		return r
	}
	var codes []int
	for code := range op.Responses.Map() {
		if n, err := strconv.Atoi(code); err == nil && n >= 200 && n < 300 {
			codes = append(codes, n)
		}
	}
	if len(codes) == 0 {
		return r
	}
	slices.Sort(codes)
	return responseOf(op, codes[0], mediaType)
}

// responseOf reads op's response for status, preferring the content
// labelled with the operation's media type.
func responseOf(op *openapi3.Operation, status int, mediaType string) reply {
	r := reply{status: status}
	ref := op.Responses.Status(r.status)
	if ref == nil || ref.Value == nil {
		return r
	}
	r.headers = map[string]*openapi3.Header{}
	for name, h := range ref.Value.Headers {
		if h != nil && h.Value != nil {
			r.headers[name] = h.Value
		}
	}
	content := ref.Value.Content
	if len(content) == 0 {
		return r
	}
	keys := make([]string, 0, len(content))
	for k := range content {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		// The operation's own type first, then JSON types, then the rest.
		ri, rj := rank(keys[i], mediaType), rank(keys[j], mediaType)
		if ri != rj {
			return ri < rj
		}
		return keys[i] < keys[j]
	})
	r.mediaType = keys[0]
	mt := content[r.mediaType]
	if mt.Schema != nil {
		r.schema = mt.Schema.Value
	}
	r.example = exampleOf(mt)
	return r
}

func rank(key, preferred string) int {
	switch {
	case strings.EqualFold(key, preferred):
		return 0
	case whispir.IsJSONMediaType(key):
		return 1
	}
	return 2
}

// exampleOf returns the media type's example (the first named one when
// there are several) as decoded JSON, or its schema's example.
func exampleOf(mt *openapi3.MediaType) any {
	if mt == nil {
		return nil
	}
	if mt.Example != nil {
		return normalize(mt.Example)
	}
	names := make([]string, 0, len(mt.Examples))
	for name := range mt.Examples {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if ex := mt.Examples[name]; ex != nil && ex.Value != nil && ex.Value.Value != nil {
			return normalize(ex.Value.Value)
		}
	}
	if mt.Schema != nil && mt.Schema.Value != nil && mt.Schema.Value.Example != nil {
		return normalize(mt.Schema.Value.Example)
	}
	return nil
}

// normalize turns any value into its decoded-JSON form (maps, slices,
// float64, string, bool), the form the schema validator expects.
func normalize(v any) any {
	data, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var out any
	if err := json.Unmarshal(data, &out); err != nil {
		return nil
	}
	return out
}

// arrayOf finds where a collection schema keeps its items: the schema
// itself when it is an array, else its first array property other than
// link.
func arrayOf(s *openapi3.Schema) (prop string, items *openapi3.Schema, ok bool) {
	if s == nil {
		return "", nil, false
	}
	if s.Type.Is(openapi3.TypeArray) {
		return "", itemsOf(s), true
	}
	props := properties(s)
	names := make([]string, 0, len(props))
	for name := range props {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		p := props[name]
		if name != "link" && p != nil && p.Type.Is(openapi3.TypeArray) {
			return name, itemsOf(p), true
		}
	}
	return "", nil, false
}

func itemsOf(s *openapi3.Schema) *openapi3.Schema {
	if s.Items == nil {
		return nil
	}
	return s.Items.Value
}

// properties returns the properties of s, including those of its allOf
// members.
func properties(s *openapi3.Schema) map[string]*openapi3.Schema {
	out := map[string]*openapi3.Schema{}
	var walk func(*openapi3.Schema, int)
	walk = func(s *openapi3.Schema, depth int) {
		if s == nil || depth > 8 {
			return
		}
		for _, ref := range s.AllOf {
			if ref != nil {
				walk(ref.Value, depth+1)
			}
		}
		for name, ref := range s.Properties {
			if ref != nil && ref.Value != nil {
				out[name] = ref.Value
			}
		}
	}
	walk(s, 0)
	return out
}
