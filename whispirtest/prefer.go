package whispirtest

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/whispir-go/whispir"
)

// A request's Prefer header (RFC 7240) can choose the answer, as Prism
// users do: "Prefer: code=404" answers the operation's declared 404 with
// the spec's example for it, "Prefer: example=NAME" the response example
// called NAME, and both together that example of that status. The request
// is routed, authenticated and validated first, and then answered at once:
// nothing is processed or stored, and no fault applies.

// preferred is one declared response of an operation: what the spec says
// of it, and its named examples.
type preferred struct {
	reply
	named map[string]any // the media type's named examples, decoded
}

// preferences are the declared responses of an operation, by status.
type preferences struct {
	codes  []int // declared statuses, ascending
	byCode map[int]*preferred
}

// loadPreferences reads the declared responses of every operation of the
// embedded spec, once.
var loadPreferences = sync.OnceValues(func() (map[string]*preferences, error) {
	doc, err := whispir.Document()
	if err != nil {
		return nil, err
	}
	out := map[string]*preferences{}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			if op == nil || op.OperationID == "" || op.Responses == nil {
				continue
			}
			out[op.OperationID] = readPreferences(op, whispir.PrimaryMediaType(item, op))
		}
	}
	return out, nil
})

func readPreferences(op *openapi3.Operation, mediaType string) *preferences {
	ps := &preferences{byCode: map[int]*preferred{}}
	for code, ref := range op.Responses.Map() {
		n, err := strconv.Atoi(code)
		if err != nil || ref == nil || ref.Value == nil {
			continue // "default" and the like cannot be asked for
		}
		p := &preferred{reply: responseOf(op, n, mediaType), named: map[string]any{}}
		if mt := ref.Value.Content.Get(p.mediaType); p.mediaType != "" && mt != nil {
			for name, ex := range mt.Examples {
				if ex != nil && ex.Value != nil {
					p.named[name] = normalize(ex.Value.Value)
				}
			}
		}
		ps.codes = append(ps.codes, n)
		ps.byCode[n] = p
	}
	slices.Sort(ps.codes)
	return ps
}

// preference is what a Prefer header asks for.
type preference struct {
	code    int    // 0: not asked
	codeRaw string // as written, for errors
	example string // "": not asked
}

// parsePreference reads the code and example preferences of the Prefer
// headers; others (dynamic=true, respond-async, ...) are ignored.
func parsePreference(h http.Header) (preference, bool) {
	var p preference
	found := false
	for _, line := range h.Values("Prefer") {
		for part := range strings.FieldsFuncSeq(line, func(r rune) bool { return r == ',' || r == ';' }) {
			k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
			v = strings.Trim(strings.TrimSpace(v), `"`)
			switch strings.ToLower(strings.TrimSpace(k)) {
			case "code":
				p.codeRaw, found = v, true
				p.code, _ = strconv.Atoi(v)
			case "example":
				p.example, found = v, true
			}
		}
	}
	return p, found
}

// stepPrefer answers a request whose Prefer header asks for a declared
// status or a named example; a preference the operation cannot meet gets
// the mock's own 406, naming what it can.
func stepPrefer(s *Server, x *exchange) bool {
	pref, ok := parsePreference(x.r.Header)
	if !ok {
		return true
	}
	all, err := loadPreferences()
	if err != nil {
		x.reply(internalError(x.mediaType()))
		return false
	}
	ops := all[x.route.ID]
	if ops == nil {
		x.reply(internalError(x.mediaType()))
		return false
	}
	chosen, example, a := ops.choose(x.route.ID, pref)
	if chosen == nil {
		x.replyMock(a)
		return false
	}
	x.reply(s.preferredAnswer(x, chosen, example))
	return false
}

// choose finds the response and example pref asks for; without one, it
// returns the mock's answer naming what is available.
func (ps *preferences) choose(opID string, pref preference) (*preferred, any, answer) {
	codes := make([]string, len(ps.codes))
	for i, c := range ps.codes {
		codes[i] = strconv.Itoa(c)
	}
	if (pref.codeRaw != "" || pref.example == "") && ps.byCode[pref.code] == nil {
		return nil, nil, mockAnswer(http.StatusNotAcceptable, "prefer-code",
			"Prefer: code="+pref.codeRaw+": "+opID+" declares "+strings.Join(codes, ", "), codes)
	}
	if pref.example == "" {
		p := ps.byCode[pref.code]
		return p, p.exampleBody(), answer{}
	}
	// An example by name: in the status asked for, else in the first
	// status (successes first) that has it.
	order := ps.codes
	if pref.code != 0 {
		order = []int{pref.code}
	} else {
		order = slices.Clone(ps.codes)
		slices.SortStableFunc(order, func(a, b int) int { return boolInt(a >= 300) - boolInt(b >= 300) })
	}
	var names []string
	for _, c := range order {
		p := ps.byCode[c]
		if v, ok := p.named[pref.example]; ok {
			return p, v, answer{}
		}
		for name := range p.named {
			names = append(names, strconv.Itoa(c)+":"+name)
		}
	}
	slices.Sort(names)
	where := opID
	if pref.code != 0 {
		where += " " + strconv.Itoa(pref.code)
	}
	detail := "Prefer: example=" + pref.example + ": " + where + " has no example of that name"
	if len(names) > 0 {
		detail += "; its examples are " + strings.Join(names, ", ")
	} else {
		detail += "; it has no named examples"
	}
	return nil, nil, mockAnswer(http.StatusNotAcceptable, "prefer-example", detail, names)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// preferredAnswer is the answer of a declared response with body v: its
// status, its media type, Location and the other required headers.
func (s *Server) preferredAnswer(x *exchange, p *preferred, v any) answer {
	a := answer{status: p.status, header: http.Header{}}
	if p.mediaType != "" && bodyAllowed(p.status) {
		a.header.Set("Content-Type", p.mediaType)
		if p.json() {
			a.body, _ = json.Marshal(v)
		} else {
			text, _ := v.(string)
			a.body = []byte(text)
		}
	}
	location := s.URL + resolve(x.plan.path, x.route.PathParams())
	if _, _, isItem := itemPath(x.plan.path); x.plan.method == http.MethodPost && !isItem {
		location += "/" + randomHex(16)
	}
	p.addHeaders(a, location)
	return a
}
