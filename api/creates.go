package api

import (
	"fmt"
	"net/http"
	"slices"
)

// The create helpers (CreateContact, RunScenario, ...) are generated from
// the spec into creates.gen.go by internal/cmd/apigen; this file holds what
// they share.

// createdID returns the id that a create's answer names in its Location.
// An answer with one of the statuses withoutLocation may come without one
// (a 204); it gives "".
func createdID(op string, resp *http.Response, withoutLocation ...int) (string, error) {
	loc := resp.Header.Get("Location")
	if loc == "" {
		if slices.Contains(withoutLocation, resp.StatusCode) {
			return "", nil
		}
		return "", fmt.Errorf("%s: %d: %w: no Location", op, resp.StatusCode, ErrNoID)
	}
	id, err := IDFromLocation(loc)
	if err != nil {
		return "", fmt.Errorf("%s: %w", op, err)
	}
	return id, nil
}
