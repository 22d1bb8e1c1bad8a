package whispir

import (
	"fmt"
	"strings"
)

// maxPathParams bounds the path parameters of one template (newRouter
// refuses more); the spec has at most two
// (/workspaces/{workspaceId}/messages/{messageId}/...). It sizes the array
// of values in every Route.
const maxPathParams = 4

// router matches a request path to a path template of the spec with a trie
// of path segments, so that the cost of a match depends on the length of the
// path, not on the number of templates or on where a template comes in the
// spec.
//
// It answers as kin-openapi's gorillamux router did before it, which remains
// its oracle in the tests (router_test.go): the path compared is the escaped
// path (url.URL.EscapedPath), a literal segment matches byte for byte, a
// {parameter} segment matches one non-empty segment (gorilla/mux's [^/]+)
// and captures it still escaped, and when several templates match, the first
// in kin-openapi's matching order (openapi3.Paths.InMatchingOrder) wins, even
// if it lacks the request's method: the answer is then "method not allowed".
// Trailing slashes and empty segments match only templates that have them.
type router struct {
	root node
}

type node struct {
	literal map[string]*node
	param   *node     // a {parameter} segment
	tpl     *template // the template that ends here, if any
}

// template is a path template and its operations by method.
type template struct {
	path  string
	rank  int      // position in the matching order: lower wins
	names []string // path parameter names, in path order
	ops   map[string]*opState
}

// newRouter builds the trie for templates given in matching order.
func newRouter(templates []string, ops []opState) (*router, error) {
	r := &router{}
	byPath := map[string]*template{}
	for rank, path := range templates {
		t := &template{path: path, rank: rank, ops: map[string]*opState{}}
		if !strings.HasPrefix(path, "/") {
			return nil, fmt.Errorf("whispir: path template %q does not start with /", path)
		}
		n := &r.root
		for seg := range strings.SplitSeq(path[1:], "/") {
			name, isParam, err := parseSegment(seg)
			if err != nil {
				return nil, fmt.Errorf("whispir: path template %q: %w", path, err)
			}
			if isParam {
				t.names = append(t.names, name)
				if n.param == nil {
					n.param = &node{}
				}
				n = n.param
				continue
			}
			if n.literal == nil {
				n.literal = map[string]*node{}
			}
			child := n.literal[seg]
			if child == nil {
				child = &node{}
				n.literal[seg] = child
			}
			n = child
		}
		if len(t.names) > maxPathParams {
			return nil, fmt.Errorf("whispir: path template %q: more than %d parameters", path, maxPathParams)
		}
		if n.tpl == nil {
			// Of two templates that differ only in parameter names, the
			// first in matching order is the one that can ever match.
			n.tpl = t
		}
		byPath[path] = t
	}
	for i := range ops {
		o := &ops[i]
		t := byPath[o.Path]
		if t == nil {
			return nil, fmt.Errorf("whispir: %s: path %q is not a template of the spec", o.ID, o.Path)
		}
		t.ops[o.Method] = o
	}
	return r, nil
}

// parseSegment tells a literal segment from a {parameter} one. Templates
// that mix both in a segment, or give a parameter a pattern, are refused:
// the spec has none, and the trie would not match them as gorilla/mux does.
func parseSegment(seg string) (name string, isParam bool, err error) {
	if !strings.ContainsAny(seg, "{}") {
		return "", false, nil
	}
	if len(seg) < 3 || seg[0] != '{' || seg[len(seg)-1] != '}' || strings.ContainsAny(seg[1:len(seg)-1], "{}:") {
		return "", false, fmt.Errorf("segment %q: only whole-segment {name} parameters are supported", seg)
	}
	return seg[1 : len(seg)-1], true, nil
}

// match is the template a path matched and the escaped values of its
// parameters.
type match struct {
	tpl    *template
	values [maxPathParams]string
}

// find returns the template that escapedPath matches, or nil.
func (r *router) find(escapedPath string, m *match) bool {
	if !strings.HasPrefix(escapedPath, "/") {
		return false
	}
	var values [maxPathParams]string
	r.root.walk(escapedPath[1:], values[:0], m)
	return m.tpl != nil
}

// walk matches rest, the part of the path after this node's segment, and
// keeps in m the matching template of lowest rank.
func (n *node) walk(rest string, values []string, m *match) {
	seg, tail, more := rest, "", false
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		seg, tail, more = rest[:i], rest[i+1:], true
	}
	if child := n.literal[seg]; child != nil {
		child.next(tail, more, values, m)
	}
	if n.param != nil && seg != "" && len(values) < maxPathParams {
		n.param.next(tail, more, append(values, seg), m)
	}
}

func (n *node) next(tail string, more bool, values []string, m *match) {
	if more {
		n.walk(tail, values, m)
		return
	}
	if t := n.tpl; t != nil && (m.tpl == nil || t.rank < m.tpl.rank) {
		m.tpl = t
		copy(m.values[:], values)
	}
}
