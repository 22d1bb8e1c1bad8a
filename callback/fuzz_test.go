package callback_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/whispir-go/whispir/callback"
)

// FuzzParse feeds Parse untrusted bodies. It must never panic; an error
// wraps ErrMalformed or ErrUnsupportedMediaType and quotes nothing of the
// body; an Event it returns keeps the package's promises and survives a
// round trip through Whispir's canonical JSON and XML forms unchanged.
func FuzzParse(f *testing.F) {
	for _, s := range []struct{ contentType, body string }{
		{"application/json", jsonReply},
		{"application/json", jsonUndeliverable},
		{"application/json", strings.Replace(jsonReply, `"messageid"`, `"messageId"`, 1)},
		{"application/json", strings.Replace(jsonReply, `"messagelocation"`, `"location"`, 1)},
		{"application/json", strings.Replace(jsonReply, `"messagelocation"`, `"messageLocation"`, 1)},
		{"application/json", strings.Replace(jsonReply, `"customParameters"`, `"customParamters"`, 1)},
		{"application/json", strings.Replace(jsonReply, `"myValue"`, `7`, 1)},
		{"application/json", `{"messageid": "1", "from": "SECRET", "responseMessage": {}}`},
		{"application/json", `{"messageid": "1", "messageId": "SECRET", "responseMessage": {"undeliverable": ""}}`},
		{"application/json; charset=utf-8", `{}`},
		{"application/json", `[]`},
		{"application/xml", xmlReply},
		{"application/xml", xmlUndeliverable},
		{"text/xml", strings.ReplaceAll(xmlReply, "messageid>", "messageId>")},
		{"application/xml", strings.ReplaceAll(xmlReply, "customParameters>", "customParamters>")},
		{"application/xml", `<deliveryResponse><messageid>1</messageid><responseMessage/></deliveryResponse>`},
		{"application/xml", `<deliveryResponse><messageid>1<x/></messageid></deliveryResponse>`},
		{"application/xml", `<?xml version="1.0" encoding="ISO-8859-1"?><deliveryResponse/>`},
		{"text/plain", "SECRET"},
		{"", ""},
	} {
		f.Add(s.contentType, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		e, err := callback.Parse(contentType, body)
		if err != nil {
			if !errors.Is(err, callback.ErrMalformed) && !errors.Is(err, callback.ErrUnsupportedMediaType) {
				t.Fatalf("error %v wraps neither ErrMalformed nor ErrUnsupportedMediaType", err)
			}
			if strings.Contains(err.Error(), "SECRET") {
				t.Fatalf("error %q quotes the input", err)
			}
			if !equalEvents(e, callback.Event{}) {
				t.Fatalf("event %s returned with an error", dump(e))
			}
			return
		}
		checkEvent(t, e)
		key := e.Key()
		if !hexKey.MatchString(key) || key != e.Key() {
			t.Fatalf("Key() = %q, then %q; want one 64-hex key", key, e.Key())
		}
		forms := map[string][]byte{"application/json": encodeJSON(t, e)}
		if xmlSafe(e) {
			forms["application/xml"] = encodeXML(t, e)
		}
		for ct, b := range forms {
			again, err := callback.Parse(ct, b)
			if err != nil {
				t.Fatalf("canonical %s of %s: %v", ct, dump(e), err)
			}
			if !equalEvents(again, e) || again.Key() != key {
				t.Fatalf("canonical %s round trip: %s; want %s", ct, dump(again), dump(e))
			}
		}
	})
}

// checkEvent checks the promises of a decoded Event.
func checkEvent(t *testing.T, e callback.Event) {
	t.Helper()
	switch e.Kind {
	case callback.KindReply:
	case callback.KindUndeliverable:
		if e.Content != "" {
			t.Fatalf("undeliverable event with content: %s", dump(e))
		}
	default:
		t.Fatalf("kind %q", e.Kind)
	}
	if strings.TrimSpace(e.MessageID) == "" {
		t.Fatalf("event without a message id: %s", dump(e))
	}
	if e.CustomParameters != nil && len(e.CustomParameters) == 0 {
		t.Fatal("empty, non-nil CustomParameters; want nil")
	}
	if _, ok := e.CustomParameters[""]; ok {
		t.Fatal("a custom parameter without a name")
	}
}

// xmlSafe reports whether every string of e can be written as XML text
// (XML 1.0 excludes most control characters).
func xmlSafe(e callback.Event) bool {
	ss := []string{e.MessageID, e.MessageLocation, e.From.Name, e.From.MRI, e.From.Mobile, e.From.Email,
		e.From.Voice, e.Channel, e.Content, e.Time}
	for k, v := range e.CustomParameters {
		ss = append(ss, k, v)
	}
	for _, s := range ss {
		if !utf8.ValidString(s) {
			return false
		}
		for _, r := range s {
			if !(r == 0x9 || r == 0xA || r == 0xD || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF) {
				return false
			}
		}
	}
	return true
}
