// Command send sends one message with api.New and Client.SendMessage
// (validated against the spec) to the base URL given as its argument: a
// fresh process's first validated send, for the cold-start benchmark.
package main

import (
	"context"

	"github.com/whispir-go/whispir/api"
	"github.com/whispir-go/whispir/generated"
	"github.com/whispir-go/whispir/internal/benchprog"
	"github.com/whispir-go/whispir/security"
)

func main() { benchprog.Main("send", send) }

func send(baseURL string) error {
	p, err := security.New(security.Credentials{APIKey: benchprog.APIKey, Username: benchprog.Username, Password: benchprog.Password})
	if err != nil {
		return err
	}
	c, err := api.New(p, api.WithBaseURL(baseURL))
	if err != nil {
		return err
	}
	subject, body := "Hello", "From whispir-go"
	_, err = c.SendMessage(context.Background(), "9A4C5521FFC7B15B", generated.Message{To: "61400000000", Subject: &subject, Body: &body})
	return err
}
