// Package callback receives what Whispir sends to a callback URL: a reply to
// a message, or its failed delivery, as one typed [Event].
//
// A message that names a callback (generated.Message's CallbackID, the
// callback's name) makes Whispir POST an event to the callback's URL when a
// recipient answers or the message cannot be delivered. [NewHandler] is that
// URL's http.Handler:
//
//	h, err := callback.NewHandler(
//		callback.Auth{Type: callback.AuthHTTPHeader, Key: os.Getenv("WHISPIR_CALLBACK_KEY")},
//		func(ctx context.Context, e callback.Event) error {
//			return replies.Record(ctx, e.MessageID, e.From.Mobile, e.Content) // your code
//		})
//	if err != nil { ... }
//	http.Handle("/whispir", h)
//
// The handler answers Whispir's URL check (a GET), checks credentials,
// decodes JSON and XML, calls fn once per event however often Whispir
// delivers it, and answers as Whispir expects: 200 when the event is
// handled, another status (which Whispir retries) when it is not. Its
// answers are listed at [NewHandler].
//
// From your own router, call [ConstructEvent] (or [Verify], then [Parse]):
// one function from the request's parts to an Event, credentials checked
// first, body decoded second, as stripe-go's webhook.ConstructEvent does.
//
// # Authentication
//
// [Auth] is the callback's auth.type and auth.key. Whispir sends the key in
// the header X-Whispir-Callback-Key ([AuthHTTPHeader]), in the query as
// auth= or Auth= ([AuthQueryParam], legacy name [AuthQueryString]), or as
// Authorization: Basic or Bearer followed by the key as is ([AuthBasic],
// [AuthBearer]). Keys are compared in constant time (SHA-256 digests with
// crypto/subtle); a key in another place than its type says does not count.
// Keep the key out of source code: read it from the environment, e.g.
// WHISPIR_CALLBACK_KEY.
//
// # Duplicates
//
// Whispir retries a call that failed (any answer but 200, or none within 60
// seconds) about every 5 minutes for 24 hours, so one event can arrive more
// than once. [Event.Key] identifies an event; the handler remembers the keys
// of handled events in a [Store] (its own bounded [MemoryStore] by default,
// for 24 hours) and answers a redelivery 200 without calling fn. A delivery
// that arrives while another delivery of the same event is being handled is
// answered 409, so that Whispir tries again later. Instances behind a load
// balancer share duplicates through a Store of your own ([WithStore]).
//
// # Errors
//
// [Verify] wraps [ErrUnauthorized] (or [ErrInvalidAuth]); [Parse] wraps
// [ErrUnsupportedMediaType] or [ErrMalformed]; [NewHandler] wraps
// [ErrInvalidAuth] or [ErrInvalidOption]. Branch with errors.Is.
//
// # Privacy
//
// Events carry personal data: phone numbers, email addresses and what
// people wrote. Errors name fields and rules, never values of the body or
// the key; the handler's log lines ([WithLogger]) carry an event's kind,
// message id, channel, time and key only. Formatting an [Event] with fmt or
// slog shows the same fields; [Auth] never shows its key.
package callback
