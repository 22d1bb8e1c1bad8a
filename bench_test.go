package whispir

// Benchmarks of the contract at run time. Each benchmark runs its variants
// as sub-benchmarks named impl=raw (a standard-library baseline), impl=kin
// (kin-openapi as this package used it before the spec was prepared at
// generate time: oracle_test.go) and impl=whispir (this package), so that
// benchstat -col /impl puts them side by side. make bench runs go test
// -count 1 several times, so that the variants alternate (-count 6 would
// run each variant 6 times in a row), and prints one table with the
// ratios to raw. Besides sec/op, each reports cpu-ns/op: the CPU time of
// the whole process (garbage collector included) per operation, steadier
// than wall time on a shared machine.

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/whispir-go/whispir/internal/benchutil"
	"github.com/whispir-go/whispir/internal/specdoc"
	"github.com/whispir-go/whispir/internal/specgen"
)

// BenchmarkRoute matches a request to the first operation of the matching
// order, the last, and a path no operation has.
func BenchmarkRoute(b *testing.B) {
	o, err := loadOracle()
	if err != nil {
		b.Fatal(err)
	}
	first, last := specdoc.Paths[0], specdoc.Paths[len(specdoc.Paths)-1]
	cases := []struct{ name, path string }{
		{"first", fill(first, "9A4C5521FFC7B15B")},
		{"last", fill(last, "9A4C5521FFC7B15B")},
		{"unknown", "/no/such/path"},
	}
	// raw: net/http's ServeMux with a pattern per operation.
	mux := http.NewServeMux()
	ops, err := Operations()
	if err != nil {
		b.Fatal(err)
	}
	for _, op := range ops {
		mux.HandleFunc(op.Method+" "+op.Path, func(http.ResponseWriter, *http.Request) {})
	}
	for _, tc := range cases {
		req := &http.Request{Method: http.MethodGet, URL: &url.URL{Scheme: "https", Host: "api.au.whispir.com", Path: tc.path}, Host: "api.au.whispir.com"}
		wantErr := tc.name == "unknown"
		b.Run("op="+tc.name+"/impl=raw", func(b *testing.B) {
			benchutil.Loop(b, func() {
				if _, pattern := mux.Handler(req); (pattern == "") != wantErr {
					b.Fatalf("ServeMux: pattern %q", pattern)
				}
			})
		})
		b.Run("op="+tc.name+"/impl=kin", func(b *testing.B) {
			benchutil.Loop(b, func() {
				if _, _, err := o.findRoute(req, ""); (err != nil) != wantErr {
					b.Fatal(err)
				}
			})
		})
		b.Run("op="+tc.name+"/impl=whispir", func(b *testing.B) {
			benchutil.Loop(b, func() {
				if _, err := FindRoute(req, ""); (err != nil) != wantErr {
					b.Fatal(err)
				}
			})
		})
	}
}

// BenchmarkRouterSize shows what a match costs depends on neither the
// number of templates nor a template's place among them: it matches the
// first and the last template of the matching order in the full trie
// (impl=whispir) and in a trie built from that template alone
// (impl=alone, the baseline), so the ratio is the cost of the other 55
// templates. What differs between op=first (/workspaces, one segment) and
// op=last (four segments) is the path's length, which a trie walks.
func BenchmarkRouterSize(b *testing.B) {
	c, err := load()
	if err != nil {
		b.Fatal(err)
	}
	for _, tc := range []struct{ name, tpl string }{
		{"first", specdoc.Paths[0]},
		{"last", specdoc.Paths[len(specdoc.Paths)-1]},
	} {
		var ops []opState
		for i := range c.ops {
			if c.ops[i].Path == tc.tpl {
				ops = append(ops, opState{Operation: c.ops[i].Operation})
			}
		}
		alone, err := newRouter([]string{tc.tpl}, ops)
		if err != nil {
			b.Fatal(err)
		}
		path := fill(tc.tpl, "9A4C5521FFC7B15B")
		for _, impl := range []struct {
			name string
			r    *router
		}{{"alone", alone}, {"whispir", c.router}} {
			b.Run("op="+tc.name+"/impl="+impl.name, func(b *testing.B) {
				benchutil.Loop(b, func() {
					var m match
					if !impl.r.find(path, &m) || m.tpl.path != tc.tpl {
						b.Fatalf("%s did not match %s", path, tc.tpl)
					}
				})
			})
		}
	}
}

// sendRequest is a messageCreate with the spec's example message.
func sendRequest(b *testing.B) (*http.Request, []byte) {
	b.Helper()
	o, err := loadOracle()
	if err != nil {
		b.Fatal(err)
	}
	const mt = "application/vnd.whispir.message-v1+json"
	body := exampleBody(b, o.doc.Paths.Value("/workspaces/{workspaceId}/messages").Post.RequestBody.Value.Content[mt])
	req, err := http.NewRequest(http.MethodPost, "https://api.au.whispir.com/workspaces/9A4C5521FFC7B15B/messages", bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Content-Type", mt)
	req.Header.Set("Accept", mt)
	return req, body
}

// BenchmarkValidateRequest validates a send (messageCreate, the spec's
// example message) against decoding the same bytes with encoding/json, the
// least any validation must do. Routing is not included.
func BenchmarkValidateRequest(b *testing.B) {
	req, body := sendRequest(b)
	ctx := context.Background()
	b.Run("op=messageCreate/impl=raw", func(b *testing.B) {
		benchutil.Loop(b, func() {
			var v any
			if err := json.Unmarshal(body, &v); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("op=messageCreate/impl=kin", func(b *testing.B) {
		o, err := loadOracle()
		if err != nil {
			b.Fatal(err)
		}
		route, params, err := o.findRoute(req, "")
		if err != nil {
			b.Fatal(err)
		}
		benchutil.Loop(b, func() {
			if err := o.validate(ctx, route, params, req, body); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("op=messageCreate/impl=whispir", func(b *testing.B) {
		route, err := FindRoute(req, "")
		if err != nil {
			b.Fatal(err)
		}
		benchutil.Loop(b, func() {
			if err := ValidateRequest(ctx, route, req, body); err != nil {
				b.Fatal(err)
			}
		})
	})
}

// BenchmarkSpecLoad measures a cold start of the contract, as the first
// call of a process pays it (in a loop, so memory is warm and reused: a
// fresh process pays page faults on top, see the report of issue 10).
//
//   - what=document: the whole document. raw decodes the same document,
//     as JSON, into interface values with encoding/json; kin parses the YAML,
//     validates it (examples included) and builds the gorillamux router, as
//     every process did before; whispir builds it from the generated code.
//   - what=messageCreate: what the first validated send costs: kin as above,
//     plus routing and validating one message; whispir reads the generated
//     tables, routes, builds the one path item and validates.
func BenchmarkSpecLoad(b *testing.B) {
	doc, err := specgen.Load(specYAML)
	if err != nil {
		b.Fatal(err)
	}
	asJSON, err := json.Marshal(doc)
	if err != nil {
		b.Fatal(err)
	}
	req, body := sendRequest(b)
	ctx := context.Background()
	b.Run("what=document/impl=raw", func(b *testing.B) {
		benchutil.Loop(b, func() {
			var v any
			if err := json.Unmarshal(asJSON, &v); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("what=document/impl=kin", func(b *testing.B) {
		benchutil.Loop(b, func() {
			if _, err := newOracle(specYAML); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("what=document/impl=whispir", func(b *testing.B) {
		benchutil.Loop(b, func() {
			c, err := newContract()
			if err != nil {
				b.Fatal(err)
			}
			c.doc()
		})
	})
	b.Run("what=messageCreate/impl=kin", func(b *testing.B) {
		benchutil.Loop(b, func() {
			o, err := newOracle(specYAML)
			if err != nil {
				b.Fatal(err)
			}
			if err := o.validateRequest(ctx, req, "", body); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("what=messageCreate/impl=whispir", func(b *testing.B) {
		benchutil.Loop(b, func() {
			c, err := newContract()
			if err != nil {
				b.Fatal(err)
			}
			route, err := c.findRoute(req, "")
			if err != nil {
				b.Fatal(err)
			}
			if err := ValidateRequest(ctx, route, req, body); err != nil {
				b.Fatal(err)
			}
		})
	})
}
