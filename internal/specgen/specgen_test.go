package specgen

import (
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// checkProgram is compiled with the code generated from
// testdata/features.yaml: it loads the same YAML with kin-openapi and
// compares the two documents.
const checkProgram = `package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"reflect"

	"github.com/getkin/kin-openapi/openapi3"
)

func fail(format string, args ...any) {
	fmt.Printf(format+"\n", args...)
	os.Exit(1)
}

func main() {
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		fail("%v", err)
	}
	loaded, err := openapi3.NewLoader().LoadFromData(data)
	if err != nil {
		fail("%v", err)
	}
	built := new(Builder).Document()
	a, _ := json.Marshal(loaded)
	b, _ := json.Marshal(built)
	if !bytes.Equal(a, b) {
		fail("JSON differs:\n%s\n%s", a, b)
	}
	if !reflect.DeepEqual(loaded.Info.Extensions, built.Info.Extensions) {
		fail("extensions: %#v; want %#v", built.Info.Extensions, loaded.Info.Extensions)
	}
	node := built.Components.Schemas["Node"].Value
	if node.Properties["children"].Value.Items.Value != node {
		fail("the recursive schema is not a cycle")
	}
	item := new(Builder).PathItem("/nodes/{nodeId}")
	got := item.Get.Responses.Value("200").Value.Content["application/json"]
	want := loaded.Paths.Value("/nodes/{nodeId}").Get.Responses.Value("200").Value.Content["application/json"]
	if !reflect.DeepEqual(got.Example, want.Example) {
		fail("example: %#v; want %#v", got.Example, want.Example)
	}
	if got.Schema.Value != item.Put.RequestBody.Value.Content["application/json"].Schema.Value {
		fail("Node is not shared by the operations of a path item")
	}
	if item.Get.Responses.Default() != nil && item.Get.Responses.Default().Value != item.Put.Responses.Default().Value {
		fail("the Error response is not shared")
	}
	if err := built.Validate(openapi3.NewLoader().Context); err != nil {
		fail("Validate: %v", err)
	}
	fmt.Println("ok")
}
`

// TestGeneratedCodeRebuildsTheDocument generates code from a small spec
// with what openapi.yaml lacks (a recursive schema, path-level parameters,
// extensions and examples of every JSON type, bounds behind pointers),
// compiles it with a program that loads the same spec with kin-openapi, and
// runs it: same JSON, same example and extension values, the cycle a cycle,
// shared components shared.
func TestGeneratedCodeRebuildsTheDocument(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds a program")
	}
	data, err := os.ReadFile("testdata/features.yaml")
	if err != nil {
		t.Fatal(err)
	}
	code, err := Generate(data, "main", "features.yaml")
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	// The check module requires what this one does, so that the module
	// cache, and no network, has every version it selects.
	mod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	mod = regexp.MustCompile(`(?s)tool \(.*?\)\n`).ReplaceAll(mod, nil)
	mod = regexp.MustCompile(`(?m)^module .*$`).ReplaceAll(mod, []byte("module specgencheck"))
	sum, err := os.ReadFile("../../go.sum")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files := map[string]string{
		"go.mod":        string(mod),
		"go.sum":        string(sum),
		"spec.gen.go":   string(code),
		"main.go":       checkProgram,
		"features.yaml": string(data),
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.CommandContext(t.Context(), filepath.Join(runtime.GOROOT(), "bin", "go"), "run", ".", "features.yaml")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off")
	out, err := cmd.CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "ok" {
		t.Fatalf("go run: %v\n%s", err, out)
	}
}

// TestGenerateRefusesWhatItCannotRebuild pins that the generator fails,
// with a reason, rather than writing a document that differs from the spec.
func TestGenerateRefusesWhatItCannotRebuild(t *testing.T) {
	t.Parallel()
	valid, err := os.ReadFile("testdata/features.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, spec, want string
	}{
		{"not YAML", "openapi: [", "load spec"},
		{"invalid example", strings.Replace(string(valid), "example: {name: root", "example: {name: 5", 1), "validate spec"},
		{"fields next to a $ref", strings.Replace(string(valid), "schema: {$ref: '#/components/schemas/Node'}\n              example", "schema: {$ref: '#/components/schemas/Node', description: d}\n              example", 1), "next to a $ref"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Generate([]byte(tc.spec), "specdoc", "spec.yaml")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Generate = %v; want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestLiteralsOfInterfaceValues(t *testing.T) {
	t.Parallel()
	e := &emitter{ids: map[ptrKey]int{}, memos: map[reflect.Type]*memo{}}
	ext := map[string]any{"x": []any{1.5, int64(2), "s", true, nil, map[string]any{"k": uint64(3)}, 1e21}}
	got, err := e.literal(reflect.ValueOf(ext))
	if err != nil {
		t.Fatal(err)
	}
	want := `map[string]any{"x": []any{float64(1.5), int64(2), "s", true, nil, map[string]any{"k": uint64(3)}, float64(1e+21)}}`
	if got != want {
		t.Errorf("got %s; want %s", got, want)
	}
	for _, bad := range []any{math.NaN(), math.Inf(1), struct{}{}, make(chan int)} {
		if lit, err := e.literal(reflect.ValueOf(map[string]any{"x": bad})); err == nil {
			t.Errorf("literal(%v) = %s; want an error", bad, lit)
		}
	}
}
