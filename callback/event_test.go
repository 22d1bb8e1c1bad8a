package callback_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"testing"

	"github.com/whispir-go/whispir/callback"
)

var hexKey = regexp.MustCompile(`^[0-9a-f]{64}$`)

func TestKeySameEvent(t *testing.T) {
	t.Parallel()
	base := replyEvent()
	tests := []struct {
		name   string
		change func(e *callback.Event)
	}{
		{"unchanged", func(*callback.Event) {}},
		{"other location spelling", func(e *callback.Event) {
			e.MessageLocation = "https://api.au.whispir.com/workspaces/9A4C5521FFC7B15B/messages/" + testID
		}},
		{"contact renamed between retries", func(e *callback.Event) { e.From.Name = "Jane Smith" }},
		{"custom parameters filled at sending", func(e *callback.Event) { e.CustomParameters = map[string]string{"time": "13:27"} }},
		{"no custom parameters", func(e *callback.Event) { e.CustomParameters = nil }},
	}
	want := base.Key()
	if !hexKey.MatchString(want) {
		t.Fatalf("Key() = %q; want 64 hex digits", want)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := replyEvent()
			tc.change(&e)
			if got := e.Key(); got != want {
				t.Errorf("Key() = %s; want %s (the same event)", got, want)
			}
		})
	}
}

func TestKeyDifferentEvents(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(e *callback.Event)
	}{
		{"kind", func(e *callback.Event) { e.Kind = callback.KindUndeliverable }},
		{"message", func(e *callback.Event) { e.MessageID = "847AB7E716C1802B6476784AEB5C9BB8" }},
		{"mri", func(e *callback.Event) { e.From.MRI = "John.2@Contact.whispir.com" }},
		{"mobile", func(e *callback.Event) { e.From.Mobile = "61400000002" }},
		{"email", func(e *callback.Event) { e.From.Email = "john@example.com" }},
		{"voice", func(e *callback.Event) { e.From.Voice = "61400000002" }},
		{"channel", func(e *callback.Event) { e.Channel = "Email" }},
		{"time", func(e *callback.Event) { e.Time = "09/01/16 13:23" }},
		{"content", func(e *callback.Event) { e.Content = "No" }},
		// Length prefixes: bytes moved from one field to the next.
		{"bytes moved between fields", func(e *callback.Event) {
			e.Channel, e.Time = "SMS0", "9/01/16 13:22"
		}},
		{"bytes moved between sender fields", func(e *callback.Event) {
			e.From.Mobile, e.From.Email = e.From.Mobile+e.From.Email, ""
		}},
	}
	seen := map[string]string{replyEvent().Key(): "base"}
	for _, tc := range tests {
		e := replyEvent()
		tc.change(&e)
		k := e.Key()
		if prev, dup := seen[k]; dup {
			t.Errorf("%s: Key() = %s, as for %s; want a different key", tc.name, k, prev)
		}
		seen[k] = tc.name
	}
}

// TestEventNeverShowsPersonalData formats and logs an event in every way a
// program might by accident.
func TestEventNeverShowsPersonalData(t *testing.T) {
	t.Parallel()
	e := replyEvent()
	var out bytes.Buffer
	for _, f := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		fmt.Fprintf(&out, f+"\n", e)
		fmt.Fprintf(&out, f+"\n", &e)
		fmt.Fprintf(&out, f+"\n", e.From)
	}
	fmt.Fprintln(&out, e, e.From, []callback.Event{e}, map[string]callback.Event{"a": e})
	for _, h := range []slog.Handler{slog.NewJSONHandler(&out, nil), slog.NewTextHandler(&out, nil)} {
		slog.New(h).Info("event", "event", e, "from", e.From, "ptr", &e)
	}
	got := out.String()
	for _, secret := range []string{"SECRET", "61400", "myValue", "Ops Desk", "Jane", "example.com"} {
		if strings.Contains(got, secret) {
			t.Errorf("output shows %q:\n%s", secret, got)
		}
	}
	for _, want := range []string{testID, "reply", "SMS", "09/01/16 13:22", e.Key(), "REDACTED"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if s := fmt.Sprint(callback.Sender{}); s != "callback.Sender{}" {
		t.Errorf("empty sender = %q; want callback.Sender{}", s)
	}
}
