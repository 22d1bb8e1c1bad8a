// Command specgen writes the prepared form of the embedded OpenAPI document:
// Go code that rebuilds the resolved document without parsing YAML (see
// package internal/specgen). It refuses a spec that does not load or does not
// validate, examples included. gen.go runs it:
//
//	go run ./internal/cmd/specgen -o internal/specdoc/spec.gen.go openapi.yaml
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/whispir-go/whispir/internal/specgen"
)

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "specgen:", err)
		os.Exit(1)
	}
}

func run(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("specgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "", "output file (required)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" || fs.NArg() != 1 {
		fs.Usage()
		return errors.New("usage: specgen -o FILE SPEC")
	}
	spec := fs.Arg(0)
	data, err := os.ReadFile(spec)
	if err != nil {
		return err
	}
	code, err := specgen.Generate(data, filepath.Base(filepath.Dir(*out)), filepath.ToSlash(spec))
	if err != nil {
		return fmt.Errorf("%s: %w", spec, err)
	}
	return os.WriteFile(*out, code, 0o644)
}
