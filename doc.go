// Package whispir owns the Whispir API contract at run time: the embedded
// OpenAPI document (openapi.yaml), parsed and routed once per process, and the
// request and response validators that both the client ([api]) and the mock
// server ([whispirtest]) use, so the two can never disagree about the spec.
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
