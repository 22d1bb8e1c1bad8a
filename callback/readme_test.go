package callback_test

// The snippet of the README's "Receiving replies", compiled and served, so
// the README cannot drift from the package.

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/whispir-go/whispir/callback"
)

// store stands for the reader's own code.
type store struct {
	mu   sync.Mutex
	seen []string
}

func (s *store) add(what string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seen = append(s.seen, what)
	return nil
}

func (s *store) Save(_ context.Context, id, mobile, content string) error {
	return s.add("reply " + id + " " + mobile + " " + content)
}

func (s *store) NotDelivered(_ context.Context, id, mobile string) error {
	return s.add("undeliverable " + id + " " + mobile)
}

func readmeHandler(replies, alerts *store) (http.Handler, error) {
	h, err := callback.NewHandler(
		callback.Auth{Type: callback.AuthHTTPHeader, Key: os.Getenv("WHISPIR_CALLBACK_KEY")},
		func(ctx context.Context, e callback.Event) error {
			switch e.Kind {
			case callback.KindReply: // e.Content is what they wrote
				return replies.Save(ctx, e.MessageID, e.From.Mobile, e.Content) // your code
			case callback.KindUndeliverable:
				return alerts.NotDelivered(ctx, e.MessageID, e.From.Mobile)
			}
			return nil
		})
	if err != nil {
		return nil, err // an unknown auth type, an empty key or a nil function
	}
	return h, nil
}

func TestReadmeReceivingReplies(t *testing.T) {
	t.Setenv("WHISPIR_CALLBACK_KEY", testKey)
	var replies, alerts store
	h, err := readmeHandler(&replies, &alerts)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/whispir", h) // any router; httptest.NewServer(h) in tests
	srv := httptest.NewServer(mux)
	defer srv.Close()
	for _, body := range []string{jsonReply, jsonReply, jsonUndeliverable} {
		if a := postJSON(t, srv.URL+"/whispir", body); a.status != 200 {
			t.Fatalf("status %d; want 200", a.status)
		}
	}
	want := "reply " + testID + " " + testMobile + " " + testContent + "|undeliverable " + testID + " " + testMobile
	if got := strings.Join(append(replies.seen, alerts.seen...), "|"); got != want {
		t.Errorf("handled %q; want %q", got, want)
	}
}
