package whispirtest_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/whispir-go/whispir/generated"
	"github.com/whispir-go/whispir/whispirtest"
)

// TestUnknownWorkspaceIsNotFound: as Whispir, the mock answers 404 for a
// workspace it does not know, on every kind of operation; it knows
// WorkspaceID from the start and every workspace workspaceCreate made.
func TestUnknownWorkspaceIsNotFound(t *testing.T) {
	t.Parallel()
	srv := start(t)
	created := createWorkspace(t, srv)
	const unknown = "0123456789ABCDEF"
	tests := []struct {
		name, method, path, body string
		want                     int
	}{
		{"send", http.MethodPost, "/workspaces/" + unknown + "/messages", smsBody, http.StatusNotFound},
		{"list messages", http.MethodGet, "/workspaces/" + unknown + "/messages", "", http.StatusNotFound},
		{"message status", http.MethodGet, "/workspaces/" + unknown + "/messages/747AB7E716C1802B6476784AEB5C9BB8/messagestatus", "", http.StatusNotFound},
		{"create contact", http.MethodPost, "/workspaces/" + unknown + "/contacts", `{"firstName":"Jane","lastName":"Citizen","workMobilePhone1":"61400000000","workEmailAddress1":"jane@example.com","workCountry":"Australia","timezone":"Australia/Melbourne"}`, http.StatusNotFound},
		{"list templates", http.MethodGet, "/workspaces/" + unknown + "/templates", "", http.StatusNotFound},
		{"workspace users", http.MethodGet, "/workspaces/" + unknown + "/users", "", http.StatusNotFound},
		{"retrieve workspace", http.MethodGet, "/workspaces/" + unknown, "", http.StatusNotFound},
		{"lower-case id of a known one", http.MethodGet, "/workspaces/9a4c5521ffc7b15b/messages", "", http.StatusOK},
		{"WorkspaceID", http.MethodGet, "/workspaces/" + whispirtest.WorkspaceID + "/messages", "", http.StatusOK},
		{"WorkspaceID retrieved", http.MethodGet, "/workspaces/" + whispirtest.WorkspaceID, "", http.StatusOK},
		{"created", http.MethodPost, "/workspaces/" + created + "/messages", smsBody, http.StatusAccepted},
		{"default workspace", http.MethodGet, "/messages", "", http.StatusOK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req := newRequest(t, srv, tc.method, tc.path, tc.body)
			resp, body := send(t, req)
			if resp.StatusCode != tc.want {
				t.Fatalf("got %d (%s); want %d", resp.StatusCode, clip(body), tc.want)
			}
			if tc.want == http.StatusNotFound {
				if e := decode[apiErr](t, body); !strings.Contains(e.ErrorSummary, "does not exist") {
					t.Errorf("errorSummary: got %q; want Whispir's not-found text", e.ErrorSummary)
				}
			}
		})
	}
	t.Run("listed", func(t *testing.T) {
		t.Parallel()
		resp, body := send(t, newRequest(t, srv, http.MethodGet, "/workspaces", ""))
		page := decode[generated.WorkspaceCollection](t, body)
		ids := map[string]bool{}
		for _, w := range deref(page.Workspaces) {
			ids[*w.ID] = true
		}
		if resp.StatusCode != http.StatusOK || !ids[whispirtest.WorkspaceID] || !ids[created] {
			t.Errorf("workspaceList: got %d %v; want WorkspaceID and the created one", resp.StatusCode, ids)
		}
	})
	t.Run("nothing stored", func(t *testing.T) {
		t.Parallel()
		for _, m := range srv.Messages() {
			if m.WorkspaceID == unknown {
				t.Errorf("message %s stored in the unknown workspace", m.ID)
			}
		}
	})
}

// TestUnknownWorkspaceReachesOverrides: a WithHandler override answers
// whatever workspace the request names.
func TestUnknownWorkspaceReachesOverrides(t *testing.T) {
	t.Parallel()
	srv := start(t, whispirtest.WithHandler("contactList", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/vnd.whispir.contact-v1+json")
		_, _ = w.Write([]byte(`{"status":"No records found"}`))
	}))
	resp, body := send(t, newRequest(t, srv, http.MethodGet, "/workspaces/0123456789ABCDEF/contacts", ""))
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "No records found") {
		t.Errorf("got %d %s; want the override's answer", resp.StatusCode, clip(body))
	}
}

func deref[T any](p *[]T) []T {
	if p == nil {
		return nil
	}
	return *p
}

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// TestKeyIDsAreUUIDs: the mock issues API key ids as Whispir does, UUIDs
// (the spec's format uuid), and finds a key by its id in either case.
func TestKeyIDsAreUUIDs(t *testing.T) {
	t.Parallel()
	srv := start(t)
	seen := map[string]bool{}
	for range 20 {
		id := postForID(t, srv, "/keys", `{"type":"basic","description":"tests"}`, http.StatusCreated)
		if !uuidV4.MatchString(id) || seen[id] {
			t.Fatalf("key id %q: want a new lower-case version 4 UUID", id)
		}
		seen[id] = true
	}
	for id := range seen {
		for _, form := range []string{id, strings.ToUpper(id)} {
			resp, body := send(t, newRequest(t, srv, http.MethodGet, "/keys/"+form, ""))
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("keyRetrieve %s: got %d (%s); want 200", form, resp.StatusCode, clip(body))
			}
			if got := decode[generated.Key](t, body).ID; got == nil || *got != id {
				t.Errorf("keyRetrieve %s: id %v; want %s", form, got, id)
			}
		}
		resp, _ := send(t, newRequest(t, srv, http.MethodDelete, "/keys/"+id, ""))
		if resp.StatusCode != http.StatusNoContent {
			t.Errorf("keyDelete: got %d; want 204", resp.StatusCode)
		}
		break
	}
}

// TestTemplateNamesAreUnique: as Whispir, a workspace refuses a second
// template with a name in use (422 with Whispir's text), on create and on
// update; another workspace may use the name.
func TestTemplateNamesAreUnique(t *testing.T) {
	t.Parallel()
	srv := start(t)
	const taken = "A Template name already exists in the current Workspace, please select another name and try again."
	tpl := func(name string) string {
		return `{"messageTemplateName":"` + name + `","subject":"Notice","body":"Hello"}`
	}
	call := func(method, path, body string) (int, string) {
		resp, data := send(t, newRequest(t, srv, method, path, body))
		if resp.StatusCode >= 400 {
			return resp.StatusCode, decode[apiErr](t, data).ErrorText
		}
		return resp.StatusCode, ""
	}
	ws := "/workspaces/" + workspace + "/templates"
	outage := postForID(t, srv, ws, tpl("outage"), http.StatusCreated)
	other := postForID(t, srv, ws, tpl("other"), http.StatusCreated)
	tests := []struct {
		name, method, path, body string
		want                     int
	}{
		{"create with a used name", http.MethodPost, ws, tpl("outage"), http.StatusUnprocessableEntity},
		{"update to another's name", http.MethodPut, ws + "/" + other, tpl("outage"), http.StatusUnprocessableEntity},
		{"update keeping its name", http.MethodPut, ws + "/" + outage, tpl("outage"), http.StatusNoContent},
		{"the default workspace is another", http.MethodPost, "/templates", tpl("outage"), http.StatusCreated},
		{"a created workspace is another", http.MethodPost, "/workspaces/" + createWorkspace(t, srv) + "/templates", tpl("outage"), http.StatusCreated},
	}
	for _, tc := range tests {
		got, text := call(tc.method, tc.path, tc.body)
		if got != tc.want || (tc.want == http.StatusUnprocessableEntity) != (text == taken) {
			t.Errorf("%s: got %d %q; want %d", tc.name, got, text, tc.want)
		}
	}
	resp, body := send(t, newRequest(t, srv, http.MethodGet, ws+"/"+other, ""))
	if got := decode[generated.Template](t, body).MessageTemplateName; resp.StatusCode != http.StatusOK || got != "other" {
		t.Errorf("refused update: template name %q; want it unchanged (other)", got)
	}
	t.Run("at once", func(t *testing.T) {
		t.Parallel()
		const n = 8
		count := atOnce(n, func() int {
			got, _ := call(http.MethodPost, ws, tpl("race"))
			return got
		})
		if count[http.StatusCreated] != 1 || count[http.StatusUnprocessableEntity] != n-1 {
			t.Errorf("got %v; want one 201 and %d 422", count, n-1)
		}
	})
}

// nextGenErr is the Verify service's error body.
type nextGenErr struct {
	Status  *int    `json:"status"`
	Message *string `json:"message"`
	Detail  *string `json:"detail"`
}

// TestVerifyErrorsUseTheirOwnShape: the OTP operations refuse a bad
// request 400 with the Verify service's body (status, message, detail), not
// Whispir's classic error body, and never 422.
func TestVerifyErrorsUseTheirOwnShape(t *testing.T) {
	t.Parallel()
	srv := start(t)
	tests := []struct {
		name, path, body, detail string
	}{
		{"empty body", "/otp/send-code", "", "No content"},
		{"not JSON", "/otp/send-code", `{"to":`, "JsonParseException"},
		{"missing field", "/otp/send-code", `{"workspaceId":"` + workspace + `","channel":"sms","to":"+61400000000","codeLength":6}`, "expiresIn"},
		{"out of range", "/otp/send-code", `{"workspaceId":"` + workspace + `","channel":"sms","to":"+61400000000","codeLength":99,"expiresIn":300}`, "codeLength"},
		{"verify without code", "/otp/azkP8DJEEsujuhwzO-O_N/verify-code", `{"to":"+61400000000"}`, "code"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			resp, body := send(t, newRequest(t, srv, http.MethodPost, tc.path, tc.body))
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("got %d (%s); want 400", resp.StatusCode, clip(body))
			}
			var e nextGenErr
			dec := json.NewDecoder(strings.NewReader(string(body)))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&e); err != nil || e.Status == nil || *e.Status != 400 || e.Message == nil || *e.Message != "Bad Request" || e.Detail == nil {
				t.Fatalf("body %s (%v); want {status: 400, message: Bad Request, detail}", body, err)
			}
			if !strings.Contains(*e.Detail, tc.detail) {
				t.Errorf("detail %q; want it to mention %q", *e.Detail, tc.detail)
			}
			if got := resp.Header.Get("Content-Type"); got != "application/json" {
				t.Errorf("Content-Type %q; want application/json", got)
			}
		})
	}
}

// TestGatewayHeadersOnEveryAnswer: Access-Control-Allow-Origin,
// Cache-Control and Expires, with the values of Whispir's examples, on
// successes and failures alike.
func TestGatewayHeadersOnEveryAnswer(t *testing.T) {
	t.Parallel()
	srv := start(t)
	noKey := newRequest(t, srv, http.MethodGet, "/workspaces/"+workspace+"/messages", "")
	noKey.Header.Del("x-api-key")
	for name, req := range map[string]*http.Request{
		"202":           newRequest(t, srv, http.MethodPost, "/workspaces/"+workspace+"/messages", smsBody),
		"200":           newRequest(t, srv, http.MethodGet, "/workspaces/"+workspace+"/messages", ""),
		"204":           newRequest(t, srv, http.MethodDelete, "/users", ""),
		"404":           newRequest(t, srv, http.MethodGet, "/workspaces/"+workspace+"/contacts/AF48A9EC3F02E43C", ""),
		"gateway's 403": noKey,
	} {
		resp, body := send(t, req)
		if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "*" {
			t.Errorf("%s (%d %s): Access-Control-Allow-Origin %q; want *", name, resp.StatusCode, clip(body), got)
		}
		if got := resp.Header.Get("Cache-Control"); got != "max-age=0" {
			t.Errorf("%s: Cache-Control %q; want max-age=0", name, got)
		}
		if exp, err := http.ParseTime(resp.Header.Get("Expires")); err != nil || time.Since(exp) > time.Hour || time.Until(exp) > time.Minute {
			t.Errorf("%s: Expires %q (%v); want the time of the answer as an HTTP date", name, resp.Header.Get("Expires"), err)
		}
	}
}

// TestUnknownMessageFieldsAreRefused: as Whispir's Message schema, the
// mock refuses a property it does not declare, 422 naming it when it looks
// like a field name, and nothing is sent.
func TestUnknownMessageFieldsAreRefused(t *testing.T) {
	t.Parallel()
	srv := start(t)
	tests := []struct {
		name, body, want string
	}{
		{"typo", `{"to":"61400000000","subjekt":"Hi","body":"Hello"}`, `body: unknown property "subjekt"`},
		{"data as a key", `{"to":"61400000000","subject":"Hi","61400000001":"x"}`, "body: unknown property (its name is not shown"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			resp, body := send(t, newRequest(t, srv, http.MethodPost, "/workspaces/"+workspace+"/messages", tc.body))
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("got %d (%s); want 422", resp.StatusCode, clip(body))
			}
			if got := decode[apiErr](t, body).ErrorText; !strings.HasPrefix(got, tc.want) || strings.Contains(got, "61400000001") {
				t.Errorf("errorText %q; want %q and no data", got, tc.want)
			}
		})
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("messages: got %d; want none sent", n)
	}
}

// TestBodilessContentTypeIsAccepted: the operations whose spec names a
// Content-Type without a body (x-bodiless-content-type) are answered with
// or without it.
func TestBodilessContentTypeIsAccepted(t *testing.T) {
	t.Parallel()
	srv := start(t)
	tplID := postForID(t, srv, "/workspaces/"+workspace+"/templates", `{"messageTemplateName":"bye","subject":"s","body":"b"}`, http.StatusCreated)
	tests := []struct {
		name, method, path, contentType string
		want                            int
	}{
		{"authCreate", http.MethodPost, "/auth", "application/vnd.whispir.auth-v1+json", http.StatusOK},
		{"authCreate without", http.MethodPost, "/auth", "", http.StatusOK},
		{"templateDelete", http.MethodDelete, "/workspaces/" + workspace + "/templates/" + tplID, "application/vnd.whispir.template-v1+json", http.StatusNoContent},
		{"usersDelete", http.MethodDelete, "/users", "application/vnd.whispir.user-v1+json", http.StatusNoContent},
		{"scenarioRunCreate", http.MethodPost, "/workspaces/" + workspace + "/scenarios/6B2E41A75D3C9F80", "application/vnd.whispir.scenario-v1+json", http.StatusAccepted},
	}
	for _, tc := range tests {
		req := newRequest(t, srv, tc.method, tc.path, "")
		if tc.contentType != "" {
			req.Header.Set("Content-Type", tc.contentType)
		}
		if resp, body := send(t, req); resp.StatusCode != tc.want {
			t.Errorf("%s: got %d (%s); want %d", tc.name, resp.StatusCode, clip(body), tc.want)
		}
	}
}
