package whispirtest_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/whispir-go/whispir/callback"
	"github.com/whispir-go/whispir/whispirtest"
)

// TestEndToEndCallbackHandler delivers a reply and a failed delivery to a
// callback.Handler for every auth type and body format; the handler's fn
// fails the first delivery, and must succeed exactly once after the retry.
func TestEndToEndCallbackHandler(t *testing.T) {
	t.Parallel()
	for _, authType := range []string{"httpheader", "queryparam", "basicauth", "bearertoken"} {
		for _, ct := range []string{"json", "xml"} {
			t.Run(authType+"/"+ct, func(t *testing.T) {
				t.Parallel()
				srv := start(t, whispirtest.WithCallbackRetry(time.Millisecond, 5))
				var mu sync.Mutex
				var calls, ok int
				var got []callback.Event
				h, err := callback.NewHandler(callback.Auth{Type: authType, Key: "fake key+/="}, func(ctx context.Context, e callback.Event) error {
					mu.Lock()
					defer mu.Unlock()
					calls++
					if calls == 1 {
						return errors.New("not yet")
					}
					ok++
					got = append(got, e)
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				hook := httptest.NewServer(h)
				defer hook.Close()
				createCallback(t, srv, callbackJSON("e2e", hook.URL+"/whispir", authType, "fake key+/=", ct, true))
				id := sendMessage(t, srv, `{"to":"61400000000","subject":"s","callbackId":"e2e","callbackParameters":{"ticket":"T-1"}}`)
				if err := srv.Reply(id, "61400000000", "YES", whispirtest.At(lcT0)); err != nil {
					t.Fatal(err)
				}
				waitCallbacks(t, srv)
				mu.Lock()
				gotCalls, gotOK := calls, ok
				mu.Unlock()
				if gotCalls != 2 || gotOK != 1 {
					t.Fatalf("fn: got %d calls, %d ok; want 2, 1", gotCalls, gotOK)
				}
				mu.Lock()
				e := got[0]
				mu.Unlock()
				if e.Kind != callback.KindReply || e.MessageID != id || e.Content != "YES" || e.Channel != "SMS" || e.Time != "27/11/26 10:15" || e.From.Mobile != "61400000000" || e.CustomParameters["ticket"] != "T-1" || e.MessageLocation != srv.URL+"/messages/"+id {
					t.Errorf("event: got %#v %+v", e, e)
				}
				var st []string
				for _, c := range srv.CallbackCalls() {
					st = append(st, string(c.Status))
				}
				if len(st) != 2 || st[0] != "FAILED" || st[1] != "SUCCESS" {
					t.Errorf("calls: %v", st)
				}
				// Undeliverable too.
				id2 := sendMessage(t, srv, `{"to":"jane@example.com","subject":"s","callbackId":"e2e"}`)
				if err := srv.Undeliverable(id2, whispirtest.At(lcT1)); err != nil {
					t.Fatal(err)
				}
				waitCallbacks(t, srv)
				mu.Lock()
				defer mu.Unlock()
				if len(got) != 2 || got[1].Kind != callback.KindUndeliverable || got[1].Time != "27/11/26 10:16" || got[1].From.Email != "jane@example.com" || got[1].Channel != "email" {
					t.Errorf("undeliverable: %+v", got)
				}
			})
		}
	}
}
