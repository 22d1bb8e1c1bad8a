package whispirtest_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/whispir-go/whispir/api"
	"github.com/whispir-go/whispir/generated"
)

var messageID = regexp.MustCompile(`^[0-9A-F]{32}$`)

func TestMessageCreate(t *testing.T) {
	t.Parallel()
	srv := start(t)
	tests := []struct {
		name         string
		path         string
		contentType  string
		body         string
		wantStatus   int
		wantLocation string // prefix; "" for none
		wantWS       string
	}{
		{"workspace sms", "/workspaces/" + workspace + "/messages", "", smsBody, http.StatusAccepted, "/workspaces/" + workspace + "/messages/", workspace},
		{"default workspace sms", "/messages", "", smsBody, http.StatusAccepted, "/messages/", ""},
		{"email with sms", "/messages", "", `{"to":"61400000000,jane.citizen@example.com","subject":"Maintenance","body":"Offline at 22:00","email":{"body":"<p>Offline</p>","type":"text/html"},"label":"maintenance"}`, http.StatusAccepted, "/messages/", ""},
		{"bulk", "/workspaces/" + workspace + "/messages", "application/vnd.whispir.bulkmessage-v1+json", `{"subject":"Balance","body":"Hi @@first_name@@","resource":{"resourceId":"4FBBC384BCE3DAABFE3","smsMappingField":"mobile"}}`, http.StatusAccepted, "/workspaces/" + workspace + "/messages/", workspace},
		{"scheduled", "/workspaces/" + workspace + "/messages", "", `{"to":"61400000000","subject":"Reminder","body":"Tomorrow","messageType":"SCHEDULED","scheduleType":"ONCE","scheduleDate":"28/11/2026 09:00"}`, http.StatusOK, "", workspace},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req := newRequest(t, srv, http.MethodPost, tc.path, tc.body)
			if tc.contentType != "" {
				req.Header.Set("Content-Type", tc.contentType)
			}
			resp, body := send(t, req)
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status: got %d (%s); want %d", resp.StatusCode, clip(body), tc.wantStatus)
			}
			validate(t, req, resp, body, "")
			if got, want := resp.Header.Get("Content-Type"), "application/vnd.whispir.message-v1+json"; got != want {
				t.Errorf("Content-Type: got %q; want %q", got, want)
			}
			var id string
			if tc.wantStatus == http.StatusAccepted {
				if got, want := string(body), "Your request has been accepted for processing"; got != want {
					t.Errorf("body: got %q; want %q", got, want)
				}
				loc := resp.Header.Get("Location")
				prefix := srv.URL + tc.wantLocation
				if !strings.HasPrefix(loc, prefix) {
					t.Fatalf("Location: got %q; want prefix %q", loc, prefix)
				}
				id = strings.TrimPrefix(loc, prefix)
			} else {
				if loc := resp.Header.Get("Location"); loc != "" {
					t.Errorf("Location: got %q; want none", loc)
				}
				m := decode[generated.Message](t, body)
				if m.ID != nil {
					t.Errorf("scheduled echo has an id field %q; Whispir's has none", *m.ID)
				}
				var err error
				if id, err = api.MessageID(m); err != nil {
					t.Fatalf("scheduled echo names no message: %v (%s)", err, body)
				}
				if got, want := selfLink(t, body), srv.URL+tc.path+"/"+id; got != want {
					t.Errorf("self link: got %q; want %q", got, want)
				}
				if m.MessageType == nil || *m.MessageType != "SCHEDULED" {
					t.Errorf("messageType: got %v; want SCHEDULED", m.MessageType)
				}
			}
			if !messageID.MatchString(id) {
				t.Fatalf("id: got %q; want 32 upper-case hex digits", id)
			}
			found := false
			for _, m := range srv.Messages() {
				if m.ID != id {
					continue
				}
				found = true
				if m.WorkspaceID != tc.wantWS {
					t.Errorf("WorkspaceID: got %q; want %q", m.WorkspaceID, tc.wantWS)
				}
				if isBulk := tc.contentType != ""; isBulk != (m.Bulk != nil) {
					t.Errorf("Bulk: got %v; want bulk=%v", m.Bulk, isBulk)
				}
				if m.Bulk == nil && m.Message.To == "" {
					t.Errorf("Message.To: got empty; want the recipients")
				}
				if *m.Credentials != srv.Credentials() {
					t.Errorf("Credentials: got %v; want the server's", m.Credentials)
				}
			}
			if !found {
				t.Errorf("Messages: no message %s", id)
			}
		})
	}
}

func TestMessageListPaging(t *testing.T) {
	t.Parallel()
	srv := start(t)
	const total = 45
	created := map[string]bool{}
	for range total {
		created[sendSMS(t, srv, workspace)] = true
	}
	sendSMS(t, srv, "")                      // other workspaces are not listed
	sendSMS(t, srv, createWorkspace(t, srv)) // nor this one

	type pageWant struct {
		status string
		n      int
		prev   bool
	}
	wantPages := []pageWant{{"1 to 20 of 45", 20, false}, {"21 to 40 of 45", 20, true}, {"41 to 45 of 45", 5, true}}
	next := srv.URL + "/workspaces/" + workspace + "/messages?limit=20"
	seen := map[string]bool{}
	for i, want := range wantPages {
		if next == "" {
			t.Fatalf("page %d: no next link; want one", i+1)
		}
		req := newRequest(t, srv, http.MethodGet, strings.TrimPrefix(next, srv.URL), "")
		resp, body := send(t, req)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("page %d: got %d (%s); want 200", i+1, resp.StatusCode, clip(body))
		}
		validate(t, req, resp, body, "")
		page := decode[generated.MessageCollection](t, body)
		if page.Status == nil || *page.Status != want.status {
			t.Errorf("page %d status: got %v; want %q", i+1, page.Status, want.status)
		}
		if page.Messages == nil || len(*page.Messages) != want.n {
			t.Fatalf("page %d: got %d messages; want %d", i+1, lenOf(page.Messages), want.n)
		}
		for _, m := range *page.Messages {
			id := listedID(t, m)
			if !created[id] || seen[id] {
				t.Errorf("page %d: unexpected or repeated message %v", i+1, id)
				continue
			}
			seen[id] = true
			if m.Direction == nil || *m.Direction != "OUTGOING" || m.ResponseCount == nil || *m.ResponseCount != "0" ||
				m.To == nil || *m.To != "61400000000" || m.MessageType != nil {
				t.Errorf("message %s: got direction %v, responseCount %v, to %v, messageType %v; want OUTGOING, \"0\", the recipients, none",
					id, m.Direction, m.ResponseCount, m.To, m.MessageType)
			}
		}
		next = ""
		prev := false
		for _, l := range *page.Link {
			switch *l.Rel {
			case "next":
				next = *l.URI
				if !strings.HasPrefix(next, srv.URL+"/") {
					t.Errorf("next link: got %q; want an absolute URI under %s", next, srv.URL)
				}
			case "prev":
				prev = true
			}
		}
		if prev != want.prev {
			t.Errorf("page %d prev link: got %v; want %v", i+1, prev, want.prev)
		}
	}
	if next != "" {
		t.Errorf("last page: got next link %q; want none", next)
	}
	if len(seen) != total {
		t.Errorf("listed: got %d distinct messages; want %d", len(seen), total)
	}

	empty := createWorkspace(t, srv)
	t.Run("empty workspace", func(t *testing.T) {
		t.Parallel()
		req := newRequest(t, srv, http.MethodGet, "/workspaces/"+empty+"/messages", "")
		resp, body := send(t, req)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("got %d; want 200", resp.StatusCode)
		}
		page := decode[generated.MessageCollection](t, body)
		if page.Status == nil || *page.Status != "No records found" || page.Messages != nil {
			t.Errorf("got status %v, %d messages; want \"No records found\" and no messages", page.Status, lenOf(page.Messages))
		}
	})
	t.Run("offset past the end", func(t *testing.T) {
		t.Parallel()
		resp, body := send(t, newRequest(t, srv, http.MethodGet, "/workspaces/"+workspace+"/messages?offset=100", ""))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("got %d; want 200", resp.StatusCode)
		}
		if page := decode[generated.MessageCollection](t, body); page.Status == nil || *page.Status != "No records found" {
			t.Errorf("status: got %v; want \"No records found\"", page.Status)
		}
	})
	t.Run("default workspace", func(t *testing.T) {
		t.Parallel()
		resp, body := send(t, newRequest(t, srv, http.MethodGet, "/messages?limit=5", ""))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("got %d; want 200", resp.StatusCode)
		}
		if page := decode[generated.MessageCollection](t, body); page.Status == nil || *page.Status != "1 to 1 of 1" {
			t.Errorf("status: got %v; want \"1 to 1 of 1\"", page.Status)
		}
	})
}

func lenOf[T any](p *[]T) int {
	if p == nil {
		return 0
	}
	return len(*p)
}

func TestMessageReads(t *testing.T) {
	t.Parallel()
	srv := start(t)
	wsID := sendSMS(t, srv, workspace)
	defID := sendSMS(t, srv, "")
	// Two recipients: a phone number and an email address.
	req := newRequest(t, srv, http.MethodPost, "/workspaces/"+workspace+"/messages",
		`{"to":"61400000000, jane.citizen@example.com","subject":"Two","body":"Hello"}`)
	resp, _ := send(t, req)
	loc := resp.Header.Get("Location")
	twoID := loc[strings.LastIndex(loc, "/")+1:]

	ws := "/workspaces/" + workspace + "/messages/"
	tests := []struct {
		name, path string
		want       int
		check      func(t *testing.T, body []byte)
	}{
		{"retrieve", ws + wsID, http.StatusOK, func(t *testing.T, body []byte) {
			m := decode[generated.Message](t, body)
			if m.ID != nil || m.MessageType != nil || m.To != "61400000000" || *m.Direction != "OUTGOING" || *m.ResponseCount != "0" || m.CreatedTime == nil {
				t.Errorf("got %s; want the message with direction, responseCount and createdTime, and no id or messageType, as Whispir's", body)
			}
			if id, err := api.MessageID(m); err != nil || id != wsID {
				t.Errorf("MessageID = %q, %v; want %q", id, err, wsID)
			}
			if got, want := selfLink(t, body), srv.URL+ws+wsID; got != want {
				t.Errorf("self link: got %q; want %q", got, want)
			}
			if !strings.Contains(string(body), `"rel":"summaryStatus"`) {
				t.Errorf("links: got %s; want a summaryStatus link", body)
			}
		}},
		{"retrieve default", "/messages/" + defID, http.StatusOK, nil},
		{"retrieve from the other workspace", "/messages/" + wsID, http.StatusNotFound, nil},
		{"retrieve unknown", ws + "747AB7E716C1802B6476784AEB5C9BB8", http.StatusNotFound, nil},
		{"status summary", ws + twoID + "/messagestatus", http.StatusOK, func(t *testing.T, body []byte) {
			c := decode[generated.MessageStatusCollection](t, body)
			if lenOf(c.MessageStatuses) != 1 {
				t.Fatalf("got %d entries; want 1", lenOf(c.MessageStatuses))
			}
			cats := *(*c.MessageStatuses)[0].Categories
			if len(cats) != 5 || *cats[0].Name != "Sent" || *cats[0].RecipientCount != 2 || *cats[0].PercentageTotal != "100.0%" {
				t.Errorf("categories: got %s; want Sent 2 100.0%% first of five", body)
			}
			if *c.Status != "1 to 1 of 1" {
				t.Errorf("status: got %q; want %q", *c.Status, "1 to 1 of 1")
			}
		}},
		{"status detailed", ws + twoID + "/messagestatus?view=detailed", http.StatusOK, func(t *testing.T, body []byte) {
			c := decode[generated.MessageStatusCollection](t, body)
			if lenOf(c.MessageStatuses) != 2 {
				t.Fatalf("got %d entries; want 2", lenOf(c.MessageStatuses))
			}
			email := (*c.MessageStatuses)[1]
			if *email.Name != "jane.citizen@example.com" {
				t.Errorf("second recipient: got %q; want the email address", *email.Name)
			}
			for _, ch := range *email.Status {
				if want := map[string]string{"email": "SENT"}[*ch.Type]; *ch.Status != want {
					t.Errorf("channel %s: got status %q; want %q", *ch.Type, *ch.Status, want)
				}
			}
		}},
		{"status detailed paged", ws + twoID + "/messagestatus?view=detailed&limit=1&offset=1", http.StatusOK, func(t *testing.T, body []byte) {
			c := decode[generated.MessageStatusCollection](t, body)
			if *c.Status != "2 to 2 of 2" || lenOf(c.MessageStatuses) != 1 {
				t.Errorf("got %s; want the second of two", body)
			}
		}},
		{"status default workspace", "/messages/" + defID + "/messagestatus?view=summary", http.StatusOK, nil},
		{"status unknown", ws + "747AB7E716C1802B6476784AEB5C9BB8/messagestatus", http.StatusNotFound, nil},
		{"responses summary", ws + twoID + "/messageresponses?view=summary&filter=default", http.StatusOK, func(t *testing.T, body []byte) {
			c := decode[generated.MessageResponseCollection](t, body)
			if lenOf(c.MessageResponses) == 0 {
				t.Fatalf("got no entries; want the noresponse count")
			}
			first := (*c.MessageResponses)[0]
			if *first.Type != "noresponse" || *first.ResponseCount != "2" {
				t.Errorf("got %s; want noresponse with count \"2\"", body)
			}
		}},
		{"responses detailed", ws + twoID + "/messageresponses?view=detailed", http.StatusOK, func(t *testing.T, body []byte) {
			// Nobody replied: each recipient is listed as noresponse.
			c := decode[generated.MessageResponseCollection](t, body)
			if *c.Status != "1 to 2 of 2" || lenOf(c.MessageResponses) != 2 {
				t.Fatalf("got %s; want the two recipients", body)
			}
			for _, r := range *c.MessageResponses {
				if *r.ResponseCategory != "noresponse" || *r.ResponseMessage.Content != "N/A" {
					t.Errorf("got %s; want noresponse with content N/A", body)
				}
			}
		}},
		{"responses default workspace", "/messages/" + defID + "/messageresponses", http.StatusOK, nil},
		{"responses unknown", "/messages/747AB7E716C1802B6476784AEB5C9BB8/messageresponses", http.StatusNotFound, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req := newRequest(t, srv, http.MethodGet, tc.path, "")
			resp, body := send(t, req)
			if resp.StatusCode != tc.want {
				t.Fatalf("status: got %d (%s); want %d", resp.StatusCode, clip(body), tc.want)
			}
			validate(t, req, resp, body, "")
			if tc.check != nil {
				tc.check(t, body)
			}
		})
	}
}
