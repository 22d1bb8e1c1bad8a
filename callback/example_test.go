package callback_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/whispir-go/whispir/callback"
)

// What Whispir sends when Jane answers a message (fake values).
const exampleReply = `{
  "messageid": "747AB7E716C1802B6476784AEB5C9BB8",
  "messagelocation": "https://api.au.whispir.com/messages/747AB7E716C1802B6476784AEB5C9BB8",
  "from": {"name": "Jane Citizen", "mobile": "61400000000"},
  "responseMessage": {"channel": "SMS", "acknowledged": "27/11/26 10:15", "content": "Yes, I will be there"},
  "customParameters": {"shift": "night"}
}`

// A callback URL served by NewHandler. Whispir delivers the reply twice (a
// retry, say); fn sees it once.
func ExampleNewHandler() {
	// In production: Key: os.Getenv("WHISPIR_CALLBACK_KEY").
	auth := callback.Auth{Type: callback.AuthHTTPHeader, Key: "fake-callback-key"}
	h, err := callback.NewHandler(auth, func(ctx context.Context, e callback.Event) error {
		fmt.Printf("%s to %s from %s: %q (shift %s)\n",
			e.Kind, e.MessageID, e.From.Mobile, e.Content, e.CustomParameters["shift"])
		return nil // an error answers 500, and Whispir sends the event again later
	})
	if err != nil {
		log.Fatal(err)
	}
	srv := httptest.NewServer(h) // or http.Handle("/whispir", h) in your server
	defer srv.Close()

	for range 2 {
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/whispir", strings.NewReader(exampleReply))
		if err != nil {
			log.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(callback.HeaderCallbackKey, "fake-callback-key")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			log.Fatal(err)
		}
		resp.Body.Close()
		fmt.Println(resp.Status)
	}
	// Output:
	// reply to 747AB7E716C1802B6476784AEB5C9BB8 from 61400000000: "Yes, I will be there" (shift night)
	// 200 OK
	// 200 OK
}

// ConstructEvent in a handler of your own: credentials first, body second.
func ExampleConstructEvent() {
	auth := callback.Auth{Type: callback.AuthQueryParam, Key: "fake-callback-key"}
	mine := func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, callback.DefaultMaxBodySize))
		if err != nil {
			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
			return
		}
		e, err := callback.ConstructEvent(auth, r, body)
		if err != nil {
			fmt.Println(err)
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		fmt.Println(e) // formatting shows no personal data
	}

	for _, query := range []string{"?auth=guess", "?auth=fake-callback-key"} {
		r := httptest.NewRequest(http.MethodPost, "/whispir"+query, strings.NewReader(exampleReply))
		r.Header.Set("Content-Type", "application/json")
		mine(httptest.NewRecorder(), r)
	}
	// Output:
	// callback: unauthorized: queryparam: the key does not match
	// callback.Event{Kind:reply MessageID:747AB7E716C1802B6476784AEB5C9BB8 Channel:SMS Time:27/11/26 10:15 Key:89cc04227df0eee8fb6114fff8787066925959b05ae6f36145b431183f34e775}
}

// Parse decodes the XML form into the same Event as the JSON form.
func ExampleParse() {
	body := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<ns2:deliveryResponse xmlns:ns2="http://schemas.api.whispir.com">
  <messageid>747AB7E716C1802B6476784AEB5C9BB8</messageid>
  <from><name>Jane Citizen</name><mobile>61400000000</mobile></from>
  <responseMessage><channel>SMS</channel><undeliverable>27/11/26 10:16</undeliverable></responseMessage>
</ns2:deliveryResponse>`
	e, err := callback.Parse("application/xml", []byte(body))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(e.Kind, e.MessageID, e.Time, e.CustomParameters == nil)
	// Output:
	// undeliverable 747AB7E716C1802B6476784AEB5C9BB8 27/11/26 10:16 true
}
