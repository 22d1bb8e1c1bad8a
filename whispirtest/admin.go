package whispirtest

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/whispir-go/whispir/generated"
	"github.com/whispir-go/whispir/security"
)

// AdminPath is where the admin API is served, below [Server.URL]. No
// Whispir path starts with "_", so the two cannot collide.
const AdminPath = "/_whispir/"

//go:embed admin.yaml
var adminYAML []byte

// AdminSpec returns a copy of the admin API's OpenAPI document (YAML),
// which the server also serves at GET /_whispir/openapi.yaml.
func AdminSpec() []byte { return bytes.Clone(adminYAML) }

// adminContract is the parsed admin document and its router, built once
// per process.
type adminContract struct {
	doc    *openapi3.T
	router routers.Router
}

var loadAdmin = sync.OnceValues(func() (*adminContract, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(adminYAML)
	if err != nil {
		return nil, fmt.Errorf("whispirtest: load admin spec: %w", err)
	}
	if err := doc.Validate(loader.Context, openapi3.EnableExamplesValidation()); err != nil {
		return nil, fmt.Errorf("whispirtest: validate admin spec: %w", err)
	}
	routing := *doc
	routing.Servers = nil
	router, err := gorillamux.NewRouter(&routing)
	if err != nil {
		return nil, fmt.Errorf("whispirtest: admin router: %w", err)
	}
	return &adminContract{doc: doc, router: router}, nil
})

// adminOptions validate admin requests; the key is checked by the server.
var adminOptions = &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}

// adminRequest is an admin request on its way to its handler.
type adminRequest struct {
	r      *http.Request
	params map[string]string
	body   []byte
}

// adminHandlers answer the admin operations, by operation id.
var adminHandlers = map[string]func(*Server, adminRequest) answer{
	"adminHealth":               func(*Server, adminRequest) answer { return adminJSON(http.StatusOK, map[string]string{"status": "ok"}) },
	"adminSpecRetrieve":         (*Server).adminSpec,
	"adminRequestList":          (*Server).adminRequests,
	"adminRequestClear":         func(s *Server, _ adminRequest) answer { s.Reset(); return answer{status: http.StatusNoContent} },
	"adminReset":                func(s *Server, _ adminRequest) answer { s.ResetAll(); return answer{status: http.StatusNoContent} },
	"adminShutdown":             (*Server).adminShutdown,
	"adminFaultList":            (*Server).adminFaults,
	"adminFaultCreate":          (*Server).adminInject,
	"adminFaultClear":           func(s *Server, _ adminRequest) answer { s.ClearFaults(); return answer{status: http.StatusNoContent} },
	"adminMessageList":          (*Server).adminMessages,
	"adminMessageDeliver":       (*Server).adminDeliver,
	"adminMessageReply":         (*Server).adminReply,
	"adminMessageUndeliverable": (*Server).adminUndeliverable,
	"adminStateRetrieve":        func(s *Server, _ adminRequest) answer { return adminJSON(http.StatusOK, s.State()) },
	"adminStateLoad":            (*Server).adminLoad,
}

// admin serves r when it is for the admin API, and reports whether it was.
func (s *Server) admin(w http.ResponseWriter, r *http.Request) bool {
	rest, ok := strings.CutPrefix(r.URL.Path, s.basePath)
	if !ok || (rest != strings.TrimSuffix(AdminPath, "/") && !strings.HasPrefix(rest, AdminPath)) {
		return false
	}
	start := time.Now()
	sw := &statusWriter{ResponseWriter: w}
	opID, a := s.serveAdmin(r, rest)
	x := &exchange{w: sw, r: r}
	x.reply(a)
	if s.log != nil && opID != "adminHealth" {
		s.logLine(start, r.Method, r.URL.Path, opID, sw.status, FaultNone)
	}
	if opID == "adminShutdown" && a.status == http.StatusAccepted {
		go s.Close() // waits for this request, among others
	}
	return true
}

// serveAdmin routes, authenticates, reads and validates an admin request
// (path is its path below the base path) and answers it.
func (s *Server) serveAdmin(r *http.Request, path string) (opID string, a answer) {
	c, err := loadAdmin()
	if err != nil {
		return "", adminProblem(http.StatusInternalServerError, "internal", "the admin spec does not load")
	}
	rel := *r
	u := *r.URL
	u.Path, u.RawPath, u.Host, u.Scheme = path, "", "", ""
	rel.URL = &u
	route, params, err := c.router.FindRoute(&rel)
	switch {
	case errors.Is(err, routers.ErrMethodNotAllowed):
		drain(r)
		return "", adminProblem(http.StatusMethodNotAllowed, "method-not-allowed", r.Method+" is not allowed on "+path)
	case err != nil:
		drain(r)
		return "", adminProblem(http.StatusNotFound, "not-found", "no admin route "+path+"; see GET "+AdminPath+"openapi.yaml")
	}
	opID = route.Operation.OperationID
	if public := route.Operation.Security != nil && len(*route.Operation.Security) == 0; !public && !s.adminKey(r) {
		drain(r)
		return opID, adminProblem(http.StatusUnauthorized, "unauthorized", "the admin API needs the mock's x-api-key")
	}
	var body []byte
	if r.Body != nil {
		body, err = io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	}
	switch {
	case err != nil:
		return opID, adminProblem(http.StatusBadRequest, "bad-request", "the body could not be read")
	case len(body) > maxBody:
		return opID, adminProblem(http.StatusRequestEntityTooLarge, "too-large", "the body is over 10 MiB")
	}
	rel.Body = io.NopCloser(bytes.NewReader(body))
	rel.ContentLength = int64(len(body))
	if len(body) == 0 {
		rel.Body = http.NoBody
	}
	in := &openapi3filter.RequestValidationInput{Request: &rel, PathParams: params, Route: route, Options: adminOptions}
	if err := openapi3filter.ValidateRequest(r.Context(), in); err != nil {
		return opID, adminProblem(http.StatusBadRequest, "bad-request", adminInvalid(err))
	}
	h := adminHandlers[opID]
	if h == nil {
		return opID, adminProblem(http.StatusNotImplemented, "not-implemented", opID+" is not implemented")
	}
	return opID, h(s, adminRequest{r: r, params: params, body: body})
}

// adminKey reports whether r carries the x-api-key of one of the accepted
// credentials, compared in constant time.
func (s *Server) adminKey(r *http.Request) bool {
	key := r.Header.Get(security.HeaderAPIKey)
	sum := sha256.Sum256([]byte(key))
	ok := false
	for _, c := range s.digests() {
		ok = c.key.matches(sum) || ok
	}
	return key != "" && ok
}

// adminInvalid describes a validation failure without quoting a value.
func adminInvalid(err error) string {
	var re *openapi3filter.RequestError
	where, reason := "request", "does not match the admin spec"
	if errors.As(err, &re) {
		switch {
		case re.Parameter != nil:
			where = re.Parameter.In + " parameter " + re.Parameter.Name
		case re.RequestBody != nil:
			where = "body"
		}
		if re.Reason != "" {
			reason = re.Reason
		}
		if strings.HasPrefix(reason, "header Content-Type has unexpected value") {
			reason = "Content-Type must be application/json"
		}
	}
	var se *openapi3.SchemaError
	if errors.As(err, &se) {
		if p := se.JSONPointer(); len(p) > 0 {
			where += " /" + strings.Join(p, "/")
		}
		reason = se.Reason
	}
	return oneLine(where + ": " + reason)
}

// adminProblem is an admin error: a problem body, no mock-error header
// (every admin answer is the mock's).
func adminProblem(status int, kind, detail string) answer {
	a := mockAnswer(status, kind, detail, nil)
	a.header.Del(HeaderMockError)
	return a
}

func adminJSON(status int, v any) answer {
	body, err := json.Marshal(v)
	if err != nil {
		return adminProblem(http.StatusInternalServerError, "internal", "the answer does not encode")
	}
	return answer{status: status, header: contentType("application/json"), body: body}
}

func (s *Server) adminSpec(adminRequest) answer {
	return answer{status: http.StatusOK, header: contentType("application/yaml"), body: adminYAML}
}

// journalEntry is a recorded request as the admin API shows it.
type journalEntry struct {
	Time        time.Time   `json:"time"`
	Method      string      `json:"method"`
	Path        string      `json:"path"`
	Query       string      `json:"query"`
	OperationID string      `json:"operationId"`
	Status      int         `json:"status"`
	Fault       string      `json:"fault"`
	Headers     http.Header `json:"headers"`
	Body        *string     `json:"body,omitempty"`
	BodyBase64  []byte      `json:"bodyBase64,omitempty"`
	BodySize    int         `json:"bodySize"`
}

func (s *Server) adminRequests(ar adminRequest) answer {
	q := ar.r.URL.Query()
	reqs := s.Requests()
	if op := q.Get("operationId"); op != "" {
		reqs = slices.DeleteFunc(reqs, func(r Request) bool { return r.OperationID != op })
	}
	if n, err := strconv.Atoi(q.Get("limit")); err == nil && n > 0 && n < len(reqs) {
		reqs = reqs[len(reqs)-n:]
	}
	out := struct {
		Requests []journalEntry `json:"requests"`
	}{Requests: make([]journalEntry, 0, len(reqs))}
	for _, r := range reqs {
		e := journalEntry{
			Time: r.Time, Method: r.Method, Path: r.Path, Query: r.RawQuery, OperationID: r.OperationID,
			Status: r.Status, Headers: r.Header, BodySize: r.BodySize,
		}
		if r.Fault != FaultNone {
			e.Fault = r.Fault.String()
		}
		switch {
		case r.Body == nil:
		case utf8.Valid(r.Body):
			e.Body = new(string(r.Body))
		default:
			e.BodyBase64 = r.Body
		}
		out.Requests = append(out.Requests, e)
	}
	return adminJSON(http.StatusOK, out)
}

func (s *Server) adminShutdown(adminRequest) answer {
	return adminJSON(http.StatusAccepted, map[string]string{"status": "stopping"})
}

func (s *Server) adminFaults(adminRequest) answer {
	return adminJSON(http.StatusOK, map[string]any{"faults": s.faults.injections()})
}

func (s *Server) adminInject(ar adminRequest) answer {
	var fi faultInjection
	if err := json.Unmarshal(ar.body, &fi); err != nil {
		return adminProblem(http.StatusUnprocessableEntity, "unprocessable", strings.TrimPrefix(err.Error(), "whispirtest: "))
	}
	fi, err := fi.inject(s)
	if err != nil {
		return adminProblem(http.StatusUnprocessableEntity, "unprocessable", strings.TrimPrefix(err.Error(), "whispirtest: "))
	}
	return adminJSON(http.StatusCreated, fi)
}

// sentMessage is a sent message as the admin API shows it.
type sentMessage struct {
	ID          string                 `json:"id"`
	WorkspaceID string                 `json:"workspaceId"`
	Message     *generated.Message     `json:"message,omitempty"`
	Bulk        *generated.BulkMessage `json:"bulk,omitempty"`
}

func (s *Server) adminMessages(adminRequest) answer {
	msgs := s.Messages()
	out := struct {
		Messages []sentMessage `json:"messages"`
	}{Messages: make([]sentMessage, 0, len(msgs))}
	for _, m := range msgs {
		sm := sentMessage{ID: m.ID, WorkspaceID: m.WorkspaceID, Bulk: m.Bulk}
		if m.Bulk == nil {
			sm.Message = &m.Message
		}
		out.Messages = append(out.Messages, sm)
	}
	return adminJSON(http.StatusOK, out)
}

// adminEvent is the body of deliver, undeliverable and reply.
type adminEvent struct {
	Recipients []string  `json:"recipients"`
	Channel    string    `json:"channel"`
	At         time.Time `json:"at"`
	From       string    `json:"from"`
	Content    string    `json:"content"`
}

func (e adminEvent) options(withRecipients bool) []EventOption {
	var opts []EventOption
	if !e.At.IsZero() {
		opts = append(opts, At(e.At))
	}
	if e.Channel != "" {
		opts = append(opts, OnChannel(e.Channel))
	}
	if withRecipients && len(e.Recipients) > 0 {
		opts = append(opts, ForRecipients(e.Recipients...))
	}
	return opts
}

// lifecycle runs one event of the lifecycle from an admin request.
func (s *Server) lifecycle(ar adminRequest, run func(id string, e adminEvent) error) answer {
	var e adminEvent
	if len(ar.body) > 0 {
		if err := json.Unmarshal(ar.body, &e); err != nil {
			return adminProblem(http.StatusBadRequest, "bad-request", "body: not an event")
		}
	}
	err := run(ar.params["messageId"], e)
	switch {
	case err == nil:
		return answer{status: http.StatusNoContent}
	case errors.Is(err, ErrUnknownMessage):
		return adminProblem(http.StatusNotFound, "not-found", err.Error())
	}
	return adminProblem(http.StatusUnprocessableEntity, "unprocessable", err.Error())
}

func (s *Server) adminDeliver(ar adminRequest) answer {
	return s.lifecycle(ar, func(id string, e adminEvent) error { return s.Deliver(id, e.options(true)...) })
}

func (s *Server) adminUndeliverable(ar adminRequest) answer {
	return s.lifecycle(ar, func(id string, e adminEvent) error { return s.Undeliverable(id, e.options(true)...) })
}

func (s *Server) adminReply(ar adminRequest) answer {
	return s.lifecycle(ar, func(id string, e adminEvent) error { return s.Reply(id, e.From, e.Content, e.options(false)...) })
}

func (s *Server) adminLoad(ar adminRequest) answer {
	seed, err := ParseSeed(ar.body)
	if err == nil {
		err = s.LoadSeed(seed)
	}
	if err != nil {
		return adminProblem(http.StatusUnprocessableEntity, "unprocessable", strings.TrimPrefix(err.Error(), "whispirtest: "))
	}
	return answer{status: http.StatusNoContent}
}
