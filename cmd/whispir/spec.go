package main

import (
	"encoding/json"

	"github.com/spf13/cobra"

	"github.com/whispir-go/whispir"
)

func newSpecCommand(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "spec",
		Short: "print the OpenAPI document the SDK is built from",
		Long: `Prints the embedded openapi.yaml: the contract the client validates requests
against and the mock server enforces. With --json, the same document as JSON.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !g.json {
				_, err := cmd.OutOrStdout().Write(whispir.Spec())
				return err
			}
			doc, err := whispir.Document()
			if err != nil {
				return err
			}
			data, err := json.Marshal(doc)
			if err != nil {
				return err
			}
			_, err = cmd.OutOrStdout().Write(append(data, '\n'))
			return err
		},
	}
}
