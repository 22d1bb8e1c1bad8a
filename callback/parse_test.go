package callback_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/whispir-go/whispir/callback"
)

// Whispir's documented forms, written out by hand rather than by the
// encoders, with each spelling variant.
const (
	jsonReply = `{
  "messageid": "747AB7E716C1802B6476784AEB5C9BB8",
  "messagelocation": "https://api.au.whispir.com/messages/747AB7E716C1802B6476784AEB5C9BB8",
  "from": {"name": "Jane SECRET Citizen", "mri": "Jane_Citizen.1@Contact.whispir.com", "mobile": "61400SECRET01", "email": "jane.SECRET@example.com", "voice": "61400SECRET01"},
  "responseMessage": {"channel": "SMS", "acknowledged": "09/01/16 13:22", "content": "Yes SECRET reply"},
  "customParameters": {"myKey": "myValue", "sender_full_name": "Ops Desk"}
}`
	jsonUndeliverable = `{
  "messageid": "747AB7E716C1802B6476784AEB5C9BB8",
  "messagelocation": "https://api.au.whispir.com/messages/747AB7E716C1802B6476784AEB5C9BB8",
  "from": {"name": "Jane SECRET Citizen", "mri": "Jane_Citizen.1@Contact.whispir.com", "mobile": "61400SECRET01", "email": "jane.SECRET@example.com", "voice": "61400SECRET01"},
  "responseMessage": {"channel": "SMS", "undeliverable": "09/01/16 13:25"}
}`
	xmlReply = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<ns2:deliveryResponse xmlns:ns2="http://schemas.api.whispir.com">
  <messageid>747AB7E716C1802B6476784AEB5C9BB8</messageid>
  <messagelocation>https://api.au.whispir.com/messages/747AB7E716C1802B6476784AEB5C9BB8</messagelocation>
  <from><name>Jane SECRET Citizen</name><mri>Jane_Citizen.1@Contact.whispir.com</mri><mobile>61400SECRET01</mobile><email>jane.SECRET@example.com</email><voice>61400SECRET01</voice></from>
  <responseMessage><channel>SMS</channel><acknowledged>09/01/16 13:22</acknowledged><content>Yes SECRET reply</content></responseMessage>
  <customParameters><entry><key>myKey</key><value>myValue</value></entry><entry><key>sender_full_name</key><value>Ops Desk</value></entry></customParameters>
</ns2:deliveryResponse>`
	xmlUndeliverable = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<ns2:deliveryResponse xmlns:ns2="http://schemas.api.whispir.com">
  <messageid>747AB7E716C1802B6476784AEB5C9BB8</messageid>
  <messagelocation>https://api.au.whispir.com/messages/747AB7E716C1802B6476784AEB5C9BB8</messagelocation>
  <from><name>Jane SECRET Citizen</name><mri>Jane_Citizen.1@Contact.whispir.com</mri><mobile>61400SECRET01</mobile><email>jane.SECRET@example.com</email><voice>61400SECRET01</voice></from>
  <responseMessage><channel>SMS</channel><undeliverable>09/01/16 13:25</undeliverable></responseMessage>
</ns2:deliveryResponse>`
)

// variant replaces the first old in s with new, failing when it is absent.
func variant(t *testing.T, s, old, new string) string {
	t.Helper()
	if !strings.Contains(s, old) {
		t.Fatalf("fixture lacks %q", old)
	}
	return strings.Replace(s, old, new, 1)
}

func TestParse(t *testing.T) {
	t.Parallel()
	reply, undeliverable := replyEvent(), undeliverableEvent()
	noParams := replyEvent()
	noParams.CustomParameters = nil
	tests := []struct {
		name, contentType, body string
		want                    callback.Event
	}{
		{"json reply", "application/json", jsonReply, reply},
		{"json undeliverable", "application/json", jsonUndeliverable, undeliverable},
		{"json messageId", "application/json", variant(t, jsonReply, `"messageid"`, `"messageId"`), reply},
		{"json messageLocation", "application/json", variant(t, jsonReply, `"messagelocation"`, `"messageLocation"`), reply},
		{"json location", "application/json", variant(t, jsonReply, `"messagelocation"`, `"location"`), reply},
		{"json customParamters", "application/json", variant(t, jsonReply, `"customParameters"`, `"customParamters"`), reply},
		{"json other case", "application/json", variant(t, variant(t, jsonReply, `"responseMessage"`, `"ResponseMessage"`), `"mobile"`, `"Mobile"`), reply},
		{"json same value twice", "application/json", variant(t, jsonReply, `"messageid": "747AB7E716C1802B6476784AEB5C9BB8",`, `"messageid": "747AB7E716C1802B6476784AEB5C9BB8", "messageId": "747AB7E716C1802B6476784AEB5C9BB8",`), reply},
		{"json messagelocation before location", "application/json", variant(t, jsonReply, `"messageid"`, `"location": "https://elsewhere.example.com/x", "messageid"`), reply},
		{"json no customParameters", "application/json", variant(t, jsonReply, `,
  "customParameters": {"myKey": "myValue", "sender_full_name": "Ops Desk"}`, ``), noParams},
		{"json empty customParameters", "application/json", variant(t, jsonReply, `{"myKey": "myValue", "sender_full_name": "Ops Desk"}`, `{}`), noParams},
		{"json null customParameters", "application/json", variant(t, jsonReply, `{"myKey": "myValue", "sender_full_name": "Ops Desk"}`, `null`), noParams},
		{"json unknown fields ignored", "application/json", variant(t, jsonReply, `"messageid"`, `"future": {"x": [1, 2]}, "messageid"`), reply},
		{"json undeliverable content dropped", "application/json", variant(t, jsonUndeliverable, `"channel": "SMS"`, `"channel": "SMS", "content": "N/A"`), undeliverable},
		{"json charset", "application/json; charset=UTF-8", jsonReply, reply},
		{"vendor json", "application/vnd.whispir.callback+json", jsonReply, reply},
		{"xml reply", "application/xml", xmlReply, reply},
		{"xml undeliverable", "application/xml", xmlUndeliverable, undeliverable},
		{"text/xml", "text/xml; charset=utf-8", xmlReply, reply},
		{"xml messageId", "application/xml", strings.ReplaceAll(xmlReply, "messageid>", "messageId>"), reply},
		{"xml messageLocation", "application/xml", strings.ReplaceAll(xmlReply, "messagelocation>", "messageLocation>"), reply},
		{"xml location", "application/xml", strings.ReplaceAll(xmlReply, "messagelocation>", "location>"), reply},
		{"xml customParamters", "application/xml", strings.ReplaceAll(xmlReply, "customParameters>", "customParamters>"), reply},
		{"xml without namespace", "application/xml", strings.ReplaceAll(strings.ReplaceAll(xmlReply, "ns2:", ""), ` xmlns:ns2="http://schemas.api.whispir.com"`, ""), reply},
		{"xml no declaration", "application/xml", xmlReply[strings.Index(xmlReply, "<ns2"):], reply},
		{"xml comments", "application/xml", variant(t, xmlReply, "<messageid>", "<!-- note --><messageid>") + "\n<!-- end -->\n", reply},
		{"xml cdata", "application/xml", variant(t, xmlReply, "<content>Yes SECRET reply</content>", "<content><![CDATA[Yes SECRET reply]]></content>"), reply},
		{"xml empty customParameters", "application/xml", variant(t, xmlReply, "<customParameters><entry><key>myKey</key><value>myValue</value></entry><entry><key>sender_full_name</key><value>Ops Desk</value></entry></customParameters>", "<customParameters/>"), noParams},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := callback.Parse(tc.contentType, []byte(tc.body))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !equalEvents(got, tc.want) {
				t.Errorf("got %s; want %s", dump(got), dump(tc.want))
			}
		})
	}
}

// TestParseEncoders pins that the test encoders write what Parse reads, so
// that tests built on them test Parse and not themselves.
func TestParseEncoders(t *testing.T) {
	t.Parallel()
	for _, want := range []callback.Event{replyEvent(), undeliverableEvent()} {
		for ct, body := range map[string][]byte{"application/json": encodeJSON(t, want), "application/xml": encodeXML(t, want)} {
			got, err := callback.Parse(ct, body)
			if err != nil || !equalEvents(got, want) {
				t.Errorf("%s %s: got %s, %v; want %s", ct, want.Kind, dump(got), err, dump(want))
			}
		}
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, contentType, body string
		want                    error
		msg                     string // in the error
	}{
		{"no content type", "", jsonReply, callback.ErrUnsupportedMediaType, "application/json"},
		{"plain text", "text/plain", jsonReply, callback.ErrUnsupportedMediaType, ""},
		{"form", "application/x-www-form-urlencoded", "messageid=1", callback.ErrUnsupportedMediaType, ""},
		{"json in latin-1", "application/json; charset=iso-8859-1", jsonReply, callback.ErrUnsupportedMediaType, ""},
		{"content type garbage", "SECRET;;=", jsonReply, callback.ErrUnsupportedMediaType, ""},

		{"empty json", "application/json", "", callback.ErrMalformed, "empty body"},
		{"json syntax", "application/json", `{"messageid": SECRET}`, callback.ErrMalformed, "syntax error at byte"},
		{"json truncated", "application/json", jsonReply[:100], callback.ErrMalformed, "syntax error"},
		{"json trailing data", "application/json", jsonReply + `{"SECRET": 1}`, callback.ErrMalformed, "syntax error"},
		{"json array", "application/json", `[` + jsonReply + `]`, callback.ErrMalformed, "want an object"},
		{"json null", "application/json", `null`, callback.ErrMalformed, "want an object"},
		{"json string", "application/json", `"SECRET"`, callback.ErrMalformed, "want an object"},
		{"json empty object", "application/json", `{}`, callback.ErrMalformed, "no responseMessage"},
		{"no messageid", "application/json", variant(t, jsonReply, `"messageid"`, `"messageidx"`), callback.ErrMalformed, "no messageid"},
		{"blank messageid", "application/json", variant(t, jsonReply, `"747AB7E716C1802B6476784AEB5C9BB8",`, `"  ",`), callback.ErrMalformed, "no messageid"},
		{"messageid a number", "application/json", variant(t, jsonReply, `"747AB7E716C1802B6476784AEB5C9BB8",`, `747,`), callback.ErrMalformed, "messageid: want a string"},
		{"location an object", "application/json", variant(t, jsonReply, `"messagelocation": "https://api.au.whispir.com/messages/747AB7E716C1802B6476784AEB5C9BB8"`, `"location": {"SECRET": "x"}`), callback.ErrMalformed, "messagelocation: want a string"},
		{"from a string", "application/json", `{"messageid": "1", "from": "61400SECRET01", "responseMessage": {"channel": "SMS"}}`, callback.ErrMalformed, "from: want an object"},
		{"from an array", "application/json", `{"messageid": "1", "from": ["SECRET"], "responseMessage": {"channel": "SMS"}}`, callback.ErrMalformed, "from: want an object"},
		{"mobile a number", "application/json", variant(t, jsonReply, `"mobile": "61400SECRET01"`, `"mobile": 61400000000`), callback.ErrMalformed, "from.mobile: want a string"},
		{"no responseMessage", "application/json", `{"messageid": "1", "from": {}}`, callback.ErrMalformed, "no responseMessage"},
		{"responseMessage a string", "application/json", `{"messageid": "1", "responseMessage": "Yes SECRET"}`, callback.ErrMalformed, "responseMessage: want an object"},
		{"content a number", "application/json", `{"messageid": "1", "responseMessage": {"content": 42}}`, callback.ErrMalformed, "responseMessage.content: want a string"},
		{"undeliverable true", "application/json", `{"messageid": "1", "responseMessage": {"undeliverable": true}}`, callback.ErrMalformed, "responseMessage.undeliverable: want a string"},
		{"customParameters value a number", "application/json", variant(t, jsonReply, `"myValue"`, `12345`), callback.ErrMalformed, "customParameters: a value is not a string"},
		{"customParameters value null", "application/json", variant(t, jsonReply, `"myValue"`, `null`), callback.ErrMalformed, "customParameters: a value is not a string"},
		{"customParameters value an object", "application/json", variant(t, jsonReply, `"myValue"`, `{"SECRET": "x"}`), callback.ErrMalformed, "customParameters: a value is not a string"},
		{"customParameters empty name", "application/json", variant(t, jsonReply, `"myKey"`, `""`), callback.ErrMalformed, "empty name"},
		{"customParameters an array", "application/json", variant(t, jsonReply, `{"myKey": "myValue", "sender_full_name": "Ops Desk"}`, `["SECRET"]`), callback.ErrMalformed, "customParameters: want an object"},
		{"customParamters a string", "application/json", variant(t, jsonReply, `"customParameters": {"myKey": "myValue", "sender_full_name": "Ops Desk"}`, `"customParamters": "SECRET"`), callback.ErrMalformed, "customParameters: want an object"},
		{"two spellings differ", "application/json", variant(t, jsonReply, `"messageid"`, `"messageId": "OTHERSECRET", "messageid"`), callback.ErrMalformed, "messageid: spellings"},

		{"empty xml", "application/xml", "", callback.ErrMalformed, "no root element"},
		{"xml syntax", "application/xml", variant(t, xmlReply, "</content>", "</SECRET>"), callback.ErrMalformed, "syntax error on line 6"},
		{"xml truncated", "application/xml", xmlReply[:200], callback.ErrMalformed, "syntax error"},
		{"xml other root", "application/xml", strings.ReplaceAll(xmlReply, "deliveryResponse", "SECRETResponse"), callback.ErrMalformed, "root element is not deliveryResponse"},
		{"xml two roots", "application/xml", xmlReply + xmlReply[strings.Index(xmlReply, "<ns2"):], callback.ErrMalformed, "more than one root"},
		{"xml text after root", "application/xml", xmlReply + "SECRET", callback.ErrMalformed, "text outside"},
		{"xml latin-1", "application/xml", strings.Replace(xmlReply, "UTF-8", "ISO-8859-1", 1), callback.ErrMalformed, "only UTF-8"},
		{"xml entity", "application/xml", variant(t, xmlReply, "Yes SECRET reply", "&SECRET;"), callback.ErrMalformed, "syntax error"},
		{"xml messageid with elements", "application/xml", variant(t, xmlReply, "747AB7E716C1802B6476784AEB5C9BB8</messageid>", "<b>SECRET</b></messageid>"), callback.ErrMalformed, "messageid: want a string"},
		{"xml from as text", "application/xml", variant(t, xmlReply, "<from><name>", "<from>61400SECRET01<name>"), callback.ErrMalformed, "from: want an object"},
		{"xml no responseMessage", "application/xml", strings.ReplaceAll(xmlReply, "responseMessage>", "responseMessageX>"), callback.ErrMalformed, "no responseMessage"},
		{"xml two messageids", "application/xml", variant(t, xmlReply, "<messageid>", "<messageid>OTHERSECRET</messageid><messageid>"), callback.ErrMalformed, "messageid: spellings"},
		{"xml entry without key", "application/xml", variant(t, xmlReply, "<key>myKey</key>", ""), callback.ErrMalformed, "an entry has no key"},
		{"xml value with elements", "application/xml", variant(t, xmlReply, "<value>myValue</value>", "<value><x>SECRET</x></value>"), callback.ErrMalformed, "a value is not a string"},
		{"xml nested too deep", "application/xml", variant(t, xmlReply, "<messageid>", strings.Repeat("<a>", 40)+strings.Repeat("</a>", 40)+"<messageid>"), callback.ErrMalformed, "nested"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := callback.Parse(tc.contentType, []byte(tc.body))
			if !errors.Is(err, tc.want) {
				t.Fatalf("Parse = %s, %v; want an error wrapping %v", dump(got), err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q; want it to contain %q", err, tc.msg)
			}
			if strings.Contains(err.Error(), "SECRET") || strings.Contains(err.Error(), "61400") {
				t.Errorf("error %q shows a value of the body", err)
			}
			if !equalEvents(got, callback.Event{}) {
				t.Errorf("event %s returned with the error; want the zero Event", dump(got))
			}
		})
	}
}

// TestParseJSONAndXMLAgree pins that each XML form decodes to the Event of
// its JSON twin.
func TestParseJSONAndXMLAgree(t *testing.T) {
	t.Parallel()
	for _, pair := range [][2]string{{jsonReply, xmlReply}, {jsonUndeliverable, xmlUndeliverable}} {
		j, err := callback.Parse("application/json", []byte(pair[0]))
		if err != nil {
			t.Fatal(err)
		}
		x, err := callback.Parse("application/xml", []byte(pair[1]))
		if err != nil {
			t.Fatal(err)
		}
		if !equalEvents(j, x) || j.Key() != x.Key() {
			t.Errorf("json %s; xml %s; want equal events and keys", dump(j), dump(x))
		}
	}
}
