package apigen

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// handWritten are the creates whose helpers are written by hand.
var handWritten = map[string]bool{
	"messageCreate":        true, // SendMessage, SendBulkMessage (api/messages.go)
	"defaultMessageCreate": true,
}

// helperNames are the create helpers not named Create plus the resource
// of their operationId.
var helperNames = map[string]string{
	"scenarioRunCreate": "RunScenario", // not CreateScenarioRun
	"sendCodeCreate":    "SendCode",    // not CreateSendCode
}

// createPlan is one create helper.
type createPlan struct {
	Name     string
	Doc      []string
	Params   []param // after ctx
	Body     string  // the decoded body's Go type, "" for none
	BodyName string  // its result's name
	Forms    []createForm
}

// createForm is one operation a create helper calls. With two, the first
// is the workspace form, called when workspaceID is not "", and the second
// the default form.
type createForm struct {
	Op              *op
	Method          string
	Args            []string
	JSONField       string // e.g. JSON201; "" for none
	WithoutLocation []int  // 2xx statuses answered without a Location
}

// isCreate reports whether o is a create: a POST whose 2xx answers declare
// a Location.
func isCreate(o *op) bool {
	if o.Method != "POST" || handWritten[o.ID] {
		return false
	}
	return slices.ContainsFunc(o.Answers, func(a answer) bool { return a.Location })
}

func planCreates(ops map[string]*op, src *client) ([]createPlan, error) {
	for id := range helperNames {
		if o := ops[id]; o != nil && !isCreate(o) {
			return nil, fmt.Errorf("helperNames: %s is not a create", id)
		}
	}
	var plans []createPlan
	for _, o := range sortedOps(ops) {
		if !isCreate(o) {
			continue
		}
		def := ops["default"+upperFirst(o.ID)]
		if ws := ops[lowerFirst(strings.TrimPrefix(o.ID, "default"))]; strings.HasPrefix(o.ID, "default") && ws != nil && isCreate(ws) {
			continue // planned with its workspace form
		}
		forms := []*op{o}
		if def != nil && isCreate(def) {
			forms = append(forms, def)
		}
		p, err := planCreate(forms, src)
		if err != nil {
			return nil, err
		}
		plans = append(plans, p)
	}
	slices.SortFunc(plans, func(a, b createPlan) int { return strings.Compare(a.Name, b.Name) })
	return plans, nil
}

func planCreate(forms []*op, src *client) (createPlan, error) {
	var p createPlan
	var body []string // the body type of each form
	for i, o := range forms {
		m, err := src.method(o.ID)
		if err != nil {
			return p, err
		}
		f := createForm{Op: o, Method: m.Name}
		for _, a := range o.Answers {
			if !a.Location {
				if a.Body {
					return p, fmt.Errorf("%s: a %d answer with a body but without a Location", o.ID, a.Status)
				}
				f.WithoutLocation = append(f.WithoutLocation, a.Status)
			}
		}
		fields, err := src.jsonFields(m.Response)
		if err != nil {
			return p, fmt.Errorf("%s: %w", o.ID, err)
		}
		var jsonAnswers []int
		for _, a := range o.Answers {
			if a.JSON {
				jsonAnswers = append(jsonAnswers, a.Status)
			}
		}
		switch len(jsonAnswers) {
		case 0:
			body = append(body, "")
		case 1:
			field, ok := fields[jsonAnswers[0]]
			if !ok {
				return p, fmt.Errorf("%s: %s has no JSON%d field", o.ID, m.Response, jsonAnswers[0])
			}
			f.JSONField = "JSON" + strconv.Itoa(jsonAnswers[0])
			body = append(body, src.goType(strings.TrimPrefix(field, "*")))
		default:
			return p, fmt.Errorf("%s: more than one 2xx answer with a JSON body (%v)", o.ID, jsonAnswers)
		}
		var params []param
		for _, prm := range m.Params {
			params = append(params, param{Name: prm.Name, Type: src.goType(prm.Type)})
			f.Args = append(f.Args, prm.Name)
		}
		if i == 0 {
			p.Params = params
		} else if len(params) != len(p.Params)-1 || len(p.Params) == 0 || p.Params[0] != (param{"workspaceID", "string"}) ||
			!slices.Equal(params, p.Params[1:]) {
			return p, fmt.Errorf("%s and %s: the default form's parameters %v are not the workspace form's %v without workspaceID", forms[0].ID, o.ID, params, p.Params)
		}
		p.Forms = append(p.Forms, f)
	}
	if len(body) == 2 && body[0] != body[1] {
		return p, fmt.Errorf("%s and %s answer different bodies: %s and %s", forms[0].ID, forms[1].ID, body[0], body[1])
	}
	p.Body = body[0]

	primary := forms[0]
	p.Name = helperNames[primary.ID]
	if p.Name == "" {
		p.Name = "Create" + strings.TrimSuffix(strings.TrimSuffix(p.Forms[0].Method, "WithResponse"), "Create")
	}
	if p.Body != "" {
		p.BodyName = lowerInitials(p.Body[strings.LastIndexByte(p.Body, '.')+1:])
		for _, prm := range p.Params {
			if prm.Name == p.BodyName || p.BodyName == "id" || p.BodyName == "err" {
				p.BodyName = "created"
			}
		}
	}

	first := p.Name + " " + strings.TrimSuffix(thirdPerson(primary.Summary), ".")
	if len(forms) == 2 {
		first += ` in a workspace (the default one when workspaceID is "")`
	}
	first += " and returns the id that the answer's Location names"
	if without := p.Forms[0].WithoutLocation; len(without) > 0 {
		first += fmt.Sprintf(`, or "" when it answers %s, without one`, statuses(without))
	}
	if p.Body != "" {
		first += ", with the decoded answer"
	}
	p.Doc = append([]string{first + "."}, paragraphs(primary.Description)...)
	var located []int
	for _, a := range primary.Answers {
		if a.Location {
			located = append(located, a.Status)
		}
	}
	p.Doc = append(p.Doc, "A "+statuses(located)+" answer without a usable Location (one whose last path segment is not an id) is an error wrapping ErrNoID; a non-2xx answer is an *Error.")
	p.Doc = append(p.Doc, specLine(forms...))
	return p, nil
}

// statuses lists status codes in prose: "204", "200 or 204".
func statuses(s []int) string {
	var parts []string
	for _, v := range s {
		parts = append(parts, strconv.Itoa(v))
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " or " + parts[len(parts)-1]
}

func emitCreates(b *bytes.Buffer, plans []createPlan) {
	b.WriteString("import (\n\t\"context\"\n\n\t\"github.com/whispir-go/whispir/generated\"\n)\n")
	for _, p := range plans {
		var doc strings.Builder
		comment(&doc, p.Doc)
		b.WriteString("\n" + doc.String())
		params := append([]param{{"ctx", "context.Context"}}, p.Params...)
		results, zero := "(id string, err error)", `""`
		if p.Body != "" {
			results, zero = fmt.Sprintf("(id string, %s *%s, err error)", p.BodyName, p.Body), `"", nil`
		}
		fmt.Fprintf(b, "func (c *Client) %s(%s) %s {\n", p.Name, signature(params), results)
		fmt.Fprintf(b, "\tif c == nil {\n\t\treturn %s, errNilClient\n\t}\n", zero)
		emitForm := func(f createForm, indent string) {
			fmt.Fprintf(b, "%sresp, err := c.%s(%s)\n", indent, f.Method, strings.Join(append([]string{"ctx"}, f.Args...), ", "))
			fmt.Fprintf(b, "%sif err != nil {\n%s\treturn %s, err\n%s}\n", indent, indent, zero, indent)
			args := []string{strconv.Quote(f.Op.ID), "resp.HTTPResponse"}
			for _, s := range f.WithoutLocation {
				args = append(args, strconv.Itoa(s))
			}
			fmt.Fprintf(b, "%sif id, err = createdID(%s); err != nil {\n%s\treturn %s, err\n%s}\n", indent, strings.Join(args, ", "), indent, zero, indent)
			if p.Body != "" {
				fmt.Fprintf(b, "%sreturn id, resp.%s, nil\n", indent, f.JSONField)
			} else {
				fmt.Fprintf(b, "%sreturn id, nil\n", indent)
			}
		}
		emitForms(b, len(p.Forms), func(i int, indent string) { emitForm(p.Forms[i], indent) })
	}
}

// emitForms writes the end of a helper's body that calls one of n forms:
// with two, the second (default or company-wide) under
// `if workspaceID == ""`, then the first.
func emitForms(b *bytes.Buffer, n int, emit func(form int, indent string)) {
	if n == 2 {
		b.WriteString("\tif workspaceID == \"\" {\n")
		emit(1, "\t\t")
		b.WriteString("\t}\n")
	}
	emit(0, "\t")
	b.WriteString("}\n")
}
