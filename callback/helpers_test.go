package callback_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"maps"
	"slices"
	"testing"

	"github.com/whispir-go/whispir/callback"
)

// Fake values. The ones that are personal data in real events carry
// "SECRET" so that tests can check they never reach errors or logs.
const (
	testKey     = "fake-callback-key-123"
	testID      = "747AB7E716C1802B6476784AEB5C9BB8"
	testLoc     = "https://api.au.whispir.com/messages/747AB7E716C1802B6476784AEB5C9BB8"
	testMobile  = "61400SECRET01"
	testEmail   = "jane.SECRET@example.com"
	testContent = "Yes SECRET reply"
)

// replyEvent is the Event of the canonical reply bodies below.
func replyEvent() callback.Event {
	return callback.Event{
		Kind:            callback.KindReply,
		MessageID:       testID,
		MessageLocation: testLoc,
		From: callback.Sender{
			Name: "Jane SECRET Citizen", MRI: "Jane_Citizen.1@Contact.whispir.com",
			Mobile: testMobile, Email: testEmail, Voice: testMobile,
		},
		Channel:          "SMS",
		Content:          testContent,
		Time:             "09/01/16 13:22",
		CustomParameters: map[string]string{"myKey": "myValue", "sender_full_name": "Ops Desk"},
	}
}

// undeliverableEvent is the Event of the canonical undeliverable bodies.
func undeliverableEvent() callback.Event {
	e := replyEvent()
	e.Kind, e.Content, e.Time, e.CustomParameters = callback.KindUndeliverable, "", "09/01/16 13:25", nil
	return e
}

// encodeJSON writes e in Whispir's canonical JSON form (payload.md).
func encodeJSON(t testing.TB, e callback.Event) []byte {
	t.Helper()
	rm := map[string]string{"channel": e.Channel}
	if e.Kind == callback.KindUndeliverable {
		rm["undeliverable"] = e.Time
	} else {
		rm["acknowledged"], rm["content"] = e.Time, e.Content
	}
	body := map[string]any{
		"messageid":       e.MessageID,
		"messagelocation": e.MessageLocation,
		"from": map[string]string{
			"name": e.From.Name, "mri": e.From.MRI, "mobile": e.From.Mobile,
			"email": e.From.Email, "voice": e.From.Voice,
		},
		"responseMessage": rm,
	}
	if e.CustomParameters != nil {
		body["customParameters"] = e.CustomParameters
	}
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// encodeXML writes e in Whispir's canonical XML form (payload.md).
func encodeXML(t testing.TB, e callback.Event) []byte {
	t.Helper()
	var b bytes.Buffer
	el := func(name, value string) {
		b.WriteString("<" + name + ">")
		if err := xml.EscapeText(&b, []byte(value)); err != nil {
			t.Fatal(err)
		}
		b.WriteString("</" + name + ">")
	}
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n")
	b.WriteString(`<ns2:deliveryResponse xmlns:ns2="http://schemas.api.whispir.com">` + "\n  ")
	el("messageid", e.MessageID)
	b.WriteString("\n  ")
	el("messagelocation", e.MessageLocation)
	b.WriteString("\n  <from>")
	el("name", e.From.Name)
	el("mri", e.From.MRI)
	el("mobile", e.From.Mobile)
	el("email", e.From.Email)
	el("voice", e.From.Voice)
	b.WriteString("</from>\n  <responseMessage>")
	el("channel", e.Channel)
	if e.Kind == callback.KindUndeliverable {
		el("undeliverable", e.Time)
	} else {
		el("acknowledged", e.Time)
		el("content", e.Content)
	}
	b.WriteString("</responseMessage>\n")
	if e.CustomParameters != nil {
		b.WriteString("  <customParameters>")
		for _, k := range slices.Sorted(maps.Keys(e.CustomParameters)) {
			b.WriteString("<entry>")
			el("key", k)
			el("value", e.CustomParameters[k])
			b.WriteString("</entry>")
		}
		b.WriteString("</customParameters>\n")
	}
	b.WriteString("</ns2:deliveryResponse>\n")
	return b.Bytes()
}

// equalEvents compares two events field by field (Event has a map).
func equalEvents(a, b callback.Event) bool {
	return a.Kind == b.Kind && a.MessageID == b.MessageID && a.MessageLocation == b.MessageLocation &&
		a.From == b.From && a.Channel == b.Channel && a.Content == b.Content && a.Time == b.Time &&
		maps.Equal(a.CustomParameters, b.CustomParameters) && (a.CustomParameters == nil) == (b.CustomParameters == nil)
}

// dump shows every field of e, for failure messages (Event's own
// formatting hides most of them).
func dump(e callback.Event) string {
	b, _ := json.Marshal(e)
	return string(b)
}
