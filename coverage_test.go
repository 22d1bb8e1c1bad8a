package whispir_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

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
	ids    map[string]string // create operationId -> id of what it made
	token  string            // the Bearer token authCreate issued
	bearer *api.Client       // a second client, which sends the token
	srv    *whispirtest.Server
	hook   string // a callback url: GET answers 200 (the mock's check), POST 500
}

// workspace is the id of the workspace workspaceCreate made: the workspace
// of every workspace-scoped operation.
func (s *coverageState) workspace() string { return s.ids["workspaceCreate"] }

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

// Checks of what a typed method returned.

// coverageResponse is what a typed generated method answers. Besides its
// status it has the fields HTTPResponse and JSON<status> (the body decoded
// for that status), which a type parameter cannot name: coverageField reads
// them.
type coverageResponse interface{ StatusCode() int }

// coverageField returns the field name of *v, a generated struct (a
// response, or an item's ID), which must be an F.
func coverageField[F any](v any, name string) (F, error) {
	var zero F
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return zero, fmt.Errorf("got %T; want a pointer to a generated struct", v)
	}
	f := rv.Elem().FieldByName(name)
	if !f.IsValid() {
		return zero, fmt.Errorf("%T has no field %s", v, name)
	}
	got, ok := f.Interface().(F)
	if !ok {
		return zero, fmt.Errorf("%T: field %s is a %s; want a %T", v, name, f.Type(), zero)
	}
	return got, nil
}

// coverageAnswer checks what a typed method returned: no error, and an
// HTTP answer with one of status, which it returns.
func coverageAnswer(r coverageResponse, err error, status ...int) (*http.Response, error) {
	if err != nil {
		return nil, err
	}
	resp, err := coverageField[*http.Response](r, "HTTPResponse")
	if err != nil {
		return nil, err
	}
	return resp, coverageStatus(resp, status...)
}

// coverageDecoded checks that a typed method answered status with a body,
// which the generated client decoded as a T: the status the spec declares
// for the answer, and the body it declares for that status.
func coverageDecoded[T any](r coverageResponse, err error, status int) (*http.Response, *T, error) {
	resp, err := coverageAnswer(r, err, status)
	if err != nil {
		return nil, nil, err
	}
	body, err := coverageField[*T](r, fmt.Sprintf("JSON%d", status))
	if err != nil {
		return nil, nil, err
	}
	if body == nil {
		return nil, nil, fmt.Errorf("status %d: got no decoded body; want a %T", status, body)
	}
	return resp, body, nil
}

// coverageOK is coverageDecoded for 200, for a call's results as they come.
func coverageOK[T any](r coverageResponse, err error) (*T, error) {
	_, got, err := coverageDecoded[T](r, err, http.StatusOK)
	return got, err
}

// coverageKeep checks that the create operation op answered 201 with what
// it made, a T, and keeps its id (s.keep). check, if any, vets it first.
func coverageKeep[T any](s *coverageState, op string, r coverageResponse, err error, check ...func(got *T) error) error {
	resp, got, err := coverageDecoded[T](r, err, http.StatusCreated)
	if err != nil {
		return err
	}
	for _, c := range check {
		if err := c(got); err != nil {
			return err
		}
	}
	id, err := coverageField[*string](got, "ID")
	if err != nil {
		return err
	}
	return s.keep(op, resp, id)
}

// coverageStatus checks the status of an answer.
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
func coverageListed[T any](items *[]T, want string) error {
	if items == nil {
		return fmt.Errorf("got no items; want %s among them", want)
	}
	for i := range *items {
		got, err := coverageField[*string](&(*items)[i], "ID")
		if err != nil {
			return err
		}
		if m, ok := any((*items)[i]).(generated.MessageSummary); ok {
			// As Whispir's, a listed message has no id field: its self
			// link names it.
			if got != nil {
				return fmt.Errorf("message list item has an id field %q; Whispir's have none", *got)
			}
			id, err := api.MessageID(m)
			if err != nil {
				return fmt.Errorf("message list item: %w", err)
			}
			got = &id
		}
		if got != nil && strings.EqualFold(*got, want) {
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

// coverageKeepFirst checks that a page lists something, and keeps the id
// of the first item that has one as what op made.
func coverageKeepFirst[T any](s *coverageState, op string, items *[]T) error {
	if err := coverageNonEmpty(items); err != nil {
		return err
	}
	for i := range *items {
		id, err := coverageField[*string](&(*items)[i], "ID")
		if err != nil {
			return err
		}
		if id != nil {
			s.ids[op] = *id
			return nil
		}
	}
	return fmt.Errorf("got %d items without ids", len(*items))
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

// coverageAccepts checks that a call answered 200 with a T that check
// accepts.
func coverageAccepts[T any](check func(got *T) error) func(r coverageResponse, err error) error {
	return func(r coverageResponse, err error) error {
		got, err := coverageOK[T](r, err)
		if err != nil {
			return err
		}
		return check(got)
	}
}

// coverageAnyBody accepts any decoded T: for operations whose answer is
// checked only for its status and its body.
func coverageAnyBody[T any](*T) error { return nil }

// Calls of typed methods.

// coverageCall calls one operation through its typed method, with a, the
// argument the case supplies or the id of the item it is about, and the
// workspace of s if the operation is in one.
type coverageCall[A any] func(ctx context.Context, c *api.Client, s *coverageState, a A) (coverageResponse, error)

// Method expressions of api.Client, e.g. (*api.Client).ContactDeleteWithResponse,
// by their arguments after ctx.
type (
	coverageMethod1[A any, R coverageResponse]       = func(*api.Client, context.Context, A, ...generated.RequestEditorFn) (R, error)
	coverageMethod2[A, B any, R coverageResponse]    = func(*api.Client, context.Context, A, B, ...generated.RequestEditorFn) (R, error)
	coverageMethod3[A, B, C any, R coverageResponse] = func(*api.Client, context.Context, A, B, C, ...generated.RequestEditorFn) (R, error)
)

// coverageTop calls m, a method outside any workspace or in the default one.
func coverageTop[A any, R coverageResponse](m coverageMethod1[A, R]) coverageCall[A] {
	return func(ctx context.Context, c *api.Client, _ *coverageState, a A) (coverageResponse, error) {
		return m(c, ctx, a)
	}
}

// coverageWS calls m, a method in a workspace: the workspace of s.
func coverageWS[A any, R coverageResponse](m coverageMethod2[string, A, R]) coverageCall[A] {
	return func(ctx context.Context, c *api.Client, s *coverageState, a A) (coverageResponse, error) {
		return m(c, ctx, s.workspace(), a)
	}
}

// coverageTopWith calls m on an item with x (a body, or parameters), outside
// any workspace or in the default one.
func coverageTopWith[X any, R coverageResponse](m coverageMethod2[string, X, R], x X) coverageCall[string] {
	return func(ctx context.Context, c *api.Client, _ *coverageState, id string) (coverageResponse, error) {
		return m(c, ctx, id, x)
	}
}

// coverageWSWith calls m on an item with x, in the workspace of s.
func coverageWSWith[X any, R coverageResponse](m coverageMethod3[string, string, X, R], x X) coverageCall[string] {
	return func(ctx context.Context, c *api.Client, s *coverageState, id string) (coverageResponse, error) {
		return m(c, ctx, s.workspace(), id, x)
	}
}

// Cases. Each helper below returns the cases it defines: one, or (the
// plural forms) a workspace operation and its default-workspace twin.

// coverageCase is one operation of TestEveryOperationEndToEnd: op names the
// spec operation that run calls through the typed generated method (or the
// api helper that wraps it).
type coverageCase struct {
	op  string
	run func(ctx context.Context, c *api.Client, s *coverageState) error
}

// coverageRun is op, run by run.
func coverageRun(op string, run func(ctx context.Context, c *api.Client, s *coverageState) error) []coverageCase {
	return []coverageCase{{op, run}}
}

// coverageOn is op on the item the create operation created made: it calls
// call with the item's id, and check checks what it answered.
func coverageOn(op, created string, call coverageCall[string], check func(r coverageResponse, err error) error) []coverageCase {
	return coverageRun(op, func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id(created)
		if err != nil {
			return err
		}
		return check(call(ctx, c, s, id))
	})
}

// coverageCreate is op, which makes body: see coverageKeep.
func coverageCreate[B any](op string, call coverageCall[B], body B, check ...func(got *B) error) []coverageCase {
	return coverageRun(op, func(ctx context.Context, c *api.Client, s *coverageState) error {
		r, err := call(ctx, c, s, body)
		return coverageKeep(s, op, r, err, check...)
	})
}

// coverageGet is op, called with params: see coverageAccepts.
func coverageGet[P, T any](op string, call coverageCall[P], params P, check func(got *T) error) []coverageCase {
	return coverageRun(op, func(ctx context.Context, c *api.Client, s *coverageState) error {
		return coverageAccepts(check)(call(ctx, c, s, params))
	})
}

// coverageList is op, which lists with params: it must answer 200 with a
// page, a C, whose items list what the create operation created made.
func coverageList[P, C, T any](op, created string, call coverageCall[P], params P, items func(*C) *[]T) []coverageCase {
	return coverageRun(op, func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id(created)
		if err != nil {
			return err
		}
		got, err := coverageOK[C](call(ctx, c, s, params))
		if err != nil {
			return err
		}
		return coverageListed(items(got), id)
	})
}

// coverageRead is op on what created made: see coverageAccepts.
func coverageRead[T any](op, created string, call coverageCall[string], check func(got *T) error) []coverageCase {
	return coverageOn(op, created, call, coverageAccepts(check))
}

// coverageNoContent is op on what created made (an update with its body
// bound, or a delete): it must answer 204.
func coverageNoContent(op, created string, call coverageCall[string]) []coverageCase {
	return coverageOn(op, created, call, func(r coverageResponse, err error) error {
		_, err = coverageAnswer(r, err, http.StatusNoContent)
		return err
	})
}

// coverageStart is op, which runs what created made: both answers are
// documented, 202 with a Location or 204 with nothing.
func coverageStart(op, created string, call coverageCall[string]) []coverageCase {
	return coverageOn(op, created, call, func(r coverageResponse, err error) error {
		resp, err := coverageAnswer(r, err, http.StatusAccepted, http.StatusNoContent)
		if err != nil {
			return err
		}
		if resp.StatusCode == http.StatusAccepted && resp.Header.Get("Location") == "" {
			return errors.New("got 202 without Location")
		}
		return nil
	})
}

// coverageImportOf is op, which imports the CSV that the create operation
// resource made: it must answer 202, with the import's id in Location.
func coverageImportOf(op, resource string, call coverageCall[generated.ImportContact]) []coverageCase {
	return coverageRun(op, func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id(resource)
		if err != nil {
			return err
		}
		r, err := call(ctx, c, s, coverageImport(id))
		resp, err := coverageAnswer(r, err, http.StatusAccepted)
		if err != nil {
			return err
		}
		return s.keep(op, resp, nil)
	})
}

// Twins: an operation in the workspace and its twin in the default
// workspace, which differ only by the workspace argument.

// coverageDefault names the default-workspace twin of op:
// contactDelete -> defaultContactDelete.
func coverageDefault(op string) string { return "default" + strings.ToUpper(op[:1]) + op[1:] }

// coverageTwins is kind+verb, called by ws, and its twin, called by top,
// each on what its own kind+"Create" made; one makes the case of a call.
func coverageTwins[A any](kind, verb string, ws, top coverageCall[A], one func(op, created string, call coverageCall[A]) []coverageCase) []coverageCase {
	op, created := kind+verb, kind+"Create"
	return slices.Concat(one(op, created, ws), one(coverageDefault(op), coverageDefault(created), top))
}

// coverageCreates is kind+"Create" and its twin, each making body.
func coverageCreates[B any, R1, R2 coverageResponse](kind string, ws coverageMethod2[string, B, R1], top coverageMethod1[B, R2], body B) []coverageCase {
	return coverageTwins(kind, "Create", coverageWS(ws), coverageTop(top), func(op, _ string, call coverageCall[B]) []coverageCase {
		return coverageCreate(op, call, body)
	})
}

// coverageLists is kind+"List" and its twin, with their own parameters, on
// pages of the same items.
func coverageLists[C, T, P1, P2 any, R1, R2 coverageResponse](kind string, items func(*C) *[]T,
	ws coverageMethod2[string, P1, R1], wsParams P1, top coverageMethod1[P2, R2], topParams P2,
) []coverageCase {
	return slices.Concat(
		coverageList(kind+"List", kind+"Create", coverageWS(ws), wsParams, items),
		coverageList(coverageDefault(kind+"List"), coverageDefault(kind+"Create"), coverageTop(top), topParams, items),
	)
}

// coverageUpdates is kind+"Update" and its twin, each with body.
func coverageUpdates[B any, R1, R2 coverageResponse](kind string, ws coverageMethod3[string, string, B, R1], top coverageMethod2[string, B, R2], body B) []coverageCase {
	return coverageTwins(kind, "Update", coverageWSWith(ws, body), coverageTopWith(top, body), coverageNoContent)
}

// coverageReads is kind+"Retrieve" and its twin, whose answers check checks.
func coverageReads[T any, R1, R2 coverageResponse](kind string, ws coverageMethod2[string, string, R1], top coverageMethod1[string, R2], check func(got *T) error) []coverageCase {
	return coverageTwins(kind, "Retrieve", coverageWS(ws), coverageTop(top), func(op, created string, call coverageCall[string]) []coverageCase {
		return coverageRead(op, created, call, check)
	})
}

// coverageDeletes is kind+"Delete" and its twin.
func coverageDeletes[R1, R2 coverageResponse](kind string, ws coverageMethod2[string, string, R1], top coverageMethod1[string, R2]) []coverageCase {
	return coverageTwins(kind, "Delete", coverageWS(ws), coverageTop(top), coverageNoContent)
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

func coverageCallback(url, email string) generated.Callback {
	return generated.Callback{
		Name:           "my-callback",
		URL:            url,
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
var coverageCases = slices.Concat(
	// Auth: a token from Basic credentials, then a call that uses it.
	coverageRun("authCreate", func(ctx context.Context, c *api.Client, s *coverageState) error {
		got, err := coverageOK[generated.AuthIssued](c.AuthCreateWithResponse(ctx))
		if err != nil {
			return err
		}
		if got.Token == "" {
			return errors.New("got an empty token")
		}
		s.token = got.Token
		return nil
	}),
	coverageRun("authVerificationRetrieve", func(ctx context.Context, _ *api.Client, s *coverageState) error {
		_, err := coverageOK[generated.AuthVerified](s.bearer.AuthVerificationRetrieveWithResponse(ctx, s.bearerAuth))
		return err
	}),

	// Workspaces: the one made here is the workspace of every
	// workspace-scoped operation below.
	coverageCreate("workspaceCreate", coverageTop((*api.Client).WorkspaceCreateWithResponse), coverageWorkspace("OPS-01")),
	coverageList("workspaceList", "workspaceCreate", coverageTop((*api.Client).WorkspaceListWithResponse), &generated.WorkspaceListParams{Limit: new(20)},
		func(p *generated.WorkspacePage) *[]generated.Workspace { return p.Workspaces }),
	coverageNoContent("workspaceUpdate", "workspaceCreate", coverageTopWith((*api.Client).WorkspaceUpdateWithResponse, coverageWorkspace("OPS-02"))),
	coverageRead("workspaceRetrieve", "workspaceCreate", coverageTop((*api.Client).WorkspaceRetrieveWithResponse),
		func(got *generated.Workspace) error {
			return coverageSame("projectNumber", got.ProjectNumber, "OPS-02")
		}),

	// Resources: the CSV that the bulk message and the imports use.
	coverageCreates("resource", (*api.Client).ResourceCreateWithResponse, (*api.Client).DefaultResourceCreateWithResponse, coverageResource("contacts.csv")),
	coverageLists("resource", func(p *generated.ResourcePage) *[]generated.Resource { return p.Resources },
		(*api.Client).ResourceListWithResponse, &generated.ResourceListParams{Scope: new(generated.ResourceScopePrivate)},
		(*api.Client).DefaultResourceListWithResponse, &generated.DefaultResourceListParams{Name: new("contacts.csv")}),
	coverageUpdates("resource", (*api.Client).ResourceUpdateWithResponse, (*api.Client).DefaultResourceUpdateWithResponse, coverageResource("contacts-v2.csv")),
	coverageReads("resource", (*api.Client).ResourceRetrieveWithResponse, (*api.Client).DefaultResourceRetrieveWithResponse,
		func(got *generated.Resource) error { return coverageSame("name", &got.Name, "contacts-v2.csv") }),

	// Templates.
	coverageCreates("template", (*api.Client).TemplateCreateWithResponse, (*api.Client).DefaultTemplateCreateWithResponse,
		coverageTemplate("Tells customers about planned maintenance.")),
	coverageLists("template", func(p *generated.TemplatePage) *[]generated.Template { return p.MessageTemplates },
		(*api.Client).TemplateListWithResponse, &generated.TemplateListParams{Limit: new(20), Offset: new(0)},
		(*api.Client).DefaultTemplateListWithResponse, nil),
	coverageUpdates("template", (*api.Client).TemplateUpdateWithResponse, (*api.Client).DefaultTemplateUpdateWithResponse,
		coverageTemplate("Planned maintenance, updated.")),
	coverageReads("template", (*api.Client).TemplateRetrieveWithResponse, (*api.Client).DefaultTemplateRetrieveWithResponse,
		func(got *generated.Template) error {
			return coverageSame("messageTemplateDescription", got.MessageTemplateDescription, "Planned maintenance, updated.")
		}),

	// Response rules.
	coverageCreates("responseRule", (*api.Client).ResponseRuleCreateWithResponse, (*api.Client).DefaultResponseRuleCreateWithResponse,
		coverageResponseRule("Sorts replies into yes and no.")),
	coverageLists("responseRule", func(p *generated.ResponseRulePage) *[]generated.ResponseRule { return p.ResponseRules },
		(*api.Client).ResponseRuleListWithResponse, nil,
		(*api.Client).DefaultResponseRuleListWithResponse, nil),
	coverageUpdates("responseRule", (*api.Client).ResponseRuleUpdateWithResponse, (*api.Client).DefaultResponseRuleUpdateWithResponse,
		coverageResponseRule("Yes and no, updated.")),
	coverageReads("responseRule", (*api.Client).ResponseRuleRetrieveWithResponse, (*api.Client).DefaultResponseRuleRetrieveWithResponse,
		func(got *generated.ResponseRule) error {
			return coverageSame("description", got.Description, "Yes and no, updated.")
		}),

	// Callbacks, and the calls Whispir made to them.
	coverageRun("callbackCreate", func(ctx context.Context, c *api.Client, s *coverageState) error {
		r, err := c.CallbackCreateWithResponse(ctx, coverageCallback(s.hook, "ops@example.com"))
		return coverageKeep[generated.Callback](s, "callbackCreate", r, err)
	}),
	coverageList("callbackList", "callbackCreate", coverageTop((*api.Client).CallbackListWithResponse), nil,
		func(p *generated.CallbackPage) *[]generated.Callback { return p.Callbacks }),
	coverageNoContent("callbackUpdate", "callbackCreate", func(ctx context.Context, c *api.Client, s *coverageState, id string) (coverageResponse, error) {
		return c.CallbackUpdateWithResponse(ctx, id, coverageCallback(s.hook, "oncall@example.com"))
	}),
	coverageRead("callbackRetrieve", "callbackCreate", coverageTop((*api.Client).CallbackRetrieveWithResponse),
		func(got *generated.Callback) error { return coverageSame("email", got.Email, "oncall@example.com") }),
	coverageRun("callbackCallList", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("callbackCreate")
		if err != nil {
			return err
		}
		// A reply to a message that names the callback: its calls fail.
		msg, err := c.SendMessage(ctx, "", generated.Message{To: "61400000000", Subject: new("Reply YES"), CallbackID: new("my-callback")})
		if err != nil {
			return err
		}
		if err := s.srv.Reply(msg, "61400000000", "YES"); err != nil {
			return err
		}
		if err := s.srv.WaitCallbacks(ctx); err != nil {
			return err
		}
		got, err := coverageOK[generated.CallbackCallPage](c.CallbackCallListWithResponse(ctx, id,
			&generated.CallbackCallListParams{Status: new(generated.CallbackCallStatusFAILED)}))
		if err != nil {
			return err
		}
		return coverageKeepFirst(s, "callbackCallList", got.Calls)
	}),
	coverageNoContent("callbackCallUpdate", "callbackCreate", func(ctx context.Context, c *api.Client, s *coverageState, id string) (coverageResponse, error) {
		call, err := s.id("callbackCallList")
		if err != nil {
			return nil, err
		}
		return c.CallbackCallUpdateWithResponse(ctx, id, &generated.CallbackCallUpdateParams{ID: []string{call}},
			generated.CallbackCallResult{Status: generated.CallbackCallStatusSUCCESS})
	}),

	// Messages: a plain SMS in the workspace, a bulk message from the CSV
	// in the default workspace.
	coverageRun("messageCreate", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := c.SendMessage(ctx, s.workspace(), coverageSMS())
		if err != nil {
			return err
		}
		s.ids["messageCreate"] = id
		return nil
	}),
	coverageRun("defaultMessageCreate", func(ctx context.Context, c *api.Client, s *coverageState) error {
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
	}),
	coverageLists("message", func(p *generated.MessagePage) *[]generated.MessageSummary { return p.Messages },
		(*api.Client).MessageListWithResponse, &generated.MessageListParams{Label: new("coverage")},
		(*api.Client).DefaultMessageListWithResponse, &generated.DefaultMessageListParams{Limit: new(20)}),
	coverageRead("messageRetrieve", "messageCreate", coverageWS((*api.Client).MessageRetrieveWithResponse),
		func(got *generated.Message) error { return coverageSame("subject", got.Subject, "Test SMS") }),
	coverageRead("defaultMessageRetrieve", "defaultMessageCreate", coverageTop((*api.Client).DefaultMessageRetrieveWithResponse),
		func(got *generated.Message) error { return coverageSame("subject", got.Subject, "Your balance") }),
	coverageRead("messageStatusList", "messageCreate",
		coverageWSWith((*api.Client).MessageStatusListWithResponse, &generated.MessageStatusListParams{View: new(generated.DetailLevelDetailed)}),
		func(got *generated.MessageStatusPage) error { return coverageNonEmpty(got.MessageStatuses) }),
	coverageRead("defaultMessageStatusList", "defaultMessageCreate", coverageTopWith((*api.Client).DefaultMessageStatusListWithResponse, nil),
		func(got *generated.MessageStatusPage) error { return coverageNonEmpty(got.MessageStatuses) }),
	coverageRead("messageResponseList", "messageCreate",
		coverageWSWith((*api.Client).MessageResponseListWithResponse, &generated.MessageResponseListParams{
			View: new(generated.DetailLevelSummary), Filter: new(generated.ResponseGroupingDefault),
		}),
		coverageAnyBody[generated.MessageResponsePage]),
	coverageRead("defaultMessageResponseList", "defaultMessageCreate", coverageTopWith((*api.Client).DefaultMessageResponseListWithResponse, nil),
		coverageAnyBody[generated.MessageResponsePage]),

	// Imports of the CSV.
	coverageImportOf("importCreate", "resourceCreate", coverageWS((*api.Client).ImportCreateWithResponse)),
	coverageImportOf("defaultImportCreate", "defaultResourceCreate", coverageTop((*api.Client).DefaultImportCreateWithResponse)),

	// Contacts.
	coverageCreates("contact", (*api.Client).ContactCreateWithResponse, (*api.Client).DefaultContactCreateWithResponse, coverageContact("Operations Manager")),
	coverageLists("contact", func(p *generated.ContactPage) *[]generated.Contact { return p.Contacts },
		(*api.Client).ContactListWithResponse, &generated.ContactListParams{FirstName: new("Jane"), Limit: new(20)},
		(*api.Client).DefaultContactListWithResponse, &generated.DefaultContactListParams{LastName: new("Citizen")}),
	coverageUpdates("contact", (*api.Client).ContactUpdateWithResponse, (*api.Client).DefaultContactUpdateWithResponse, coverageContact("Head of Operations")),
	coverageTwins("contact", "Retrieve",
		coverageWSWith((*api.Client).ContactRetrieveWithResponse, &generated.ContactRetrieveParams{CustomFields: new(true)}),
		coverageTopWith((*api.Client).DefaultContactRetrieveWithResponse, nil),
		func(op, created string, call coverageCall[string]) []coverageCase {
			return coverageRead(op, created, call, func(got *generated.Contact) error {
				return coverageSame("jobTitle", got.JobTitle, "Head of Operations")
			})
		}),

	// Distribution lists: a static one of the contact above, a dynamic one.
	coverageRun("distributionListCreate", func(ctx context.Context, c *api.Client, s *coverageState) error {
		contact, err := s.id("contactCreate")
		if err != nil {
			return err
		}
		r, err := c.DistributionListCreateWithResponse(ctx, s.workspace(), coverageStaticList("People on call for incidents", contact))
		return coverageKeep[generated.DistributionList](s, "distributionListCreate", r, err)
	}),
	coverageCreate("defaultDistributionListCreate", coverageTop((*api.Client).DefaultDistributionListCreateWithResponse),
		coverageDynamicList("Every contact whose first name starts with J")),
	coverageLists("distributionList", func(p *generated.DistributionListPage) *[]generated.DistributionList { return p.DistributionLists },
		(*api.Client).DistributionListListWithResponse, &generated.DistributionListListParams{Name: new("Incidents")},
		(*api.Client).DefaultDistributionListListWithResponse, nil),
	coverageNoContent("distributionListUpdate", "distributionListCreate", func(ctx context.Context, c *api.Client, s *coverageState, id string) (coverageResponse, error) {
		contact, err := s.id("contactCreate")
		if err != nil {
			return nil, err
		}
		return c.DistributionListUpdateWithResponse(ctx, s.workspace(), id, coverageStaticList("On call this week", contact))
	}),
	coverageNoContent("defaultDistributionListUpdate", "defaultDistributionListCreate",
		coverageTopWith((*api.Client).DefaultDistributionListUpdateWithResponse, coverageDynamicList("Contacts named J-something"))),
	coverageRead("distributionListRetrieve", "distributionListCreate", coverageWS((*api.Client).DistributionListRetrieveWithResponse),
		func(got *generated.DistributionList) error {
			return coverageSame("description", got.Description, "On call this week")
		}),
	coverageRead("defaultDistributionListRetrieve", "defaultDistributionListCreate", coverageTop((*api.Client).DefaultDistributionListRetrieveWithResponse),
		func(got *generated.DistributionList) error {
			return coverageSame("description", got.Description, "Contacts named J-something")
		}),

	// Scenarios, and running them.
	coverageCreates("scenario", (*api.Client).ScenarioCreateWithResponse, (*api.Client).DefaultScenarioCreateWithResponse,
		coverageScenario("Tells everyone on site to leave the building.")),
	coverageLists("scenario", func(p *generated.ScenarioPage) *[]generated.Scenario { return p.Scenarios },
		(*api.Client).ScenarioListWithResponse, nil,
		(*api.Client).DefaultScenarioListWithResponse, nil),
	coverageUpdates("scenario", (*api.Client).ScenarioUpdateWithResponse, (*api.Client).DefaultScenarioUpdateWithResponse,
		coverageScenario("Evacuation of the north building.")),
	coverageReads("scenario", (*api.Client).ScenarioRetrieveWithResponse, (*api.Client).DefaultScenarioRetrieveWithResponse,
		func(got *generated.Scenario) error {
			return coverageSame("description", got.Description, "Evacuation of the north building.")
		}),
	coverageTwins("scenario", "RunCreate",
		coverageWS((*api.Client).ScenarioRunCreateWithResponse), coverageTop((*api.Client).DefaultScenarioRunCreateWithResponse), coverageStart),

	// Events (there is no delete).
	coverageCreates("event", (*api.Client).EventCreateWithResponse, (*api.Client).DefaultEventCreateWithResponse, coverageEvent(generated.EventStatusOpen)),
	coverageLists("event", func(p *generated.EventPage) *[]generated.Event { return p.Events },
		(*api.Client).EventListWithResponse, nil,
		(*api.Client).DefaultEventListWithResponse, nil),
	coverageUpdates("event", (*api.Client).EventUpdateWithResponse, (*api.Client).DefaultEventUpdateWithResponse, coverageEvent(generated.EventStatusResolved)),
	coverageReads("event", (*api.Client).EventRetrieveWithResponse, (*api.Client).DefaultEventRetrieveWithResponse,
		func(got *generated.Event) error {
			return coverageSame("status", (*string)(&got.Status), string(generated.EventStatusResolved))
		}),

	// Users.
	coverageCreate("userCreate", coverageTop((*api.Client).UserCreateWithResponse), coverageUser("Operations Manager"),
		func(got *generated.User) error {
			if got.Password != nil {
				return errors.New("got the password back; want it never echoed")
			}
			return nil
		}),
	coverageList("userList", "userCreate", coverageTop((*api.Client).UserListWithResponse), &generated.UserListParams{FirstName: new("Jane")},
		func(p *generated.UserPage) *[]generated.User { return p.Users }),
	coverageGet("userWorkspaceList", coverageWS((*api.Client).UserWorkspaceListWithResponse), nil, coverageAnyBody[generated.UserPage]),
	coverageNoContent("userUpdate", "userCreate", coverageTopWith((*api.Client).UserUpdateWithResponse, coverageUser("Head of Operations"))),
	coverageRead("userRetrieve", "userCreate", coverageTop((*api.Client).UserRetrieveWithResponse),
		func(got *generated.User) error { return coverageSame("jobTitle", got.JobTitle, "Head of Operations") }),

	// Activities, the audit log.
	coverageRun("activityCreate", func(ctx context.Context, c *api.Client, _ *coverageState) error {
		r, err := c.ActivityCreateWithResponse(ctx, generated.Activity{
			Action:      generated.ActivityActionSend,
			Description: "Nightly reminders sent by the scheduler.",
			Status:      generated.ActivityStatusSuccessful,
			Module:      new("Message"),
		})
		_, _, err = coverageDecoded[generated.Activity](r, err, http.StatusCreated)
		return err
	}),
	coverageGet("activityList", coverageTop((*api.Client).ActivityListWithResponse), &generated.ActivityListParams{
		Action:    new(generated.ActivityActionSend),
		StartTime: new("01/11/2026 00:00"),
		EndTime:   new("27/11/2026 23:59"),
	}, func(got *generated.ActivityPage) error { return coverageNonEmpty(got.Activities) }),
	// Nothing the API does fills a workspace's activity log in the mock.
	coverageGet("activityWorkspaceList", coverageWS((*api.Client).ActivityWorkspaceListWithResponse), nil, coverageAnyBody[generated.ActivityPage]),

	// Custom lists: read only; retrieve the first one listed.
	coverageRun("customListList", func(ctx context.Context, c *api.Client, s *coverageState) error {
		got, err := coverageOK[generated.CustomListPage](c.CustomListListWithResponse(ctx, nil))
		if err != nil {
			return err
		}
		return coverageKeepFirst(s, "customListList", got.CustomLabels)
	}),
	coverageRun("customListRetrieve", func(ctx context.Context, c *api.Client, s *coverageState) error {
		id, err := s.id("customListList")
		if err != nil {
			return err
		}
		got, err := coverageOK[generated.CustomList](c.CustomListRetrieveWithResponse(ctx, id))
		if err != nil {
			return err
		}
		return coverageSame("id", got.ID, id)
	}),

	// API keys (internal).
	coverageCreate("keyCreate", coverageTop((*api.Client).KeyCreateWithResponse), coverageKey("Billing system integration", true)),
	coverageList("keyList", "keyCreate", coverageTop((*api.Client).KeyListWithResponse), nil,
		func(p *generated.KeyPage) *[]generated.Key { return p.Keys }),
	coverageNoContent("keyUpdate", "keyCreate", coverageTopWith((*api.Client).KeyUpdateWithResponse, coverageKey("Billing system, retired", false))),
	coverageRead("keyRetrieve", "keyCreate", coverageTop((*api.Client).KeyRetrieveWithResponse),
		func(got *generated.Key) error {
			return coverageSame("description", got.Description, "Billing system, retired")
		}),

	// Verify: send a one-time code, then check it.
	coverageRun("sendCodeCreate", func(ctx context.Context, c *api.Client, s *coverageState) error {
		r, err := c.SendCodeCreateWithResponse(ctx, generated.OTPRequest{
			WorkspaceID: s.workspace(),
			Channel:     generated.OTPChannelSms,
			To:          "+61400000000",
			CodeLength:  6,
			ExpiresIn:   300,
		})
		return coverageKeep(s, "sendCodeCreate", r, err, func(got *generated.OTP) error {
			if got.ID == nil || *got.ID == "" {
				return errors.New("got no otp id")
			}
			return nil
		})
	}),
	coverageRead("verifyCodeCreate", "sendCodeCreate",
		coverageTopWith((*api.Client).VerifyCodeCreateWithResponse, generated.OTPCheck{To: "+61400000000", Code: "123456"}),
		coverageAnyBody[generated.OTP]),

	// Deletes, last: what uses a thing goes before the thing.
	coverageDeletes("distributionList", (*api.Client).DistributionListDeleteWithResponse, (*api.Client).DefaultDistributionListDeleteWithResponse),
	coverageTwins("contact", "Delete", coverageWSWith((*api.Client).ContactDeleteWithResponse, nil),
		coverageTopWith((*api.Client).DefaultContactDeleteWithResponse, nil), coverageNoContent),
	coverageDeletes("scenario", (*api.Client).ScenarioDeleteWithResponse, (*api.Client).DefaultScenarioDeleteWithResponse),
	coverageDeletes("template", (*api.Client).TemplateDeleteWithResponse, (*api.Client).DefaultTemplateDeleteWithResponse),
	coverageDeletes("responseRule", (*api.Client).ResponseRuleDeleteWithResponse, (*api.Client).DefaultResponseRuleDeleteWithResponse),
	coverageDeletes("resource", (*api.Client).ResourceDeleteWithResponse, (*api.Client).DefaultResourceDeleteWithResponse),
	coverageNoContent("callbackDelete", "callbackCreate", coverageTop((*api.Client).CallbackDeleteWithResponse)),
	coverageNoContent("keyDelete", "keyCreate", coverageTop((*api.Client).KeyDeleteWithResponse)),
	coverageNoContent("userDelete", "userCreate", coverageTop((*api.Client).UserDeleteWithResponse)),
	coverageRun("usersDelete", func(ctx context.Context, c *api.Client, _ *coverageState) error {
		r, err := c.UsersDeleteWithResponse(ctx)
		_, err = coverageAnswer(r, err, http.StatusNoContent)
		return err
	}),
)

// oneCustomList seeds the mock with a custom list, which the API cannot
// create, for customListList and customListRetrieve.
var oneCustomList = whispirtest.Seed{CustomLists: []map[string]any{{"name": "Regions", "type": "MESSAGE"}}}

// TestEveryOperationEndToEnd calls every operation of the embedded spec
// through api.Client, against the mock under a base path: the mock
// validates each request and the client each response against the spec.
// It fails for any operation of the spec that no case answered 2xx, and for
// any case that names no operation of the spec.
func TestEveryOperationEndToEnd(t *testing.T) {
	t.Parallel()
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	t.Cleanup(hook.Close)
	srv := whispirtest.NewServer(whispirtest.WithBasePath(coverageBasePath), whispirtest.WithResponseValidation(t),
		whispirtest.WithCallbackRetry(time.Millisecond, 2), whispirtest.WithSeed(oneCustomList))
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
	s := &coverageState{ids: map[string]string{}, bearer: newClient(), srv: srv, hook: hook.URL}

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
