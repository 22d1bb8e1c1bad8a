package whispir_test

import (
	"bytes"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/whispir-go/whispir"
)

// fuzzSecret marks a request value the validator must never echo.
const fuzzSecret = "SECRET-VALUE-123"

// FuzzValidateRequest feeds arbitrary bodies and queries, with an operation
// of the spec picked by index, through FindRoute and ValidateRequest. It
// must not panic, and an error must not repeat fuzzSecret, whether the
// request carries it as a value or as a key of a free-form map (the error's
// location shows such keys as "*", e.g. body /callbackParameters/*).
func FuzzValidateRequest(f *testing.F) {
	ops, err := whispir.Operations()
	if err != nil {
		f.Fatalf("Operations: %v", err)
	}
	index := func(id string) uint16 {
		i := slices.IndexFunc(ops, func(o whispir.Operation) bool { return o.ID == id })
		if i < 0 {
			f.Fatalf("no operation %s in the spec", id)
		}
		return uint16(i)
	}
	create, contact, list := index("messageCreate"), index("contactCreate"), index("messageList")
	seeds := []struct {
		op    uint16
		ct    uint8
		query string
		body  string
	}{
		{create, 0, "", `{"to":"61400000000","subject":"Test SMS","body":"Hello"}`},
		{create, 0, "", `{"to":"` + fuzzSecret + `","subject":"` + fuzzSecret + `"}`},
		{create, 0, "", `{"subject":"` + fuzzSecret + `"}`},
		{create, 0, "", `{"to":"61400000000","messageType":"` + fuzzSecret + `"}`},
		{create, 0, "", `{"to":"61400000000","scheduleDate":"` + fuzzSecret + `"}`},
		{create, 0, "", `{"to":["` + fuzzSecret + `"]}`},
		{create, 0, "", `{"to":61400000000}`},
		{create, 0, "", `{"to":"1","callbackParameters":{"` + fuzzSecret + `":5,"k":"` + fuzzSecret + `"}}`},
		{create, 0, "", `{"to":"1","` + fuzzSecret + `":"` + fuzzSecret + `"}`},
		{create, 0, "", `"` + fuzzSecret + `"`},
		{create, 0, "", `{"to":`},
		{create, 0, "", ``},
		{create, 1, "", `{"resource":{"resourceId":"` + fuzzSecret + `"}}`},
		{create, 3, "", `{"to":"61400000000"}`},
		{contact, 0, "", `{"firstName":"` + fuzzSecret + `","lastName":"x","workEmailAddress1":"` + fuzzSecret + `"}`},
		{contact, 0, "", `{"firstName":1,"timezone":"` + fuzzSecret + `"}`},
		{list, 4, "limit=" + fuzzSecret, ``},
		{list, 4, "limit=21&offset=-1&sortOrder=" + fuzzSecret, ``},
		{list, 4, "label=" + fuzzSecret, ``},
		{0, 2, "", `{"a":[1,2,{"b":null}]}`},
		{uint16(len(ops) - 1), 0, "", `{}`},
	}
	for _, s := range seeds {
		f.Add(s.op, s.ct, s.query, []byte(s.body))
	}

	f.Fuzz(func(t *testing.T, op uint16, ct uint8, query string, body []byte) {
		o := ops[int(op)%len(ops)]
		path := o.Path
		for strings.Contains(path, "{") {
			i, j := strings.Index(path, "{"), strings.Index(path, "}")
			if j < i {
				t.Fatalf("bad path template %q", o.Path)
			}
			path = path[:i] + "9A4C5521FFC7B15B" + path[j+1:]
		}
		u := &url.URL{Path: path, RawQuery: query}
		req := &http.Request{Method: o.Method, URL: u, Header: http.Header{}, Host: "api.au.whispir.com"}
		switch {
		case int(ct) < len(o.RequestMediaTypes):
			req.Header.Set("Content-Type", o.RequestMediaTypes[ct])
		case ct%4 == 0:
			req.Header.Set("Content-Type", whispir.JSONMediaType)
		case ct%4 == 1:
			req.Header.Set("Content-Type", "text/plain; charset=\x00")
		case ct%4 == 2:
			req.Header.Set("Content-Type", o.MediaType)
		}
		route, err := whispir.FindRoute(req, "")
		if err != nil {
			t.Fatalf("FindRoute(%s %s): %v", o.Method, path, err)
		}
		if route.ID != o.ID {
			t.Fatalf("FindRoute: got %s; want %s", route.ID, o.ID)
		}
		err = whispir.ValidateRequest(t.Context(), route, req, body)
		if err == nil {
			return
		}
		msg := err.Error()
		if strings.ContainsAny(msg, "\n\r") {
			t.Errorf("error: got %q; want one line", msg)
		}
		if strings.Contains(msg, fuzzSecret) && (bytes.Contains(body, []byte(fuzzSecret)) || strings.Contains(query, fuzzSecret)) {
			t.Errorf("error repeats a request value: %q", msg)
		}
	})
}
