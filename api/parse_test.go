package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/whispir-go/whispir/generated"
)

func TestIDFromLocation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"https://api.au.whispir.com/workspaces/9A4C5521FFC7B15B/messages/747AB7E716C1802B6476784AEB5C9BB8", "747AB7E716C1802B6476784AEB5C9BB8", true},
		{"https://api.whispir.com/messages/ABC123?apikey=secret", "ABC123", true},
		{"/messages/ABC123/", "ABC123", true},
		{"messages/ABC#frag", "ABC", true},
		{"", "", false},
		{"https://api.au.whispir.com", "", false},
		{"https://api.au.whispir.com/", "", false},
		{"%zz", "", false},
		// Whispir's id shapes: hex, UUIDs (keys), nanoid-like OTP ids.
		{"https://api.au.whispir.com/keys/3fa85f64-5717-4562-b3fc-2c963f66afa6", "3fa85f64-5717-4562-b3fc-2c963f66afa6", true},
		{"https://api.au.whispir.com/otp/azkP8DJEEsujuhwzO-O_N", "azkP8DJEEsujuhwzO-O_N", true},
		{"/messages/" + strings.Repeat("A", maxIDLength), strings.Repeat("A", maxIDLength), true},
		// Anything else is refused.
		{"/messages/..", "", false},
		{"/messages/.", "", false},
		{"/messages/ABC/..", "", false},
		{"/messages/%2e%2e", "", false},
		{"/messages/%2E%2E/", "", false},
		{"/messages/%2F", "", false},
		{"/messages/%41BC", "", false},
		{"/messages/AB%00C", "", false},
		{"/messages/AB\x1bC", "", false},
		{"/messages/AB C", "", false},
		{"/messages/A.B", "", false},
		{"/messages/ABC;x=1", "", false},
		{"/messages/\u202eCBA", "", false},
		{"/messages/ABC//", "", false},
		{"/messages/" + strings.Repeat("A", maxIDLength+1), "", false},
		{"/messages/" + strings.Repeat("A", 100000), "", false},
	}
	for _, tc := range tests {
		got, err := IDFromLocation(tc.in)
		if got != tc.want || (err == nil) != tc.ok {
			t.Errorf("IDFromLocation(%.60q) = %.60q, %v; want %.60q, ok=%t", tc.in, got, err, tc.want, tc.ok)
		}
		if err != nil && !errors.Is(err, ErrNoID) {
			t.Errorf("IDFromLocation(%.60q) err = %v; want ErrNoID", tc.in, err)
		}
		if err != nil && len(tc.in) > 12 && strings.Contains(err.Error(), tc.in[10:]) {
			t.Errorf("IDFromLocation(%.60q) err = %.200q; want it not to echo the location", tc.in, err)
		}
	}
}

// TestMessageID reads a message's id from its id field or, as in
// Whispir's own examples, which have none, from its self link.
func TestMessageID(t *testing.T) {
	t.Parallel()
	self := func(uri string) *generated.Links {
		return &generated.Links{{Rel: ptr("next"), URI: ptr("https://api.au.whispir.com/messages?offset=20")}, {Rel: ptr("SELF"), URI: ptr(uri)}}
	}
	tests := []struct {
		name  string
		id    *string
		links *generated.Links
		want  string
	}{
		{"id field", ptr("747AB7E716C1802B6476784AEB5C9BB8"), nil, "747AB7E716C1802B6476784AEB5C9BB8"},
		{"id field wins over the link", ptr("AAAA"), self("https://api.au.whispir.com/messages/BBBB"), "AAAA"},
		{"self link only, as Whispir's examples", nil, self("https://api.au.whispir.com/workspaces/9A4C5521FFC7B15B/messages/E9F52215AD0787EBECDD691916955C1E"), "E9F52215AD0787EBECDD691916955C1E"},
		{"empty id field", ptr(""), self("/messages/CCCC?apikey=x"), "CCCC"},
		{"neither", nil, &generated.Links{{Rel: ptr("next"), URI: ptr("/messages?offset=20")}}, ""},
		{"no links", nil, nil, ""},
		{"hostile id field", ptr("../../users"), nil, ""},
		{"hostile self link", nil, self("https://api.au.whispir.com/messages/%2e%2e"), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for kind, got := range map[string]func() (string, error){
				"MessageSummary": func() (string, error) { return MessageID(generated.MessageSummary{ID: tc.id, Link: tc.links}) },
				"Message":        func() (string, error) { return MessageID(generated.Message{ID: tc.id, Link: tc.links}) },
			} {
				id, err := got()
				if id != tc.want || (err == nil) != (tc.want != "") {
					t.Errorf("MessageID(%s) = %q, %v; want %q", kind, id, err, tc.want)
				}
				if err != nil && !errors.Is(err, ErrNoID) {
					t.Errorf("MessageID(%s) err = %v; want ErrNoID", kind, err)
				}
			}
		})
	}
}

// TestMessageIDOfADecodedListItem decodes a list item shaped as Whispir's
// examples are (no id, a self link) into the generated type.
func TestMessageIDOfADecodedListItem(t *testing.T) {
	t.Parallel()
	var page generated.MessageCollection
	body := `{"status":"1 to 1 of 1","messages":[{"to":"61400000000","subject":"Hi","direction":"OUTGOING",` +
		`"link":[{"uri":"https://api.au.whispir.com/workspaces/9A4C5521FFC7B15B/messages/747AB7E716C1802B6476784AEB5C9BB8","rel":"self","method":"GET"}]}],"link":[]}`
	if err := json.Unmarshal([]byte(body), &page); err != nil {
		t.Fatal(err)
	}
	m := (*page.Messages)[0]
	if m.ID != nil {
		t.Fatalf("ID = %q; want none, as in Whispir's examples", *m.ID)
	}
	if id, err := MessageID(m); err != nil || id != "747AB7E716C1802B6476784AEB5C9BB8" {
		t.Errorf("MessageID = %q, %v; want 747AB7E716C1802B6476784AEB5C9BB8", id, err)
	}
	if m.To == nil || *m.To != "61400000000" {
		t.Errorf("To = %v; want the recipients", m.To)
	}
}

func TestParseStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in                 string
		first, last, total int
		ok                 bool
	}{
		{"1 to 20 of 45   ", 1, 20, 45, true},
		{"1 to 2 of 2    ", 1, 2, 2, true},
		{"status: 1 to 1 of 1", 1, 1, 1, true},
		{"No records found", 0, 0, 0, true},
		{"", 0, 0, 0, true},
		{"some text", 0, 0, 0, false},
		{"1 to 99999999999999999999 of 2", 0, 0, 0, false},
	}
	for _, tc := range tests {
		f, l, n, ok := ParseStatus(tc.in)
		if f != tc.first || l != tc.last || n != tc.total || ok != tc.ok {
			t.Errorf("ParseStatus(%q) = %d, %d, %d, %t; want %d, %d, %d, %t", tc.in, f, l, n, ok, tc.first, tc.last, tc.total, tc.ok)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0}, {"3", 3 * time.Second}, {" 1 ", time.Second}, {"0", 0}, {"-5", 0}, {"soon", 0},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0},
		{"99999999999", 24 * time.Hour},
		{"86400", 24 * time.Hour},
		{"86401", 24 * time.Hour},
		// Too large for int64: "very long", not absent.
		{"9223372036854775807", 24 * time.Hour},
		{"9223372036854775808", 24 * time.Hour},
		{strings.Repeat("9", 1000), 24 * time.Hour},
		// A far-future date is capped like seconds are.
		{now.Add(25 * time.Hour).Format(http.TimeFormat), 24 * time.Hour},
		{"Fri, 31 Dec 9999 23:59:59 GMT", 24 * time.Hour},
		{"+5", 0}, {"5s", 0}, {"1e3", 0},
	}
	for _, tc := range tests {
		if got := parseRetryAfter(tc.in, now); got != tc.want {
			t.Errorf("parseRetryAfter(%q) = %s; want %s", tc.in, got, tc.want)
		}
	}
}

func TestErrorStringIsOneSafeLine(t *testing.T) {
	t.Parallel()
	h := http.Header{"X-Error-Code": {CodeOverQPS}}
	e := newError("messageCreate", 403, h, []byte(`{"errorText":"line one\nline two","errorDetail":"java.lang.Exception: secret detail"}`), time.Now())
	got := e.Error()
	if want := "messageCreate: 403 forbidden (ERR_403_DEVELOPER_OVER_QPS): line one line two"; got != want {
		t.Errorf("Error() = %q; want %q", got, want)
	}
	long := newError("contactList", 500, nil, []byte(`{"errorText":"a`+strings.Repeat("é", 300)+`"}`), time.Now())
	if s := long.Error(); !utf8.ValidString(s) || len(s) > 500 {
		t.Errorf("long Error() is %d bytes, valid UTF-8 %t; want short and valid", len(s), utf8.ValidString(s))
	}
}

func TestResolveNextLinks(t *testing.T) {
	t.Parallel()
	base, _ := url.Parse("https://api.au.whispir.com/pre")
	c := &Client{baseURL: base}
	tests := []struct {
		link, want string
		ok         bool
	}{
		{"https://api.au.whispir.com/pre/messages?offset=20", "https://api.au.whispir.com/pre/messages?offset=20", true},
		{"http://API.AU.whispir.com/pre/messages?offset=20", "https://API.AU.whispir.com/pre/messages?offset=20", true},
		{"/callbacks/B38/calls?limit=20&offset=20", "https://api.au.whispir.com/pre/callbacks/B38/calls?limit=20&offset=20", true},
		{"/pre/messages?offset=40", "https://api.au.whispir.com/pre/messages?offset=40", true},
		{"messages?offset=40", "https://api.au.whispir.com/pre/messages?offset=40", true},
		{"https://evil.example.com/pre/messages", "", false},
		{"//evil.example.com/x", "", false},
	}
	for _, tc := range tests {
		u, err := c.resolve(tc.link)
		if (err == nil) != tc.ok || (err == nil && u.String() != tc.want) {
			t.Errorf("resolve(%q) = %v, %v; want %q ok=%t", tc.link, u, err, tc.want, tc.ok)
		}
	}
}

func TestNextLink(t *testing.T) {
	t.Parallel()
	s := func(v string) *string { return &v }
	links := []generated.Link{{Rel: s("self"), URI: s("a")}, {Rel: s("prev"), URI: s("b")}, {Rel: s(" NEXT "), URI: s(" c ")}}
	if got, ok := NextLink(links); !ok || got != "c" {
		t.Errorf("NextLink = %q, %t; want c, true", got, ok)
	}
	if _, ok := NextLink([]generated.Link{{Rel: s("next")}, {URI: s("x")}}); ok {
		t.Error("NextLink found a link without a URI or rel")
	}
}
