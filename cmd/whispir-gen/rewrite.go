package main

import (
	"fmt"
	"go/ast"
	"go/token"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// mediaTypeRenames finds the identifiers of f that spell out a named media
// type and returns their new names (see names.go for the rule and the
// shapes below for where the name goes):
//
//	MessageCreateWith<T>Body                 -> MessageCreateBulk
//	MessageCreateWith<T>BodyWithResponse     -> MessageCreateBulkWithResponse
//	NewMessageCreateRequestWith<T>Body       -> NewMessageCreateBulkRequest
//	MessageCreate<T>RequestBody, <T>Body     -> MessageCreateBulkRequestBody, BulkBody
//	ThingCreate201<T>Response, <T>201        -> ThingCreate201ThingV2JSONResponse, ThingV2JSON201
//
// where <T> is oapi-codegen's spelling of the media type, with or without
// "Plus" for its "+". A new name that another identifier of f already has
// is an error, as is one given twice.
func mediaTypeRenames(f *ast.File, names map[string]string) (map[string]string, error) {
	type sig struct{ mediaType, letters string }
	var sigs []sig
	for mt := range names {
		letters := lettersOf(mt)
		sigs = append(sigs, sig{mt, letters})
		if plus := lettersOf(strings.Replace(mt, "+", "plus", 1)); plus != letters {
			sigs = append(sigs, sig{mt, plus})
		}
	}
	// Longest first, so a media type whose letters extend another's wins.
	slices.SortFunc(sigs, func(a, b sig) int {
		if d := len(b.letters) - len(a.letters); d != 0 {
			return d
		}
		return strings.Compare(a.letters, b.letters)
	})
	idents := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			idents[id.Name] = true
		}
		return true
	})
	renames := map[string]string{}
	from := map[string]string{} // new name -> old name
	for _, old := range sortedKeys(idents) {
		lower := strings.ToLower(old)
		for _, s := range sigs {
			i := camelIndex(old, lower, s.letters)
			if i < 0 {
				continue
			}
			name, err := placeName(old, i, i+len(s.letters), names[s.mediaType], formatSuffix(s.mediaType))
			if err != nil {
				return nil, fmt.Errorf("media type %s: %w", s.mediaType, err)
			}
			if idents[name] {
				return nil, fmt.Errorf("media type %s: Go name %s (for %s) is already taken; give the media type another with x-go-name", s.mediaType, name, old)
			}
			if prev, dup := from[name]; dup {
				return nil, fmt.Errorf("media type %s: Go name %s would stand for both %s and %s; give the media type another with x-go-name", s.mediaType, name, prev, old)
			}
			renames[old], from[name] = name, old
			break
		}
	}
	return renames, nil
}

// lettersOf is what oapi-codegen keeps of a media type in a Go name, in
// lower case: its letters and digits.
func lettersOf(mt string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(mt) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// camelIndex finds letters in ident (lower is its lower case) where it
// starts a camel-case word and ends before another word or a number.
func camelIndex(ident, lower, letters string) int {
	for off := 0; ; {
		i := strings.Index(lower[off:], letters)
		if i < 0 {
			return -1
		}
		i += off
		end := i + len(letters)
		if unicode.IsUpper(rune(ident[i])) && (end == len(ident) || unicode.IsUpper(rune(ident[end])) || unicode.IsDigit(rune(ident[end]))) {
			return i
		}
		off = i + 1
	}
}

// placeName builds the new name of ident, whose media type spelling is
// ident[i:end].
func placeName(ident string, i, end int, name, suffix string) (string, error) {
	pre, post := ident[:i], ident[end:]
	if !strings.HasPrefix(post, "Body") && !strings.HasPrefix(post, "RequestBody") {
		// A response: the format follows the name, as in JSON201.
		return pre + name + suffix + post, nil
	}
	if name == "" {
		return "", fmt.Errorf("a request body needs a Go name; give the media type one with x-go-name")
	}
	if with, ok := strings.CutSuffix(pre, "With"); ok && strings.HasPrefix(post, "Body") {
		post = strings.TrimPrefix(post, "Body")
		if newReq, ok := strings.CutSuffix(with, "Request"); ok && strings.HasPrefix(with, "New") && post == "" {
			return newReq + name + "Request", nil
		}
		return with + name + post, nil
	}
	return pre + name + post, nil
}

var wordRE = regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_]*`)

// applyRenames renames identifiers of f, and the same words in its comments.
func applyRenames(f *ast.File, renames map[string]string) {
	if len(renames) == 0 {
		return
	}
	ast.Inspect(f, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			if name, ok := renames[id.Name]; ok {
				id.Name = name
			}
		}
		return true
	})
	for _, g := range f.Comments {
		for _, c := range g.List {
			c.Text = wordRE.ReplaceAllStringFunc(c.Text, func(w string) string {
				if name, ok := renames[w]; ok {
					return name
				}
				return w
			})
		}
	}
}

// wrapDecoders makes the generated Parse*Response functions name their
// operation in errors: every json/xml/yaml.Unmarshal call becomes
// wrapDecodeError("operationId", rsp, <call>), and io.ReadAll(rsp.Body)
// becomes readResponseBody("operationId", rsp.Body). The Parse function of
// an operation is the one its ...WithResponse method returns through.
func wrapDecoders(f *ast.File, receiver string, idByGoName map[string]string) {
	parseOf := map[string]string{} // Parse function -> operationId
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Recv == nil || len(fn.Recv.List) != 1 || recvName(fn.Recv.List[0].Type) != receiver {
			continue
		}
		var id string
		for _, suffix := range []string{"WithBodyWithResponse", "WithResponse"} {
			if goName, ok := strings.CutSuffix(fn.Name.Name, suffix); ok && idByGoName[goName] != "" {
				id = idByGoName[goName]
				break
			}
		}
		if id == "" {
			continue
		}
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			if call, ok := n.(*ast.CallExpr); ok {
				if name, ok := call.Fun.(*ast.Ident); ok && strings.HasPrefix(name.Name, "Parse") {
					parseOf[name.Name] = id
				}
			}
			return true
		})
	}
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Recv != nil || parseOf[fn.Name.Name] == "" || fn.Type.Params.NumFields() != 1 || len(fn.Type.Params.List[0].Names) != 1 {
			continue
		}
		id := &ast.BasicLit{Kind: token.STRING, Value: strconv.Quote(parseOf[fn.Name.Name])}
		rsp := fn.Type.Params.List[0].Names[0].Name
		// The calls sit on the right of assignments: bodyBytes, err :=
		// io.ReadAll(rsp.Body) and if err := json.Unmarshal(...); ...
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			if as, ok := n.(*ast.AssignStmt); ok {
				wrapAssign(as, id, rsp)
			}
			return true
		})
	}
}

// wrapAssign wraps the decoder or io.ReadAll call on the right of as.
func wrapAssign(as *ast.AssignStmt, id *ast.BasicLit, rsp string) {
	if len(as.Rhs) != 1 {
		return
	}
	call, ok := as.Rhs[0].(*ast.CallExpr)
	if !ok {
		return
	}
	switch pkgFunc(call) {
	case "json.Unmarshal", "xml.Unmarshal", "yaml.Unmarshal":
		as.Rhs[0] = wrapCall("wrapDecodeError", id, ast.NewIdent(rsp), call)
	case "io.ReadAll":
		if len(call.Args) == 1 {
			as.Rhs[0] = wrapCall("readResponseBody", id, call.Args[0])
		}
	}
}

func wrapCall(fn string, args ...ast.Expr) *ast.CallExpr {
	return &ast.CallExpr{Fun: ast.NewIdent(fn), Args: args}
}

// pkgFunc returns "pkg.Func" for a call of a package-level function.
func pkgFunc(call *ast.CallExpr) string {
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return ""
	}
	pkg, ok := sel.X.(*ast.Ident)
	if !ok {
		return ""
	}
	return pkg.Name + "." + sel.Sel.Name
}

func recvName(e ast.Expr) string {
	if star, ok := e.(*ast.StarExpr); ok {
		e = star.X
	}
	if id, ok := e.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

// topLevelNames lists the names f declares at package level.
func topLevelNames(f *ast.File) map[string]bool {
	out := map[string]bool{}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil {
				out[d.Name.Name] = true
			}
		case *ast.GenDecl:
			for _, s := range d.Specs {
				switch s := s.(type) {
				case *ast.TypeSpec:
					out[s.Name.Name] = true
				case *ast.ValueSpec:
					for _, n := range s.Names {
						out[n.Name] = true
					}
				}
			}
		}
	}
	return out
}
