package main

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// TestGeneratesTheCommittedClient regenerates the client from the
// repository's spec and config and compares it with generated/: the same
// check as `make check-generated`, runnable with go test.
func TestGeneratesTheCommittedClient(t *testing.T) {
	t.Parallel()
	cfg, err := readConfig("../../generated/config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	code, err := generate("../../openapi.yaml", cfg.Configuration)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("../../generated/whispir.gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if code != string(want) {
		t.Fatal("generated/whispir.gen.go is stale: run go generate ./... and commit")
	}
	for _, name := range []string{
		"MessageCreateWithResponse(", "ContactCreateWithResponse(", "JSON200 *",
		"MessageCreateBulkWithResponse(", "DefaultMessageCreateBulkWithResponse(",
		"func NewMessageCreateBulkRequest(", "type MessageCreateBulkRequestBody =",
		`"messageCreate": {`, "func WithMediaTypes() ClientOption", "type DecodeError struct",
		`wrapDecodeError("messageRetrieve", rsp, json.Unmarshal(`,
	} {
		if !strings.Contains(code, name) {
			t.Errorf("generated code lacks %q", name)
		}
	}
	assertNoMediaTypeNames(t, code, "application/vnd.whispir.bulkmessage-v1+json", "application/vnd.whispir.message-v1+json")
}

// assertNoMediaTypeNames fails when an identifier of code contains
// "ApplicationVnd" (in any case) or spells out one of the media types.
func assertNoMediaTypeNames(t *testing.T, code string, mediaTypes ...string) {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "", code, 0)
	if err != nil {
		t.Fatal(err)
	}
	bad := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		id, ok := n.(*ast.Ident)
		if !ok {
			return true
		}
		lower := strings.ToLower(id.Name)
		if strings.Contains(lower, "applicationvnd") {
			bad[id.Name] = true
		}
		for _, mt := range mediaTypes {
			if strings.Contains(lower, lettersOf(mt)) || strings.Contains(lower, lettersOf(strings.Replace(mt, "+", "plus", 1))) {
				bad[id.Name] = true
			}
		}
		return true
	})
	for name := range bad {
		t.Errorf("generated name %s spells out a media type", name)
	}
}

// acmeSpec is a downstream-style spec: vendor types everywhere, a second
// request type, two JSON types in one response and a vendor error type.
const acmeSpec = `openapi: 3.0.3
info: {title: acme, version: '1'}
paths:
  /things:
    post:
      operationId: thingCreate
      requestBody:
        required: true
        content:
          application/vnd.acme.thing-v1+json:
            schema: {$ref: '#/components/schemas/Thing'}
          application/vnd.acme.bulkthing-v1+json:
            schema: {$ref: '#/components/schemas/BulkThing'}
      responses:
        '201':
          description: created
          content:
            application/vnd.acme.thing-v1+json:
              schema: {$ref: '#/components/schemas/Thing'}
            application/vnd.acme.thing-v2+json:
              schema: {$ref: '#/components/schemas/Thing'}
        '400':
          description: refused
          content:
            application/vnd.acme.error-v1+json:
              schema: {$ref: '#/components/schemas/Problem'}
    get:
      operationId: thingList
      responses:
        '200':
          description: ok
          content:
            application/vnd.acme.thing-v1+json:
              schema: {type: array, items: {$ref: '#/components/schemas/Thing'}}
  /things/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    get:
      operationId: thingRetrieve
      responses:
        '200':
          description: ok
          content:
            application/vnd.acme.thing-v1+json:
              schema: {$ref: '#/components/schemas/Thing'}
    delete:
      operationId: thingDelete
      responses:
        '204': {description: gone}
  /things/search:
    get:
      operationId: thingSearch
      responses:
        '200':
          description: ok
          content:
            application/vnd.acme.thing-v1+json:
              schema: {type: array, items: {$ref: '#/components/schemas/Thing'}}
components:
  schemas:
    Thing:
      type: object
      properties:
        name: {type: string}
        size: {type: integer, format: int64}
    BulkThing:
      type: object
      required: [resourceId]
      properties:
        resourceId: {type: string}
    Problem:
      type: object
      properties:
        message: {type: string}
`

// writeFiles writes name -> content under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		path := filepath.Join(dir, name)
		must(t, os.MkdirAll(filepath.Dir(path), 0o755))
		must(t, os.WriteFile(path, []byte(content), 0o644))
	}
}

// TestRunOnAnotherSpec is what a downstream repository's go generate does.
func TestRunOnAnotherSpec(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out := filepath.Join(dir, "acme", "acme.gen.go")
	writeFiles(t, dir, map[string]string{
		"spec.yaml":   acmeSpec,
		"config.yaml": "package: acme\noutput: " + out + "\ngenerate:\n  models: true\n  client: true\n  std-http-server: true\n  strict-server: true\n",
	})
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-config", filepath.Join(dir, "config.yaml"), filepath.Join(dir, "spec.yaml")}, &stdout, &stderr); code != 0 {
		t.Fatalf("run = %d (%s); want 0", code, stderr.String())
	}
	code, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"func (c *ClientWithResponses) ThingCreateWithResponse(",     // primary type presented as JSON
		"func (c *ClientWithResponses) ThingCreateBulkWithResponse(", // bulkthing-v1 beside thing-v1: Bulk
		"func NewThingCreateBulkRequest(server string, body ThingCreateBulkRequestBody)",
		"type ThingCreateBulkRequestBody = BulkThing",
		"BulkBody *ThingCreateBulkRequestBody", // the strict server's request object
		"JSON201 *Thing",
		"ThingV2JSON201 *Thing", // a second JSON type of the same response
		"type ThingCreate201ThingV2JSONResponse Thing",
		"JSON400 *Problem", // the only JSON type of the error response, presented
		"JSON200 *[]Thing",
		`Requests:  map[string]string{"application/json": "application/vnd.acme.thing-v1+json"}`,
		`Responses: map[string]string{"201": "application/vnd.acme.thing-v1+json", "400": "application/vnd.acme.error-v1+json"}`,
		"func WithMediaTypes() ClientOption",
		"func MediaTypeMiddleware(basePath string) func(http.Handler) http.Handler",
		`bodyBytes, err := readResponseBody("thingCreate", rsp.Body)`,
		`if err := wrapDecodeError("thingCreate", rsp, json.Unmarshal(bodyBytes, &dest)); err != nil {`,
	} {
		if !bytes.Contains(code, []byte(want)) {
			t.Errorf("generated code lacks %q", want)
		}
	}
	if n, wrapped := bytes.Count(code, []byte("json.Unmarshal(bodyBytes")), bytes.Count(code, []byte(`wrapDecodeError("`)); n != wrapped {
		t.Errorf("%d decodes of response bodies, %d wrapped; want all wrapped", n, wrapped)
	}
	assertNoMediaTypeNames(t, string(code),
		"application/vnd.acme.thing-v1+json", "application/vnd.acme.thing-v2+json",
		"application/vnd.acme.bulkthing-v1+json", "application/vnd.acme.error-v1+json")
}

// TestSplitOutputs: models, client and server in three files of one
// package, as oapi-codegen's own examples do, each part once.
func TestSplitOutputs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"spec.yaml": acmeSpec})
	decls := map[string]string{}
	for part, gen := range map[string]string{"types": "models: true", "client": "client: true", "server": "std-http-server: true\n  strict-server: true"} {
		var stdout, stderr bytes.Buffer
		config := filepath.Join(dir, part+".yaml")
		must(t, os.WriteFile(config, []byte("package: acme\ngenerate:\n  "+gen+"\n"), 0o644))
		if code := run([]string{"-config", config, filepath.Join(dir, "spec.yaml")}, &stdout, &stderr); code != 0 {
			t.Fatalf("%s: run = %d (%s); want 0", part, code, stderr.String())
		}
		f, err := parser.ParseFile(token.NewFileSet(), "", stdout.Bytes(), 0)
		if err != nil {
			t.Fatalf("%s: %v", part, err)
		}
		for name := range topLevelNames(f) {
			if prev, dup := decls[name]; dup {
				t.Errorf("%s is declared in both %s and %s", name, prev, part)
			}
			decls[name] = part
		}
	}
	for name, part := range map[string]string{"MediaTypes": "types", "FindMediaTypes": "types", "WithMediaTypes": "client", "DecodeError": "client", "MediaTypeMiddleware": "server"} {
		if decls[name] != part {
			t.Errorf("%s is in %q; want %q", name, decls[name], part)
		}
	}
}

// TestEmbeddedSpecKeepsMediaTypes: with embedded-spec, GetSwagger returns
// the media types the spec declares, not the ones presented to
// oapi-codegen.
func TestEmbeddedSpecKeepsMediaTypes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"spec.yaml": acmeSpec, "config.yaml": "package: acme\ngenerate:\n  models: true\n  embedded-spec: true\n"})
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-config", filepath.Join(dir, "config.yaml"), filepath.Join(dir, "spec.yaml")}, &stdout, &stderr); code != 0 {
		t.Fatalf("run = %d (%s); want 0", code, stderr.String())
	}
	f, err := parser.ParseFile(token.NewFileSet(), "", stdout.Bytes(), 0)
	if err != nil {
		t.Fatal(err)
	}
	var encoded strings.Builder
	ast.Inspect(f, func(n ast.Node) bool {
		v, ok := n.(*ast.ValueSpec)
		if !ok || v.Names[0].Name != "swaggerSpec" {
			return true
		}
		for _, e := range v.Values[0].(*ast.CompositeLit).Elts {
			s, _ := strconv.Unquote(e.(*ast.BasicLit).Value)
			encoded.WriteString(s)
		}
		return false
	})
	compressed, err := base64.StdEncoding.DecodeString(encoded.String())
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(flate.NewReader(bytes.NewReader(compressed)))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		t.Fatal(err)
	}
	op := doc.Paths.Value("/things").Post
	for _, c := range []struct {
		where   string
		content openapi3.Content
	}{
		{"request", op.RequestBody.Value.Content},
		{"201", op.Responses.Value("201").Value.Content},
		{"400", op.Responses.Value("400").Value.Content},
	} {
		var got []string
		for mt := range c.content {
			got = append(got, mt)
		}
		slices.Sort(got)
		if slices.Contains(got, "application/json") || len(got) == 0 {
			t.Errorf("embedded %s media types = %v; want the declared vendor types", c.where, got)
		}
	}
}

func TestNameMediaTypes(t *testing.T) {
	t.Parallel()
	camel := func(s string) string { return strings.ToUpper(s[:1]) + s[1:] }
	tests := []struct {
		name    string
		reqs    []nameRequest
		want    map[string]string
		wantErr string
	}{
		{
			name: "resource beside the primary's",
			reqs: []nameRequest{
				{mediaType: "application/vnd.whispir.bulkmessage-v1+json", primaries: []string{"application/vnd.whispir.message-v1+json"}},
				{mediaType: "application/vnd.whispir.importcontact-v1+json", primaries: []string{"application/vnd.whispir.contact-v1+json"}},
			},
			want: map[string]string{"application/vnd.whispir.bulkmessage-v1+json": "Bulk", "application/vnd.whispir.importcontact-v1+json": "Import"},
		},
		{
			name: "another version of the primary",
			reqs: []nameRequest{{mediaType: "application/vnd.acme.thing-v2+json", primaries: []string{"application/vnd.acme.thing-v1+json"}}},
			want: map[string]string{"application/vnd.acme.thing-v2+json": "ThingV2"},
		},
		{
			name: "unrelated resource",
			reqs: []nameRequest{{mediaType: "application/vnd.acme.report-v1+json", primaries: []string{"application/vnd.acme.thing-v1+json"}}},
			want: map[string]string{"application/vnd.acme.report-v1+json": "Report"},
		},
		{
			name: "operations disagree on the trimmed name",
			reqs: []nameRequest{{mediaType: "application/vnd.acme.bulkthing-v1+json", primaries: []string{"application/vnd.acme.thing-v1+json", "application/vnd.acme.bulk-v1+json"}}},
			want: map[string]string{"application/vnd.acme.bulkthing-v1+json": "Bulkthing"},
		},
		{
			name: "standard types",
			reqs: []nameRequest{
				{mediaType: "application/problem+json", primaries: []string{"application/json"}},
				{mediaType: "application/merge-patch+json", primaries: []string{"application/json"}},
				{mediaType: "application/xml", primaries: []string{"application/json"}},
			},
			want: map[string]string{"application/problem+json": "Problem", "application/merge-patch+json": "MergePatch", "application/xml": ""},
		},
		{
			name: "two XML types",
			reqs: []nameRequest{
				{mediaType: "application/xml", primaries: []string{"application/json"}},
				{mediaType: "text/xml", primaries: []string{"application/json"}},
			},
			want: map[string]string{"application/xml": "Application", "text/xml": "Text"},
		},
		{
			name: "same resource from two vendors",
			reqs: []nameRequest{
				{mediaType: "application/vnd.alpha.bulk-v1+json", primaries: []string{"application/vnd.alpha.thing-v1+json"}},
				{mediaType: "application/vnd.beta.bulk-v1+json", primaries: []string{"application/vnd.alpha.thing-v1+json"}},
			},
			want: map[string]string{"application/vnd.alpha.bulk-v1+json": "AlphaBulkV1", "application/vnd.beta.bulk-v1+json": "BetaBulkV1"},
		},
		{
			name: "same name in JSON and XML",
			reqs: []nameRequest{
				{mediaType: "application/vnd.acme.bulk-v1+json", primaries: []string{"application/vnd.acme.thing-v1+json"}},
				{mediaType: "application/vnd.acme.bulk-v1+xml", primaries: []string{"application/vnd.acme.thing-v1+json"}},
			},
			want: map[string]string{"application/vnd.acme.bulk-v1+json": "Bulk", "application/vnd.acme.bulk-v1+xml": "Bulk"},
		},
		{
			name: "x-go-name wins",
			reqs: []nameRequest{{mediaType: "application/vnd.whispir.bulkmessage-v1+json", goName: "Dynamic", primaries: []string{"application/vnd.whispir.message-v1+json"}}},
			want: map[string]string{"application/vnd.whispir.bulkmessage-v1+json": "Dynamic"},
		},
		{
			name: "x-go-name clash",
			reqs: []nameRequest{
				{mediaType: "application/vnd.acme.a-v1+json", goName: "Same"},
				{mediaType: "application/vnd.acme.b-v1+json", goName: "Same"},
			},
			wantErr: "x-go-name",
		},
		{
			name:    "x-go-name not an identifier",
			reqs:    []nameRequest{{mediaType: "application/vnd.acme.a-v1+json", goName: "not a name"}},
			wantErr: "not an exported Go identifier",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := nameMediaTypes(tc.reqs, camel)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v; want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for mt, want := range tc.want {
				if got[mt] != want {
					t.Errorf("name of %s = %q; want %q", mt, got[mt], want)
				}
			}
		})
	}
}

// TestNameCollisions: a derived name that the spec already uses is an
// error that points to x-go-name, and x-go-name resolves it.
func TestNameCollisions(t *testing.T) {
	t.Parallel()
	// An operation whose Go name is what the bulk body's method would get.
	spec := strings.Replace(acmeSpec, "  /things/search:\n", `  /things/bulk:
    post:
      operationId: thingCreateBulk
      responses:
        '204': {description: done}
  /things/search:
`, 1)
	tests := []struct {
		name, spec, wantErr string
	}{
		{"derived name taken", spec, "x-go-name"},
		{"x-go-name resolves it", strings.Replace(spec, "          application/vnd.acme.bulkthing-v1+json:\n", "          application/vnd.acme.bulkthing-v1+json:\n            x-go-name: Batch\n", 1), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			writeFiles(t, dir, map[string]string{"spec.yaml": tc.spec, "config.yaml": "package: acme\ngenerate:\n  models: true\n  client: true\n"})
			cfg, err := readConfig(filepath.Join(dir, "config.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			code, err := generate(filepath.Join(dir, "spec.yaml"), cfg.Configuration)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v; want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(code, "ThingCreateBatchWithResponse(") {
				t.Error("x-go-name Batch was not used")
			}
		})
	}
}

func TestExitCodes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"bad.yaml":  "package: x\nnot-an-option: 1\n",
		"spec.yaml": acmeSpec,
		"ok.yaml":   "package: acme\ngenerate:\n  models: true\n",
	})
	spec := filepath.Join(dir, "spec.yaml")
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{"help", []string{"-h"}, 0, "usage: whispir-gen -config FILE SPEC", ""},
		{"long help", []string{"--help"}, 0, "-config FILE", ""},
		{"version", []string{"-version"}, 0, "oapi-codegen v2.8.2", ""},
		{"success to stdout", []string{"-config", filepath.Join(dir, "ok.yaml"), spec}, 0, "package acme", ""},
		{"no args", nil, 2, "", "-config is required"},
		{"no config", []string{spec}, 2, "", "-config is required"},
		{"no spec", []string{"-config", filepath.Join(dir, "ok.yaml")}, 2, "", "want one SPEC argument; got 0"},
		{"two specs", []string{"-config", filepath.Join(dir, "ok.yaml"), spec, spec}, 2, "", "got 2"},
		{"unknown flag", []string{"-bogus", "-config", filepath.Join(dir, "ok.yaml"), spec}, 2, "", "flag provided but not defined: -bogus"},
		{"unknown config field", []string{"-config", filepath.Join(dir, "bad.yaml"), spec}, 1, "", "not-an-option"},
		{"missing config", []string{"-config", filepath.Join(dir, "nope.yaml"), spec}, 1, "", "nope.yaml"},
		{"missing spec", []string{"-config", filepath.Join(dir, "ok.yaml"), filepath.Join(dir, "nope.yaml")}, 1, "", "load "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			if got := run(tc.args, &stdout, &stderr); got != tc.wantCode {
				t.Errorf("exit code = %d; want %d (stderr %q)", got, tc.wantCode, stderr.String())
			}
			if !strings.Contains(stdout.String(), tc.wantStdout) {
				t.Errorf("stdout = %q; want it to contain %q", stdout.String(), tc.wantStdout)
			}
			if !strings.Contains(stderr.String(), tc.wantStderr) {
				t.Errorf("stderr = %q; want it to contain %q", stderr.String(), tc.wantStderr)
			}
			if tc.wantCode == 2 && !strings.Contains(stderr.String(), "usage:") {
				t.Errorf("stderr = %q; want the usage after a usage error", stderr.String())
			}
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
