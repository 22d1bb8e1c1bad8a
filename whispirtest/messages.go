package whispirtest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/whispir-go/whispir/generated"
	"github.com/whispir-go/whispir/security"
)

// SentMessage is a message the server accepted through messageCreate or
// defaultMessageCreate.
type SentMessage struct {
	ID          string // the new message's id, as in Location
	WorkspaceID string // "" for the default workspace (POST /messages)
	// Message is the message as sent; zero for a bulk send.
	Message generated.Message
	// Bulk is the bulk message as sent (bulkmessage-v1); nil otherwise.
	Bulk *generated.BulkMessage
	// Credentials are the credentials the send presented (see
	// [Request.Credentials]), to check which ones a client used after a
	// rotation. Never nil in what [Server.Messages] returns. Formatting them
	// hides the secrets, behind a pointer as in [Request].
	Credentials *security.Credentials
}

// Messages returns the messages accepted so far, in order. Each call
// returns fresh copies.
func (s *Server) Messages() []SentMessage {
	s.messages.mu.Lock()
	defer s.messages.mu.Unlock()
	out := make([]SentMessage, 0, len(s.messages.list))
	for _, m := range s.messages.list {
		sm := SentMessage{ID: m.id, WorkspaceID: m.workspace, Credentials: cloneCredentials(&m.creds)}
		if m.bulk {
			sm.Bulk = &generated.BulkMessage{}
			_ = json.Unmarshal(m.raw, sm.Bulk)
		} else {
			_ = json.Unmarshal(m.raw, &sm.Message)
		}
		out = append(out, sm)
	}
	return out
}

// messageStore keeps the messages sent through the mock, in order, at most
// Limits.Messages of them and Limits.Bytes of their bodies: the oldest are
// forgotten first.
type messageStore struct {
	mu     sync.Mutex
	list   []*storedMessage
	byID   map[string]*storedMessage // by id: see get
	budget budget
}

// storedMessage is a sent message as the mock reports it.
type storedMessage struct {
	id, workspace string
	raw           []byte // the body as sent
	bulk          bool
	scheduled     bool  // messageType SCHEDULED
	created       int64 // epoch milliseconds
	creds         security.Credentials
	// v is what retrieve shows, without links: see view. A send is
	// answered without decoding its body whole (readSendFacts), so v is
	// made when it is first needed, unless the send needed it (a bulk
	// send, or a body readSendFacts could not read). Behind a pointer, it
	// costs the garbage collector nothing until then.
	once sync.Once
	v    *generated.Message
	// Guarded by messageStore.mu: the delivery to each recipient, and the
	// replies (see lifecycle.go).
	recipients []*recipient
	replies    []storedReply
}

func (ms *messageStore) add(m *storedMessage) {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	if ms.byID == nil {
		ms.byID = map[string]*storedMessage{}
	}
	ms.list = append(ms.list, m)
	ms.byID[m.id] = m
	ms.budget.add(m.size())
	for ms.budget.over() {
		old := ms.list[0]
		ms.list[0] = nil
		ms.list = ms.list[1:]
		delete(ms.byID, old.id)
		ms.budget.remove(old.size())
	}
}

// reset forgets every message.
func (ms *messageStore) reset() {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	ms.list, ms.byID = nil, nil
	ms.budget.count, ms.budget.bytes = 0, 0
}

// size is about how many bytes m holds when it is stored: its body twice
// (as sent and decoded) and its recipients.
func (m *storedMessage) size() int {
	return 2*len(m.raw) + 512 + 128*len(m.recipients)
}

// current is the message as retrieve shows it now: its view with the
// number of replies so far.
func (ms *messageStore) current(m *storedMessage) generated.Message {
	v := *m.view()
	ms.mu.Lock()
	defer ms.mu.Unlock()
	v.ResponseCount = ptr(strconv.Itoa(len(m.replies)))
	return v
}

// view is the message as retrieve shows it, without links and with no
// reply counted, made on first use; callers copy it before they change
// it. The body was validated against the spec when it was sent: it
// decodes (a value the spec allows and the Go type cannot hold, such as an
// integer beyond int64, is left out).
func (m *storedMessage) view() *generated.Message {
	m.once.Do(func() {
		if m.v == nil {
			m.v = new(generated.Message)
			_ = json.Unmarshal(m.raw, m.v)
		}
		// As in Whispir's examples, the message shows no id (its self link
		// names it) and a messageType only when it is scheduled.
		m.v.ID, m.v.MessageType = nil, nil
		if m.scheduled {
			m.v.MessageType = ptr(generated.MessageTypeSCHEDULED)
		}
		m.v.CreatedTime = &m.created
		m.v.Direction, m.v.ResponseCount = ptr("OUTGOING"), ptr("0")
		if m.creds.Username != "" {
			m.v.From = ptr(m.creds.Username)
		}
	})
	return m.v
}

func (ms *messageStore) get(workspace, id string) *storedMessage {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	if m := ms.byID[strings.ToUpper(id)]; m != nil && m.workspace == workspace {
		return m
	}
	return nil
}

// inWorkspace returns the workspace's messages, oldest first.
func (ms *messageStore) inWorkspace(workspace string) []*storedMessage {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	var out []*storedMessage
	for _, m := range ms.list {
		if m.workspace == workspace {
			out = append(out, m)
		}
	}
	return out
}

// messagesPath is the path of a workspace's messages, relative to the base
// URL: /workspaces/{id}/messages, or /messages for the default workspace.
func messagesPath(workspace string, rest ...string) string {
	p := "/messages"
	if workspace != "" {
		p = "/workspaces/" + url.PathEscape(workspace) + p
	}
	for _, r := range rest {
		p += "/" + r
	}
	return p
}

// messageURL is the URL of a message: [Server.URL] and messagesPath.
func (s *Server) messageURL(workspace, id string) string {
	if workspace == "" {
		return s.URL + "/messages/" + id // one allocation, for a send to the default workspace
	}
	return s.URL + messagesPath(workspace, id)
}

func (x *exchange) workspace() string { return x.route.PathParams()["workspaceId"] }

// messageCreate answers messageCreate and defaultMessageCreate: 202 with
// Location and the plain-text body labelled as JSON, as the service does,
// or 200 with the message for a scheduled send (without an id: its self
// link names it). A bulk send is reported
// (retrieve, status) with its resource id as the one recipient.
func (s *Server) messageCreate(x *exchange) answer {
	m := &storedMessage{
		id:        randomHex(16),
		workspace: x.workspace(),
		raw:       x.body,
		creds:     x.creds,
		created:   time.Now().UnixMilli(),
	}
	var to string
	voice := false
	if x.contentType() == bulkMessageMediaType {
		var b generated.BulkMessage
		if err := json.Unmarshal(x.body, &b); err != nil {
			return apiError(http.StatusBadRequest, x.mediaType(), summaryBadRequest, "", detailNotJSON)
		}
		m.bulk = true
		m.v = &generated.Message{
			To: b.Resource.ResourceID, Subject: b.Subject, Body: b.Body,
			Email: b.Email, Voice: b.Voice, Web: b.Web, Label: b.Label,
			MessageTemplateID: b.MessageTemplateID, CallbackID: b.CallbackID, CallbackParameters: b.CallbackParameters,
		}
		to, voice = m.v.To, m.v.Voice != nil
	} else if f, ok := readSendFacts(x.body); ok {
		to, m.scheduled, voice = f.to, f.scheduled, f.voice
	} else {
		// readSendFacts could not tell: decode the whole body now.
		m.v = new(generated.Message)
		if err := json.Unmarshal(x.body, m.v); err != nil {
			return apiError(http.StatusBadRequest, x.mediaType(), summaryBadRequest, "", detailNotJSON)
		}
		to, m.scheduled, voice = m.v.To, m.v.MessageType != nil && *m.v.MessageType == generated.MessageTypeSCHEDULED, m.v.Voice != nil
	}
	if m.v != nil {
		m.view() // finish it before the message is shared
	}
	for r := range strings.SplitSeq(to, ",") {
		if r = strings.TrimSpace(r); r != "" {
			m.recipients = append(m.recipients, newRecipient(r, voice, m.scheduled))
		}
	}
	s.messages.add(m)

	self := s.messageURL(m.workspace, m.id)
	if m.scheduled {
		echo := *m.view()
		echo.Link = &[]generated.Link{link(self, "self")}
		body, _ := json.Marshal(echo)
		return answer{status: http.StatusOK, header: contentType(messageMediaType), body: body}
	}
	return answer{status: http.StatusAccepted, contentType: messageMediaType, location: self, body: acceptedForSend}
}

// messageList answers messageList and defaultMessageList: the workspace's
// messages, newest first (sortOrder=asc: oldest first), optionally those
// whose label contains ?label=, paged. As in Whispir's examples, an item has
// its recipients (to) and a self link, and no id.
func (s *Server) messageList(x *exchange) answer {
	q := x.r.URL.Query()
	all := s.messages.inWorkspace(x.workspace())
	if label := strings.ToLower(q.Get("label")); label != "" {
		all = slices.DeleteFunc(all, func(m *storedMessage) bool {
			return m.view().Label == nil || !strings.Contains(strings.ToLower(*m.view().Label), label)
		})
	}
	if q.Get("sortOrder") != "asc" {
		slices.Reverse(all)
	}
	summaries := make([]generated.MessageSummary, 0, len(all))
	for _, m := range all {
		v := s.messages.current(m)
		summaries = append(summaries, generated.MessageSummary{
			To: &v.To, Subject: v.Subject, From: v.From, Direction: v.Direction,
			ResponseCount: v.ResponseCount, MessageType: (*string)(v.MessageType),
			Label: v.Label, CreatedTime: v.CreatedTime,
			Link: &[]generated.Link{link(s.URL+messagesPath(m.workspace, m.id), "self")},
		})
	}
	var out generated.MessageCollection
	out.Messages, out.Status, out.Link = cut(summaries, q, s.URL+messagesPath(x.workspace()))
	return jsonAnswer(http.StatusOK, x.route.MediaType, out)
}

// messageRetrieve answers messageRetrieve and defaultMessageRetrieve.
func (s *Server) messageRetrieve(x *exchange) answer {
	m := s.messages.get(x.workspace(), x.route.PathParams()["messageId"])
	if m == nil {
		return notFound(x.mediaType())
	}
	self := s.URL + messagesPath(m.workspace, m.id)
	v := s.messages.current(m)
	v.Link = &[]generated.Link{
		link(self, "self"),
		link(self+"/messagestatus?view=summary", "summaryStatus"),
		link(self+"/messagestatus?view=detailed", "detailedStatus"),
		link(self+"/messageresponses?view=summary&filter=default", "summaryResponses"),
		link(self+"/messageresponses?view=detailed&filter=default", "detailedResponses"),
		link(self+"/messageresponses?view=summary&filter=responserule", "summaryResponsesWithResponseRule"),
		link(self+"/messageresponses?view=detailed&filter=responserule", "detailedResponsesWithResponseRule"),
	}
	return jsonAnswer(http.StatusOK, x.route.MediaType, v)
}

// acceptedForSend is the body of the 202 to a send; answers only read it.
var acceptedForSend = []byte(textAcceptedForSend)

func jsonAnswer(status int, mediaType string, v any) answer {
	body, err := json.Marshal(v)
	if err != nil {
		return internalError(mediaType)
	}
	return answer{status: status, header: contentType(mediaType), body: body}
}

func ptr[T any](v T) *T { return &v }
