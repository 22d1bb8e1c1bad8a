package api

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"strconv"
)

// The list iterators (Messages, Contacts, ...) are generated from the spec
// into lists.gen.go by internal/cmd/apigen; this file holds what they share.

// builder is a generated request builder with its path parameters bound.
type builder[P any] func(server string, params *P) (*http.Request, error)

// list builds the first request of a list operation, asking for pages of
// PageSize items when params sets no limit, and pages through the
// collection C.
func list[P, C, T any](ctx context.Context, c *Client, build builder[P], params *P, items func(*C) []T) iter.Seq2[T, error] {
	req, err := build(c.server(), params)
	if err != nil {
		return failed[T](fmt.Errorf("build list request: %w", err))
	}
	if !req.URL.Query().Has("limit") {
		req.URL.RawQuery = setQuery(req.URL.RawQuery, "limit", strconv.Itoa(PageSize))
	}
	return paginate(ctx, c, req, items)
}

// emptyIfNotFound ends seq without an error where it fails with a 404: the
// answer of a search that matches nothing.
func emptyIfNotFound[T any](seq iter.Seq2[T, error]) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for v, err := range seq {
			if errors.Is(err, ErrNotFound) || !yield(v, err) {
				return
			}
		}
	}
}

// failed yields err alone.
func failed[T any](err error) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		yield(zero, err)
	}
}

func deref[T any](p *[]T) []T {
	if p == nil {
		return nil
	}
	return *p
}
