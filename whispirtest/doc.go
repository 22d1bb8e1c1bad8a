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
// answered 401 with a Whispir error body; so are tokens past the expiry
// that [WithTokenLifetime] gives them (by default they never expire) and
// tokens that [Server.RevokeTokens] revoked. [Server.SetCredentials] changes
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
//   - a Content-Length over 10,485,760 bytes: 413 with a bare JSON string;
//   - no operation on the path: 404; the path exists but not the method: 405
//     with Allow;
//   - the credentials (see above): 403 or 401. The body of a request refused
//     so far is read and dropped, never kept;
//   - a body over 10,485,760 bytes without a Content-Length: 413;
//   - a Content-Type that is not one of the operation's request media types
//     (a body on an operation that takes none included), or an Accept that
//     does not allow the operation's media type: 415, whose errorText names
//     the types the operation takes (also in an Accept header) or answers.
//     Only the vendor JSON types are served, and the errorText says so: a
//     vendor +xml Accept is refused, and so is plain application/json where
//     the operation has a vendor type, and so is a request without Accept to
//     an operation that answers a body (Whispir answers it in XML);
//   - a JSON body with more members and array elements than
//     [Limits.JSONValues]: the mock's own 413 (see [HeaderMockError]);
//   - a body that is not JSON, or a missing required body: 400;
//   - a request that breaks the spec: 422 (400 where the operation does not
//     declare 422), whose errorText says where and why, never the value: a
//     message property Whispir's schema does not have is named when it looks
//     like a field name;
//   - a workspace the mock does not know: 404 (see [WorkspaceID]).
//
// The Verify operations (sendCodeCreate, verifyCodeCreate) answer the 400s
// with their own body {status, message, detail}, as Whispir's do. Every
// answer carries the gateway's Access-Control-Allow-Origin: *,
// Cache-Control: max-age=0 and Expires (the time of the answer).
//
// The 400, 415 and 422 of these checks name the rule broken in the
// [HeaderViolations] header, like Prism's sl-violations.
//
// # Choosing an answer
//
// As with Prism, a request with "Prefer: code=404" is answered with the
// operation's declared 404 and the spec's example for it; "Prefer:
// example=NAME" picks a named response example (both together: that example
// of that status). The request is routed, authenticated and validated
// first, then answered at once: nothing is stored and no fault applies. A
// status or example the operation does not declare gets the mock's own 406,
// whose problem+json body and [HeaderMockError] header list what is
// available.
//
// # Operations
//
// The message operations (messageCreate, messageList, messageRetrieve,
// messageStatusList, messageResponseList and their default-workspace forms)
// and the callback operations (see below) behave like the service: an immediate send answers 202 with Location and
// the plain-text body labelled as JSON, a scheduled send answers 200 with the
// message, and lists are paged with limit, offset and next/prev links. As in
// Whispir's examples, a message shows no id field (its self link names it),
// and a list item shows its recipients (to). [Server.Messages] returns what
// was sent.
//
// Every other operation of the spec is answered by a generic engine driven
// by the spec: ...Create stores the body under a new id and answers with
// Location, ...List pages the stored items (an empty page, "No records
// found", when nothing is stored), ...Retrieve, ...Update and ...Delete
// work on stored items (404 for unknown ids), and anything else answers
// its first 2xx status with the spec's example. An activity posted to
// /activities is listed there, with the time it was logged. Custom lists,
// which Whispir's API cannot create, come only from a seed. Collections
// that nothing fills (a workspace's activities and users) are empty pages.
// Ids are 32 upper-case hex digits, or UUIDs where the spec declares format
// uuid (API keys). A template name is
// unique in its workspace: a second one is refused 422 with Whispir's text.
// [WithHandler] replaces the answer of one operation, after authentication
// and validation, whatever workspace the request names.
//
// [Server.Requests] lists what was received and answered; secret header
// values are redacted in it. [WithRequestLog] logs one line per request.
//
// [WithSeed] starts the server from a known state (workspaces, contacts,
// templates, distribution lists, callbacks, custom lists; see [Seed] and
// [ParseSeed]),
// [Server.State] exports the state in the same form, and [Server.ResetAll]
// returns to the seed.
//
// # Message lifecycle and callbacks
//
// A sent message stays Sent until the test moves it on, as the real
// recipients and carriers would:
//
//   - [Server.Deliver]: every recipient received it (DELIVRD, category
//     Received, receivedTimestamp);
//   - [Server.Reply]: one recipient answered (READ, category Acknowledged,
//     acknowlegedTimestamp; a reply implies delivery); the reply is listed
//     by messageResponseList and counted in responseCount;
//   - [Server.Undeliverable]: every recipient not yet delivered failed
//     (FAILED, category Undeliverable, undeliverableTimestamp).
//
// Messages are found by the id the mock issued, in any workspace. [At]
// sets the event's time (by default now), [OnChannel] its channel and
// [ForRecipients] limits a delivery or failure to some recipients. A
// scheduled message starts Pending. The errors wrap [ErrUnknownMessage],
// [ErrNotRecipient] or [ErrDeliveryFailed] and never show a recipient in
// clear.
//
// messageStatusList follows: its summary view counts each recipient once in
// Sent, Pending, Received, Acknowledged or Undeliverable with a percentage
// ("50.0%"); its detailed view lists each recipient's sms, email and voice
// channels with their status and epoch-millisecond timestamps.
// messageResponseList's summary counts recipients as noresponse or
// notmatched (the mock applies no response rules); its detailed view lists
// each reply (from, responseCategory, responseMessage{channel,
// acknowledged dd/MM/yy HH:mm, content}) and each silent recipient as
// noresponse with N/A fields.
//
// Callbacks work as in Whispir. callbackCreate (and callbackUpdate) first
// GETs the url, without the callback's auth (Whispir's check is not
// documented to carry it: an endpoint that demands it on GET is refused
// here too), and stores the callback only when it answers 200, else
// answers 400 saying why (never quoting the url); a name already taken is
// refused with 422. The mock calls loopback URLs only (localhost,
// 127.0.0.0/8, ::1; checked on the url and again on the address
// connected to) unless the server has [WithRemoteCallbacks].
//
// When a message's callbackId names a stored callback whose
// callbacks.reply (or callbacks.undeliverable) is enabled, a reply (or each
// channel that failed) is POSTed to the callback's url in the background,
// in Whispir's canonical form: JSON, or XML with the ns2:deliveryResponse
// root when contentType is xml, with the callback's auth (httpheader:
// X-Whispir-Callback-Key; queryparam: ?auth=; basicauth and bearertoken:
// Authorization "Basic <key>" / "Bearer <key>", the key as is). Its
// customParameters are the message's callbackParameters plus those
// Whispir adds that the mock can know: recipient_sms, recipient_voice or
// recipient_email, and the event's date (yyyy-mm-dd), time (HH:MM), yyyy,
// yy, mm, dd, hrs, min and sec; the message's own keys win.
//
// A call succeeds on a 200. With retriesEnabled, a failed call (another
// status, no connection, no answer within [WithCallbackTimeout]) is
// retried as [WithCallbackRetry] says, by default every 5 minutes for 24
// hours; otherwise it is made once. Every attempt is listed by
// callbackCallList (GET /callbacks/{id}/calls) as SUCCESS or FAILED, and
// callbackCallUpdate changes their status. [Server.CallbackCalls] returns
// the attempts with their request (secrets redacted) and answer, and
// [Server.WaitCallbacks] waits until the deliveries have settled, so tests
// need no sleeps. [Server.Close] drops waiting retries and waits for calls
// in progress.
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
// # Limits
//
// A server keeps at most 10,000 requests (with the first 64 KiB of each
// body, and no body of a request that failed authentication), 10,000
// messages, 10,000 items and 64 MiB of bodies per store, forgetting the
// oldest first; [WithLimits] changes the bounds. Its HTTP server has
// header, read, write and idle timeouts ([WithTimeouts]); a [FaultSlow]
// extends the write timeout by its delay.
//
// # Admin API
//
// Below [Server.URL], under [AdminPath] (/_whispir/; no Whispir path starts
// with "_"), the server has an admin API for tests in other languages: GET
// health (no key needed), GET and DELETE requests (the journal), POST reset
// ([Server.ResetAll]), GET, POST and DELETE faults, GET messages, POST
// messages/{id}/deliver, reply and undeliverable (the lifecycle), GET and
// POST state (export, load a seed) and POST shutdown (the server closes;
// see [Server.Done]). Every route but health needs the server's x-api-key.
// Its OpenAPI document is [AdminSpec], also served at GET
// /_whispir/openapi.yaml; its errors are application/problem+json. Admin
// requests are not recorded in [Server.Requests].
//
// # Without a socket
//
// [Server.Handler] is the whole pipeline as an [http.Handler], for fuzz
// tests and httptest.ResponseRecorder. To serve the mock on an address of
// your choosing (a fixed loopback port), pass its listener to
// [WithListener]; links and Location headers then point at it, or at
// [WithPublicURL] when clients know the server by another name.
// Without a connection to hijack (an httptest.ResponseRecorder), a
// [FaultDrop] panics with [http.ErrAbortHandler], as net/http servers expect
// of an aborted response.
package whispirtest
