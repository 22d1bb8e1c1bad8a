package apigen

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"regexp"
	"strconv"
	"strings"
)

// client is what the generated client declares: its types, the methods of
// ClientWithResponses and its request builders.
type client struct {
	fset    *token.FileSet
	types   map[string]*ast.TypeSpec
	methods map[string]*ast.FuncDecl // of *ClientWithResponses, by lower-cased name
	funcs   map[string]*ast.FuncDecl // top-level functions, by lower-cased name
}

// readClient parses the generated client (no type checking: the names and
// shapes are all it needs).
func readClient(src []byte) (*client, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "client.go", src, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	c := &client{fset: fset, types: map[string]*ast.TypeSpec{}, methods: map[string]*ast.FuncDecl{}, funcs: map[string]*ast.FuncDecl{}}
	for _, decl := range f.Decls {
		switch d := decl.(type) {
		case *ast.GenDecl:
			for _, spec := range d.Specs {
				if ts, ok := spec.(*ast.TypeSpec); ok {
					c.types[ts.Name.Name] = ts
				}
			}
		case *ast.FuncDecl:
			name := strings.ToLower(d.Name.Name)
			if d.Recv == nil {
				c.funcs[name] = d
				continue
			}
			if star, ok := d.Recv.List[0].Type.(*ast.StarExpr); ok {
				if id, ok := star.X.(*ast.Ident); ok && id.Name == "ClientWithResponses" {
					c.methods[name] = d
				}
			}
		}
	}
	return c, nil
}

// param is one parameter of a generated function.
type param struct {
	Name string
	Type string // as declared, e.g. "WorkspaceID" or "*ContactListParams"
}

// withResponse is a ClientWithResponses method: <Op>WithResponse.
type withResponse struct {
	Name     string  // e.g. "ContactCreateWithResponse"
	Params   []param // between ctx and reqEditors
	Response string  // the response struct, e.g. "ContactCreateResponse"
}

// method finds the WithResponse method of operation id.
func (c *client) method(id string) (*withResponse, error) {
	d := c.methods[strings.ToLower(id+"WithResponse")]
	if d == nil {
		return nil, fmt.Errorf("%s: the generated client has no %sWithResponse method", id, id)
	}
	params := c.params(d.Type.Params)
	if len(params) < 2 || params[0].Type != "context.Context" || params[len(params)-1].Type != "...RequestEditorFn" {
		return nil, fmt.Errorf("%s: unexpected signature of %s", id, d.Name.Name)
	}
	res := d.Type.Results
	if res == nil || len(res.List) != 2 {
		return nil, fmt.Errorf("%s: unexpected results of %s", id, d.Name.Name)
	}
	return &withResponse{
		Name:     d.Name.Name,
		Params:   params[1 : len(params)-1],
		Response: strings.TrimPrefix(c.expr(res.List[0].Type), "*"),
	}, nil
}

// builder finds the request builder of operation id: New<Op>Request.
func (c *client) builder(id string) (name string, params []param, err error) {
	d := c.funcs[strings.ToLower("New"+id+"Request")]
	if d == nil {
		return "", nil, fmt.Errorf("%s: the generated client has no New%sRequest function", id, id)
	}
	params = c.params(d.Type.Params)
	if len(params) < 1 || params[0].Type != "string" {
		return "", nil, fmt.Errorf("%s: unexpected signature of %s", id, d.Name.Name)
	}
	return d.Name.Name, params[1:], nil
}

func (c *client) params(fl *ast.FieldList) []param {
	var out []param
	for _, f := range fl.List {
		t := c.expr(f.Type)
		for _, n := range f.Names {
			out = append(out, param{Name: n.Name, Type: t})
		}
	}
	return out
}

// expr prints a type expression as written.
func (c *client) expr(e ast.Expr) string {
	var b bytes.Buffer
	_ = printer.Fprint(&b, c.fset, e)
	return b.String()
}

// resolve follows aliases (type A = B) from name to the type they end at:
// a named type of the package, or a predeclared one such as string.
func (c *client) resolve(name string) string {
	for range 100 {
		ts := c.types[name]
		if ts == nil || !ts.Assign.IsValid() {
			return name
		}
		id, ok := ts.Type.(*ast.Ident)
		if !ok {
			return name
		}
		name = id.Name
	}
	return name
}

// goType is how the api package spells a type of the generated package:
// predeclared types as they are, the package's own qualified, after
// following aliases (WorkspaceID is a string; ContactCreated is a Contact).
func (c *client) goType(name string) string {
	prefix := ""
	for {
		switch {
		case strings.HasPrefix(name, "*"):
			prefix, name = prefix+"*", name[1:]
			continue
		case strings.HasPrefix(name, "[]"):
			prefix, name = prefix+"[]", name[2:]
			continue
		}
		break
	}
	name = c.resolve(name)
	if predeclared[name] {
		return prefix + name
	}
	return prefix + "generated." + name
}

var predeclared = map[string]bool{
	"string": true, "bool": true, "int": true, "int32": true, "int64": true,
	"float32": true, "float64": true, "any": true,
}

// jsonFields returns the JSON2xx fields of a response struct, by status.
func (c *client) jsonFields(response string) (map[int]string, error) {
	fields, err := c.structFields(response)
	if err != nil {
		return nil, err
	}
	out := map[int]string{}
	for _, f := range fields {
		if m := json2xx.FindStringSubmatch(f.Name); m != nil {
			status, _ := strconv.Atoi(m[1])
			out[status] = f.Type
		}
	}
	return out, nil
}

var json2xx = regexp.MustCompile(`^JSON(2\d\d)$`)

// structFields returns the fields of the struct a type name ends at, after
// aliases, in order.
func (c *client) structFields(name string) ([]param, error) {
	resolved := c.resolve(strings.TrimPrefix(name, "*"))
	ts := c.types[resolved]
	if ts == nil {
		return nil, fmt.Errorf("the generated client has no type %s", resolved)
	}
	st, ok := ts.Type.(*ast.StructType)
	if !ok {
		return nil, fmt.Errorf("%s is not a struct", resolved)
	}
	var out []param
	for _, f := range st.Fields.List {
		for _, n := range f.Names {
			out = append(out, param{Name: n.Name, Type: c.expr(f.Type)})
		}
	}
	return out, nil
}
