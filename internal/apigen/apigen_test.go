package apigen

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The committed api/*.gen.go are what the committed spec and client give:
// go test fails on stale helpers, as make check-generated does.
func TestGeneratedFilesAreCurrent(t *testing.T) {
	t.Parallel()
	spec, err := os.ReadFile("../../openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	client, err := os.ReadFile("../../generated/whispir.gen.go")
	if err != nil {
		t.Fatal(err)
	}
	files, err := Generate(spec, client, "openapi.yaml", "generated/whispir.gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 {
		t.Errorf("got %d files; want creates.gen.go and lists.gen.go", len(files))
	}
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join("../../api", name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("api/%s is stale: run go generate ./... and commit it", name)
		}
	}
}

func TestNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		f    func(string) string
		in   string
		want string
	}{
		{"plural", plural, "Message", "Messages"},
		{"plural of -s", plural, "MessageStatus", "MessageStatuses"},
		{"plural of -y", plural, "Activity", "Activities"},
		{"plural of vowel -y", plural, "Key", "Keys"},
		{"third person", thirdPerson, "Create a contact", "creates a contact"},
		{"third person of -sh", thirdPerson, "Push a file", "pushes a file"},
		{"third person of -y", thirdPerson, "Verify a code", "verifies a code"},
		{"third person of one word", thirdPerson, "Run", "runs"},
		{"object", object, "List a message's delivery status", "a message's delivery status"},
		{"lower initials", lowerInitials, "Contact", "contact"},
		{"lower initials of an initialism", lowerInitials, "OTP", "otp"},
		{"lower initials before a word", lowerInitials, "APIKey", "apiKey"},
		{"lower initials of two words", lowerInitials, "DistributionList", "distributionList"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := tc.f(tc.in); got != tc.want {
				t.Errorf("%s(%q) = %q; want %q", tc.name, tc.in, got, tc.want)
			}
		})
	}
}

func TestParagraphs(t *testing.T) {
	t.Parallel()
	got := paragraphs("Lists the workspace's\ntemplates.\n\nCorrected from Whispir's description: its\nexample was misplaced.\n\nSame as x.\n\nLast.")
	want := []string{"Lists the workspace's templates.", "Last."}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("paragraphs: got %q; want %q", got, want)
	}
	var b strings.Builder
	comment(&b, []string{strings.Repeat("word ", 30), "two"})
	for _, line := range strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n") {
		if len(line) > 77 || !strings.HasPrefix(line, "//") {
			t.Errorf("comment line %q; want at most 77 columns, starting with //", line)
		}
	}
	if !strings.Contains(b.String(), "\n//\n// two\n") {
		t.Errorf("comment %q; want paragraphs apart", b.String())
	}
}

func TestSignature(t *testing.T) {
	t.Parallel()
	got := signature([]param{{"ctx", "context.Context"}, {"workspaceID", "string"}, {"messageID", "string"}, {"params", "*P"}})
	if want := "ctx context.Context, workspaceID, messageID string, params *P"; got != want {
		t.Errorf("signature: got %q; want %q", got, want)
	}
}

// A small spec and client, to check what the generator refuses.
const testSpec = `openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /things:
    post:
      operationId: defaultThingCreate
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Thing'}
      responses:
        '201':
          description: made
          headers:
            Location: {schema: {type: string}}
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Thing'}
  /workspaces/{workspaceId}/things:
    parameters:
      - {name: workspaceId, in: path, required: true, schema: {type: string}}
    post:
      operationId: thingCreate
      summary: Create a thing
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Thing'}
      responses:
        '201':
          description: made
          headers:
            Location: {schema: {type: string}}
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Thing'}
components:
  schemas:
    Thing: {type: object}
`

const testClient = `package generated

import (
	"context"
	"net/http"
)

type RequestEditorFn func(ctx context.Context, req *http.Request) error
type ClientWithResponses struct{}
type WorkspaceID = string
type Thing struct{}
type Other struct{}
type ThingCreateResponse struct {
	HTTPResponse *http.Response
	JSON201      *Thing
}
type DefaultThingCreateResponse struct {
	HTTPResponse *http.Response
	JSON201      *Thing
}

func (c *ClientWithResponses) ThingCreateWithResponse(ctx context.Context, workspaceID WorkspaceID, body Thing, reqEditors ...RequestEditorFn) (*ThingCreateResponse, error) {
	return nil, nil
}

func (c *ClientWithResponses) DefaultThingCreateWithResponse(ctx context.Context, body Thing, reqEditors ...RequestEditorFn) (*DefaultThingCreateResponse, error) {
	return nil, nil
}
`

func TestGenerateRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		spec       string
		client     func(string) string
		wantErrHas string
	}{
		{"the client lacks a method", testSpec, func(c string) string {
			return strings.Replace(c, "DefaultThingCreateWithResponse", "DefaultThingMakeWithResponse", 1)
		}, "no defaultThingCreateWithResponse method"},
		{"the default form takes other parameters", testSpec, func(c string) string {
			return strings.Replace(c, "DefaultThingCreateWithResponse(ctx context.Context, body Thing", "DefaultThingCreateWithResponse(ctx context.Context, body Other", 1)
		}, "are not the workspace form's"},
		{"the forms answer different bodies", testSpec, func(c string) string {
			return strings.Replace(c, "JSON201      *Thing\n}\n\nfunc", "JSON201      *Other\n}\n\nfunc", 1)
		}, "answer different bodies"},
		{"the response has no JSON201", testSpec, func(c string) string {
			return strings.Replace(c, "type ThingCreateResponse struct {\n\tHTTPResponse *http.Response\n\tJSON201      *Thing", "type ThingCreateResponse struct {\n\tHTTPResponse *http.Response\n\tJSON200      *Thing", 1)
		}, "has no JSON201 field"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Generate([]byte(tc.spec), []byte(tc.client(testClient)), "spec.yaml", "client.go")
			if err == nil || !strings.Contains(err.Error(), tc.wantErrHas) {
				t.Errorf("got error %v; want one containing %q", err, tc.wantErrHas)
			}
		})
	}
	// The small inputs themselves generate.
	files, err := Generate([]byte(testSpec), []byte(testClient), "spec.yaml", "client.go")
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	if got := string(files["creates.gen.go"]); !strings.Contains(got, "func (c *Client) CreateThing(ctx context.Context, workspaceID string, body generated.Thing) (id string, thing *generated.Thing, err error)") {
		t.Errorf("creates.gen.go:\n%s\nwant CreateThing", got)
	}
}
