package whispir_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/whispir-go/whispir"
)

func TestValidationErrorsNeverEchoValuesOrKeys(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body, where, reason string
	}{
		{"missing to", `{"subject":"x"}`, "body /to", `property "to" is missing`},
		{"bad pattern", `{"to":"61400000000","repeatDays":"seven-SECRET"}`, "body /repeatDays", "regular expression"},
		{"enum", `{"to":"61400000000","type":"SECRET"}`, "body /type", "allowed values"},
		{"map value of the wrong type", `{"to":"61400000000","callbackParameters":{"jane@example.com":5}}`, "body /callbackParameters/*", "must be a string"},
		{"nested array", `{"to":"61400000000","social":{"social":[{"id":"SECRET"}]}}`, "body /social/social/0/id", "allowed values"},
		{"not JSON", `{"to":"SECRET`, "body", "cannot be decoded"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req, _ := http.NewRequest(http.MethodPost, "https://api.au.whispir.com/workspaces/ABC/messages", strings.NewReader(tc.body))
			req.Header.Set("Content-Type", "application/vnd.whispir.message-v1+json")
			route, err := whispir.FindRoute(req, "")
			if err != nil {
				t.Fatal(err)
			}
			err = whispir.ValidateRequest(context.Background(), route, req, []byte(tc.body))
			var ve *whispir.ValidationError
			if !errors.As(err, &ve) || !errors.Is(err, whispir.ErrInvalidRequest) {
				t.Fatalf("err = %v; want a *ValidationError wrapping ErrInvalidRequest", err)
			}
			if ve.Operation != "messageCreate" || ve.Where != tc.where || !strings.Contains(ve.Reason, tc.reason) {
				t.Errorf("got %q at %q (%q); want messageCreate at %q, reason containing %q", ve.Reason, ve.Where, ve.Operation, tc.where, tc.reason)
			}
			for _, leak := range []string{"SECRET", "jane@example.com", "61400000000", "seven"} {
				if strings.Contains(err.Error(), leak) {
					t.Errorf("error %q echoes %q", err, leak)
				}
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q spans lines", err)
			}
		})
	}
}

// TestUnknownPropertiesAreRefusedAndNamedSafely: the Message schema, as
// Whispir's, forbids properties it does not declare. The error names an
// unknown property when its name looks like a field name (a typo such as
// subjekt), and leaves out any other name: data used as a key, control or
// bidirectional characters, a name too long for one line.
func TestUnknownPropertiesAreRefusedAndNamedSafely(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, key, reason string
	}{
		{"typo", "subjekt", `unknown property "subjekt"`},
		{"underscore and digits", "_body2", `unknown property "_body2"`},
		{"64 bytes", strings.Repeat("a", 64), `unknown property "` + strings.Repeat("a", 64) + `"`},
		{"65 bytes", strings.Repeat("a", 65), "unknown property (its name is not shown"},
		{"100,000 bytes", strings.Repeat("b", 100000), "unknown property (its name is not shown"},
		{"phone number", "61400000000", "unknown property (its name is not shown"},
		{"email", "jane@example.com", "unknown property (its name is not shown"},
		{"escape sequence", "a\x1b[31mred", "unknown property (its name is not shown"},
		{"bidi override", "\u202eevil", "unknown property (its name is not shown"},
		{"newline", "a\nb", "unknown property (its name is not shown"},
		{"non-ASCII letter", "sübject", "unknown property (its name is not shown"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			body, err := json.Marshal(map[string]string{"to": "61400000000", "subject": "Hi", tc.key: "x"})
			if err != nil {
				t.Fatal(err)
			}
			req, _ := http.NewRequest(http.MethodPost, "https://api.au.whispir.com/workspaces/ABC/messages", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/vnd.whispir.message-v1+json")
			route, err := whispir.FindRoute(req, "")
			if err != nil {
				t.Fatal(err)
			}
			err = whispir.ValidateRequest(t.Context(), route, req, body)
			var ve *whispir.ValidationError
			if !errors.As(err, &ve) || !errors.Is(err, whispir.ErrInvalidRequest) {
				t.Fatalf("err = %v; want a *ValidationError wrapping ErrInvalidRequest", err)
			}
			if ve.Where != "body" || !strings.HasPrefix(ve.Reason, tc.reason) {
				t.Errorf("got %q at %q; want %q at body", ve.Reason, ve.Where, tc.reason)
			}
			msg := err.Error()
			if len(msg) > 200 || strings.ContainsAny(msg, "\x1b\n\u202e@") || strings.Contains(msg, "61400000000") {
				t.Errorf("error %.300q: want one short line without the name's data", msg)
			}
		})
	}
}

// TestSendAcceptedValidatesAsSent: the 202 of a send is declared as Whispir
// sends it, the text under the message media type, so it validates without
// a habit of the validator's; a label the service does not send does not.
func TestSendAcceptedValidatesAsSent(t *testing.T) {
	t.Parallel()
	const text = "Your request has been accepted for processing"
	tests := []struct {
		name, contentType string
		ok                bool
	}{
		{"as Whispir sends it", "application/vnd.whispir.message-v1+json", true},
		{"with a charset", "application/vnd.whispir.message-v1+json; charset=UTF-8", true},
		{"labelled text/plain", "text/plain", false},
		{"labelled another resource", "application/vnd.whispir.contact-v1+json", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req, _ := http.NewRequest(http.MethodPost, "https://api.au.whispir.com/workspaces/9A4C5521FFC7B15B/messages", nil)
			route, err := whispir.FindRoute(req, "")
			if err != nil {
				t.Fatal(err)
			}
			header := http.Header{"Content-Type": {tc.contentType}, "Location": {"https://api.au.whispir.com/workspaces/9A4C5521FFC7B15B/messages/747AB7E716C1802B6476784AEB5C9BB8"}}
			err = whispir.ValidateResponse(t.Context(), route, req, http.StatusAccepted, header, []byte(text))
			if (err == nil) != tc.ok {
				t.Errorf("ValidateResponse = %v; want ok=%t", err, tc.ok)
			}
			if route.DeclaresJSON(http.StatusAccepted) {
				t.Error("DeclaresJSON(202) = true; want false: the body is text, and must not be parsed")
			}
		})
	}
}
