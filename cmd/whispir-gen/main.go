// Command whispir-gen generates a Go client (or server stubs) for the Whispir
// API with oapi-codegen, from a spec that keeps Whispir's real vendor media
// types.
//
// oapi-codegen derives Go names from media types, so a vendor type such as
// application/vnd.whispir.message-v1+json yields names like
// ApplicationvndWhispirMessageV1JSON200. whispir-gen loads the spec, presents
// each operation's primary vendor type (see whispir.PrimaryMediaType) as
// application/json, and hands the result to oapi-codegen's codegen.Generate,
// so the generated client reads MessageCreateWithResponse and resp.JSON200.
// Other media types keep their names. The api package's pipeline puts the
// real type back on Content-Type and Accept.
//
// Usage:
//
//	whispir-gen -config config.yaml openapi.yaml
//
// The config file is an ordinary oapi-codegen configuration (package,
// generate, output-options, output). Run it from go generate:
//
//	//go:generate go tool whispir-gen -config generated/config.yaml openapi.yaml
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/oapi-codegen/oapi-codegen/v2/pkg/codegen"
	"go.yaml.in/yaml/v3"

	"github.com/whispir-go/whispir"
)

// config is oapi-codegen's configuration file plus its output path.
type config struct {
	codegen.Configuration `yaml:",inline"`
	Output                string `yaml:"output"`
}

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "whispir-gen:", err)
		os.Exit(1)
	}
}

func run(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("whispir-gen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "", "oapi-codegen configuration file (required)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *configPath == "" || fs.NArg() != 1 {
		fs.Usage()
		return errors.New("usage: whispir-gen -config FILE SPEC")
	}
	cfg, err := readConfig(*configPath)
	if err != nil {
		return err
	}
	code, err := generate(fs.Arg(0), cfg.Configuration)
	if err != nil {
		return err
	}
	if cfg.Output == "" {
		_, err = io.WriteString(os.Stdout, code)
		return err
	}
	if err := os.MkdirAll(filepath.Dir(cfg.Output), 0o755); err != nil {
		return err
	}
	return os.WriteFile(cfg.Output, []byte(code), 0o644)
}

func readConfig(path string) (config, error) {
	var cfg config
	data, err := os.ReadFile(path)
	if err != nil {
		return cfg, err
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil {
		return cfg, fmt.Errorf("%s: %w", path, err)
	}
	cfg.Configuration = cfg.Configuration.UpdateDefaults()
	if err := cfg.Configuration.Validate(); err != nil {
		return cfg, fmt.Errorf("%s: %w", path, err)
	}
	return cfg, nil
}

// generate loads the spec, presents primary vendor types as
// application/json and runs oapi-codegen.
func generate(specPath string, cfg codegen.Configuration) (string, error) {
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	doc, err := loader.LoadFromFile(specPath)
	if err != nil {
		return "", fmt.Errorf("load %s: %w", specPath, err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		return "", fmt.Errorf("validate %s: %w", specPath, err)
	}
	if err := presentJSON(doc); err != nil {
		return "", err
	}
	if cfg.NoVCSVersionOverride == nil {
		v := codegenVersion()
		cfg.NoVCSVersionOverride = &v
	}
	return codegen.Generate(doc, cfg)
}

// presentJSON renames, for every operation, its primary media type to
// application/json in its request body and 2xx responses.
func presentJSON(doc *openapi3.T) error {
	for _, path := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(path)
		for method, op := range item.Operations() {
			primary := whispir.PrimaryMediaType(item, op)
			if primary == whispir.JSONMediaType {
				continue
			}
			if op.RequestBody != nil && op.RequestBody.Value != nil {
				if err := rename(op.RequestBody.Value.Content, primary); err != nil {
					return fmt.Errorf("%s %s request: %w", method, path, err)
				}
			}
			for code, ref := range op.Responses.Map() {
				if len(code) == 3 && code[0] == '2' && ref.Value != nil {
					if err := rename(ref.Value.Content, primary); err != nil {
						return fmt.Errorf("%s %s response %s: %w", method, path, code, err)
					}
				}
			}
		}
	}
	return nil
}

// rename moves content[from] to content["application/json"]. Shared
// components are visited once per operation that uses them, so an already
// renamed entry is fine.
func rename(content openapi3.Content, from string) error {
	mt, ok := content[from]
	if !ok {
		return nil
	}
	if _, clash := content[whispir.JSONMediaType]; clash {
		return fmt.Errorf("both %s and %s are declared", from, whispir.JSONMediaType)
	}
	content[whispir.JSONMediaType] = mt
	delete(content, from)
	return nil
}

// codegenVersion is the oapi-codegen module version compiled into this
// binary, stamped into the generated header so every machine writes the same.
func codegenVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range bi.Deps {
			if dep.Path == "github.com/oapi-codegen/oapi-codegen/v2" {
				return dep.Version
			}
		}
	}
	return "unknown"
}
