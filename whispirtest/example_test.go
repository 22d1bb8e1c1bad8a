package whispirtest_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/whispir-go/whispir/whispirtest"
)

// A test sends an SMS to the mock with plain net/http and checks what the
// mock received.
func ExampleNewServer() {
	srv := whispirtest.NewServer()
	defer srv.Close()

	req, err := http.NewRequest(http.MethodPost, srv.URL+"/workspaces/9A4C5521FFC7B15B/messages",
		strings.NewReader(`{"to":"61400000000","subject":"Test SMS","body":"Hello from whispir-go"}`))
	if err != nil {
		panic(err)
	}
	creds := srv.Credentials()
	req.Header.Set("x-api-key", creds.APIKey)
	req.SetBasicAuth(creds.Username, creds.Password)
	req.Header.Set("Content-Type", "application/vnd.whispir.message-v1+json")
	req.Header.Set("Accept", "application/vnd.whispir.message-v1+json")

	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)

	fmt.Println(resp.StatusCode, string(body))
	fmt.Println(strings.HasPrefix(resp.Header.Get("Location"), srv.URL+"/workspaces/9A4C5521FFC7B15B/messages/"))
	sent := srv.Messages()
	fmt.Println(len(sent), sent[0].Message.To)
	// Output:
	// 202 Your request has been accepted for processing
	// true
	// 1 61400000000
}
