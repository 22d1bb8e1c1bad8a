package whispirtest_test

import (
	"errors"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/whispir-go/whispir/whispirtest"
)

// An activity posted to /activities is in the activity log, with the time
// Whispir fills in, and with no self link (no operation reads one
// activity). A workspace's activity log, which nothing fills, is an empty
// page, not the spec's example.
func TestActivitiesAreLogged(t *testing.T) {
	t.Parallel()
	srv := start(t)
	type page struct {
		Activities []map[string]any `json:"activities"`
		Status     string           `json:"status"`
	}
	list := func(path string) page {
		t.Helper()
		resp, data := send(t, newRequest(t, srv, http.MethodGet, path, ""))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, resp.StatusCode, data)
		}
		return decode[page](t, data)
	}
	if got := list("/activities"); len(got.Activities) != 0 || got.Status != "No records found" {
		t.Fatalf("before any activity: %+v; want an empty page", got)
	}
	resp, data := send(t, newRequest(t, srv, http.MethodPost, "/activities",
		`{"action":"Send","description":"Reminders sent by job 42","status":"Successful","module":"Message"}`))
	if resp.StatusCode != http.StatusCreated || resp.Header.Get("Location") == "" {
		t.Fatalf("activityCreate: %d %s, Location %q; want 201 with a Location", resp.StatusCode, data, resp.Header.Get("Location"))
	}
	got := list("/activities")
	if len(got.Activities) != 1 {
		t.Fatalf("activities: %+v; want the one logged", got.Activities)
	}
	a := got.Activities[0]
	if a["description"] != "Reminders sent by job 42" || a["action"] != "Send" {
		t.Errorf("activity: %v; want the one posted", a)
	}
	if tm, _ := a["time"].(string); !regexp.MustCompile(`^\d\d/\d\d/\d\d \d\d:\d\d$`).MatchString(tm) {
		t.Errorf("time: %q; want now as dd/MM/yy HH:mm", tm)
	}
	if links, ok := a["link"].([]any); !ok || len(links) != 0 {
		t.Errorf("link: %v; want [] (no operation reads one activity)", a["link"])
	}
	if got := list("/workspaces/" + whispirtest.WorkspaceID + "/activities"); len(got.Activities) != 0 || got.Status != "No records found" {
		t.Errorf("a workspace's activities: %+v; want an empty page", got)
	}
}

// Custom lists cannot be made through the API: without a seed there are
// none (an empty page, 404 for any id); a seeded one is listed with a self
// link on the mock that retrieves it.
func TestCustomListsComeFromTheSeed(t *testing.T) {
	t.Parallel()
	type page struct {
		CustomLabels []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
			Link []struct {
				URI string `json:"uri"`
			} `json:"link"`
		} `json:"customlabels"`
		Status string `json:"status"`
	}

	empty := start(t)
	resp, data := send(t, newRequest(t, empty, http.MethodGet, "/customlists", ""))
	if got := decode[page](t, data); resp.StatusCode != http.StatusOK || len(got.CustomLabels) != 0 || got.Status != "No records found" {
		t.Errorf("no seed: GET /customlists: %d %s; want an empty page", resp.StatusCode, data)
	}
	if resp, data := send(t, newRequest(t, empty, http.MethodGet, "/customlists/1DFA2E3B4C5D6E7F", "")); resp.StatusCode != http.StatusNotFound {
		t.Errorf("no seed: GET /customlists/1DFA2E3B4C5D6E7F: %d %s; want 404", resp.StatusCode, data)
	}

	seed, err := whispirtest.ParseSeed([]byte(`
customLists:
  - id: c0ffee
    name: Regions
    type: MESSAGE
    customlabellists: [{name: North, value: N}]
`))
	if err != nil {
		t.Fatal(err)
	}
	srv := start(t, whispirtest.WithSeed(seed))
	resp, data = send(t, newRequest(t, srv, http.MethodGet, "/customlists", ""))
	got := decode[page](t, data)
	if resp.StatusCode != http.StatusOK || len(got.CustomLabels) != 1 || got.CustomLabels[0].ID != "C0FFEE" || got.CustomLabels[0].Name != "Regions" {
		t.Fatalf("seeded: GET /customlists: %d %s; want the seeded list", resp.StatusCode, data)
	}
	if l := got.CustomLabels[0].Link; len(l) != 1 || l[0].URI != srv.URL+"/customlists/C0FFEE" {
		t.Fatalf("self link: %+v; want %s/customlists/C0FFEE", l, srv.URL)
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, got.CustomLabels[0].Link[0].URI, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header = newRequest(t, srv, http.MethodGet, "/customlists/C0FFEE", "").Header
	resp, data = send(t, req)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(data), `"North"`) {
		t.Errorf("following the self link: %d %s; want the list with its choices", resp.StatusCode, data)
	}
	if state := srv.State(); len(state.CustomLists) != 1 || state.CustomLists[0]["id"] != "C0FFEE" || state.CustomLists[0]["name"] != "Regions" {
		t.Errorf("State().CustomLists = %v; want the seeded list", state.CustomLists)
	}

	// A list the spec refuses is an error that names the rule, not the value.
	_, err = whispirtest.ParseSeed([]byte(`{"customLists":[{"name":"Regions","type":"NOT-A-LIST-TYPE"}]}`))
	if !errors.Is(err, whispirtest.ErrInvalidSeed) || !strings.Contains(err.Error(), "customLists[0]") || strings.Contains(err.Error(), "NOT-A-LIST-TYPE") {
		t.Errorf("invalid custom list: %v; want ErrInvalidSeed naming customLists[0] without the value", err)
	}
}
