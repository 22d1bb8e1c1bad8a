package whispirtest

import (
	"encoding/json"
	"encoding/xml"
	"maps"
	"slices"
	"time"
)

// Kinds of callback event.
const (
	eventReply         = "reply"
	eventUndeliverable = "undeliverable"
)

// callbackEvent is one event for a message's callback: a reply, or a
// channel that could not be delivered.
type callbackEvent struct {
	kind         string // eventReply or eventUndeliverable
	callbackName string // the message's callbackId; "" for none
	messageID    string
	location     string // the message's URI
	from         sender
	channel      string // channelSMS, channelEmail or channelVoice
	content      string // the reply; "" for undeliverable
	at           time.Time
	params       map[string]string // customParameters
}

// newEvent builds the event of kind for recipient r of m; the caller holds
// the message store's lock.
func (s *Server) newEvent(m *storedMessage, r *recipient, kind, channel, content string, at time.Time) callbackEvent {
	ev := callbackEvent{
		kind:      kind,
		messageID: m.id,
		location:  s.URL + messagesPath(m.workspace, m.id),
		from:      responder(r.address),
		channel:   channel,
		content:   content,
		at:        at,
	}
	v := m.view()
	if v.CallbackID != nil {
		ev.callbackName = *v.CallbackID
	}
	ev.params = standardParameters(r.address, v.Voice != nil, at)
	if v.CallbackParameters != nil {
		maps.Copy(ev.params, *v.CallbackParameters)
	}
	return ev
}

// standardParameters are the customParameters Whispir adds that the mock
// can know: the recipient's address (recipient_sms, recipient_voice when
// the message has a voice part, recipient_email) and the event's time
// (date yyyy-mm-dd, time HH:MM, yyyy, yy, mm, dd, hrs, min, sec). Those
// about people the mock has no record of (sender_*, first_name, ...) and
// about response rules (matchedCategory, responseRule) are left out.
func standardParameters(address string, voice bool, at time.Time) map[string]string {
	p := map[string]string{
		"date": at.Format("2006-01-02"),
		"time": at.Format("15:04"),
		"yyyy": at.Format("2006"),
		"yy":   at.Format("06"),
		"mm":   at.Format("01"),
		"dd":   at.Format("02"),
		"hrs":  at.Format("15"),
		"min":  at.Format("04"),
		"sec":  at.Format("05"),
	}
	switch {
	case isEmail(address):
		p["recipient_email"] = address
	case !isMRI(address):
		p["recipient_sms"] = address
		if voice {
			p["recipient_voice"] = address
		}
	}
	return p
}

// payload is the body Whispir POSTs to a callback, in its canonical
// spelling (lower-case messageid and messagelocation).
type payload struct {
	XMLName          xml.Name          `json:"-" xml:"ns2:deliveryResponse"`
	XMLNS            string            `json:"-" xml:"xmlns:ns2,attr"`
	MessageID        string            `json:"messageid" xml:"messageid"`
	MessageLocation  string            `json:"messagelocation" xml:"messagelocation"`
	From             sender            `json:"from" xml:"from"`
	ResponseMessage  payloadResponse   `json:"responseMessage" xml:"responseMessage"`
	CustomParameters map[string]string `json:"customParameters,omitempty" xml:"-"`
	XMLParameters    *xmlParameters    `json:"-" xml:"customParameters,omitempty"`
}

type payloadResponse struct {
	Channel       string  `json:"channel" xml:"channel"`
	Acknowledged  string  `json:"acknowledged,omitempty" xml:"acknowledged,omitempty"`
	Undeliverable string  `json:"undeliverable,omitempty" xml:"undeliverable,omitempty"`
	Content       *string `json:"content,omitempty" xml:"content,omitempty"`
}

type xmlParameters struct {
	Entries []xmlEntry `xml:"entry"`
}

type xmlEntry struct {
	Key   string `xml:"key"`
	Value string `xml:"value"`
}

// response is the event's responseMessage: the reply and its time, or the
// time of the failure.
func (ev callbackEvent) response() payloadResponse {
	r := payloadResponse{Channel: channelLabel(ev.channel)}
	stamp := ev.at.Format(shortTime)
	if ev.kind == eventReply {
		r.Acknowledged, r.Content = stamp, &ev.content
	} else {
		r.Undeliverable = stamp
	}
	return r
}

const xmlHeader = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"

// payload returns ev's body and its Content-Type: JSON, or XML with the
// ns2:deliveryResponse root when asXML.
func (ev callbackEvent) payload(asXML bool) (body []byte, contentType string, err error) {
	p := payload{
		MessageID:       ev.messageID,
		MessageLocation: ev.location,
		From:            ev.from,
		ResponseMessage: ev.response(),
	}
	if len(ev.params) > 0 {
		p.CustomParameters = ev.params
	}
	if !asXML {
		body, err = json.Marshal(p)
		return body, "application/json", err
	}
	p.XMLNS = "http://schemas.api.whispir.com"
	if len(ev.params) > 0 {
		p.XMLParameters = &xmlParameters{}
		for _, k := range slices.Sorted(maps.Keys(ev.params)) {
			p.XMLParameters.Entries = append(p.XMLParameters.Entries, xmlEntry{Key: k, Value: ev.params[k]})
		}
	}
	body, err = xml.Marshal(p)
	return append([]byte(xmlHeader), body...), "application/xml", err
}
