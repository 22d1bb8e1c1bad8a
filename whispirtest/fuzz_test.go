package whispirtest

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// FuzzHandler drives the handler with arbitrary methods, paths, headers and
// bodies: it must never panic and always answer a status in 200..599.
func FuzzHandler(f *testing.F) {
	const (
		ws   = "/workspaces/9A4C5521FFC7B15B/messages"
		json = "application/vnd.whispir.message-v1+json"
		sms  = `{"to":"61400000000","subject":"Test SMS","body":"Hello"}`
	)
	f.Add("POST", ws, "", json, json, sms, true)
	f.Add("POST", "/messages", "", json, "*/*", `{"to":"61400000000","messageType":"SCHEDULED","scheduleDate":"28/11/2026 09:00"}`, true)
	f.Add("POST", ws, "", "application/vnd.whispir.bulkmessage-v1+json", json, `{"resource":{"resourceId":"X"}}`, true)
	f.Add("GET", ws, "limit=20&offset=0&sortOrder=asc&label=x", "", json, "", true)
	f.Add("GET", ws+"/747AB7E716C1802B6476784AEB5C9BB8/messagestatus", "view=detailed", "", json, "", true)
	f.Add("GET", "/messages/ABC/messageresponses", "view=summary&filter=default", "", "", "", true)
	f.Add("POST", ws, "", json, json, `{"to":`, true)
	f.Add("POST", ws, "", json, json, `[1,2,3]`, false)
	f.Add("DELETE", "/messages", "", "", "application/vnd.whispir.message-v1+xml", "", true)
	f.Add("PATCH", "/%zz/../..//", "%%", "text/plain; charset=\x00", "a/b;q=x", "\xff\xfe", true)
	f.Add("POST", "/auth", "", json, "", "", true)
	f.Add("POST", "/callbacks", "", "application/vnd.whispir.api-callback-v1+json", "", `{"name":"n","url":"http://127.0.0.1:1/"}`, true)
	f.Add("POST", "/callbacks", "", "application/vnd.whispir.api-callback-v1+json", "", `{"name":"n","url":"https://hooks.example.com/"}`, true)
	f.Add("PUT", "/callbacks/B384FD38DCBADE38/calls", "id=0B4F3C1A2D9E8F76", "application/vnd.whispir.api-call-v1+json", "", `{"status":"SUCCESS"}`, true)
	f.Add("GET", "/workspaces/"+strings.Repeat("A", 100)+"/messages", "limit=-1", "", "", "", true)

	f.Fuzz(func(t *testing.T, method, path, rawQuery, contentType, accept, body string, goodAuth bool) {
		if !validMethod(method) {
			method = http.MethodGet
		}
		u := &url.URL{Path: path, RawQuery: rawQuery}
		if p, err := url.PathUnescape(path); err == nil {
			u.Path, u.RawPath = p, path
		}
		req := &http.Request{
			Method:        method,
			URL:           u,
			Proto:         "HTTP/1.1",
			ProtoMajor:    1,
			ProtoMinor:    1,
			Header:        http.Header{},
			Body:          io.NopCloser(bytes.NewReader([]byte(body))),
			ContentLength: int64(len(body)),
			Host:          "whispirtest.invalid",
			RequestURI:    u.RequestURI(),
		}
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		if goodAuth {
			req.Header.Set("x-api-key", DefaultAPIKey)
			req.SetBasicAuth(DefaultUsername, DefaultPassword)
		} else {
			req.Header.Set("x-api-key", contentType)
			req.Header.Set("Authorization", accept)
		}
		srv := newServer()
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, req)
		if rec.Code < 200 || rec.Code > 599 {
			t.Fatalf("status: got %d; want 200..599", rec.Code)
		}
		if got := srv.Requests(); len(got) != 1 || got[0].Status != rec.Code {
			t.Fatalf("recorded: got %d requests; want 1 with status %d", len(got), rec.Code)
		}
	})
}

// validMethod reports whether m is an HTTP token, as net/http requires.
func validMethod(m string) bool {
	if m == "" {
		return false
	}
	for _, c := range []byte(m) {
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`()<>@,;:\"/[]?={}`, c) >= 0 {
			return false
		}
	}
	return true
}
