package whispirtest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/whispir-go/whispir/api"
	"github.com/whispir-go/whispir/generated"
	"github.com/whispir-go/whispir/security"
	"github.com/whispir-go/whispir/whispirtest"
)

// A test sends a message that names a callback, has the recipient reply,
// and sees what the callback received and what the status list shows.
func ExampleServer_Reply() {
	// The callback endpoint: any handler (callback.NewHandler in a real
	// service). It answers the mock's GET check with 200.
	payloads := make(chan []byte, 1)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.Header.Get("X-Whispir-Callback-Key") == "fake-shared-key" {
			body, _ := io.ReadAll(r.Body)
			payloads <- body
		}
	}))
	defer hook.Close()

	srv := whispirtest.NewServer()
	defer srv.Close()
	p, _ := security.New(srv.Credentials())
	c, _ := api.New(p, api.WithBaseURL(srv.URL))
	ctx := context.Background()
	const ws = "9A4C5521FFC7B15B"

	if _, err := c.CallbackCreateWithResponse(ctx, generated.Callback{
		Name:      "replies",
		URL:       hook.URL,
		Auth:      &generated.CallbackAuth{Type: generated.CallbackAuthTypeHttpheader, Key: "fake-shared-key"},
		Callbacks: &generated.CallbackTriggers{Reply: new(generated.ToggleEnabled)},
	}); err != nil {
		panic(err)
	}
	id, err := c.SendMessage(ctx, ws, generated.Message{
		To: "61400000000", Subject: new("Reply YES to confirm"),
		CallbackID: new("replies"), CallbackParameters: &map[string]string{"ticket": "T-42"},
	})
	if err != nil {
		panic(err)
	}

	// The recipient answers at 10:15 UTC on 27 November 2026.
	if err := srv.Reply(id, "61400000000", "YES", whispirtest.At(time.Date(2026, 11, 27, 10, 15, 0, 0, time.UTC))); err != nil {
		panic(err)
	}
	if err := srv.WaitCallbacks(ctx); err != nil {
		panic(err)
	}

	var event struct {
		MessageID       string `json:"messageid"`
		ResponseMessage struct {
			Channel, Acknowledged, Content string
		} `json:"responseMessage"`
		CustomParameters map[string]string `json:"customParameters"`
	}
	if err := json.Unmarshal(<-payloads, &event); err != nil {
		panic(err)
	}
	fmt.Println(event.MessageID == id, event.ResponseMessage.Channel, event.ResponseMessage.Acknowledged, event.ResponseMessage.Content)
	fmt.Println(event.CustomParameters["ticket"], event.CustomParameters["date"], event.CustomParameters["recipient_sms"])
	fmt.Println(srv.CallbackCalls()[0].Status)

	status, err := c.MessageStatusListWithResponse(ctx, ws, id, nil)
	if err != nil {
		panic(err)
	}
	for _, cat := range *(*status.JSON200.MessageStatuses)[0].Categories {
		fmt.Println(*cat.Name, *cat.RecipientCount, *cat.PercentageTotal)
	}
	// Output:
	// true SMS 27/11/26 10:15 YES
	// T-42 2026-11-27 61400000000
	// SUCCESS
	// Sent 0 0.0%
	// Pending 0 0.0%
	// Received 0 0.0%
	// Acknowledged 1 100.0%
	// Undeliverable 0 0.0%
}
