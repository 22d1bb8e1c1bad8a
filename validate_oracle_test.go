package whispir

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// sameValidation checks one request against ValidateRequest and against the
// oracle (openapi3filter.ValidateRequest on the YAML-loaded spec, errors
// described as before): both accept it, or both refuse it with the same
// message.
func sameValidation(t testing.TB, method, rawURL, contentType string, body []byte) {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatalf("%s: %v", rawURL, err)
	}
	sameValidationURL(t, method, u, contentType, body)
}

func sameValidationURL(t testing.TB, method string, u *url.URL, contentType string, body []byte) {
	t.Helper()
	newReq := func() *http.Request {
		h := http.Header{}
		if contentType != "" {
			h.Set("Content-Type", contentType)
		}
		uu := *u
		return &http.Request{Method: method, URL: &uu, Header: h, Host: u.Host}
	}
	o, err := loadOracle()
	if err != nil {
		t.Fatalf("oracle: %v", err)
	}
	want := o.validateRequest(t.Context(), newReq(), "", body)
	req := newReq()
	route, got := FindRoute(req, "")
	if got == nil {
		got = ValidateRequest(t.Context(), route, req, body)
	}
	if (got == nil) != (want == nil) || (got != nil && got.Error() != want.Error()) {
		t.Errorf("%s %s (Content-Type %q) body %.200q:\ngot  %v\nwant %v", method, u, contentType, body, got, want)
	}
}

func oracleAndOperations(t *testing.T) (*oracle, []Operation) {
	t.Helper()
	o, err := loadOracle()
	if err != nil {
		t.Fatal(err)
	}
	ops, err := Operations()
	if err != nil {
		t.Fatal(err)
	}
	return o, ops
}

// exampleBody returns the request body example of a media type as JSON.
func exampleBody(t testing.TB, mt *openapi3.MediaType) []byte {
	t.Helper()
	var v any = map[string]any{}
	switch {
	case mt.Example != nil:
		v = mt.Example
	case len(mt.Examples) > 0:
		keys := slices.Sorted(func(yield func(string) bool) {
			for k := range mt.Examples {
				if !yield(k) {
					return
				}
			}
		})
		if ex := mt.Examples[keys[0]]; ex != nil && ex.Value != nil {
			v = ex.Value.Value
		}
	}
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// mutations returns bodies derived from a valid one: each property, to two
// levels, removed or replaced by a value of every JSON type.
func mutations(t testing.TB, valid []byte) [][]byte {
	t.Helper()
	var root any
	if err := json.Unmarshal(valid, &root); err != nil {
		return nil
	}
	replacements := []any{nil, 1, -1.5, "x", "", true, []any{}, []any{1}, map[string]any{}, map[string]any{"zz": 1}}
	var out [][]byte
	emit := func() {
		data, err := json.Marshal(root)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, data)
	}
	var walk func(v any, depth int)
	walk = func(v any, depth int) {
		switch v := v.(type) {
		case map[string]any:
			keys := slices.Sorted(func(yield func(string) bool) {
				for k := range v {
					if !yield(k) {
						return
					}
				}
			})
			for _, k := range keys {
				old := v[k]
				delete(v, k)
				emit()
				for _, r := range replacements {
					v[k] = r
					emit()
				}
				v[k] = old
				if depth < 2 {
					walk(old, depth+1)
				}
			}
			v["unknownProperty"] = "x"
			emit()
			delete(v, "unknownProperty")
		case []any:
			if len(v) > 0 {
				old := v[0]
				for _, r := range replacements {
					v[0] = r
					emit()
				}
				v[0] = old
				if depth < 2 {
					walk(old, depth+1)
				}
			}
		}
	}
	walk(root, 0)
	return out
}

// TestValidateRequestMatchesKinOpenAPI holds the fast validation to
// openapi3filter.ValidateRequest, as ValidateRequest called it before, on
// every operation of the spec: valid bodies from the spec's examples and
// hundreds of broken ones, every media type and some wrong ones, awkward
// path values, and good and bad values of every query parameter.
func TestValidateRequestMatchesKinOpenAPI(t *testing.T) {
	t.Parallel()
	o, ops := oracleAndOperations(t)
	for _, op := range ops {
		t.Run(op.ID, func(t *testing.T) {
			t.Parallel()
			item := o.doc.Paths.Value(op.Path)
			spec := item.GetOperation(op.Method)
			base := "https://api.au.whispir.com" + fill(op.Path, "9A4C5521FFC7B15B")
			var bodies [][]byte
			var primary []byte
			if spec.RequestBody != nil {
				for _, mt := range op.RequestMediaTypes {
					body := exampleBody(t, spec.RequestBody.Value.Content[mt])
					sameValidation(t, op.Method, base, mt, body)
					sameValidation(t, op.Method, base, strings.ToUpper(mt)+"; charset=utf-8", body)
					if mt == op.MediaType || primary == nil {
						primary = body
					}
				}
				bodies = append(mutations(t, primary),
					nil, []byte(""), []byte("null"), []byte("[]"), []byte("{}"), []byte("{"), []byte(`"text"`),
					[]byte("1e400"), append(slices.Clone(primary), " trailing"...), append(slices.Clone(primary), primary...))
				for _, ct := range []string{"", JSONMediaType, "text/plain", "application/xml", "application/vnd.whispir.unknown-v1+json", "not a media type"} {
					sameValidation(t, op.Method, base, ct, primary)
				}
			} else {
				bodies = [][]byte{nil, []byte(`{"a":1}`)}
			}
			for _, body := range bodies {
				sameValidation(t, op.Method, base, op.MediaType, body)
			}
			for _, v := range []string{"A%2FB", "%20", "caf%C3%A9", strings.Repeat("x", 300)} {
				sameValidation(t, op.Method, "https://api.au.whispir.com"+fill(op.Path, v), op.MediaType, primary)
			}
			var query []string
			for _, ps := range []openapi3.Parameters{item.Parameters, spec.Parameters} {
				for _, p := range ps {
					if p.Value.In == openapi3.ParameterInQuery {
						query = append(query, p.Value.Name)
					}
				}
			}
			for _, name := range append(query, "unknownParameter") {
				for _, v := range []string{"x", "-1", "0", "1", "20", "21", "", "1,2", "true", "2024-01-02T03:04:05Z", "%FF"} {
					q := url.QueryEscape(name) + "=" + v
					sameValidation(t, op.Method, base+"?"+q, op.MediaType, primary)
					sameValidation(t, op.Method, base+"?"+q+"&"+q, op.MediaType, primary)
				}
			}
		})
	}
}

// FuzzValidateRequestMatchesKinOpenAPI compares the fast validation with
// openapi3filter.ValidateRequest on arbitrary operations, queries, media
// types and bodies.
func FuzzValidateRequestMatchesKinOpenAPI(f *testing.F) {
	ops, err := Operations()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(uint16(0), "", "application/json", []byte(`{}`))
	for i, op := range ops {
		if op.ID == "messageCreate" || op.ID == "contactCreate" || op.ID == "messageList" {
			f.Add(uint16(i), "limit=5", op.MediaType, []byte(`{"to":"61400000000","subject":"s","body":"b"}`))
			f.Add(uint16(i), "offset=-1", op.MediaType, []byte(`{"firstName":1,"callbackParameters":{"a":2}}`))
		}
	}
	f.Fuzz(func(t *testing.T, i uint16, query, contentType string, body []byte) {
		op := ops[int(i)%len(ops)]
		u := &url.URL{Scheme: "https", Host: "api.au.whispir.com", Path: fill(op.Path, "9A4C5521FFC7B15B"), RawQuery: query}
		sameValidationURL(t, op.Method, u, contentType, body)
	})
}

// TestValidateResponseMatchesKinOpenAPI holds ValidateResponse, whose routes
// now come from the prepared spec, to what it answered before: for every
// operation and declared status, the example body, a broken one, another
// media type, and a status the operation does not declare.
func TestValidateResponseMatchesKinOpenAPI(t *testing.T) {
	t.Parallel()
	o, ops := oracleAndOperations(t)
	for _, op := range ops {
		t.Run(op.ID, func(t *testing.T) {
			t.Parallel()
			spec := o.doc.Paths.Value(op.Path).GetOperation(op.Method)
			u := "https://api.au.whispir.com" + fill(op.Path, "9A4C5521FFC7B15B")
			check := func(status int, contentType string, body []byte) {
				t.Helper()
				req, err := http.NewRequest(op.Method, u, nil)
				if err != nil {
					t.Fatal(err)
				}
				header := http.Header{}
				if contentType != "" {
					header.Set("Content-Type", contentType)
				}
				want := o.validateResponse(t.Context(), req, status, header, body)
				route, err := FindRoute(req, "")
				if err != nil {
					t.Fatal(err)
				}
				got := ValidateResponse(t.Context(), route, req, status, header, body)
				if (got == nil) != (want == nil) || (got != nil && got.Error() != want.Error()) {
					t.Errorf("%d (Content-Type %q) body %.120q:\ngot  %v\nwant %v", status, contentType, body, got, want)
				}
			}
			for code, ref := range spec.Responses.Map() {
				status, err := strconv.Atoi(code)
				if err != nil {
					continue
				}
				for mt, media := range ref.Value.Content {
					body := exampleBody(t, media)
					check(status, mt, body)
					check(status, op.MediaType, body)
					check(status, mt, []byte(`{"unexpected":[1,2]}`))
					check(status, mt, []byte(`{`))
				}
				if len(ref.Value.Content) == 0 {
					check(status, "", nil)
				}
			}
			check(599, op.MediaType, []byte(`{}`))
		})
	}
}
