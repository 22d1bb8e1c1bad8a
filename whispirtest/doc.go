// Package whispirtest provides an in-process mock of the Whispir REST API for
// tests, shaped like [net/http/httptest]: [NewServer] listens on a loopback
// port, [Server.URL] is its base URL and [Server.Close] shuts it down.
//
// The mock enforces the same OpenAPI document as the client (the embedded
// spec of package [whispir]): every request is routed, authenticated,
// checked for its media types and validated against the spec before it is
// answered, and every answer is one the spec allows.
//
//	srv := whispirtest.NewServer()
//	defer srv.Close()
//	client, err := api.New(provider, api.WithBaseURL(srv.URL))
//
// # Authentication
//
// The mock accepts one set of credentials, [Server.Credentials] (fake ones
// by default, see [WithCredentials]). Like the real service, a missing or
// wrong x-api-key is answered 403 with the gateway body
// {"message":"Forbidden"}; wrong Basic credentials, or a Bearer token the
// server did not issue from POST /auth (authCreate, when the spec has it), are
// answered 401 with a Whispir error body. [Server.SetCredentials] changes
// the accepted credentials, to test rotation; [WithAdditionalCredentials]
// accepts more sets at once, for rotation under load, but always the key
// and the Basic credentials of one same set.
//
// # Errors
//
// Requests are checked in this order. Apart from the gateway's 413 and 403,
// each failure is answered with the Whispir error body {errorSummary,
// errorText, errorDetail}, labelled with the operation's media type (Whispir
// mirrors the type asked for), or application/json when no operation matched:
//
//   - a body over 10,485,760 bytes: 413 with a bare JSON string;
//   - no operation on the path: 404; the path exists but not the method: 405
//     with Allow;
//   - the credentials (see above): 403 or 401;
//   - a Content-Type that is not one of the operation's request media types
//     (a body on an operation that takes none included), or an Accept that
//     does not allow the operation's media type: 415. Only JSON is served: a
//     vendor +xml Accept is refused, and so is plain application/json where
//     the operation has a vendor type;
//   - a body that is not JSON, or a missing required body: 400;
//   - a request that breaks the spec: 422 (400 where the operation does not
//     declare 422), whose errorText says where and why, never the value.
//
// # Operations
//
// The message operations (messageCreate, messageList, messageRetrieve,
// messageStatusList, messageResponseList and their default-workspace forms)
// behave like the service: an immediate send answers 202 with Location and
// the plain-text body labelled as JSON, a scheduled send answers 200 with the
// message, and lists are paged with limit, offset and next/prev links.
// [Server.Messages] returns what was sent.
//
// Every other operation of the spec is answered by a generic engine driven
// by the spec: ...Create stores the body under a new id and answers with
// Location, ...List pages the stored items (or serves the spec's example when
// nothing is stored), ...Retrieve, ...Update and ...Delete work on stored
// items (404 for unknown ids), and anything else answers its first 2xx
// status with the spec's example. [WithHandler] replaces the answer of one
// operation, after authentication and validation.
//
// [Server.Requests] lists what was received and answered; secret header
// values are redacted in it.
//
// # Faults
//
// [Server.InjectFaults] makes the next n requests misbehave, and
// [Server.InjectFaultRate] a seeded, reproducible fraction of them, until
// [Server.ClearFaults]; [Fault.Operations] limits a fault to some
// operations. A fault applies after the request was routed, authenticated
// and validated (a faulted request was a good one), just before it is
// processed. The kinds:
//
//   - [FaultQPS]: 403, X-Error-Code ERR_403_DEVELOPER_OVER_QPS and
//     X-Error-Detail, the gateway body; never processed.
//   - [FaultQPD]: the same with ERR_403_DEVELOPER_OVER_QPD.
//   - [FaultMasheryQPS]: 403 with X-Mashery-Error-Code
//     ERR_403_DEVELOPER_OVER_QPS and an HTML body, as the old gateway did.
//   - [FaultTooManyRequests]: 429 {"message":"Too Many Requests"}.
//   - [FaultStatus]: Fault.Status (500..599, 503 by default) with a Whispir
//     error body.
//   - [FaultSlow]: waits Fault.Delay, then answers normally; the wait ends
//     when the client goes away (the request is then not processed) or
//     the server closes.
//   - [FaultDrop]: closes the connection without an answer.
//   - [FaultTruncated]: processes the request and sends half of its answer
//     under a Content-Length for all of it, then closes the connection.
//   - [FaultMalformed]: the operation's first 2xx status with a body that is
//     not JSON.
//
// Gateway faults and [FaultStatus] can carry a Retry-After header
// ([Fault.RetryAfter]). With [Fault.AfterProcessing], a [FaultStatus],
// [FaultDrop], [FaultSlow] or [FaultMalformed] comes after the request was
// processed (a message stored): the server did the work, the answer was
// lost. Faulted requests are recorded in [Server.Requests] with the status
// answered (0 when there was none) and [Request.Fault]; their answers are
// not checked by [WithResponseValidation], as they break the spec on
// purpose.
//
// # Without a socket
//
// [Server.Handler] is the whole pipeline as an [http.Handler], for fuzz
// tests and httptest.ResponseRecorder. To serve the mock on an address of
// your choosing (a fixed loopback port), pass its listener to
// [WithListener]; links and Location headers then point at it.
// Without a connection to hijack (an httptest.ResponseRecorder), a
// [FaultDrop] panics with [http.ErrAbortHandler], as net/http servers expect
// of an aborted response.
package whispirtest
