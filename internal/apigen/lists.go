package apigen

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// pagingReference is the list whose iterator's doc explains how every
// iterator pages; the others point to it.
const pagingReference = "messageList"

// pagingDoc is that explanation.
const pagingDoc = "Like every list iterator of Client, it asks for pages of PageSize (20) items unless params (which may be nil) sets Limit, fetches each page only when the loop reaches it, and yields an error once, as its last value, when a page fails. A Limit over 20 breaks the spec: it is refused with ErrInvalidRequest and nothing is sent."

// scope is how a list iterator's workspaceID argument works.
type scope int

const (
	unscoped        scope = iota // no workspaceID argument of its own
	defaultScoped                // "": the default workspace (xList and defaultXList)
	companyOrScoped              // "": the whole company (xList and xWorkspaceList)
)

// listPlan is one iterator.
type listPlan struct {
	Name       string
	Doc        []string
	Params     []param // after ctx, before params
	ParamsType string  // of params
	Page       string  // the page's Go type
	Item       string  // the items' Go type
	Items      string  // the expression of the page p's items
	Scope      scope
	Forms      []listForm // the form for workspaceID "" last
	Convert    *conversion
}

// listForm is one operation an iterator calls.
type listForm struct {
	Op         *op
	Builder    string
	Args       []string // path arguments after server
	ParamsType string
	Params     string // the expression passed as its params
	EmptyOn404 bool
}

// conversion is a generated function that keeps the parameters of the
// primary form that another form takes, and refuses the others.
type conversion struct {
	Func     string
	From, To string
	Op       string // the operation that takes To
	Common   []string
	Refused  []string
}

func planLists(ops map[string]*op, src *client) ([]listPlan, error) {
	used := map[string]bool{}
	var plans []listPlan
	for _, o := range sortedOps(ops) {
		if !o.List || used[o.ID] {
			continue
		}
		// Pair o with its other form, o being the primary one: the
		// workspace form of X/defaultX, the company form of
		// xList/xWorkspaceList.
		var other *op
		sc := unscoped
		if d := ops["default"+upperFirst(o.ID)]; d != nil && d.List {
			other, sc = d, defaultScoped
		} else if base, ok := strings.CutSuffix(o.ID, "List"); ok {
			if w := ops[base+"WorkspaceList"]; w != nil && w.List {
				other, sc = w, companyOrScoped
			}
		}
		if strings.HasPrefix(o.ID, "default") {
			if ws := ops[lowerFirst(strings.TrimPrefix(o.ID, "default"))]; ws != nil && ws.List {
				continue // planned with its workspace form
			}
		}
		if base, ok := strings.CutSuffix(o.ID, "WorkspaceList"); ok {
			if c := ops[base+"List"]; c != nil && c.List {
				continue // planned with its company form
			}
		}
		p, err := planList(o, other, sc, src)
		if err != nil {
			return nil, err
		}
		used[o.ID] = true
		if other != nil {
			used[other.ID] = true
		}
		plans = append(plans, p)
	}
	slices.SortFunc(plans, func(a, b listPlan) int { return strings.Compare(a.Name, b.Name) })
	return plans, nil
}

func planList(primary, other *op, sc scope, src *client) (listPlan, error) {
	p := listPlan{Scope: sc}
	builder, params, err := src.builder(primary.ID)
	if err != nil {
		return p, err
	}
	if len(params) == 0 || params[len(params)-1].Name != "params" {
		return p, fmt.Errorf("%s: %s takes no params", primary.ID, builder)
	}
	p.ParamsType = src.goType(strings.TrimPrefix(params[len(params)-1].Type, "*"))
	path := params[:len(params)-1]
	for _, prm := range path {
		p.Params = append(p.Params, param{Name: prm.Name, Type: src.goType(prm.Type)})
	}
	m, err := src.method(primary.ID)
	if err != nil {
		return p, err
	}
	fields, err := src.jsonFields(m.Response)
	if err != nil {
		return p, fmt.Errorf("%s: %w", primary.ID, err)
	}
	page, ok := fields[200]
	if !ok {
		return p, fmt.Errorf("%s: %s has no JSON200 field", primary.ID, m.Response)
	}
	p.Page = src.goType(strings.TrimPrefix(page, "*"))
	pageFields, err := src.structFields(page)
	if err != nil {
		return p, fmt.Errorf("%s: %w", primary.ID, err)
	}
	linked := false
	for _, f := range pageFields {
		if f.Name == "Link" {
			linked = true
			continue
		}
		t, ptr := strings.CutPrefix(f.Type, "*")
		if item, ok := strings.CutPrefix(t, "[]"); ok {
			if p.Item != "" {
				return p, fmt.Errorf("%s: the page %s has more than one list of items", primary.ID, page)
			}
			p.Item = src.goType(item)
			p.Items = "p." + f.Name
			if ptr {
				p.Items = "deref(p." + f.Name + ")"
			}
		}
	}
	if p.Item == "" {
		return p, fmt.Errorf("%s: the page %s has no list of items", primary.ID, page)
	}

	main := listForm{Op: primary, Builder: builder, Args: names(path), ParamsType: p.ParamsType, Params: "params", EmptyOn404: primary.NotFoundIsEmpty}
	switch sc {
	case unscoped:
		p.Forms = []listForm{main}
	case defaultScoped, companyOrScoped:
		// The primary is the workspace form of a defaultScoped pair: its
		// first path parameter is the workspace.
		if sc == defaultScoped && (len(path) == 0 || path[0].Name != "workspaceID") {
			return p, fmt.Errorf("%s: the workspace form's first path parameter is not workspaceID", primary.ID)
		}
		f, conv, err := planOtherForm(p, primary, other, sc, src)
		if err != nil {
			return p, err
		}
		p.Convert = conv
		if sc == defaultScoped {
			p.Forms = []listForm{main, f}
		} else {
			p.Params = append([]param{{Name: "workspaceID", Type: "string"}}, p.Params...)
			p.Forms = []listForm{f, main}
		}
	}

	base := strings.TrimSuffix(strings.TrimSuffix(m.Name, "WithResponse"), "List")
	p.Name = plural(base)
	first := p.Name + " iterates over " + strings.TrimSuffix(object(primary.Summary), ".")
	switch sc {
	case defaultScoped:
		first += ` in a workspace (the default one when workspaceID is "")`
	case companyOrScoped:
		first += ` in a workspace, or in the whole company when workspaceID is ""`
	}
	p.Doc = append([]string{first + "."}, paragraphs(primary.Description)...)
	var notes []string
	var empty []string
	for _, f := range p.Forms {
		if f.EmptyOn404 {
			empty = append(empty, f.Op.ID)
		}
	}
	if len(empty) > 0 {
		notes = append(notes, "Where "+strings.Join(empty, " and ")+" answers 404 to a search that matches nothing, the iterator yields nothing, without an error.")
	}
	if c := p.Convert; c != nil {
		notes = append(notes, fmt.Sprintf("The fields %s of params are for %s only: with a workspaceID they are refused with ErrInvalidRequest, and nothing is sent.", prose(c.Refused), primary.ID))
	}
	switch {
	case primary.ID == pagingReference:
		notes = append(notes, pagingDoc)
	case linked:
		notes = append(notes, "It pages as [Client.Messages] does.")
	default:
		notes = append(notes, "It pages as [Client.Messages] does, but by offset: its pages carry no links.")
	}
	p.Doc = append(p.Doc, strings.Join(notes, " "))
	forms := []*op{primary}
	if other != nil {
		forms = append(forms, other)
	}
	p.Doc = append(p.Doc, specLine(forms...))
	return p, nil
}

// planOtherForm plans the form of a pair that is not the primary, and the
// conversion of the primary's parameters to its own when they differ.
func planOtherForm(p listPlan, primary, other *op, sc scope, src *client) (listForm, *conversion, error) {
	builder, params, err := src.builder(other.ID)
	if err != nil {
		return listForm{}, nil, err
	}
	if len(params) == 0 || params[len(params)-1].Name != "params" {
		return listForm{}, nil, fmt.Errorf("%s: %s takes no params", other.ID, builder)
	}
	path := params[:len(params)-1]
	want := names(p.Params) // the primary's path parameters
	switch sc {
	case defaultScoped:
		want = want[1:] // without workspaceID
	case companyOrScoped:
		want = append([]string{"workspaceID"}, want...)
	}
	if got := names(path); !slices.Equal(got, want) {
		return listForm{}, nil, fmt.Errorf("%s and %s: path parameters %v; want %v", primary.ID, other.ID, got, want)
	}
	f := listForm{Op: other, Builder: builder, Args: names(path), EmptyOn404: other.NotFoundIsEmpty}
	f.ParamsType = src.goType(strings.TrimPrefix(params[len(params)-1].Type, "*"))
	from, err := src.structFields(p.ParamsType[len("generated."):])
	if err != nil {
		return listForm{}, nil, err
	}
	to, err := src.structFields(f.ParamsType[len("generated."):])
	if err != nil {
		return listForm{}, nil, err
	}
	if slices.Equal(from, to) {
		f.Params = "(*" + f.ParamsType + ")(params)"
		return f, nil, nil
	}
	conv := &conversion{Func: other.ID + "Params", From: p.ParamsType, To: f.ParamsType, Op: other.ID}
	for _, field := range from {
		switch i := slices.IndexFunc(to, func(t param) bool { return t.Name == field.Name }); {
		case i >= 0 && to[i].Type == field.Type:
			conv.Common = append(conv.Common, field.Name)
		case i >= 0:
			return listForm{}, nil, fmt.Errorf("%s and %s: parameter %s has types %s and %s", primary.ID, other.ID, field.Name, field.Type, to[i].Type)
		case !strings.HasPrefix(field.Type, "*"):
			return listForm{}, nil, fmt.Errorf("%s: parameter %s, which %s does not take, is not optional", primary.ID, field.Name, other.ID)
		default:
			conv.Refused = append(conv.Refused, field.Name)
		}
	}
	if len(conv.Common) != len(to) {
		return listForm{}, nil, fmt.Errorf("%s takes parameters %s does not", other.ID, primary.ID)
	}
	f.Params = "wp"
	return f, conv, nil
}

// signature writes parameters as Go declares them, with consecutive ones of
// one type sharing it: "ctx context.Context, workspaceID, messageID string".
func signature(ps []param) string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(p.Name)
		if i == len(ps)-1 || ps[i+1].Type != p.Type {
			b.WriteString(" " + p.Type)
		}
	}
	return b.String()
}

func names(ps []param) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return out
}

// prose lists words: "A", "A and B", "A, B and C".
func prose(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}

func emitLists(b *bytes.Buffer, plans []listPlan) {
	imports := []string{"context", "iter"}
	if slices.ContainsFunc(plans, func(p listPlan) bool { return p.Convert != nil }) {
		imports = append(imports, "fmt")
	}
	if slices.ContainsFunc(plans, func(p listPlan) bool {
		return slices.ContainsFunc(p.Forms, func(f listForm) bool { return len(f.Args) > 0 })
	}) {
		imports = append(imports, "net/http")
	}
	slices.Sort(imports)
	b.WriteString("import (\n")
	for _, imp := range imports {
		b.WriteString("\t" + strconv.Quote(imp) + "\n")
	}
	b.WriteString("\n\t\"github.com/whispir-go/whispir/generated\"\n)\n")
	for _, p := range plans {
		var doc strings.Builder
		comment(&doc, p.Doc)
		b.WriteString("\n" + doc.String())
		params := append([]param{{"ctx", "context.Context"}}, p.Params...)
		params = append(params, param{"params", "*" + p.ParamsType})
		fmt.Fprintf(b, "func (c *Client) %s(%s) iter.Seq2[%s, error] {\n", p.Name, signature(params), p.Item)
		fmt.Fprintf(b, "\titems := func(p *%s) []%s { return %s }\n", p.Page, p.Item, p.Items)
		emitForm := func(f listForm, indent string) {
			if f.Params == "wp" {
				fmt.Fprintf(b, "%swp, err := %s(params)\n%sif err != nil {\n%s\treturn failed[%s](err)\n%s}\n", indent, p.Convert.Func, indent, indent, p.Item, indent)
			}
			build := "generated." + f.Builder
			if len(f.Args) > 0 {
				build = fmt.Sprintf("func(server string, p *%s) (*http.Request, error) {\n%s\treturn generated.%s(server, %s, p)\n%s}", f.ParamsType, indent, f.Builder, strings.Join(f.Args, ", "), indent)
			}
			call := fmt.Sprintf("list(ctx, c, %s, %s, items)", build, f.Params)
			if f.EmptyOn404 {
				call = "emptyIfNotFound(" + call + ")"
			}
			fmt.Fprintf(b, "%sreturn %s\n", indent, call)
		}
		emitForms(b, len(p.Forms), func(i int, indent string) { emitForm(p.Forms[i], indent) })
		if c := p.Convert; c != nil {
			var checks, fields []string
			for _, f := range c.Refused {
				checks = append(checks, "p."+f+" != nil")
			}
			for _, f := range c.Common {
				fields = append(fields, f+": p."+f)
			}
			var doc strings.Builder
			comment(&doc, []string{fmt.Sprintf("%s keeps the parameters of p that %s takes, and refuses the others with ErrInvalidRequest.", c.Func, c.Op)})
			b.WriteString("\n" + doc.String())
			fmt.Fprintf(b, "func %s(p *%s) (*%s, error) {\n", c.Func, c.From, c.To)
			b.WriteString("\tif p == nil {\n\t\treturn nil, nil\n\t}\n")
			fmt.Fprintf(b, "\tif %s {\n", strings.Join(checks, " || "))
			fmt.Fprintf(b, "\t\treturn nil, fmt.Errorf(\"%s: %%w: %s are for the company-wide list only\", ErrInvalidRequest)\n", c.Op, prose(c.Refused))
			b.WriteString("\t}\n")
			fmt.Fprintf(b, "\treturn &%s{%s}, nil\n}\n", c.To, strings.Join(fields, ", "))
		}
	}
}
