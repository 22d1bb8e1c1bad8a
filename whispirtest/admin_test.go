package whispirtest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/whispir-go/whispir/security"
	"github.com/whispir-go/whispir/whispirtest"
)

// adminRouter is the admin document, parsed once for the tests: the
// oracle of every admin answer.
var adminRouter = sync.OnceValues(func() (routers.Router, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(whispirtest.AdminSpec())
	if err != nil {
		return nil, err
	}
	if err := doc.Validate(loader.Context, openapi3.EnableExamplesValidation()); err != nil {
		return nil, err
	}
	doc.Servers = nil
	return gorillamux.NewRouter(doc)
})

func TestAdminSpecIsValid(t *testing.T) {
	t.Parallel()
	if _, err := adminRouter(); err != nil {
		t.Fatalf("admin spec: %v", err)
	}
}

// admin sends an admin request (path below /_whispir/) with the server's
// key unless noKey, and checks the answer against the admin document.
func admin(t *testing.T, srv *whispirtest.Server, method, path, body string, noKey ...bool) (*http.Response, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, srv.URL+whispirtest.AdminPath+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if len(noKey) == 0 || !noKey[0] {
		req.Header.Set(security.HeaderAPIKey, srv.Credentials().APIKey)
	}
	resp, data := send(t, req)
	checkAdmin(t, srv, req, body, resp, data)
	return resp, data
}

// checkAdmin validates an admin answer against the admin document.
func checkAdmin(t *testing.T, srv *whispirtest.Server, req *http.Request, body string, resp *http.Response, data []byte) {
	t.Helper()
	router, err := adminRouter()
	if err != nil {
		t.Fatal(err)
	}
	rel := req.Clone(context.Background())
	rel.URL.Path = strings.TrimPrefix(rel.URL.Path, basePath(srv))
	rel.URL.Host, rel.URL.Scheme = "", ""
	route, params, err := router.FindRoute(rel)
	if err != nil {
		return // no such route: nothing to check it against
	}
	rel.Body = io.NopCloser(strings.NewReader(body))
	in := &openapi3filter.RequestValidationInput{Request: rel, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	err = openapi3filter.ValidateResponse(t.Context(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header,
		Body: io.NopCloser(bytes.NewReader(data)), Options: &openapi3filter.Options{IncludeResponseStatus: true},
	})
	if err != nil {
		t.Errorf("%s %s answered %d, against the admin spec: %v", req.Method, req.URL.Path, resp.StatusCode, err)
	}
}

func TestAdminHealthNeedsNoKey(t *testing.T) {
	t.Parallel()
	srv := start(t)
	resp, body := admin(t, srv, http.MethodGet, "health", "", true)
	if resp.StatusCode != http.StatusOK || string(body) != `{"status":"ok"}` {
		t.Errorf("health: got %d %s; want 200 {\"status\":\"ok\"}", resp.StatusCode, body)
	}
}

func TestAdminNeedsTheKey(t *testing.T) {
	t.Parallel()
	srv := start(t, whispirtest.WithBasePath("/api"))
	for _, tc := range []struct {
		name, method, path, key string
	}{
		{"no key", http.MethodGet, "requests", ""},
		{"wrong key", http.MethodPost, "reset", "not-the-key"},
		{"spec", http.MethodGet, "openapi.yaml", ""},
		{"state", http.MethodGet, "state", "x"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req, _ := http.NewRequestWithContext(t.Context(), tc.method, srv.URL+whispirtest.AdminPath+tc.path, nil)
			if tc.key != "" {
				req.Header.Set(security.HeaderAPIKey, tc.key)
			}
			resp, body := send(t, req)
			checkAdmin(t, srv, req, "", resp, body)
			if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("got %d %s %s; want 401 application/problem+json", resp.StatusCode, resp.Header.Get("Content-Type"), body)
			}
		})
	}
}

func TestAdminUnknownRoutes(t *testing.T) {
	t.Parallel()
	srv := start(t)
	tests := []struct {
		name, method, path string
		want               int
	}{
		{"unknown path", http.MethodGet, "nothing", http.StatusNotFound},
		{"wrong method", http.MethodPut, "requests", http.StatusMethodNotAllowed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			resp, body := admin(t, srv, tc.method, tc.path, "")
			if resp.StatusCode != tc.want || !strings.Contains(string(body), `"status":`) {
				t.Errorf("got %d %s; want %d with a problem body", resp.StatusCode, body, tc.want)
			}
		})
	}
	// The admin prefix never reaches the Whispir pipeline.
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("journal: got %d requests; want admin requests left out", n)
	}
}

func TestAdminServesItsSpec(t *testing.T) {
	t.Parallel()
	srv := start(t)
	resp, body := admin(t, srv, http.MethodGet, "openapi.yaml", "")
	if resp.StatusCode != http.StatusOK || !bytes.Equal(body, whispirtest.AdminSpec()) {
		t.Errorf("got %d and %d bytes; want 200 and the admin spec", resp.StatusCode, len(body))
	}
}

func TestAdminRequests(t *testing.T) {
	t.Parallel()
	srv := start(t)
	sendSMS(t, srv, "")
	sendSMS(t, srv, workspace)
	bad := newRequest(t, srv, http.MethodGet, "/messages", "")
	bad.Header.Set(security.HeaderAPIKey, "wrong")
	send(t, bad)

	_, body := admin(t, srv, http.MethodGet, "requests", "")
	var got struct {
		Requests []struct {
			Time        time.Time           `json:"time"`
			Method      string              `json:"method"`
			Path        string              `json:"path"`
			OperationID string              `json:"operationId"`
			Status      int                 `json:"status"`
			Fault       string              `json:"fault"`
			Headers     map[string][]string `json:"headers"`
			Body        *string             `json:"body"`
			BodySize    int                 `json:"bodySize"`
		} `json:"requests"`
	}
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Requests) != 3 {
		t.Fatalf("requests: got %d; want 3", len(got.Requests))
	}
	first := got.Requests[0]
	if first.Method != "POST" || first.Path != "/messages" || first.OperationID != "defaultMessageCreate" || first.Status != 202 ||
		first.Body == nil || *first.Body != smsBody || first.BodySize != len(smsBody) || first.Time.IsZero() {
		t.Errorf("first: got %+v; want the send with its body", first)
	}
	if got := first.Headers["X-Api-Key"]; len(got) != 1 || got[0] != security.Redacted {
		t.Errorf("first x-api-key: got %q; want redacted", got)
	}
	if strings.Contains(string(body), srv.Credentials().APIKey) || strings.Contains(string(body), srv.Credentials().Password) {
		t.Errorf("the journal shows a secret: %s", body)
	}
	if last := got.Requests[2]; last.Status != 403 || last.Body != nil {
		t.Errorf("unauthenticated: got %+v; want 403 and no body", last)
	}

	_, body = admin(t, srv, http.MethodGet, "requests?operationId=messageCreate&limit=5", "")
	if n := strings.Count(string(body), `"operationId"`); n != 1 || !strings.Contains(string(body), `"messageCreate"`) {
		t.Errorf("filtered: got %s; want the one messageCreate", body)
	}
	_, body = admin(t, srv, http.MethodGet, "requests?limit=1", "")
	if n := strings.Count(string(body), `"operationId"`); n != 1 || !strings.Contains(string(body), `"status":403`) {
		t.Errorf("limit=1: got %s; want the last request", body)
	}
	if resp, _ := admin(t, srv, http.MethodGet, "requests?limit=0", ""); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("limit=0: got %d; want 400", resp.StatusCode)
	}

	if resp, _ := admin(t, srv, http.MethodDelete, "requests", ""); resp.StatusCode != http.StatusNoContent {
		t.Errorf("DELETE requests: got %d; want 204", resp.StatusCode)
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("after DELETE: got %d requests; want 0", n)
	}
	if n := len(srv.Messages()); n != 2 {
		t.Errorf("after DELETE: got %d messages; want 2 (they stay)", n)
	}
}

func TestAdminFaults(t *testing.T) {
	t.Parallel()
	srv := start(t)
	resp, body := admin(t, srv, http.MethodPost, "faults", `{"kind":"FaultQPS","count":2,"retryAfter":"3"}`)
	if resp.StatusCode != http.StatusCreated || string(body) != `{"count":2,"kind":"FaultQPS","retryAfter":"3"}` {
		t.Fatalf("inject: got %d %s; want 201 and the fault", resp.StatusCode, body)
	}
	resp, body = admin(t, srv, http.MethodPost, "faults", `{"kind":"FaultStatus","rate":0.5,"seed":7,"operations":["messageList"]}`)
	if resp.StatusCode != http.StatusCreated || !strings.Contains(string(body), `"status":503`) {
		t.Fatalf("inject a rate: got %d %s; want 201 with the default status", resp.StatusCode, body)
	}
	_, body = admin(t, srv, http.MethodGet, "faults", "")
	if want := `{"faults":[{"count":2,"kind":"FaultQPS","retryAfter":"3"},{"kind":"FaultStatus","operations":["messageList"],"rate":0.5,"seed":7,"status":503}]}`; string(body) != want {
		t.Errorf("faults: got %s; want %s", body, want)
	}

	for i := range 2 {
		resp, _ := send(t, newRequest(t, srv, http.MethodPost, "/messages", smsBody))
		if resp.StatusCode != http.StatusForbidden || resp.Header.Get("X-Error-Code") != "ERR_403_DEVELOPER_OVER_QPS" || resp.Header.Get("Retry-After") != "3" {
			t.Errorf("send %d: got %d %v; want the QPS fault", i, resp.StatusCode, resp.Header)
		}
	}
	if resp, _ := send(t, newRequest(t, srv, http.MethodPost, "/messages", smsBody)); resp.StatusCode != http.StatusAccepted {
		t.Errorf("third send: got %d; want 202 (the count is spent)", resp.StatusCode)
	}
	if resp, _ := admin(t, srv, http.MethodDelete, "faults", ""); resp.StatusCode != http.StatusNoContent {
		t.Errorf("DELETE faults: got %d; want 204", resp.StatusCode)
	}
	if _, body := admin(t, srv, http.MethodGet, "faults", ""); string(body) != `{"faults":[]}` {
		t.Errorf("after DELETE: got %s; want none", body)
	}
}

func TestAdminFaultErrors(t *testing.T) {
	t.Parallel()
	srv := start(t)
	tests := []struct {
		name, body string
		want       int
	}{
		{"unknown kind", `{"kind":"FaultLoud"}`, http.StatusBadRequest},
		{"no kind", `{"count":1}`, http.StatusBadRequest},
		{"rate above 1", `{"kind":"FaultQPS","rate":2}`, http.StatusBadRequest},
		{"count and rate", `{"kind":"FaultQPS","count":1,"rate":0.5}`, http.StatusUnprocessableEntity},
		{"slow without delay", `{"kind":"FaultSlow"}`, http.StatusUnprocessableEntity},
		{"bad delay", `{"kind":"FaultSlow","delay":"soon"}`, http.StatusUnprocessableEntity},
		{"seed without rate", `{"kind":"FaultQPS","seed":1}`, http.StatusUnprocessableEntity},
		{"unknown operation", `{"kind":"FaultQPS","operations":["messageSend"]}`, http.StatusUnprocessableEntity},
		{"not JSON", `kind=FaultQPS`, http.StatusBadRequest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			resp, body := admin(t, srv, http.MethodPost, "faults", tc.body)
			if resp.StatusCode != tc.want {
				t.Errorf("got %d %s; want %d", resp.StatusCode, body, tc.want)
			}
		})
	}
	if _, body := admin(t, srv, http.MethodGet, "faults", ""); string(body) != `{"faults":[]}` {
		t.Errorf("faults: got %s; want none injected", body)
	}
}

func TestAdminMessagesAndLifecycle(t *testing.T) {
	t.Parallel()
	srv := start(t)
	id := sendSMS(t, srv, workspace)
	_, body := admin(t, srv, http.MethodGet, "messages", "")
	var got struct {
		Messages []struct {
			ID          string         `json:"id"`
			WorkspaceID string         `json:"workspaceId"`
			Message     map[string]any `json:"message"`
		} `json:"messages"`
	}
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Messages) != 1 || got.Messages[0].ID != id || got.Messages[0].WorkspaceID != workspace || got.Messages[0].Message["to"] != "61400000000" {
		t.Fatalf("messages: got %s; want the one sent", body)
	}

	status := func() string {
		_, b := send(t, newRequest(t, srv, http.MethodGet, "/workspaces/"+workspace+"/messages/"+id+"/messagestatus?view=detailed", ""))
		return string(b)
	}
	tests := []struct {
		name, route, body string
		want              int
		wantStatus        string // in the detailed status afterwards
	}{
		{"deliver", "deliver", "", http.StatusNoContent, `"DELIVRD"`},
		{"reply", "reply", `{"from":"61400000000","content":"YES","at":"2026-11-27T10:15:00Z"}`, http.StatusNoContent, `"READ"`},
		{"reply from a stranger", "reply", `{"from":"61499999999","content":"hi"}`, http.StatusUnprocessableEntity, ""},
		{"reply without content", "reply", `{"from":"61400000000"}`, http.StatusBadRequest, ""},
		{"unknown channel", "deliver", `{"channel":"fax"}`, http.StatusBadRequest, ""},
		{"not a recipient", "undeliverable", `{"recipients":["61499999999"]}`, http.StatusUnprocessableEntity, ""},
		{"undeliverable after reply", "undeliverable", `{}`, http.StatusNoContent, `"READ"`},
	}
	for _, tc := range tests { // in order: each step builds on the last
		resp, body := admin(t, srv, http.MethodPost, "messages/"+id+"/"+tc.route, tc.body)
		if resp.StatusCode != tc.want {
			t.Errorf("%s: got %d %s; want %d", tc.name, resp.StatusCode, body, tc.want)
		}
		if tc.wantStatus != "" && !strings.Contains(status(), tc.wantStatus) {
			t.Errorf("%s: status %s; want %s", tc.name, status(), tc.wantStatus)
		}
		if strings.Contains(string(body), "61499999999") {
			t.Errorf("%s: the error shows a recipient: %s", tc.name, body)
		}
	}
	_, body = send(t, newRequest(t, srv, http.MethodGet, "/workspaces/"+workspace+"/messages/"+id+"/messageresponses?view=detailed", ""))
	if !strings.Contains(string(body), `"content":"YES"`) || !strings.Contains(string(body), `"27/11/26 10:15"`) {
		t.Errorf("responses: got %s; want the reply at its time", body)
	}
	for _, route := range []string{"deliver", "reply", "undeliverable"} {
		resp, body := admin(t, srv, http.MethodPost, "messages/FFFF/"+route, `{"from":"61400000000","content":"x"}`)
		if resp.StatusCode != http.StatusNotFound || !strings.Contains(string(body), "FFFF") {
			t.Errorf("%s an unknown message: got %d %s; want 404 naming it", route, resp.StatusCode, body)
		}
	}
}

func TestAdminReplyReachesTheCallback(t *testing.T) {
	t.Parallel()
	srv := start(t)
	rcv := newReceiver(t, http.StatusOK)
	createCallback(t, srv, callbackJSON("hook", rcv.URL, "httpheader", "k", "json", false))
	id := sendMessage(t, srv, `{"to":"61400000000","subject":"Reply YES","callbackId":"hook"}`)
	if resp, body := admin(t, srv, http.MethodPost, "messages/"+id+"/reply", `{"from":"61400000000","content":"YES"}`); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("reply: got %d %s; want 204", resp.StatusCode, body)
	}
	waitCallbacks(t, srv)
	if got := rcv.received(); len(got) != 1 || !strings.Contains(string(got[0].Body), `"content":"YES"`) {
		t.Errorf("callback got %d posts; want one with the reply", len(got))
	}
}

func TestAdminReset(t *testing.T) {
	t.Parallel()
	seed := whispirtest.Seed{Contacts: map[string][]map[string]any{workspace: {{"id": "C0FFEE", "firstName": "Jane", "lastName": "Citizen"}}}}
	srv := start(t, whispirtest.WithSeed(seed))
	rcv := newReceiver(t, http.StatusOK, http.StatusInternalServerError)
	createCallback(t, srv, callbackJSON("hook", rcv.URL, "", "", "json", true))
	id := sendMessage(t, srv, `{"to":"61400000000","subject":"x","callbackId":"hook"}`)
	postForID(t, srv, "/workspaces/"+workspace+"/contacts", `{"firstName":"Bob","lastName":"Citizen"}`, http.StatusCreated)
	if err := srv.Reply(id, "61400000000", "yes"); err != nil {
		t.Fatal(err)
	}
	if err := srv.InjectFaults(5, whispirtest.Fault{Kind: whispirtest.FaultQPS, Operations: []string{"messageList"}}); err != nil {
		t.Fatal(err)
	}

	if resp, body := admin(t, srv, http.MethodPost, "reset", ""); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("reset: got %d %s; want 204", resp.StatusCode, body)
	}
	// The failed callback call waits for a retry in 5 minutes: reset ends it.
	waitCallbacks(t, srv)
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("messages: got %d; want 0", n)
	}
	if n := len(srv.CallbackCalls()); n != 0 {
		t.Errorf("callback calls: got %d; want 0", n)
	}
	if _, body := admin(t, srv, http.MethodGet, "faults", ""); string(body) != `{"faults":[]}` {
		t.Errorf("faults: got %s; want none", body)
	}
	_, body := send(t, newRequest(t, srv, http.MethodGet, "/workspaces/"+workspace+"/contacts", ""))
	if !strings.Contains(string(body), "C0FFEE") || strings.Contains(string(body), "Bob") {
		t.Errorf("contacts: got %s; want the seeded one only", body)
	}
	if _, body := send(t, newRequest(t, srv, http.MethodGet, "/callbacks", "")); !strings.Contains(string(body), "No records found") {
		t.Errorf("callbacks: got %s; want none", body)
	}
	if n := len(srv.Requests()); n != 2 { // the two lists above
		t.Errorf("journal: got %d; want only the requests since the reset", n)
	}
}

func TestAdminState(t *testing.T) {
	t.Parallel()
	srv := start(t)
	postForID(t, srv, "/workspaces/"+workspace+"/contacts", `{"firstName":"Bob","lastName":"Citizen"}`, http.StatusCreated)
	resp, body := admin(t, srv, http.MethodGet, "state", "")
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"contacts":{"`+workspace+`":[{"firstName":"Bob","id":"`) {
		t.Fatalf("state: got %d %s; want the contact by workspace", resp.StatusCode, body)
	}
	other := start(t)
	if resp, body := admin(t, other, http.MethodPost, "state", string(body)); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("load: got %d %s; want 204", resp.StatusCode, body)
	}
	if _, again := admin(t, other, http.MethodGet, "state", ""); string(again) != string(body) {
		t.Errorf("round trip: got %s; want %s", again, body)
	}
	tests := []struct{ name, body string }{
		{"unknown field", `{"contact":{}}`},
		{"invalid contact", `{"contacts":{"default":[{"firstName":1}]}}`},
	}
	for _, tc := range tests {
		if resp, body := admin(t, other, http.MethodPost, "state", tc.body); resp.StatusCode/100 != 4 {
			t.Errorf("%s: got %d %s; want 4xx", tc.name, resp.StatusCode, body)
		}
	}
}

func TestAdminShutdown(t *testing.T) {
	t.Parallel()
	srv := whispirtest.NewServer()
	defer srv.Close()
	resp, body := admin(t, srv, http.MethodPost, "shutdown", "")
	if resp.StatusCode != http.StatusAccepted || string(body) != `{"status":"stopping"}` {
		t.Fatalf("shutdown: got %d %s; want 202 stopping", resp.StatusCode, body)
	}
	select {
	case <-srv.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("Done not closed within 10s of the shutdown")
	}
	srv.Close() // waits for the shutdown's own Close
	if _, err := http.Get(srv.URL + whispirtest.AdminPath + "health"); err == nil {
		t.Error("health after shutdown: got an answer; want the server gone")
	}
}
