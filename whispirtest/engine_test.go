package whispirtest

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// fixture is the generic engine driven by testdata/engine.yaml, a spec with
// the kinds of resources the real one is growing.
type fixture struct {
	t      *testing.T
	plans  *planSet
	router routers.Router
	srv    *Server
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile("testdata/engine.yaml")
	if err != nil {
		t.Fatalf("load fixture: %v", err)
	}
	if err := doc.Validate(loader.Context, openapi3.EnableExamplesValidation()); err != nil {
		t.Fatalf("validate fixture: %v", err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatalf("router: %v", err)
	}
	return &fixture{t: t, plans: buildPlans(doc), router: router, srv: newServer()}
}

// do answers one request with the engine and checks the answer against the
// fixture spec.
func (f *fixture) do(method, target, body string) answer {
	f.t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	route, params, err := f.router.FindRoute(req)
	if err != nil {
		f.t.Fatalf("%s %s: find route: %v", method, target, err)
	}
	p := f.plans.byID[route.Operation.OperationID]
	a := f.srv.items.serve(f.srv, p, params, req.URL.Query(), []byte(body))
	header := a.header.Clone()
	if a.status >= 400 {
		// As whispir.ValidateResponse does: errors come in the vendor type
		// where the spec says application/json.
		header.Set("Content-Type", "application/json")
	}
	err = openapi3filter.ValidateResponse(f.t.Context(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 a.status,
		Header:                 header,
		Body:                   io.NopCloser(bytes.NewReader(a.body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true},
	})
	if err != nil {
		f.t.Errorf("%s %s answered %d %s: invalid response: %v", method, target, a.status, a.body, err)
	}
	return a
}

func TestPlanKinds(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tests := []struct {
		op         string
		kind       opKind
		collection string
		creatable  bool
	}{
		{"contactCreate", kindCreate, "/workspaces/{workspaceId}/contacts", true},
		{"contactList", kindList, "/workspaces/{workspaceId}/contacts", true},
		{"contactRetrieve", kindRetrieve, "/workspaces/{workspaceId}/contacts", true},
		{"contactUpdate", kindUpdate, "/workspaces/{workspaceId}/contacts", true},
		{"contactDelete", kindDelete, "/workspaces/{workspaceId}/contacts", true},
		{"userCreate", kindCreate, "/users", true},
		{"userList", kindList, "/users", true},
		{"usersDelete", kindDeleteAll, "/users", true},
		{"userRetrieve", kindRetrieve, "/users", true},
		{"resourceUpdate", kindUpdate, "/workspaces/{workspaceId}/resources", true},
		{"scenarioRunCreate", kindOther, "/workspaces/{workspaceId}/scenarios/{scenarioId}", false},
		{"scenarioRetrieve", kindRetrieve, "/workspaces/{workspaceId}/scenarios", false},
		{"importCreate", kindOther, "/workspaces/{workspaceId}/imports", false},
		{"sendCodeCreate", kindOther, "/otp/send-code", false},
	}
	for _, tc := range tests {
		t.Run(tc.op, func(t *testing.T) {
			t.Parallel()
			p := f.plans.byID[tc.op]
			if p == nil {
				t.Fatalf("no plan")
			}
			if p.kind != tc.kind || p.collection != tc.collection || p.creatable != tc.creatable {
				t.Errorf("got kind %d, collection %q, creatable %v; want %d, %q, %v", p.kind, p.collection, p.creatable, tc.kind, tc.collection, tc.creatable)
			}
		})
	}
}

func TestEngineCRUD(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const ws = "/workspaces/AB12"
	base := f.srv.URL

	// Nothing stored: an empty page, not the spec's example (whose links
	// lead to the real API).
	a := f.do("GET", ws+"/contacts", "")
	if a.status != 200 || string(a.body) != `{"link":[],"status":"No records found"}` {
		t.Fatalf("empty list: got %d %s; want 200 {\"link\":[],\"status\":\"No records found\"}", a.status, a.body)
	}

	var ids []string
	for _, name := range []string{"Ann", "Bob", "Cat"} {
		a := f.do("POST", ws+"/contacts", `{"firstName":"`+name+`","lastName":"Citizen"}`)
		if a.status != 201 {
			t.Fatalf("create: got %d; want 201", a.status)
		}
		loc := a.header.Get("Location")
		if !strings.HasPrefix(loc, base+ws+"/contacts/") {
			t.Fatalf("Location: got %q; want it under %s", loc, base+ws+"/contacts/")
		}
		id := loc[strings.LastIndex(loc, "/")+1:]
		var got map[string]any
		_ = json.Unmarshal(a.body, &got)
		if got["id"] != id || got["firstName"] != name {
			t.Errorf("create body: got %s; want id %s and the stored fields", a.body, id)
		}
		ids = append(ids, id)
	}
	// Another workspace and the list are separate stores.
	if a := f.do("GET", "/workspaces/CD34/contacts", ""); !strings.Contains(string(a.body), noRecords) {
		t.Errorf("other workspace: got %s; want an empty page (nothing stored there)", a.body)
	}

	a = f.do("GET", ws+"/contacts?limit=2", "")
	var page struct {
		Status   string           `json:"status"`
		Contacts []map[string]any `json:"contacts"`
		Link     []struct{ URI, Rel string }
	}
	if err := json.Unmarshal(a.body, &page); err != nil {
		t.Fatalf("decode page: %v", err)
	}
	if page.Status != "1 to 2 of 3" || len(page.Contacts) != 2 || page.Contacts[0]["id"] != ids[0] {
		t.Errorf("page 1: got %s; want the first two of three", a.body)
	}
	if len(page.Link) != 1 || page.Link[0].Rel != "next" || page.Link[0].URI != base+ws+"/contacts?limit=2&offset=2" {
		t.Errorf("page 1 links: got %+v; want one next link to offset 2", page.Link)
	}

	if a := f.do("GET", ws+"/contacts/"+ids[1], ""); a.status != 200 || !strings.Contains(string(a.body), `"Bob"`) {
		t.Errorf("retrieve: got %d %s; want 200 with Bob", a.status, a.body)
	}
	if a := f.do("GET", ws+"/contacts/FFFF", ""); a.status != 404 {
		t.Errorf("retrieve unknown: got %d; want 404", a.status)
	}
	if a := f.do("PUT", ws+"/contacts/"+ids[1], `{"firstName":"Rob","lastName":"Citizen"}`); a.status != 204 || len(a.body) != 0 {
		t.Errorf("update: got %d %s; want 204 without a body", a.status, a.body)
	}
	if a := f.do("GET", ws+"/contacts/"+ids[1], ""); !strings.Contains(string(a.body), `"Rob"`) {
		t.Errorf("after update: got %s; want Rob", a.body)
	}
	if a := f.do("PUT", ws+"/contacts/FFFF", `{"firstName":"X","lastName":"Y"}`); a.status != 404 {
		t.Errorf("update unknown: got %d; want 404", a.status)
	}
	if a := f.do("DELETE", ws+"/contacts/"+ids[0], ""); a.status != 204 {
		t.Errorf("delete: got %d; want 204", a.status)
	}
	if a := f.do("DELETE", ws+"/contacts/"+ids[0], ""); a.status != 404 {
		t.Errorf("delete twice: got %d; want 404", a.status)
	}
	if a := f.do("GET", ws+"/contacts", ""); !strings.Contains(string(a.body), `"1 to 2 of 2"`) {
		t.Errorf("after delete: got %s; want two left", a.body)
	}
}

func TestEngineShapes(t *testing.T) {
	t.Parallel()
	f := newFixture(t)

	// No body on the 201; the write-only password never comes back.
	a := f.do("POST", "/users", `{"userName":"jane","password":"secret-password"}`)
	if a.status != 201 || len(a.body) != 0 || a.header.Get("Location") == "" {
		t.Fatalf("user create: got %d %q Location %q; want 201, no body, a Location", a.status, a.body, a.header.Get("Location"))
	}
	loc := a.header.Get("Location")
	id := loc[strings.LastIndex(loc, "/")+1:]
	for _, target := range []string{"/users/" + id, "/users"} {
		a := f.do("GET", target, "")
		if a.status != 200 || strings.Contains(string(a.body), "secret-password") || !strings.Contains(string(a.body), `"jane"`) {
			t.Errorf("GET %s: got %d %s; want 200, jane, no password", target, a.status, a.body)
		}
	}
	if a := f.do("DELETE", "/users", ""); a.status != 204 {
		t.Errorf("delete all: got %d; want 204", a.status)
	}
	if a := f.do("GET", "/users/"+id, ""); a.status != 404 {
		t.Errorf("after delete all: got %d; want 404", a.status)
	}

	// An update with a body.
	a = f.do("POST", "/workspaces/AB12/resources", `{"name":"a.csv"}`)
	loc = a.header.Get("Location")
	a = f.do("PUT", "/workspaces/AB12/resources/"+loc[strings.LastIndex(loc, "/")+1:], `{"name":"b.csv"}`)
	if a.status != 200 || !strings.Contains(string(a.body), `"b.csv"`) {
		t.Errorf("resource update: got %d %s; want 200 with b.csv", a.status, a.body)
	}

	// Actions: the first 2xx, the example, declared headers.
	a = f.do("POST", "/workspaces/AB12/scenarios/5C", "")
	if a.status != 202 || a.header.Get("Location") != f.srv.URL+"/workspaces/AB12/scenarios/5C" {
		t.Errorf("scenario run: got %d Location %q; want 202 and the scenario's URI", a.status, a.header.Get("Location"))
	}
	if a := f.do("GET", "/workspaces/AB12/scenarios/5C", ""); a.status != 404 {
		t.Errorf("scenario retrieve (not creatable, so nothing is there): got %d %s; want 404", a.status, a.body)
	}
	a = f.do("POST", "/workspaces/AB12/imports", `{"resourceId":"R1"}`)
	if a.status != 202 || string(a.body) != "Your request has been accepted for processing" || a.header.Get("X-Import-Job") != "job-1" ||
		!strings.HasPrefix(a.header.Get("Location"), f.srv.URL+"/workspaces/AB12/imports/") {
		t.Errorf("import: got %d %q %v; want 202, the text example, X-Import-Job and a Location", a.status, a.body, a.header)
	}
	a = f.do("POST", "/otp/send-code", `{"to":"+61400000000"}`)
	if a.status != 201 || !strings.Contains(string(a.body), `"status":"pending"`) || strings.Contains(string(a.body), "secret") {
		t.Errorf("send code: got %d %s; want 201 with a minimal body", a.status, a.body)
	}
}

func TestConform(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	contact := f.plans.byID["contactRetrieve"].ok.schema
	got := conform(map[string]any{"firstName": "A", "lastName": "B", "extra": 1.0}, contact)
	if _, ok := got.(map[string]any)["extra"]; ok {
		t.Errorf("conform: got %v; want extra dropped (additionalProperties: false)", got)
	}
	if !fits(got, contact) {
		t.Errorf("fits: got false; want true for %v", got)
	}
}

func TestBearerToken(t *testing.T) {
	t.Parallel()
	srv := newServer(WithTokenLifetime(time.Hour))
	token := srv.issueToken(DefaultUsername)
	// remember makes srv know a token made at another time, as if it had
	// issued it then.
	remember := func(token string) string {
		srv.mu.Lock()
		defer srv.mu.Unlock()
		srv.tokens[sha256.Sum256([]byte(token))] = DefaultUsername
		return token
	}
	now := time.Now()
	tests := []struct {
		name  string
		authz string
		want  int
	}{
		{"issued token", "Bearer " + token, http.StatusOK},
		{"lower-case scheme", "bearer " + token, http.StatusOK},
		{"other token", "Bearer " + newToken(DefaultUsername, now, 0), http.StatusUnauthorized},
		{"empty token", "Bearer ", http.StatusUnauthorized},
		{"token without exp", "Bearer " + remember(newToken(DefaultUsername, now.Add(-48*time.Hour), 0)), http.StatusOK},
		{"token a minute before its exp", "Bearer " + remember(newToken(DefaultUsername, now.Add(-time.Hour+time.Minute), time.Hour)), http.StatusOK},
		{"expired token", "Bearer " + remember(newToken(DefaultUsername, now.Add(-2*time.Hour), time.Hour)), http.StatusUnauthorized},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := bearerStatus(srv, tc.authz); got != tc.want {
				t.Errorf("status: got %d; want %d", got, tc.want)
			}
		})
	}
}

func TestTokenLifetimeClaims(t *testing.T) {
	t.Parallel()
	issued := time.Unix(1_700_000_000, 0)
	tests := []struct {
		name     string
		lifetime time.Duration
		wantExp  int64 // 0: no exp claim
	}{
		{"no lifetime", 0, 0},
		{"whole seconds", time.Hour, 1_700_003_600},
		{"rounded up", 1500 * time.Millisecond, 1_700_000_002},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			exp, found := tokenExpiry(newToken(DefaultUsername, issued, tc.lifetime))
			if found != (tc.wantExp != 0) || found && exp.Unix() != tc.wantExp {
				t.Errorf("exp: got %v (found %v); want %d", exp.Unix(), found, tc.wantExp)
			}
		})
	}
}

func TestRevokeTokens(t *testing.T) {
	t.Parallel()
	srv := newServer()
	old := "Bearer " + srv.issueToken(DefaultUsername)
	if got := bearerStatus(srv, old); got != http.StatusOK {
		t.Fatalf("before RevokeTokens: got %d; want 200", got)
	}
	srv.RevokeTokens()
	if got := bearerStatus(srv, old); got != http.StatusUnauthorized {
		t.Errorf("revoked token: got %d; want 401", got)
	}
	if got := bearerStatus(srv, "Bearer "+srv.issueToken(DefaultUsername)); got != http.StatusOK {
		t.Errorf("token issued after RevokeTokens: got %d; want 200", got)
	}
}

// bearerStatus is the status srv answers a message list with authz.
func bearerStatus(srv *Server, authz string) int {
	req := httptest.NewRequest(http.MethodGet, "/workspaces/"+WorkspaceID+"/messages", nil)
	req.Header.Set("Accept", "application/vnd.whispir.message-v1+json")
	req.Header.Set("x-api-key", DefaultAPIKey)
	req.Header.Set("Authorization", authz)
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, req)
	return rec.Code
}
