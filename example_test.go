package whispir_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/whispir-go/whispir"
)

// Checking a request against the spec before sending it, the way the api
// package's pipeline does.
func ExampleValidateRequest() {
	body := []byte(`{"subject":"Hello","body":"From whispir-go"}`)
	req, _ := http.NewRequest(http.MethodPost, "https://api.au.whispir.com/workspaces/9A4C5521FFC7B15B/messages", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/vnd.whispir.message-v1+json")

	route, err := whispir.FindRoute(req, "")
	if err != nil {
		panic(err)
	}
	fmt.Println(route.ID, route.MediaType)
	fmt.Println(whispir.ValidateRequest(context.Background(), route, req, body))
	// Output:
	// messageCreate application/vnd.whispir.message-v1+json
	// messageCreate: invalid request: body /to: property "to" is missing
}

// Routing ignores the host and strips a base path, so every region and any
// mock find the same operation.
func ExampleFindRoute() {
	for _, tc := range []struct{ url, basePath string }{
		{"https://api.education.whispir.com/contacts?limit=20", ""},
		{"http://127.0.0.1:8080/mock/workspaces/ABC/contacts/C0FFEE", "/mock"},
		{"http://127.0.0.1:8080/elsewhere/contacts", "/mock"},
	} {
		req, _ := http.NewRequest(http.MethodGet, tc.url, nil)
		route, err := whispir.FindRoute(req, tc.basePath)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(strings.TrimSpace(route.ID + " " + route.PathParams()["contactId"]))
	}
	// Output:
	// defaultContactList
	// contactRetrieve C0FFEE
	// unknown operation: GET outside base path
}
