package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
	for _, name := range []string{"MessageCreateWithResponse(", "ContactCreateWithResponse(", "JSON200 *"} {
		if !strings.Contains(code, name) {
			t.Errorf("generated code lacks %q", name)
		}
	}
	if strings.Contains(code, "ApplicationVndWhispirMessageV1PlusJSON") {
		t.Error("a primary vendor media type leaked into a Go name")
	}
}

const tinySpec = `openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /things:
    post:
      operationId: thingCreate
      requestBody:
        content:
          application/vnd.acme.thing-v1+json:
            schema: {$ref: '#/components/schemas/Thing'}
          application/vnd.acme.bulkthing-v1+json:
            schema: {$ref: '#/components/schemas/Thing'}
      responses:
        '201':
          description: created
          content:
            application/vnd.acme.thing-v1+json:
              schema: {$ref: '#/components/schemas/Thing'}
    get:
      operationId: thingList
      responses:
        '200':
          description: ok
          content:
            application/vnd.acme.thing-v1+json:
              schema: {type: array, items: {$ref: '#/components/schemas/Thing'}}
  /things/{id}:
    delete:
      operationId: thingDelete
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses:
        '204': {description: gone}
    get:
      operationId: thingRetrieve
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses:
        '200':
          description: ok
          content:
            application/vnd.acme.thing-v1+json:
              schema: {$ref: '#/components/schemas/Thing'}
components:
  schemas:
    Thing: {type: object, properties: {name: {type: string}}}
`

// TestRunOnAnotherSpec is what a downstream repository's go generate does.
func TestRunOnAnotherSpec(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	spec := filepath.Join(dir, "spec.yaml")
	out := filepath.Join(dir, "client", "client.gen.go")
	config := filepath.Join(dir, "config.yaml")
	must(t, os.WriteFile(spec, []byte(tinySpec), 0o644))
	must(t, os.WriteFile(config, []byte("package: client\noutput: "+out+"\ngenerate:\n  models: true\n  client: true\n"), 0o644))
	var stderr bytes.Buffer
	if err := run([]string{"-config", config, spec}, &stderr); err != nil {
		t.Fatalf("run: %v (%s)", err, stderr.String())
	}
	code, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"func (c *ClientWithResponses) ThingCreateWithResponse(",                                              // primary type presented as JSON
		"func (c *ClientWithResponses) ThingCreateWithApplicationVndAcmeBulkthingV1PlusJSONBodyWithResponse(", // others keep their names
		"JSON201 *Thing",
		"JSON200 *[]Thing",
	} {
		if !bytes.Contains(code, []byte(want)) {
			t.Errorf("generated code lacks %q", want)
		}
	}
}

func TestRunRejectsBadInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	config := filepath.Join(dir, "config.yaml")
	must(t, os.WriteFile(config, []byte("package: x\nnot-an-option: 1\n"), 0o644))
	tests := []struct {
		name string
		args []string
	}{
		{"no args", nil},
		{"no config", []string{"spec.yaml"}},
		{"unknown config field", []string{"-config", config, "../../openapi.yaml"}},
		{"missing spec", []string{"-config", "../../generated/config.yaml", filepath.Join(dir, "nope.yaml")}},
	}
	for _, tc := range tests {
		var stderr bytes.Buffer
		if err := run(tc.args, &stderr); err == nil {
			t.Errorf("%s: run succeeded; want an error", tc.name)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
