//go:build live

package whispir_test

// Tests against the real Whispir API. They run only with -tags live and
// credentials in the environment (WHISPIR_API_KEY, WHISPIR_USERNAME,
// WHISPIR_PASSWORD, optionally WHISPIR_REGION and WHISPIR_TEST_TO, a phone
// number that may receive a test SMS). CI only compiles them.

import (
	"os"
	"testing"

	"github.com/whispir-go/whispir/api"
	"github.com/whispir-go/whispir/generated"
	"github.com/whispir-go/whispir/security"
)

func liveClient(t *testing.T) *api.Client {
	t.Helper()
	p, err := security.FromEnv()
	if err != nil {
		t.Skipf("live test: %v", err)
	}
	region := api.DefaultRegion
	if r := os.Getenv("WHISPIR_REGION"); r != "" {
		if region, err = api.ParseRegion(r); err != nil {
			t.Fatal(err)
		}
	}
	c, err := api.New(p, api.WithRegion(region), api.WithResponseValidation())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestLiveWorkspaceList(t *testing.T) {
	c := liveClient(t)
	resp, err := c.WorkspaceListWithResponse(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.JSON200 == nil {
		t.Fatalf("status %d without a body", resp.StatusCode())
	}
}

func TestLiveSendMessage(t *testing.T) {
	to := os.Getenv("WHISPIR_TEST_TO")
	if to == "" {
		t.Skip("live test: set WHISPIR_TEST_TO to a number that may receive a test SMS")
	}
	c := liveClient(t)
	subject, body := "whispir-go live test", "Sent by the whispir-go live tests."
	id, err := c.SendMessage(t.Context(), "", generated.Message{To: to, Subject: &subject, Body: &body})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.DefaultMessageStatusListWithResponse(t.Context(), id, nil); err != nil {
		t.Fatal(err)
	}
}
