package whispir_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/whispir-go/whispir"
	"github.com/whispir-go/whispir/api"
	"github.com/whispir-go/whispir/generated"
	"github.com/whispir-go/whispir/security"
	"github.com/whispir-go/whispir/whispirtest"
)

const basePath = "/whispir-api"

// setup starts a mock under a base path and returns a client for it that
// validates every response against the spec, so a dropped prefix or a
// spec-breaking answer fails the test.
func setup(t *testing.T, creds ...security.Credentials) (*api.Client, *whispirtest.Server, *security.Provider) {
	t.Helper()
	var c *security.Credentials
	if len(creds) > 0 {
		c = &creds[0]
	}
	return setupWith(t, c)
}

// setupWith is setup with the mock's options, and the client's credentials
// when creds is not nil (the mock's own otherwise).
func setupWith(t *testing.T, creds *security.Credentials, opts ...whispirtest.Option) (*api.Client, *whispirtest.Server, *security.Provider) {
	t.Helper()
	opts = append([]whispirtest.Option{whispirtest.WithBasePath(basePath), whispirtest.WithResponseValidation(t)}, opts...)
	srv := whispirtest.NewServer(opts...)
	t.Cleanup(srv.Close)
	c := srv.Credentials()
	if creds != nil {
		c = *creds
	}
	p, err := security.New(c)
	if err != nil {
		t.Fatal(err)
	}
	client, err := api.New(p, api.WithBaseURL(srv.URL), api.WithResponseValidation(), api.WithoutRetry())
	if err != nil {
		t.Fatal(err)
	}
	return client, srv, p
}

func sms(to string) generated.Message {
	subject, body := "Integration", "From whispir-go"
	return generated.Message{To: to, Subject: &subject, Body: &body}
}

// TestMessagesEndToEnd drives every Messages operation through api.Client
// and the mock, in the workspace form and the default-workspace form.
func TestMessagesEndToEnd(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, workspace, prefix string }{
		{"workspace", "9A4C5521FFC7B15B", ""},
		{"default workspace", "", "default"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, srv, _ := setup(t)
			ctx := t.Context()
			op := func(id string) string {
				if tc.prefix == "" {
					return id
				}
				return tc.prefix + strings.ToUpper(id[:1]) + id[1:]
			}

			id, err := c.SendMessage(ctx, tc.workspace, sms("61400000000,61400000001"))
			if err != nil {
				t.Fatalf("SendMessage: %v", err)
			}
			sent := srv.Messages()
			if len(sent) != 1 || sent[0].ID != id || sent[0].WorkspaceID != tc.workspace {
				t.Fatalf("mock recorded %+v; want one message %s in workspace %q", sent, id, tc.workspace)
			}

			var retrieved *generated.Message
			var statuses *generated.MessageStatusCollection
			var responses *generated.MessageResponseCollection
			if tc.workspace == "" {
				r, err := c.DefaultMessageRetrieveWithResponse(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				retrieved = r.JSON200
				s, err := c.DefaultMessageStatusListWithResponse(ctx, id, nil)
				if err != nil {
					t.Fatal(err)
				}
				statuses = s.JSON200
				rr, err := c.DefaultMessageResponseListWithResponse(ctx, id, nil)
				if err != nil {
					t.Fatal(err)
				}
				responses = rr.JSON200
			} else {
				r, err := c.MessageRetrieveWithResponse(ctx, tc.workspace, id)
				if err != nil {
					t.Fatal(err)
				}
				retrieved = r.JSON200
				s, err := c.MessageStatusListWithResponse(ctx, tc.workspace, id, nil)
				if err != nil {
					t.Fatal(err)
				}
				statuses = s.JSON200
				rr, err := c.MessageResponseListWithResponse(ctx, tc.workspace, id, nil)
				if err != nil {
					t.Fatal(err)
				}
				responses = rr.JSON200
			}
			if retrieved == nil || retrieved.To != "61400000000,61400000001" {
				t.Errorf("retrieved %+v; want the message sent", retrieved)
			}
			if statuses == nil || statuses.MessageStatuses == nil || len(*statuses.MessageStatuses) == 0 {
				t.Errorf("status = %+v; want categories", statuses)
			}
			if responses == nil {
				t.Error("responses: JSON200 is nil")
			}

			scheduled := sms("61400000002")
			scheduled.MessageType = ptr(generated.MessageTypeSCHEDULED)
			scheduled.ScheduleType = ptr(generated.MessageScheduleTypeONCE)
			scheduled.ScheduleDate = ptr("28/11/2026 09:00")
			sid, err := c.SendMessage(ctx, tc.workspace, scheduled)
			if err != nil || sid == "" || sid == id {
				t.Fatalf("scheduled SendMessage = %q, %v; want a new id", sid, err)
			}
			bid, err := c.SendBulkMessage(ctx, tc.workspace, generated.BulkMessage{
				Resource: generated.BulkResource{ResourceID: "4FBBC384BCE3DAABFE3"}, Subject: ptr("Hi @@first_name@@"),
			})
			if err != nil || bid == "" {
				t.Fatalf("SendBulkMessage = %q, %v", bid, err)
			}

			var listed []string
			for m, err := range c.Messages(ctx, tc.workspace, nil) {
				if err != nil {
					t.Fatal(err)
				}
				// As in Whispir's examples, a listed message has no id
				// field; its self link names it.
				lid, err := api.MessageID(m)
				if err != nil || m.ID != nil {
					t.Fatalf("list item: id field %v, MessageID %v", m.ID, err)
				}
				listed = append(listed, lid)
			}
			if len(listed) != 3 {
				t.Errorf("listed %v; want the 3 messages sent", listed)
			}

			wantOps := []string{"messageCreate", "messageRetrieve", "messageStatusList", "messageResponseList", "messageList"}
			got := map[string]bool{}
			for _, r := range srv.Requests() {
				if !strings.HasPrefix(r.Path, basePath+"/") {
					t.Errorf("request path %q lacks the base path", r.Path)
				}
				if r.Status >= 200 && r.Status < 300 {
					got[r.OperationID] = true
				}
			}
			for _, w := range wantOps {
				if !got[op(w)] {
					t.Errorf("operation %s was not exercised with a 2xx answer", op(w))
				}
			}
		})
	}
}

func TestAuthenticationFailures(t *testing.T) {
	t.Parallel()
	good := security.Credentials{APIKey: whispirtest.DefaultAPIKey, Username: whispirtest.DefaultUsername, Password: whispirtest.DefaultPassword}
	tests := []struct {
		name  string
		creds security.Credentials
		want  error
	}{
		{"wrong api key", security.Credentials{APIKey: "fake-wrong-key", Username: good.Username, Password: good.Password}, api.ErrForbidden},
		{"wrong password", security.Credentials{APIKey: good.APIKey, Username: good.Username, Password: "fake-wrong-password"}, api.ErrUnauthorized},
		{"wrong user", security.Credentials{APIKey: good.APIKey, Username: "nobody", Password: good.Password}, api.ErrUnauthorized},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, srv, _ := setup(t, tc.creds)
			_, err := c.SendMessage(t.Context(), whispirtest.WorkspaceID, sms("61400000000"))
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v; want %v", err, tc.want)
			}
			for _, secret := range []string{tc.creds.APIKey, tc.creds.Password} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error %q contains a credential", err)
				}
			}
			if n := len(srv.Messages()); n != 0 {
				t.Errorf("mock stored %d messages; want 0", n)
			}
		})
	}
}

func TestInvalidBodyNeverReachesTheServer(t *testing.T) {
	t.Parallel()
	c, srv, _ := setup(t)
	_, err := c.SendMessage(t.Context(), whispirtest.WorkspaceID, generated.Message{Subject: ptr("no recipients")})
	if !errors.Is(err, api.ErrInvalidRequest) {
		t.Fatalf("err = %v; want ErrInvalidRequest", err)
	}
	var ve *whispir.ValidationError
	if !errors.As(err, &ve) || ve.Operation != "messageCreate" || ve.Where != "body /to" {
		t.Errorf("err = %#v; want a ValidationError for messageCreate at body /to", err)
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("server received %d requests; want 0", n)
	}
}

func TestExactHeadersOnTheWire(t *testing.T) {
	t.Parallel()
	c, srv, _ := setup(t)
	if _, err := c.SendMessage(t.Context(), whispirtest.WorkspaceID, sms("61400000000")); err != nil {
		t.Fatal(err)
	}
	if _, err := c.MessageListWithResponse(t.Context(), whispirtest.WorkspaceID, nil); err != nil {
		t.Fatal(err)
	}
	reqs := srv.Requests()
	if len(reqs) != 2 {
		t.Fatalf("got %d requests; want 2", len(reqs))
	}
	want := srv.Credentials()
	for i, r := range reqs {
		if r.Credentials.APIKey != want.APIKey || r.Credentials.Username != want.Username || r.Credentials.Password != want.Password {
			t.Errorf("request %d presented other credentials than the mock's", i)
		}
		headers := map[string]string{
			"X-Api-Key":     security.Redacted,
			"Authorization": "Basic " + security.Redacted,
			"Accept":        "application/vnd.whispir.message-v1+json",
			"User-Agent":    api.DefaultUserAgent,
		}
		if i == 0 {
			headers["Content-Type"] = "application/vnd.whispir.message-v1+json"
		}
		for name, v := range headers {
			if got := r.Header.Values(name); len(got) != 1 || got[0] != v {
				t.Errorf("request %d header %s = %q; want exactly [%q]", i, name, got, v)
			}
		}
		if i == 1 && r.Header.Get("Content-Type") != "" {
			t.Errorf("GET carried Content-Type %q; want none", r.Header.Get("Content-Type"))
		}
	}
}

func TestEveryRegionResolvesToItsHost(t *testing.T) {
	t.Parallel()
	p, err := security.New(security.Credentials{APIKey: "fake-key", Username: "fake-user", Password: "fake-pass"})
	if err != nil {
		t.Fatal(err)
	}
	hosts := map[api.Region]string{
		api.AU: "api.au.whispir.com", api.NZ: "api.nz.whispir.com", api.AP: "api.ap.whispir.com",
		api.AP1: "api.ap1.whispir.com", api.US: "api.us.whispir.com", api.IT: "api.it.whispir.com",
		api.EDU: "api.education.whispir.com",
	}
	for _, r := range api.Regions() {
		c, err := api.New(p, api.WithRegion(r))
		if err != nil {
			t.Fatalf("region %s: %v", r, err)
		}
		if got, want := c.BaseURL(), "https://"+hosts[r]; got != want {
			t.Errorf("region %s: base URL %q; want %q", r, got, want)
		}
		req, err := generated.NewMessageCreateRequest(c.BaseURL(), whispirtest.WorkspaceID, sms("61400000000"))
		if err != nil {
			t.Fatal(err)
		}
		route, err := whispir.FindRoute(req, "")
		if err != nil || route.ID != "messageCreate" || req.URL.Host != hosts[r] {
			t.Errorf("region %s: %s routed to %v, %v; want messageCreate on %s", r, req.URL, route, err, hosts[r])
		}
	}
	if len(api.Regions()) != len(hosts) {
		t.Errorf("Regions() = %v; want %d regions", api.Regions(), len(hosts))
	}
}

func TestPasswordChangeTakesEffectOnTheNextRequest(t *testing.T) {
	t.Parallel()
	c, srv, p := setup(t)
	if _, err := c.SendMessage(t.Context(), whispirtest.WorkspaceID, sms("61400000000")); err != nil {
		t.Fatal(err)
	}
	next := srv.Credentials()
	next.Password = "fake-new-password"
	srv.SetCredentials(next)
	if _, err := c.SendMessage(t.Context(), whispirtest.WorkspaceID, sms("61400000000")); !errors.Is(err, api.ErrUnauthorized) {
		t.Fatalf("with the old password: err = %v; want ErrUnauthorized", err)
	}
	if err := p.Update(next); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SendMessage(t.Context(), whispirtest.WorkspaceID, sms("61400000000")); err != nil {
		t.Fatalf("after Update: %v", err)
	}
	sent := srv.Messages()
	if len(sent) != 2 || sent[1].Credentials.Password != next.Password {
		t.Errorf("mock stored %d messages, the last with the new password %t; want 2, true", len(sent), len(sent) == 2 && sent[1].Credentials.Password == next.Password)
	}
}

// TestStatusTextFromTheMockParses ties the pager's status parsing to what
// the mock (and Whispir) sends.
func TestStatusTextFromTheMockParses(t *testing.T) {
	t.Parallel()
	c, _, _ := setup(t)
	for range 3 {
		if _, err := c.SendMessage(t.Context(), "", sms("61400000000")); err != nil {
			t.Fatal(err)
		}
	}
	limit := 2
	r, err := c.DefaultMessageListWithResponse(t.Context(), &generated.DefaultMessageListParams{Limit: &limit})
	if err != nil {
		t.Fatal(err)
	}
	first, last, total, ok := api.ParseStatus(*r.JSON200.Status)
	if !ok || first != 1 || last != 2 || total != 3 {
		t.Errorf("ParseStatus(%q) = %d, %d, %d, %t; want 1, 2, 3, true", *r.JSON200.Status, first, last, total, ok)
	}
	if _, ok := api.NextLink(*r.JSON200.Link); !ok {
		t.Error("first page has no next link")
	}
	if r.HTTPResponse.StatusCode != http.StatusOK {
		t.Errorf("status %d; want 200", r.HTTPResponse.StatusCode)
	}
}

func ptr[T any](v T) *T { return &v }
