package api

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/whispir-go/whispir/generated"
)

// TestDecodeErrorsNameTheOperation pins defect 7 of issue 8: a 2xx body that
// does not decode into its generated type gave a bare encoding/json error,
// without the operation, echoing a 100,000-digit number in full.
func TestDecodeErrorsNameTheOperation(t *testing.T) {
	t.Parallel()
	huge := strings.Repeat("9", 100_000)
	tests := []struct {
		name     string
		body     string
		wantText string // in the error message
		wantAs   func(error) bool
	}{
		{
			name:     "out-of-range number",
			body:     `{"to":"61400000000","createdTime":` + huge + `}`,
			wantText: "cannot decode a JSON number into Message.createdTime of Go type int64",
			wantAs:   func(err error) bool { var e *json.UnmarshalTypeError; return errors.As(err, &e) },
		},
		{
			name:     "string for a number",
			body:     `{"to":"61400000000","createdTime":"` + huge + `"}`,
			wantText: "cannot decode a JSON string into Message.createdTime",
			wantAs:   func(err error) bool { var e *json.UnmarshalTypeError; return errors.As(err, &e) },
		},
		{
			name:     "object for a string",
			body:     `{"to":{"secret":"` + huge + `"}}`,
			wantText: "cannot decode a JSON object into Message.to",
			wantAs:   func(err error) bool { var e *json.UnmarshalTypeError; return errors.As(err, &e) },
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, _ := setup(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/vnd.whispir.message-v1+json")
				io.WriteString(w, tc.body)
			})
			resp, err := c.MessageRetrieveWithResponse(t.Context(), "9A4C5521FFC7B15B", "747AB7E716C1802B")
			if err == nil {
				t.Fatalf("got a response (%v); want a decode error", resp.JSON200)
			}
			msg := err.Error()
			if len(msg) > 300 {
				t.Errorf("error is %d bytes long; want at most 300", len(msg))
			}
			if strings.Contains(msg, "99999") || strings.Contains(msg, "secret") {
				t.Errorf("error %.200q quotes the body", msg)
			}
			if !strings.HasPrefix(msg, "messageRetrieve: decode response: status 200: ") || !strings.Contains(msg, tc.wantText) {
				t.Errorf("error = %q; want messageRetrieve: decode response: status 200: ...%s...", msg, tc.wantText)
			}
			var de *generated.DecodeError
			if !errors.As(err, &de) || de.OperationID != "messageRetrieve" || de.StatusCode != http.StatusOK {
				t.Errorf("errors.As(*generated.DecodeError) = %+v; want operation messageRetrieve, status 200", de)
			}
			if !tc.wantAs(err) {
				t.Errorf("error %T does not unwrap to the decoder's error", err)
			}
		})
	}
}
