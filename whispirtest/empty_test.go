package whispirtest

import (
	"encoding/json"
	"net/url"
	"slices"
	"testing"
)

// Regression: an empty collection used to answer the spec's example, whose
// links lead to the real API and 404 when followed; collections that no
// operation fills (custom lists, a workspace's activities and users) did so
// until the end.
func TestEmptyListsAreEmpty(t *testing.T) {
	t.Parallel()
	ps, err := loadPlans()
	if err != nil {
		t.Fatal(err)
	}
	s := newServer()
	var ids []string
	for id, p := range ps.byID {
		if p.kind == kindList && handlers[id] == nil {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	if len(ids) < 15 {
		t.Fatalf("got %d list operations served by the engine; want the spec's many", len(ids))
	}
	for _, id := range ids {
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			p := ps.byID[id]
			params := map[string]string{"workspaceId": "AB12", "userId": "CD34", "callbackId": "EF56"}
			a := s.items.serve(s, p, params, url.Values{}, nil)
			if a.status != p.ok.status {
				t.Fatalf("status: got %d; want %d", a.status, p.ok.status)
			}
			var got any
			if err := json.Unmarshal(a.body, &got); err != nil {
				t.Fatalf("body %s: %v", a.body, err)
			}
			if !fits(got, p.ok.schema) {
				t.Errorf("body %s does not fit the schema", a.body)
			}
			if p.arrayProp == "" {
				if arr, ok := got.([]any); !ok || len(arr) != 0 {
					t.Errorf("body: got %s; want []", a.body)
				}
				return
			}
			obj, _ := got.(map[string]any)
			if id == "workspaceList" {
				// Only the built-in workspace (WorkspaceID) is there.
				items, _ := obj[p.arrayProp].([]any)
				if len(items) != 1 || items[0].(map[string]any)["id"] != WorkspaceID {
					t.Errorf("%s: got %v; want only %s", p.arrayProp, items, WorkspaceID)
				}
				return
			}
			if items, ok := obj[p.arrayProp]; ok {
				t.Errorf("%s: got %v; want none", p.arrayProp, items)
			}
			if hasProperty(p.ok.schema, "status") && obj["status"] != noRecords {
				t.Errorf("status: got %v; want %q", obj["status"], noRecords)
			}
		})
	}
}
