package main

import (
	"context"
	"io"

	"github.com/whispir-go/whispir"
)

var specCommand = &command{
	name:  "spec",
	short: "print the OpenAPI document the SDK is built from",
	usage: `Usage: whispir spec

Prints the embedded openapi.yaml: the contract the client validates requests
against and the mock server enforces.
`,
	run: runSpec,
}

func runSpec(_ context.Context, g *globals, args []string, stdout, _ io.Writer) error {
	if err := parse(g.flagSet("spec"), args); err != nil {
		return err
	}
	_, err := stdout.Write(whispir.Spec())
	return err
}
