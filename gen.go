package whispir

import _ "embed"

// Prepares openapi.yaml for run time (see internal/specgen): internal/specdoc.
//go:generate go run ./internal/cmd/specgen -o internal/specdoc/spec.gen.go openapi.yaml

// Regenerates the typed client in generated/ from openapi.yaml.
//go:generate go tool whispir-gen -config generated/config.yaml openapi.yaml

//go:embed openapi.yaml
var specYAML []byte
