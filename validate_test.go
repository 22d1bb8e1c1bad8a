package whispir_test

import (
	"context"
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
