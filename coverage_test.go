package whispir_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/whispir-go/whispir"
	"github.com/whispir-go/whispir/api"
	"github.com/whispir-go/whispir/generated"
	"github.com/whispir-go/whispir/security"
	"github.com/whispir-go/whispir/whispirtest"
)

// coverageBasePath is the mock's path prefix in TestEveryOperationEndToEnd:
// a client that drops it reaches no operation.
const coverageBasePath = "/api"

// coverageState is what the operations of TestEveryOperationEndToEnd hand
// on to the ones after them.
type coverageState struct {
	workspace string            // id of the workspace workspaceCreate made
	ids       map[string]string // create operationId -> id of what it made
	token     string            // the Bearer token authCreate issued
	bearer    *api.Client       // a second client, which sends the token
}

// id returns the id the create operation op made, or an error naming op.
func (s *coverageState) id(op string) (string, error) {
	id := s.ids[op]
	if id == "" {
		return "", fmt.Errorf("no id from %s: it must run, and succeed, first", op)
	}
	return id, nil
}

// keep stores the id of what the create operation op made: the last path
// segment of Location, which must agree with the id in the body when the
// body has one.
func (s *coverageState) keep(op string, resp *http.Response, bodyID *string) error {
	id, err := api.IDFromLocation(resp.Header.Get("Location"))
	if err != nil {
		return fmt.Errorf("%s: Location %q: %w", op, resp.Header.Get("Location"), err)
	}
	if bodyID != nil && *bodyID != id {
		return fmt.Errorf("%s: got id %q in the body; want %q, as in Location", op, *bodyID, id)
	}
	s.ids[op] = id
	return nil
}

// bearerAuth sends the token of s instead of the client's Basic credentials.
func (s *coverageState) bearerAuth(ctx context.Context, req *http.Request) error {
	if s.token == "" {
		return errors.New("no Bearer token: authCreate must run first")
	}
	req.Header.Set("Authorization", "Bearer "+s.token)
	return nil
}

// coverageBody checks a typed answer: the status the spec declares for it
// and the body the generated client decoded.
func coverageBody[T any](resp *http.Response, status int, body *T) (*T, error) {
	if err := coverageStatus(resp, status); err != nil {
		return nil, err
	}
	if body == nil {
		return nil, fmt.Errorf("status %d: got no decoded body; want a %T", status, body)
	}
	return body, nil
}

// coverageStatus checks the status of an answer without a typed body.
func coverageStatus(resp *http.Response, status ...int) error {
	if resp == nil {
		return errors.New("got no HTTP response")
	}
	if !slices.Contains(status, resp.StatusCode) {
		return fmt.Errorf("got status %d; want %v", resp.StatusCode, status)
	}
	return nil
}

// coverageListed checks that a page lists the item with id want.
func coverageListed[T any](items *[]T, id func(T) *string, want string) error {
	if items == nil {
		return fmt.Errorf("got no items; want %s among them", want)
	}
	for _, it := range *items {
		if got := id(it); got != nil && strings.EqualFold(*got, want) {
			return nil
		}
	}
	return fmt.Errorf("got %d items without %s; want it listed", len(*items), want)
}

// coverageNonEmpty checks that a page lists something.
func coverageNonEmpty[T any](items *[]T) error {
	if items == nil || len(*items) == 0 {
		return errors.New("got an empty page; want at least one item")
	}
	return nil
}

// coverageSame checks that a field read back is the one written.
func coverageSame(field string, got *string, want string) error {
	if got == nil {
		return fmt.Errorf("%s: got none; want %q", field, want)
	}
	if *got != want {
		return fmt.Errorf("%s: got %q; want %q", field, *got, want)
	}
	return nil
}

// coverageCase is one operation of TestEveryOperationEndToEnd: op names the
// spec operation that run calls through the typed generated method (or the
// api helper that wraps it).
type coverageCase struct {
	op  string
	run func(ctx context.Context, c *api.Client, s *coverageState) error
}

// Realistic bodies, after the spec's examples.

func coverageContact(jobTitle string) generated.Contact {
	return generated.Contact{
		FirstName:         "Jane",
		LastName:          "Citizen",
		Status:            new(generated.ContactStatusA),
		Timezone:          new("Australia/Melbourne"),
		WorkEmailAddress1: new("jane.citizen@example.com"),
		WorkMobilePhone1:  new("61400000000"),
		WorkCountry:       new("Australia"),
		JobTitle:          new(jobTitle),
		MessagingOptions: &[]generated.ContactMessagingOption{
			{Channel: generated.ContactMessagingOptionChannelSms, Enabled: new("true"), Primary: new(generated.ContactAddressFieldWorkMobilePhone1)},
			{Channel: generated.ContactMessagingOptionChannelEmail, Enabled: new("true"), Primary: new(generated.ContactAddressFieldWorkEmailAddress1)},
		},
	}
}

const coverageCSV = "firstName,lastName,mobile,email,country,timezone\n" +
	"Jane,Citizen,61400000000,jane.citizen@example.com,Australia,Australia/Melbourne\n"

func coverageResource(name string) generated.Resource {
	return generated.Resource{
		Name:     name,
		Scope:    generated.ResourceScopePrivate,
		MimeType: "text/csv",
		DerefURI: new(base64.StdEncoding.EncodeToString([]byte(coverageCSV))),
	}
}

func coverageTemplate(description string) generated.Template {
	return generated.Template{
		MessageTemplateName:        "Maintenance notice",
		MessageTemplateDescription: new(description),
		Subject:                    new("Maintenance tonight"),
		Body:                       new("Hi @@first_name@@, the portal is offline from 22:00."),
		Email: &generated.Email{
			Body: "<p>Hi @@first_name@@, the portal is offline from 22:00.</p>",
			Type: new(generated.EmailTypeTextHTML),
		},
		Type: new(generated.TemplateTypeDefaultNoReply),
	}
}

func coverageResponseRule(description string) generated.ResponseRule {
	return generated.ResponseRule{
		Name:        "Attendance",
		Description: new(description),
		ResponseTemplatePatterns: &generated.ResponsePatterns{ResponseTemplatePattern: []generated.ResponsePattern{
			{Name: "Yes", Pattern: generated.PatternMatchStartswith, TextPrompt: new("YES,Y"), VoicePrompt: new("2"), SpokenVoicePrompt: new("Press 2 to confirm"), Colour: new("#00947d")},
			{Name: "No", Pattern: generated.PatternMatchStartswith, TextPrompt: new("NO,N"), VoicePrompt: new("3"), SpokenVoicePrompt: new("Press 3 to decline"), Colour: new("#d63636")},
		}},
	}
}

func coverageStaticList(description, contactID string) generated.DistributionList {
	return generated.DistributionList{
		Name:        "Incidents",
		Description: new(description),
		Access:      new(generated.DistributionListAccessOpen),
		Visibility:  new(generated.DistributionListVisibilityPrivate),
		ContactIDs:  new(contactID),
	}
}

func coverageDynamicList(description string) generated.DistributionList {
	return generated.DistributionList{
		Name:        "Jays",
		Description: new(description),
		Type:        new(generated.DistributionListTypeDynamic),
		EntityType:  new("contact"),
		Rules: &[]generated.DistributionListRule{
			{RuleFilter: new("firstName"), RuleFilterActualName: new("First Name"), RuleContent: new("J*")},
		},
	}
}

func coverageScenario(description string) generated.Scenario {
	return generated.Scenario{
		Name:         "Site evacuation",
		Description:  new(description),
		AllowedUsers: new(generated.ScenarioAllowedUsersEVERYONE),
		Message: &generated.Message{
			To:      "Incidents.373947@List.whispir.com",
			Subject: new("Evacuate now"),
			Body:    new("Leave the building by the nearest exit and meet at the car park."),
		},
	}
}

func coverageCallback(email string) generated.Callback {
	return generated.Callback{
		Name:           "my-callback",
		URL:            "https://hooks.example.com/whispir",
		Auth:           &generated.CallbackAuth{Type: generated.CallbackAuthTypeHttpheader, Key: "s3cr3t-callback-key"},
		ContentType:    new(generated.CallbackContentTypeJSON),
		RemoveHTML:     new(generated.ToggleDisabled),
		RetriesEnabled: new(true),
		Email:          new(email),
		Callbacks:      &generated.CallbackTriggers{Reply: new(generated.ToggleEnabled), Undeliverable: new(generated.ToggleEnabled)},
	}
}

func coverageWorkspace(number string) generated.Workspace {
	return generated.Workspace{ProjectName: "Operations", ProjectNumber: new(number), Status: new(generated.WorkspaceStatusA)}
}

func coverageUser(jobTitle string) generated.User {
	return generated.User{
		UserName:          new("jane.citizen"),
		Password:          new("Secret_Passw0rd"),
		FirstName:         "Jane",
		LastName:          "Citizen",
		JobTitle:          new(jobTitle),
		Timezone:          new("Australia/Melbourne"),
		WorkCountry:       new("Australia"),
		WorkEmailAddress1: new("jane.citizen@example.com"),
		WorkMobilePhone1:  new("61400000000"),
	}
}

func coverageEvent(status generated.EventStatus) generated.Event {
	return generated.Event{
		EventLabel: "Power outage",
		Status:     status,
		EventFormList: &[]generated.EventForm{{
			FormName: new("General"),
			EventFieldList: &[]generated.EventField{
				{Name: "summary", Value: new("Power outage in the north suburbs")},
				{Name: "actionDate1", Value: new("27/11/2026 18:30:00")},
				{Name: "actionOwner1", Value: new("Jane Citizen")},
			},
		}},
	}
}

func coverageImport(resourceID string) generated.ImportContact {
	return generated.ImportContact{
		ResourceID: resourceID,
		ImportType: generated.ImportTypeContact,
		ImportMode: generated.ImportModeReplace,
		ImportOptions: generated.ImportOptions{FieldMapping: generated.ImportFieldMapping{
			FirstName:            "firstName",
			LastName:             "lastName",
			WorkMobilePhone1:     "mobile",
			WorkCountry:          "country",
			Timezone:             "timezone",
			AdditionalProperties: map[string]string{"workEmailAddress1": "email"},
		}},
	}
}

func coverageKey(description string, enabled bool) generated.Key {
	return generated.Key{Type: new(generated.KeyTypeBasic), Description: new(description), Enabled: new(enabled)}
}

func coverageSMS() generated.Message {
	return generated.Message{To: "61400000000", Subject: new("Test SMS"), Body: new("Hello from whispir-go"), Label: new("coverage")}
}

func coverageBulk(resourceID string) generated.BulkMessage {
	return generated.BulkMessage{
		Subject: new("Your balance"),
		Body:    new("Hi @@firstName@@, your details are on file."),
		Resource: generated.BulkResource{
			ResourceID:        resourceID,
			SmsMappingField:   new("mobile"),
			EmailMappingField: new("email"),
			Options:           &generated.BulkResourceOptions{ResolveRecipients: new(generated.BulkResourceOptionsResolveRecipientsTrue)},
		},
	}
}

// coverageCases is one case per operation of the spec, in an order where
// creates run before the operations that use what they made, and deletes
// run last.
var coverageCases = []coverageCase{
	// Auth: a token from Basic credentials, then a call that uses it.
	{"authCreate", func(ctx context.Context, c *api.Client, s *coverageState) error {
		r, err := c.AuthCreateWithResponse(ctx)
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusOK, r.JSON200)
		if err != nil {
			return err
		}
		if got.Token == "" {
			return errors.New("got an empty token")
		}
		s.token = got.Token
		return nil
	}},
	{"authVerificationRetrieve", func(ctx context.Context, _ *api.Client, s *coverageState) error {
		r, err := s.bearer.AuthVerificationRetrieveWithResponse(ctx, s.bearerAuth)
		if err != nil {
			return err
		}
		_, err = coverageBody(r.HTTPResponse, http.StatusOK, r.JSON200)
		return err
	}},

	// Workspaces: the one made here is the workspace of every
	// workspace-scoped operation below.
	{"workspaceCreate", func(ctx context.Context, c *api.Client, s *coverageState) error {
		r, err := c.WorkspaceCreateWithResponse(ctx, coverageWorkspace("OPS-01"))
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusCreated, r.JSON201)
		if err != nil {
			return err
		}
		if err := s.keep("workspaceCreate", r.HTTPResponse, got.ID); err != nil {
			return err
		}
		s.workspace = s.ids["workspaceCreate"]
		return nil
	}},
	{"workspaceList", func(ctx context.Context, c *api.Client, s *coverageState) error {
		r, err := c.WorkspaceListWithResponse(ctx, &generated.WorkspaceListParams{Limit: new(20)})
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusOK, r.JSON200)
		if err != nil {
			return err
		}
		return coverageListed(got.Workspaces, func(w generated.Workspace) *string { return w.ID }, s.workspace)
	}},
	{"workspaceUpdate", func(ctx context.Context, c *api.Client, s *coverageState) error {
		r, err := c.WorkspaceUpdateWithResponse(ctx, s.workspace, coverageWorkspace("OPS-02"))
		if err != nil {
			return err
		}
		return coverageStatus(r.HTTPResponse, http.StatusNoContent)
	}},
	{"workspaceRetrieve", func(ctx context.Context, c *api.Client, s *coverageState) error {
		r, err := c.WorkspaceRetrieveWithResponse(ctx, s.workspace)
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusOK, r.JSON200)
		if err != nil {
			return err
		}
		return coverageSame("projectNumber", got.ProjectNumber, "OPS-02")
	}},

	// Resources: the CSV that the bulk message and the imports use.
	{"resourceCreate", func(ctx context.Context, c *api.Client, s *coverageState) error {
		r, err := c.ResourceCreateWithResponse(ctx, s.workspace, coverageResource("contacts.csv"))
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusCreated, r.JSON201)
		if err != nil {
			return err
		}
		return s.keep("resourceCreate", r.HTTPResponse, got.ID)
	}},
	{"resourceList", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("resourceCreate")
		if err != nil {
			return err
		}
		r, err := c.ResourceListWithResponse(ctx, s.workspace, &generated.ResourceListParams{Scope: new(generated.ResourceScopePrivate)})
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusOK, r.JSON200)
		if err != nil {
			return err
		}
		return coverageListed(got.Resources, func(v generated.Resource) *string { return v.ID }, id)
	}},
	{"resourceUpdate", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("resourceCreate")
		if err != nil {
			return err
		}
		r, err := c.ResourceUpdateWithResponse(ctx, s.workspace, id, coverageResource("contacts-v2.csv"))
		if err != nil {
			return err
		}
		return coverageStatus(r.HTTPResponse, http.StatusNoContent)
	}},
	{"resourceRetrieve", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("resourceCreate")
		if err != nil {
			return err
		}
		r, err := c.ResourceRetrieveWithResponse(ctx, s.workspace, id)
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusOK, r.JSON200)
		if err != nil {
			return err
		}
		return coverageSame("name", &got.Name, "contacts-v2.csv")
	}},
	{"defaultResourceCreate", func(ctx context.Context, c *api.Client, s *coverageState) error {
		r, err := c.DefaultResourceCreateWithResponse(ctx, coverageResource("contacts.csv"))
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusCreated, r.JSON201)
		if err != nil {
			return err
		}
		return s.keep("defaultResourceCreate", r.HTTPResponse, got.ID)
	}},
	{"defaultResourceList", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("defaultResourceCreate")
		if err != nil {
			return err
		}
		r, err := c.DefaultResourceListWithResponse(ctx, &generated.DefaultResourceListParams{Name: new("contacts.csv")})
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusOK, r.JSON200)
		if err != nil {
			return err
		}
		return coverageListed(got.Resources, func(v generated.Resource) *string { return v.ID }, id)
	}},
	{"defaultResourceUpdate", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("defaultResourceCreate")
		if err != nil {
			return err
		}
		r, err := c.DefaultResourceUpdateWithResponse(ctx, id, coverageResource("contacts-v2.csv"))
		if err != nil {
			return err
		}
		return coverageStatus(r.HTTPResponse, http.StatusNoContent)
	}},
	{"defaultResourceRetrieve", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("defaultResourceCreate")
		if err != nil {
			return err
		}
		r, err := c.DefaultResourceRetrieveWithResponse(ctx, id)
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusOK, r.JSON200)
		if err != nil {
			return err
		}
		return coverageSame("name", &got.Name, "contacts-v2.csv")
	}},

	// Templates.
	{"templateCreate", func(ctx context.Context, c *api.Client, s *coverageState) error {
		r, err := c.TemplateCreateWithResponse(ctx, s.workspace, coverageTemplate("Tells customers about planned maintenance."))
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusCreated, r.JSON201)
		if err != nil {
			return err
		}
		return s.keep("templateCreate", r.HTTPResponse, got.ID)
	}},
	{"templateList", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("templateCreate")
		if err != nil {
			return err
		}
		r, err := c.TemplateListWithResponse(ctx, s.workspace, &generated.TemplateListParams{Limit: new(20), Offset: new(0)})
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusOK, r.JSON200)
		if err != nil {
			return err
		}
		return coverageListed(got.MessageTemplates, func(v generated.Template) *string { return v.ID }, id)
	}},
	{"templateUpdate", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("templateCreate")
		if err != nil {
			return err
		}
		r, err := c.TemplateUpdateWithResponse(ctx, s.workspace, id, coverageTemplate("Planned maintenance, updated."))
		if err != nil {
			return err
		}
		return coverageStatus(r.HTTPResponse, http.StatusNoContent)
	}},
	{"templateRetrieve", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("templateCreate")
		if err != nil {
			return err
		}
		r, err := c.TemplateRetrieveWithResponse(ctx, s.workspace, id)
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusOK, r.JSON200)
		if err != nil {
			return err
		}
		return coverageSame("messageTemplateDescription", got.MessageTemplateDescription, "Planned maintenance, updated.")
	}},
	{"defaultTemplateCreate", func(ctx context.Context, c *api.Client, s *coverageState) error {
		r, err := c.DefaultTemplateCreateWithResponse(ctx, coverageTemplate("Tells customers about planned maintenance."))
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusCreated, r.JSON201)
		if err != nil {
			return err
		}
		return s.keep("defaultTemplateCreate", r.HTTPResponse, got.ID)
	}},
	{"defaultTemplateList", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("defaultTemplateCreate")
		if err != nil {
			return err
		}
		r, err := c.DefaultTemplateListWithResponse(ctx, nil)
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusOK, r.JSON200)
		if err != nil {
			return err
		}
		return coverageListed(got.MessageTemplates, func(v generated.Template) *string { return v.ID }, id)
	}},
	{"defaultTemplateUpdate", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("defaultTemplateCreate")
		if err != nil {
			return err
		}
		r, err := c.DefaultTemplateUpdateWithResponse(ctx, id, coverageTemplate("Planned maintenance, updated."))
		if err != nil {
			return err
		}
		return coverageStatus(r.HTTPResponse, http.StatusNoContent)
	}},
	{"defaultTemplateRetrieve", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("defaultTemplateCreate")
		if err != nil {
			return err
		}
		r, err := c.DefaultTemplateRetrieveWithResponse(ctx, id)
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusOK, r.JSON200)
		if err != nil {
			return err
		}
		return coverageSame("messageTemplateDescription", got.MessageTemplateDescription, "Planned maintenance, updated.")
	}},

	// Response rules.
	{"responseRuleCreate", func(ctx context.Context, c *api.Client, s *coverageState) error {
		r, err := c.ResponseRuleCreateWithResponse(ctx, s.workspace, coverageResponseRule("Sorts replies into yes and no."))
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusCreated, r.JSON201)
		if err != nil {
			return err
		}
		return s.keep("responseRuleCreate", r.HTTPResponse, got.ID)
	}},
	{"responseRuleList", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("responseRuleCreate")
		if err != nil {
			return err
		}
		r, err := c.ResponseRuleListWithResponse(ctx, s.workspace, nil)
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusOK, r.JSON200)
		if err != nil {
			return err
		}
		return coverageListed(got.ResponseRules, func(v generated.ResponseRule) *string { return v.ID }, id)
	}},
	{"responseRuleUpdate", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("responseRuleCreate")
		if err != nil {
			return err
		}
		r, err := c.ResponseRuleUpdateWithResponse(ctx, s.workspace, id, coverageResponseRule("Yes and no, updated."))
		if err != nil {
			return err
		}
		return coverageStatus(r.HTTPResponse, http.StatusNoContent)
	}},
	{"responseRuleRetrieve", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("responseRuleCreate")
		if err != nil {
			return err
		}
		r, err := c.ResponseRuleRetrieveWithResponse(ctx, s.workspace, id)
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusOK, r.JSON200)
		if err != nil {
			return err
		}
		return coverageSame("description", got.Description, "Yes and no, updated.")
	}},
	{"defaultResponseRuleCreate", func(ctx context.Context, c *api.Client, s *coverageState) error {
		r, err := c.DefaultResponseRuleCreateWithResponse(ctx, coverageResponseRule("Sorts replies into yes and no."))
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusCreated, r.JSON201)
		if err != nil {
			return err
		}
		return s.keep("defaultResponseRuleCreate", r.HTTPResponse, got.ID)
	}},
	{"defaultResponseRuleList", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("defaultResponseRuleCreate")
		if err != nil {
			return err
		}
		r, err := c.DefaultResponseRuleListWithResponse(ctx, nil)
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusOK, r.JSON200)
		if err != nil {
			return err
		}
		return coverageListed(got.ResponseRules, func(v generated.ResponseRule) *string { return v.ID }, id)
	}},
	{"defaultResponseRuleUpdate", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("defaultResponseRuleCreate")
		if err != nil {
			return err
		}
		r, err := c.DefaultResponseRuleUpdateWithResponse(ctx, id, coverageResponseRule("Yes and no, updated."))
		if err != nil {
			return err
		}
		return coverageStatus(r.HTTPResponse, http.StatusNoContent)
	}},
	{"defaultResponseRuleRetrieve", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("defaultResponseRuleCreate")
		if err != nil {
			return err
		}
		r, err := c.DefaultResponseRuleRetrieveWithResponse(ctx, id)
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusOK, r.JSON200)
		if err != nil {
			return err
		}
		return coverageSame("description", got.Description, "Yes and no, updated.")
	}},

	// Callbacks, and the calls Whispir made to them.
	{"callbackCreate", func(ctx context.Context, c *api.Client, s *coverageState) error {
		r, err := c.CallbackCreateWithResponse(ctx, coverageCallback("ops@example.com"))
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusCreated, r.JSON201)
		if err != nil {
			return err
		}
		return s.keep("callbackCreate", r.HTTPResponse, got.ID)
	}},
	{"callbackList", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("callbackCreate")
		if err != nil {
			return err
		}
		r, err := c.CallbackListWithResponse(ctx, nil)
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusOK, r.JSON200)
		if err != nil {
			return err
		}
		return coverageListed(got.Callbacks, func(v generated.Callback) *string { return v.ID }, id)
	}},
	{"callbackUpdate", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("callbackCreate")
		if err != nil {
			return err
		}
		r, err := c.CallbackUpdateWithResponse(ctx, id, coverageCallback("oncall@example.com"))
		if err != nil {
			return err
		}
		return coverageStatus(r.HTTPResponse, http.StatusNoContent)
	}},
	{"callbackRetrieve", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("callbackCreate")
		if err != nil {
			return err
		}
		r, err := c.CallbackRetrieveWithResponse(ctx, id)
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusOK, r.JSON200)
		if err != nil {
			return err
		}
		return coverageSame("email", got.Email, "oncall@example.com")
	}},
	{"callbackCallList", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("callbackCreate")
		if err != nil {
			return err
		}
		r, err := c.CallbackCallListWithResponse(ctx, id, &generated.CallbackCallListParams{Status: new(generated.CallbackCallStatusFAILED)})
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusOK, r.JSON200)
		if err != nil {
			return err
		}
		if err := coverageNonEmpty(got.Calls); err != nil {
			return err
		}
		for _, call := range *got.Calls {
			if call.ID != nil {
				s.ids["callbackCallList"] = *call.ID
				return nil
			}
		}
		return errors.New("got calls without ids")
	}},
	{"callbackCallUpdate", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("callbackCreate")
		if err != nil {
			return err
		}
		call, err := s.id("callbackCallList")
		if err != nil {
			return err
		}
		r, err := c.CallbackCallUpdateWithResponse(ctx, id, &generated.CallbackCallUpdateParams{ID: []string{call}},
			generated.CallbackCallResult{Status: generated.CallbackCallStatusSUCCESS})
		if err != nil {
			return err
		}
		return coverageStatus(r.HTTPResponse, http.StatusNoContent)
	}},

	// Messages: a plain SMS in the workspace, a bulk message from the CSV
	// in the default workspace.
	{"messageCreate", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := c.SendMessage(ctx, s.workspace, coverageSMS())
		if err != nil {
			return err
		}
		s.ids["messageCreate"] = id
		return nil
	}},
	{"messageList", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("messageCreate")
		if err != nil {
			return err
		}
		r, err := c.MessageListWithResponse(ctx, s.workspace, &generated.MessageListParams{Label: new("coverage")})
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusOK, r.JSON200)
		if err != nil {
			return err
		}
		return coverageListed(got.Messages, func(v generated.MessageSummary) *string { return v.ID }, id)
	}},
	{"messageRetrieve", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("messageCreate")
		if err != nil {
			return err
		}
		r, err := c.MessageRetrieveWithResponse(ctx, s.workspace, id)
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusOK, r.JSON200)
		if err != nil {
			return err
		}
		return coverageSame("subject", got.Subject, "Test SMS")
	}},
	{"messageStatusList", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("messageCreate")
		if err != nil {
			return err
		}
		r, err := c.MessageStatusListWithResponse(ctx, s.workspace, id, &generated.MessageStatusListParams{View: new(generated.DetailLevelDetailed)})
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusOK, r.JSON200)
		if err != nil {
			return err
		}
		return coverageNonEmpty(got.MessageStatuses)
	}},
	{"messageResponseList", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("messageCreate")
		if err != nil {
			return err
		}
		r, err := c.MessageResponseListWithResponse(ctx, s.workspace, id, &generated.MessageResponseListParams{
			View: new(generated.DetailLevelSummary), Filter: new(generated.ResponseGroupingDefault),
		})
		if err != nil {
			return err
		}
		_, err = coverageBody(r.HTTPResponse, http.StatusOK, r.JSON200)
		return err
	}},
	{"defaultMessageCreate", func(ctx context.Context, c *api.Client, s *coverageState) error {
		resource, err := s.id("defaultResourceCreate")
		if err != nil {
			return err
		}
		id, err := c.SendBulkMessage(ctx, "", coverageBulk(resource))
		if err != nil {
			return err
		}
		s.ids["defaultMessageCreate"] = id
		return nil
	}},
	{"defaultMessageList", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("defaultMessageCreate")
		if err != nil {
			return err
		}
		r, err := c.DefaultMessageListWithResponse(ctx, &generated.DefaultMessageListParams{Limit: new(20)})
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusOK, r.JSON200)
		if err != nil {
			return err
		}
		return coverageListed(got.Messages, func(v generated.MessageSummary) *string { return v.ID }, id)
	}},
	{"defaultMessageRetrieve", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("defaultMessageCreate")
		if err != nil {
			return err
		}
		r, err := c.DefaultMessageRetrieveWithResponse(ctx, id)
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusOK, r.JSON200)
		if err != nil {
			return err
		}
		return coverageSame("subject", got.Subject, "Your balance")
	}},
	{"defaultMessageStatusList", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("defaultMessageCreate")
		if err != nil {
			return err
		}
		r, err := c.DefaultMessageStatusListWithResponse(ctx, id, nil)
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusOK, r.JSON200)
		if err != nil {
			return err
		}
		return coverageNonEmpty(got.MessageStatuses)
	}},
	{"defaultMessageResponseList", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("defaultMessageCreate")
		if err != nil {
			return err
		}
		r, err := c.DefaultMessageResponseListWithResponse(ctx, id, nil)
		if err != nil {
			return err
		}
		_, err = coverageBody(r.HTTPResponse, http.StatusOK, r.JSON200)
		return err
	}},

	// Imports of the CSV.
	{"importCreate", func(ctx context.Context, c *api.Client, s *coverageState) error {
		resource, err := s.id("resourceCreate")
		if err != nil {
			return err
		}
		r, err := c.ImportCreateWithResponse(ctx, s.workspace, coverageImport(resource))
		if err != nil {
			return err
		}
		if err := coverageStatus(r.HTTPResponse, http.StatusAccepted); err != nil {
			return err
		}
		return s.keep("importCreate", r.HTTPResponse, nil)
	}},
	{"defaultImportCreate", func(ctx context.Context, c *api.Client, s *coverageState) error {
		resource, err := s.id("defaultResourceCreate")
		if err != nil {
			return err
		}
		r, err := c.DefaultImportCreateWithResponse(ctx, coverageImport(resource))
		if err != nil {
			return err
		}
		if err := coverageStatus(r.HTTPResponse, http.StatusAccepted); err != nil {
			return err
		}
		return s.keep("defaultImportCreate", r.HTTPResponse, nil)
	}},

	// Contacts.
	{"contactCreate", func(ctx context.Context, c *api.Client, s *coverageState) error {
		r, err := c.ContactCreateWithResponse(ctx, s.workspace, coverageContact("Operations Manager"))
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusCreated, r.JSON201)
		if err != nil {
			return err
		}
		return s.keep("contactCreate", r.HTTPResponse, got.ID)
	}},
	{"contactList", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("contactCreate")
		if err != nil {
			return err
		}
		r, err := c.ContactListWithResponse(ctx, s.workspace, &generated.ContactListParams{FirstName: new("Jane"), Limit: new(20)})
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusOK, r.JSON200)
		if err != nil {
			return err
		}
		return coverageListed(got.Contacts, func(v generated.Contact) *string { return v.ID }, id)
	}},
	{"contactUpdate", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("contactCreate")
		if err != nil {
			return err
		}
		r, err := c.ContactUpdateWithResponse(ctx, s.workspace, id, coverageContact("Head of Operations"))
		if err != nil {
			return err
		}
		return coverageStatus(r.HTTPResponse, http.StatusNoContent)
	}},
	{"contactRetrieve", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("contactCreate")
		if err != nil {
			return err
		}
		r, err := c.ContactRetrieveWithResponse(ctx, s.workspace, id, &generated.ContactRetrieveParams{CustomFields: new(true)})
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusOK, r.JSON200)
		if err != nil {
			return err
		}
		return coverageSame("jobTitle", got.JobTitle, "Head of Operations")
	}},
	{"defaultContactCreate", func(ctx context.Context, c *api.Client, s *coverageState) error {
		r, err := c.DefaultContactCreateWithResponse(ctx, coverageContact("Operations Manager"))
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusCreated, r.JSON201)
		if err != nil {
			return err
		}
		return s.keep("defaultContactCreate", r.HTTPResponse, got.ID)
	}},
	{"defaultContactList", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("defaultContactCreate")
		if err != nil {
			return err
		}
		r, err := c.DefaultContactListWithResponse(ctx, &generated.DefaultContactListParams{LastName: new("Citizen")})
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusOK, r.JSON200)
		if err != nil {
			return err
		}
		return coverageListed(got.Contacts, func(v generated.Contact) *string { return v.ID }, id)
	}},
	{"defaultContactUpdate", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("defaultContactCreate")
		if err != nil {
			return err
		}
		r, err := c.DefaultContactUpdateWithResponse(ctx, id, coverageContact("Head of Operations"))
		if err != nil {
			return err
		}
		return coverageStatus(r.HTTPResponse, http.StatusNoContent)
	}},
	{"defaultContactRetrieve", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("defaultContactCreate")
		if err != nil {
			return err
		}
		r, err := c.DefaultContactRetrieveWithResponse(ctx, id, nil)
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusOK, r.JSON200)
		if err != nil {
			return err
		}
		return coverageSame("jobTitle", got.JobTitle, "Head of Operations")
	}},

	// Distribution lists: a static one of the contact above, a dynamic one.
	{"distributionListCreate", func(ctx context.Context, c *api.Client, s *coverageState) error {
		contact, err := s.id("contactCreate")
		if err != nil {
			return err
		}
		r, err := c.DistributionListCreateWithResponse(ctx, s.workspace, coverageStaticList("People on call for incidents", contact))
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusCreated, r.JSON201)
		if err != nil {
			return err
		}
		return s.keep("distributionListCreate", r.HTTPResponse, got.ID)
	}},
	{"distributionListList", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("distributionListCreate")
		if err != nil {
			return err
		}
		r, err := c.DistributionListListWithResponse(ctx, s.workspace, &generated.DistributionListListParams{Name: new("Incidents")})
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusOK, r.JSON200)
		if err != nil {
			return err
		}
		return coverageListed(got.DistributionLists, func(v generated.DistributionList) *string { return v.ID }, id)
	}},
	{"distributionListUpdate", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("distributionListCreate")
		if err != nil {
			return err
		}
		contact, err := s.id("contactCreate")
		if err != nil {
			return err
		}
		r, err := c.DistributionListUpdateWithResponse(ctx, s.workspace, id, coverageStaticList("On call this week", contact))
		if err != nil {
			return err
		}
		return coverageStatus(r.HTTPResponse, http.StatusNoContent)
	}},
	{"distributionListRetrieve", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("distributionListCreate")
		if err != nil {
			return err
		}
		r, err := c.DistributionListRetrieveWithResponse(ctx, s.workspace, id)
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusOK, r.JSON200)
		if err != nil {
			return err
		}
		return coverageSame("description", got.Description, "On call this week")
	}},
	{"defaultDistributionListCreate", func(ctx context.Context, c *api.Client, s *coverageState) error {
		r, err := c.DefaultDistributionListCreateWithResponse(ctx, coverageDynamicList("Every contact whose first name starts with J"))
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusCreated, r.JSON201)
		if err != nil {
			return err
		}
		return s.keep("defaultDistributionListCreate", r.HTTPResponse, got.ID)
	}},
	{"defaultDistributionListList", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("defaultDistributionListCreate")
		if err != nil {
			return err
		}
		r, err := c.DefaultDistributionListListWithResponse(ctx, nil)
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusOK, r.JSON200)
		if err != nil {
			return err
		}
		return coverageListed(got.DistributionLists, func(v generated.DistributionList) *string { return v.ID }, id)
	}},
	{"defaultDistributionListUpdate", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("defaultDistributionListCreate")
		if err != nil {
			return err
		}
		r, err := c.DefaultDistributionListUpdateWithResponse(ctx, id, coverageDynamicList("Contacts named J-something"))
		if err != nil {
			return err
		}
		return coverageStatus(r.HTTPResponse, http.StatusNoContent)
	}},
	{"defaultDistributionListRetrieve", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("defaultDistributionListCreate")
		if err != nil {
			return err
		}
		r, err := c.DefaultDistributionListRetrieveWithResponse(ctx, id)
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusOK, r.JSON200)
		if err != nil {
			return err
		}
		return coverageSame("description", got.Description, "Contacts named J-something")
	}},

	// Scenarios, and running them.
	{"scenarioCreate", func(ctx context.Context, c *api.Client, s *coverageState) error {
		r, err := c.ScenarioCreateWithResponse(ctx, s.workspace, coverageScenario("Tells everyone on site to leave the building."))
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusCreated, r.JSON201)
		if err != nil {
			return err
		}
		return s.keep("scenarioCreate", r.HTTPResponse, got.ID)
	}},
	{"scenarioList", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("scenarioCreate")
		if err != nil {
			return err
		}
		r, err := c.ScenarioListWithResponse(ctx, s.workspace, nil)
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusOK, r.JSON200)
		if err != nil {
			return err
		}
		return coverageListed(got.Scenarios, func(v generated.Scenario) *string { return v.ID }, id)
	}},
	{"scenarioUpdate", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("scenarioCreate")
		if err != nil {
			return err
		}
		r, err := c.ScenarioUpdateWithResponse(ctx, s.workspace, id, coverageScenario("Evacuation of the north building."))
		if err != nil {
			return err
		}
		return coverageStatus(r.HTTPResponse, http.StatusNoContent)
	}},
	{"scenarioRetrieve", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("scenarioCreate")
		if err != nil {
			return err
		}
		r, err := c.ScenarioRetrieveWithResponse(ctx, s.workspace, id)
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusOK, r.JSON200)
		if err != nil {
			return err
		}
		return coverageSame("description", got.Description, "Evacuation of the north building.")
	}},
	{"scenarioRunCreate", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("scenarioCreate")
		if err != nil {
			return err
		}
		r, err := c.ScenarioRunCreateWithResponse(ctx, s.workspace, id)
		if err != nil {
			return err
		}
		// Both are documented: 202 with a Location, or 204 with nothing.
		if err := coverageStatus(r.HTTPResponse, http.StatusAccepted, http.StatusNoContent); err != nil {
			return err
		}
		if r.StatusCode() == http.StatusAccepted && r.HTTPResponse.Header.Get("Location") == "" {
			return errors.New("got 202 without Location")
		}
		return nil
	}},
	{"defaultScenarioCreate", func(ctx context.Context, c *api.Client, s *coverageState) error {
		r, err := c.DefaultScenarioCreateWithResponse(ctx, coverageScenario("Tells everyone on site to leave the building."))
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusCreated, r.JSON201)
		if err != nil {
			return err
		}
		return s.keep("defaultScenarioCreate", r.HTTPResponse, got.ID)
	}},
	{"defaultScenarioList", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("defaultScenarioCreate")
		if err != nil {
			return err
		}
		r, err := c.DefaultScenarioListWithResponse(ctx, nil)
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusOK, r.JSON200)
		if err != nil {
			return err
		}
		return coverageListed(got.Scenarios, func(v generated.Scenario) *string { return v.ID }, id)
	}},
	{"defaultScenarioUpdate", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("defaultScenarioCreate")
		if err != nil {
			return err
		}
		r, err := c.DefaultScenarioUpdateWithResponse(ctx, id, coverageScenario("Evacuation of the north building."))
		if err != nil {
			return err
		}
		return coverageStatus(r.HTTPResponse, http.StatusNoContent)
	}},
	{"defaultScenarioRetrieve", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("defaultScenarioCreate")
		if err != nil {
			return err
		}
		r, err := c.DefaultScenarioRetrieveWithResponse(ctx, id)
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusOK, r.JSON200)
		if err != nil {
			return err
		}
		return coverageSame("description", got.Description, "Evacuation of the north building.")
	}},
	{"defaultScenarioRunCreate", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("defaultScenarioCreate")
		if err != nil {
			return err
		}
		r, err := c.DefaultScenarioRunCreateWithResponse(ctx, id)
		if err != nil {
			return err
		}
		if err := coverageStatus(r.HTTPResponse, http.StatusAccepted, http.StatusNoContent); err != nil {
			return err
		}
		if r.StatusCode() == http.StatusAccepted && r.HTTPResponse.Header.Get("Location") == "" {
			return errors.New("got 202 without Location")
		}
		return nil
	}},

	// Events (there is no delete).
	{"eventCreate", func(ctx context.Context, c *api.Client, s *coverageState) error {
		r, err := c.EventCreateWithResponse(ctx, s.workspace, coverageEvent(generated.EventStatusOpen))
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusCreated, r.JSON201)
		if err != nil {
			return err
		}
		return s.keep("eventCreate", r.HTTPResponse, got.ID)
	}},
	{"eventList", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("eventCreate")
		if err != nil {
			return err
		}
		r, err := c.EventListWithResponse(ctx, s.workspace, nil)
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusOK, r.JSON200)
		if err != nil {
			return err
		}
		return coverageListed(got.Events, func(v generated.Event) *string { return v.ID }, id)
	}},
	{"eventUpdate", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("eventCreate")
		if err != nil {
			return err
		}
		r, err := c.EventUpdateWithResponse(ctx, s.workspace, id, coverageEvent(generated.EventStatusResolved))
		if err != nil {
			return err
		}
		return coverageStatus(r.HTTPResponse, http.StatusNoContent)
	}},
	{"eventRetrieve", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("eventCreate")
		if err != nil {
			return err
		}
		r, err := c.EventRetrieveWithResponse(ctx, s.workspace, id)
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusOK, r.JSON200)
		if err != nil {
			return err
		}
		return coverageSame("status", (*string)(&got.Status), string(generated.EventStatusResolved))
	}},
	{"defaultEventCreate", func(ctx context.Context, c *api.Client, s *coverageState) error {
		r, err := c.DefaultEventCreateWithResponse(ctx, coverageEvent(generated.EventStatusOpen))
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusCreated, r.JSON201)
		if err != nil {
			return err
		}
		return s.keep("defaultEventCreate", r.HTTPResponse, got.ID)
	}},
	{"defaultEventList", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("defaultEventCreate")
		if err != nil {
			return err
		}
		r, err := c.DefaultEventListWithResponse(ctx, nil)
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusOK, r.JSON200)
		if err != nil {
			return err
		}
		return coverageListed(got.Events, func(v generated.Event) *string { return v.ID }, id)
	}},
	{"defaultEventUpdate", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("defaultEventCreate")
		if err != nil {
			return err
		}
		r, err := c.DefaultEventUpdateWithResponse(ctx, id, coverageEvent(generated.EventStatusResolved))
		if err != nil {
			return err
		}
		return coverageStatus(r.HTTPResponse, http.StatusNoContent)
	}},
	{"defaultEventRetrieve", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("defaultEventCreate")
		if err != nil {
			return err
		}
		r, err := c.DefaultEventRetrieveWithResponse(ctx, id)
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusOK, r.JSON200)
		if err != nil {
			return err
		}
		return coverageSame("status", (*string)(&got.Status), string(generated.EventStatusResolved))
	}},

	// Users.
	{"userCreate", func(ctx context.Context, c *api.Client, s *coverageState) error {
		r, err := c.UserCreateWithResponse(ctx, coverageUser("Operations Manager"))
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusCreated, r.JSON201)
		if err != nil {
			return err
		}
		if got.Password != nil {
			return errors.New("got the password back; want it never echoed")
		}
		return s.keep("userCreate", r.HTTPResponse, got.ID)
	}},
	{"userList", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("userCreate")
		if err != nil {
			return err
		}
		r, err := c.UserListWithResponse(ctx, &generated.UserListParams{FirstName: new("Jane")})
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusOK, r.JSON200)
		if err != nil {
			return err
		}
		return coverageListed(got.Users, func(v generated.User) *string { return v.ID }, id)
	}},
	{"userWorkspaceList", func(ctx context.Context, c *api.Client, s *coverageState) error {
		r, err := c.UserWorkspaceListWithResponse(ctx, s.workspace, nil)
		if err != nil {
			return err
		}
		_, err = coverageBody(r.HTTPResponse, http.StatusOK, r.JSON200)
		return err
	}},
	{"userUpdate", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("userCreate")
		if err != nil {
			return err
		}
		r, err := c.UserUpdateWithResponse(ctx, id, coverageUser("Head of Operations"))
		if err != nil {
			return err
		}
		return coverageStatus(r.HTTPResponse, http.StatusNoContent)
	}},
	{"userRetrieve", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("userCreate")
		if err != nil {
			return err
		}
		r, err := c.UserRetrieveWithResponse(ctx, id)
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusOK, r.JSON200)
		if err != nil {
			return err
		}
		return coverageSame("jobTitle", got.JobTitle, "Head of Operations")
	}},

	// Activities, the audit log.
	{"activityCreate", func(ctx context.Context, c *api.Client, _ *coverageState) error {
		r, err := c.ActivityCreateWithResponse(ctx, generated.Activity{
			Action:      generated.ActivityActionSend,
			Description: "Nightly reminders sent by the scheduler.",
			Status:      generated.ActivityStatusSuccessful,
			Module:      new("Message"),
		})
		if err != nil {
			return err
		}
		_, err = coverageBody(r.HTTPResponse, http.StatusCreated, r.JSON201)
		return err
	}},
	{"activityList", func(ctx context.Context, c *api.Client, _ *coverageState) error {
		r, err := c.ActivityListWithResponse(ctx, &generated.ActivityListParams{
			Action:    new(generated.ActivityActionSend),
			StartTime: new("01/11/2026 00:00"),
			EndTime:   new("27/11/2026 23:59"),
		})
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusOK, r.JSON200)
		if err != nil {
			return err
		}
		return coverageNonEmpty(got.Activities)
	}},
	{"activityWorkspaceList", func(ctx context.Context, c *api.Client, s *coverageState) error {
		r, err := c.ActivityWorkspaceListWithResponse(ctx, s.workspace, nil)
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusOK, r.JSON200)
		if err != nil {
			return err
		}
		return coverageNonEmpty(got.Activities)
	}},

	// Custom lists: read only; retrieve the first one listed.
	{"customListList", func(ctx context.Context, c *api.Client, s *coverageState) error {
		r, err := c.CustomListListWithResponse(ctx, nil)
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusOK, r.JSON200)
		if err != nil {
			return err
		}
		if err := coverageNonEmpty(got.CustomLabels); err != nil {
			return err
		}
		for _, l := range *got.CustomLabels {
			if l.ID != nil {
				s.ids["customListList"] = *l.ID
				return nil
			}
		}
		return errors.New("got custom lists without ids")
	}},
	{"customListRetrieve", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("customListList")
		if err != nil {
			return err
		}
		r, err := c.CustomListRetrieveWithResponse(ctx, id)
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusOK, r.JSON200)
		if err != nil {
			return err
		}
		return coverageSame("id", got.ID, id)
	}},

	// API keys (internal).
	{"keyCreate", func(ctx context.Context, c *api.Client, s *coverageState) error {
		r, err := c.KeyCreateWithResponse(ctx, coverageKey("Billing system integration", true))
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusCreated, r.JSON201)
		if err != nil {
			return err
		}
		return s.keep("keyCreate", r.HTTPResponse, got.ID)
	}},
	{"keyList", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("keyCreate")
		if err != nil {
			return err
		}
		r, err := c.KeyListWithResponse(ctx, nil)
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusOK, r.JSON200)
		if err != nil {
			return err
		}
		return coverageListed(got.Keys, func(v generated.Key) *string { return v.ID }, id)
	}},
	{"keyUpdate", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("keyCreate")
		if err != nil {
			return err
		}
		r, err := c.KeyUpdateWithResponse(ctx, id, coverageKey("Billing system, retired", false))
		if err != nil {
			return err
		}
		return coverageStatus(r.HTTPResponse, http.StatusNoContent)
	}},
	{"keyRetrieve", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("keyCreate")
		if err != nil {
			return err
		}
		r, err := c.KeyRetrieveWithResponse(ctx, id)
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusOK, r.JSON200)
		if err != nil {
			return err
		}
		return coverageSame("description", got.Description, "Billing system, retired")
	}},

	// Verify: send a one-time code, then check it.
	{"sendCodeCreate", func(ctx context.Context, c *api.Client, s *coverageState) error {
		r, err := c.SendCodeCreateWithResponse(ctx, generated.OtpRequest{
			WorkspaceID: s.workspace,
			Channel:     generated.OtpChannelSms,
			To:          "+61400000000",
			CodeLength:  6,
			ExpiresIn:   300,
		})
		if err != nil {
			return err
		}
		got, err := coverageBody(r.HTTPResponse, http.StatusCreated, r.JSON201)
		if err != nil {
			return err
		}
		if got.ID == nil || *got.ID == "" {
			return errors.New("got no otp id")
		}
		return s.keep("sendCodeCreate", r.HTTPResponse, got.ID)
	}},
	{"verifyCodeCreate", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("sendCodeCreate")
		if err != nil {
			return err
		}
		r, err := c.VerifyCodeCreateWithResponse(ctx, id, generated.OtpCheck{To: "+61400000000", Code: "123456"})
		if err != nil {
			return err
		}
		_, err = coverageBody(r.HTTPResponse, http.StatusOK, r.JSON200)
		return err
	}},

	// Deletes, last: what uses a thing goes before the thing.
	{"distributionListDelete", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("distributionListCreate")
		if err != nil {
			return err
		}
		r, err := c.DistributionListDeleteWithResponse(ctx, s.workspace, id)
		if err != nil {
			return err
		}
		return coverageStatus(r.HTTPResponse, http.StatusNoContent)
	}},
	{"defaultDistributionListDelete", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("defaultDistributionListCreate")
		if err != nil {
			return err
		}
		r, err := c.DefaultDistributionListDeleteWithResponse(ctx, id)
		if err != nil {
			return err
		}
		return coverageStatus(r.HTTPResponse, http.StatusNoContent)
	}},
	{"contactDelete", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("contactCreate")
		if err != nil {
			return err
		}
		r, err := c.ContactDeleteWithResponse(ctx, s.workspace, id, nil)
		if err != nil {
			return err
		}
		return coverageStatus(r.HTTPResponse, http.StatusNoContent)
	}},
	{"defaultContactDelete", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("defaultContactCreate")
		if err != nil {
			return err
		}
		r, err := c.DefaultContactDeleteWithResponse(ctx, id, nil)
		if err != nil {
			return err
		}
		return coverageStatus(r.HTTPResponse, http.StatusNoContent)
	}},
	{"scenarioDelete", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("scenarioCreate")
		if err != nil {
			return err
		}
		r, err := c.ScenarioDeleteWithResponse(ctx, s.workspace, id)
		if err != nil {
			return err
		}
		return coverageStatus(r.HTTPResponse, http.StatusNoContent)
	}},
	{"defaultScenarioDelete", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("defaultScenarioCreate")
		if err != nil {
			return err
		}
		r, err := c.DefaultScenarioDeleteWithResponse(ctx, id)
		if err != nil {
			return err
		}
		return coverageStatus(r.HTTPResponse, http.StatusNoContent)
	}},
	{"templateDelete", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("templateCreate")
		if err != nil {
			return err
		}
		r, err := c.TemplateDeleteWithResponse(ctx, s.workspace, id)
		if err != nil {
			return err
		}
		return coverageStatus(r.HTTPResponse, http.StatusNoContent)
	}},
	{"defaultTemplateDelete", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("defaultTemplateCreate")
		if err != nil {
			return err
		}
		r, err := c.DefaultTemplateDeleteWithResponse(ctx, id)
		if err != nil {
			return err
		}
		return coverageStatus(r.HTTPResponse, http.StatusNoContent)
	}},
	{"responseRuleDelete", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("responseRuleCreate")
		if err != nil {
			return err
		}
		r, err := c.ResponseRuleDeleteWithResponse(ctx, s.workspace, id)
		if err != nil {
			return err
		}
		return coverageStatus(r.HTTPResponse, http.StatusNoContent)
	}},
	{"defaultResponseRuleDelete", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("defaultResponseRuleCreate")
		if err != nil {
			return err
		}
		r, err := c.DefaultResponseRuleDeleteWithResponse(ctx, id)
		if err != nil {
			return err
		}
		return coverageStatus(r.HTTPResponse, http.StatusNoContent)
	}},
	{"resourceDelete", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("resourceCreate")
		if err != nil {
			return err
		}
		r, err := c.ResourceDeleteWithResponse(ctx, s.workspace, id)
		if err != nil {
			return err
		}
		return coverageStatus(r.HTTPResponse, http.StatusNoContent)
	}},
	{"defaultResourceDelete", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("defaultResourceCreate")
		if err != nil {
			return err
		}
		r, err := c.DefaultResourceDeleteWithResponse(ctx, id)
		if err != nil {
			return err
		}
		return coverageStatus(r.HTTPResponse, http.StatusNoContent)
	}},
	{"callbackDelete", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("callbackCreate")
		if err != nil {
			return err
		}
		r, err := c.CallbackDeleteWithResponse(ctx, id)
		if err != nil {
			return err
		}
		return coverageStatus(r.HTTPResponse, http.StatusNoContent)
	}},
	{"keyDelete", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("keyCreate")
		if err != nil {
			return err
		}
		r, err := c.KeyDeleteWithResponse(ctx, id)
		if err != nil {
			return err
		}
		return coverageStatus(r.HTTPResponse, http.StatusNoContent)
	}},
	{"userDelete", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("userCreate")
		if err != nil {
			return err
		}
		r, err := c.UserDeleteWithResponse(ctx, id)
		if err != nil {
			return err
		}
		return coverageStatus(r.HTTPResponse, http.StatusNoContent)
	}},
	{"usersDelete", func(ctx context.Context, c *api.Client, _ *coverageState) error {
		r, err := c.UsersDeleteWithResponse(ctx)
		if err != nil {
			return err
		}
		return coverageStatus(r.HTTPResponse, http.StatusNoContent)
	}},
}

// TestEveryOperationEndToEnd calls every operation of the embedded spec
// through api.Client, against the mock under a base path: the mock
// validates each request and the client each response against the spec.
// It fails for any operation of the spec that no case answered 2xx, and for
// any case that names no operation of the spec.
func TestEveryOperationEndToEnd(t *testing.T) {
	t.Parallel()
	srv := whispirtest.NewServer(whispirtest.WithBasePath(coverageBasePath), whispirtest.WithResponseValidation(t))
	t.Cleanup(srv.Close)
	p, err := security.New(srv.Credentials())
	if err != nil {
		t.Fatal(err)
	}
	newClient := func() *api.Client {
		c, err := api.New(p, api.WithBaseURL(srv.URL), api.WithResponseValidation(), api.WithoutRetry())
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	client := newClient()
	s := &coverageState{ids: map[string]string{}, bearer: newClient()}

	ops, err := whispir.Operations()
	if err != nil {
		t.Fatal(err)
	}
	inSpec := map[string]bool{}
	for _, op := range ops {
		inSpec[op.ID] = true
	}
	seen := map[string]bool{}
	for _, tc := range coverageCases {
		switch {
		case !inSpec[tc.op]:
			t.Errorf("case %s: the spec has no such operationId", tc.op)
		case seen[tc.op]:
			t.Errorf("case %s: listed twice", tc.op)
		}
		seen[tc.op] = true
	}

	for _, tc := range coverageCases {
		t.Run(tc.op, func(t *testing.T) {
			before := len(srv.Requests())
			if err := tc.run(t.Context(), client, s); err != nil {
				t.Fatalf("%s: %v", tc.op, err)
			}
			// The case must have reached its own operation, not a neighbour.
			answered := false
			for _, r := range srv.Requests()[before:] {
				answered = answered || (r.OperationID == tc.op && r.Status >= 200 && r.Status <= 299)
			}
			if !answered {
				t.Errorf("%s: the mock recorded no 2xx answer to it; want one", tc.op)
			}
		})
	}

	// After the table: what the mock recorded, against the spec.
	t.Run("coverage", func(t *testing.T) {
		exercised := map[string]bool{}
		for _, r := range srv.Requests() {
			if !strings.HasPrefix(r.Path, coverageBasePath+"/") {
				t.Errorf("%s %s: got a path outside %s/", r.Method, r.Path, coverageBasePath)
			}
			if r.OperationID != "" && r.Status >= 200 && r.Status <= 299 {
				exercised[r.OperationID] = true
			}
			if r.OperationID == "authVerificationRetrieve" {
				if got := r.Header.Get("Authorization"); !strings.HasPrefix(got, "Bearer ") {
					t.Errorf("authVerificationRetrieve: got Authorization %q; want the Bearer token", got)
				}
				if got, want := r.Credentials.Username, srv.Credentials().Username; got != want {
					t.Errorf("authVerificationRetrieve: got the token of user %q; want %q", got, want)
				}
			}
		}
		var missing []string
		for _, op := range ops {
			if !exercised[op.ID] {
				missing = append(missing, fmt.Sprintf("%s (%s %s)", op.ID, op.Method, op.Path))
			}
		}
		t.Logf("exercised %d of %d operations", len(ops)-len(missing), len(ops))
		if len(missing) > 0 {
			t.Errorf("%d operations not exercised end to end:\n\t%s", len(missing), strings.Join(missing, "\n\t"))
		}
	})
}
