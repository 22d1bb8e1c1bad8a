package callback

import (
	"errors"
	"fmt"
	"mime"
	"strings"
)

// ErrUnsupportedMediaType is returned by [Parse] (and answered with 415 by
// the handler) for a Content-Type that is neither JSON nor XML.
var ErrUnsupportedMediaType = errors.New("callback: unsupported media type; want application/json or application/xml")

// ErrMalformed is wrapped by the errors [Parse] returns for a body that does
// not decode into an [Event] (the handler answers 400). The errors name the
// field and the rule, never a value of the body.
var ErrMalformed = errors.New("callback: malformed event")

// bodyFormat is the wire format of an event.
type bodyFormat int

const (
	formatJSON bodyFormat = iota + 1
	formatXML
)

// formatOf maps a Content-Type to its format: application/json, text/json
// and any +json type (in UTF-8) are JSON; application/xml, text/xml and any
// +xml type are XML (the document's own declaration names its encoding).
func formatOf(contentType string) (bodyFormat, error) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return 0, ErrUnsupportedMediaType
	}
	switch {
	case mt == "application/json" || mt == "text/json" || strings.HasSuffix(mt, "+json"):
		if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") && !strings.EqualFold(cs, "utf8") {
			return 0, ErrUnsupportedMediaType
		}
		return formatJSON, nil
	case mt == "application/xml" || mt == "text/xml" || strings.HasSuffix(mt, "+xml"):
		return formatXML, nil
	}
	return 0, ErrUnsupportedMediaType
}

// Parse decodes the body of one call Whispir made to a callback, JSON or XML
// as contentType (the request's Content-Type) says. It accepts the canonical
// form and each spelling of Whispir's examples: messageid or messageId;
// messagelocation, messageLocation or location; customParameters or
// customParamters. Field names match case-insensitively; names not listed
// are ignored. The XML root element must be deliveryResponse (in any
// namespace), with the custom parameters as entry elements of key and value.
//
// Kind is [KindUndeliverable] when responseMessage has an undeliverable
// member, [KindReply] otherwise; Time is that member's value or
// acknowledged's. A body without a message id or a responseMessage object,
// a member of the wrong type (a number for a string, a string for an
// object, a custom parameter that is not a string), two spellings of one
// field with different values, or a body that is not JSON or XML gives an
// error wrapping [ErrMalformed]. Parse does not check credentials: see
// [Verify] and [ConstructEvent].
func Parse(contentType string, body []byte) (Event, error) {
	f, err := formatOf(contentType)
	if err != nil {
		return Event{}, err
	}
	return parseAs(f, body)
}

// parseAs decodes body in the format f.
func parseAs(f bodyFormat, body []byte) (Event, error) {
	var root fields
	var err error
	if f == formatXML {
		root, err = xmlRoot(body)
	} else {
		root, err = jsonRoot(body)
	}
	if err != nil {
		return Event{}, err
	}
	return decode(root)
}

// fields is one object of an event, JSON or XML, whose member names match
// case-insensitively: names given to its methods are lower case.
type fields interface {
	// text returns a string member; ok is false when it is absent (or null).
	text(name string) (s string, ok bool, err error)
	// object returns an object member; ok is false when it is absent (or null).
	object(name string) (f fields, ok bool, err error)
	// params returns the custom parameters; ok is false when absent (or null).
	params(name string) (p map[string]string, ok bool, err error)
}

// malformed returns an error wrapping ErrMalformed. Its arguments must never
// be values from the body: field names and rules only.
func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, args...)...)
}

// decoder reads the fields of an event, keeping the first error.
type decoder struct{ err error }

// text returns the first present member among names (canonical spelling
// first); where is the field's name for errors.
func (d *decoder) text(f fields, where string, names ...string) (string, bool) {
	if d.err != nil || f == nil {
		return "", false
	}
	for _, n := range names {
		s, ok, err := f.text(n)
		if err != nil {
			d.err = malformed("%s: %v", where, err)
			return "", false
		}
		if ok {
			return s, true
		}
	}
	return "", false
}

func (d *decoder) object(f fields, name, where string) (fields, bool) {
	if d.err != nil {
		return nil, false
	}
	o, ok, err := f.object(name)
	if err != nil {
		d.err = malformed("%s: %v", where, err)
	}
	return o, ok && err == nil
}

func (d *decoder) params(f fields, names ...string) map[string]string {
	if d.err != nil {
		return nil
	}
	for _, n := range names {
		p, ok, err := f.params(n)
		if err != nil {
			d.err = malformed("customParameters: %v", err)
			return nil
		}
		if ok {
			if len(p) == 0 {
				return nil
			}
			return p
		}
	}
	return nil
}

// decode turns a decoded body into an Event.
func decode(root fields) (Event, error) {
	var d decoder
	var e Event
	e.MessageID, _ = d.text(root, "messageid", "messageid")
	e.MessageLocation, _ = d.text(root, "messagelocation", "messagelocation", "location")
	if from, ok := d.object(root, "from", "from"); ok {
		e.From = Sender{}
		e.From.Name, _ = d.text(from, "from.name", "name")
		e.From.MRI, _ = d.text(from, "from.mri", "mri")
		e.From.Mobile, _ = d.text(from, "from.mobile", "mobile")
		e.From.Email, _ = d.text(from, "from.email", "email")
		e.From.Voice, _ = d.text(from, "from.voice", "voice")
	}
	rm, ok := d.object(root, "responsemessage", "responseMessage")
	if d.err == nil && !ok {
		return Event{}, malformed("no responseMessage")
	}
	e.Channel, _ = d.text(rm, "responseMessage.channel", "channel")
	ack, _ := d.text(rm, "responseMessage.acknowledged", "acknowledged")
	content, _ := d.text(rm, "responseMessage.content", "content")
	if undeliverable, ok := d.text(rm, "responseMessage.undeliverable", "undeliverable"); ok {
		e.Kind, e.Time = KindUndeliverable, undeliverable
	} else {
		e.Kind, e.Time, e.Content = KindReply, ack, content
	}
	e.CustomParameters = d.params(root, "customparameters", "customparamters")
	if d.err != nil {
		return Event{}, d.err
	}
	if strings.TrimSpace(e.MessageID) == "" {
		return Event{}, malformed("no messageid")
	}
	return e, nil
}
