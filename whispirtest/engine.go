package whispirtest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
)

// itemStore is the generic engine's state: the items created through
// ...Create operations, per collection. A collection is keyed by its path
// with the path parameters filled in, so the same resource in two
// workspaces, or in a workspace and the default workspace, is kept apart.
//
// It keeps at most Limits.Items items and Limits.Bytes of them over all
// collections: the oldest are dropped first, and an emptied collection
// is forgotten.
type itemStore struct {
	mu     sync.Mutex
	colls  map[string]*collection
	order  []itemRef // every item put, oldest first; some since removed
	seq    uint64    // of the last item put
	budget budget
}

type collection struct {
	ids   []string // in creation order
	items map[string]map[string]any
	sizes map[string]int    // about how many bytes each item holds
	seqs  map[string]uint64 // when each item was put
}

// itemRef names an item in itemStore.order.
type itemRef struct {
	key, id string
	seq     uint64
}

type item struct {
	id  string
	obj map[string]any
}

// serve answers an operation the mock has no handler for, as its plan says.
func (st *itemStore) serve(s *Server, p *plan, params map[string]string, query url.Values, body []byte) answer {
	key := resolve(p.collection, params)
	switch p.kind {
	case kindCreate:
		id := p.newID()
		obj := decodeObject(body)
		if fill := defaults[p.bodyRef]; fill != nil {
			fill(obj)
		}
		if !st.put(key, id, obj, p.unique) {
			return nameTaken(p)
		}
		self := s.URL + key + "/" + id
		a := p.ok.success(view(obj, id, p.selfLink(self), p.ok.schema))
		p.ok.addHeaders(a, self)
		return a
	case kindList:
		return st.list(s, p, key, query)
	case kindRetrieve, kindUpdate, kindDelete:
		// A collection nothing can be stored in (custom lists, made in
		// Whispir's web app) holds no item: 404 for every id.
		id := p.canonicalID(params[p.idParam])
		self := s.URL + key + "/" + id
		var obj map[string]any
		var ok bool
		switch p.kind {
		case kindRetrieve:
			obj, ok = st.get(key, id)
		case kindUpdate:
			obj = decodeObject(body)
			var taken bool
			if ok, taken = st.replace(key, id, obj, p.unique); taken {
				return nameTaken(p)
			}
		case kindDelete:
			obj, ok = st.remove(key, id)
		}
		if !ok {
			return notFound(p.mediaType)
		}
		a := p.ok.success(view(obj, id, self, p.ok.schema))
		p.ok.addHeaders(a, self)
		return a
	case kindDeleteAll:
		st.clear(key)
	}
	a := p.ok.success(nil)
	location := s.URL + resolve(p.path, params)
	if _, _, isItem := itemPath(p.path); p.method == http.MethodPost && !isItem {
		// A POST that makes something answers its URI: next to the path
		// posted to, named by the body's id when it has one (POST
		// /otp/send-code makes /otp/{id}), else a new id.
		if id := bodyID(a.body); id != "" {
			location = s.URL + path.Dir(resolve(p.path, params)) + "/" + id
		} else {
			location += "/" + randomHex(16)
		}
	}
	p.ok.addHeaders(a, location)
	return a
}

// workspacesPath is the collection of workspaces, where workspaceCreate
// stores them.
const workspacesPath = "/workspaces"

// seedWorkspace stores [WorkspaceID], so that workspaceList and
// workspaceRetrieve show it. It is built in: outside the store's budget and
// its order of age, so the limits never drop it.
func (st *itemStore) seedWorkspace() {
	st.mu.Lock()
	defer st.mu.Unlock()
	c := st.coll(workspacesPath, true)
	if _, ok := c.items[WorkspaceID]; ok {
		return
	}
	c.ids = append(c.ids, WorkspaceID)
	c.items[WorkspaceID] = map[string]any{"projectName": "whispirtest", "status": "A"}
}

// knowsWorkspace reports whether id (a workspaceId path value) names
// WorkspaceID or a workspace created through workspaceCreate.
func (s *Server) knowsWorkspace(id string) bool {
	id = strings.ToUpper(id)
	if id == WorkspaceID {
		return true
	}
	_, ok := s.items.get(workspacesPath, id)
	return ok
}

// nameTaken is the 422 for an item whose unique property another item of
// the collection already has.
func nameTaken(p *plan) answer {
	return apiError(http.StatusUnprocessableEntity, p.mediaType, summaryUnprocessable, p.unique.text, "")
}

// newUUID returns a random (version 4) UUID in lower case, the form of
// Whispir's API key ids.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 9562 variant
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// bodyID returns the string "id" of a JSON object body, or "".
func bodyID(body []byte) string {
	var v struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(body, &v) != nil {
		return ""
	}
	return v.ID
}

// list answers a ...List operation: a page of the stored items; with none,
// an empty page ("No records found" where the collection has a status),
// also for the collections no operation can fill (custom lists, a
// workspace's activities and users).
func (st *itemStore) list(s *Server, p *plan, key string, query url.Values) answer {
	items := st.snapshot(key)
	pg := pageOf(query, len(items))
	views := make([]any, 0, pg.hi-pg.lo)
	for _, it := range items[pg.lo:pg.hi] {
		views = append(views, conform(view(it.obj, it.id, p.selfLink(s.URL+key+"/"+it.id), p.itemSchema), p.itemSchema))
	}
	if p.arrayProp == "" {
		return p.ok.success(views)
	}
	body := map[string]any{}
	if len(views) > 0 {
		body[p.arrayProp] = views
	}
	if hasProperty(p.ok.schema, "status") {
		body["status"] = pg.status()
	}
	if hasProperty(p.ok.schema, "link") {
		body["link"] = pg.links(s.URL+key, query)
	}
	return p.ok.success(body)
}

// view is an item as served: its fields, its id and a self link, the last
// two only where the schema has such properties. With self "" (an item no
// operation reads), the links are empty.
func view(obj map[string]any, id, self string, s *openapi3.Schema) map[string]any {
	out := maps.Clone(obj)
	if out == nil {
		out = map[string]any{}
	}
	if hasProperty(s, "id") {
		out["id"] = id
	}
	if hasProperty(s, "link") {
		out["link"] = []any{}
		if self != "" {
			out["link"] = []any{map[string]any{"uri": self, "rel": "self", "method": "GET"}}
		}
	}
	return out
}

// selfLink is self when an operation reads the plan's items, else "".
func (p *plan) selfLink(self string) string {
	if !p.itemOps {
		return ""
	}
	return self
}

// defaults fill what Whispir fills in an item it stores, by the schema
// of the create's body: an activity's time is when it was logged
// (reference section 5.17).
var defaults = map[string]func(obj map[string]any){
	"#/components/schemas/Activity": func(obj map[string]any) {
		if _, ok := obj["time"]; !ok {
			obj["time"] = time.Now().Format(shortTime)
		}
	},
}

// addHeaders sets the headers r declares: Location when location is given,
// and an example value for any other required header.
func (r reply) addHeaders(a answer, location string) {
	for name, h := range r.headers {
		switch {
		case strings.EqualFold(name, "Location"):
			if location != "" {
				a.header.Set("Location", location)
			}
		case h.Required && a.header.Get(name) == "":
			a.header.Set(name, headerExample(h))
		}
	}
}

func headerExample(h *openapi3.Header) string {
	v := h.Example
	if v == nil && h.Schema != nil && h.Schema.Value != nil {
		v = minimal(h.Schema.Value, 0)
	}
	if v == nil {
		return "x"
	}
	return fmt.Sprint(v)
}

// resolve fills the parameters of a path template.
func resolve(tpl string, params map[string]string) string {
	segs := strings.Split(tpl, "/")
	for i, seg := range segs {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			segs[i] = url.PathEscape(params[seg[1:len(seg)-1]])
		}
	}
	return strings.Join(segs, "/")
}

// decodeObject decodes a JSON object body; anything else is an empty
// object. The body has been validated against the spec already.
func decodeObject(body []byte) map[string]any {
	var obj map[string]any
	if err := json.Unmarshal(body, &obj); err != nil || obj == nil {
		return map[string]any{}
	}
	return obj
}

func (st *itemStore) coll(key string, create bool) *collection {
	if st.colls == nil {
		st.colls = map[string]*collection{}
	}
	c := st.colls[key]
	if c == nil && create {
		c = &collection{items: map[string]map[string]any{}, sizes: map[string]int{}, seqs: map[string]uint64{}}
		st.colls[key] = c
	}
	return c
}

// put stores obj under id; false, and nothing stored, when unique is set
// and another item has the same value of its property.
func (st *itemStore) put(key, id string, obj map[string]any, unique *uniqueName) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	c := st.coll(key, true)
	if c.taken(obj, id, unique) {
		return false
	}
	if _, dup := c.items[id]; dup {
		st.drop(key, c, id)
		c = st.coll(key, true)
	}
	st.seq++
	c.ids = append(c.ids, id)
	c.items[id], c.sizes[id], c.seqs[id] = obj, objectSize(obj), st.seq
	st.order = append(st.order, itemRef{key: key, id: id, seq: st.seq})
	st.budget.add(c.sizes[id])
	st.trim()
	return true
}

// trim drops the oldest items while the store is over its limits, and
// compacts the order when removed items fill most of it; the caller holds
// st.mu.
func (st *itemStore) trim() {
	for st.budget.over() && len(st.order) > 0 {
		ref := st.order[0]
		st.order = st.order[1:]
		if c := st.colls[ref.key]; c != nil && c.seqs[ref.id] == ref.seq {
			st.drop(ref.key, c, ref.id)
		}
	}
	if len(st.order) > 2*st.budget.count+1024 {
		live := st.order[:0:0]
		for _, ref := range st.order {
			if c := st.colls[ref.key]; c != nil && c.seqs[ref.id] == ref.seq {
				live = append(live, ref)
			}
		}
		st.order = live
	}
}

// drop removes an item of collection c (stored under key); an emptied
// collection is forgotten. The caller holds st.mu.
func (st *itemStore) drop(key string, c *collection, id string) {
	st.budget.remove(c.sizes[id])
	delete(c.items, id)
	delete(c.sizes, id)
	delete(c.seqs, id)
	if i := slices.Index(c.ids, id); i >= 0 {
		c.ids = slices.Delete(c.ids, i, i+1)
	}
	if len(c.ids) == 0 {
		delete(st.colls, key)
	}
}

// reset forgets every item.
func (st *itemStore) reset() {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.colls, st.order = nil, nil
	st.budget.count, st.budget.bytes = 0, 0
}

// objectSize is about how many bytes obj holds: its JSON length.
func objectSize(obj map[string]any) int {
	data, _ := json.Marshal(obj)
	return len(data) + 128
}

// taken reports whether an item of the collection key other than self has
// obj's value of the unique property.
func (st *itemStore) taken(key, self string, obj map[string]any, unique *uniqueName) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	c := st.coll(key, false)
	return c != nil && c.taken(obj, self, unique)
}

// taken reports whether an item other than self has obj's value of the
// unique property.
func (c *collection) taken(obj map[string]any, self string, unique *uniqueName) bool {
	if unique == nil {
		return false
	}
	v, ok := obj[unique.property].(string)
	if !ok {
		return false
	}
	for id, other := range c.items {
		if o, ok := other[unique.property].(string); ok && id != self && o == v {
			return true
		}
	}
	return false
}

func (st *itemStore) get(key, id string) (map[string]any, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if c := st.coll(key, false); c != nil {
		obj, ok := c.items[id]
		return obj, ok
	}
	return nil, false
}

// replace stores obj in place of the item id; found is false when there
// is none, taken is true (and nothing replaced) when unique is set and
// another item has the same value of its property.
func (st *itemStore) replace(key, id string, obj map[string]any, unique *uniqueName) (found, taken bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	c := st.coll(key, false)
	if c == nil || c.items[id] == nil {
		return false, false
	}
	if c.taken(obj, id, unique) {
		return true, true
	}
	size := objectSize(obj)
	st.budget.bytes += size - c.sizes[id]
	c.items[id], c.sizes[id] = obj, size
	st.trim()
	return true, false
}

func (st *itemStore) remove(key, id string) (map[string]any, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	c := st.coll(key, false)
	if c == nil || c.items[id] == nil {
		return nil, false
	}
	obj := c.items[id]
	st.drop(key, c, id)
	return obj, true
}

func (st *itemStore) clear(key string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if c := st.colls[key]; c != nil {
		for _, id := range slices.Clone(c.ids) {
			st.drop(key, c, id)
		}
	}
	st.trim()
}

func (st *itemStore) snapshot(key string) []item {
	st.mu.Lock()
	defer st.mu.Unlock()
	c := st.coll(key, false)
	if c == nil {
		return nil
	}
	out := make([]item, len(c.ids))
	for i, id := range c.ids {
		out[i] = item{id: id, obj: c.items[id]}
	}
	return out
}
