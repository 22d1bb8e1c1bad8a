package whispirtest

import (
	"encoding/json"
	"testing"

	"github.com/whispir-go/whispir/generated"
)

// factsOf is the oracle of readSendFacts: what json.Unmarshal into a
// generated.Message, which messageCreate used to do on every send, says.
func factsOf(body []byte) (sendFacts, error) {
	var m generated.Message
	err := json.Unmarshal(body, &m)
	return sendFacts{
		to:        m.To,
		scheduled: m.MessageType != nil && *m.MessageType == generated.MessageTypeSCHEDULED,
		voice:     m.Voice != nil,
	}, err
}

func TestReadSendFacts(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, body string
		want       sendFacts
		ok         bool
	}{
		{"sms", `{"to":"61400000000","subject":"s","body":"b"}`, sendFacts{to: "61400000000"}, true},
		{"spaces", " {\n\t\"to\" : \"1,2\" ,\"body\":\"b\"} \n", sendFacts{to: "1,2"}, true},
		{"scheduled", `{"to":"1","messageType":"SCHEDULED","scheduleDate":"28/11/2026 09:00"}`, sendFacts{to: "1", scheduled: true}, true},
		{"not scheduled", `{"to":"1","messageType":"OTHER"}`, sendFacts{to: "1"}, true},
		{"voice", `{"to":"1","voice":{"header":"h","body":"b","type":"ConfCall:,ConfAccountNo:,ConfPinNo:,ConfModPinNo:,Pin:"}}`, sendFacts{to: "1", voice: true}, true},
		{"nested values skipped", `{"a":[1,{"to":"x"},"]}"],"to":"2","b":{"c":{"d":null}},"e":-1.5e3,"f":true}`, sendFacts{to: "2"}, true},
		{"last wins", `{"to":"1","to":"2","voice":{},"voice":null}`, sendFacts{to: "2"}, true},
		{"null to keeps", `{"to":"1","to":null}`, sendFacts{to: "1"}, true},
		{"escaped value", `{"to":"6140\u00300"}`, sendFacts{to: "614000"}, true},
		{"invalid UTF-8 becomes U+FFFD", "{\"to\":\"\xd5\"}", sendFacts{to: "\uFFFD"}, true},
		{"escaped quote in skipped value", `{"body":"say \"hi\"","to":"1"}`, sendFacts{to: "1"}, true},
		{"empty", `{}`, sendFacts{}, true},
		{"escaped name", `{"t\u006f":"1"}`, sendFacts{}, false},
		{"name in another case", `{"To":"1"}`, sendFacts{}, false},
		{"long s folds to s", `{"meſſageType":"SCHEDULED"}`, sendFacts{}, false},
		{"to not a string", `{"to":1}`, sendFacts{}, false},
		{"voice not an object", `{"voice":"x"}`, sendFacts{}, false},
		{"array", `[{"to":"1"}]`, sendFacts{}, false},
		{"cut short", `{"to":"1"`, sendFacts{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, ok := readSendFacts([]byte(tc.body))
			if ok != tc.ok || (ok && got != tc.want) {
				t.Fatalf("readSendFacts(%s): got %+v, %v; want %+v, %v", tc.body, got, ok, tc.want, tc.ok)
			}
			if !ok {
				return
			}
			if want, err := factsOf([]byte(tc.body)); err != nil || got != want {
				t.Errorf("json.Unmarshal says %+v, %v; readSendFacts %+v", want, err, got)
			}
		})
	}
}

// FuzzReadSendFacts checks readSendFacts against json.Unmarshal on valid
// JSON (what it is given: validation has checked the body): when it reads
// the facts, they are those json.Unmarshal finds.
func FuzzReadSendFacts(f *testing.F) {
	for _, s := range []string{
		`{"to":"61400000000","subject":"s","body":"b"}`,
		`{"to":"1","messageType":"SCHEDULED","voice":{"body":"b"}}`,
		`{"a":[1,{"to":"x"}],"to":"2","voice":null,"messageType":null}`,
		`{"to":"a\"b\\c","x":"\u0041"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if !json.Valid(body) {
			return
		}
		got, ok := readSendFacts(body)
		if !ok {
			return
		}
		want, err := factsOf(body)
		if err != nil {
			// A type json.Unmarshal cannot put in the Go struct, in a
			// member readSendFacts skips; validation refuses such bodies.
			return
		}
		if got != want {
			t.Errorf("readSendFacts(%q): got %+v; want %+v", body, got, want)
		}
	})
}
