package whispirtest_test

import (
	"fmt"
	"net/http"

	"github.com/whispir-go/whispir/whispirtest"
)

// A test that starts from known contacts, as `whispir mock --seed FILE`
// does, and checks what the mock holds afterwards.
func ExampleWithSeed() {
	seed, err := whispirtest.ParseSeed([]byte(`
contacts:
  9A4C5521FFC7B15B:
    - {id: C0FFEE, firstName: Jane, lastName: Citizen}
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	srv := whispirtest.NewServer(whispirtest.WithSeed(seed))
	defer srv.Close()

	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/workspaces/9A4C5521FFC7B15B/contacts/C0FFEE", nil)
	creds := srv.Credentials()
	req.Header.Set("Accept", "application/vnd.whispir.contact-v1+json")
	req.Header.Set("x-api-key", creds.APIKey)
	req.SetBasicAuth(creds.Username, creds.Password)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	resp.Body.Close()
	fmt.Println(resp.Status)

	state := srv.State()
	fmt.Println(state.Contacts["9A4C5521FFC7B15B"][0]["firstName"])
	// Output:
	// 200 OK
	// Jane
}
