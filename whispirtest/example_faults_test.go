package whispirtest_test

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/whispir-go/whispir/whispirtest"
)

// A test makes the next two sends meet the gateway's per-second rate limit;
// the third goes through. A client under test would retry the first two.
func ExampleServer_InjectFaults() {
	srv := whispirtest.NewServer()
	defer srv.Close()
	if err := srv.InjectFaults(2, whispirtest.Fault{Kind: whispirtest.FaultQPS, Operations: []string{"messageCreate"}}); err != nil {
		panic(err)
	}
	creds := srv.Credentials()
	for range 3 {
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/workspaces/9A4C5521FFC7B15B/messages",
			strings.NewReader(`{"to":"61400000000","subject":"Test SMS","body":"Hello"}`))
		if err != nil {
			panic(err)
		}
		req.Header.Set("x-api-key", creds.APIKey)
		req.SetBasicAuth(creds.Username, creds.Password)
		req.Header.Set("Content-Type", "application/vnd.whispir.message-v1+json")
		req.Header.Set("Accept", "application/vnd.whispir.message-v1+json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		resp.Body.Close()
		fmt.Println(strings.TrimSpace(fmt.Sprint(resp.StatusCode, " ", resp.Header.Get("X-Error-Code"))))
	}
	for _, r := range srv.Requests() {
		fmt.Println(r.Status, r.Fault)
	}
	fmt.Println(len(srv.Messages()), "message")
	// Output:
	// 403 ERR_403_DEVELOPER_OVER_QPS
	// 403 ERR_403_DEVELOPER_OVER_QPS
	// 202
	// 403 FaultQPS
	// 403 FaultQPS
	// 202 FaultNone
	// 1 message
}
