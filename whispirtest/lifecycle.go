package whispirtest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Errors of [Server.Deliver], [Server.Reply] and [Server.Undeliverable],
// for errors.Is. The errors name the message id; a recipient is named
// masked (all but its last four characters replaced by '*'), since
// recipients are phone numbers and email addresses.
var (
	// ErrUnknownMessage: no message with that id was sent to this server,
	// in any workspace.
	ErrUnknownMessage = errors.New("whispirtest: unknown message")
	// ErrNotRecipient: the message was not sent to that recipient, or not
	// on that channel.
	ErrNotRecipient = errors.New("whispirtest: not a recipient")
	// ErrDeliveryFailed: a reply from a recipient whose delivery on that
	// channel was made undeliverable.
	ErrDeliveryFailed = errors.New("whispirtest: delivery failed")
)

// Channels of a recipient, as the detailed status view names them.
const (
	channelSMS   = "sms"
	channelEmail = "email"
	channelVoice = "voice"
)

// Delivery statuses of one channel, as the detailed status view shows them.
const (
	statusPending   = "PENDING"
	statusSent      = "SENT"
	statusDelivered = "DELIVRD"
	statusRead      = "READ"
	statusFailed    = "FAILED"
)

// The summary categories, in the order the summary view lists them.
const (
	categorySent          = "Sent"
	categoryPending       = "Pending"
	categoryReceived      = "Received"
	categoryAcknowledged  = "Acknowledged"
	categoryUndeliverable = "Undeliverable"
)

var categories = []string{categorySent, categoryPending, categoryReceived, categoryAcknowledged, categoryUndeliverable}

// channelState is the delivery of a message to one recipient on one
// channel. Zero times are unset.
type channelState struct {
	channel                             string // channelSMS, channelEmail or channelVoice
	status                              string // statusPending ... statusFailed
	received, acknowledged, undelivered time.Time
}

// recipient is one recipient of a message and its channels (only those
// the message used for it).
type recipient struct {
	address  string
	channels []*channelState
}

// storedReply is one reply to a message.
type storedReply struct {
	recipient int    // index in storedMessage.recipients
	channel   string // channelSMS, channelEmail or channelVoice
	content   string
	at        time.Time
}

// newRecipient starts the delivery of a message to address: email
// addresses on the email channel, anything else (numbers, MRIs) on sms,
// and voice too when the message has a voice part.
func newRecipient(address string, voice, scheduled bool) *recipient {
	status := statusSent
	if scheduled {
		status = statusPending
	}
	// One allocation for the recipient, its channels and the slice of them.
	b := new(struct {
		r     recipient
		state [2]channelState
		ptr   [2]*channelState
	})
	chans := []string{channelSMS, channelVoice}[:1]
	switch {
	case isEmail(address):
		chans[0] = channelEmail
	case voice:
		chans = chans[:2]
	}
	for i, ch := range chans {
		b.state[i] = channelState{channel: ch, status: status}
		b.ptr[i] = &b.state[i]
	}
	b.r = recipient{address: address, channels: b.ptr[:len(chans):len(chans)]}
	return &b.r
}

// isEmail reports an email address that is not a Whispir MRI.
func isEmail(address string) bool {
	return strings.Contains(address, "@") && !isMRI(address)
}

// isMRI reports a Whispir MRI, e.g. Jane_Citizen.1@Contact.whispir.com.
func isMRI(address string) bool {
	return strings.Contains(strings.ToLower(address), ".whispir.com")
}

func (r *recipient) channel(ch string) *channelState {
	for _, c := range r.channels {
		if c.channel == ch {
			return c
		}
	}
	return nil
}

// category is the recipient's summary category: Acknowledged when a
// channel was read (replied on), else Received when one was delivered,
// Undeliverable when every channel failed, Sent while one is on its way,
// and Pending before it is sent.
func (r *recipient) category() string {
	has := func(status string) bool {
		return slices.ContainsFunc(r.channels, func(c *channelState) bool { return c.status == status })
	}
	switch {
	case has(statusRead):
		return categoryAcknowledged
	case has(statusDelivered):
		return categoryReceived
	case len(r.channels) > 0 && !slices.ContainsFunc(r.channels, func(c *channelState) bool { return c.status != statusFailed }):
		return categoryUndeliverable
	case has(statusSent):
		return categorySent
	}
	return categoryPending
}

// undeliveredAt is when the recipient's last channel failed; zero unless
// it is undeliverable.
func (r *recipient) undeliveredAt() time.Time {
	var t time.Time
	if r.category() != categoryUndeliverable {
		return t
	}
	for _, c := range r.channels {
		if c.undelivered.After(t) {
			t = c.undelivered
		}
	}
	return t
}

// sameAddress compares recipients as users write them: case-insensitive,
// spaces and a leading '+' ignored.
func sameAddress(a, b string) bool {
	norm := func(s string) string { return strings.TrimPrefix(strings.TrimSpace(s), "+") }
	return strings.EqualFold(norm(a), norm(b))
}

// mask hides all but the last four characters of a recipient, for errors.
func mask(address string) string {
	r := []rune(strings.TrimSpace(address))
	keep := min(4, len(r)/2)
	return strings.Repeat("*", len(r)-keep) + string(r[len(r)-keep:])
}

// EventOption changes one lifecycle event: see [At], [OnChannel] and
// [ForRecipients].
type EventOption func(*eventConfig)

type eventConfig struct {
	at         time.Time
	channel    string   // "" for every channel
	recipients []string // nil for every recipient
	badChannel string   // an unknown channel given to OnChannel
}

// At sets the time of the event (by default, the time of the call): the
// timestamps of the status views, the reply's time in the response views,
// and the `acknowledged` / `undeliverable` time, `date` and `time` of the
// callback payload, which are shown in t's location.
func At(t time.Time) EventOption {
	return func(c *eventConfig) { c.at = t }
}

// OnChannel limits the event to one channel: "sms", "email" or "voice"
// (case-insensitive). A [Server.Reply] comes on the recipient's first
// channel by default (email for an email address, else sms); a
// [Server.Deliver] or [Server.Undeliverable] with OnChannel leaves the
// other channels as they are.
func OnChannel(channel string) EventOption {
	return func(c *eventConfig) {
		ch := strings.ToLower(strings.TrimSpace(channel))
		switch ch {
		case channelSMS, channelEmail, channelVoice:
			c.channel = ch
		default:
			c.badChannel = channel
		}
	}
}

// ForRecipients limits a [Server.Deliver] or [Server.Undeliverable] to the
// given recipients of the message (as written in its `to`), for messages
// that reach some recipients and not others. [Server.Reply] names its
// recipient itself and refuses this option.
func ForRecipients(recipients ...string) EventOption {
	return func(c *eventConfig) { c.recipients = append(c.recipients, recipients...) }
}

func newEventConfig(opts []EventOption) (eventConfig, error) {
	c := eventConfig{}
	for _, opt := range opts {
		if opt != nil {
			opt(&c)
		}
	}
	if c.badChannel != "" {
		return c, fmt.Errorf("whispirtest: unknown channel %q; want sms, email or voice", c.badChannel)
	}
	if c.at.IsZero() {
		c.at = time.Now()
	}
	return c, nil
}

// Deliver marks the message as received by its recipients: every channel
// still pending or sent becomes DELIVRD (summary category Received), with
// its receivedTimestamp. Channels already read or failed keep their
// status. Whispir calls no callback for a delivery.
//
// messageID is an id the server issued, in any workspace. The error wraps
// [ErrUnknownMessage] for an unknown id, and [ErrNotRecipient] when
// [ForRecipients] names someone the message was not sent to, or
// [OnChannel] a channel none of them was sent on.
func (s *Server) Deliver(messageID string, opts ...EventOption) error {
	_, err := s.transition(messageID, opts, statusDelivered)
	return err
}

// Undeliverable marks every recipient not yet delivered as failed: each
// channel still pending or sent becomes FAILED, with its
// undeliverableTimestamp; a recipient whose channels all failed is in the
// summary category Undeliverable. For each channel that failed, a message
// that names a callback with `callbacks.undeliverable` enabled has the
// undeliverable event POSTed to it, in the background (see
// [Server.WaitCallbacks]).
//
// Errors are those of [Server.Deliver].
func (s *Server) Undeliverable(messageID string, opts ...EventOption) error {
	events, err := s.transition(messageID, opts, statusFailed)
	if err != nil {
		return err
	}
	s.notify(events)
	return nil
}

// transition moves the channels that opts select from pending or sent to
// status, and returns one event per channel that failed.
func (s *Server) transition(messageID string, opts []EventOption, status string) ([]callbackEvent, error) {
	cfg, err := newEventConfig(opts)
	if err != nil {
		return nil, err
	}
	ms := s.messages
	ms.mu.Lock()
	defer ms.mu.Unlock()
	m := ms.find(messageID)
	if m == nil {
		return nil, fmt.Errorf("%w %s", ErrUnknownMessage, messageID)
	}
	selected := m.recipients
	if cfg.recipients != nil {
		selected = nil
		for _, want := range cfg.recipients {
			i := m.recipientIndex(want)
			if i < 0 {
				return nil, fmt.Errorf("%w of message %s: %s", ErrNotRecipient, m.id, mask(want))
			}
			if cfg.channel != "" && m.recipients[i].channel(cfg.channel) == nil {
				return nil, fmt.Errorf("%w of message %s on %s: %s", ErrNotRecipient, m.id, cfg.channel, mask(want))
			}
			selected = append(selected, m.recipients[i])
		}
	}
	var chans []*channelState
	var owners []*recipient
	for _, r := range selected {
		for _, c := range r.channels {
			if cfg.channel == "" || c.channel == cfg.channel {
				chans, owners = append(chans, c), append(owners, r)
			}
		}
	}
	if len(chans) == 0 && cfg.channel != "" {
		return nil, fmt.Errorf("%w of message %s on %s: no recipient was sent on it", ErrNotRecipient, m.id, cfg.channel)
	}
	var events []callbackEvent
	for i, c := range chans {
		if c.status != statusPending && c.status != statusSent {
			continue
		}
		c.status = status
		switch status {
		case statusDelivered:
			c.received = cfg.at
		case statusFailed:
			c.undelivered = cfg.at
			events = append(events, s.newEvent(m, owners[i], eventUndeliverable, c.channel, "", cfg.at))
		}
	}
	return events, nil
}

// Reply records a reply from one of the message's recipients, as if they
// answered it: a reply implies delivery, so the channel becomes READ
// (summary category Acknowledged), with receivedTimestamp (when not set
// yet) and acknowlegedTimestamp. The reply is listed by
// messageResponseList and counted in the message's responseCount. When the
// message names a callback with `callbacks.reply` enabled, the reply event
// is POSTed to it in the background (see [Server.WaitCallbacks]): Reply
// returns once the reply is recorded and never waits for the callback,
// however slow it is.
//
// from is a recipient as written in the message's `to` (case and a
// leading '+' aside). The reply comes on the recipient's first channel
// unless [OnChannel] says otherwise. The error wraps [ErrUnknownMessage],
// [ErrNotRecipient] (not a recipient, or not on that channel) or
// [ErrDeliveryFailed] (that channel was made undeliverable).
func (s *Server) Reply(messageID, from, content string, opts ...EventOption) error {
	cfg, err := newEventConfig(opts)
	if err != nil {
		return err
	}
	if cfg.recipients != nil {
		return errors.New("whispirtest: Reply names its recipient: ForRecipients does not apply")
	}
	ms := s.messages
	ms.mu.Lock()
	m := ms.find(messageID)
	if m == nil {
		ms.mu.Unlock()
		return fmt.Errorf("%w %s", ErrUnknownMessage, messageID)
	}
	i := m.recipientIndex(from)
	if i < 0 {
		ms.mu.Unlock()
		return fmt.Errorf("%w of message %s: %s", ErrNotRecipient, m.id, mask(from))
	}
	r := m.recipients[i]
	c := r.channels[0]
	if cfg.channel != "" {
		if c = r.channel(cfg.channel); c == nil {
			ms.mu.Unlock()
			return fmt.Errorf("%w of message %s on %s: %s", ErrNotRecipient, m.id, cfg.channel, mask(from))
		}
	}
	if c.status == statusFailed {
		ms.mu.Unlock()
		return fmt.Errorf("%w: message %s on %s to %s", ErrDeliveryFailed, m.id, c.channel, mask(from))
	}
	c.status = statusRead
	if c.received.IsZero() {
		c.received = cfg.at
	}
	if c.acknowledged.IsZero() {
		c.acknowledged = cfg.at
	}
	m.replies = append(m.replies, storedReply{recipient: i, channel: c.channel, content: content, at: cfg.at})
	ev := s.newEvent(m, r, eventReply, c.channel, content, cfg.at)
	ms.mu.Unlock()
	s.notify([]callbackEvent{ev})
	return nil
}

// recipientIndex returns the index of address among m's recipients, or -1.
func (m *storedMessage) recipientIndex(address string) int {
	return slices.IndexFunc(m.recipients, func(r *recipient) bool { return sameAddress(r.address, address) })
}

// find returns the message with id in any workspace; the caller holds
// ms.mu.
func (ms *messageStore) find(id string) *storedMessage {
	return ms.byID[strings.ToUpper(strings.TrimSpace(id))]
}
