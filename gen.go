package whispir

import _ "embed"

// Regenerates the typed client in generated/ from openapi.yaml.
//go:generate go tool whispir-gen -config generated/config.yaml openapi.yaml

//go:embed openapi.yaml
var specYAML []byte
