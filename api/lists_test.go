package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/whispir-go/whispir"
	"github.com/whispir-go/whispir/api"
	"github.com/whispir-go/whispir/generated"
	"github.com/whispir-go/whispir/security"
	"github.com/whispir-go/whispir/whispirtest"
)

// listWorkspace is the workspace the list tests use.
const listWorkspace = "9A4C5521FFC7B15B"

// mockClient starts a mock whose base URL has a path prefix and which
// checks its own answers, and returns a client that validates them too.
func mockClient(t *testing.T, opts ...whispirtest.Option) (*api.Client, *whispirtest.Server) {
	t.Helper()
	srv := whispirtest.NewServer(append([]whispirtest.Option{
		whispirtest.WithBasePath("/api"), whispirtest.WithResponseValidation(t),
	}, opts...)...)
	t.Cleanup(srv.Close)
	p, err := security.New(srv.Credentials())
	if err != nil {
		t.Fatal(err)
	}
	c, err := api.New(p, api.WithBaseURL(srv.URL), api.WithResponseValidation())
	if err != nil {
		t.Fatal(err)
	}
	return c, srv
}

// clientOf is a client of the server at baseURL, with fake credentials.
func clientOf(t *testing.T, baseURL string) *api.Client {
	t.Helper()
	p, err := security.New(security.Credentials{APIKey: "k", Username: "u", Password: "p"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := api.New(p, api.WithBaseURL(baseURL))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// created is the id a create call's Location names.
func created(resp *http.Response, err error) (string, error) {
	if err != nil {
		return "", err
	}
	return api.IDFromLocation(resp.Header.Get("Location"))
}

// createdBy is created for a call whose response may be nil: resp is only
// called when err is nil, so a failed create fails the test cleanly
// instead of panicking on the nil response.
func createdBy(err error, resp func() *http.Response) (string, error) {
	if err != nil {
		return "", err
	}
	return created(resp(), nil)
}

func testContact(i int) generated.Contact {
	return generated.Contact{
		FirstName: fmt.Sprintf("First%02d", i), LastName: "Citizen",
		WorkMobilePhone1: ptr("61400000000"), WorkEmailAddress1: ptr("jane.citizen@example.com"),
		WorkCountry: ptr("Australia"), Timezone: ptr("Australia/Melbourne"),
	}
}

// ids maps a list iterator to the ids of its items.
func ids[T any](seq iter.Seq2[T, error], id func(T) *string) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		for v, err := range seq {
			s := ""
			if p := id(v); p != nil {
				s = *p
			}
			if !yield(s, err) {
				return
			}
		}
	}
}

// collect is every item of seq; an error fails the test.
func collect[T any](t *testing.T, seq iter.Seq2[T, error]) []T {
	t.Helper()
	var out []T
	for v, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

func ptr[T any](v T) *T { return &v }

// createCase creates items of one list operation and lists them.
type createCase struct {
	op     string
	create func(ctx context.Context, c *api.Client, i int) (string, error)
	list   func(ctx context.Context, c *api.Client, limit *int) iter.Seq2[string, error]
}

// createCases cover lists paged by next link and keyList, paged by offset.
// A failed create returns its error before the response is touched.
var createCases = []createCase{{
	op: "contactList",
	create: func(ctx context.Context, c *api.Client, i int) (string, error) {
		r, err := c.ContactCreateWithResponse(ctx, listWorkspace, testContact(i))
		return createdBy(err, func() *http.Response { return r.HTTPResponse })
	},
	list: func(ctx context.Context, c *api.Client, limit *int) iter.Seq2[string, error] {
		return ids(c.Contacts(ctx, listWorkspace, withLimit[generated.ContactListParams](limit)), func(v generated.Contact) *string { return v.ID })
	},
}, {
	op: "defaultContactList",
	create: func(ctx context.Context, c *api.Client, i int) (string, error) {
		r, err := c.DefaultContactCreateWithResponse(ctx, testContact(i))
		return createdBy(err, func() *http.Response { return r.HTTPResponse })
	},
	list: func(ctx context.Context, c *api.Client, limit *int) iter.Seq2[string, error] {
		return ids(c.Contacts(ctx, "", withLimit[generated.ContactListParams](limit)), func(v generated.Contact) *string { return v.ID })
	},
}, {
	op: "templateList",
	create: func(ctx context.Context, c *api.Client, i int) (string, error) {
		r, err := c.TemplateCreateWithResponse(ctx, listWorkspace, generated.Template{
			MessageTemplateName: fmt.Sprintf("Template %02d", i), Subject: ptr("Maintenance"), Body: ptr("Offline at 22:00."),
		})
		return createdBy(err, func() *http.Response { return r.HTTPResponse })
	},
	list: func(ctx context.Context, c *api.Client, limit *int) iter.Seq2[string, error] {
		return ids(c.Templates(ctx, listWorkspace, withLimit[generated.TemplateListParams](limit)), func(v generated.Template) *string { return v.ID })
	},
}, {
	// keyList's pages have no links: the iterator pages by offset.
	op: "keyList",
	create: func(ctx context.Context, c *api.Client, i int) (string, error) {
		r, err := c.KeyCreateWithResponse(ctx, generated.Key{Type: ptr(generated.KeyTypeBasic), Description: ptr(fmt.Sprint("key ", i))})
		return createdBy(err, func() *http.Response { return r.HTTPResponse })
	},
	list: func(ctx context.Context, c *api.Client, limit *int) iter.Seq2[string, error] {
		return ids(c.Keys(ctx, withLimit[generated.KeyListParams](limit)), func(v generated.Key) *string { return v.ID })
	},
}}

// createN creates n items with tc and returns their ids, in order.
func createN(t *testing.T, c *api.Client, tc createCase, n int) []string {
	t.Helper()
	var out []string
	for i := range n {
		id, err := tc.create(t.Context(), c, i)
		if err != nil {
			t.Fatalf("create %d: %v", i, err)
		}
		out = append(out, id)
	}
	return out
}

// Every item comes once, in order, over whole pages of 20 and over the
// short pages of a caller's small limit (12 items, limit 5: pages of 5, 5
// and 2), which an iterator must not take for the last page.
func TestListIteratorsYieldEveryStoredItemOnce(t *testing.T) {
	t.Parallel()
	pagings := []struct {
		name         string
		limit        *int // the caller's; nil: PageSize
		total, pages int
	}{
		{"pages of 20", nil, 45, 3},
		{"limit 5", ptr(5), 12, 3},
	}
	for _, tc := range createCases {
		for _, pg := range pagings {
			t.Run(tc.op+"/"+pg.name, func(t *testing.T) {
				t.Parallel()
				c, srv := mockClient(t)
				want := createN(t, c, tc, pg.total)
				srv.Reset()
				got := collect(t, tc.list(t.Context(), c, pg.limit))
				if !slices.Equal(got, want) {
					t.Errorf("got %d ids %v; want the %d created, in order", len(got), got, len(want))
				}
				reqs := srv.Requests()
				if len(reqs) != pg.pages {
					t.Fatalf("requests = %d; want %d pages", len(reqs), pg.pages)
				}
				limit := api.PageSize
				if pg.limit != nil {
					limit = *pg.limit
				}
				for i, r := range reqs {
					wantLimit, wantOffset := fmt.Sprint("limit=", limit), fmt.Sprint("offset=", limit*i)
					if r.OperationID != tc.op || r.Status != http.StatusOK || !strings.Contains(r.RawQuery, wantLimit) || (i > 0 && !strings.Contains(r.RawQuery, wantOffset)) {
						t.Errorf("page %d: %s %s?%s answered %d; want %s with %s (and %s), 200", i+1, r.OperationID, r.Path, r.RawQuery, r.Status, tc.op, wantLimit, wantOffset)
					}
				}
			})
		}
	}
}

func TestListIteratorBreakStopsFetching(t *testing.T) {
	t.Parallel()
	c, srv := mockClient(t)
	for i := range 45 {
		if _, err := c.ContactCreateWithResponse(t.Context(), listWorkspace, testContact(i)); err != nil {
			t.Fatal(err)
		}
	}
	for _, stopAfter := range []int{1, 20, 21} {
		srv.Reset()
		n := 0
		for _, err := range c.Contacts(t.Context(), listWorkspace, nil) {
			if err != nil {
				t.Fatal(err)
			}
			if n++; n == stopAfter {
				break
			}
		}
		wantPages := (stopAfter + 19) / 20
		if got := len(srv.Requests()); got != wantPages {
			t.Errorf("break after %d items: requests = %d; want %d", stopAfter, got, wantPages)
		}
	}
}

// listCall calls one iterator with a limit (nil: no params); id is the
// message or callback id it needs.
type listCall func(ctx context.Context, c *api.Client, id string, limit *int) iter.Seq2[any, error]

// withLimit is params of type P with only limit set, or nil.
func withLimit[P any](limit *int) *P {
	if limit == nil {
		return nil
	}
	var p P
	if err := json.Unmarshal(fmt.Appendf(nil, `{"limit":%d}`, *limit), &p); err != nil {
		panic(err)
	}
	return &p
}

// anyItems erases an iterator's item type, for tables of iterators.
func anyItems[T any](seq iter.Seq2[T, error]) iter.Seq2[any, error] {
	return func(yield func(any, error) bool) {
		for v, err := range seq {
			if !yield(v, err) {
				return
			}
		}
	}
}

// inWorkspace calls a workspace-scoped iterator (workspace "": the default).
func inWorkspace[P, T any](m func(*api.Client, context.Context, string, *P) iter.Seq2[T, error], workspace string) listCall {
	return func(ctx context.Context, c *api.Client, _ string, limit *int) iter.Seq2[any, error] {
		return anyItems(m(c, ctx, workspace, withLimit[P](limit)))
	}
}

// ofMessage calls an iterator over a message's statuses or responses.
func ofMessage[P, T any](m func(*api.Client, context.Context, string, string, *P) iter.Seq2[T, error], workspace string) listCall {
	return func(ctx context.Context, c *api.Client, id string, limit *int) iter.Seq2[any, error] {
		return anyItems(m(c, ctx, workspace, id, withLimit[P](limit)))
	}
}

// companyWide calls an iterator over a company-wide list.
func companyWide[P, T any](m func(*api.Client, context.Context, *P) iter.Seq2[T, error]) listCall {
	return func(ctx context.Context, c *api.Client, _ string, limit *int) iter.Seq2[any, error] {
		return anyItems(m(c, ctx, withLimit[P](limit)))
	}
}

// listCase is one list operation of the spec and the iterator that calls it.
type listCase struct {
	op   string
	list listCall
}

// everyListCase has one case per list operation of the spec (see
// TestEveryListOperationHasAnIterator).
var everyListCase = []listCase{
	{"messageList", inWorkspace((*api.Client).Messages, listWorkspace)},
	{"defaultMessageList", inWorkspace((*api.Client).Messages, "")},
	{"messageStatusList", ofMessage((*api.Client).MessageStatuses, listWorkspace)},
	{"defaultMessageStatusList", ofMessage((*api.Client).MessageStatuses, "")},
	{"messageResponseList", ofMessage((*api.Client).MessageResponses, listWorkspace)},
	{"defaultMessageResponseList", ofMessage((*api.Client).MessageResponses, "")},
	{"resourceList", inWorkspace((*api.Client).Resources, listWorkspace)},
	{"defaultResourceList", inWorkspace((*api.Client).Resources, "")},
	{"templateList", inWorkspace((*api.Client).Templates, listWorkspace)},
	{"defaultTemplateList", inWorkspace((*api.Client).Templates, "")},
	{"responseRuleList", inWorkspace((*api.Client).ResponseRules, listWorkspace)},
	{"defaultResponseRuleList", inWorkspace((*api.Client).ResponseRules, "")},
	{"contactList", inWorkspace((*api.Client).Contacts, listWorkspace)},
	{"defaultContactList", inWorkspace((*api.Client).Contacts, "")},
	{"distributionListList", inWorkspace((*api.Client).DistributionLists, listWorkspace)},
	{"defaultDistributionListList", inWorkspace((*api.Client).DistributionLists, "")},
	{"scenarioList", inWorkspace((*api.Client).Scenarios, listWorkspace)},
	{"defaultScenarioList", inWorkspace((*api.Client).Scenarios, "")},
	{"eventList", inWorkspace((*api.Client).Events, listWorkspace)},
	{"defaultEventList", inWorkspace((*api.Client).Events, "")},
	{"userWorkspaceList", inWorkspace((*api.Client).Users, listWorkspace)},
	{"userList", inWorkspace((*api.Client).Users, "")},
	{"activityWorkspaceList", inWorkspace((*api.Client).Activities, listWorkspace)},
	{"activityList", inWorkspace((*api.Client).Activities, "")},
	{"callbackList", companyWide((*api.Client).Callbacks)},
	{"callbackCallList", func(ctx context.Context, c *api.Client, callbackID string, limit *int) iter.Seq2[any, error] {
		return anyItems(c.CallbackCalls(ctx, callbackID, withLimit[generated.CallbackCallListParams](limit)))
	}},
	{"workspaceList", companyWide((*api.Client).Workspaces)},
	{"customListList", companyWide((*api.Client).CustomLists)},
	{"keyList", companyWide((*api.Client).Keys)},
}

// Every operation with a limit parameter is a list and has a case above.
func TestEveryListOperationHasAnIterator(t *testing.T) {
	t.Parallel()
	doc, err := whispir.Document()
	if err != nil {
		t.Fatal(err)
	}
	var lists []string
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			for _, p := range append(slices.Clone(item.Parameters), op.Parameters...) {
				if p.Value != nil && p.Value.In == "query" && p.Value.Name == "limit" {
					lists = append(lists, op.OperationID)
				}
			}
		}
	}
	var covered []string
	for _, tc := range everyListCase {
		covered = append(covered, tc.op)
	}
	slices.Sort(lists)
	slices.Sort(covered)
	if !slices.Equal(covered, lists) {
		t.Errorf("cases cover %q; want the list operations %q", covered, lists)
	}
}

// sendForList gives a list operation something to list: a message from
// the workspace a message operation lists (it returns the message's id), a
// callback that was called once (it returns the callback's id), or an item
// made by the create operation on the list's path (the mock lists an empty
// page before).
func sendForList(t *testing.T, c *api.Client, srv *whispirtest.Server, op string) string {
	t.Helper()
	switch op {
	case "callbackCallList", "callbackList":
		return calledCallback(t, c, srv)
	}
	if !strings.Contains(op, "essage") {
		createExample(t, srv, op)
		return ""
	}
	workspace := listWorkspace
	if strings.HasPrefix(op, "default") {
		workspace = ""
	}
	id, err := c.SendMessage(t.Context(), workspace, generated.Message{To: "61400000000", Subject: ptr("Hello"), Body: ptr("Hi")})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// unfillable gives a mock items for the lists no operation fills: custom
// lists come from a seed (the API cannot create them), and a workspace's
// activities and users are answered with the spec's example.
func unfillable(t *testing.T, listOp string) []whispirtest.Option {
	t.Helper()
	switch listOp {
	case "customListList":
		return []whispirtest.Option{whispirtest.WithSeed(whispirtest.Seed{
			CustomLists: []map[string]any{{"name": "Regions", "type": "MESSAGE"}},
		})}
	case "activityWorkspaceList", "userWorkspaceList":
	default:
		return nil
	}
	doc, err := whispir.Document()
	if err != nil {
		t.Fatal(err)
	}
	ops, err := whispir.Operations()
	if err != nil {
		t.Fatal(err)
	}
	op := ops[slices.IndexFunc(ops, func(o whispir.Operation) bool { return o.ID == listOp })]
	example := doc.Paths.Value(op.Path).GetOperation(op.Method).Responses.Status(http.StatusOK).Value.Content.Get(op.MediaType).Example
	body, err := json.Marshal(example)
	if err != nil || example == nil {
		t.Fatalf("%s: no example answer: %v", listOp, err)
	}
	return []whispirtest.Option{whispirtest.WithHandler(listOp, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", op.MediaType)
		w.Write(body)
	})}
}

// createExample POSTs the spec's example body of the create operation on
// the path of listOp, if there is one, to srv.
func createExample(t *testing.T, srv *whispirtest.Server, listOp string) {
	t.Helper()
	doc, err := whispir.Document()
	if err != nil {
		t.Fatal(err)
	}
	ops, err := whispir.Operations()
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(ops, func(o whispir.Operation) bool { return o.ID == listOp })
	post := doc.Paths.Value(ops[i].Path).Post
	if post == nil || post.RequestBody == nil {
		return // nothing can be created there
	}
	mt := ops[slices.IndexFunc(ops, func(o whispir.Operation) bool { return o.ID == post.OperationID })].MediaType
	content := post.RequestBody.Value.Content.Get(mt)
	example := content.Example
	for _, ex := range content.Examples {
		if example == nil {
			example = ex.Value.Value
		}
	}
	body, err := json.Marshal(example)
	if err != nil || example == nil {
		t.Fatalf("%s: no example body: %v", post.OperationID, err)
	}
	path := strings.ReplaceAll(ops[i].Path, "{workspaceId}", listWorkspace)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+path, strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	creds := srv.Credentials()
	req.Header.Set(security.HeaderAPIKey, creds.APIKey)
	req.SetBasicAuth(creds.Username, creds.Password)
	req.Header.Set("Content-Type", mt)
	req.Header.Set("Accept", mt)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("%s with the spec's example: got %d; want 2xx", post.OperationID, resp.StatusCode)
	}
}

// calledCallback stores a callback on a loopback receiver, has the mock
// call it once (a reply to a message that names it), and returns its id.
func calledCallback(t *testing.T, c *api.Client, srv *whispirtest.Server) string {
	t.Helper()
	hook := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	t.Cleanup(hook.Close)
	resp, err := c.CallbackCreateWithResponse(t.Context(), generated.Callback{
		Name: "calls", URL: hook.URL, Callbacks: &generated.CallbackTriggers{Reply: ptr(generated.ToggleEnabled)},
	})
	if err != nil {
		t.Fatal(err)
	}
	id, err := created(resp.HTTPResponse, nil)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := c.SendMessage(t.Context(), "", generated.Message{To: "61400000000", Subject: ptr("Reply"), CallbackID: ptr("calls")})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Reply(msg, "61400000000", "YES"); err != nil {
		t.Fatal(err)
	}
	if err := srv.WaitCallbacks(t.Context()); err != nil {
		t.Fatal(err)
	}
	return id
}

// drain runs seq to its end and returns how many items it yielded and the
// errors.
func drain[T any](seq iter.Seq2[T, error]) (items int, errs []error) {
	for _, err := range seq {
		if err != nil {
			errs = append(errs, err)
		} else {
			items++
		}
	}
	return items, errs
}

func TestEveryListIterator(t *testing.T) {
	t.Parallel()
	for _, tc := range everyListCase {
		t.Run(tc.op, func(t *testing.T) {
			t.Parallel()
			c, srv := mockClient(t, unfillable(t, tc.op)...)
			id := sendForList(t, c, srv, tc.op)
			t.Run("routes and decodes", func(t *testing.T) {
				srv.Reset()
				// One item proves the route and the decoding of a whole
				// page; following pages is tested above.
				yielded := false
				for _, err := range tc.list(t.Context(), c, id, nil) {
					if err != nil {
						t.Fatal(err)
					}
					yielded = true
					break
				}
				if !yielded {
					t.Errorf("no items; want the mock's")
				}
				reqs := srv.Requests()
				if len(reqs) != 1 || reqs[0].OperationID != tc.op || reqs[0].Status != http.StatusOK || !strings.Contains(reqs[0].RawQuery, "limit=20") {
					t.Fatalf("requests %+v; want one %s with limit=20, answered 200", reqs, tc.op)
				}
			})
			t.Run("refuses limit 21", func(t *testing.T) {
				srv.Reset()
				items, errs := drain(tc.list(t.Context(), c, id, ptr(21)))
				if items != 0 || len(errs) != 1 || !errors.Is(errs[0], api.ErrInvalidRequest) || !strings.Contains(errs[0].Error(), `"limit"`) {
					t.Errorf("got %d items and errors %v; want one ErrInvalidRequest about limit", items, errs)
				}
				if n := len(srv.Requests()); n != 0 {
					t.Errorf("requests = %d; want 0", n)
				}
			})
		})
	}
}

// notFoundHandler answers as Whispir does when a search matches nothing.
func notFoundHandler(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", r.Header.Get("Accept"))
	w.WriteHeader(http.StatusNotFound)
	fmt.Fprint(w, `{"errorSummary":"No records found","errorText":"No records found","errorDetail":"Your search matched nothing."}`)
}

func TestSearchesThatMatchNothingAreEmpty(t *testing.T) {
	t.Parallel()
	cases := []struct {
		op      string
		wantErr error // nil: the 404 is an empty result
	}{
		{"activityList", nil},
		{"customListList", nil},
		{"activityWorkspaceList", api.ErrNotFound}, // an unknown workspace, not an empty search
	}
	for _, tc := range cases {
		t.Run(tc.op, func(t *testing.T) {
			t.Parallel()
			c, srv := mockClient(t, whispirtest.WithHandler(tc.op, notFoundHandler))
			i := slices.IndexFunc(everyListCase, func(lc listCase) bool { return lc.op == tc.op })
			items, errs := drain(everyListCase[i].list(t.Context(), c, "", nil))
			if tc.wantErr == nil && (items != 0 || len(errs) != 0) {
				t.Errorf("got %d items and errors %v; want none", items, errs)
			}
			if tc.wantErr != nil && (items != 0 || len(errs) != 1 || !errors.Is(errs[0], tc.wantErr)) {
				t.Errorf("got %d items and errors %v; want only %v", items, errs, tc.wantErr)
			}
			if n := len(srv.Requests()); n != 1 {
				t.Errorf("requests = %d; want 1", n)
			}
		})
	}
}

func TestActivitiesOfAWorkspaceRefuseSearchFilters(t *testing.T) {
	t.Parallel()
	c, srv := mockClient(t)
	filter := &generated.ActivityListParams{Module: ptr(generated.ActivityModuleContact)}
	items, errs := drain(c.Activities(t.Context(), listWorkspace, filter))
	if items != 0 || len(errs) != 1 || !errors.Is(errs[0], api.ErrInvalidRequest) || len(srv.Requests()) != 0 {
		t.Errorf("got %d items, errors %v and %d requests; want one ErrInvalidRequest and no request", items, errs, len(srv.Requests()))
	}
}

func TestListIteratorKeepsParamsAndAddsLimit(t *testing.T) {
	t.Parallel()
	c, srv := mockClient(t)
	params := &generated.ContactListParams{SortOrder: ptr(generated.SortDirectionAsc), SortFields: ptr("lastName,firstName")}
	for _, err := range c.Contacts(t.Context(), listWorkspace, params) {
		if err != nil {
			t.Fatal(err)
		}
	}
	reqs := srv.Requests()
	if len(reqs) != 1 {
		t.Fatalf("requests = %d; want 1", len(reqs))
	}
	q, err := url.ParseQuery(reqs[0].RawQuery)
	if err != nil || q.Get("sortFields") != "lastName,firstName" || q.Get("sortOrder") != "asc" || q.Get("limit") != "20" {
		t.Errorf("query %q; want sortFields=lastName,firstName, sortOrder=asc and limit=20", reqs[0].RawQuery)
	}
	if params.Limit != nil {
		t.Errorf("params.Limit = %d; want the caller's params left alone", *params.Limit)
	}
}

// The pager follows next links however they are written: absolute, a path
// with the base path, or a path without it.
func TestListIteratorFollowsRelativeNextLinks(t *testing.T) {
	t.Parallel()
	const total = 60
	var mu sync.Mutex
	var seen []string
	var base string
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.URL.Path+"?"+r.URL.RawQuery)
		mu.Unlock()
		offset := 0
		fmt.Sscan(r.URL.Query().Get("offset"), &offset)
		var items []string
		for i := offset; i < min(offset+20, total); i++ {
			items = append(items, fmt.Sprintf(`{"id":"C%02d","firstName":"F","lastName":"L"}`, i))
		}
		next := map[int]string{
			0:  base + "/api/workspaces/ABC/contacts?limit=20&offset=20", // absolute
			20: "/api/workspaces/ABC/contacts?limit=20&offset=40",        // path with the base path
			40: "workspaces/ABC/contacts?limit=20&offset=60",             // path without it
		}[offset]
		w.Header().Set("Content-Type", "application/vnd.whispir.contact-v1+json")
		fmt.Fprintf(w, `{"status":"","contacts":[%s],"link":[{"rel":"next","uri":%q,"method":"GET"}]}`, strings.Join(items, ","), next)
	}))
	t.Cleanup(ts.Close)
	base = ts.URL
	c := clientOf(t, ts.URL+"/api")
	got := collect(t, ids(c.Contacts(t.Context(), "ABC", nil), func(v generated.Contact) *string { return v.ID }))
	if len(got) != total || got[0] != "C00" || got[total-1] != "C59" {
		t.Errorf("got %d ids %v; want C00 to C59", len(got), got)
	}
	want := []string{
		"/api/workspaces/ABC/contacts?limit=20",
		"/api/workspaces/ABC/contacts?limit=20&offset=20",
		"/api/workspaces/ABC/contacts?limit=20&offset=40",
		"/api/workspaces/ABC/contacts?limit=20&offset=60",
	}
	if !slices.Equal(seen, want) {
		t.Errorf("requests %q; want %q", seen, want)
	}
}

// A next link that leads back to a page already fetched ends the iteration
// with ErrPagination, instead of spending the daily quota on the loop. The
// server gives up after 10 requests, so a pager without the guard fails
// here rather than spinning.
func TestListIteratorStopsAtARepeatingNextLink(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		next  map[string]string // query of a page -> query of its next link
		pages int
	}{
		{"to itself", map[string]string{"limit=20": "limit=20"}, 1},
		{"to itself, written otherwise", map[string]string{"limit=20": "limit=20&offset=20", "limit=20&offset=20": "limit=20&offset=20"}, 2},
		{"back to the first page", map[string]string{"limit=20": "limit=20&offset=20", "limit=20&offset=20": "limit=20"}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			requests := 0
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				requests++
				n := requests
				mu.Unlock()
				if n > 10 {
					http.Error(w, "looping", http.StatusInternalServerError)
					return
				}
				w.Header().Set("Content-Type", "application/vnd.whispir.contact-v1+json")
				fmt.Fprintf(w, `{"status":"","contacts":[{"id":"C%d","firstName":"F","lastName":"L"}],"link":[{"rel":"next","uri":"/api/workspaces/ABC/contacts?%s"}]}`,
					n, tc.next[r.URL.RawQuery])
			}))
			t.Cleanup(ts.Close)
			items, errs := drain(clientOf(t, ts.URL+"/api").Contacts(t.Context(), "ABC", nil))
			if len(errs) != 1 || !errors.Is(errs[0], api.ErrPagination) || !strings.Contains(errs[0].Error(), "repeats a page") {
				t.Errorf("errors %v; want one ErrPagination: next link repeats a page", errs)
			}
			mu.Lock()
			defer mu.Unlock()
			if items != tc.pages || requests != tc.pages {
				t.Errorf("got %d items from %d requests; want %d and %d", items, requests, tc.pages, tc.pages)
			}
		})
	}
}

// One send is one message in the mock, listed once.
func TestOneSendIsOneMessage(t *testing.T) {
	t.Parallel()
	for _, workspace := range []string{listWorkspace, ""} {
		c, srv := mockClient(t)
		id, err := c.SendMessage(t.Context(), workspace, generated.Message{To: "61400000000", Subject: ptr("Once"), Body: ptr("Only once")})
		if err != nil {
			t.Fatalf("workspace %q: %v", workspace, err)
		}
		if msgs := srv.Messages(); len(msgs) != 1 || msgs[0].ID != id {
			t.Errorf("workspace %q: mock holds %d messages; want 1, %s", workspace, len(msgs), id)
		}
		listed := collect(t, ids(c.Messages(t.Context(), workspace, nil), func(m generated.MessageSummary) *string {
			// As Whispir's, the mock's list items name a message by their
			// self link only.
			id, err := api.MessageID(m)
			if err != nil || m.ID != nil {
				t.Errorf("list item: id field %v, MessageID %v; want no id field and the link's id", m.ID, err)
			}
			return &id
		}))
		if !slices.Equal(listed, []string{id}) {
			t.Errorf("workspace %q: listed %v; want [%s]", workspace, listed, id)
		}
	}
}

// Listing the contacts of a workspace of the mock server, page by page.
func ExampleClient_Contacts() {
	srv := whispirtest.NewServer()
	defer srv.Close()
	p, _ := security.New(srv.Credentials())
	c, _ := api.New(p, api.WithBaseURL(srv.URL))
	ctx := context.Background()

	for _, name := range []string{"Jane", "John", "Ada"} {
		contact := generated.Contact{FirstName: name, LastName: "Citizen", WorkMobilePhone1: ptr("61400000000"),
			WorkEmailAddress1: ptr("citizen@example.com"), WorkCountry: ptr("Australia"), Timezone: ptr("Australia/Melbourne")}
		if _, err := c.ContactCreateWithResponse(ctx, "9A4C5521FFC7B15B", contact); err != nil {
			panic(err)
		}
	}
	for contact, err := range c.Contacts(ctx, "9A4C5521FFC7B15B", nil) {
		if err != nil {
			panic(err)
		}
		fmt.Println(contact.FirstName, contact.LastName)
	}
	// Output:
	// Jane Citizen
	// John Citizen
	// Ada Citizen
}
