package whispirtest_test

import (
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/whispir-go/whispir/security"
	"github.com/whispir-go/whispir/whispirtest"
)

func TestAuthMatrix(t *testing.T) {
	t.Parallel()
	srv := start(t)
	good := srv.Credentials()
	const unauthorized = "Your username and password combination was incorrect. Please check your authentication details and try again"
	tests := []struct {
		name       string
		edit       func(*http.Request)
		wantStatus int
	}{
		{"good basic", func(*http.Request) {}, http.StatusAccepted},
		{"no api key", func(r *http.Request) { r.Header.Del("x-api-key") }, http.StatusForbidden},
		{"wrong api key", func(r *http.Request) { r.Header.Set("x-api-key", "not-the-key") }, http.StatusForbidden},
		{"empty api key", func(r *http.Request) { r.Header.Set("x-api-key", "") }, http.StatusForbidden},
		{"api key differs in case", func(r *http.Request) { r.Header.Set("x-api-key", strings.ToUpper(good.APIKey)) }, http.StatusForbidden},
		{"wrong password", func(r *http.Request) { r.SetBasicAuth(good.Username, "wrong") }, http.StatusUnauthorized},
		{"wrong username", func(r *http.Request) { r.SetBasicAuth("someone", good.Password) }, http.StatusUnauthorized},
		{"no authorization", func(r *http.Request) { r.Header.Del("Authorization") }, http.StatusUnauthorized},
		{"unknown bearer", func(r *http.Request) { r.Header.Set("Authorization", "Bearer eyJhbGciOi.not.issued") }, http.StatusUnauthorized},
		{"other scheme", func(r *http.Request) { r.Header.Set("Authorization", "Digest abc") }, http.StatusUnauthorized},
		{"wrong key and password", func(r *http.Request) {
			r.Header.Set("x-api-key", "nope")
			r.SetBasicAuth(good.Username, "wrong")
		}, http.StatusForbidden},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req := newRequest(t, srv, http.MethodPost, "/workspaces/"+workspace+"/messages", smsBody)
			tc.edit(req)
			resp, body := send(t, req)
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status: got %d (%s); want %d", resp.StatusCode, clip(body), tc.wantStatus)
			}
			switch tc.wantStatus {
			case http.StatusForbidden:
				if got, want := string(body), `{"message":"Forbidden"}`; got != want {
					t.Errorf("body: got %s; want %s", got, want)
				}
				if got, want := resp.Header.Get("Content-Type"), "application/json"; got != want {
					t.Errorf("Content-Type: got %q; want %q", got, want)
				}
			case http.StatusUnauthorized:
				e := decode[apiErr](t, body)
				if e != (apiErr{ErrorSummary: unauthorized, ErrorText: "Unauthorized"}) {
					t.Errorf("body: got %+v; want the Whispir 401 body", e)
				}
			}
			for _, secret := range []string{good.APIKey, good.Password} {
				if bytes.Contains(body, []byte(secret)) || strings.Contains(strings.Join(flatten(resp.Header), " "), secret) {
					t.Errorf("answer echoes a credential")
				}
			}
		})
	}
}

func flatten(h http.Header) []string {
	var out []string
	for k, vs := range h {
		out = append(out, k)
		out = append(out, vs...)
	}
	return out
}

func TestCredentialRotation(t *testing.T) {
	t.Parallel()
	old := security.Credentials{APIKey: "key-1", Username: "rotating-user", Password: "password-1"}
	srv := start(t, whispirtest.WithCredentials(old))
	if got := srv.Credentials(); got != old {
		t.Fatalf("Credentials: got %v; want %v", got, old)
	}
	sendSMS(t, srv, workspace)
	rotated := old
	rotated.Password = "password-2"
	srv.SetCredentials(rotated)

	req := newRequest(t, srv, http.MethodPost, "/workspaces/"+workspace+"/messages", smsBody)
	req.SetBasicAuth(old.Username, old.Password)
	if resp, _ := send(t, req); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("old password after rotation: got %d; want 401", resp.StatusCode)
	}
	sendSMS(t, srv, workspace)
	msgs := srv.Messages()
	if len(msgs) != 2 {
		t.Fatalf("messages: got %d; want 2", len(msgs))
	}
	if got, want := msgs[0].Credentials.Password, old.Password; got != want {
		t.Errorf("first send's password: got %q; want %q", got, want)
	}
	if got, want := msgs[1].Credentials.Password, rotated.Password; got != want {
		t.Errorf("second send's password: got %q; want %q", got, want)
	}
}

// What the 415s of TestMediaTypes say the mock serves.
const (
	messageType = "This mock serves only the vendor JSON media types, here application/vnd.whispir.message-v1+json;"
	bothTypes   = "This mock serves only the vendor JSON media types, here application/vnd.whispir.bulkmessage-v1+json or application/vnd.whispir.message-v1+json;"
)

func TestMediaTypes(t *testing.T) {
	t.Parallel()
	srv := start(t)
	create := "/workspaces/" + workspace + "/messages"
	tests := []struct {
		name        string
		method      string
		path, body  string
		contentType string // "" keeps the operation's type
		accept      string // "" keeps the operation's type; "-" removes it
		want        int
		wantText    string // in errorText of a 415
	}{
		{"vendor types", http.MethodPost, create, smsBody, "", "", http.StatusAccepted, ""},
		{"plain json content type", http.MethodPost, create, smsBody, "application/json", "", http.StatusUnsupportedMediaType, bothTypes},
		{"text content type", http.MethodPost, create, smsBody, "text/plain", "", http.StatusUnsupportedMediaType, bothTypes},
		{"xml content type", http.MethodPost, create, smsBody, "application/vnd.whispir.message-v1+xml", "", http.StatusUnsupportedMediaType, bothTypes},
		{"content type with charset", http.MethodPost, create, smsBody, "application/vnd.whispir.message-v1+json; charset=utf-8", "", http.StatusAccepted, ""},
		{"other resource's type", http.MethodPost, create, smsBody, "application/vnd.whispir.contact-v1+json", "", http.StatusUnsupportedMediaType, bothTypes},
		{"xml accept", http.MethodPost, create, smsBody, "", "application/vnd.whispir.message-v1+xml", http.StatusUnsupportedMediaType, messageType},
		{"other resource accept", http.MethodGet, create, "", "", "application/vnd.whispir.messagestatus-v1+json", http.StatusUnsupportedMediaType, messageType},
		// Without Accept Whispir answers XML, which the mock does not serve.
		{"no accept", http.MethodGet, create, "", "", "-", http.StatusUnsupportedMediaType, "No Accept header: Whispir answers XML without one. " + messageType},
		{"no accept on a send", http.MethodPost, create, smsBody, "", "-", http.StatusUnsupportedMediaType, "No Accept header"},
		// An answer without a body needs no Accept.
		{"no accept on a delete", http.MethodDelete, "/workspaces/" + workspace + "/contacts/AF48A9EC3F02E43C", "", "", "-", http.StatusNotFound, ""},
		{"any accept", http.MethodGet, create, "", "", "*/*", http.StatusOK, ""},
		{"application wildcard accept", http.MethodGet, create, "", "", "application/*", http.StatusOK, ""},
		{"accept list", http.MethodGet, create, "", "", "application/vnd.whispir.message-v1+xml;q=0.9, application/vnd.whispir.message-v1+json", http.StatusOK, ""},
		{"refused with q=0", http.MethodGet, create, "", "", "application/vnd.whispir.message-v1+json;q=0", http.StatusUnsupportedMediaType, messageType},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req := newRequest(t, srv, tc.method, tc.path, tc.body)
			if tc.contentType != "" {
				req.Header.Set("Content-Type", tc.contentType)
			}
			switch tc.accept {
			case "":
			case "-":
				req.Header.Del("Accept")
			default:
				req.Header.Set("Accept", tc.accept)
			}
			resp, body := send(t, req)
			if resp.StatusCode != tc.want {
				t.Fatalf("status: got %d (%s); want %d", resp.StatusCode, clip(body), tc.want)
			}
			if tc.want == http.StatusUnsupportedMediaType {
				// Whispir's text first, then what the operation takes or
				// answers, then that only the vendor JSON types are served.
				wantText, wantAccept := "Unsupported Media Type: the answer is application/vnd.whispir.message-v1+json", ""
				if tc.body != "" && tc.contentType != "" {
					wantText = "Unsupported Media Type: send application/vnd.whispir.bulkmessage-v1+json or application/vnd.whispir.message-v1+json"
					wantAccept = "application/vnd.whispir.bulkmessage-v1+json, application/vnd.whispir.message-v1+json"
				}
				if tc.accept == "-" {
					wantText = ""
				}
				got := decode[apiErr](t, body).ErrorText
				if !strings.HasPrefix(got, wantText) || !strings.Contains(got, tc.wantText) || !strings.Contains(got, "XML forms are not served") {
					t.Errorf("errorText: got %q; want it to start with %q, contain %q and say XML is not served", got, wantText, tc.wantText)
				}
				if got := resp.Header.Get("Accept"); got != wantAccept {
					t.Errorf("Accept: got %q; want %q", got, wantAccept)
				}
				if got := resp.Header.Get(whispirtest.HeaderViolations); !strings.HasPrefix(got, "header ") {
					t.Errorf("%s: got %q; want the header that broke the rule", whispirtest.HeaderViolations, got)
				}
				if got, want := resp.Header.Get("Content-Type"), "application/vnd.whispir.message-v1+json"; got != want {
					t.Errorf("Content-Type: got %q; want %q", got, want)
				}
			}
		})
	}
}

func TestValidation(t *testing.T) {
	t.Parallel()
	srv := start(t)
	create := "/workspaces/" + workspace + "/messages"
	const secret = "personal-subject-7731"
	tests := []struct {
		name, method, path, body string
		want                     int
		wantText                 string // substring of errorText
	}{
		{"message without to", http.MethodPost, create, `{"subject":"` + secret + `","body":"hi"}`, http.StatusUnprocessableEntity, "to"},
		{"to too short", http.MethodPost, create, `{"to":"","subject":"` + secret + `"}`, http.StatusUnprocessableEntity, "/to"},
		{"wrong enum", http.MethodPost, create, `{"to":"61400000000","messageType":"` + secret + `"}`, http.StatusUnprocessableEntity, "/messageType"},
		{"read-only id is tolerated (PUT of a retrieved resource)", http.MethodPost, create, `{"to":"61400000000","id":"` + secret + `"}`, http.StatusAccepted, ""},
		{"bad json", http.MethodPost, create, `{"to":`, http.StatusBadRequest, "Bad Request"},
		{"not an object", http.MethodPost, create, `"` + secret + `"`, http.StatusUnprocessableEntity, ""},
		{"limit over 20", http.MethodGet, create + "?limit=21", "", http.StatusBadRequest, `limit`},
		{"limit not a number", http.MethodGet, create + "?limit=" + secret, "", http.StatusBadRequest, `limit`},
		{"workspace not hex", http.MethodGet, "/workspaces/" + secret + "/messages", "", http.StatusBadRequest, `workspaceId`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			resp, body := send(t, newRequest(t, srv, tc.method, tc.path, tc.body))
			if resp.StatusCode != tc.want {
				t.Fatalf("status: got %d (%s); want %d", resp.StatusCode, clip(body), tc.want)
			}
			if resp.StatusCode < 300 {
				return
			}
			e := decode[apiErr](t, body)
			if !strings.Contains(e.ErrorText, tc.wantText) {
				t.Errorf("errorText: got %q; want it to contain %q", e.ErrorText, tc.wantText)
			}
			if strings.Contains(string(body), secret) {
				t.Errorf("error body %s echoes a request value", body)
			}
		})
	}
	t.Run("empty body", func(t *testing.T) {
		t.Parallel()
		req := newRequest(t, srv, http.MethodPost, create, "")
		req.Header.Set("Content-Type", "application/vnd.whispir.message-v1+json")
		resp, body := send(t, req)
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("status: got %d (%s); want 400", resp.StatusCode, clip(body))
		}
	})
}

func TestRouting(t *testing.T) {
	t.Parallel()
	srv := start(t)
	tests := []struct {
		name, method, path string
		want               int
		wantAllow          string
	}{
		{"unknown path", http.MethodGet, "/nothing/here", http.StatusNotFound, ""},
		{"root", http.MethodGet, "/", http.StatusNotFound, ""},
		{"wrong method on collection", http.MethodDelete, "/workspaces/" + workspace + "/messages", http.StatusMethodNotAllowed, "GET, POST"},
		{"wrong method on item", http.MethodPut, "/messages/747AB7E716C1802B6476784AEB5C9BB8", http.StatusMethodNotAllowed, "GET"},
		{"unknown message", http.MethodGet, "/messages/747AB7E716C1802B6476784AEB5C9BB8", http.StatusNotFound, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			resp, body := send(t, newRequest(t, srv, tc.method, tc.path, ""))
			if resp.StatusCode != tc.want {
				t.Fatalf("status: got %d (%s); want %d", resp.StatusCode, clip(body), tc.want)
			}
			if got := resp.Header.Get("Allow"); got != tc.wantAllow {
				t.Errorf("Allow: got %q; want %q", got, tc.wantAllow)
			}
			if got, want := decode[apiErr](t, body).ErrorText, http.StatusText(tc.want); got != want {
				t.Errorf("errorText: got %q; want %q", got, want)
			}
		})
	}
}

func TestBasePath(t *testing.T) {
	t.Parallel()
	srv := start(t, whispirtest.WithBasePath("/api/"))
	if !strings.HasSuffix(srv.URL, "/api") {
		t.Fatalf("URL: got %q; want it to end with /api", srv.URL)
	}
	id := sendSMS(t, srv, workspace)
	msgs := srv.Messages()
	if len(msgs) != 1 || msgs[0].ID != id {
		t.Fatalf("messages: got %+v; want one with id %s", msgs, id)
	}
	resp, body := send(t, newRequest(t, srv, http.MethodGet, "/workspaces/"+workspace+"/messages/"+id, ""))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("retrieve under base path: got %d (%s); want 200", resp.StatusCode, clip(body))
	}
	if self := selfLink(t, body); !strings.HasPrefix(self, srv.URL+"/workspaces/") {
		t.Errorf("self link: got %q; want it under %s", self, srv.URL)
	}

	// The same path without the prefix is not the API.
	root := strings.TrimSuffix(srv.URL, "/api")
	req := newRequest(t, srv, http.MethodGet, "/workspaces/"+workspace+"/messages", "")
	req.URL, _ = url.Parse(root + "/workspaces/" + workspace + "/messages")
	if resp, body := send(t, req); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("without base path: got %d (%s); want 404", resp.StatusCode, clip(body))
	}
}

func selfLink(t *testing.T, body []byte) string {
	t.Helper()
	var v struct {
		Link []struct{ URI, Rel string } `json:"link"`
	}
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("decode: %v", err)
	}
	for _, l := range v.Link {
		if l.Rel == "self" {
			return l.URI
		}
	}
	return ""
}

func TestPayloadTooLarge(t *testing.T) {
	t.Parallel()
	srv := start(t)
	big := `{"to":"61400000000","body":"` + strings.Repeat("x", 10<<20) + `"}`
	req := newRequest(t, srv, http.MethodPost, "/workspaces/"+workspace+"/messages", big)
	resp, body := send(t, req)
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("status: got %d; want 413", resp.StatusCode)
	}
	if got, want := string(body), `"HTTP content length exceeded 10485760 bytes."`; got != want {
		t.Errorf("body: got %s; want %s", got, want)
	}
	validate(t, req, resp, body, "")
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("messages: got %d; want 0", n)
	}
}

func TestRequestsRecorded(t *testing.T) {
	t.Parallel()
	srv := start(t)
	id := sendSMS(t, srv, workspace)
	req := newRequest(t, srv, http.MethodGet, "/workspaces/"+workspace+"/messages?limit=5", "")
	req.Header.Del("x-api-key")
	send(t, req)
	send(t, newRequest(t, srv, http.MethodGet, "/nowhere", ""))

	got := srv.Requests()
	want := []whispirtest.Request{
		{Method: "POST", Path: "/workspaces/" + workspace + "/messages", OperationID: "messageCreate", Status: 202, Body: []byte(smsBody)},
		{Method: "GET", Path: "/workspaces/" + workspace + "/messages", RawQuery: "limit=5", OperationID: "messageList", Status: 403},
		{Method: "GET", Path: "/nowhere", Status: 404},
	}
	if len(got) != len(want) {
		t.Fatalf("requests: got %d; want %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Method != w.Method || g.Path != w.Path || g.RawQuery != w.RawQuery || g.OperationID != w.OperationID || g.Status != w.Status || !bytes.Equal(g.Body, w.Body) {
			t.Errorf("request %d: got %s %s?%s op=%q status=%d body=%q; want %s %s?%s op=%q status=%d body=%q",
				i, g.Method, g.Path, g.RawQuery, g.OperationID, g.Status, g.Body, w.Method, w.Path, w.RawQuery, w.OperationID, w.Status, w.Body)
		}
	}
	first := got[0]
	if got, want := first.Header.Get("Authorization"), "Basic "+security.Redacted; got != want {
		t.Errorf("recorded Authorization: got %q; want %q", got, want)
	}
	if got, want := first.Header.Get("X-Api-Key"), security.Redacted; got != want {
		t.Errorf("recorded x-api-key: got %q; want %q", got, want)
	}
	if got, want := first.Header.Get("Content-Type"), "application/vnd.whispir.message-v1+json"; got != want {
		t.Errorf("recorded Content-Type: got %q; want %q", got, want)
	}
	if got, want := *first.Credentials, srv.Credentials(); got != want {
		t.Errorf("recorded credentials: got %v; want %v", got, want)
	}
	if id == "" {
		t.Fatal("no message id")
	}

	// Copies: changing one does not change the record.
	got[0].Body[0] = 'X'
	got[0].Header.Set("X-Test", "1")
	again := srv.Requests()
	if again[0].Body[0] != '{' || again[0].Header.Get("X-Test") != "" {
		t.Errorf("Requests returned shared state")
	}

	srv.Reset()
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("after Reset: got %d requests; want 0", n)
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("after Reset: got %d messages; want 1 (state stays)", n)
	}
}

func TestConcurrentSends(t *testing.T) {
	t.Parallel()
	srv := start(t)
	const n = 50
	var wg sync.WaitGroup
	ids := make([]string, n)
	for i := range n {
		wg.Go(func() {
			ws := workspace
			if i%2 == 1 {
				ws = ""
			}
			req := newRequest(t, srv, http.MethodPost, pathFor(ws), smsBody)
			resp, err := client.Do(req)
			if err != nil {
				t.Errorf("send %d: %v", i, err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusAccepted {
				t.Errorf("send %d: got %d; want 202", i, resp.StatusCode)
				return
			}
			loc := resp.Header.Get("Location")
			ids[i] = loc[strings.LastIndex(loc, "/")+1:]
			_ = srv.Requests()
			_ = srv.Messages()
		})
	}
	wg.Wait()
	msgs := srv.Messages()
	if len(msgs) != n {
		t.Fatalf("messages: got %d; want %d", len(msgs), n)
	}
	seen := map[string]bool{}
	for _, m := range msgs {
		seen[m.ID] = true
	}
	for i, id := range ids {
		if !seen[id] {
			t.Errorf("send %d: id %q not among Messages()", i, id)
		}
	}
	if got := len(srv.Requests()); got != n {
		t.Errorf("requests: got %d; want %d", got, n)
	}
}

func pathFor(ws string) string {
	if ws == "" {
		return "/messages"
	}
	return "/workspaces/" + ws + "/messages"
}

func TestWithHandler(t *testing.T) {
	t.Parallel()
	var got []byte
	srv := start(t, whispirtest.WithHandler("messageList", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/vnd.whispir.message-v1+json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`{"status":"No records found","link":[]}`))
	}), whispirtest.WithHandler("messageCreate", func(w http.ResponseWriter, r *http.Request) {
		got, _ = readAll(r)
		w.Header().Set("Location", "http://example.invalid/workspaces/"+workspace+"/messages/ABC")
		w.Header().Set("Content-Type", "application/vnd.whispir.message-v1+json") // as Whispir labels it
		w.WriteHeader(http.StatusAccepted)
		_, _ = w.Write([]byte("accepted"))
	}))
	resp, body := send(t, newRequest(t, srv, http.MethodGet, "/workspaces/"+workspace+"/messages", ""))
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "No records found") {
		t.Fatalf("override: got %d %s; want 200 and the override's body", resp.StatusCode, body)
	}
	// Overrides run after authentication.
	req := newRequest(t, srv, http.MethodGet, "/workspaces/"+workspace+"/messages", "")
	req.Header.Del("x-api-key")
	if resp, _ := send(t, req); resp.StatusCode != http.StatusForbidden {
		t.Errorf("override without key: got %d; want 403", resp.StatusCode)
	}
	send(t, newRequest(t, srv, http.MethodPost, "/workspaces/"+workspace+"/messages", smsBody))
	if string(got) != smsBody {
		t.Errorf("override body: got %q; want %q", got, smsBody)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("messages: got %d; want 0 (the override answered)", n)
	}
}

func readAll(r *http.Request) ([]byte, error) {
	var b bytes.Buffer
	_, err := b.ReadFrom(r.Body)
	return b.Bytes(), err
}

func TestWithListenerServesOnIt(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := whispirtest.NewServer(whispirtest.WithListener(ln), whispirtest.WithBasePath("/api"))
	if want := "http://" + ln.Addr().String() + "/api"; srv.URL != want {
		t.Errorf("URL = %q; want %q", srv.URL, want)
	}
	resp, body := send(t, newRequest(t, srv, http.MethodPost, "/messages", `{"to":"61400000000"}`))
	if resp.StatusCode != http.StatusAccepted || !strings.HasPrefix(resp.Header.Get("Location"), srv.URL+"/messages/") {
		t.Errorf("got %d, Location %q (%s); want 202 and a Location on the listener", resp.StatusCode, resp.Header.Get("Location"), clip(body))
	}
	srv.Close()
	if _, err := net.Dial("tcp", ln.Addr().String()); err == nil {
		t.Error("listener still accepts after Close")
	}
}
