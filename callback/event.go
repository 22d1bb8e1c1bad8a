package callback

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strconv"

	"github.com/whispir-go/whispir/internal/redaction"
)

// Kind says what happened to the message an [Event] is about.
type Kind string

// The kinds of events Whispir sends, as enabled by the callback's
// callbacks.reply and callbacks.undeliverable.
const (
	KindReply         Kind = "reply"         // a recipient answered
	KindUndeliverable Kind = "undeliverable" // the message could not be delivered
)

// Sender is the recipient who answered, or whom the message did not reach:
// Whispir's "from" object. Every field is as Whispir sent it, often partly
// empty.
//
// Formatting or logging a Sender shows none of its values (they are personal
// data); read the fields to use them.
type Sender struct {
	Name   string `json:"name,omitempty"`
	MRI    string `json:"mri,omitempty"` // the contact's or user's Whispir address
	Mobile string `json:"mobile,omitempty"`
	Email  string `json:"email,omitempty"`
	Voice  string `json:"voice,omitempty"`
}

// Event is one call Whispir made to a callback: a reply to a message, or its
// failed delivery. [Parse] and [NewHandler] decode the JSON and the XML form,
// and every spelling Whispir's examples use, into the same Event.
//
// Formatting (fmt's %v, %+v, %#v, %s) and logging (slog) an Event show its
// kind, message id, channel, time and [Event.Key], never Content, From or
// CustomParameters, which hold personal data. Read the fields, or marshal
// the Event as JSON, to see them: that is asking for them explicitly.
type Event struct {
	Kind            Kind   `json:"kind"`
	MessageID       string `json:"messageId"`                 // messageid (or messageId)
	MessageLocation string `json:"messageLocation,omitempty"` // messagelocation (or messageLocation, location)
	From            Sender `json:"from"`
	Channel         string `json:"channel,omitempty"` // as sent, e.g. "SMS"
	Content         string `json:"content,omitempty"` // the reply text; empty when undeliverable
	Time            string `json:"time,omitempty"`    // the acknowledged or undeliverable time as sent, "dd/MM/yy HH:mm"
	// CustomParameters holds the message's callbackParameters and the values
	// Whispir adds (sender_full_name, recipient_sms, date, time,
	// matchedCategory, ...). It is nil when Whispir sent none.
	CustomParameters map[string]string `json:"customParameters,omitempty"`
}

// keyVersion is hashed first, so that a change of the fields below gives
// different keys rather than silent collisions with keys stored before.
const keyVersion = "whispir-callback-key-v1"

// Key identifies the event for duplicate detection: it is equal for every
// delivery of one event (Whispir retries failed calls, and may deliver one
// event twice) and different for different events.
//
// It is the hex SHA-256 of Kind, MessageID, the sender's MRI, Mobile, Email
// and Voice, Channel, Time and Content. It leaves out what may change
// between two deliveries of one event or only repeats the fields above:
// MessageLocation (derived from the id), the sender's Name (a contact can be
// renamed between retries) and CustomParameters (Whispir fills some, such
// as date and time, when it sends). So two replies with the same text from
// the same recipient to the same message in the same minute share a key:
// Whispir's times have no seconds, and nothing else tells them apart.
func (e Event) Key() string {
	h := sha256.New()
	var n [binary.MaxVarintLen64]byte
	for _, f := range [...]string{keyVersion, string(e.Kind), e.MessageID,
		e.From.MRI, e.From.Mobile, e.From.Email, e.From.Voice,
		e.Channel, e.Time, e.Content} {
		// Length-prefixed, so that moving bytes between fields changes the key.
		h.Write(n[:binary.PutUvarint(n[:], uint64(len(f)))])
		h.Write([]byte(f))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// String describes the event without its personal data: kind, message id,
// channel, time and key.
func (e Event) String() string {
	return "callback.Event{Kind:" + string(e.Kind) + " MessageID:" + e.MessageID +
		" Channel:" + e.Channel + " Time:" + e.Time + " Key:" + e.Key() + "}"
}

// GoString is the %#v form: the same fields as [Event.String], quoted.
func (e Event) GoString() string {
	return "callback.Event{Kind:" + strconv.Quote(string(e.Kind)) + ", MessageID:" + strconv.Quote(e.MessageID) +
		", Channel:" + strconv.Quote(e.Channel) + ", Time:" + strconv.Quote(e.Time) + ", Key:" + strconv.Quote(e.Key()) + "}"
}

// Format implements [fmt.Formatter], so that every verb prints the form of
// [Event.String] or [Event.GoString] and never Content, From or
// CustomParameters.
func (e Event) Format(f fmt.State, verb rune) {
	redaction.Format(f, verb, "callback.Event", e.String(), e.GoString())
}

// LogValue implements [slog.LogValuer]: kind, message id, channel, time and
// key.
func (e Event) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("kind", string(e.Kind)),
		slog.String("message_id", e.MessageID),
		slog.String("channel", e.Channel),
		slog.String("time", e.Time),
		slog.String("key", e.Key()),
	)
}

// String shows whether the sender is known, never its values.
func (s Sender) String() string {
	if s == (Sender{}) {
		return "callback.Sender{}"
	}
	return "callback.Sender{" + redacted + "}"
}

// Format implements [fmt.Formatter] with the output of [Sender.String] for
// every verb.
func (s Sender) Format(f fmt.State, verb rune) {
	redaction.Format(f, verb, "callback.Sender", s.String(), s.String())
}

// LogValue implements [slog.LogValuer] without the sender's values.
func (s Sender) LogValue() slog.Value { return slog.StringValue(s.String()) }

// redacted stands for a value that is not shown.
const redacted = redaction.Mark
