package api_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/whispir-go/whispir/api"
	"github.com/whispir-go/whispir/generated"
	"github.com/whispir-go/whispir/security"
	"github.com/whispir-go/whispir/whispirtest"
)

// Sending an SMS to the mock server; against Whispir, use
// security.FromEnv() and api.WithRegion instead.
func ExampleClient_SendMessage() {
	srv := whispirtest.NewServer()
	defer srv.Close()

	p, err := security.New(srv.Credentials())
	if err != nil {
		panic(err)
	}
	c, err := api.New(p, api.WithBaseURL(srv.URL))
	if err != nil {
		panic(err)
	}
	subject, body := "Hello", "From whispir-go"
	id, err := c.SendMessage(context.Background(), "", generated.Message{To: "61400000000", Subject: &subject, Body: &body})
	if err != nil {
		panic(err)
	}
	fmt.Println(len(id), "hex digits")
	fmt.Println(srv.Messages()[0].Message.To)
	// Output:
	// 32 hex digits
	// 61400000000
}

// Reading the ids of listed messages: Whispir's list items name a message
// by their self link, not an id field, so take ids with MessageID.
func ExampleMessageID() {
	srv := whispirtest.NewServer()
	defer srv.Close()

	p, err := security.New(srv.Credentials())
	if err != nil {
		panic(err)
	}
	c, err := api.New(p, api.WithBaseURL(srv.URL))
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	subject := "Hello"
	sent, err := c.SendMessage(ctx, whispirtest.WorkspaceID, generated.Message{To: "61400000000", Subject: &subject})
	if err != nil {
		panic(err)
	}
	for m, err := range c.Messages(ctx, whispirtest.WorkspaceID, nil) {
		if err != nil {
			panic(err)
		}
		id, err := api.MessageID(m)
		if err != nil {
			panic(err)
		}
		fmt.Println(m.ID == nil, id == sent, *m.To)
	}
	// Output:
	// true true 61400000000
}

// Branching on the kind of failure with errors.Is and errors.As.
func ExampleError() {
	srv := whispirtest.NewServer()
	defer srv.Close()

	creds := srv.Credentials()
	creds.Password = "not-the-password"
	p, _ := security.New(creds)
	c, _ := api.New(p, api.WithBaseURL(srv.URL))

	_, err := c.SendMessage(context.Background(), "", generated.Message{To: "61400000000"})
	var apiErr *api.Error
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.Operation, apiErr.StatusCode)
	}
	fmt.Println(errors.Is(err, api.ErrUnauthorized))
	fmt.Println(err)
	// Output:
	// defaultMessageCreate 401
	// true
	// defaultMessageCreate: 401 unauthorized
}

// A request that breaks the spec is refused before it is sent.
func ExampleClient_SendMessage_invalid() {
	srv := whispirtest.NewServer()
	defer srv.Close()
	p, _ := security.New(srv.Credentials())
	c, _ := api.New(p, api.WithBaseURL(srv.URL))

	_, err := c.SendMessage(context.Background(), "9A4C5521FFC7B15B", generated.Message{})
	fmt.Println(errors.Is(err, api.ErrInvalidRequest))
	fmt.Println(err)
	fmt.Println(len(srv.Requests()), "requests reached the server")
	// Output:
	// true
	// messageCreate: invalid request: body /to: minimum string length is 1
	// 0 requests reached the server
}

// Regions and their base URLs come from the spec's servers.
func ExampleParseRegion() {
	r, err := api.ParseRegion("education")
	if err != nil {
		panic(err)
	}
	u, _ := r.BaseURL()
	fmt.Println(r, u)
	// Output:
	// EDU https://api.education.whispir.com
}

// Bearer tokens instead of Basic credentials: the first call obtains a
// token from authCreate (POST /auth) with the Basic credentials, and the
// calls after it send the token.
func ExampleWithBearerAuth() {
	srv := whispirtest.NewServer()
	defer srv.Close()
	p, err := security.New(srv.Credentials())
	if err != nil {
		panic(err)
	}
	c, err := api.New(p, api.WithBaseURL(srv.URL), api.WithBearerAuth())
	if err != nil {
		panic(err)
	}
	for range 2 {
		if _, err := c.SendMessage(context.Background(), "", generated.Message{To: "61400000000", Subject: api.Ptr("Hello")}); err != nil {
			panic(err)
		}
	}
	for _, r := range srv.Requests() {
		fmt.Println(r.OperationID, r.Header.Get("Authorization"))
	}
	// Output:
	// authCreate Basic [REDACTED]
	// defaultMessageCreate Bearer [REDACTED]
	// defaultMessageCreate Bearer [REDACTED]
}

// Tests of fault handling need not wait: NoWaitRetryPolicy retries as the
// default policy does, without sleeping.
func ExampleNoWaitRetryPolicy() {
	srv := whispirtest.NewServer()
	defer srv.Close()
	// The next two requests meet the gateway's per-second rate limit.
	if err := srv.InjectFaults(2, whispirtest.Fault{Kind: whispirtest.FaultQPS}); err != nil {
		panic(err)
	}
	p, _ := security.New(srv.Credentials())
	c, _ := api.New(p, api.WithBaseURL(srv.URL), api.WithRetry(api.NoWaitRetryPolicy()))

	// Two QPS rejections, each retried at once instead of after a second.
	_, err := c.SendMessage(context.Background(), "", generated.Message{To: "61400000000", Subject: api.Ptr("Hello")})
	fmt.Println(err, len(srv.Requests()), "requests")
	// Output:
	// <nil> 3 requests
}
