package loadgen

import (
	"io"
	"net/http"
	"strconv"
	"time"
)

// BareBody is the body of [BareHandler]'s answer: the text of the mock's
// 202 to a send.
const BareBody = "Your request has been accepted for processing"

// BareHandler is the baseline of the mock benchmarks: a net/http handler
// that reads the request body and answers what whispir mock answers a
// send, 202 with the same headers (the gateway's three, Content-Type,
// a Location of the same length) and body, and does nothing else: no
// routing, authentication, validation or recording. base is the URL the
// Location starts with.
func BareHandler(base string) http.Handler {
	location := base + "/messages/00000000000000000000000000000000"
	length := strconv.Itoa(len(BareBody))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Cache-Control", "max-age=0")
		h.Set("Expires", time.Now().UTC().Format(http.TimeFormat))
		h.Set("Content-Type", "application/vnd.whispir.message-v1+json")
		h.Set("Location", location)
		h.Set("Content-Length", length)
		w.WriteHeader(http.StatusAccepted)
		_, _ = io.WriteString(w, BareBody)
	})
}
