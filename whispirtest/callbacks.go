package whispirtest

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/whispir-go/whispir/generated"
)

// callbacksPath is the company's callback collection, the key under which
// the generic engine stores callbacks.
const callbacksPath = "/callbacks"

// errorText of a callback whose name is taken, after Whispir's message for
// a template name.
const textCallbackNameTaken = "A Callback name already exists in the current Company, please select another name and try again."

// callbackCreate answers callbackCreate: the url must be one the mock may
// call (loopback unless WithRemoteCallbacks) and answer a GET with 200,
// else 400; the name must be unused, else 422. The generic engine then
// stores the callback.
func (s *Server) callbackCreate(x *exchange) answer {
	return s.saveCallback(x, "")
}

// callbackUpdate answers callbackUpdate with the checks of callbackCreate
// (the url is checked again); the callback's own name is not a duplicate.
func (s *Server) callbackUpdate(x *exchange) answer {
	id := strings.ToUpper(x.route.PathParams()["callbackId"])
	if _, ok := s.items.get(callbacksPath, id); !ok {
		return notFound(x.mediaType())
	}
	return s.saveCallback(x, id)
}

// saveCallback checks the callback in x's body and has the engine store it
// (self is the id of the callback being replaced; "" for a new one). The
// URL check runs outside every lock; the name check and the store run
// under hooks.names, so that two saves cannot take one name.
func (s *Server) saveCallback(x *exchange, self string) answer {
	var cb generated.Callback
	if err := json.Unmarshal(x.body, &cb); err != nil {
		return apiError(http.StatusBadRequest, x.mediaType(), summaryBadRequest, "", detailNotJSON)
	}
	if s.callbackNameTaken(cb.Name, self) {
		return apiError(http.StatusUnprocessableEntity, x.mediaType(), summaryUnprocessable, textCallbackNameTaken, "")
	}
	if text := s.checkCallbackURL(x.r.Context(), cb.URL); text != "" {
		return apiError(http.StatusBadRequest, x.mediaType(), summaryBadRequest, text, "")
	}
	s.hooks.names.Lock()
	defer s.hooks.names.Unlock()
	if s.callbackNameTaken(cb.Name, self) {
		return apiError(http.StatusUnprocessableEntity, x.mediaType(), summaryUnprocessable, textCallbackNameTaken, "")
	}
	return s.items.serve(s, x.plan, x.route.PathParams(), x.r.URL.Query(), x.body)
}

// callbackNameTaken reports whether a stored callback other than self is
// called name.
func (s *Server) callbackNameTaken(name, self string) bool {
	cb, ok := s.callbackNamed(name)
	return ok && cb.id != self
}

// checkCallbackURL makes Whispir's check of a callback url, a GET that
// must answer 200, bounded by the callback timeout and ended by Close. It
// returns "" when the url passed, else the errorText of the 400: it names
// what went wrong, never the url (it may hold a key).
func (s *Server) checkCallbackURL(ctx context.Context, raw string) string {
	u, err := s.callbackURL(raw)
	if err != nil {
		return "The callback url was refused: " + err.Error() + "."
	}
	ctx, cancel := context.WithTimeout(ctx, s.hooks.timeout)
	defer cancel()
	stop := context.AfterFunc(s.life, cancel)
	defer stop()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return "The callback url was refused: it is not a valid URL."
	}
	req.Header.Set("User-Agent", "whispirtest")
	code, msg := s.hooks.do(req)
	switch {
	case code == http.StatusOK:
		return ""
	case code == 0:
		return "The callback url did not answer the validation GET with 200: " + msg + "."
	}
	return "The callback url did not answer the validation GET with 200: it answered " + http.StatusText(code) + " (" + strconv.Itoa(code) + ")."
}

// callbackCallList answers callbackCallList: the calls made to a stored
// callback (every attempt, oldest first; sortOrder=desc: newest first),
// optionally only those with ?status=, paged.
func (s *Server) callbackCallList(x *exchange) answer {
	id := strings.ToUpper(x.route.PathParams()["callbackId"])
	if _, ok := s.items.get(callbacksPath, id); !ok {
		return notFound(x.mediaType())
	}
	q := x.r.URL.Query()
	base := s.URL + callbacksPath + "/" + id + "/calls"
	want := generated.CallbackCallStatus(q.Get("status"))
	var calls []generated.CallbackCall
	h := &s.hooks
	h.mu.Lock()
	for _, c := range h.calls {
		if c.CallbackID == id && (want == "" || c.Status == want) {
			calls = append(calls, c.generated(base))
		}
	}
	h.mu.Unlock()
	if strings.EqualFold(q.Get("sortOrder"), "desc") {
		slices.Reverse(calls)
	}
	var out generated.CallbackCallCollection
	out.Calls, out.Status, out.Link = cut(calls, q, base)
	return jsonAnswer(http.StatusOK, x.route.MediaType, out)
}

// generated is the call as callbackCallList shows it; base is the URL of
// the callback's calls.
func (c *callRecord) generated(base string) generated.CallbackCall {
	status, code := c.Status, c.StatusCode
	resp := generated.ResponseContent{Channel: new(c.response.Channel), Content: c.response.Content}
	if c.response.Acknowledged != "" {
		resp.Acknowledged = new(c.response.Acknowledged)
	}
	if c.response.Undeliverable != "" {
		resp.Undeliverable = new(c.response.Undeliverable)
	}
	return generated.CallbackCall{
		ID: new(c.ID), MessageID: new(c.MessageID), MessageLocation: new(c.location), Status: &status,
		From: c.from.generated(), ResponseMessage: &resp,
		Callback: &generated.CallbackAttempt{
			ID: new(c.CallbackID), Name: new(c.CallbackName), URL: new(c.callbackURL),
			AttemptedDate: new(c.Time.Format(shortTime)), StatusCode: &code, StatusMessage: new(c.StatusMessage),
		},
		Link: &[]generated.Link{{URI: new(base + "?id=" + c.ID), Rel: new("updateCall"), Method: new(http.MethodPut)}},
	}
}

// callbackCallUpdate answers callbackCallUpdate: the calls named by the
// repeated id parameter, all of them calls of the callback, get the
// body's status (404, and nothing changed, when one is not).
func (s *Server) callbackCallUpdate(x *exchange) answer {
	id := strings.ToUpper(x.route.PathParams()["callbackId"])
	if _, ok := s.items.get(callbacksPath, id); !ok {
		return notFound(x.mediaType())
	}
	var result generated.CallbackCallResult
	if err := json.Unmarshal(x.body, &result); err != nil {
		return apiError(http.StatusBadRequest, x.mediaType(), summaryBadRequest, "", detailNotJSON)
	}
	h := &s.hooks
	h.mu.Lock()
	defer h.mu.Unlock()
	var found []*callRecord
	for _, want := range x.r.URL.Query()["id"] {
		i := slices.IndexFunc(h.calls, func(c *callRecord) bool { return c.CallbackID == id && strings.EqualFold(c.ID, want) })
		if i < 0 {
			return notFound(x.mediaType())
		}
		found = append(found, h.calls[i])
	}
	for _, c := range found {
		c.Status = result.Status
	}
	return answer{status: http.StatusNoContent}
}
