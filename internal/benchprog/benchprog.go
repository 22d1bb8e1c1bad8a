// Package benchprog holds what the programs under it share. They are the
// small programs that the start-up benchmarks build and run (see
// internal/benchutil.Start):
//
//   - hello: a hello-world, the baseline of the command-line tool's start;
//   - hellokin: the same, linking kin-openapi's openapi3 package, whose
//     dependencies' init (santhosh-tekuri/jsonschema compiles its
//     meta-schemas) every program that validates with kin-openapi pays;
//   - rawsend: one message POSTed with net/http, the baseline of a cold
//     start;
//   - rawsendkin: the same, linking openapi3 as hellokin does;
//   - send: one message sent with api.New and Client.SendMessage,
//     validated against the spec.
//
// The senders take the base URL as their argument and exit 1 unless the
// message is accepted.
package benchprog

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
)

// Obviously fake credentials: the benchmark's server does not check them.
const (
	APIKey   = "fake-key-for-benchmarks"
	Username = "fake-user"
	Password = "fake-password-for-benchmarks"
)

// MessageJSON is the message the senders send, as SendMessage encodes
// generated.Message{To, Subject, Body}.
const MessageJSON = `{"body":"From whispir-go","subject":"Hello","to":"61400000000"}`

// RawPost POSTs MessageJSON to the messages of a workspace below baseURL
// with the headers SendMessage sends, and checks for a 202 with a Location.
func RawPost(baseURL string) error {
	const mt = "application/vnd.whispir.message-v1+json"
	req, err := http.NewRequest(http.MethodPost, baseURL+"/workspaces/9A4C5521FFC7B15B/messages", bytes.NewReader([]byte(MessageJSON)))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", mt)
	req.Header.Set("Accept", mt)
	req.Header.Set("x-api-key", APIKey)
	req.SetBasicAuth(Username, Password)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusAccepted || resp.Header.Get("Location") == "" {
		return fmt.Errorf("status %d, location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return nil
}

// Main is the main function of a sender called name: it calls send with
// the base URL, the program's one argument, and exits 2 for a wrong
// command line, 1 when send fails.
func Main(name string, send func(baseURL string) error) {
	if len(os.Args) != 2 {
		fmt.Fprintf(os.Stderr, "usage: %s BASE_URL\n", name)
		os.Exit(2)
	}
	if err := send(os.Args[1]); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		os.Exit(1)
	}
}
