package whispirtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/whispir-go/whispir"
	"github.com/whispir-go/whispir/internal/mediatype"
	"github.com/whispir-go/whispir/security"
)

// answer is a complete response: the mock's handlers build one and the
// pipeline writes it.
type answer struct {
	status int
	header http.Header
	body   []byte
	// contentType and location, when not empty, are the answer's
	// Content-Type and Location: the hot answers (a send's 202) set them
	// without a header map.
	contentType, location string
}

// exchange is one request on its way through the pipeline.
type exchange struct {
	w     *statusWriter
	sw    statusWriter // what w points to, unless a step swaps it
	r     *http.Request
	rec   *record
	body  []byte
	route *whispir.Route // nil until routed
	plan  *plan          // the operation's plan, once routed
	creds security.Credentials
	fault FaultKind // the fault applied, FaultNone for none
	// noAnswer: the exchange ended without an answer (a dropped
	// connection, or a client that left during a slow fault).
	noAnswer bool
	read     bool // the body was read (stepReadBody ran)
	// mock: the answer is the mock's own (a Prefer it cannot meet, one of
	// its Limits), not one of Whispir's, and is not checked against the spec.
	mock bool
	// values hold the values of the headers that serve (the gateway's
	// three) and reply (Content-Type, Location, Content-Length) set, each
	// as a slice of one with no room to grow, so that answering allocates
	// none; replied: reply used its three.
	values  [6]string
	replied bool
	// ct is the media type of the request's Content-Type, without
	// parameters and in lower case, and ctJSON whether it is JSON; ctRead:
	// they were read (see contentType).
	ct             string
	ctJSON, ctRead bool
}

// contentType is the media type of the request's Content-Type without its
// parameters, in lower case ("" when absent or unparsable), read once.
func (x *exchange) contentType() string {
	if !x.ctRead {
		x.ct, x.ctRead = mediatype.Base(x.r.Header.Get("Content-Type")), true
		x.ctJSON = mediatype.IsJSON(x.ct)
	}
	return x.ct
}

// jsonBody reports whether the request has a body labelled as JSON
// (application/json or a +json type).
func (x *exchange) jsonBody() bool {
	x.contentType()
	return len(x.body) > 0 && x.ctJSON
}

// reply writes a; a step that replies returns false to end the pipeline.
func (x *exchange) reply(a answer) {
	h := x.w.Header()
	for k, v := range a.header {
		h[k] = v
	}
	if a.status == 0 {
		a.status = http.StatusOK
	}
	withBody := len(a.body) > 0 && bodyAllowed(a.status)
	if a.contentType != "" || a.location != "" || withBody {
		v := x.values[3:6:6]
		if x.replied {
			v = make([]string, 3)
		}
		x.replied = true
		if a.contentType != "" {
			v[0] = a.contentType
			h["Content-Type"] = v[0:1:1]
		}
		if a.location != "" {
			v[1] = a.location
			h["Location"] = v[1:2:2]
		}
		if withBody {
			v[2] = strconv.Itoa(len(a.body))
			h["Content-Length"] = v[2:3:3]
		}
	}
	x.w.WriteHeader(a.status)
	if withBody {
		_, _ = x.w.Write(a.body)
	}
}

// mediaType is the media type of the exchange's operation, used to label
// errors; application/json before routing.
func (x *exchange) mediaType() string {
	if x.route != nil && x.route.MediaType != "" {
		return x.route.MediaType
	}
	return defaultErrorMediaType
}

func bodyAllowed(status int) bool {
	return status != http.StatusNoContent && status != http.StatusNotModified && status >= 200
}

// step is one stage of the request pipeline. It returns true to pass the
// exchange on, or false after it has replied.
type step func(s *Server, x *exchange) bool

// stage is a named step, so that steps can be inserted by name.
type stage struct {
	name string
	run  step
}

// defaultPipeline is the order every request goes through. The body is
// read only once the request is routed and authenticated (a Content-Length
// over the limit is refused first). A Prefer header, then fault injection
// (answering with a 403 QPS, 429, 5xx, a delay or a dropped connection),
// come just before "dispatch": such a request has been recorded, routed,
// authenticated and validated.
func defaultPipeline() []stage {
	return []stage{
		{"limit", stepLimit},
		{"route", stepRoute},
		{"authenticate", stepAuthenticate},
		{"read", stepReadBody},
		{"negotiate", stepNegotiate},
		{"bound", stepBound},
		{"validate", stepValidate},
		{"prefer", stepPrefer},
		{"fault", stepFault},
		{"dispatch", stepDispatch},
	}
}

// serve runs the pipeline for one request.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.inflight.Add(1)
	defer s.inflight.Done()
	if s.admin(w, r) {
		return
	}
	x := &exchange{r: r, rec: s.record(r)}
	x.sw.ResponseWriter = w
	x.w = &x.sw // one allocation for both
	gatewayHeaders(w.Header(), time.Now(), x.values[:3:3])
	if s.validate != nil {
		x.w.capture = &bytes.Buffer{}
	}
	for _, st := range s.pipeline {
		if !st.run(s, x) {
			break
		}
	}
	if !x.read && !x.noAnswer {
		drain(r)
	}
	status := x.w.status
	if status == 0 && !x.noAnswer {
		status = http.StatusOK // a handler that wrote nothing
	}
	s.update(x.rec, func(rec *record) { rec.Status = status })
	s.logRequest(x, status)
	// Faulted answers break the spec on purpose; the mock's own answers
	// (a Prefer it cannot meet, its limits) are not Whispir's.
	if s.validate != nil && x.route != nil && x.fault == FaultNone && !x.mock {
		if err := whispir.ValidateResponse(r.Context(), x.route, r, status, x.w.Header(), x.w.capture.Bytes()); err != nil {
			s.validate.Errorf("whispirtest: %s %s answered %d: %v", r.Method, x.route.Path, status, err)
		}
	}
}

// gatewayHeaders sets the headers Whispir's API gateway puts on every
// answer, with the values of Whispir's examples: any origin may read it, it
// is not to be cached, and it expires at once (Expires is the time of the
// answer).
func gatewayHeaders(h http.Header, now time.Time, v []string) {
	v[0], v[1], v[2] = "*", "max-age=0", httpDate(now)
	h["Access-Control-Allow-Origin"], h["Cache-Control"], h["Expires"] = v[0:1:1], v[1:2:2], v[2:3:3]
}

// httpDate is now in http.TimeFormat. The text changes once a second, so
// it is formatted once a second, not for every answer.
func httpDate(now time.Time) string {
	sec := now.Unix()
	if d := lastDate.Load(); d != nil && d.unix == sec {
		return d.text
	}
	d := &date{unix: sec, text: now.UTC().Format(http.TimeFormat)}
	lastDate.Store(d)
	return d.text
}

// date is a second and its text in http.TimeFormat.
type date struct {
	unix int64
	text string
}

var lastDate atomic.Pointer[date]

// stepLimit refuses a Content-Length over Whispir's 10 MiB limit (413).
func stepLimit(s *Server, x *exchange) bool {
	if x.r.ContentLength > maxBody {
		x.reply(payloadTooLarge())
		return false
	}
	return true
}

// stepReadBody reads the body of a routed, authenticated request, up to
// Whispir's 10 MiB limit (413 above), and keeps (the start of) it in the
// journal.
func stepReadBody(s *Server, x *exchange) bool {
	x.read = true
	if x.r.Body == nil || x.r.Body == http.NoBody {
		return true
	}
	data, err := readBody(x.r.Body, x.r.ContentLength)
	if err != nil {
		x.reply(apiError(http.StatusBadRequest, "", summaryBadRequest, "", ""))
		return false
	}
	if len(data) > maxBody {
		x.reply(payloadTooLarge())
		return false
	}
	if len(data) == 0 {
		data = nil
	}
	x.body = data
	s.keepBody(x.rec, data)
	return true
}

// readBody reads body to its end, or to one byte past Whispir's limit, as
// bytes.Buffer.ReadFrom over an io.LimitReader would. A body as long as its
// Content-Length (n, at most the limit: stepLimit checked) takes one
// allocation, of n+1 bytes (the last one probes for the end), which the
// message store and the journal keep; bytes.Buffer would allocate 512
// more.
func readBody(body io.Reader, n int64) ([]byte, error) {
	if n <= 0 || n > maxBody {
		var buf bytes.Buffer
		_, err := buf.ReadFrom(io.LimitReader(body, maxBody+1))
		return buf.Bytes(), err
	}
	// Reads of at most n (within the limit) and then one byte need no
	// LimitReader until the body proves longer.
	data := make([]byte, 0, n+1) // the last byte probes for the end
	for int64(len(data)) < n {
		m, err := body.Read(data[len(data):n])
		data = data[:len(data)+m]
		switch {
		case err == io.EOF:
			return data, nil // shorter than announced
		case err != nil:
			return nil, err
		}
	}
	// All n bytes are in: the body should end here.
	probe := data[n : n+1]
	for {
		m, err := body.Read(probe)
		switch {
		case m > 0: // longer than announced: read the rest
			buf := bytes.NewBuffer(data[:n+1])
			_, err := buf.ReadFrom(io.LimitReader(body, maxBody+1-int64(buf.Len())))
			return buf.Bytes(), err
		case err == io.EOF:
			return data, nil
		case err != nil:
			return nil, err
		}
	}
}

// drain reads what is left of a body the pipeline did not read (the
// request was refused before), up to the 10 MiB limit, so that the
// connection can serve the next request; a longer body closes it.
func drain(r *http.Request) {
	if r.Body != nil && r.Body != http.NoBody {
		_, _ = io.CopyN(io.Discard, r.Body, maxBody+1)
	}
}

// probeMethods are tried to tell a wrong method (405) from a wrong path (404).
var probeMethods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// stepRoute finds the request's operation: 404 for an unknown path, 405 for
// a known path with the wrong method.
func stepRoute(s *Server, x *exchange) bool {
	route, err := whispir.FindRoute(x.r, s.basePath)
	if err == nil {
		p, perr := planFor(route.ID)
		if perr != nil {
			x.reply(internalError(route.MediaType))
			return false
		}
		x.route, x.plan = route, p
		s.update(x.rec, func(rec *record) { rec.OperationID = route.ID })
		return true
	}
	if !errors.Is(err, whispir.ErrUnknownOperation) {
		x.reply(internalError(""))
		return false
	}
	var allowed []string
	mediaType := ""
	for _, m := range probeMethods {
		if m == x.r.Method {
			continue
		}
		probe := *x.r
		probe.Method = m
		if other, err := whispir.FindRoute(&probe, s.basePath); err == nil {
			allowed = append(allowed, m)
			if mediaType == "" {
				mediaType = other.MediaType
			}
		}
	}
	if len(allowed) == 0 {
		x.reply(notFound(""))
		return false
	}
	a := apiError(http.StatusMethodNotAllowed, mediaType, summaryMethodNotAllowed, "", "")
	a.header.Set("Allow", strings.Join(allowed, ", "))
	x.reply(a)
	return false
}

// stepNegotiate checks Content-Type and Accept against the operation's media
// types (415). Only the vendor JSON types are served: a request that accepts
// only another type, or that answers a body and has no Accept (Whispir
// would answer it in XML), is refused with a text that says so. The 415
// names what the operation takes (errorText and an Accept header) or
// answers (errorText).
func stepNegotiate(s *Server, x *exchange) bool {
	if len(x.body) > 0 {
		base := x.contentType()
		if !slices.ContainsFunc(x.route.RequestMediaTypes, func(mt string) bool { return strings.EqualFold(mt, base) }) {
			a := apiError(http.StatusUnsupportedMediaType, x.mediaType(), summaryUnsupportedMedia,
				consumesText(x.route.RequestMediaTypes)+". "+textJSONOnly(x.route.RequestMediaTypes...), detailContentType)
			if len(x.route.RequestMediaTypes) > 0 {
				a.header.Set("Accept", strings.Join(x.route.RequestMediaTypes, ", "))
			}
			x.reply(violation(a, "header Content-Type: "+consumesText(x.route.RequestMediaTypes)))
			return false
		}
	}
	accept := strings.TrimSpace(strings.Join(x.r.Header.Values("Accept"), ","))
	switch {
	case accept == "" && x.plan.ok.mediaType != "":
		a := apiError(http.StatusUnsupportedMediaType, x.mediaType(), summaryUnsupportedMedia, textNoAccept+textJSONOnly(x.route.MediaType), detailNotAcceptable)
		x.reply(violation(a, "header Accept: missing; the answer is "+x.route.MediaType))
		return false
	case accept != "" && !accepts(accept, x.route.MediaType):
		text := textUnsupportedMedia + ": the answer is " + x.route.MediaType + ". " + textJSONOnly(x.route.MediaType)
		a := apiError(http.StatusUnsupportedMediaType, x.mediaType(), summaryUnsupportedMedia, text, detailNotAcceptable)
		x.reply(violation(a, "header Accept: does not allow "+x.route.MediaType))
		return false
	}
	return true
}

// textNoAccept starts the errorText of a request without Accept.
const textNoAccept = "No Accept header: Whispir answers XML without one. "

// textJSONOnly is the errorText of a 415: what this mock serves.
func textJSONOnly(types ...string) string {
	return "This mock serves only the vendor JSON media types, here " + strings.Join(types, " or ") + "; send it as Accept (and as Content-Type with a body). Whispir's XML forms are not served."
}

// accepts reports whether an Accept header allows mt.
func accepts(accept, mt string) bool {
	if strings.EqualFold(accept, mt) {
		return true // the usual Accept: the operation's type, as it is
	}
	mt = strings.ToLower(mt)
	for part := range strings.SplitSeq(accept, ",") {
		base, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		if q, ok := params["q"]; ok {
			if f, err := strconv.ParseFloat(q, 64); err != nil || f <= 0 {
				continue
			}
		}
		switch {
		case base == "*/*", base == mt:
			return true
		case strings.HasSuffix(base, "/*") && strings.HasPrefix(mt, strings.TrimSuffix(base, "*")):
			return true
		}
	}
	return false
}

// stepValidate checks the request against the spec: 400 for a missing or
// unreadable body, 422 (or 400 where 422 is not declared) for the rest.
// The Verify operations answer every such failure 400 with their own body.
func stepValidate(s *Server, x *exchange) bool {
	mt := x.mediaType()
	if len(x.body) == 0 && x.plan.bodyRequired {
		x.reply(violation(x.badRequest(summaryBadRequest, "", detailEmptyBody), "body: required"))
		return false
	}
	if x.jsonBody() && !json.Valid(x.body) {
		x.reply(violation(x.badRequest(summaryBadRequest, "", detailNotJSON), "body: not JSON"))
		return false
	}
	err := whispir.ValidateRequest(x.r.Context(), x.route, x.r, x.body)
	if err == nil {
		return true
	}
	status := http.StatusUnprocessableEntity
	if !x.plan.declared[status] {
		status = http.StatusBadRequest
	}
	text := http.StatusText(status)
	var ve *whispir.ValidationError
	if errors.As(err, &ve) {
		text = strings.TrimPrefix(strings.TrimSpace(ve.Where+": "+ve.Reason), ": ")
		text = strings.TrimSuffix(text, ":")
	}
	if status == http.StatusBadRequest {
		x.reply(violation(x.badRequest(summaryBadRequest, text, ""), text))
		return false
	}
	x.reply(violation(apiError(status, mt, summaryUnprocessable, text, ""), text))
	return false
}

// badRequest is the exchange's 400: Whispir's error body, or the Verify
// service's (status, message, detail) for the operations that use it.
func (x *exchange) badRequest(summary, text, detail string) answer {
	if x.plan == nil || !x.plan.nextGen {
		return apiError(http.StatusBadRequest, x.mediaType(), summary, text, detail)
	}
	if text == "" {
		text = detail
	}
	return nextGenError(http.StatusBadRequest, text)
}

// workspaceKnown answers 404, and returns false, for a workspace the mock
// does not know: one not created through workspaceCreate, other than
// [WorkspaceID]. WithHandler overrides run before it, with any workspace.
func workspaceKnown(s *Server, x *exchange) bool {
	if ws, ok := x.route.PathParams()["workspaceId"]; ok && !s.knowsWorkspace(ws) {
		x.reply(notFound(x.mediaType()))
		return false
	}
	return true
}

// stepDispatch answers the operation: a WithHandler override, the mock's own
// handler for it, or the generic engine.
func stepDispatch(s *Server, x *exchange) bool {
	if h := s.overrides[x.route.ID]; h != nil {
		x.r.Body = io.NopCloser(bytes.NewReader(x.body))
		x.r.ContentLength = int64(len(x.body))
		h(x.w, x.r)
		return false
	}
	if !workspaceKnown(s, x) {
		return false
	}
	if h := handlers[x.route.ID]; h != nil {
		x.reply(h(s, x))
		return false
	}
	x.reply(s.items.serve(s, x.plan, x.route.PathParams(), x.r.URL.Query(), x.body))
	return false
}

// handlers are the operations the mock answers itself; the generic engine
// answers the rest.
var handlers = map[string]func(*Server, *exchange) answer{
	"authCreate":                 (*Server).authCreate,
	"messageCreate":              (*Server).messageCreate,
	"defaultMessageCreate":       (*Server).messageCreate,
	"messageList":                (*Server).messageList,
	"defaultMessageList":         (*Server).messageList,
	"messageRetrieve":            (*Server).messageRetrieve,
	"defaultMessageRetrieve":     (*Server).messageRetrieve,
	"messageStatusList":          (*Server).messageStatusList,
	"defaultMessageStatusList":   (*Server).messageStatusList,
	"messageResponseList":        (*Server).messageResponseList,
	"defaultMessageResponseList": (*Server).messageResponseList,
	"callbackCreate":             (*Server).callbackCreate,
	"callbackUpdate":             (*Server).callbackUpdate,
	"callbackCallList":           (*Server).callbackCallList,
	"callbackCallUpdate":         (*Server).callbackCallUpdate,
}
