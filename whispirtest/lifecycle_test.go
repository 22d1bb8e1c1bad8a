package whispirtest_test

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/whispir-go/whispir/api"
	"github.com/whispir-go/whispir/generated"
	"github.com/whispir-go/whispir/whispirtest"
)

const (
	lcNumber = "61400000000"
	lcEmail  = "jane.citizen@example.com"
	// lcTwo goes to a number (sms) and an email address (email).
	lcTwo = `{"to":"61400000000, jane.citizen@example.com","subject":"Two","body":"Hello"}`
)

var (
	lcT0 = time.Date(2026, 11, 27, 10, 15, 0, 0, time.UTC)
	lcT1 = lcT0.Add(90 * time.Second)
)

// channelWant is what the detailed view should show for one channel of
// one recipient; zero times must be absent.
type channelWant struct {
	status                         string
	received, acknowledged, failed time.Time
}

// statusView returns the summary categories (name -> count and
// percentage) and the detailed view (recipient -> channel -> status) of
// a message, checking both against the spec on the way (start's
// WithResponseValidation).
func statusView(t *testing.T, srv *whispirtest.Server, id string) (map[string]generated.StatusCategory, map[string]map[string]generated.ChannelStatus) {
	t.Helper()
	resp, body := send(t, newRequest(t, srv, http.MethodGet, "/messages/"+id+"/messagestatus?view=summary", ""))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("summary: got %d (%s); want 200", resp.StatusCode, clip(body))
	}
	c := decode[generated.MessageStatusCollection](t, body)
	if lenOf(c.MessageStatuses) != 1 || (*c.MessageStatuses)[0].Categories == nil {
		t.Fatalf("summary: got %s; want one entry with categories", body)
	}
	cats := map[string]generated.StatusCategory{}
	var order []string
	for _, cat := range *(*c.MessageStatuses)[0].Categories {
		cats[*cat.Name] = cat
		order = append(order, *cat.Name)
	}
	if got, want := strings.Join(order, ","), "Sent,Pending,Received,Acknowledged,Undeliverable"; got != want {
		t.Errorf("categories: got %s; want %s", got, want)
	}

	resp, body = send(t, newRequest(t, srv, http.MethodGet, "/messages/"+id+"/messagestatus?view=detailed", ""))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("detailed: got %d (%s); want 200", resp.StatusCode, clip(body))
	}
	d := decode[generated.MessageStatusCollection](t, body)
	detailed := map[string]map[string]generated.ChannelStatus{}
	for _, e := range *d.MessageStatuses {
		chans := map[string]generated.ChannelStatus{}
		for _, ch := range *e.Status {
			chans[*ch.Type] = ch
		}
		detailed[*e.Name] = chans
	}
	return cats, detailed
}

// checkStamp checks a timestamp of the detailed view: epoch milliseconds
// of want, or absent when want is zero.
func checkStamp(t *testing.T, what string, got any, want time.Time) {
	t.Helper()
	switch {
	case want.IsZero() && got != nil:
		t.Errorf("%s: got %v; want none", what, got)
	case !want.IsZero() && got != float64(want.UnixMilli()):
		t.Errorf("%s: got %v; want %d", what, got, want.UnixMilli())
	}
}

func TestLifecycleStatus(t *testing.T) {
	t.Parallel()
	srv := start(t)
	type recipientWant map[string]channelWant // channel -> want; unused channels must be empty
	tests := []struct {
		name     string
		message  string
		events   func(id string) error
		summary  map[string]string // category -> "count percentage"; absent categories are "0 0.0%"
		detailed map[string]recipientWant
	}{
		{
			name: "sent", message: lcTwo,
			events:  func(string) error { return nil },
			summary: map[string]string{"Sent": "2 100.0%"},
			detailed: map[string]recipientWant{
				lcNumber: {"sms": {status: "SENT"}},
				lcEmail:  {"email": {status: "SENT"}},
			},
		},
		{
			name: "delivered", message: lcTwo,
			events:  func(id string) error { return srv.Deliver(id, whispirtest.At(lcT0)) },
			summary: map[string]string{"Received": "2 100.0%"},
			detailed: map[string]recipientWant{
				lcNumber: {"sms": {status: "DELIVRD", received: lcT0}},
				lcEmail:  {"email": {status: "DELIVRD", received: lcT0}},
			},
		},
		{
			name: "delivered then replied", message: lcTwo,
			events: func(id string) error {
				return errors.Join(srv.Deliver(id, whispirtest.At(lcT0)), srv.Reply(id, lcNumber, "Yes", whispirtest.At(lcT1)))
			},
			summary: map[string]string{"Received": "1 50.0%", "Acknowledged": "1 50.0%"},
			detailed: map[string]recipientWant{
				lcNumber: {"sms": {status: "READ", received: lcT0, acknowledged: lcT1}},
				lcEmail:  {"email": {status: "DELIVRD", received: lcT0}},
			},
		},
		{
			name: "a reply implies delivery", message: lcTwo,
			events:  func(id string) error { return srv.Reply(id, lcEmail, "Yes", whispirtest.At(lcT1)) },
			summary: map[string]string{"Sent": "1 50.0%", "Acknowledged": "1 50.0%"},
			detailed: map[string]recipientWant{
				lcNumber: {"sms": {status: "SENT"}},
				lcEmail:  {"email": {status: "READ", received: lcT1, acknowledged: lcT1}},
			},
		},
		{
			name: "undeliverable", message: lcTwo,
			events:  func(id string) error { return srv.Undeliverable(id, whispirtest.At(lcT1)) },
			summary: map[string]string{"Undeliverable": "2 100.0%"},
			detailed: map[string]recipientWant{
				lcNumber: {"sms": {status: "FAILED", failed: lcT1}},
				lcEmail:  {"email": {status: "FAILED", failed: lcT1}},
			},
		},
		{
			name: "one delivered, the rest undeliverable", message: lcTwo,
			events: func(id string) error {
				return errors.Join(srv.Deliver(id, whispirtest.ForRecipients(lcEmail), whispirtest.At(lcT0)),
					srv.Undeliverable(id, whispirtest.At(lcT1)))
			},
			summary: map[string]string{"Received": "1 50.0%", "Undeliverable": "1 50.0%"},
			detailed: map[string]recipientWant{
				lcNumber: {"sms": {status: "FAILED", failed: lcT1}},
				lcEmail:  {"email": {status: "DELIVRD", received: lcT0}},
			},
		},
		{
			name:    "sms delivered, voice failed",
			message: `{"to":"+61400000000","subject":"Call","body":"Hello","voice":{"body":"Hello","type":"ConfCall:,ConfAccountNo:,ConfPinNo:,ConfModPinNo:,Pin:"}}`,
			events: func(id string) error {
				return errors.Join(srv.Deliver(id, whispirtest.OnChannel("SMS"), whispirtest.At(lcT0)),
					srv.Undeliverable(id, whispirtest.OnChannel("voice"), whispirtest.At(lcT1)))
			},
			summary: map[string]string{"Received": "1 100.0%"},
			detailed: map[string]recipientWant{
				"+" + lcNumber: {"sms": {status: "DELIVRD", received: lcT0}, "voice": {status: "FAILED", failed: lcT1}},
			},
		},
		{
			name:    "scheduled",
			message: `{"to":"61400000000","subject":"Later","body":"Tomorrow","messageType":"SCHEDULED","scheduleType":"ONCE","scheduleDate":"28/11/2026 09:00"}`,
			events:  func(string) error { return nil },
			summary: map[string]string{"Pending": "1 100.0%"},
			detailed: map[string]recipientWant{
				lcNumber: {"sms": {status: "PENDING"}},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			id := sendMessageAny(t, srv, tc.message)
			if err := tc.events(id); err != nil {
				t.Fatalf("events: %v", err)
			}
			cats, detailed := statusView(t, srv, id)
			for name, cat := range cats {
				want := tc.summary[name]
				if want == "" {
					want = "0 0.0%"
				}
				if got := strings.Join([]string{strconv.Itoa(*cat.RecipientCount), *cat.PercentageTotal}, " "); got != want {
					t.Errorf("%s: got %s; want %s", name, got, want)
				}
			}
			if len(detailed) != len(tc.detailed) {
				t.Errorf("detailed: got %d recipients; want %d", len(detailed), len(tc.detailed))
			}
			for recipient, chans := range tc.detailed {
				got, ok := detailed[recipient]
				if !ok {
					t.Errorf("detailed: no entry for %s", recipient)
					continue
				}
				for _, ch := range []string{"sms", "email", "voice"} {
					g, w := got[ch], chans[ch]
					if *g.Status != w.status {
						t.Errorf("%s %s: got status %q; want %q", recipient, ch, *g.Status, w.status)
					}
					if w.status == "" {
						continue
					}
					if *g.Destination != recipient {
						t.Errorf("%s %s: got destination %q; want the recipient", recipient, ch, *g.Destination)
					}
					if (g.SentTimestamp == nil) != (w.status == "PENDING") {
						t.Errorf("%s %s: got sentTimestamp %v; want one unless pending", recipient, ch, g.SentTimestamp)
					}
					checkStamp(t, recipient+" "+ch+" receivedTimestamp", g.ReceivedTimestamp, w.received)
					checkStamp(t, recipient+" "+ch+" acknowlegedTimestamp", g.AcknowledgedTimestamp, w.acknowledged)
					checkStamp(t, recipient+" "+ch+" undeliverableTimestamp", g.UndeliverableTimestamp, w.failed)
				}
			}
		})
	}
}

// sendMessageAny sends body to the default workspace: 202 or, for a
// scheduled message, 200 with the message; it returns the id.
func sendMessageAny(t *testing.T, srv *whispirtest.Server, body string) string {
	t.Helper()
	resp, data := send(t, newRequest(t, srv, http.MethodPost, "/messages", body))
	switch resp.StatusCode {
	case http.StatusAccepted:
		loc := resp.Header.Get("Location")
		return loc[strings.LastIndex(loc, "/")+1:]
	case http.StatusOK:
		id, err := api.MessageID(decode[generated.Message](t, data))
		if err != nil {
			t.Fatalf("messageCreate: %v", err)
		}
		return id
	}
	t.Fatalf("messageCreate: got %d (%s); want 202 or 200", resp.StatusCode, clip(data))
	return ""
}

func TestLifecycleResponses(t *testing.T) {
	t.Parallel()
	srv := start(t)
	id := sendMessage(t, srv, lcTwo)
	other := sendMessage(t, srv, lcTwo)
	for _, err := range []error{
		srv.Reply(id, lcNumber, "Yes", whispirtest.At(lcT0)),
		srv.Reply(id, "+"+lcNumber, "Yes, really", whispirtest.At(lcT1)),
		srv.Undeliverable(id, whispirtest.At(lcT1)), // the email address: not delivered yet
	} {
		if err != nil {
			t.Fatal(err)
		}
	}

	get := func(t *testing.T, path string) []byte {
		t.Helper()
		resp, body := send(t, newRequest(t, srv, http.MethodGet, path, ""))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: got %d (%s); want 200", path, resp.StatusCode, clip(body))
		}
		return body
	}
	t.Run("summary", func(t *testing.T) {
		t.Parallel()
		c := decode[generated.MessageResponseCollection](t, get(t, "/messages/"+id+"/messageresponses?view=summary&filter=default"))
		var got []string
		for _, r := range *c.MessageResponses {
			got = append(got, *r.Type+" "+*r.ResponseCount+" "+*r.PercentageTotal)
		}
		if want := "noresponse 1 50%,notmatched 1 50%"; strings.Join(got, ",") != want {
			t.Errorf("got %s; want %s", strings.Join(got, ","), want)
		}
	})
	t.Run("detailed", func(t *testing.T) {
		t.Parallel()
		c := decode[generated.MessageResponseCollection](t, get(t, "/messages/"+id+"/messageresponses?view=detailed"))
		if *c.Status != "1 to 3 of 3" {
			t.Errorf("status: got %q; want 1 to 3 of 3", *c.Status)
		}
		var got []string
		for _, r := range *c.MessageResponses {
			m := r.ResponseMessage
			line := []string{*r.From.Name, *r.ResponseCategory, *m.Channel, *m.Acknowledged, *m.Content}
			if m.Undeliverable != nil {
				line = append(line, "undeliverable "+*m.Undeliverable)
			}
			got = append(got, strings.Join(line, "|"))
		}
		want := []string{
			"61400000000|notmatched|SMS|27/11/26 10:15|Yes",
			"61400000000|notmatched|SMS|27/11/26 10:16|Yes, really",
			"jane.citizen@example.com|noresponse|N/A|N/A|N/A|undeliverable 27/11/26 10:16",
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if first := (*c.MessageResponses)[0].From; first.Mobile == nil || *first.Mobile != lcNumber || first.Email != nil {
			t.Errorf("from: got %+v; want the mobile number only", first)
		}
	})
	t.Run("detailed paged", func(t *testing.T) {
		t.Parallel()
		c := decode[generated.MessageResponseCollection](t, get(t, "/messages/"+id+"/messageresponses?view=detailed&limit=1&offset=2"))
		if *c.Status != "3 to 3 of 3" || lenOf(c.MessageResponses) != 1 || *(*c.MessageResponses)[0].ResponseCategory != "noresponse" {
			t.Errorf("got status %q, %d entries; want the third of 3, noresponse", *c.Status, lenOf(c.MessageResponses))
		}
	})
	t.Run("responseCount", func(t *testing.T) {
		t.Parallel()
		if got := decode[generated.Message](t, get(t, "/messages/"+id)).ResponseCount; got == nil || *got != "2" {
			t.Errorf("messageRetrieve: got responseCount %v; want \"2\"", got)
		}
		counts := map[string]string{}
		for _, m := range *decode[generated.MessageCollection](t, get(t, "/messages")).Messages {
			counts[listedID(t, m)] = *m.ResponseCount
		}
		if counts[id] != "2" || counts[other] != "0" {
			t.Errorf("messageList: got responseCount %q and %q; want \"2\" and \"0\"", counts[id], counts[other])
		}
	})
}

func TestLifecycleErrors(t *testing.T) {
	t.Parallel()
	srv := start(t)
	const unknown = "747AB7E716C1802B6476784AEB5C9BB8"
	const stranger = "61499999876"
	tests := []struct {
		name    string
		call    func(id string) error
		want    error    // sentinel; nil: any error
		mention []string // parts of the error text
	}{
		{"deliver unknown id", func(string) error { return srv.Deliver(unknown) }, whispirtest.ErrUnknownMessage, []string{unknown}},
		{"reply unknown id", func(string) error { return srv.Reply(unknown, lcNumber, "x") }, whispirtest.ErrUnknownMessage, []string{unknown}},
		{"undeliverable unknown id", func(string) error { return srv.Undeliverable(unknown) }, whispirtest.ErrUnknownMessage, []string{unknown}},
		{"reply from a stranger", func(id string) error { return srv.Reply(id, stranger, "x") }, whispirtest.ErrNotRecipient, []string{"*******9876"}},
		{"reply on a channel not sent", func(id string) error { return srv.Reply(id, lcNumber, "x", whispirtest.OnChannel("voice")) }, whispirtest.ErrNotRecipient, []string{"voice"}},
		{"reply by email to an sms recipient", func(id string) error { return srv.Reply(id, lcNumber, "x", whispirtest.OnChannel("email")) }, whispirtest.ErrNotRecipient, []string{"email"}},
		{"reply after failure", func(id string) error {
			return errors.Join(srv.Undeliverable(id, whispirtest.ForRecipients(lcEmail)), srv.Reply(id, lcEmail, "x"))
		}, whispirtest.ErrDeliveryFailed, nil},
		{"deliver to a stranger", func(id string) error { return srv.Deliver(id, whispirtest.ForRecipients(lcEmail, stranger)) }, whispirtest.ErrNotRecipient, []string{"*******9876"}},
		{"undeliverable on a channel nobody has", func(id string) error { return srv.Undeliverable(id, whispirtest.OnChannel("voice")) }, whispirtest.ErrNotRecipient, []string{"voice"}},
		{"unknown channel", func(id string) error { return srv.Deliver(id, whispirtest.OnChannel("fax")) }, nil, []string{"channel"}},
		{"reply for recipients", func(id string) error { return srv.Reply(id, lcNumber, "x", whispirtest.ForRecipients(lcNumber)) }, nil, []string{"ForRecipients"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			id := sendMessage(t, srv, lcTwo)
			err := tc.call(id)
			if err == nil {
				t.Fatalf("got no error; want one")
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("got %v; want it to wrap %v", err, tc.want)
			}
			for _, m := range tc.mention {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("got %q; want it to mention %q", err, m)
				}
			}
			for _, secret := range []string{stranger, lcNumber, lcEmail} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("got %q; want no recipient in clear", err)
				}
			}
			if tc.want == whispirtest.ErrUnknownMessage {
				return
			}
			// Nothing changed by a refused event, except what a joined
			// call did before it.
			cats, _ := statusView(t, srv, id)
			if tc.name != "reply after failure" && *cats["Sent"].RecipientCount != 2 {
				t.Errorf("Sent: got %d; want 2 (nothing changed)", *cats["Sent"].RecipientCount)
			}
		})
	}

	t.Run("ids and recipients as users write them", func(t *testing.T) {
		t.Parallel()
		id := sendMessage(t, srv, `{"to":"+61400000000","subject":"x","body":"y"}`)
		ws := sendSMS(t, srv, workspace) // another workspace: found too
		for _, err := range []error{
			srv.Deliver(strings.ToLower(id)),
			srv.Reply(id, "61400000000", "ok"),
			srv.Reply(ws, "+61400000000", "ok", whispirtest.OnChannel(" SMS ")),
		} {
			if err != nil {
				t.Errorf("got %v; want nil", err)
			}
		}
	})
}
