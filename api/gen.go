package api

// Writes creates.gen.go and lists.gen.go from the spec and the generated client (see internal/apigen).
//go:generate go run ../internal/cmd/apigen -spec ../openapi.yaml -client ../generated/whispir.gen.go -o .
