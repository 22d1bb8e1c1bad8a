package whispirtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/whispir-go/whispir"
)

// Seed is a state of the mock: the workspaces, contacts, templates,
// distribution lists, callbacks and custom lists it holds. [WithSeed] (whispir mock
// --seed FILE) starts a server from one, so that a CI job begins from a
// known state, and [Server.State] (GET /_whispir/state) exports the
// current state in the same form. In JSON or YAML:
//
//	workspaces:
//	  - id: 9A4C5521FFC7B15B          # optional; a new id when absent
//	    projectName: Operations
//	    status: A
//	callbacks:
//	  - name: replies
//	    url: http://127.0.0.1:9000/whispir
//	    auth: {type: httpheader, key: not-a-real-key}
//	    callbacks: {reply: enabled, undeliverable: enabled}
//	contacts:
//	  9A4C5521FFC7B15B:               # the workspace's id
//	    - id: C0FFEE
//	      firstName: Jane
//	      lastName: Citizen
//	  default:                        # the company's default workspace
//	    - firstName: John
//	templates: {...}                  # like contacts
//	distributionLists: {...}         # like contacts
//	customLists:                      # read-only in the API
//	  - name: Regions
//	    type: MESSAGE
//	    customlabellists: [{name: North, value: N}]
//
// Each item is the body its create operation takes (workspaceCreate,
// callbackCreate, contactCreate, templateCreate, distributionListCreate),
// checked against the spec, with an optional "id" (upper-cased, as the
// mock's ids are). Custom lists have no create operation (Whispir's are
// made in its web app): each is checked against the schema of
// customListRetrieve's answer, and a seed is the only way to give the mock
// any. Contacts, templates and distribution lists are keyed by
// workspace id, [DefaultWorkspace] for the default workspace. A seeded
// callback's url is not called (it may not be up yet) but must be one the
// server may call, and its name must be unused.
type Seed struct {
	Workspaces        []map[string]any            `json:"workspaces,omitempty"`
	Callbacks         []map[string]any            `json:"callbacks,omitempty"`
	Contacts          map[string][]map[string]any `json:"contacts,omitempty"`
	Templates         map[string][]map[string]any `json:"templates,omitempty"`
	DistributionLists map[string][]map[string]any `json:"distributionLists,omitempty"`
	CustomLists       []map[string]any            `json:"customLists,omitempty"`
}

// DefaultWorkspace is the key of the default workspace's items in a
// [Seed] (the /contacts form of the paths).
const DefaultWorkspace = "default"

// ErrInvalidSeed is wrapped by the errors of [ParseSeed] and
// [Server.LoadSeed].
var ErrInvalidSeed = errors.New("whispirtest: invalid seed")

// seedKind is one kind of item a Seed holds: its field and the create
// operations whose collections it fills.
type seedKind struct {
	field       string
	create      string // in a workspace, or company-wide when inWorkspace is false; a list for a read-only kind
	defaultOp   string // in the default workspace; "" for company-wide kinds
	inWorkspace bool
}

var seedKinds = []seedKind{
	{field: "workspaces", create: "workspaceCreate"},
	{field: "callbacks", create: "callbackCreate"},
	{field: "contacts", create: "contactCreate", defaultOp: "defaultContactCreate", inWorkspace: true},
	{field: "templates", create: "templateCreate", defaultOp: "defaultTemplateCreate", inWorkspace: true},
	{field: "distributionLists", create: "distributionListCreate", defaultOp: "defaultDistributionListCreate", inWorkspace: true},
	{field: "customLists", create: "customListList"},
}

// ParseSeed reads a [Seed] from JSON or YAML and checks each item against
// the spec. Unknown top-level fields are errors (a misspelt field would
// otherwise seed nothing). The error wraps [ErrInvalidSeed] and names the
// item and the rule it breaks, never a value.
func ParseSeed(data []byte) (Seed, error) {
	var tree any
	if err := yaml.Unmarshal(data, &tree); err != nil {
		return Seed{}, fmt.Errorf("%w: not JSON or YAML: %v", ErrInvalidSeed, err)
	}
	js, err := json.Marshal(tree)
	if err != nil {
		return Seed{}, fmt.Errorf("%w: keys must be strings: %v", ErrInvalidSeed, err)
	}
	var seed Seed
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&seed); err != nil {
		return Seed{}, fmt.Errorf("%w: %v", ErrInvalidSeed, err)
	}
	if _, err := seed.entries(); err != nil {
		return Seed{}, err
	}
	return seed, nil
}

// WithSeed starts the server from seed (see [Seed]), and [Server.ResetAll]
// returns to it. NewServer panics when the seed cannot be loaded, as with
// an invalid pattern in regexp.MustCompile: check it with [ParseSeed], or
// call [Server.LoadSeed] for an error instead.
func WithSeed(seed Seed) Option {
	return func(s *Server) {
		cp := seed.clone()
		s.seed = &cp
	}
}

// seedEntry is one item of a seed, checked, ready to be stored.
type seedEntry struct {
	kind string // the seed field
	key  string // the collection it is stored under
	id   string
	obj  map[string]any
}

// entries checks every item of the seed against the spec and returns them
// in the order to store them.
func (seed Seed) entries() ([]seedEntry, error) {
	var out []seedEntry
	for _, k := range seedKinds {
		var groups map[string][]map[string]any
		switch k.field {
		case "workspaces":
			groups = map[string][]map[string]any{"": seed.Workspaces}
		case "callbacks":
			groups = map[string][]map[string]any{"": seed.Callbacks}
		case "customLists":
			groups = map[string][]map[string]any{"": seed.CustomLists}
		case "contacts":
			groups = seed.Contacts
		case "templates":
			groups = seed.Templates
		case "distributionLists":
			groups = seed.DistributionLists
		}
		for _, ws := range slices.Sorted(maps.Keys(groups)) {
			opID, params := k.create, map[string]string{}
			where := k.field
			if k.inWorkspace {
				where += "[" + ws + "]"
				if strings.EqualFold(ws, DefaultWorkspace) || ws == "" {
					opID = k.defaultOp
				} else {
					if err := checkID(ws); err != nil {
						return nil, fmt.Errorf("%w: %s: workspace id %v", ErrInvalidSeed, where, err)
					}
					params["workspaceId"] = strings.ToUpper(ws)
				}
			}
			p, err := planFor(opID)
			if err != nil {
				return nil, err
			}
			key := resolve(p.collection, params)
			seen := map[string]bool{}
			for i, item := range groups[ws] {
				at := fmt.Sprintf("%s[%d]", where, i)
				e, err := newSeedEntry(k.field, key, p, params, item)
				if err != nil {
					return nil, fmt.Errorf("%w: %s: %v", ErrInvalidSeed, at, err)
				}
				if seen[e.id] {
					return nil, fmt.Errorf("%w: %s: id %s is used twice", ErrInvalidSeed, at, e.id)
				}
				seen[e.id] = true
				out = append(out, e)
			}
		}
	}
	return out, nil
}

// newSeedEntry checks one item as the body of p's operation.
func newSeedEntry(kind, key string, p *plan, params map[string]string, item map[string]any) (seedEntry, error) {
	obj := maps.Clone(item)
	if obj == nil {
		obj = map[string]any{}
	}
	e := seedEntry{kind: kind, key: key, id: randomHex(16)}
	if raw, ok := obj["id"]; ok {
		id, isString := raw.(string)
		if !isString {
			return e, errors.New("id must be a string")
		}
		if err := checkID(id); err != nil {
			return e, fmt.Errorf("id %v", err)
		}
		e.id = strings.ToUpper(id)
		delete(obj, "id")
		if err := checkItemPath(key + "/" + url.PathEscape(e.id)); err != nil {
			return e, fmt.Errorf("id: %v", err)
		}
	}
	body, err := json.Marshal(obj)
	if err != nil {
		return e, fmt.Errorf("cannot be encoded as JSON: %v", err)
	}
	if p.kind == kindList {
		// A read-only kind: checked as the answer that retrieves it.
		return e, e.checkAsRetrieved(key, p, obj)
	}
	req, err := http.NewRequest(p.method, resolve(p.path, params), bytes.NewReader(body))
	if err != nil {
		return e, err
	}
	req.Header.Set("Content-Type", p.mediaType)
	route, err := whispir.FindRoute(req, "")
	if err != nil {
		return e, err
	}
	if err := whispir.ValidateRequest(context.Background(), route, req, body); err != nil {
		var ve *whispir.ValidationError
		if errors.As(err, &ve) {
			return e, fmt.Errorf("%s", strings.TrimPrefix(ve.Error(), ve.Operation+": invalid request: "))
		}
		return e, err
	}
	e.obj = decodeObject(body)
	return e, nil
}

// checkAsRetrieved checks an item of a kind the API cannot create (custom
// lists) as the 200 that retrieves it at key/e.id, and keeps it as obj.
func (e *seedEntry) checkAsRetrieved(key string, p *plan, obj map[string]any) error {
	served := maps.Clone(obj)
	served["id"] = e.id
	body, err := json.Marshal(served)
	if err != nil {
		return fmt.Errorf("cannot be encoded as JSON: %v", err)
	}
	req, err := http.NewRequest(http.MethodGet, key+"/"+url.PathEscape(e.id), nil)
	if err != nil {
		return err
	}
	route, err := whispir.FindRoute(req, "")
	if err != nil {
		return err
	}
	header := http.Header{"Content-Type": {p.mediaType}}
	if err := whispir.ValidateResponse(context.Background(), route, req, http.StatusOK, header, body); err != nil {
		var ve *whispir.ValidationError
		if errors.As(err, &ve) {
			return fmt.Errorf("%s", strings.TrimPrefix(ve.Error(), ve.Operation+": invalid response: "))
		}
		return err
	}
	e.obj = obj
	return nil
}

// checkItemPath checks the path of a seeded item against the spec's item
// operations (GET path): an id its pattern refuses could never be reached.
func checkItemPath(path string) error {
	req, err := http.NewRequest(http.MethodGet, path, nil)
	if err != nil {
		return err
	}
	route, err := whispir.FindRoute(req, "")
	if err != nil {
		return nil // no item operation: any id will do
	}
	if err := whispir.ValidateRequest(context.Background(), route, req, nil); err != nil {
		var ve *whispir.ValidationError
		if errors.As(err, &ve) && strings.HasPrefix(ve.Where, "path") {
			return fmt.Errorf("%s: %s", ve.Where, ve.Reason)
		}
	}
	return nil
}

// checkID accepts an id that can be a path segment.
func checkID(id string) error {
	if strings.TrimSpace(id) == "" || strings.ContainsAny(id, "/?#%") || strings.ContainsFunc(id, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return errors.New("must be a non-empty path segment without spaces, '/', '?', '#' or '%'")
	}
	return nil
}

// LoadSeed adds the items of seed (see [Seed]) to the server's state; an
// item whose id is already stored replaces it. Nothing is stored when
// an item is invalid, a callback's url is not one the server may call, or
// a callback's name is taken: the error wraps [ErrInvalidSeed].
func (s *Server) LoadSeed(seed Seed) error {
	entries, err := seed.entries()
	if err != nil {
		return err
	}
	s.hooks.names.Lock()
	defer s.hooks.names.Unlock()
	names := map[string]bool{}
	for _, e := range entries {
		if e.kind != "callbacks" {
			continue
		}
		name, _ := e.obj["name"].(string)
		url, _ := e.obj["url"].(string)
		if _, err := s.callbackURL(url); err != nil {
			return fmt.Errorf("%w: callbacks: %s: url: %v", ErrInvalidSeed, name, err)
		}
		if cb, taken := s.callbackNamed(name); names[name] || (taken && cb.id != e.id) {
			return fmt.Errorf("%w: callbacks: the name %s is taken", ErrInvalidSeed, name)
		}
		names[name] = true
	}
	// Names Whispir keeps unique (templates' in their workspace) must be
	// unique in the seed and against what is stored: checked before
	// anything is stored, so a refused seed stores nothing.
	unique := map[string]*uniqueName{}
	for _, k := range seedKinds {
		if p, err := planFor(k.create); err == nil && p.unique != nil {
			unique[k.field] = p.unique
		}
	}
	seen := map[[2]string]bool{}
	for _, e := range entries {
		u := unique[e.kind]
		if u == nil {
			continue
		}
		name, _ := e.obj[u.property].(string)
		if seen[[2]string{e.key, name}] || s.items.taken(e.key, e.id, e.obj, u) {
			return fmt.Errorf("%w: %s: a %s is taken", ErrInvalidSeed, e.kind, u.property)
		}
		seen[[2]string{e.key, name}] = true
	}
	for _, e := range entries {
		s.items.put(e.key, e.id, e.obj, unique[e.kind])
	}
	return nil
}

// State exports the server's workspaces (but the built-in [WorkspaceID]),
// contacts, templates, distribution lists, callbacks and custom lists as a [Seed] (with
// their ids), which [WithSeed] and [Server.LoadSeed] take back.
func (s *Server) State() Seed {
	var seed Seed
	for _, k := range seedKinds {
		p, err := planFor(k.create)
		if err != nil {
			continue
		}
		var keys []string
		if !k.inWorkspace {
			keys = []string{p.collection}
		} else {
			keys = s.items.keys(func(key string) bool { return fills(p.collection, key) })
			if dp, err := planFor(k.defaultOp); err == nil {
				keys = append(keys, dp.collection)
			}
		}
		for _, key := range keys {
			var list []map[string]any
			for _, it := range s.items.snapshot(key) {
				if k.field == "workspaces" && it.id == WorkspaceID {
					continue // built in: every server has it
				}
				obj := maps.Clone(it.obj)
				obj["id"] = it.id
				list = append(list, obj)
			}
			if len(list) == 0 {
				continue
			}
			switch k.field {
			case "workspaces":
				seed.Workspaces = list
			case "callbacks":
				seed.Callbacks = list
			case "customLists":
				seed.CustomLists = list
			default:
				ws := DefaultWorkspace
				if parts := strings.Split(key, "/"); len(parts) > 2 && parts[1] == "workspaces" {
					ws = parts[2]
				}
				m := seed.field(k.field)
				(*m)[ws] = list
			}
		}
	}
	return seed
}

// field returns the map of a per-workspace field, made when nil.
func (seed *Seed) field(name string) *map[string][]map[string]any {
	var m *map[string][]map[string]any
	switch name {
	case "contacts":
		m = &seed.Contacts
	case "templates":
		m = &seed.Templates
	default:
		m = &seed.DistributionLists
	}
	if *m == nil {
		*m = map[string][]map[string]any{}
	}
	return m
}

// clone is a deep copy of the seed (through JSON, the form it is read in).
func (seed Seed) clone() Seed {
	data, err := json.Marshal(seed)
	if err != nil {
		return seed
	}
	var cp Seed
	if json.Unmarshal(data, &cp) != nil {
		return seed
	}
	return cp
}

// keys returns the keys of the collections that match, sorted.
func (st *itemStore) keys(match func(string) bool) []string {
	st.mu.Lock()
	defer st.mu.Unlock()
	var out []string
	for key := range st.colls {
		if match(key) {
			out = append(out, key)
		}
	}
	slices.Sort(out)
	return out
}

// ResetAll forgets everything the server received and stored: the
// recorded requests, the messages (with their deliveries and replies), the
// items of every collection (callbacks included), the callback calls made,
// the issued tokens and the injected faults. Callback deliveries in
// progress stop. Then the seed of [WithSeed], if any, is loaded again: the
// server is as it started. Credentials and options stay.
func (s *Server) ResetAll() {
	s.mu.Lock()
	s.requests, s.tokens, s.tokenOrder = nil, map[[32]byte]string{}, nil
	s.journal.count, s.journal.bytes = 0, 0
	s.mu.Unlock()
	s.messages.reset()
	s.items.reset()
	s.items.seedWorkspace()
	s.hooks.reset()
	s.ClearFaults()
	if s.seed != nil {
		_ = s.LoadSeed(*s.seed) // it loaded at start: it loads again
	}
}

// fills reports whether key is tpl (a path template) with its parameters
// filled in.
func fills(tpl, key string) bool {
	ts, ks := strings.Split(tpl, "/"), strings.Split(key, "/")
	if len(ts) != len(ks) {
		return false
	}
	for i, seg := range ts {
		if !strings.HasPrefix(seg, "{") && seg != ks[i] {
			return false
		}
	}
	return true
}
