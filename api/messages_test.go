package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/whispir-go/whispir/generated"
)

// wireRequest is a request as a transport received it.
type wireRequest struct {
	Method, URL string
	Header      http.Header
	Body        string
}

// recordingTransport records every request and answers it with answer,
// without a network.
type recordingTransport struct {
	answer func(*http.Request) *http.Response
	mu     sync.Mutex
	got    []wireRequest
}

func (rt *recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		req.Body.Close()
	}
	rt.mu.Lock()
	rt.got = append(rt.got, wireRequest{req.Method, req.URL.String(), req.Header.Clone(), string(body)})
	rt.mu.Unlock()
	resp := rt.answer(req)
	resp.Request = req
	return resp, nil
}

func (rt *recordingTransport) requests() []wireRequest {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return append([]wireRequest(nil), rt.got...)
}

// answerMessage answers a send as Whispir does: 202 with Location, or, for
// a scheduled message, 200 with the message.
func answerMessage(req *http.Request) *http.Response {
	h := http.Header{"Content-Type": {"application/vnd.whispir.message-v1+json"}}
	body, _ := io.ReadAll(req.Body)
	if bytes.Contains(body, []byte(`"SCHEDULED"`)) {
		return &http.Response{StatusCode: http.StatusOK, Header: h,
			Body: io.NopCloser(strings.NewReader(`{"id":"0123456789ABCDEF","to":"61400000000","messageType":"SCHEDULED"}`))}
	}
	h.Set("Location", "https://api.au.whispir.com/messages/747AB7E716C1802B6476784AEB5C9BB8")
	return &http.Response{StatusCode: http.StatusAccepted, Header: h, Body: io.NopCloser(strings.NewReader("Accepted"))}
}

// TestSendMessageRequestIsTheGenerated: SendMessage and SendBulkMessage
// build their requests themselves (postMessage); what reaches the
// transport, and what they return, must be what the generated methods
// give, for any workspace id and base URL, including those that
// net/url's resolution changes ("." and ".." segments, a leading "//").
func TestSendMessageRequestIsTheGenerated(t *testing.T) {
	t.Parallel()
	bases := []string{
		"https://api.au.whispir.com",
		"https://proxy.example.com/whispir/v1",
		"https://proxy.example.com/a/./b/../c",
		"https://proxy.example.com//twice",
		"https://proxy.example.com/caf%C3%A9",
	}
	workspaces := []string{"", "9A4C5521FFC7B15B", ".", "..", "../..", "a/b", "a b", "100%", "é", "a?b#c", "a;b,c", "..%2F"}
	messages := map[string]generated.Message{
		"immediate": {To: "61400000000", Subject: ptr("Hello"), Body: ptr("From whispir-go")},
		"scheduled": {To: "61400000000", Subject: ptr("Later"), MessageType: ptr(generated.MessageTypeSCHEDULED), ScheduleType: ptr(generated.MessageScheduleTypeONCE), ScheduleDate: ptr("01/01/2030 10:00")},
	}
	bulk := generated.BulkMessage{Subject: ptr("Hi @@name@@"), Resource: generated.BulkResource{ResourceID: "4FBBC384BCE3DAABFE3", SmsMappingField: ptr("mobile")}}
	p := newTestProvider(t)
	for _, base := range bases {
		for _, ws := range workspaces {
			for name, m := range messages {
				t.Run(base+"/"+ws+"/"+name, func(t *testing.T) {
					t.Parallel()
					ctx := t.Context()
					rt := &recordingTransport{answer: answerMessage}
					c, err := New(p, WithBaseURL(base), WithHTTPClient(&http.Client{Transport: rt}), WithoutRetry())
					if err != nil {
						t.Fatal(err)
					}
					// Each way is sent alone, so that the requests it makes
					// (none, when it fails first) are compared with the other's.
					sent := func(send func() (string, error)) (string, []wireRequest) {
						before := len(rt.requests())
						id, err := send()
						return fmt.Sprintf("%q, %v", id, err), rt.requests()[before:]
					}
					for _, way := range []struct {
						name      string
						got, want func() (string, error)
					}{
						{"SendMessage",
							func() (string, error) { return c.SendMessage(ctx, ws, m) },
							func() (string, error) { return generatedSend(ctx, c, ws, m) }},
						{"SendBulkMessage",
							func() (string, error) { return c.SendBulkMessage(ctx, ws, bulk) },
							func() (string, error) { return generatedSendBulk(ctx, c, ws, bulk) }},
					} {
						got, gotReqs := sent(way.got)
						want, wantReqs := sent(way.want)
						if got != want {
							t.Errorf("%s = %s; the generated method gives %s", way.name, got, want)
						}
						if len(gotReqs) != len(wantReqs) {
							t.Fatalf("%s made %d requests; the generated method %d", way.name, len(gotReqs), len(wantReqs))
						}
						for i, g := range gotReqs {
							w := wantReqs[i]
							if g.Method != w.Method || g.URL != w.URL || g.Body != w.Body || !sameHeader(g.Header, w.Header) {
								t.Errorf("%s request %d:\ngot  %s %s %v %s\nwant %s %s %v %s", way.name, i, g.Method, g.URL, g.Header, g.Body, w.Method, w.URL, w.Header, w.Body)
							}
						}
					}
				})
			}
		}
	}
}

// generatedSend is SendMessage as it was, through the generated methods.
func generatedSend(ctx context.Context, c *Client, ws string, m generated.Message) (string, error) {
	if ws == "" {
		r, err := c.DefaultMessageCreateWithResponse(ctx, m)
		if err != nil {
			return "", err
		}
		return messageIDFrom("defaultMessageCreate", r.HTTPResponse, r.JSON200)
	}
	r, err := c.MessageCreateWithResponse(ctx, ws, m)
	if err != nil {
		return "", err
	}
	return messageIDFrom("messageCreate", r.HTTPResponse, r.JSON200)
}

// generatedSendBulk is SendBulkMessage as it was, through the generated
// methods.
func generatedSendBulk(ctx context.Context, c *Client, ws string, m generated.BulkMessage) (string, error) {
	body, err := json.Marshal(m)
	if err != nil {
		return "", err
	}
	if ws == "" {
		r, err := c.DefaultMessageCreateWithBodyWithResponse(ctx, BulkMessageMediaType, bytes.NewReader(body))
		if err != nil {
			return "", err
		}
		return messageIDFrom("defaultMessageCreate", r.HTTPResponse, r.JSON200)
	}
	r, err := c.MessageCreateWithBodyWithResponse(ctx, ws, BulkMessageMediaType, bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	return messageIDFrom("messageCreate", r.HTTPResponse, r.JSON200)
}

func sameHeader(a, b http.Header) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if strings.Join(v, "\x00") != strings.Join(b[k], "\x00") {
			return false
		}
	}
	return true
}
