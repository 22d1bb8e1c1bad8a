package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/whispir-go/whispir"
	"github.com/whispir-go/whispir/whispirtest"
)

const testContact = `{"firstName": "Jane", "lastName": "Citizen", "workMobilePhone1": "61400000000",
 "workEmailAddress1": "jane.citizen@example.com", "workCountry": "Australia", "timezone": "Australia/Melbourne"}`

func TestCallUsageErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	contact := filepath.Join(dir, "contact.json")
	if err := os.WriteFile(contact, []byte(testContact), 0o600); err != nil {
		t.Fatal(err)
	}
	// Nothing listens there: every case must fail before the network.
	env := fakeEnv(map[string]string{envBaseURL: "http://127.0.0.1:1"})
	tests := []struct {
		name    string
		stdin   string
		args    []string
		want    []string // in stderr
		private string   // never in stderr
	}{
		{"no operation", "", []string{"call"}, []string{"missing operation", "whispir ops"}, ""},
		{"unknown operation, close to two", "", []string{"call", "contactlist"}, []string{`unknown operation "contactlist"`, "did you mean one of contactList, defaultContactList?"}, ""},
		{"unknown operation, a typo", "", []string{"call", "mesageCreate"}, []string{"did you mean messageCreate?"}, ""},
		{"unknown operation, nothing close", "", []string{"call", "frobnicate"}, []string{`unknown operation "frobnicate"`, "'whispir ops' lists them"}, ""},
		{"missing path parameter", "", []string{"call", "contactRetrieve", "contactId=AF48A9EC3F02E43C"},
			[]string{"missing path parameter workspaceId", "--workspace", "defaultContactRetrieve is the same in the default workspace"}, ""},
		{"missing path parameters", "", []string{"call", "contactRetrieve"}, []string{"missing path parameter workspaceId, path parameter contactId"}, ""},
		{"missing query parameter", "", []string{"call", "callbackCallUpdate", "callbackId=B384FD38DCBADE38", "--body", contact}, []string{"missing query parameter id"}, ""},
		{"unknown parameter, close to one", "", []string{"call", "defaultContactList", "lmit=5"}, []string{`no parameter "lmit"`, "did you mean limit?"}, ""},
		{"unknown parameter, nothing close", "", []string{"call", "defaultContactList", "zzz=1"}, []string{`no parameter "zzz"`, "its parameters: businessUnit, customFields"}, ""},
		{"parameter of an operation without any", "", []string{"call", "authCreate", "user=jane"}, []string{"authCreate has no parameters"}, ""},
		{"argument that is not name=value", "", []string{"call", "defaultContactList", "61400000000"}, []string{"argument 1 after defaultContactList is not name=value"}, "61400000000"},
		{"parameter given twice", "", []string{"call", "defaultContactList", "limit=1", "limit=2"}, []string{`parameter "limit" given more than once`}, ""},
		{"missing body", "", []string{"call", "defaultContactCreate"}, []string{"defaultContactCreate needs a body", "--body -"}, ""},
		{"body for an operation without one", "", []string{"call", "defaultContactList", "--body", contact}, []string{"defaultContactList takes no body"}, ""},
		{"unknown content type", "", []string{"call", "defaultMessageCreate", "--content-type", "text/plain", "--body", contact},
			[]string{"want one of application/vnd.whispir.bulkmessage-v1+json, application/vnd.whispir.message-v1+json"}, ""},
		{"content type without body", "", []string{"call", "defaultContactList", "--content-type", "application/json"}, []string{"--content-type without --body"}, ""},
		{"body file missing", "", []string{"call", "defaultContactCreate", "--body", filepath.Join(dir, "nope.json")}, []string{"--body", "no such file"}, ""},
		{"empty body on stdin", " \n", []string{"call", "defaultContactCreate", "--body", "-"}, []string{"--body: empty"}, ""},
		{"value the spec refuses", "", []string{"call", "defaultContactList", "limit=lots"}, []string{`defaultContactList: invalid request: query parameter "limit"`}, "lots"},
		{"body the spec refuses", `{"to": "", "subject": "Hi", "body": "Hello 61400000000"}`, []string{"call", "defaultMessageCreate", "--body", "-"},
			[]string{"defaultMessageCreate: invalid request: body /to"}, "61400000000"},
		{"path value the spec refuses", "", []string{"call", "defaultMessageRetrieve", "messageId=not-hex"}, []string{`path parameter "messageId"`}, "not-hex"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := runToolInput(t, env, tc.stdin, tc.args...)
			if r.code != exitUsage {
				t.Fatalf("exit %d; want 2; stdout %q; stderr %q", r.code, r.stdout, r.stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr %q; want it to contain %q", r.stderr, w)
				}
			}
			if tc.private != "" && strings.Contains(r.stderr, tc.private) {
				t.Errorf("stderr %q shows the value %q", r.stderr, tc.private)
			}
			if r.stdout != "" {
				t.Errorf("stdout %q; want nothing", r.stdout)
			}
		})
	}
}

func TestCallAnswers(t *testing.T) {
	t.Parallel()
	env, creds := testServer(t)

	// A create: the body pretty on stdout; status, id and Location on stderr.
	created := runToolInput(t, env, testContact, "-v", "call", "defaultContactCreate", "--body", "-")
	if created.code != exitOK {
		t.Fatalf("create: exit %d; want 0; stderr: %s", created.code, created.stderr)
	}
	m := regexp.MustCompile(`defaultContactCreate: 201 Created, id ([0-9A-F]+) \(Location: (\S+)\)`).FindStringSubmatch(created.stderr)
	if m == nil {
		t.Fatalf("stderr %q; want the status, the id and the Location", created.stderr)
	}
	id := m[1]
	if !strings.HasSuffix(m[2], "/contacts/"+id) {
		t.Errorf("Location %q; want it to end with /contacts/%s", m[2], id)
	}
	if !strings.HasPrefix(created.stdout, "{\n  \"") || !json.Valid([]byte(created.stdout)) {
		t.Errorf("stdout %q; want the created contact as indented JSON", created.stdout)
	}
	for _, secret := range []string{creds.APIKey, creds.Password} {
		if strings.Contains(created.stdout+created.stderr, secret) {
			t.Errorf("output shows a credential: %s", created.stderr)
		}
	}

	tests := []struct {
		name       string
		args       []string
		code       int
		status     int
		body       string // a JSON body holds it; "null" for none
		textBody   string // the text body, for a text answer
		stderrWant string
	}{
		{"json read", []string{"--json", "call", "defaultContactRetrieve", "contactId=" + id}, exitOK, 200, `"firstName":"Jane"`, "", ""},
		{"json text answer", []string{"--json", "call", "defaultMessageCreate", "--body", "-"}, exitOK, 202, "", "accepted", ""},
		{"json no content", []string{"--json", "call", "defaultContactDelete", "contactId=" + id}, exitOK, 204, "null", "", ""},
		{"json not found", []string{"--json", "call", "defaultContactRetrieve", "contactId=" + id}, exitError, 404, `"errorText":"Not Found"`, "", `"status":404`},
	}
	for _, tc := range tests { // in order: the delete comes before the 404
		stdin := `{"to": "61400000000", "subject": "Hi", "body": "Hello"}`
		r := runToolInput(t, env, stdin, tc.args...)
		if r.code != tc.code {
			t.Fatalf("%s: exit %d; want %d; stderr: %s", tc.name, r.code, tc.code, r.stderr)
		}
		var res struct {
			callResult
			Body json.RawMessage `json:"body"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
			t.Fatalf("%s: stdout %q: %v", tc.name, r.stdout, err)
		}
		if strings.Count(r.stdout, "\n") != 1 {
			t.Errorf("%s: stdout %q; want one line", tc.name, r.stdout)
		}
		if res.Status != tc.status || res.Operation != tc.args[2] {
			t.Errorf("%s: got %s %d; want %s %d", tc.name, res.Operation, res.Status, tc.args[2], tc.status)
		}
		if tc.body != "" && !strings.Contains(string(res.Body), tc.body) {
			t.Errorf("%s: body %s; want it to contain %s", tc.name, res.Body, tc.body)
		}
		if tc.textBody != "" {
			var text string
			if err := json.Unmarshal(res.Body, &text); err != nil || !strings.Contains(text, tc.textBody) {
				t.Errorf("%s: body %s; want a JSON string with %q", tc.name, res.Body, tc.textBody)
			}
			if res.ID == "" || !strings.HasSuffix(res.Location, "/"+res.ID) {
				t.Errorf("%s: id %q, location %q; want the new message's", tc.name, res.ID, res.Location)
			}
		}
		if tc.stderrWant != "" && !strings.Contains(r.stderr, tc.stderrWant) {
			t.Errorf("%s: stderr %q; want %s", tc.name, r.stderr, tc.stderrWant)
		}
	}

	// Without --json, Whispir's error body goes to stdout and the error to stderr.
	r := runTool(t, env, "call", "defaultContactRetrieve", "contactId="+id)
	if r.code != exitError || !strings.Contains(r.stdout, `"errorSummary"`) || !strings.Contains(r.stderr, "defaultContactRetrieve: 404") {
		t.Errorf("not found: exit %d, stdout %q, stderr %q; want 1, the error body and the 404", r.code, r.stdout, r.stderr)
	}
}

// TestOperationRequest pins how call builds a request from the path
// template and the parameters.
func TestOperationRequest(t *testing.T) {
	t.Parallel()
	cat, err := loadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		op     string
		values map[string][]string
		want   string
	}{
		{"callbackCallUpdate", map[string][]string{"callbackId": {"B384FD38DCBADE38"}, "id": {"A1", "B2"}}, "/api/callbacks/B384FD38DCBADE38/calls?id=A1&id=B2"},
		{"contactRetrieve", map[string][]string{"workspaceId": {"9A4C5521FFC7B15B"}, "contactId": {"a/b c"}}, "/api/workspaces/9A4C5521FFC7B15B/contacts/a%2Fb%20c"},
		{"defaultContactList", map[string][]string{"firstName": {"Jane & co"}, "limit": {"5"}}, "/api/contacts?firstName=Jane+%26+co&limit=5"},
		{"authCreate", nil, "/api/auth"},
	}
	for _, tc := range tests {
		t.Run(tc.op, func(t *testing.T) {
			t.Parallel()
			op, err := cat.lookup(tc.op)
			if err != nil {
				t.Fatal(err)
			}
			req, err := op.request(t.Context(), "http://127.0.0.1:8080/api/", tc.values, nil, "")
			if err != nil {
				t.Fatal(err)
			}
			if got := req.URL.RequestURI(); got != tc.want {
				t.Errorf("got %s; want %s", got, tc.want)
			}
			if req.Method != op.Method {
				t.Errorf("got method %s; want %s", req.Method, op.Method)
			}
			route, err := whispir.FindRoute(req, "/api")
			if err != nil || route.ID != tc.op {
				t.Errorf("the request routes to %v (%v); want %s", route, err, tc.op)
			}
		})
	}
}

func TestCallWorkspaceFlag(t *testing.T) {
	t.Parallel()
	srv := whispirtest.NewServer()
	t.Cleanup(srv.Close)
	env := credentialsEnv(srv.URL, srv.Credentials())
	const ws = "9A4C5521FFC7B15B"
	tests := []struct {
		name string
		args []string
		want string // the path the mock received
	}{
		{"from --workspace", []string{"--workspace", ws, "call", "contactList"}, "/workspaces/" + ws + "/contacts"},
		{"parameter wins", []string{"--workspace", "ABCDEF0123456789", "call", "contactList", "workspaceId=" + ws}, "/workspaces/" + ws + "/contacts"},
		{"ignored without the parameter", []string{"--workspace", ws, "call", "defaultContactList"}, "/contacts"},
	}
	for _, tc := range tests {
		before := len(srv.Requests())
		if r := runTool(t, env, tc.args...); r.code != exitOK {
			t.Fatalf("%s: exit %d; want 0; stderr: %s", tc.name, r.code, r.stderr)
		}
		reqs := srv.Requests()[before:]
		if len(reqs) != 1 || reqs[0].Path != tc.want {
			t.Errorf("%s: got requests %v; want one to %s", tc.name, reqs, tc.want)
		}
	}
}

func TestOps(t *testing.T) {
	t.Parallel()
	ops, err := whispir.Operations()
	if err != nil {
		t.Fatal(err)
	}
	r := runTool(t, nil, "ops")
	if r.code != exitOK {
		t.Fatalf("exit %d; stderr: %s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	if len(lines) != len(ops) {
		t.Fatalf("%d lines; want %d, one per operation", len(lines), len(ops))
	}
	for i, op := range ops {
		if f := strings.Fields(lines[i]); len(f) < 3 || f[0] != op.ID || f[1] != op.Method || f[2] != op.Path {
			t.Errorf("line %q; want %s %s %s first", lines[i], op.ID, op.Method, op.Path)
		}
	}

	detail := runTool(t, nil, "ops", "contactCreate")
	for _, want := range []string{"contactCreate: POST /workspaces/{workspaceId}/contacts", "workspaceId  path, required",
		"Body (required): application/vnd.whispir.contact-v1+json", "whispir call contactCreate workspaceId=... --body FILE"} {
		if !strings.Contains(detail.stdout, want) {
			t.Errorf("ops contactCreate:\n%s\nwant it to contain %q", detail.stdout, want)
		}
	}

	var listed []opJSON
	r = runTool(t, nil, "--json", "ops", "defaultContactList")
	if err := json.Unmarshal([]byte(r.stdout), &listed); err != nil || len(listed) != 1 {
		t.Fatalf("--json ops defaultContactList: %q (%v); want an array of one", r.stdout, err)
	}
	limit := slices.IndexFunc(listed[0].Parameters, func(p paramJSON) bool { return p.Name == "limit" })
	if listed[0].Method != "GET" || limit < 0 || listed[0].Parameters[limit].Type != "integer" || listed[0].Parameters[limit].In != "query" {
		t.Errorf("--json ops defaultContactList: %+v; want GET and an integer query parameter limit", listed[0])
	}

	if r := runTool(t, nil, "ops", "contactlist"); r.code != exitUsage || !strings.Contains(r.stderr, "did you mean one of contactList") {
		t.Errorf("unknown operation: exit %d, stderr %q; want 2 and suggestions", r.code, r.stderr)
	}
}

func TestSuggest(t *testing.T) {
	t.Parallel()
	ids := []string{"contactList", "defaultContactList", "contactCreate", "messageCreate", "limit", "offset"}
	tests := []struct {
		name string
		want []string
	}{
		{"contactlist", []string{"contactList", "defaultContactList"}},
		{"mesageCreate", []string{"messageCreate"}},
		{"lmit", []string{"limit"}},
		{"frobnicate", []string{}},
		{"x", []string{}},
	}
	for _, tc := range tests {
		if got := suggest(tc.name, ids); !slices.Equal(got, tc.want) {
			t.Errorf("suggest(%q) = %q; want %q", tc.name, got, tc.want)
		}
	}
}

func TestEditDistance(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"abc", "", 3}, {"", "abc", 3}, {"kitten", "sitting", 3}, {"lmit", "limit", 1}, {"same", "same", 0},
	}
	for _, tc := range tests {
		if got := editDistance(tc.a, tc.b); got != tc.want {
			t.Errorf("editDistance(%q, %q) = %d; want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

// TestOperationRequestHeaderParameters: header and cookie parameters, which
// the embedded spec does not use yet, go where the spec says.
func TestOperationRequestHeaderParameters(t *testing.T) {
	t.Parallel()
	doc, err := openapi3.NewLoader().LoadFromData([]byte(`openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /things/{thingId}:
    parameters:
      - {name: thingId, in: path, required: true, schema: {type: string}}
    get:
      operationId: thingRetrieve
      parameters:
        - {name: X-Trace, in: header, schema: {type: string}}
        - {name: session, in: cookie, schema: {type: string}}
        - {name: thingId, in: query, schema: {type: string}}
      responses: {'200': {description: ok}}
`))
	if err != nil {
		t.Fatal(err)
	}
	op := whispir.Operation{ID: "thingRetrieve", Method: "GET", Path: "/things/{thingId}"}
	if _, err := newCatalog(doc, []whispir.Operation{op}); err == nil || !strings.Contains(err.Error(), `two parameters are called "thingId"`) {
		t.Errorf("a path and a query parameter of one name: got %v; want an error", err)
	}
	doc.Paths.Value(op.Path).Get.Parameters = doc.Paths.Value(op.Path).Get.Parameters[:2]
	cat, err := newCatalog(doc, []whispir.Operation{op})
	if err != nil {
		t.Fatal(err)
	}
	got := cat.byID["thingRetrieve"]
	if names := got.paramNames(); !slices.Equal(names, []string{"thingId", "X-Trace", "session"}) {
		t.Errorf("parameters %q; want path, header, cookie", names)
	}
	req, err := got.request(t.Context(), "https://api.example.com/", map[string][]string{"thingId": {"T1"}, "X-Trace": {"abc"}, "session": {"s1"}}, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	if req.URL.String() != "https://api.example.com/things/T1" || req.Header.Get("X-Trace") != "abc" {
		t.Errorf("got %s with X-Trace %q; want /things/T1 with abc", req.URL, req.Header.Get("X-Trace"))
	}
	if c, err := req.Cookie("session"); err != nil || c.Value != "s1" {
		t.Errorf("cookie session: %v, %v; want s1", c, err)
	}
}
