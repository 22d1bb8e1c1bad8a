package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/whispir-go/whispir/generated"
)

// PageSize is the largest page Whispir serves (the spec's limit maximum).
const PageSize = 20

// maxPages bounds a pager against a server whose next links never end.
const maxPages = 100000

// ErrPagination is returned by an iterator when a page's links cannot be
// followed: a next link to another host or one that repeats a page.
var ErrPagination = errors.New("pagination")

// paginate yields the items of first and of every page after it. Pages are
// decoded as collection C and items picks their items. A collection with a
// `link` property is followed by its link with rel "next" (absolute or
// relative); one without (keyList's) by offset: a full page is followed by
// the page at offset+limit. It stops at the last page, an empty page, or the
// first error, which is yielded once.
func paginate[C any, T any](ctx context.Context, c *Client, first *http.Request, items func(*C) []T) iter.Seq2[T, error] {
	linked := hasLinks[C]()
	return func(yield func(T, error) bool) {
		var zero T
		req := first
		seen := map[string]bool{}
		for range maxPages {
			seen[req.URL.String()] = true
			page, links, err := fetchPage[C](ctx, c, req)
			if err != nil {
				yield(zero, err)
				return
			}
			got := items(page)
			for _, it := range got {
				if !yield(it, nil) {
					return
				}
			}
			next, ok := NextLink(links)
			if !linked {
				next, ok = nextOffset(req.URL, len(got))
			}
			if !ok || len(got) == 0 {
				return
			}
			u, err := c.resolve(next)
			if err != nil {
				yield(zero, err)
				return
			}
			if seen[u.String()] {
				yield(zero, fmt.Errorf("%w: next link repeats a page", ErrPagination))
				return
			}
			if req, err = http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil); err != nil {
				yield(zero, err)
				return
			}
		}
		yield(zero, fmt.Errorf("%w: more than %d pages", ErrPagination, maxPages))
	}
}

// fetchPage gets one page and decodes it as C, and its `link` property.
func fetchPage[C any](ctx context.Context, c *Client, req *http.Request) (*C, []generated.Link, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	resp, err := c.do(ctx, req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body) // already read and capped by the pipeline
	if err != nil {
		return nil, nil, fmt.Errorf("read page: %w", err)
	}
	var page C
	var links struct {
		Link []generated.Link `json:"link"`
	}
	if err := json.Unmarshal(data, &page); err != nil {
		return nil, nil, fmt.Errorf("decode page: %w", errors.New(jsonReason(err)))
	}
	_ = json.Unmarshal(data, &links) // a link of the wrong type failed above
	return &page, links.Link, nil
}

// hasLinks reports whether collection C has a `link` property.
func hasLinks[C any]() bool {
	t := reflect.TypeFor[C]()
	if t.Kind() != reflect.Struct {
		return false
	}
	for f := range t.Fields() {
		if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); name == "link" {
			return true
		}
	}
	return false
}

// nextOffset is the URL of the page after one of n items at u, for
// collections without links: none when the page was not full.
func nextOffset(u *url.URL, n int) (string, bool) {
	q := u.Query()
	limit, offset := PageSize, 0
	if v, err := strconv.Atoi(q.Get("limit")); err == nil && v > 0 {
		limit = v
	}
	if v, err := strconv.Atoi(q.Get("offset")); err == nil && v > 0 {
		offset = v
	}
	if n < limit {
		return "", false
	}
	next := *u
	next.RawQuery = setQuery(u.RawQuery, "offset", strconv.Itoa(offset+n))
	return next.String(), true
}

// setQuery sets one parameter of a raw query, leaving the others as they
// were encoded by the generated builder.
func setQuery(raw, name, value string) string {
	var out []string
	for _, kv := range strings.Split(raw, "&") {
		if k, _, _ := strings.Cut(kv, "="); kv != "" && k != name {
			out = append(out, kv)
		}
	}
	return strings.Join(append(out, name+"="+url.QueryEscape(value)), "&")
}

// jsonReason describes a decoding error without quoting the input.
func jsonReason(err error) string {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		return "field " + typeErr.Field + " has the wrong type"
	}
	return "not valid JSON"
}

// NextLink returns the URI of the link with rel "next" (case-insensitive).
func NextLink(links []generated.Link) (string, bool) {
	for _, l := range links {
		if l.Rel != nil && strings.EqualFold(strings.TrimSpace(*l.Rel), "next") && l.URI != nil && strings.TrimSpace(*l.URI) != "" {
			return strings.TrimSpace(*l.URI), true
		}
	}
	return "", false
}

// resolve makes a next link absolute against the base URL. Links to another
// host are refused: following them would send the credentials elsewhere.
// Relative links are resolved below the base path.
func (c *Client) resolve(link string) (*url.URL, error) {
	u, err := url.Parse(link)
	if err != nil {
		return nil, fmt.Errorf("%w: next link is not a URL", ErrPagination)
	}
	if u.IsAbs() || u.Host != "" {
		if !strings.EqualFold(u.Host, c.baseURL.Host) {
			return nil, fmt.Errorf("%w: next link points to another host", ErrPagination)
		}
		out := *u
		out.Scheme = c.baseURL.Scheme
		return &out, nil
	}
	out := *c.baseURL
	p := u.Path
	if !strings.HasPrefix(p, c.baseURL.Path+"/") {
		p = c.baseURL.Path + "/" + strings.TrimPrefix(p, "/")
	}
	out.Path, out.RawPath, out.RawQuery = p, "", u.RawQuery
	return &out, nil
}

var statusRE = regexp.MustCompile(`(\d+)\s+to\s+(\d+)\s+of\s+(\d+)`)

// ParseStatus reads a collection's status text, e.g. "1 to 20 of 45   " or
// "status: 1 to 1 of 1", returning the first and last item numbers of the
// page and the total. "No records found" and "" give zeros and ok true;
// anything else gives ok false.
func ParseStatus(s string) (first, last, total int, ok bool) {
	t := strings.TrimSpace(s)
	if t == "" || strings.EqualFold(t, "No records found") {
		return 0, 0, 0, true
	}
	m := statusRE.FindStringSubmatch(t)
	if m == nil {
		return 0, 0, 0, false
	}
	var n [3]int
	for i := range n {
		v, err := strconv.Atoi(m[i+1])
		if err != nil {
			return 0, 0, 0, false
		}
		n[i] = v
	}
	return n[0], n[1], n[2], true
}
