package whispirtest

import (
	"fmt"
	"net/url"
	"strconv"

	"github.com/whispir-go/whispir/generated"
)

// pageSize is Whispir's default and largest page.
const pageSize = 20

// noRecords is the status of an empty page.
const noRecords = "No records found"

// page is one page of a collection of total items.
type page struct {
	lo, hi, total, limit int
}

// pageOf reads limit and offset from a query (the spec has validated them)
// and bounds them by total.
func pageOf(q url.Values, total int) page {
	p := page{total: total, limit: pageSize}
	if n, err := strconv.Atoi(q.Get("limit")); err == nil && n > 0 && n < pageSize {
		p.limit = n
	}
	if n, err := strconv.Atoi(q.Get("offset")); err == nil && n > 0 {
		p.lo = min(n, total)
	}
	p.hi = min(p.lo+p.limit, total)
	return p
}

// cut returns the page of entries that q asks for (nil when it is empty),
// the page's status text and its next and prev links under base.
func cut[T any](entries []T, q url.Values, base string) (items *[]T, status *string, links *[]generated.Link) {
	p := pageOf(q, len(entries))
	if p.hi > p.lo {
		page := entries[p.lo:p.hi]
		items = &page
	}
	st, l := p.status(), p.links(base, q)
	return items, &st, &l
}

// status is the page's status text, e.g. "1 to 20 of 45".
func (p page) status() string {
	if p.hi <= p.lo {
		return noRecords
	}
	return fmt.Sprintf("%d to %d of %d", p.lo+1, p.hi, p.total)
}

// links are the page's next and prev links: absolute URIs of base (the
// collection's URL) with the request's query and a new offset.
func (p page) links(base string, q url.Values) []generated.Link {
	links := []generated.Link{}
	at := func(offset int, rel string) generated.Link {
		v := url.Values{}
		for k, vs := range q {
			v[k] = append([]string(nil), vs...)
		}
		v.Set("limit", strconv.Itoa(p.limit))
		v.Set("offset", strconv.Itoa(offset))
		uri, method := base+"?"+v.Encode(), "GET"
		return generated.Link{URI: &uri, Rel: &rel, Method: &method}
	}
	if p.hi < p.total {
		links = append(links, at(p.hi, "next"))
	}
	if p.lo > 0 {
		links = append(links, at(max(0, p.lo-p.limit), "prev"))
	}
	return links
}

// link is a GET link.
func link(uri, rel string) generated.Link {
	method := "GET"
	return generated.Link{URI: &uri, Rel: &rel, Method: &method}
}
