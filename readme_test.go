package whispir_test

// The code shown in README.md, compiled and run against the mock so the
// README cannot drift from the API.

import (
	"context"
	"testing"

	"github.com/whispir-go/whispir/api"
	"github.com/whispir-go/whispir/generated"
)

func readmeContacts(ctx context.Context, c *api.Client, workspaceID string) (string, error) {
	resp, err := c.ContactCreateWithResponse(ctx, workspaceID, generated.Contact{
		FirstName:         "Jane",
		LastName:          "Citizen",
		WorkMobilePhone1:  ptr("61400000000"),
		WorkEmailAddress1: ptr("jane.citizen@example.com"),
		WorkCountry:       ptr("Australia"),
		Timezone:          ptr("Australia/Melbourne"),
	})
	if err != nil {
		return "", err // *api.Error for a non-2xx answer
	}
	contactID, err := api.IDFromLocation(resp.HTTPResponse.Header.Get("Location"))
	if err != nil {
		return "", err
	}
	got, err := c.ContactRetrieveWithResponse(ctx, workspaceID, contactID, nil)
	if err != nil {
		return "", err
	}
	return got.JSON200.FirstName, nil
}

func readmeDistributionList(ctx context.Context, c *api.Client, workspaceID, contactID string) (string, error) {
	resp, err := c.DistributionListCreateWithResponse(ctx, workspaceID, generated.DistributionList{
		Name:        "On-call",
		Description: ptr("Engineers on call this week"),
		ContactIDs:  ptr(contactID), // comma-separated ids
	})
	if err != nil {
		return "", err
	}
	return api.IDFromLocation(resp.HTTPResponse.Header.Get("Location"))
}

func readmeTemplate(ctx context.Context, c *api.Client, workspaceID string) (string, error) {
	resp, err := c.TemplateCreateWithResponse(ctx, workspaceID, generated.Template{
		MessageTemplateName: "outage",
		Subject:             ptr("Service notice"),
		Body:                ptr("@@first_name@@, the portal is down until @@time@@."),
	})
	if err != nil {
		return "", err
	}
	templateID, err := api.IDFromLocation(resp.HTTPResponse.Header.Get("Location"))
	if err != nil {
		return "", err
	}
	// Send with the template instead of a subject and body.
	return c.SendMessage(ctx, workspaceID, generated.Message{To: "61400000000", MessageTemplateID: &templateID})
}

func readmeCallback(ctx context.Context, c *api.Client) (string, error) {
	resp, err := c.CallbackCreateWithResponse(ctx, generated.Callback{
		Name:        "replies",
		URL:         "https://hooks.example.com/whispir",
		Auth:        &generated.CallbackAuth{Type: generated.CallbackAuthTypeHttpheader, Key: "my-shared-secret"},
		ContentType: ptr(generated.CallbackContentTypeJSON),
		Callbacks: &generated.CallbackTriggers{
			Reply:         ptr(generated.ToggleEnabled),
			Undeliverable: ptr(generated.ToggleEnabled),
		},
	})
	if err != nil {
		return "", err
	}
	// Messages name the callback (by name) that hears their replies.
	return c.SendMessage(ctx, "", generated.Message{To: "61400000000", Subject: ptr("Reply YES"), CallbackID: ptr(resp.JSON201.Name)})
}

func TestReadmeExamples(t *testing.T) {
	t.Parallel()
	c, srv, _ := setup(t)
	ctx := t.Context()
	const ws = "9A4C5521FFC7B15B"
	name, err := readmeContacts(ctx, c, ws)
	if err != nil || name != "Jane" {
		t.Fatalf("contacts: %q, %v", name, err)
	}
	if _, err := readmeDistributionList(ctx, c, ws, "C0FFEE"); err != nil {
		t.Fatalf("distribution list: %v", err)
	}
	if _, err := readmeTemplate(ctx, c, ws); err != nil {
		t.Fatalf("template: %v", err)
	}
	if _, err := readmeCallback(ctx, c); err != nil {
		t.Fatalf("callback: %v", err)
	}
	if n := len(srv.Messages()); n != 2 {
		t.Errorf("messages sent = %d; want 2", n)
	}
}
