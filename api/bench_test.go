package api

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/whispir-go/whispir/generated"
	"github.com/whispir-go/whispir/security"
)

// BenchmarkSendMessage measures a send through the whole client (security
// headers, routing, validation, retry wrapper, typed decoding) against the
// same request made with bare net/http, measured in the same run, and
// reports the ratio as "x-raw" (1.0 = no overhead).
func BenchmarkSendMessage(b *testing.B) {
	srv := httptest.NewServer(accepted("747AB7E716C1802B6476784AEB5C9BB8"))
	defer srv.Close()
	msg := generated.Message{To: "61400000000", Subject: ptr("Hello"), Body: ptr("From whispir-go")}
	body, _ := json.Marshal(msg)
	hc := srv.Client()

	raw := func(b *testing.B) {
		for b.Loop() {
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/workspaces/ABC/messages", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/vnd.whispir.message-v1+json")
			req.Header.Set("Accept", "application/vnd.whispir.message-v1+json")
			req.Header.Set("x-api-key", testCreds.APIKey)
			req.SetBasicAuth(testCreds.Username, testCreds.Password)
			resp, err := hc.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
	p, _ := security.New(testCreds)
	c, err := New(p, WithBaseURL(srv.URL), WithHTTPClient(hc))
	if err != nil {
		b.Fatal(err)
	}
	client := func(b *testing.B) {
		for b.Loop() {
			if _, err := c.SendMessage(b.Context(), "ABC", msg); err != nil {
				b.Fatal(err)
			}
		}
	}
	// Sub-benchmarks run in order; the last run of "raw" is the baseline.
	var rawNsPerOp float64
	b.Run("raw", func(b *testing.B) {
		raw(b)
		rawNsPerOp = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	})
	b.Run("client", func(b *testing.B) {
		client(b)
		if rawNsPerOp > 0 {
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/rawNsPerOp, "x-raw")
		}
	})
}
