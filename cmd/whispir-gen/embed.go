package main

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"fmt"
	"go/ast"
	"go/token"
	"strconv"

	"github.com/getkin/kin-openapi/openapi3"
)

// embedSpec replaces the spec that oapi-codegen embeds (embedded-spec: true)
// with doc, encoded the same way (JSON, deflate, base64 in 80-byte chunks):
// oapi-codegen embeds the spec as whispir-gen presented it, and GetSwagger
// should return the media types the spec declares. It reports whether f
// embeds a spec.
func embedSpec(f *ast.File, doc *openapi3.T) (bool, error) {
	var lit *ast.CompositeLit
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.VAR {
			continue
		}
		for _, s := range g.Specs {
			v := s.(*ast.ValueSpec)
			if len(v.Names) == 1 && v.Names[0].Name == "swaggerSpec" && len(v.Values) == 1 {
				lit, _ = v.Values[0].(*ast.CompositeLit)
			}
		}
	}
	if lit == nil {
		return false, nil
	}
	encoded, err := doc.MarshalJSON()
	if err != nil {
		return true, fmt.Errorf("embed spec: %w", err)
	}
	var buf bytes.Buffer
	zw, err := flate.NewWriter(&buf, flate.BestCompression)
	if err != nil {
		return true, fmt.Errorf("embed spec: %w", err)
	}
	if _, err := zw.Write(encoded); err != nil {
		return true, fmt.Errorf("embed spec: %w", err)
	}
	if err := zw.Close(); err != nil {
		return true, fmt.Errorf("embed spec: %w", err)
	}
	str := base64.StdEncoding.EncodeToString(buf.Bytes())
	lit.Elts = lit.Elts[:0]
	for len(str) > 0 {
		n := min(len(str), 80)
		lit.Elts = append(lit.Elts, &ast.BasicLit{Kind: token.STRING, Value: strconv.Quote(str[:n])})
		str = str[n:]
	}
	return true, nil
}
