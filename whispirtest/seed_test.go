package whispirtest_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/whispir-go/whispir/whispirtest"
)

const seedYAML = `
# A CI job's starting state.
workspaces:
  - id: 9a4c5521ffc7b15b
    projectName: Operations
callbacks:
  - id: CB01
    name: replies
    url: http://127.0.0.1:9/whispir
    auth: {type: httpheader, key: not-a-real-key}
    callbacks: {reply: enabled, undeliverable: enabled}
contacts:
  9A4C5521FFC7B15B:
    - id: C0FFEE
      firstName: Jane
      lastName: Citizen
  default:
    - firstName: John
      lastName: Citizen
templates:
  9A4C5521FFC7B15B:
    - id: A1
      messageTemplateName: outage
      subject: Notice
      body: The portal is down.
distributionLists:
  default:
    - id: D1
      name: On-call
      contactIds: C0FFEE
`

func TestSeedRoundTrip(t *testing.T) {
	t.Parallel()
	seed, err := whispirtest.ParseSeed([]byte(seedYAML))
	if err != nil {
		t.Fatalf("ParseSeed: %v", err)
	}
	srv := start(t, whispirtest.WithSeed(seed))
	for _, tc := range []struct{ path, want string }{
		{"/workspaces/9A4C5521FFC7B15B", `"projectName":"Operations"`},
		{"/workspaces/9A4C5521FFC7B15B/contacts/C0FFEE", `"firstName":"Jane"`},
		{"/contacts", `"firstName":"John"`},
		{"/workspaces/9A4C5521FFC7B15B/templates/A1", `"messageTemplateName":"outage"`},
		{"/distributionlists/D1", `"name":"On-call"`},
		{"/callbacks/CB01", `"name":"replies"`},
	} {
		resp, body := send(t, newRequest(t, srv, http.MethodGet, tc.path, ""))
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), tc.want) {
			t.Errorf("GET %s: got %d %s; want 200 with %s", tc.path, resp.StatusCode, clip(body), tc.want)
		}
	}

	state := srv.State()
	if len(state.Contacts["default"]) != 1 || state.Contacts["default"][0]["id"] == nil {
		t.Errorf("state: default contacts %v; want John with his new id", state.Contacts["default"])
	}
	// The export loads into a new server and exports the same again.
	data, err := json.Marshal(state)
	if err != nil {
		t.Fatal(err)
	}
	again, err := whispirtest.ParseSeed(data)
	if err != nil {
		t.Fatalf("ParseSeed(export): %v", err)
	}
	other := start(t, whispirtest.WithSeed(again))
	if got := other.State(); !reflect.DeepEqual(got, state) {
		t.Errorf("round trip:\n got %v\nwant %v", got, state)
	}
	// The seeded callback is stored as callbackCreate would: a new one
	// cannot take its name.
	body := callbackJSON("replies", "http://127.0.0.1:9/other", "", "", "json", false)
	if resp, _ := send(t, newRequest(t, srv, http.MethodPost, "/callbacks", body)); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a callback named like the seeded one: got %d; want 422", resp.StatusCode)
	}
}

func TestParseSeedErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, seed, want string
	}{
		{"not YAML", "contacts: [", "not JSON or YAML"},
		{"unknown field", "contact: {}", `unknown field "contact"`},
		{"invalid item", "contacts: {default: [{firstName: 1, lastName: C}]}", "contacts[default][0]: body /firstName"},
		{"missing required", "templates: {AB12: [{subject: s}]}", "templates[AB12][0]: body"},
		{"number id", "workspaces: [{id: 12, projectName: P}]", "id must be a string"},
		{"bad id", "workspaces: [{id: 'a/b', projectName: P}]", "path segment"},
		{"id off the pattern", "workspaces: [{id: XY12, projectName: P}]", `path parameter "workspaceId"`},
		{"bad workspace", "contacts: {'a b': [{firstName: J, lastName: C}]}", "workspace id"},
		{"twice", "contacts: {default: [{id: AB, firstName: J, lastName: C}, {id: ab, firstName: K, lastName: C}]}", "used twice"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := whispirtest.ParseSeed([]byte(tc.seed))
			if !errors.Is(err, whispirtest.ErrInvalidSeed) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v; want ErrInvalidSeed with %q", err, tc.want)
			}
		})
	}
	// The errors never show a value.
	_, err := whispirtest.ParseSeed([]byte("contacts: {default: [{firstName: 61400000000, lastName: C}]}"))
	if err == nil || strings.Contains(err.Error(), "61400000000") {
		t.Errorf("got %v; want an error without the value", err)
	}
}

func TestLoadSeedChecksCallbacks(t *testing.T) {
	t.Parallel()
	srv := start(t)
	createCallback(t, srv, callbackJSON("taken", newReceiver(t, http.StatusOK).URL, "", "", "json", false))
	tests := []struct {
		name, url, cbName, want string
	}{
		{"off loopback", "https://hooks.example.com/x", "new", "loopback"},
		{"name taken", "http://127.0.0.1:9/x", "taken", "taken"},
	}
	for _, tc := range tests {
		seed := whispirtest.Seed{Callbacks: []map[string]any{{"name": tc.cbName, "url": tc.url}}}
		if err := srv.LoadSeed(seed); !errors.Is(err, whispirtest.ErrInvalidSeed) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v; want ErrInvalidSeed with %q", tc.name, err, tc.want)
		}
	}
	if n := len(srv.State().Callbacks); n != 1 {
		t.Errorf("callbacks: got %d; want 1 (nothing loaded)", n)
	}
}

func TestWithSeedPanicsOnABadSeed(t *testing.T) {
	t.Parallel()
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "loopback") {
			t.Errorf("recovered %v; want a panic about the callback url", r)
		}
	}()
	srv := whispirtest.NewServer(whispirtest.WithSeed(whispirtest.Seed{Callbacks: []map[string]any{{"name": "x", "url": "https://hooks.example.com"}}}))
	srv.Close()
}
