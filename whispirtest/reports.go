package whispirtest

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/whispir-go/whispir/generated"
)

// shortTime is Whispir's dd/MM/yy HH:mm, used in replies, callback
// payloads and callback calls.
const shortTime = "02/01/06 15:04"

// notApplicable fills the reply fields of a recipient who did not reply.
const notApplicable = "N/A"

// Response categories: the mock has no response rules, so every reply is
// notmatched.
const (
	responseNone       = "noresponse"
	responseNotMatched = "notmatched"
)

// messageStatusList answers messageStatusList and defaultMessageStatusList
// from the delivery state (see [Server.Deliver]). The summary view (the
// default) is one entry with the five categories, each recipient counted
// once; the detailed view one entry per recipient, with its sms, email and
// voice channels.
func (s *Server) messageStatusList(x *exchange) answer {
	return messageReport(s, x, "messagestatus", s.messages.statuses,
		func(items *[]generated.MessageStatus, status *string, links *[]generated.Link) any {
			return generated.MessageStatusCollection{MessageStatuses: items, Status: status, Link: links}
		})
}

// messageReport answers a report on the message x names (404 for an
// unknown one): the entries of the view asked for (?view=detailed, else
// the summary), paged under the message's path and segment, in the
// collection that wrap makes.
func messageReport[T any](s *Server, x *exchange, segment string, entries func(m *storedMessage, detailed bool) []T,
	wrap func(items *[]T, status *string, links *[]generated.Link) any) answer {
	m := s.messages.get(x.workspace(), x.route.PathParams()["messageId"])
	if m == nil {
		return notFound(x.mediaType())
	}
	q := x.r.URL.Query()
	items, status, links := cut(entries(m, q.Get("view") == "detailed"), q, s.URL+messagesPath(m.workspace, m.id, segment))
	return jsonAnswer(http.StatusOK, x.route.MediaType, wrap(items, status, links))
}

// statuses is m's status list: the summary entry, or one detailed entry
// per recipient.
func (ms *messageStore) statuses(m *storedMessage, detailed bool) []generated.MessageStatus {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	if detailed {
		out := make([]generated.MessageStatus, 0, len(m.recipients))
		for _, r := range m.recipients {
			out = append(out, recipientStatus(m, r))
		}
		return out
	}
	count := map[string]int{}
	for _, r := range m.recipients {
		count[r.category()]++
	}
	cats := make([]generated.StatusCategory, 0, len(categories))
	for _, name := range categories {
		cats = append(cats, generated.StatusCategory{
			Name:            new(name),
			RecipientCount:  new(count[name]),
			PercentageTotal: new(percent(count[name], len(m.recipients), 1)),
		})
	}
	return []generated.MessageStatus{{Categories: &cats, Link: &[]generated.Link{}}}
}

// percent is k of n as Whispir writes it, e.g. "50.0%" with one decimal.
func percent(k, n, decimals int) string {
	share := 0.0
	if n > 0 {
		share = 100 * float64(k) / float64(n)
	}
	return strconv.FormatFloat(share, 'f', decimals, 64) + "%"
}

// recipientStatus is one recipient's delivery in the detailed view: every
// channel, the unused ones with empty strings, the used ones with their
// status, destination and timestamps (epoch milliseconds).
func recipientStatus(m *storedMessage, r *recipient) generated.MessageStatus {
	channels := make([]generated.ChannelStatus, 0, 3)
	for _, ch := range []string{channelSMS, channelEmail, channelVoice} {
		c := generated.ChannelStatus{Type: new(ch), Status: new(""), Destination: new("")}
		if st := r.channel(ch); st != nil {
			c.Status, c.Destination = new(st.status), new(r.address)
			if st.status != statusPending {
				c.SentTimestamp = m.created
			}
			c.ReceivedTimestamp = epochMillis(st.received)
			c.AcknowledgedTimestamp = epochMillis(st.acknowledged)
			c.UndeliverableTimestamp = epochMillis(st.undelivered)
		}
		channels = append(channels, c)
	}
	first := r.channels[0]
	info := fmt.Sprintf("%s message %s.", channelLabel(first.channel), statusWords[first.status])
	return generated.MessageStatus{Name: new(r.address), Info: &info, Status: &channels, Link: &[]generated.Link{}}
}

var statusWords = map[string]string{
	statusPending:   "pending",
	statusSent:      "sent",
	statusDelivered: "delivered",
	statusRead:      "read",
	statusFailed:    "failed",
}

// epochMillis is t in epoch milliseconds; nil (left out) when t is zero.
func epochMillis(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

// channelLabel is a channel as replies and callback payloads name it
// (`SMS`, `email`, `voice`, the spellings of the spec's ResponseContent).
func channelLabel(ch string) string {
	if ch == channelSMS {
		return "SMS"
	}
	return ch
}

// messageResponseList answers messageResponseList and
// defaultMessageResponseList from the replies (see [Server.Reply]). The
// summary view counts recipients by the category of their replies
// (noresponse for none, notmatched otherwise: the mock applies no
// response rules); the detailed view lists each reply, and each recipient
// who did not reply as noresponse with N/A fields.
func (s *Server) messageResponseList(x *exchange) answer {
	return messageReport(s, x, "messageresponses", s.messages.responses,
		func(items *[]generated.MessageResponse, status *string, links *[]generated.Link) any {
			return generated.MessageResponseCollection{MessageResponses: items, Status: status, Link: links}
		})
}

// responses is m's response list in the summary or the detailed view.
func (ms *messageStore) responses(m *storedMessage, detailed bool) []generated.MessageResponse {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	replied := make([]bool, len(m.recipients))
	for _, rp := range m.replies {
		replied[rp.recipient] = true
	}
	if !detailed {
		n, k := len(m.recipients), 0
		for _, ok := range replied {
			if ok {
				k++
			}
		}
		entry := func(category string, count int) generated.MessageResponse {
			return generated.MessageResponse{
				Type: new(category), ResponseCount: new(strconv.Itoa(count)),
				PercentageTotal: new(percent(count, n, 0)), Link: &[]generated.Link{},
			}
		}
		return []generated.MessageResponse{entry(responseNone, n-k), entry(responseNotMatched, k)}
	}
	var out []generated.MessageResponse
	for i, r := range m.recipients {
		if !replied[i] {
			content := generated.ResponseContent{Channel: new(notApplicable), Acknowledged: new(notApplicable), Content: new(notApplicable)}
			if t := r.undeliveredAt(); !t.IsZero() {
				content.Undeliverable = new(t.Format(shortTime))
			}
			out = append(out, generated.MessageResponse{From: responder(r.address).generated(), ResponseCategory: new(responseNone), ResponseMessage: &content})
			continue
		}
		for _, rp := range m.replies {
			if rp.recipient != i {
				continue
			}
			out = append(out, generated.MessageResponse{
				From:             responder(r.address).generated(),
				ResponseCategory: new(responseNotMatched),
				ResponseMessage: &generated.ResponseContent{
					Channel: new(channelLabel(rp.channel)), Acknowledged: new(rp.at.Format(shortTime)), Content: new(rp.content),
				},
			})
		}
	}
	return out
}

// sender is who replied or could not be reached, as responses and callback
// payloads show it. The mock knows recipients only by address: name is the
// address, and one of mri, email or mobile (with voice) is filled.
type sender struct {
	Name   string `json:"name" xml:"name"`
	MRI    string `json:"mri" xml:"mri"`
	Mobile string `json:"mobile" xml:"mobile"`
	Email  string `json:"email" xml:"email"`
	Voice  string `json:"voice" xml:"voice"`
}

func responder(address string) sender {
	s := sender{Name: address}
	switch {
	case isMRI(address):
		s.MRI = address
	case isEmail(address):
		s.Email = address
	default:
		s.Mobile, s.Voice = address, address
	}
	return s
}

// generated is s with its empty fields left out.
func (s sender) generated() *generated.Responder {
	opt := func(v string) *string {
		if v == "" {
			return nil
		}
		return &v
	}
	return &generated.Responder{Name: opt(s.Name), Mri: opt(s.MRI), Mobile: opt(s.Mobile), Email: opt(s.Email), Voice: opt(s.Voice)}
}
