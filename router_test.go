package whispir

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// routeAnswer is what a router said about a request, in comparable form.
type routeAnswer struct {
	id     string
	params map[string]string
	err    string
}

func (a routeAnswer) String() string {
	if a.err != "" {
		return "error " + a.err
	}
	return fmt.Sprintf("%s %v", a.id, a.params)
}

func (a routeAnswer) equal(b routeAnswer) bool {
	return a.id == b.id && a.err == b.err && maps.Equal(a.params, b.params)
}

func newAnswer(t testing.TB, req *http.Request, basePath string) routeAnswer {
	t.Helper()
	r, err := FindRoute(req, basePath)
	if err != nil {
		return routeAnswer{err: err.Error()}
	}
	return routeAnswer{id: r.ID, params: r.PathParams()}
}

func oracleAnswer(t testing.TB, req *http.Request, basePath string) routeAnswer {
	t.Helper()
	o, err := loadOracle()
	if err != nil {
		t.Fatalf("oracle: %v", err)
	}
	route, params, err := o.findRoute(req, basePath)
	if err != nil {
		return routeAnswer{err: err.Error()}
	}
	return routeAnswer{id: route.Operation.OperationID, params: params}
}

// fill replaces every {parameter} of a path template with value.
func fill(template, value string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(template, '{')
		if i < 0 {
			return b.String() + template
		}
		j := strings.IndexByte(template[i:], '}')
		b.WriteString(template[:i] + value)
		template = template[i+j+1:]
	}
}

// routingPaths are request paths for the equivalence test: for every
// template, filled with ordinary, escaped and awkward values, and variations
// that must not match it (prefixes, extra segments, trailing and doubled
// slashes, escaped literals), plus paths no template has.
func routingPaths(t *testing.T) []string {
	t.Helper()
	ops, err := Operations()
	if err != nil {
		t.Fatal(err)
	}
	paths := []string{
		"", "/", "*", "//", "/unknown", "/workspaces/", "/workspaces//messages",
		"/WORKSPACES", "/messages/", "/messages//", "/messages/x/", "/messages/x/y/z",
		"/work%73paces", "/workspaces/%2F/messages", "/%7BworkspaceId%7D",
		"/workspaces/{workspaceId}/messages", "/otp/send-code", "/otp/send-code/verify-code",
		"/otp/x/verify-code", "/auth/verify", "/auth/verify/", "/keys/a%2Fb",
	}
	values := []string{"9A4C5521FFC7B15B", "A%2FB", "%7Bx%7D", "messages", "%25"}
	seen := map[string]bool{}
	for _, o := range ops {
		if seen[o.Path] {
			continue
		}
		seen[o.Path] = true
		for _, v := range values {
			p := fill(o.Path, v)
			paths = append(paths, p, p+"/", p+"/x", strings.Replace(p, "/", "//", 2))
		}
		if i := strings.LastIndexByte(o.Path, '/'); i > 0 {
			paths = append(paths, fill(o.Path[:i], "X"), fill(o.Path[:i+1], "X"))
		}
		paths = append(paths, o.Path, fill(o.Path, ""))
	}
	return paths
}

var routingMethods = []string{http.MethodGet, http.MethodPost, http.MethodDelete, "get"}

// TestRouterMatchesGorillamux pins the trie router to kin-openapi's
// gorillamux router, which FindRoute used before: for every template of the
// spec and the awkward paths of routingPaths, known, unknown and lowercase
// methods, and base paths, both give the same operation and
// parameters, or the same error.
func TestRouterMatchesGorillamux(t *testing.T) {
	t.Parallel()
	hosts := []string{"https://api.au.whispir.com", "http://127.0.0.1:8080"}
	for _, base := range []string{"", "/base/", "/b%20se", "/workspaces"} {
		t.Run("base="+base, func(t *testing.T) {
			t.Parallel()
			n := 0
			for i, p := range routingPaths(t) {
				u, err := url.Parse(hosts[i%len(hosts)] + strings.TrimSuffix(base, "/") + p)
				if err != nil {
					continue
				}
				for _, m := range routingMethods {
					req := &http.Request{Method: m, URL: u, Header: http.Header{}, Host: u.Host}
					got, want := newAnswer(t, req, base), oracleAnswer(t, req, base)
					n++
					if !got.equal(want) {
						t.Errorf("%s %s: got %s; want %s", m, u, got, want)
					}
				}
			}
			t.Logf("%d requests compared", n)
		})
	}
}

// TestRouterPathsWithRawPath covers URLs whose RawPath is set in ways
// url.Parse does not produce, since EscapedPath decides what is matched.
func TestRouterPathsWithRawPath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		u       url.URL
		base    string
		methods []string
	}{
		{"raw path consistent", url.URL{Path: "/workspaces/a/b/messages", RawPath: "/workspaces/a%2Fb/messages"}, "", nil},
		{"raw path inconsistent", url.URL{Path: "/workspaces/x/messages", RawPath: "/workspaces/y/messages"}, "", nil},
		{"unescaped space", url.URL{Path: "/workspaces/a b/messages"}, "", nil},
		{"brackets under base", url.URL{Path: "/base/messages/[x]"}, "/base", nil},
		{"brackets", url.URL{Path: "/messages/[x]"}, "", nil},
		{"star under base", url.URL{Path: "/base*"}, "/base", nil},
		{"no leading slash", url.URL{Path: "messages"}, "", nil},
		{"opaque", url.URL{Opaque: "/messages"}, "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, m := range routingMethods {
				u := tc.u
				req := &http.Request{Method: m, URL: &u, Header: http.Header{}}
				if got, want := newAnswer(t, req, tc.base), oracleAnswer(t, req, tc.base); !got.equal(want) {
					t.Errorf("%s %#v: got %s; want %s", m, tc.u, got, want)
				}
			}
		})
	}
}

// TestRouterRefusesUnsupportedTemplates pins that templates the trie cannot
// match as gorilla/mux does are refused when the router is built, not
// silently mismatched.
func TestRouterRefusesUnsupportedTemplates(t *testing.T) {
	t.Parallel()
	for _, tpl := range []string{"/items/{id}.json", "/items/{id:[0-9]+}", "/items/{a}{b}", "/items/{}", "items"} {
		t.Run(tpl, func(t *testing.T) {
			t.Parallel()
			if _, err := newRouter([]string{tpl}, nil); err == nil {
				t.Errorf("newRouter(%q) = nil error; want an error", tpl)
			}
		})
	}
}

// TestRouterFirstInMatchingOrderWins pins gorillamux's rule for paths that
// several templates match: the first in matching order wins, even without
// the request's method.
func TestRouterFirstInMatchingOrderWins(t *testing.T) {
	t.Parallel()
	ops := []opState{
		{Operation: Operation{ID: "literal", Method: http.MethodGet, Path: "/a/b"}},
		{Operation: Operation{ID: "param", Method: http.MethodPost, Path: "/a/{x}"}},
	}
	tests := []struct {
		name      string
		templates []string
		path      string
		want      string
	}{
		{"literal first", []string{"/a/b", "/a/{x}"}, "/a/b", "/a/b"},
		{"param first", []string{"/a/{x}", "/a/b"}, "/a/b", "/a/{x}"},
		{"only param matches", []string{"/a/b", "/a/{x}"}, "/a/c", "/a/{x}"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, err := newRouter(tc.templates, ops)
			if err != nil {
				t.Fatal(err)
			}
			var m match
			if !r.find(tc.path, &m) {
				t.Fatalf("find(%q) = false; want %s", tc.path, tc.want)
			}
			if m.tpl.path != tc.want {
				t.Errorf("find(%q) = %s; want %s", tc.path, m.tpl.path, tc.want)
			}
		})
	}
}

// FuzzFindRoute compares the trie router with gorillamux on arbitrary
// methods, URLs and base paths.
func FuzzFindRoute(f *testing.F) {
	f.Add("POST", "/workspaces/9A4C5521FFC7B15B/messages", "")
	f.Add("GET", "/base/messages/A%2FB/messagestatus", "/base/")
	f.Add("DELETE", "/messages/", "")
	f.Add("get", "/otp/send-code", "/")
	f.Add("PUT", "//x/../messages", "/x")
	f.Fuzz(func(t *testing.T, method, rawURL, base string) {
		u, err := url.Parse(rawURL)
		if err != nil {
			return
		}
		req := &http.Request{Method: method, URL: u, Header: http.Header{}}
		if got, want := newAnswer(t, req, base), oracleAnswer(t, req, base); !got.equal(want) {
			t.Errorf("%q %q (base %q): got %s; want %s", method, rawURL, base, got, want)
		}
	})
}

// TestRoutesShareTheDocument pins that a route's path item is the one
// Document returns: the two are built by one builder.
func TestRoutesShareTheDocument(t *testing.T) {
	t.Parallel()
	doc, err := Document()
	if err != nil {
		t.Fatal(err)
	}
	ops, err := Operations()
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range ops {
		req := &http.Request{Method: o.Method, URL: &url.URL{Path: fill(o.Path, "X")}}
		r, err := FindRoute(req, "")
		if err != nil {
			t.Fatalf("%s: %v", o.ID, err)
		}
		if got, want := r.op.prepared().route.PathItem, doc.Paths.Value(o.Path); got != want {
			t.Errorf("%s: route path item %p; want the document's %p", o.ID, got, want)
		}
		if got := r.op.prepared().route.Operation.OperationID; got != o.ID {
			t.Errorf("%s: route operation %s", o.ID, got)
		}
	}
	if !slices.IsSortedFunc(ops, func(a, b Operation) int { return strings.Compare(a.Path+" "+a.Method, b.Path+" "+b.Method) }) {
		t.Error("Operations() not in path, then method order")
	}
}
