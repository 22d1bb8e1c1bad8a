package whispir_test

// The code shown in README.md, compiled and run against the mock so the
// README cannot drift from the API.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/whispir-go/whispir/api"
	"github.com/whispir-go/whispir/generated"
	"github.com/whispir-go/whispir/internal/redistest"
	"github.com/whispir-go/whispir/redislimit"
	"github.com/whispir-go/whispir/security"
	"github.com/whispir-go/whispir/whispirtest"
)

func readmeContacts(ctx context.Context, c *api.Client, workspaceID string) (created, retrieved string, err error) {
	contactID, contact, err := c.CreateContact(ctx, workspaceID, generated.Contact{
		FirstName:         "Jane",
		LastName:          "Citizen",
		WorkMobilePhone1:  api.Ptr("61400000000"),
		WorkEmailAddress1: api.Ptr("jane.citizen@example.com"),
		WorkCountry:       api.Ptr("Australia"),
		Timezone:          api.Ptr("Australia/Melbourne"),
	})
	if err != nil {
		return "", "", err // *api.Error for a non-2xx answer
	}
	// contact is Whispir's answer: the contact, with its mri (the address for a message's To).
	got, err := c.ContactRetrieveWithResponse(ctx, workspaceID, contactID, nil)
	if err != nil {
		return "", "", err
	}
	return contact.FirstName, got.JSON200.FirstName, nil
}

func readmeDistributionList(ctx context.Context, c *api.Client, workspaceID, contactID string) (string, error) {
	listID, _, err := c.CreateDistributionList(ctx, workspaceID, generated.DistributionList{
		Name:        "On-call",
		Description: api.Ptr("Engineers on call this week"),
		ContactIDs:  api.Ptr(contactID), // comma-separated ids
	})
	return listID, err
}

func readmeTemplate(ctx context.Context, c *api.Client, workspaceID string) (string, error) {
	templateID, _, err := c.CreateTemplate(ctx, workspaceID, generated.Template{
		MessageTemplateName: "outage",
		Subject:             api.Ptr("Service notice"),
		Body:                api.Ptr("@@first_name@@, the portal is down until @@time@@."),
	})
	if err != nil {
		return "", err
	}
	// Send with the template instead of a subject and body.
	return c.SendMessage(ctx, workspaceID, generated.Message{To: "61400000000", MessageTemplateID: &templateID})
}

func readmeCallback(ctx context.Context, c *api.Client, hookURL string) (string, error) {
	_, callback, err := c.CreateCallback(ctx, generated.Callback{
		Name:        "replies",
		URL:         hookURL, // e.g. https://hooks.example.com/whispir: Whispir GETs it first and wants a 200
		Auth:        &generated.CallbackAuth{Type: generated.CallbackAuthTypeHttpheader, Key: "my-shared-secret"},
		ContentType: api.Ptr(generated.CallbackContentTypeJSON),
		Callbacks: &generated.CallbackTriggers{
			Reply:         api.Ptr(generated.ToggleEnabled),
			Undeliverable: api.Ptr(generated.ToggleEnabled),
		},
	})
	if err != nil {
		return "", err
	}
	// Messages name the callback (by name) that hears their replies.
	return c.SendMessage(ctx, "", generated.Message{To: "61400000000", Subject: api.Ptr("Reply YES"), CallbackID: api.Ptr(callback.Name)})
}

// readmeStatus is the "Delivery status" snippet, printing to w.
func readmeStatus(ctx context.Context, c *api.Client, w io.Writer, workspaceID, messageID string) error {
	// Summary: how many recipients are in each category.
	for st, err := range c.MessageStatuses(ctx, workspaceID, messageID, nil) {
		if err != nil {
			return err
		}
		for _, cat := range *st.Categories {
			fmt.Fprintf(w, "%s: %d (%s)\n", *cat.Name, *cat.RecipientCount, *cat.PercentageTotal) // Received: 2 (100.0%)
		}
	}

	// Detailed: each recipient, each channel.
	detailed := &generated.MessageStatusListParams{View: api.Ptr(generated.DetailLevelDetailed)}
	for st, err := range c.MessageStatuses(ctx, workspaceID, messageID, detailed) {
		if err != nil {
			return err
		}
		for _, ch := range *st.Status {
			fmt.Fprintln(w, *st.Name, *ch.Type, *ch.Status, *ch.Destination) // 61400000000 sms DELIVRD 61400000000
		}
	}
	return nil
}

// readmeUsing is the sending and iterating part of "Using the library":
// it returns the ids and recipients the loop prints.
func readmeUsing(ctx context.Context, c *api.Client) (sent string, printed []string, err error) {
	subject, body := "Hello", "From whispir-go"
	id, err := c.SendMessage(ctx, "9A4C5521FFC7B15B", generated.Message{
		To: "61400000000", Subject: &subject, Body: &body,
	})
	if err != nil {
		return "", nil, err
	}
	status, err := c.MessageStatusListWithResponse(ctx, "9A4C5521FFC7B15B", id, nil)
	if err != nil {
		return "", nil, err
	}
	if len(*status.JSON200.MessageStatuses) == 0 {
		return "", nil, errors.New("no status")
	}
	for m, err := range c.Messages(ctx, "9A4C5521FFC7B15B", nil) {
		if err != nil {
			return "", nil, err
		}
		id, err := api.MessageID(m)
		if err != nil {
			return "", nil, err
		}
		printed = append(printed, id+" "+*m.To)
	}
	return id, printed, nil
}

func TestReadmeUsingTheLibrary(t *testing.T) {
	t.Parallel()
	c, _, _ := setup(t)
	id, printed, err := readmeUsing(t.Context(), c)
	if err != nil || len(printed) != 1 || printed[0] != id+" 61400000000" {
		t.Errorf("printed %q, %v; want the sent message's id and recipient", printed, err)
	}
}

func TestReadmeExamples(t *testing.T) {
	t.Parallel()
	c, srv, _ := setup(t)
	ctx := t.Context()
	const ws = "9A4C5521FFC7B15B"
	created, retrieved, err := readmeContacts(ctx, c, ws)
	if err != nil || created != "Jane" || retrieved != "Jane" {
		t.Fatalf("contacts: %q, %q, %v; want Jane twice", created, retrieved, err)
	}
	if _, err := readmeDistributionList(ctx, c, ws, "C0FFEE"); err != nil {
		t.Fatalf("distribution list: %v", err)
	}
	if _, err := readmeTemplate(ctx, c, ws); err != nil {
		t.Fatalf("template: %v", err)
	}
	hook := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer hook.Close()
	if _, err := readmeCallback(ctx, c, hook.URL); err != nil {
		t.Fatalf("callback: %v", err)
	}
	if n := len(srv.Messages()); n != 2 {
		t.Errorf("messages sent = %d; want 2", n)
	}
}

func TestReadmeStatus(t *testing.T) {
	t.Parallel()
	c, srv, _ := setup(t)
	const ws = "9A4C5521FFC7B15B"
	id, err := c.SendMessage(t.Context(), ws, generated.Message{To: "61400000000,jane.citizen@example.com", Subject: api.Ptr("Hello"), Body: api.Ptr("From whispir-go")})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Deliver(id); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := readmeStatus(t.Context(), c, &out, ws, id); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Received: 2 (100.0%)\n", "61400000000 sms DELIVRD 61400000000\n"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output:\n%s\nwant it to contain %q", out.String(), want)
		}
	}
}

// The README's iterator table names every iterator of api.Client, and its
// create table every create helper.
func TestReadmeNamesEveryHelper(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	seq := reflect.TypeFor[iter.Seq2[int, error]]()
	for m := range reflect.TypeFor[*api.Client]().Methods() {
		out := m.Type.NumOut()
		isIter := out == 1 && m.Type.Out(0).Kind() == reflect.Func && m.Type.Out(0).NumIn() == seq.NumIn() && strings.HasPrefix(m.Type.Out(0).String(), "iter.Seq2[")
		isCreate := strings.HasPrefix(m.Name, "Create") || m.Name == "RunScenario" || m.Name == "SendCode"
		if (isIter || isCreate) && !strings.Contains(string(readme), "`"+m.Name) {
			t.Errorf("README.md does not name %s", m.Name)
		}
	}
}

func TestReadmeFaults(t *testing.T) {
	t.Parallel()
	srv := whispirtest.NewServer()
	defer srv.Close()
	// The next two requests are rejected by the gateway's per-second quota.
	srv.InjectFaults(2, whispirtest.Fault{Kind: whispirtest.FaultQPS})
	// One in ten messageCreate calls is processed, then answered 503.
	if err := srv.InjectFaultRate(0.1, whispirtest.Fault{
		Kind: whispirtest.FaultStatus, Status: 503, AfterProcessing: true,
		Operations: []string{"messageCreate"},
	}, 42); err != nil {
		t.Fatal(err)
	}
	p, _ := security.New(srv.Credentials())
	// The default policy's decisions, without its waits.
	c, err := api.New(p, api.WithBaseURL(srv.URL), api.WithRetry(api.NoWaitRetryPolicy()))
	if err != nil {
		t.Fatal(err)
	}
	// The default-workspace form is not in the 503 filter: the QPS faults
	// are retried and the send lands once.
	if _, err := c.SendMessage(t.Context(), "", sms("61400000000")); err != nil {
		t.Fatal(err)
	}
	if got := len(srv.Messages()); got != 1 {
		t.Errorf("messages = %d; want 1", got)
	}
	if got := len(srv.Requests()); got != 3 {
		t.Errorf("requests = %d; want 3 (two QPS rejections, then the send)", got)
	}
}

// readmeManySenders is the "Many senders, one key" snippet; the test passes
// the Redis address, the budget and the mock's base URL.
func readmeManySenders(ctx context.Context, redisAddr, apiKey string, budget int, p *security.Provider, baseURL string, msg generated.Message) (spent bool, st redislimit.BudgetStatus, err error) {
	rdb := redis.NewClient(&redis.Options{Addr: redisAddr})
	defer rdb.Close()
	lim, err := redislimit.New(rdb, apiKey, 10, 2, // Business edition: 10 a second, bursts of 2
		redislimit.WithDailyBudget(redislimit.DailyBudget{
			Limit: budget, ResetHour: 0, Location: time.UTC, // when your account's day starts
		}),
		redislimit.WithFallback(0.25), // Redis down: each of 4 instances goes on at a quarter
	)
	if err != nil {
		return false, st, err
	}
	c, err := api.New(p, api.WithBaseURL(baseURL), api.WithLimiter(lim))
	if err != nil {
		return false, st, err
	}

	_, err = c.SendMessage(ctx, "", msg)
	var apiErr *api.Error
	if errors.As(err, &apiErr) && apiErr.Code == api.CodeOverQPD {
		// today's budget is spent: refused here, nothing was sent
		spent = true
	} else if err != nil {
		return false, st, err
	}
	st, err = lim.Budget(ctx) // for metrics: st.Used, st.Remaining, st.ResetsAt
	return spent, st, err
}

func TestReadmeManySenders(t *testing.T) {
	t.Parallel()
	rs := redistest.Start(t)
	srv := whispirtest.NewServer()
	defer srv.Close()
	p, _ := security.New(srv.Credentials())
	for i, want := range []struct {
		spent           bool
		used, remaining int
	}{{false, 1, 1}, {false, 2, 0}, {true, 2, 0}} {
		spent, st, err := readmeManySenders(t.Context(), rs.Addr, srv.Credentials().APIKey, 2, p, srv.URL, sms("61400000000"))
		if err != nil || spent != want.spent || st.Used != want.used || st.Remaining != want.remaining {
			t.Errorf("send %d: spent %v, budget %+v, err %v; want spent %v, used %d, remaining %d", i+1, spent, st, err, want.spent, want.used, want.remaining)
		}
	}
	if n := len(srv.Messages()); n != 2 {
		t.Errorf("messages = %d; want 2 (the third was refused before sending)", n)
	}
}
