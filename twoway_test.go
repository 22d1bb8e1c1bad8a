package whispir_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/whispir-go/whispir/callback"
	"github.com/whispir-go/whispir/generated"
	"github.com/whispir-go/whispir/whispirtest"
)

// TestTwoWayEndToEnd is the two-way round trip a user's test makes, with no
// network beyond loopback: create a callback and send a message naming it
// through api.Client, have the mock's recipient reply, and see the
// callback.Handler's fn called with the typed event. fn fails the first
// delivery, so the mock retries it; fn must succeed exactly once, and the
// calls list, the response list and the status summary must all tell the
// same story.
func TestTwoWayEndToEnd(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		contentType generated.CallbackContentType
		authType    generated.CallbackAuthType
	}{
		{"json with header key", generated.CallbackContentTypeJSON, generated.CallbackAuthTypeHttpheader},
		{"xml with query key", generated.CallbackContentTypeXML, generated.CallbackAuthTypeQueryparam},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			// Whispir retries a failed call after 5 minutes; this mock after 1 ms.
			c, srv, _ := setupWith(t, nil, whispirtest.WithCallbackRetry(time.Millisecond, 3))

			const key = "fake-callback-key-not-real"
			var (
				mu       sync.Mutex
				attempts int
				handled  []callback.Event
			)
			h, err := callback.NewHandler(callback.Auth{Type: string(tc.authType), Key: key},
				func(_ context.Context, e callback.Event) error {
					mu.Lock()
					defer mu.Unlock()
					attempts++
					if attempts == 1 {
						return errors.New("database not ready")
					}
					handled = append(handled, e)
					return nil
				})
			if err != nil {
				t.Fatalf("NewHandler: %v", err)
			}
			hook := httptest.NewServer(h)
			t.Cleanup(hook.Close)

			created, err := c.CallbackCreateWithResponse(ctx, generated.Callback{
				Name:           "replies",
				URL:            hook.URL + "/whispir",
				Auth:           &generated.CallbackAuth{Type: tc.authType, Key: key},
				ContentType:    ptr(tc.contentType),
				RetriesEnabled: ptr(true),
				Callbacks:      &generated.CallbackTriggers{Reply: ptr(generated.ToggleEnabled)},
			})
			if err != nil {
				t.Fatalf("CallbackCreate: %v", err)
			}
			callbackID := *created.JSON201.ID

			const to = "61400000000"
			id, err := c.SendMessage(ctx, "", generated.Message{
				To: to, Subject: ptr("Reply YES to confirm"),
				CallbackID:         ptr("replies"),
				CallbackParameters: &map[string]string{"ticket": "T-1"},
			})
			if err != nil {
				t.Fatalf("SendMessage: %v", err)
			}
			if err := srv.Reply(id, to, "YES"); err != nil {
				t.Fatalf("Reply: %v", err)
			}
			wait, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			if err := srv.WaitCallbacks(wait); err != nil {
				t.Fatalf("WaitCallbacks: %v", err)
			}

			mu.Lock()
			gotAttempts, gotHandled := attempts, append([]callback.Event(nil), handled...)
			mu.Unlock()
			if gotAttempts != 2 || len(gotHandled) != 1 {
				t.Fatalf("fn: got %d calls, %d successful; want 2 calls (the first failing), 1 successful", gotAttempts, len(gotHandled))
			}
			e := gotHandled[0]
			if e.Kind != callback.KindReply || e.MessageID != id || e.Content != "YES" || e.From.Mobile != to ||
				e.CustomParameters["ticket"] != "T-1" || e.MessageLocation != srv.URL+"/messages/"+id {
				t.Errorf("event: got kind %q, id match %t, content match %t, from match %t, ticket %q, location match %t; want a reply to %s",
					e.Kind, e.MessageID == id, e.Content == "YES", e.From.Mobile == to, e.CustomParameters["ticket"],
					e.MessageLocation == srv.URL+"/messages/"+id, id)
			}

			var statuses []generated.CallbackCallStatus
			for call, err := range c.CallbackCalls(ctx, callbackID, nil) {
				if err != nil {
					t.Fatalf("CallbackCalls: %v", err)
				}
				statuses = append(statuses, *call.Status)
			}
			if len(statuses) != 2 || statuses[0] != generated.CallbackCallStatusFAILED || statuses[1] != generated.CallbackCallStatusSUCCESS {
				t.Errorf("callbackCallList: got %v; want [FAILED SUCCESS]", statuses)
			}

			replies := 0
			for r, err := range c.MessageResponses(ctx, "", id, &generated.MessageResponseListParams{View: ptr(generated.DetailLevelDetailed)}) {
				if err != nil {
					t.Fatalf("MessageResponses: %v", err)
				}
				if r.ResponseMessage != nil && r.ResponseMessage.Content != nil && *r.ResponseMessage.Content == "YES" {
					replies++
				}
			}
			if replies != 1 {
				t.Errorf("messageResponseList (detailed): got %d replies with the content; want 1", replies)
			}

			acknowledged := -1
			for s, err := range c.MessageStatuses(ctx, "", id, nil) {
				if err != nil {
					t.Fatalf("MessageStatuses: %v", err)
				}
				for _, cat := range derefSlice(s.Categories) {
					if cat.Name != nil && *cat.Name == "Acknowledged" && cat.RecipientCount != nil {
						acknowledged = *cat.RecipientCount
					}
				}
			}
			if acknowledged != 1 {
				t.Errorf("messageStatusList (summary): got %d Acknowledged; want 1", acknowledged)
			}
		})
	}
}

func derefSlice[T any](p *[]T) []T {
	if p == nil {
		return nil
	}
	return *p
}
