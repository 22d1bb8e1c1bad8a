package whispirtest_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/whispir-go/whispir/whispirtest"
)

func TestRequestLog(t *testing.T) {
	t.Parallel()
	// slog's handlers serialise their writes; out is read after Close.
	var out bytes.Buffer
	srv := start(t, whispirtest.WithRequestLog(slog.New(slog.NewJSONHandler(&out, nil))))
	if err := srv.InjectFaults(1, whispirtest.Fault{Kind: whispirtest.FaultQPS}); err != nil {
		t.Fatal(err)
	}
	send(t, newRequest(t, srv, http.MethodGet, "/messages?label=secret-label", ""))
	sendSMS(t, srv, workspace)
	send(t, newRequest(t, srv, http.MethodGet, "/nowhere", ""))
	admin(t, srv, http.MethodGet, "health", "")
	admin(t, srv, http.MethodGet, "faults", "")
	srv.Close() // every line written

	type line struct {
		Msg, Method, Path, Operation, Fault string
		Status                              int
		Duration                            float64
	}
	want := []line{
		{"request", "GET", "/messages", "defaultMessageList", "FaultQPS", 403, 0},
		{"request", "POST", "/workspaces/" + workspace + "/messages", "messageCreate", "FaultNone", 202, 0},
		{"request", "GET", "/nowhere", "", "FaultNone", 404, 0},
		{"request", "GET", "/_whispir/faults", "adminFaultList", "FaultNone", 200, 0},
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != len(want) {
		t.Fatalf("got %d lines; want %d (health is not logged):\n%s", len(lines), len(want), out.String())
	}
	for i, l := range lines {
		var got line
		if err := json.Unmarshal([]byte(l), &got); err != nil {
			t.Fatalf("line %d: %v", i, err)
		}
		if got.Duration <= 0 {
			t.Errorf("line %d: duration %v; want > 0", i, got.Duration)
		}
		got.Duration = 0
		if got != want[i] {
			t.Errorf("line %d: got %+v; want %+v", i, got, want[i])
		}
	}
	for _, secret := range []string{"secret-label", srv.Credentials().APIKey, "Hello from whispir-go"} {
		if strings.Contains(out.String(), secret) {
			t.Errorf("the log shows %q", secret)
		}
	}
}
