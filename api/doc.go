// Package api is the Whispir API client: a typed client generated from
// whispir-go's OpenAPI spec, with the security headers, spec validation,
// retries and typed errors around it.
//
//	p, err := security.FromEnv() // WHISPIR_API_KEY, WHISPIR_USERNAME, WHISPIR_PASSWORD
//	if err != nil { ... }
//	c, err := api.New(p, api.WithRegion(api.AU))
//	if err != nil { ... }
//	id, err := c.SendMessage(ctx, workspaceID, generated.Message{
//		To: "61400000000", Subject: api.Ptr("Hello"), Body: api.Ptr("From whispir-go"),
//	})
//
// The embedded [generated.ClientWithResponses] has one method per operation of
// the spec, named after its operationId: MessageCreateWithResponse,
// MessageListWithResponse, ... Each returns the raw response and, for 2xx
// answers with a body, the decoded value in JSON200 / JSON201. Helpers cover
// the common cases: [Client.SendMessage]; a create helper for every other
// operation that answers with a Location ([Client.CreateContact],
// [Client.RunScenario], ...), which returns the new id and the decoded
// answer; and an iterator for every list ([Client.Messages],
// [Client.Contacts], ...). The create helpers and iterators are generated
// from the spec (creates.gen.go, lists.gen.go). An empty workspaceID means
// the company's default workspace.
// Whispir names a listed or retrieved message by its self link, not an id
// field: take its id with [MessageID].
//
// # Authentication
//
// Whispir wants two credentials on every request: the API key in the
// x-api-key header and HTTP Basic credentials of a Whispir user. A
// [security.Provider] sets both; [security.Provider.Update] rotates them
// (after a password change) while requests are in flight. With
// [WithBearerAuth] the client sends a Bearer token from authCreate in place
// of the Basic credentials, obtained and renewed through its own pipeline.
//
// # Regions
//
// Each Whispir region has its own host; [Region] values and their base URLs
// come from the spec's servers (AU, NZ, AP, AP1, US, IT, EDU). [WithBaseURL]
// points the client elsewhere, such as a [whispirtest] server; it must be
// https unless the host is loopback or [WithInsecureHTTP] allows plain http
// (a mock in another container of a CI job, with fake credentials).
//
// # The pipeline
//
// Every call, generated or helper, goes through the same steps: the
// provider adds the credentials, the pipeline finds the operation in the
// spec, sets its vendor media type (application/vnd.whispir.<resource>-v1+json)
// as Content-Type and Accept and the User-Agent (a request without a body
// gets a Content-Type only where the spec names one:
// [whispir.Operation].BodilessContentType), checks the request against
// the spec (a request that breaks it returns [ErrInvalidRequest] and is never
// sent), paces it when [WithRateLimit] or [WithLimiter] is set (every
// attempt waits for the [Limiter]), sends it with a 30 second
// timeout per attempt, and retries what is safe to retry (see [RetryPolicy]).
// Redirects are followed only to the host of the request (see
// [WithHTTPClient] and [WithCrossHostRedirects]). Clients made without
// [WithHTTPClient] share one transport that keeps idle connections for many
// concurrent senders (see [New]).
//
// # Errors
//
// Any non-2xx answer is returned as an *[Error] carrying the operation id,
// the status, Whispir's error body, the gateway's X-Error-Code and
// Retry-After. Branch with errors.Is on [ErrUnauthorized] (401),
// [ErrForbidden] (403: a missing or wrong API key, or no permission),
// [ErrRateLimited] (429, or 403 with ERR_403_DEVELOPER_OVER_QPS/QPD) and
// [ErrNotFound] (404), or with errors.As on *Error. A Limiter's refusal is
// [ErrLimiterWait], or, for a spent daily quota, an *Error with Code
// [CodeOverQPD] and StatusCode 0 (not sent). Error strings are one line
// and never hold credentials or request values.
//
// [whispirtest]: https://pkg.go.dev/github.com/whispir-go/whispir/whispirtest
package api
