package callback_test

// The spec's callback examples must decode into the Events below, so that
// openapi.yaml and this package cannot drift apart.

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/whispir-go/whispir"
	"github.com/whispir-go/whispir/callback"
	"github.com/whispir-go/whispir/generated"
)

const callbackExpression = "{$request.body#/url}"

// specCallback returns the path item of callbackCreate's callbackEvent.
func specCallback(t *testing.T) *openapi3.PathItem {
	t.Helper()
	doc, err := whispir.Document()
	if err != nil {
		t.Fatalf("Document: %v", err)
	}
	create := doc.Paths.Value("/callbacks").Post
	if create == nil || create.OperationID != "callbackCreate" {
		t.Fatal("no callbackCreate at POST /callbacks")
	}
	cb := create.Callbacks["callbackEvent"]
	if cb == nil || cb.Value == nil {
		t.Fatal("callbackCreate declares no callbackEvent callback")
	}
	item := cb.Value.Value(callbackExpression)
	if item == nil {
		t.Fatalf("callbackEvent has no %s expression; has %v", callbackExpression, cb.Value.Keys())
	}
	return item
}

// specEvent is the person of the spec's examples.
var specSender = callback.Sender{
	Name: "Jane Citizen", MRI: "Jane_Citizen.1143139@Contact.whispir.com",
	Mobile: "61400000000", Email: "jane.citizen@example.com", Voice: "61400000000",
}

const (
	specID       = "747AB7E716C1802B6476784AEB5C9BB8"
	specLocation = "https://api.au.whispir.com/messages/747AB7E716C1802B6476784AEB5C9BB8"
)

// specReply is the reply of the XML example and the XML in the request
// body's description.
var specReply = callback.Event{
	Kind: callback.KindReply, MessageID: specID, MessageLocation: specLocation, From: specSender,
	Channel: "SMS", Content: "Yes, I will be there", Time: "27/11/26 10:15",
	CustomParameters: map[string]string{"shift": "night"},
}

// specJSONExamples are the Events of the JSON examples, by example name.
var specJSONExamples = map[string]callback.Event{
	"reply": {
		Kind: callback.KindReply, MessageID: specID, MessageLocation: specLocation, From: specSender,
		Channel: "SMS", Content: "Yes, I will be there", Time: "27/11/26 10:15",
		CustomParameters: map[string]string{
			"shift": "night", "sender_full_name": "Ops Desk", "recipient_sms": "61400000000",
			"date": "2026-11-27", "time": "10:15", "matchedCategory": "Accepted",
		},
	},
	"undeliverable": {
		Kind: callback.KindUndeliverable, MessageID: specID, MessageLocation: specLocation, From: specSender,
		Channel: "SMS", Time: "27/11/26 10:16",
	},
	"otherSpellings": {
		Kind: callback.KindReply, MessageID: specID, MessageLocation: specLocation,
		From:    callback.Sender{Name: specSender.Name, MRI: specSender.MRI, Mobile: specSender.Mobile},
		Channel: "SMS", Content: "No", Time: "27/11/26 10:17",
		CustomParameters: map[string]string{"shift": "night"},
	},
}

func TestSpecCallbackOperations(t *testing.T) {
	t.Parallel()
	item := specCallback(t)
	if item.Get == nil || item.Get.OperationID != "callbackURLCheck" || item.Get.Responses.Value("200") == nil {
		t.Error("want a GET callbackURLCheck answering 200")
	}
	post := item.Post
	if post == nil || post.OperationID != "callbackEventReceive" {
		t.Fatal("want a POST callbackEventReceive")
	}
	if post.Security == nil || len(*post.Security) != 0 {
		t.Error("the POST must not inherit the API's security: want security: []")
	}
	if post.Responses.Value("200") == nil || post.Responses.Default() == nil {
		t.Error("want a 200 and a default answer")
	}
	names := map[string]string{}
	for _, p := range post.Parameters {
		names[p.Value.Name] = p.Value.In
	}
	for name, in := range map[string]string{callback.HeaderCallbackKey: "header", "auth": "query", "Auth": "query"} {
		if names[name] != in {
			t.Errorf("parameter %s in %s: got %q", name, in, names[name])
		}
	}
	content := post.RequestBody.Value.Content
	if got := slices.Sorted(maps.Keys(content)); !slices.Equal(got, []string{"application/json", "application/xml"}) {
		t.Errorf("request body media types %v; want application/json and application/xml", got)
	}
}

// TestSpecJSONExamplesDecode decodes every JSON example of the spec.
func TestSpecJSONExamplesDecode(t *testing.T) {
	t.Parallel()
	media := specCallback(t).Post.RequestBody.Value.Content.Get("application/json")
	for _, name := range slices.Sorted(maps.Keys(specJSONExamples)) {
		if media.Examples[name] == nil {
			t.Errorf("the spec lost example %q", name)
		}
	}
	for name, ex := range media.Examples {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			want, ok := specJSONExamples[name]
			if !ok {
				t.Fatalf("example %q has no expected Event in specJSONExamples: add one", name)
			}
			body, err := json.Marshal(ex.Value.Value)
			if err != nil {
				t.Fatal(err)
			}
			got, err := callback.Parse("application/json", body)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !equalEvents(got, want) {
				t.Errorf("got %s; want %s", dump(got), dump(want))
			}
		})
	}
}

// TestSpecXMLDecodes decodes the XML example, written out as the schema's
// xml names say, and the XML shown in the request body's description.
func TestSpecXMLDecodes(t *testing.T) {
	t.Parallel()
	post := specCallback(t).Post
	media := post.RequestBody.Value.Content.Get("application/xml")
	if media == nil || media.Example == nil {
		t.Fatal("no application/xml example")
	}
	var b bytes.Buffer
	writeXML(t, &b, "", media.Example, media.Schema.Value, true)
	got, err := callback.Parse("application/xml", b.Bytes())
	if err != nil {
		t.Fatalf("Parse(%s): %v", b.String(), err)
	}
	if !equalEvents(got, specReply) {
		t.Errorf("example: got %s; want %s", dump(got), dump(specReply))
	}

	desc := post.RequestBody.Value.Description
	start := strings.Index(desc, "```xml\n")
	end := strings.LastIndex(desc, "```")
	if start < 0 || end <= start {
		t.Fatal("the request body's description shows no XML")
	}
	got, err = callback.Parse("application/xml", []byte(desc[start+len("```xml\n"):end]))
	if err != nil {
		t.Fatalf("Parse(description): %v", err)
	}
	if !equalEvents(got, specReply) {
		t.Errorf("description: got %s; want %s", dump(got), dump(specReply))
	}
}

// writeXML writes v as the schema's xml object says (OpenAPI 3.0 XML
// Object: name, prefix, namespace, wrapped arrays).
func writeXML(t *testing.T, b *bytes.Buffer, name string, v any, s *openapi3.Schema, root bool) {
	t.Helper()
	tag, attrs := name, ""
	if s.XML != nil {
		if s.XML.Name != "" && (root || s.Type.Is("object")) {
			tag = s.XML.Name
		}
		if s.XML.Prefix != "" {
			tag = s.XML.Prefix + ":" + tag
			if s.XML.Namespace != "" {
				attrs = fmt.Sprintf(` xmlns:%s=%q`, s.XML.Prefix, s.XML.Namespace)
			}
		}
	}
	switch v := v.(type) {
	case map[string]any:
		b.WriteString("<" + tag + attrs + ">")
		for _, k := range slices.Sorted(maps.Keys(v)) {
			p := s.Properties[k]
			if p == nil {
				t.Fatalf("example property %q is not in the schema", k)
			}
			writeXML(t, b, k, v[k], p.Value, false)
		}
		b.WriteString("</" + tag + ">")
	case []any:
		if s.XML == nil || !s.XML.Wrapped {
			t.Fatalf("array %s is not wrapped: Whispir wraps its entries", name)
		}
		b.WriteString("<" + tag + ">")
		for _, item := range v {
			writeXML(t, b, name, item, s.Items.Value, false)
		}
		b.WriteString("</" + tag + ">")
	case string:
		b.WriteString("<" + tag + ">")
		if err := xml.EscapeText(b, []byte(v)); err != nil {
			t.Fatal(err)
		}
		b.WriteString("</" + tag + ">")
	default:
		t.Fatalf("example value of %s is a %T", name, v)
	}
}

// TestGeneratedInitiator sends the spec's reply example with the client
// oapi-codegen generates from the callbacks entry (generated.CallbackInitiator)
// to NewHandler, with each auth parameter the spec declares.
func TestGeneratedInitiator(t *testing.T) {
	t.Parallel()
	raw, err := json.Marshal(specCallback(t).Post.RequestBody.Value.Content.Get("application/json").Examples["reply"].Value.Value)
	if err != nil {
		t.Fatal(err)
	}
	var body generated.CallbackEvent
	if err := json.Unmarshal(raw, &body); err != nil {
		t.Fatal(err)
	}
	key := testKey
	tests := []struct {
		typ    string
		params generated.CallbackEventReceiveParams
	}{
		{callback.AuthHTTPHeader, generated.CallbackEventReceiveParams{CallbackKey: &key}},
		{callback.AuthQueryParam, generated.CallbackEventReceiveParams{AuthKey: &key}},
		{callback.AuthQueryParam, generated.CallbackEventReceiveParams{AuthKeyCapitalized: &key}},
	}
	for _, tc := range tests {
		var c counter
		srv := serve(t, callback.Auth{Type: tc.typ, Key: testKey}, c.fn)
		initiator, err := generated.NewCallbackInitiator()
		if err != nil {
			t.Fatal(err)
		}
		check, err := initiator.CallbackURLCheck(t.Context(), srv.URL+"/whispir")
		if err != nil {
			t.Fatal(err)
		}
		check.Body.Close()
		resp, err := initiator.CallbackEventReceive(t.Context(), srv.URL+"/whispir?tenant=7", &tc.params, body)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if check.StatusCode != 200 || resp.StatusCode != 200 || c.calls.Load() != 1 {
			t.Fatalf("%s: URL check %d, event %d, fn calls %d; want 200, 200, 1", tc.typ, check.StatusCode, resp.StatusCode, c.calls.Load())
		}
		if want := specJSONExamples["reply"]; !equalEvents(c.events[0], want) {
			t.Errorf("%s: got %s; want %s", tc.typ, dump(c.events[0]), dump(want))
		}
	}
}
