package whispir_test

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/whispir-go/whispir"
	"github.com/whispir-go/whispir/generated"
)

// Operation counts of the spec: the public operations of Whispir's own
// description (73 minus the 5 internal Keys operations) and the
// default-workspace twins of the workspace-scoped ones.
const (
	minPublicOps  = 68
	minDefaultOps = 41
)

var (
	camelCase   = regexp.MustCompile(`^[a-z][a-zA-Z0-9]*$`)
	vendorJSON  = regexp.MustCompile(`^application/vnd\.whispir\.[a-z-]+-v1\+json$`)
	workspaceIn = "/workspaces/{workspaceId}"
)

// specOp is one operation of the spec with where it lives.
type specOp struct {
	method, path string
	item         *openapi3.PathItem
	op           *openapi3.Operation
}

func (o specOp) String() string { return o.op.OperationID + " (" + o.method + " " + o.path + ")" }

func internal(op *openapi3.Operation) bool {
	v, ok := op.Extensions["x-internal"].(bool)
	return ok && v
}

func defaultForm(op *openapi3.Operation) bool {
	return strings.HasPrefix(op.OperationID, "default")
}

// loadSpec returns the embedded spec and its operations in path and method
// order.
func loadSpec(t *testing.T) (*openapi3.T, []specOp) {
	t.Helper()
	doc, err := whispir.Document()
	if err != nil {
		t.Fatalf("Document() = %v; want the spec", err)
	}
	var ops []specOp
	for _, path := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(path)
		for method, op := range item.Operations() {
			ops = append(ops, specOp{method: method, path: path, item: item, op: op})
		}
	}
	sort.Slice(ops, func(i, j int) bool {
		return ops[i].path+" "+ops[i].method < ops[j].path+" "+ops[j].method
	})
	return doc, ops
}

// TestSpecLoadsWithExamples validates the document the run time uses (built
// from the prepared form, which skips validation) with kin-openapi,
// examples checked against their schemas.
func TestSpecLoadsWithExamples(t *testing.T) {
	t.Parallel()
	doc, _ := loadSpec(t)
	if err := doc.Validate(t.Context(), openapi3.EnableExamplesValidation()); err != nil {
		t.Errorf("Validate = %v; want nil", err)
	}
}

func TestSpecOperationCounts(t *testing.T) {
	t.Parallel()
	_, ops := loadSpec(t)
	var public, defaults, hidden int
	for _, o := range ops {
		switch {
		case internal(o.op):
			hidden++
			if got := o.op.Tags; len(got) != 1 || got[0] != "Keys" {
				t.Errorf("%s: internal operation tagged %v; want [Keys]", o, got)
			}
		case defaultForm(o.op):
			defaults++
		default:
			public++
		}
	}
	t.Logf("operations: %d public, %d default-workspace forms, %d internal", public, defaults, hidden)
	if public < minPublicOps {
		t.Errorf("public operations = %d; want at least %d", public, minPublicOps)
	}
	if defaults < minDefaultOps {
		t.Errorf("default-workspace operations = %d; want at least %d", defaults, minDefaultOps)
	}
}

func TestSpecOperationIDsUniqueAndCamelCase(t *testing.T) {
	t.Parallel()
	_, ops := loadSpec(t)
	seen := map[string]string{}
	for _, o := range ops {
		id := o.op.OperationID
		if !camelCase.MatchString(id) {
			t.Errorf("%s: operationId is not camelCase", o)
		}
		if prev, dup := seen[id]; dup {
			t.Errorf("%s: operationId also used by %s", o, prev)
		}
		seen[id] = o.method + " " + o.path
	}
}

// sharedErrors are the error responses every operation declares; operations
// with a request body also declare 413 and 422.
var sharedErrors = []string{"400", "401", "403", "404", "405", "415", "429", "500", "501"}

func TestSpecOperationsAreDocumented(t *testing.T) {
	t.Parallel()
	doc, ops := loadSpec(t)
	tags := map[string]bool{}
	for _, tag := range doc.Tags {
		if strings.TrimSpace(tag.Description) == "" {
			t.Errorf("tag %q has no description", tag.Name)
		}
		tags[tag.Name] = true
	}
	for _, o := range ops {
		t.Run(o.op.OperationID, func(t *testing.T) {
			t.Parallel()
			op := o.op
			if strings.TrimSpace(op.Summary) == "" {
				t.Error("no summary")
			}
			if strings.TrimSpace(op.Description) == "" {
				t.Error("no description")
			}
			if len(op.Tags) != 1 {
				t.Errorf("tags = %v; want exactly one", op.Tags)
			} else if !tags[op.Tags[0]] {
				t.Errorf("tag %q is not declared at the top level", op.Tags[0])
			}
			want := sharedErrors
			if op.RequestBody != nil {
				want = append([]string{"413"}, want...)
				// The Verify service refuses a bad body with its own 400.
				if !nextGen(op.Responses.Value("400")) {
					want = append(want, "422")
				}
			}
			for _, code := range want {
				if op.Responses.Value(code) == nil {
					t.Errorf("no %s response", code)
				}
			}
			success := 0
			for code, ref := range op.Responses.Map() {
				if len(code) != 3 || code[0] != '2' {
					continue
				}
				success++
				checkSuccess(t, o, code, ref.Value)
			}
			if success == 0 {
				t.Error("no 2xx response")
			}
			if op.RequestBody != nil {
				body := op.RequestBody.Value
				if len(body.Content) == 0 {
					t.Error("request body without content")
				}
				for mt, media := range body.Content {
					checkMedia(t, o, "request body", mt, media)
				}
			}
		})
	}
}

// nextGen reports whether a response's body is the Verify service's error
// shape (NextGenError) rather than Whispir's classic one.
func nextGen(ref *openapi3.ResponseRef) bool {
	if ref == nil || ref.Value == nil {
		return false
	}
	for _, media := range ref.Value.Content {
		if media.Schema != nil && media.Schema.Ref == "#/components/schemas/NextGenError" {
			return true
		}
	}
	return false
}

// gatewayHeaders are the headers Whispir's gateway puts on every answer,
// declared (optional) on every 2xx response.
var gatewayHeaders = []string{"Access-Control-Allow-Origin", "Cache-Control", "Expires"}

// checkSuccess checks one 2xx response: 204 has no body, 201 carries
// Location, a 202 carries Location and may have no body, every JSON body
// has a schema and an example, and the gateway headers are declared.
func checkSuccess(t *testing.T, o specOp, code string, resp *openapi3.Response) {
	t.Helper()
	for _, name := range gatewayHeaders {
		if h := resp.Headers[name]; h == nil || h.Value == nil || h.Value.Required {
			t.Errorf("%s response does not declare the optional gateway header %s", code, name)
		}
	}
	if code == "204" {
		if len(resp.Content) != 0 {
			t.Errorf("204 response declares a body")
		}
		return
	}
	if (code == "201" || code == "202") && resp.Headers["Location"] == nil {
		t.Errorf("%s response has no Location header", code)
	}
	if len(resp.Content) == 0 && code != "202" {
		t.Errorf("%s response has no content", code)
	}
	for mt, media := range resp.Content {
		checkMedia(t, o, code+" response", mt, media)
	}
}

// checkMedia checks one media type of a request body or 2xx response.
func checkMedia(t *testing.T, o specOp, where, mt string, media *openapi3.MediaType) {
	t.Helper()
	if media.Schema == nil && !textUnderJSON(mt, media) {
		t.Errorf("%s %s: no schema", where, mt)
	}
	if !whispir.IsJSONMediaType(mt) {
		return
	}
	if media.Example == nil && len(media.Examples) == 0 {
		t.Errorf("%s %s: no example", where, mt)
	}
	// Keys and Verify are the only plain-JSON services.
	plain := o.op.Tags[0] == "Keys" || o.op.Tags[0] == "Verify"
	if plain && mt != whispir.JSONMediaType {
		t.Errorf("%s %s: want %s", where, mt, whispir.JSONMediaType)
	}
	if !plain && !vendorJSON.MatchString(mt) {
		t.Errorf("%s %s: want a Whispir vendor media type", where, mt)
	}
}

// textUnderJSON reports a body that is plain text under a JSON label (the
// 202 of a send): declared without a schema, so that nothing decodes it, and
// with an example that proves it is not JSON.
func textUnderJSON(mt string, media *openapi3.MediaType) bool {
	text, ok := media.Example.(string)
	return whispir.IsJSONMediaType(mt) && media.Schema == nil && ok && !json.Valid([]byte(text))
}

// TestSpecDefaultFormsMirrorWorkspaceForms pins that each default-workspace
// operation is its workspace twin without the /workspaces/{workspaceId}
// prefix: same parameters, body and responses, so the generated Params
// structs are identical and convertible.
func TestSpecDefaultFormsMirrorWorkspaceForms(t *testing.T) {
	t.Parallel()
	_, ops := loadSpec(t)
	byID := byOperationID(ops)
	for _, d := range ops {
		if !defaultForm(d.op) {
			continue
		}
		t.Run(d.op.OperationID, func(t *testing.T) {
			t.Parallel()
			twinID := strings.ToLower(d.op.OperationID[len("default"):][:1]) + d.op.OperationID[len("default")+1:]
			w, ok := byID[twinID]
			if !ok {
				t.Fatalf("no workspace operation %q", twinID)
			}
			if got, want := w.path, workspaceIn+d.path; got != want {
				t.Errorf("twin path = %s; want %s", got, want)
			}
			if w.method != d.method {
				t.Errorf("twin method = %s; want %s", w.method, d.method)
			}
			if got, want := refs(w.op.Parameters), refs(d.op.Parameters); got != want {
				t.Errorf("twin query parameters = %s; want %s", got, want)
			}
			if got, want := bodyRef(w.op), bodyRef(d.op); got != want {
				t.Errorf("twin request body = %q; want %q", got, want)
			}
			if got, want := responseRefs(w.op), responseRefs(d.op); got != want {
				t.Errorf("twin responses = %s; want %s", got, want)
			}
		})
	}
}

func byOperationID(ops []specOp) map[string]specOp {
	byID := map[string]specOp{}
	for _, o := range ops {
		byID[o.op.OperationID] = o
	}
	return byID
}

func refs(ps openapi3.Parameters) string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Ref)
	}
	return strings.Join(out, ",")
}

func bodyRef(op *openapi3.Operation) string {
	if op.RequestBody == nil {
		return ""
	}
	return op.RequestBody.Ref
}

func responseRefs(op *openapi3.Operation) string {
	var out []string
	for code, r := range op.Responses.Map() {
		out = append(out, fmt.Sprintf("%s=%s", code, r.Ref))
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

// TestSpecDefaultParamsConvertible pins, at compile time, that the Params
// struct of each default-workspace list operation converts to and from its
// workspace twin's.
func TestSpecDefaultParamsConvertible(t *testing.T) {
	t.Parallel()
	_ = generated.DefaultMessageListParams(generated.MessageListParams{})
	_ = generated.DefaultMessageStatusListParams(generated.MessageStatusListParams{})
	_ = generated.DefaultMessageResponseListParams(generated.MessageResponseListParams{})
	_ = generated.DefaultResourceListParams(generated.ResourceListParams{})
	_ = generated.DefaultTemplateListParams(generated.TemplateListParams{})
	_ = generated.DefaultResponseRuleListParams(generated.ResponseRuleListParams{})
	_ = generated.DefaultContactListParams(generated.ContactListParams{})
	_ = generated.DefaultContactRetrieveParams(generated.ContactRetrieveParams{})
	_ = generated.DefaultContactDeleteParams(generated.ContactDeleteParams{})
	_ = generated.DefaultDistributionListListParams(generated.DistributionListListParams{})
	_ = generated.DefaultScenarioListParams(generated.ScenarioListParams{})
	_ = generated.DefaultEventListParams(generated.EventListParams{})
}

// TestSpecCorrections pins the places where the spec follows the service
// rather than Whispir's published description.
func TestSpecCorrections(t *testing.T) {
	t.Parallel()
	doc, ops := loadSpec(t)
	byID := map[string]*openapi3.Operation{}
	for _, o := range ops {
		byID[o.op.OperationID] = o.op
	}
	codes := func(id string) string {
		op := byID[id]
		if op == nil {
			return "missing"
		}
		var out []string
		for code := range op.Responses.Map() {
			if code[0] == '2' {
				out = append(out, code)
			}
		}
		sort.Strings(out)
		return strings.Join(out, ",")
	}
	for _, tc := range []struct {
		id, want string
	}{
		{"templateRetrieve", "200"},
		{"distributionListList", "200"},
		{"callbackDelete", "204"},
		{"workspaceUpdate", "204"},
		{"resourceUpdate", "204"},
		{"scenarioRunCreate", "202,204"},
		{"defaultScenarioRunCreate", "202,204"},
		{"importCreate", "202"},
		{"sendCodeCreate", "201"},
		{"verifyCodeCreate", "200"},
	} {
		if got := codes(tc.id); got != tc.want {
			t.Errorf("%s 2xx codes = %s; want %s", tc.id, got, tc.want)
		}
	}
	if byID["reponseRuleList"] != nil || byID["responseRuleList"] == nil {
		t.Error("want responseRuleList, spelt correctly")
	}
	for _, p := range byID["eventList"].Parameters {
		if p.Value.In == openapi3.ParameterInHeader {
			t.Errorf("eventList declares header parameter %q", p.Value.Name)
		}
	}
	var names []string
	for _, p := range byID["activityList"].Parameters {
		names = append(names, p.Value.Name)
	}
	for _, want := range []string{"startTime", "endTime"} {
		if !strings.Contains(","+strings.Join(names, ",")+",", ","+want+",") {
			t.Errorf("activityList parameters %v lack %q", names, want)
		}
	}
	for _, id := range []string{"importCreate"} {
		accepted := byID[id].Responses.Value("202").Value
		if accepted.Content.Get("text/plain") == nil || accepted.Headers["Location"] == nil {
			t.Errorf("%s 202 = %v; want a text/plain body and Location", id, accepted.Content)
		}
	}
	ids := byID["callbackCallUpdate"].Parameters
	if len(ids) != 1 || ids[0].Value.Name != "id" || !ids[0].Value.Schema.Value.Type.Is("array") ||
		ids[0].Value.Explode == nil || !*ids[0].Value.Explode {
		t.Error("callbackCallUpdate wants one repeatable (exploded array) id query parameter")
	}
	patterns := doc.Components.Schemas["ResponsePatterns"].Value.Properties["responseTemplatePattern"]
	if patterns == nil || !patterns.Value.Type.Is("array") {
		t.Error("ResponsePatterns wants a responseTemplatePattern array")
	}
	rules := doc.Components.Schemas["DistributionList"].Value.Properties["rules"]
	if rules == nil || !rules.Value.Type.Is("array") {
		t.Error("DistributionList.rules wants an array")
	}
	if count := doc.Components.Schemas["DistributionList"].Value.Properties["memberCount"]; count == nil || !count.Value.Type.Is("string") {
		t.Error("DistributionList.memberCount wants a string")
	}
	if key := doc.Components.Schemas["TemplateCollection"].Value.Properties["messagetemplates"]; key == nil {
		t.Error("TemplateCollection wants the messagetemplates key")
	}
	if key := doc.Components.Schemas["CustomListCollection"].Value.Properties["customlabels"]; key == nil {
		t.Error("CustomListCollection wants the customlabels key")
	}
}

// corrected is the phrase that marks a place where the spec follows the
// service rather than Whispir's published description.
const corrected = "Corrected from Whispir's description"

// TestSpecAgainstWhispirs pins what issue 8 found when the project's traffic
// and Whispir's official examples met Whispir's own spec: each divergence is
// either gone or explained by a Corrected line or a source.
func TestSpecAgainstWhispirs(t *testing.T) {
	t.Parallel()
	doc, ops := loadSpec(t)
	byID := byOperationID(ops)
	schema := func(name string) *openapi3.Schema { return doc.Components.Schemas[name].Value }
	response := func(name string) *openapi3.Response { return doc.Components.Responses[name].Value }
	text := func(name string) string { return *response(name).Description }

	t.Run("explained", func(t *testing.T) {
		t.Parallel()
		for _, tc := range []struct{ name, text, want string }{
			{"reply channel enum", schema("ResponseContent").Properties["channel"].Value.Description, corrected},
			{"413 and 422 on bodies only", text("PayloadTooLarge"), corrected},
			{"429 everywhere", text("TooManyRequests"), "Source: Whispir's HTTP response codes page"},
			{"Logout", schema("ActivityAction").Description, corrected},
			{"contactList search parameters", byID["contactList"].op.Description, corrected + ", which declares one parameter literally named `fieldname`"},
			{"userList search parameters", byID["userList"].op.Description, corrected + ", which declares one parameter literally named `fieldname`"},
			{"contactRetrieve sorting", byID["contactRetrieve"].op.Description, "`sortOrder` and `sortFields`"},
			{"keyRetrieve sorting", byID["keyRetrieve"].op.Description, "`sortOrder` and `sortFields`"},
			{"callbackCallUpdate id array", byID["callbackCallUpdate"].op.Description, "`id` is a repeatable array"},
			{"distribution list headers", text("DistributionListFound"), corrected + ", which also declares `Location`"},
			{"send 202", text("MessageAccepted"), corrected},
			{"scenario run 204", byID["scenarioRunCreate"].op.Description, corrected},
		} {
			if !strings.Contains(strings.Join(strings.Fields(tc.text), " "), strings.Join(strings.Fields(tc.want), " ")) {
				t.Errorf("%s: description lacks %q", tc.name, tc.want)
			}
		}
	})

	t.Run("reverted to Whispir's", func(t *testing.T) {
		t.Parallel()
		if got := schema("Message").Properties["messageType"].Value.Enum; len(got) != 1 || got[0] != "SCHEDULED" {
			t.Errorf("Message.messageType enum = %v; want [SCHEDULED] (NORMAL has no source)", got)
		}
		for _, id := range []string{"scenarioRunCreate", "defaultScenarioRunCreate"} {
			accepted := byID[id].op.Responses.Value("202").Value
			if len(accepted.Content) != 0 || accepted.Headers["Location"] == nil {
				t.Errorf("%s 202 content = %v; want none, and Location", id, accepted.Content)
			}
		}
		for _, id := range []string{"sendCodeCreate", "verifyCodeCreate"} {
			r := byID[id].op.Responses
			if r.Value("422") != nil || !nextGen(r.Value("400")) {
				t.Errorf("%s: want a NextGenError 400 and no 422", id)
			}
		}
		if ap := schema("Message").AdditionalProperties.Has; ap == nil || *ap {
			t.Error("Message allows unknown properties; Whispir's schema forbids them")
		}
	})

	t.Run("send 202 as sent", func(t *testing.T) {
		t.Parallel()
		for _, id := range []string{"messageCreate", "defaultMessageCreate"} {
			o := byID[id]
			accepted := o.op.Responses.Value("202").Value
			media := accepted.Content.Get(whispir.PrimaryMediaType(o.item, o.op))
			if len(accepted.Content) != 1 || media == nil || !textUnderJSON("application/vnd.whispir.message-v1+json", media) {
				t.Errorf("%s 202 content = %v; want the message media type, no schema, a plain-text example", id, accepted.Content)
			}
		}
	})

	t.Run("missing fields", func(t *testing.T) {
		t.Parallel()
		for _, tc := range []struct{ schema, property string }{
			{"MessageSummary", "to"},
			{"User", "workMobilePhone2"},
			{"User", "workCountry"},
			{"User", "timezone"},
		} {
			if schema(tc.schema).Properties[tc.property] == nil {
				t.Errorf("%s lacks %s", tc.schema, tc.property)
			}
		}
		items := response("UserPage").Content.Get("application/vnd.whispir.user-v1+json").Example.(map[string]any)["users"].([]any)
		for _, field := range []string{"workCountry", "timezone"} {
			if _, ok := items[0].(map[string]any)[field]; !ok {
				t.Errorf("UserPage example item lacks %s, which Whispir's User requires", field)
			}
		}
	})

	t.Run("path ids no stricter than Whispir's", func(t *testing.T) {
		t.Parallel()
		for _, o := range ops {
			for _, ref := range append(append(openapi3.Parameters{}, o.item.Parameters...), o.op.Parameters...) {
				p := ref.Value
				if p.In != openapi3.ParameterInPath {
					continue
				}
				s := p.Schema.Value
				want := ""
				// Whispir's description declares a pattern on these only.
				retrieve := strings.HasSuffix(strings.ToLower(o.op.OperationID), "messageretrieve")
				if p.Name == "workspaceId" || p.Name == "messageId" && retrieve {
					want = "^[A-F0-9]+"
				}
				if s.Pattern != want || s.MaxLength != nil || s.MinLength != 0 {
					t.Errorf("%s: path parameter %s: pattern %q, maxLength set %t, minLength %d; want pattern %q and no lengths", o, p.Name, s.Pattern, s.MaxLength != nil, s.MinLength, want)
				}
				if wantUUID := p.Name == "keyId"; wantUUID != (s.Format == "uuid") {
					t.Errorf("%s: path parameter %s: format %q", o, p.Name, s.Format)
				}
			}
		}
		if got := schema("Key").Properties["id"].Value.Format; got != "uuid" {
			t.Errorf("Key.id format = %q; want uuid", got)
		}
	})

	t.Run("bodiless Content-Type", func(t *testing.T) {
		t.Parallel()
		// Whispir's description requires Content-Type on these bodiless
		// operations (and the default forms follow their twins).
		want := map[string]bool{
			"authCreate": true, "scenarioRunCreate": true, "defaultScenarioRunCreate": true,
			"templateDelete": true, "defaultTemplateDelete": true, "callbackDelete": true,
			"userDelete": true, "usersDelete": true,
		}
		for _, o := range ops {
			mt, ok := o.op.Extensions["x-bodiless-content-type"].(string)
			if ok != want[o.op.OperationID] {
				t.Errorf("%s: x-bodiless-content-type set = %v; want %v", o, ok, want[o.op.OperationID])
				continue
			}
			if !ok {
				continue
			}
			if o.op.RequestBody != nil {
				t.Errorf("%s: x-bodiless-content-type on an operation with a body", o)
			}
			if primary := whispir.PrimaryMediaType(o.item, o.op); mt != primary {
				t.Errorf("%s: x-bodiless-content-type = %q; want the operation's media type %q", o, mt, primary)
			}
		}
	})
}
