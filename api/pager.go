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

// paginate yields the items of first and of every page after it, following
// each page's `link` entry with rel "next" (absolute or relative). Pages are
// decoded as collection C; items and links pick its fields. It stops at the
// first page without a next link, an empty page, or the first error, which
// is yielded once.
func paginate[C any, T any](ctx context.Context, c *Client, first *http.Request, items func(*C) []T, links func(*C) []generated.Link) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		req := first
		seen := map[string]bool{}
		for range maxPages {
			seen[req.URL.String()] = true
			page, err := fetchPage[C](ctx, c, req)
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
			next, ok := NextLink(links(page))
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

func fetchPage[C any](ctx context.Context, c *Client, req *http.Request) (*C, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	resp, err := c.do(ctx, req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxRequestBody))
	if err != nil {
		return nil, fmt.Errorf("read page: %w", err)
	}
	var page C
	if err := json.Unmarshal(data, &page); err != nil {
		return nil, fmt.Errorf("decode page: %w", errors.New(jsonReason(err)))
	}
	return &page, nil
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
