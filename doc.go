// Package whispir owns the Whispir API contract at run time: the embedded
// OpenAPI document (openapi.yaml), its router, and the request and response
// validators that both the client ([api]) and the mock server
// ([whispirtest]) use, so the two can never disagree about the spec.
//
// Nothing parses the YAML at run time: go generate loads and validates it with
// kin-openapi once and writes Go code that rebuilds the resolved document
// (internal/specdoc). At run time the operation table and router come from
// generated tables, and each operation's part of the document, with what
// validating it needs, is built on its first use. Validation is kin-openapi's
// (openapi3filter and the schemas' VisitJSON), with the per-request work that
// cannot change its answer left out; the tests hold it to
// openapi3filter.ValidateRequest.
//
// Routing ignores the host, so a request to any of the regional servers or to
// a loopback mock finds its operation; a base path prefix is stripped first.
//
// Validation errors are one line, name the operation, where the problem is and
// why, and never repeat the values of the request: phone numbers, email
// addresses and message text are personal data.
//
// [api]: https://pkg.go.dev/github.com/whispir-go/whispir/api
// [whispirtest]: https://pkg.go.dev/github.com/whispir-go/whispir/whispirtest
package whispir
