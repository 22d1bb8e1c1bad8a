package whispirtest_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/whispir-go/whispir/security"
	"github.com/whispir-go/whispir/whispirtest"
)

func TestPrefer(t *testing.T) {
	t.Parallel()
	srv := start(t) // every answer below is checked against the spec
	status := "/workspaces/" + workspace + "/messages/ABCD/messagestatus"
	tests := []struct {
		name, method, path, body, prefer string
		want                             int
		wantBody                         string // contained
		wantHeader                       string // a header that must be set
	}{
		{"declared error", http.MethodGet, "/messages", "", "code=404", http.StatusNotFound, `"errorText":"Not Found"`, ""},
		{"the 202 of a send", http.MethodPost, "/messages", smsBody, "code=202", http.StatusAccepted, "Your request has been accepted for processing", "Location"},
		{"the scheduled form of a send", http.MethodPost, "/messages", smsBody, "code=200", http.StatusOK, `"messageType":"SCHEDULED"`, ""},
		{"gateway 403", http.MethodGet, "/callbacks", "", "code=403", http.StatusForbidden, `{"message":"Forbidden"}`, ""},
		{"named example", http.MethodGet, status, "", "example=summary", http.StatusOK, `"categories"`, ""},
		{"other named example", http.MethodGet, status, "", "code=200, example=detailed", http.StatusOK, `"DELIVRD"`, ""},
		{"first named example by default", http.MethodGet, status, "", "code=200", http.StatusOK, `"DELIVRD"`, ""},
		{"quoted, among other preferences", http.MethodGet, status, "", `respond-async; code="200"; example="summary"`, http.StatusOK, `"categories"`, ""},
		{"undeclared code", http.MethodGet, "/messages", "", "code=418", http.StatusNotAcceptable, `"available":["200","400",`, whispirtest.HeaderMockError},
		{"not a code", http.MethodGet, "/messages", "", "code=abc", http.StatusNotAcceptable, "code=abc", whispirtest.HeaderMockError},
		{"unknown example", http.MethodGet, status, "", "example=brief", http.StatusNotAcceptable, `"available":["200:detailed","200:summary"]`, whispirtest.HeaderMockError},
		{"example of another code", http.MethodGet, status, "", "code=404, example=summary", http.StatusNotAcceptable, "no named examples", whispirtest.HeaderMockError},
		{"invalid request first", http.MethodPost, "/messages", `{"subject":"no to"}`, "code=202", http.StatusUnprocessableEntity, "", whispirtest.HeaderViolations},
		{"no other preference", http.MethodGet, "/messages", "", "respond-async", http.StatusOK, `"No records found"`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req := newRequest(t, srv, tc.method, tc.path, tc.body)
			req.Header.Set("Prefer", tc.prefer)
			resp, body := send(t, req)
			if resp.StatusCode != tc.want || !strings.Contains(string(body), tc.wantBody) {
				t.Errorf("got %d %s; want %d with %s", resp.StatusCode, clip(body), tc.want, tc.wantBody)
			}
			if tc.wantHeader != "" && resp.Header.Get(tc.wantHeader) == "" {
				t.Errorf("header %s: missing; got %v", tc.wantHeader, resp.Header)
			}
		})
	}
	t.Run("nothing is processed", func(t *testing.T) {
		t.Parallel()
		if n := len(srv.Messages()); n != 0 {
			t.Errorf("messages: got %d; want 0", n)
		}
	})
}

func TestPreferAfterAuthentication(t *testing.T) {
	t.Parallel()
	srv := start(t)
	req := newRequest(t, srv, http.MethodGet, "/messages", "")
	req.Header.Set(security.HeaderAPIKey, "wrong")
	req.Header.Set("Prefer", "code=200")
	if resp, _ := send(t, req); resp.StatusCode != http.StatusForbidden {
		t.Errorf("got %d; want 403: Prefer comes after authentication", resp.StatusCode)
	}
}
