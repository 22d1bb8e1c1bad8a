package api_test

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"testing"

	"github.com/whispir-go/whispir"
	"github.com/whispir-go/whispir/api"
	"github.com/whispir-go/whispir/generated"
	"github.com/whispir-go/whispir/whispirtest"
)

// createCall calls one create helper; body is the decoded answer it
// returned, nil for a helper that returns none.
type createCall func(ctx context.Context, c *api.Client, workspaceID string) (id string, body any, err error)

// withBody adapts a helper that returns a decoded answer.
func withBody[B any](f func(ctx context.Context, c *api.Client, workspaceID string) (string, *B, error)) createCall {
	return func(ctx context.Context, c *api.Client, ws string) (string, any, error) {
		id, b, err := f(ctx, c, ws)
		if b == nil {
			return id, nil, err // a nil *B would be a non-nil any
		}
		return id, b, err
	}
}

// idOnly adapts a helper that returns the id alone.
func idOnly(f func(ctx context.Context, c *api.Client, workspaceID string) (string, error)) createCall {
	return func(ctx context.Context, c *api.Client, ws string) (string, any, error) {
		id, err := f(ctx, c, ws)
		return id, nil, err
	}
}

const createCSV = "firstName,lastName,mobile,country,timezone\nJane,Citizen,61400000000,Australia,Australia/Melbourne\n"

// createHelpers has a case for every create helper; the ones with a
// workspace form (scoped) are called in both forms.
var createHelpers = []struct {
	op       string // the workspace form's operation, or the only one
	scoped   bool
	wantBody bool
	call     createCall
}{
	{"activityCreate", false, true, withBody(func(ctx context.Context, c *api.Client, _ string) (string, *generated.Activity, error) {
		return c.CreateActivity(ctx, generated.Activity{Action: generated.ActivityActionSend, Description: "Nightly reminders.", Status: generated.ActivityStatusSuccessful, Module: api.Ptr("Message")})
	})},
	{"callbackCreate", false, true, nil}, // needs a callback URL: see TestCreateHelpers
	{"contactCreate", true, true, withBody(func(ctx context.Context, c *api.Client, ws string) (string, *generated.Contact, error) {
		return c.CreateContact(ctx, ws, generated.Contact{
			FirstName: "Jane", LastName: "Citizen", WorkMobilePhone1: api.Ptr("61400000000"),
			WorkEmailAddress1: api.Ptr("jane.citizen@example.com"), WorkCountry: api.Ptr("Australia"), Timezone: api.Ptr("Australia/Melbourne"),
		})
	})},
	{"distributionListCreate", true, true, withBody(func(ctx context.Context, c *api.Client, ws string) (string, *generated.DistributionList, error) {
		return c.CreateDistributionList(ctx, ws, generated.DistributionList{Name: "On-call", Description: api.Ptr("Engineers on call")})
	})},
	{"eventCreate", true, true, withBody(func(ctx context.Context, c *api.Client, ws string) (string, *generated.Event, error) {
		return c.CreateEvent(ctx, ws, generated.Event{EventLabel: "Power outage", Status: generated.EventStatusOpen})
	})},
	{"importCreate", true, false, idOnly(func(ctx context.Context, c *api.Client, ws string) (string, error) {
		resource, _, err := c.CreateResource(ctx, ws, generated.Resource{
			Name: "contacts.csv", Scope: generated.ResourceScopePrivate, MimeType: "text/csv",
			DerefURI: api.Ptr(base64.StdEncoding.EncodeToString([]byte(createCSV))),
		})
		if err != nil {
			return "", err
		}
		return c.CreateImport(ctx, ws, generated.ImportContact{
			ResourceID: resource, ImportType: generated.ImportTypeContact, ImportMode: generated.ImportModeReplace,
			ImportOptions: generated.ImportOptions{FieldMapping: generated.ImportFieldMapping{
				FirstName: "firstName", LastName: "lastName", WorkMobilePhone1: "mobile", WorkCountry: "country", Timezone: "timezone",
			}},
		})
	})},
	{"keyCreate", false, true, withBody(func(ctx context.Context, c *api.Client, _ string) (string, *generated.Key, error) {
		return c.CreateKey(ctx, generated.Key{Type: api.Ptr(generated.KeyTypeBasic), Description: api.Ptr("Billing system")})
	})},
	{"resourceCreate", true, true, withBody(func(ctx context.Context, c *api.Client, ws string) (string, *generated.Resource, error) {
		return c.CreateResource(ctx, ws, generated.Resource{
			Name: "contacts.csv", Scope: generated.ResourceScopePrivate, MimeType: "text/csv",
			DerefURI: api.Ptr(base64.StdEncoding.EncodeToString([]byte(createCSV))),
		})
	})},
	{"responseRuleCreate", true, true, withBody(func(ctx context.Context, c *api.Client, ws string) (string, *generated.ResponseRule, error) {
		return c.CreateResponseRule(ctx, ws, generated.ResponseRule{
			Name: "Attendance",
			ResponseTemplatePatterns: &generated.ResponsePatterns{ResponseTemplatePattern: []generated.ResponsePattern{
				{Name: "Yes", Pattern: generated.PatternMatchStartswith, TextPrompt: api.Ptr("YES,Y")},
			}},
		})
	})},
	{"scenarioCreate", true, true, withBody(func(ctx context.Context, c *api.Client, ws string) (string, *generated.Scenario, error) {
		return c.CreateScenario(ctx, ws, generated.Scenario{Name: "Evacuation", Message: &generated.Message{To: "61400000000", Subject: api.Ptr("Evacuate now")}})
	})},
	{"scenarioRunCreate", true, false, idOnly(func(ctx context.Context, c *api.Client, ws string) (string, error) {
		scenario, _, err := c.CreateScenario(ctx, ws, generated.Scenario{Name: "Evacuation", Message: &generated.Message{To: "61400000000", Subject: api.Ptr("Evacuate now")}})
		if err != nil {
			return "", err
		}
		return c.RunScenario(ctx, ws, scenario)
	})},
	{"sendCodeCreate", false, true, withBody(func(ctx context.Context, c *api.Client, _ string) (string, *generated.OTP, error) {
		return c.SendCode(ctx, generated.OTPRequest{WorkspaceID: listWorkspace, Channel: generated.OTPChannelSms, To: "+61400000000", CodeLength: 6, ExpiresIn: 300})
	})},
	{"templateCreate", true, true, withBody(func(ctx context.Context, c *api.Client, ws string) (string, *generated.Template, error) {
		return c.CreateTemplate(ctx, ws, generated.Template{MessageTemplateName: "outage", Subject: api.Ptr("Notice"), Body: api.Ptr("Down until 22:00.")})
	})},
	{"userCreate", false, true, withBody(func(ctx context.Context, c *api.Client, _ string) (string, *generated.User, error) {
		return c.CreateUser(ctx, generated.User{
			UserName: api.Ptr("jane.citizen"), Password: api.Ptr("Secret_Passw0rd"), FirstName: "Jane", LastName: "Citizen",
			Timezone: api.Ptr("Australia/Melbourne"), WorkCountry: api.Ptr("Australia"),
			WorkEmailAddress1: api.Ptr("jane.citizen@example.com"), WorkMobilePhone1: api.Ptr("61400000000"),
		})
	})},
	{"workspaceCreate", false, true, withBody(func(ctx context.Context, c *api.Client, _ string) (string, *generated.Workspace, error) {
		return c.CreateWorkspace(ctx, generated.Workspace{ProjectName: "Operations"})
	})},
}

// Every create helper, in each of its forms, calls its operation and
// returns the id the answer's Location names (the decoded answer's own id
// where it has one) and the decoded answer where the operation has one.
func TestCreateHelpers(t *testing.T) {
	t.Parallel()
	hook := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	t.Cleanup(hook.Close)
	for _, h := range createHelpers {
		call := h.call
		if h.op == "callbackCreate" {
			call = withBody(func(ctx context.Context, c *api.Client, _ string) (string, *generated.Callback, error) {
				return c.CreateCallback(ctx, generated.Callback{
					Name: "replies", URL: hook.URL,
					Auth:      &generated.CallbackAuth{Type: generated.CallbackAuthTypeHttpheader, Key: "a-shared-secret"},
					Callbacks: &generated.CallbackTriggers{Reply: api.Ptr(generated.ToggleEnabled)},
				})
			})
		}
		forms := map[string]string{h.op: listWorkspace}
		if h.scoped {
			forms["default"+string(h.op[0]-'a'+'A')+h.op[1:]] = ""
		}
		for op, ws := range forms {
			t.Run(op, func(t *testing.T) {
				t.Parallel()
				c, srv := mockClient(t)
				id, body, err := call(t.Context(), c, ws)
				if err != nil {
					t.Fatalf("got error %v; want an id", err)
				}
				reqs := srv.Requests()
				last := reqs[len(reqs)-1]
				if last.OperationID != op {
					t.Errorf("the helper called %s; want %s", last.OperationID, op)
				}
				if last.Status == http.StatusNoContent {
					if id != "" {
						t.Errorf("got id %q for a 204; want none", id)
					}
				} else if _, err := api.IDFromLocation("/" + id); err != nil || id == "" {
					t.Errorf("got id %q; want an id", id)
				}
				if (body != nil) != h.wantBody {
					t.Fatalf("got body %v; want a body: %v", body, h.wantBody)
				}
				if body != nil {
					if f := reflect.ValueOf(body).Elem().FieldByName("ID"); f.IsValid() && !f.IsNil() && f.Elem().String() != id {
						t.Errorf("the answer's id is %q, the Location's %q; want the same", f.Elem().String(), id)
					}
				}
			})
		}
	}
}

// Every create of the spec (a POST answered with a Location) but the
// message sends, which SendMessage covers, has a case above.
func TestEveryCreateHasAHelper(t *testing.T) {
	t.Parallel()
	doc, err := whispir.Document()
	if err != nil {
		t.Fatal(err)
	}
	var creates []string
	for _, item := range doc.Paths.Map() {
		op := item.Post
		if op == nil || op.OperationID == "messageCreate" || op.OperationID == "defaultMessageCreate" {
			continue
		}
		for code, r := range op.Responses.Map() {
			if code[0] == '2' && r.Value != nil && r.Value.Headers["Location"] != nil && !slices.Contains(creates, op.OperationID) {
				creates = append(creates, op.OperationID)
			}
		}
	}
	var covered []string
	for _, h := range createHelpers {
		covered = append(covered, h.op)
		if h.scoped {
			covered = append(covered, "default"+string(h.op[0]-'a'+'A')+h.op[1:])
		}
	}
	slices.Sort(creates)
	slices.Sort(covered)
	if !slices.Equal(covered, creates) {
		t.Errorf("cases cover %q; want the creates %q", covered, creates)
	}
}

// A create whose answer names no usable id fails with ErrNoID; a scenario
// run answered 204 has no id and no error.
func TestCreateHelperIDs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		location string // "" for none
		status   int
		run      bool // RunScenario instead of CreateWorkspace
		wantID   string
		wantErr  error
	}{
		{"a Location", "/workspaces/AB12", 201, false, "AB12", nil},
		{"no Location", "", 201, false, "", api.ErrNoID},
		{"a Location that is not an id", "/workspaces/..%2F..", 201, false, "", api.ErrNoID},
		{"a run answered 202", "/messages/CD34", 202, true, "CD34", nil},
		{"a run answered 202 without Location", "", 202, true, "", api.ErrNoID},
		{"a run answered 204", "", 204, true, "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			op := "workspaceCreate"
			if tc.run {
				op = "defaultScenarioRunCreate"
			}
			c, _ := mockClient(t, whispirtest.WithHandler(op, func(w http.ResponseWriter, r *http.Request) {
				if tc.location != "" {
					w.Header().Set("Location", tc.location)
				}
				switch tc.status {
				case 201:
					w.Header().Set("Content-Type", "application/vnd.whispir.workspace-v1+json")
					w.WriteHeader(tc.status)
					_, _ = w.Write([]byte(`{"projectName":"Operations"}`))
				case 202:
					w.Header().Set("Content-Type", "text/plain")
					w.WriteHeader(tc.status)
					_, _ = w.Write([]byte("Your request has been accepted for processing"))
				default:
					w.WriteHeader(tc.status)
				}
			}))
			var id string
			var err error
			if tc.run {
				id, err = c.RunScenario(t.Context(), "", "5C")
			} else {
				id, _, err = c.CreateWorkspace(t.Context(), generated.Workspace{ProjectName: "Operations"})
			}
			if id != tc.wantID || (tc.wantErr == nil) != (err == nil) || tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("got %q, %v; want %q, %v", id, err, tc.wantID, tc.wantErr)
			}
		})
	}
}
