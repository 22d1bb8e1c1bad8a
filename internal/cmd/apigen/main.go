// Command apigen writes the api package's helpers that follow from the spec
// and the generated client: api/creates.gen.go and api/lists.gen.go (see
// package internal/apigen). api/gen.go runs it after cmd/whispir-gen has
// written the client:
//
//	go run ./internal/cmd/apigen -spec openapi.yaml -client generated/whispir.gen.go -o api
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/whispir-go/whispir/internal/apigen"
)

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "apigen:", err)
		os.Exit(1)
	}
}

func run(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("apigen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	spec := fs.String("spec", "", "the OpenAPI document (required)")
	client := fs.String("client", "", "the client oapi-codegen generated from it (required)")
	out := fs.String("o", "", "the directory of package api (required)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *spec == "" || *client == "" || *out == "" || fs.NArg() != 0 {
		fs.Usage()
		return errors.New("usage: apigen -spec FILE -client FILE -o DIR")
	}
	specData, err := os.ReadFile(*spec)
	if err != nil {
		return err
	}
	clientData, err := os.ReadFile(*client)
	if err != nil {
		return err
	}
	files, err := apigen.Generate(specData, clientData, filepath.Base(*spec), filepath.ToSlash(filepath.Join(filepath.Base(filepath.Dir(*client)), filepath.Base(*client))))
	if err != nil {
		return err
	}
	var names []string
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if err := os.WriteFile(filepath.Join(*out, name), files[name], 0o644); err != nil {
			return err
		}
	}
	return nil
}
