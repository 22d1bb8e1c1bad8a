package whispirtest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/whispir-go/whispir/generated"
	"github.com/whispir-go/whispir/security"
	"github.com/whispir-go/whispir/whispirtest"
)

// callbackNames lists the names of the stored callbacks.
func callbackNames(t *testing.T, srv *whispirtest.Server) map[string]int {
	t.Helper()
	resp, body := send(t, newRequest(t, srv, http.MethodGet, "/callbacks", ""))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("callbackList: got %d (%s); want 200", resp.StatusCode, clip(body))
	}
	names := map[string]int{}
	page := decode[generated.CallbackCollection](t, body)
	if page.Callbacks != nil {
		for _, cb := range *page.Callbacks {
			names[cb.Name]++
		}
	}
	return names
}

func TestCallbackCreateChecksURL(t *testing.T) {
	t.Parallel()
	srv := start(t, whispirtest.WithCallbackTimeout(2*time.Second))
	refused := httptest.NewServer(http.NotFoundHandler())
	refused.Close()
	port := func(u string) string { return u[strings.LastIndex(u, ":")+1:] }
	tests := []struct {
		name       string
		get        int    // the receiver's answer to the GET; 0: no receiver
		url        string // "": the receiver's URL
		wantStatus int
		wantText   string // part of errorText
	}{
		{"answers 200", http.StatusOK, "", http.StatusCreated, ""},
		{"on localhost", http.StatusOK, "http://localhost:PORT/hook", http.StatusCreated, ""},
		{"answers 404", http.StatusNotFound, "", http.StatusBadRequest, "Not Found (404)"},
		{"answers 500", http.StatusInternalServerError, "", http.StatusBadRequest, "(500)"},
		{"answers 204", http.StatusNoContent, "", http.StatusBadRequest, "(204)"},
		{"redirects", http.StatusFound, "", http.StatusBadRequest, "(302)"},
		{"never answers", -2, "", http.StatusBadRequest, "timeout"},
		{"connection refused", 0, refused.URL, http.StatusBadRequest, "connection refused"},
		{"not loopback", 0, "https://hooks.example.com/whispir", http.StatusBadRequest, "loopback"},
		{"unspecified address", http.StatusOK, "http://0.0.0.0:PORT/", http.StatusBadRequest, "loopback"},
		{"not http", 0, "ftp://127.0.0.1/hook", http.StatusBadRequest, "http"},
		{"key in the query", http.StatusNotFound, "RECEIVER?auth=fake-secret-in-url", http.StatusBadRequest, "(404)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			target := tc.url
			var hook *receiver
			if tc.get != 0 {
				hook = newReceiver(t, tc.get)
				switch {
				case target == "":
					target = hook.URL
				case strings.HasPrefix(target, "RECEIVER"):
					target = hook.URL + strings.TrimPrefix(target, "RECEIVER")
				default:
					target = strings.Replace(target, "PORT", port(hook.URL), 1)
				}
			}
			name := "check-" + strings.ReplaceAll(tc.name, " ", "-")
			req := newRequest(t, srv, http.MethodPost, "/callbacks", callbackJSON(name, target, "bearertoken", "fake-bearer-key", "json", false))
			resp, body := send(t, req)
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("got %d (%s); want %d", resp.StatusCode, clip(body), tc.wantStatus)
			}
			if stored := callbackNames(t, srv)[name] == 1; stored != (tc.wantStatus == http.StatusCreated) {
				t.Errorf("stored: got %v; want %v", stored, !stored)
			}
			if tc.wantStatus == http.StatusCreated {
				if hook != nil && len(hook.checks()) != 1 {
					t.Errorf("GETs: got %d; want 1", len(hook.checks()))
				}
				for _, g := range hook.checks() {
					if g.Header.Get("Authorization") != "" || strings.Contains(g.RawQuery, "auth") {
						t.Errorf("the check GET carried the callback's auth; want none")
					}
				}
				return
			}
			e := decode[apiErr](t, body)
			if !strings.Contains(e.ErrorText, tc.wantText) {
				t.Errorf("errorText: got %q; want it to mention %q", e.ErrorText, tc.wantText)
			}
			if strings.Contains(string(body), "fake-secret-in-url") || strings.Contains(string(body), "fake-bearer-key") {
				t.Errorf("answer %s quotes a secret", body)
			}
		})
	}
}

// TestRemoteCallbacks: 0.0.0.0 reaches a loopback listener on Linux and
// macOS but is not a loopback address, so only WithRemoteCallbacks lets the
// mock call it.
func TestRemoteCallbacks(t *testing.T) {
	t.Parallel()
	if runtime.GOOS != "linux" && runtime.GOOS != "darwin" {
		t.Skip("connecting to 0.0.0.0 reaches loopback only on linux and darwin")
	}
	hook := newReceiver(t, http.StatusOK)
	target := "http://0.0.0.0:" + hook.URL[strings.LastIndex(hook.URL, ":")+1:] + "/hook"
	for _, remote := range []bool{false, true} {
		t.Run(fmt.Sprint("remote=", remote), func(t *testing.T) {
			t.Parallel()
			var opts []whispirtest.Option
			want := http.StatusBadRequest
			if remote {
				opts, want = append(opts, whispirtest.WithRemoteCallbacks()), http.StatusCreated
			}
			srv := start(t, opts...)
			resp, body := send(t, newRequest(t, srv, http.MethodPost, "/callbacks", callbackJSON("remote", target, "", "", "json", false)))
			if resp.StatusCode != want {
				t.Fatalf("callbackCreate: got %d (%s); want %d", resp.StatusCode, clip(body), want)
			}
			if !remote {
				return
			}
			id := sendMessage(t, srv, `{"to":"61400000000","subject":"s","callbackId":"remote"}`)
			if err := srv.Reply(id, lcNumber, "yes"); err != nil {
				t.Fatal(err)
			}
			waitCallbacks(t, srv)
			if calls := srv.CallbackCalls(); len(calls) != 1 || calls[0].Status != generated.CallbackCallStatusSUCCESS {
				t.Errorf("calls: got %+v; want one SUCCESS", calls)
			}
		})
	}
}

func TestCallbackNamesAreUnique(t *testing.T) {
	t.Parallel()
	srv := start(t)
	hook := newReceiver(t, http.StatusOK)
	body := func(name, email string) string {
		cb := decode[map[string]any](t, []byte(callbackJSON(name, hook.URL, "httpheader", "fake-key", "json", true)))
		cb["email"] = email
		data, _ := json.Marshal(cb)
		return string(data)
	}
	post := func(name string) (int, apiErr) {
		resp, data := send(t, newRequest(t, srv, http.MethodPost, "/callbacks", body(name, "ops@example.com")))
		if resp.StatusCode >= 400 {
			return resp.StatusCode, decode[apiErr](t, data)
		}
		return resp.StatusCode, apiErr{}
	}
	put := func(id, name, email string) int {
		resp, _ := send(t, newRequest(t, srv, http.MethodPut, "/callbacks/"+id, body(name, email)))
		return resp.StatusCode
	}

	t.Run("create twice", func(t *testing.T) {
		t.Parallel()
		if got, _ := post("twice"); got != http.StatusCreated {
			t.Fatalf("first: got %d; want 201", got)
		}
		got, e := post("twice")
		if got != http.StatusUnprocessableEntity || !strings.Contains(e.ErrorText, "name already exists") {
			t.Errorf("second: got %d %q; want 422 naming the rule", got, e.ErrorText)
		}
		if n := callbackNames(t, srv)["twice"]; n != 1 {
			t.Errorf("stored: got %d; want 1", n)
		}
	})
	t.Run("create at once", func(t *testing.T) {
		t.Parallel()
		const n = 8
		count := atOnce(n, func() int {
			got, _ := post("race")
			return got
		})
		if count[http.StatusCreated] != 1 || count[http.StatusUnprocessableEntity] != n-1 {
			t.Errorf("got %v; want one 201 and %d 422", count, n-1)
		}
	})
	t.Run("update", func(t *testing.T) {
		t.Parallel()
		a := createCallback(t, srv, body("update-a", "a@example.com"))
		b := createCallback(t, srv, body("update-b", "b@example.com"))
		if got := put(b, "update-a", "b@example.com"); got != http.StatusUnprocessableEntity {
			t.Errorf("rename to a taken name: got %d; want 422", got)
		}
		if got := put(b, "update-b", "new@example.com"); got != http.StatusNoContent {
			t.Errorf("keep its own name: got %d; want 204", got)
		}
		if got := put(a, "update-a", "a@example.com"); got != http.StatusNoContent {
			t.Errorf("unchanged: got %d; want 204", got)
		}
		cb := decode[map[string]any](t, []byte(body("update-b", "x@example.com")))
		cb["url"] = "https://hooks.example.com/whispir"
		data, _ := json.Marshal(cb)
		if resp, _ := send(t, newRequest(t, srv, http.MethodPut, "/callbacks/"+b, string(data))); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("update to a remote url: got %d; want 400", resp.StatusCode)
		}
		_, got := send(t, newRequest(t, srv, http.MethodGet, "/callbacks/"+b, ""))
		if cb := decode[generated.Callback](t, got); cb.URL != hook.URL || *cb.Email != "new@example.com" {
			t.Errorf("after the refused update: got url %q, email %q; want the last accepted", cb.URL, *cb.Email)
		}
		if got := put("ABCDEF0123456789", "update-c", "c@example.com"); got != http.StatusNotFound {
			t.Errorf("unknown id: got %d; want 404", got)
		}
	})
}

// gotPayload is what a receiver decoded from a callback POST, JSON or XML.
type gotPayload struct {
	MessageID       string `json:"messageid" xml:"messageid"`
	MessageLocation string `json:"messagelocation" xml:"messagelocation"`
	From            struct {
		Name   string `json:"name" xml:"name"`
		MRI    string `json:"mri" xml:"mri"`
		Mobile string `json:"mobile" xml:"mobile"`
		Email  string `json:"email" xml:"email"`
		Voice  string `json:"voice" xml:"voice"`
	} `json:"from" xml:"from"`
	ResponseMessage struct {
		Channel       string  `json:"channel" xml:"channel"`
		Acknowledged  *string `json:"acknowledged" xml:"acknowledged"`
		Undeliverable *string `json:"undeliverable" xml:"undeliverable"`
		Content       *string `json:"content" xml:"content"`
	} `json:"responseMessage" xml:"responseMessage"`
	CustomParameters map[string]string `json:"customParameters" xml:"-"`
	Entries          []struct {
		Key   string `xml:"key"`
		Value string `xml:"value"`
	} `json:"-" xml:"customParameters>entry"`
}

// decodePayload decodes a POST as the callback's contentType says, and
// checks the canonical spelling: lower-case messageid and messagelocation
// in JSON, the ns2:deliveryResponse root in XML.
func decodePayload(t *testing.T, r received, contentType string) gotPayload {
	t.Helper()
	var p gotPayload
	switch contentType {
	case "json":
		if got := r.Header.Get("Content-Type"); got != "application/json" {
			t.Errorf("Content-Type: got %q; want application/json", got)
		}
		keys := decode[map[string]json.RawMessage](t, r.Body)
		for _, k := range []string{"messageid", "messagelocation", "from", "responseMessage"} {
			if _, ok := keys[k]; !ok {
				t.Errorf("JSON: no key %q in %s", k, r.Body)
			}
		}
		p = decode[gotPayload](t, r.Body)
	case "xml":
		if got := r.Header.Get("Content-Type"); got != "application/xml" {
			t.Errorf("Content-Type: got %q; want application/xml", got)
		}
		const head = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" + `<ns2:deliveryResponse xmlns:ns2="http://schemas.api.whispir.com">`
		if !bytes.HasPrefix(r.Body, []byte(head)) {
			t.Errorf("XML: got %q; want it to start with %q", clip(r.Body), head)
		}
		var root struct {
			XMLName xml.Name
			gotPayload
		}
		if err := xml.Unmarshal(r.Body, &root); err != nil {
			t.Fatalf("XML: %v", err)
		}
		if root.XMLName.Space != "http://schemas.api.whispir.com" || root.XMLName.Local != "deliveryResponse" {
			t.Errorf("XML root: got %v; want deliveryResponse in the Whispir namespace", root.XMLName)
		}
		p = root.gotPayload
		if len(p.Entries) > 0 {
			p.CustomParameters = map[string]string{}
			for _, e := range p.Entries {
				p.CustomParameters[e.Key] = e.Value
			}
		}
	}
	return p
}

func TestCallbackDelivery(t *testing.T) {
	t.Parallel()
	srv := start(t)
	const key = "fake key+/=&ü" // obviously fake; needs escaping in a query
	auths := []struct {
		typ  string
		seen func(r received) string // the key as the receiver saw it
	}{
		{"httpheader", func(r received) string { return r.Header.Get("X-Whispir-Callback-Key") }},
		{"queryparam", func(r received) string { q, _ := url.ParseQuery(r.RawQuery); return q.Get("auth") }},
		{"basicauth", func(r received) string { return strings.TrimPrefix(r.Header.Get("Authorization"), "Basic ") }},
		{"bearertoken", func(r received) string { return strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ") }},
	}
	for _, auth := range auths {
		for _, ct := range []string{"json", "xml"} {
			t.Run(auth.typ+"/"+ct, func(t *testing.T) {
				t.Parallel()
				hook := newReceiver(t, http.StatusOK)
				name := "delivery-" + auth.typ + "-" + ct
				createCallback(t, srv, callbackJSON(name, hook.URL+"/in?src=whispir", auth.typ, key, ct, false))
				id := sendMessage(t, srv, `{"to":"61400000000","subject":"Reply YES","body":"b","callbackId":"`+name+
					`","callbackParameters":{"ticket":"T-42","date":"theirs"}}`)
				if err := srv.Reply(id, lcNumber, "Yes, I accept.", whispirtest.At(lcT0)); err != nil {
					t.Fatal(err)
				}
				waitCallbacks(t, srv)

				got := hook.received()
				if len(got) != 1 {
					t.Fatalf("POSTs: got %d; want 1", len(got))
				}
				r := got[0]
				if r.Method != http.MethodPost {
					t.Errorf("method: got %s; want POST", r.Method)
				}
				if seen := auth.seen(r); seen != key {
					t.Errorf("%s: the receiver saw key %q; want %q", auth.typ, seen, key)
				}
				if q, _ := url.ParseQuery(r.RawQuery); q.Get("src") != "whispir" {
					t.Errorf("query: got %q; want the url's own src=whispir kept", r.RawQuery)
				}
				if auth.typ != "httpheader" && r.Header.Get("X-Whispir-Callback-Key") != "" {
					t.Errorf("X-Whispir-Callback-Key sent for %s", auth.typ)
				}
				p := decodePayload(t, r, ct)
				if p.MessageID != id || p.MessageLocation != srv.URL+"/messages/"+id {
					t.Errorf("message: got %q at %q; want %s at its Location", p.MessageID, p.MessageLocation, id)
				}
				if p.From.Mobile != lcNumber || p.From.Voice != lcNumber || p.From.Name != lcNumber || p.From.Email != "" {
					t.Errorf("from: got %+v; want the mobile number", p.From)
				}
				rm := p.ResponseMessage
				if rm.Channel != "SMS" || rm.Acknowledged == nil || *rm.Acknowledged != "27/11/26 10:15" ||
					rm.Content == nil || *rm.Content != "Yes, I accept." || rm.Undeliverable != nil {
					t.Errorf("responseMessage: got %+v; want SMS, acknowledged 27/11/26 10:15, the reply", rm)
				}
				want := map[string]string{
					"ticket": "T-42", "date": "theirs", // the message's own parameters win
					"time": "10:15", "yyyy": "2026", "yy": "26", "mm": "11", "dd": "27", "hrs": "10", "min": "15", "sec": "00",
					"recipient_sms": lcNumber,
				}
				if fmt.Sprint(p.CustomParameters) != fmt.Sprint(want) {
					t.Errorf("customParameters: got %v; want %v", p.CustomParameters, want)
				}

				// The record: one successful call, its secrets redacted.
				var calls []whispirtest.CallbackCall
				for _, c := range srv.CallbackCalls() {
					if c.MessageID == id {
						calls = append(calls, c)
					}
				}
				if len(calls) != 1 {
					t.Fatalf("CallbackCalls: got %d for the message; want 1", len(calls))
				}
				c := calls[0]
				if c.Status != generated.CallbackCallStatusSUCCESS || c.StatusCode != http.StatusOK || c.Attempt != 1 ||
					c.CallbackName != name || c.Event != "reply" || !bytes.Equal(c.Body, r.Body) {
					t.Errorf("call: got %+v; want attempt 1, SUCCESS, 200, reply, the body sent", c)
				}
				wantAuth := map[string]string{"basicauth": "Basic " + security.Redacted, "bearertoken": "Bearer " + security.Redacted}[auth.typ]
				wantKey := map[string]string{"httpheader": security.Redacted}[auth.typ]
				wantURL := hook.URL + "/in?src=whispir"
				if auth.typ == "queryparam" {
					wantURL = hook.URL + "/in?auth=" + url.QueryEscape(security.Redacted) + "&src=whispir"
				}
				if got := c.Header.Get("Authorization"); got != wantAuth {
					t.Errorf("recorded Authorization: got %q; want %q", got, wantAuth)
				}
				if got := c.Header.Get("X-Whispir-Callback-Key"); got != wantKey {
					t.Errorf("recorded X-Whispir-Callback-Key: got %q; want %q", got, wantKey)
				}
				if c.URL != wantURL {
					t.Errorf("recorded URL: got %q; want %q", c.URL, wantURL)
				}
			})
		}
	}
}

func TestCallbackEvents(t *testing.T) {
	t.Parallel()
	srv := start(t)
	hook := newReceiver(t, http.StatusOK)
	toggles := func(name, reply, undeliverable string) string {
		cb := decode[map[string]any](t, []byte(callbackJSON(name, hook.URL, "", "", "xml", false)))
		cb["callbacks"] = map[string]string{"reply": reply, "undeliverable": undeliverable}
		data, _ := json.Marshal(cb)
		return string(data)
	}
	createCallback(t, srv, toggles("undeliverable-only", "disabled", "enabled"))
	createCallback(t, srv, toggles("reply-only", "enabled", "disabled"))
	two := func(callback string) string {
		return sendMessage(t, srv, `{"to":"61400000000, jane.citizen@example.com","subject":"s","callbackId":"`+callback+`"}`)
	}

	undeliverable := two("undeliverable-only")
	replyOnly := two("reply-only")
	nobody := two("no-such-callback")
	plain := sendMessage(t, srv, lcTwo)
	for _, id := range []string{undeliverable, replyOnly, nobody, plain} {
		if err := errors.Join(srv.Reply(id, lcNumber, "hi"), srv.Undeliverable(id, whispirtest.At(lcT1))); err != nil {
			t.Fatal(err)
		}
	}
	waitCallbacks(t, srv)

	byMessage := map[string][]gotPayload{}
	for _, r := range hook.received() {
		p := decodePayload(t, r, "xml")
		byMessage[p.MessageID] = append(byMessage[p.MessageID], p)
	}
	if n := len(byMessage[nobody]) + len(byMessage[plain]); n != 0 {
		t.Errorf("messages without a stored callback: got %d calls; want none", n)
	}
	if got := byMessage[replyOnly]; len(got) != 1 || got[0].ResponseMessage.Acknowledged == nil {
		t.Errorf("reply only: got %+v; want the reply alone", got)
	}
	got := byMessage[undeliverable]
	if len(got) != 1 {
		t.Fatalf("undeliverable only: got %d calls; want 1 (the email address; the number had replied)", len(got))
	}
	p := got[0]
	rm := p.ResponseMessage
	if rm.Channel != "email" || rm.Undeliverable == nil || *rm.Undeliverable != "27/11/26 10:16" || rm.Acknowledged != nil || rm.Content != nil {
		t.Errorf("responseMessage: got %+v; want email, undeliverable 27/11/26 10:16, no content", rm)
	}
	if p.From.Email != lcEmail || p.From.Mobile != "" {
		t.Errorf("from: got %+v; want the email address", p.From)
	}
	if p.CustomParameters["recipient_email"] != lcEmail || p.CustomParameters["date"] != "2026-11-27" || p.CustomParameters["time"] != "10:16" {
		t.Errorf("customParameters: got %v; want recipient_email, date and time", p.CustomParameters)
	}
}

// callList is GET /callbacks/{id}/calls with query, validated by start.
func callList(t *testing.T, srv *whispirtest.Server, id, query string) []generated.CallbackCall {
	t.Helper()
	resp, body := send(t, newRequest(t, srv, http.MethodGet, "/callbacks/"+id+"/calls"+query, ""))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("callbackCallList: got %d (%s); want 200", resp.StatusCode, clip(body))
	}
	page := decode[generated.CallbackCallCollection](t, body)
	if page.Calls == nil {
		return nil
	}
	return *page.Calls
}

// summary is "STATUS code" per call, e.g. "FAILED 503,SUCCESS 200".
func summary(calls []generated.CallbackCall) string {
	var out []string
	for _, c := range calls {
		out = append(out, fmt.Sprintf("%s %d", *c.Status, *c.Callback.StatusCode))
	}
	return strings.Join(out, ",")
}

func TestCallbackRetries(t *testing.T) {
	t.Parallel()
	srv := start(t, whispirtest.WithCallbackRetry(5*time.Millisecond, 4), whispirtest.WithCallbackTimeout(time.Second))
	tests := []struct {
		name    string
		retries bool
		posts   []int // the receiver's answers; then 200
		want    string
		message string // StatusMessage of the first call
	}{
		{"503 then 200", true, []int{503}, "FAILED 503,SUCCESS 200", "Service Unavailable"},
		{"dropped then 200", true, []int{-1}, "FAILED 0,SUCCESS 200", "connection closed without an answer"},
		{"timeout then 200", true, []int{-2}, "FAILED 0,SUCCESS 200", "timeout"},
		{"204 is not 200", true, []int{204}, "FAILED 204,SUCCESS 200", "No Content"},
		{"attempts spent", true, []int{500, 500, 500, 500, 500}, "FAILED 500,FAILED 500,FAILED 500,FAILED 500", "Internal Server Error"},
		{"retries disabled", false, []int{503}, "FAILED 503", "Service Unavailable"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			hook := newReceiver(t, http.StatusOK, tc.posts...)
			name := "retry-" + strings.ReplaceAll(tc.name, " ", "-")
			cbID := createCallback(t, srv, callbackJSON(name, hook.URL, "httpheader", "fake-key", "json", tc.retries))
			id := sendMessage(t, srv, `{"to":"61400000000","subject":"s","callbackId":"`+name+`"}`)
			if err := srv.Reply(id, lcNumber, "YES"); err != nil {
				t.Fatal(err)
			}
			waitCallbacks(t, srv)

			calls := callList(t, srv, cbID, "")
			if got := summary(calls); got != tc.want {
				t.Fatalf("calls: got %s; want %s", got, tc.want)
			}
			if got := *calls[0].Callback.StatusMessage; got != tc.message {
				t.Errorf("first call: got statusMessage %q; want %q", got, tc.message)
			}
			posts := hook.received()
			if len(posts) != len(calls) {
				t.Errorf("POSTs: got %d; want one per call (%d)", len(posts), len(calls))
			}
			for i, p := range posts {
				if !bytes.Equal(p.Body, posts[0].Body) {
					t.Errorf("POST %d: got another body; want the event's payload again", i+1)
				}
			}
			c := calls[0]
			cb := c.Callback
			if *c.MessageID != id || *c.MessageLocation != srv.URL+"/messages/"+id || *cb.ID != cbID || *cb.Name != name || *cb.URL != hook.URL ||
				*c.From.Mobile != lcNumber || *c.ResponseMessage.Content != "YES" || *cb.AttemptedDate == "" {
				t.Errorf("first call: got %+v %+v; want the message, callback and reply", c, *cb)
			}
			if l := (*c.Link)[0]; *l.Rel != "updateCall" || *l.Method != http.MethodPut || *l.URI != srv.URL+"/callbacks/"+cbID+"/calls?id="+*c.ID {
				t.Errorf("link: got %s %s %s; want updateCall PUT to the call", *l.Rel, *l.Method, *l.URI)
			}
		})
	}
}

func TestCallbackCallListAndUpdate(t *testing.T) {
	t.Parallel()
	srv := start(t, whispirtest.WithCallbackRetry(time.Millisecond, 3))
	hook := newReceiver(t, http.StatusOK, 503, 503)
	cbID := createCallback(t, srv, callbackJSON("calls", hook.URL, "", "", "json", true))
	id := sendMessage(t, srv, `{"to":"61400000000","subject":"s","callbackId":"calls"}`)
	if err := srv.Reply(id, lcNumber, "YES"); err != nil {
		t.Fatal(err)
	}
	waitCallbacks(t, srv)
	all := callList(t, srv, cbID, "")

	tests := []struct {
		query, want string
	}{
		{"", "FAILED 503,FAILED 503,SUCCESS 200"},
		{"?sortOrder=desc", "SUCCESS 200,FAILED 503,FAILED 503"},
		{"?status=FAILED", "FAILED 503,FAILED 503"},
		{"?status=SUCCESS", "SUCCESS 200"},
		{"?limit=1&offset=1", "FAILED 503"},
	}
	for _, tc := range tests {
		if got := summary(callList(t, srv, cbID, tc.query)); got != tc.want {
			t.Errorf("calls%s: got %s; want %s", tc.query, got, tc.want)
		}
	}

	update := func(callback string, status string, ids ...string) int {
		q := url.Values{"id": ids}
		resp, body := send(t, newRequest(t, srv, http.MethodPut, "/callbacks/"+callback+"/calls?"+q.Encode(), `{"status":"`+status+`"}`))
		if resp.StatusCode >= 300 {
			t.Logf("callbackCallUpdate: %d %s", resp.StatusCode, clip(body))
		}
		return resp.StatusCode
	}
	if got := update(cbID, "SUCCESS", *all[0].ID, *all[1].ID, "0123456789ABCDEF"); got != http.StatusNotFound {
		t.Errorf("with an unknown call: got %d; want 404", got)
	}
	if got := summary(callList(t, srv, cbID, "")); got != "FAILED 503,FAILED 503,SUCCESS 200" {
		t.Errorf("after a refused update: got %s; want nothing changed", got)
	}
	if got := update(cbID, "SUCCESS", *all[0].ID, strings.ToLower(*all[1].ID)); got != http.StatusNoContent {
		t.Fatalf("update: got %d; want 204", got)
	}
	if got := summary(callList(t, srv, cbID, "")); got != "SUCCESS 503,SUCCESS 503,SUCCESS 200" {
		t.Errorf("after the update: got %s; want every call SUCCESS", got)
	}
	if got := srv.CallbackCalls()[0].Status; got != generated.CallbackCallStatusSUCCESS {
		t.Errorf("CallbackCalls: got %s; want the updated status", got)
	}
	if got := update("ABCDEF0123456789", "SUCCESS", *all[0].ID); got != http.StatusNotFound {
		t.Errorf("unknown callback: got %d; want 404", got)
	}
	if resp, _ := send(t, newRequest(t, srv, http.MethodGet, "/callbacks/ABCDEF0123456789/calls", "")); resp.StatusCode != http.StatusNotFound {
		t.Errorf("calls of an unknown callback: got %d; want 404", resp.StatusCode)
	}
}

func TestWaitCallbacksHonoursContext(t *testing.T) {
	t.Parallel()
	srv := start(t, whispirtest.WithCallbackRetry(time.Hour, 2))
	hook := newReceiver(t, http.StatusOK, 500)
	createCallback(t, srv, callbackJSON("waiting", hook.URL, "", "", "json", true))
	id := sendMessage(t, srv, `{"to":"61400000000","subject":"s","callbackId":"waiting"}`)
	if err := srv.Reply(id, lcNumber, "YES"); err != nil {
		t.Fatal(err)
	}
	// The first call fails; its retry is an hour away.
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if err := srv.WaitCallbacks(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("WaitCallbacks: got %v; want an error wrapping context.DeadlineExceeded", err)
	}
}

// goroutinesWith returns the stacks of the goroutines whose stack has one
// of frags.
func goroutinesWith(frags ...string) []string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	var out []string
	for g := range strings.SplitSeq(string(buf), "\n\n") {
		for _, f := range frags {
			if strings.Contains(g, f) {
				out = append(out, g)
				break
			}
		}
	}
	return out
}

// TestCloseStopsRetries is not parallel: it counts the goroutines of the
// whole process, which only this test's server may own while it runs.
func TestCloseStopsRetries(t *testing.T) {
	frags := []string{"whispirtest.(*hooks).start", "whispirtest.(*Server).deliver", "net/http.(*persistConn)"}
	before := len(goroutinesWith(frags...))
	srv := whispirtest.NewServer(whispirtest.WithCallbackRetry(time.Hour, 10))
	closed := false
	defer func() {
		if !closed {
			srv.Close()
		}
	}()
	hook := newReceiver(t, http.StatusOK, 500)
	createCallback(t, srv, callbackJSON("closing", hook.URL, "", "", "json", true))
	id := sendMessage(t, srv, `{"to":"61400000000","subject":"s","callbackId":"closing"}`)
	if err := srv.Reply(id, lcNumber, "YES"); err != nil {
		t.Fatal(err)
	}
	// Wait (at most a minute) for the first call to fail and be recorded:
	// the delivery then waits an hour for its retry.
	deadline := time.Now().Add(time.Minute)
	for len(srv.CallbackCalls()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no call recorded within a minute")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if len(goroutinesWith("whispirtest.(*Server).deliver")) == 0 {
		t.Fatal("no delivery goroutine waits for its retry; the test proves nothing")
	}

	// Close must not wait for the retry: give it a minute, not an hour.
	closed = true
	done := make(chan struct{})
	go func() {
		srv.Close()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatal("Close did not return within a minute; want it to drop the waiting retry")
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := srv.WaitCallbacks(ctx); err != nil {
		t.Errorf("WaitCallbacks after Close: got %v; want nil (settled)", err)
	}
	if err := srv.Reply(id, lcNumber, "again"); err != nil {
		t.Errorf("Reply after Close: got %v; want nil", err)
	}
	if got := srv.CallbackCalls(); len(got) != 1 || got[0].Status != generated.CallbackCallStatusFAILED {
		t.Errorf("calls: got %+v; want the one failed call, no retry and nothing after Close", got)
	}
	if n := len(hook.received()); n != 1 {
		t.Errorf("POSTs: got %d; want 1", n)
	}
	client.CloseIdleConnections() // the test's own connections to the mock
	deadline = time.Now().Add(10 * time.Second)
	for {
		left := goroutinesWith(frags...)
		if len(left) <= before {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after Close: %d goroutines of deliveries or their connections; want %d:\n%s", len(left), before, strings.Join(left, "\n\n"))
		}
		time.Sleep(10 * time.Millisecond)
	}
}
