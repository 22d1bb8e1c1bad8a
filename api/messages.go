package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/whispir-go/whispir/generated"
)

// BulkMessageMediaType is the media type of a bulk (dynamic) message.
const BulkMessageMediaType = "application/vnd.whispir.bulkmessage-v1+json"

// ErrNoID is wrapped by the errors of [IDFromLocation], of
// [Client.SendMessage] and of every create helper ([Client.CreateContact],
// ...) when a successful answer names no usable id.
var ErrNoID = errors.New("no id in the response")

// ErrNoMessageID is [ErrNoID], under the name it had when only sends
// returned an id.
//
// Deprecated: use ErrNoID.
var ErrNoMessageID = ErrNoID

// SendMessage sends m from the workspace (the default workspace when
// workspaceID is "") and returns the new message's id.
//
// Spec operations: messageCreate (POST /workspaces/{workspaceId}/messages)
// and defaultMessageCreate (POST /messages). An immediate send answers 202
// and the id is the last path segment of Location; a scheduled send answers
// 200 with the message, whose id or self link names it.
func (c *Client) SendMessage(ctx context.Context, workspaceID string, m generated.Message) (messageID string, err error) {
	if c == nil {
		return "", errNilClient
	}
	body, err := json.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("%s: encode message: %w", messageOp(workspaceID), err)
	}
	// No Content-Type: the pipeline sets the operation's (message-v1), as
	// it does for the generated client's application/json.
	return c.postMessage(ctx, workspaceID, "", body)
}

// SendBulkMessage sends m to every row of an uploaded resource, from the
// workspace (the default one when workspaceID is ""), with the
// bulkmessage-v1 media type, and returns the new message's id.
//
// Spec operations: messageCreate and defaultMessageCreate.
func (c *Client) SendBulkMessage(ctx context.Context, workspaceID string, m generated.BulkMessage) (messageID string, err error) {
	if c == nil {
		return "", errNilClient
	}
	body, err := json.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("%s: encode bulk message: %w", messageOp(workspaceID), err)
	}
	return c.postMessage(ctx, workspaceID, BulkMessageMediaType, body)
}

func messageOp(workspaceID string) string {
	if workspaceID == "" {
		return "defaultMessageCreate"
	}
	return "messageCreate"
}

// postMessage sends body, a message of contentType ("" for the
// operation's own), with messageCreate (or defaultMessageCreate when
// workspaceID is "") and returns the new message's id.
//
// It makes the request that the generated MessageCreateWithBody and
// DefaultMessageCreateWithBody make (TestSendMessageRequestIsTheGenerated
// compares them) and sends it through the same editors and pipeline, but
// without the generated builder's work on every call: parsing the server
// URL, formatting the path by reflection, resolving and printing the URL
// before http.NewRequest parses it again, and copying the body and the
// answer once more. A 202 answer is not parsed: its id is in Location. A
// 200 (a scheduled send) is decoded by the generated parser, as before.
func (c *Client) postMessage(ctx context.Context, workspaceID, contentType string, body []byte) (string, error) {
	op, rel := "messageCreate", "workspaces/"+url.PathEscape(workspaceID)+"/messages"
	if workspaceID == "" {
		op, rel = "defaultMessageCreate", "messages"
	}
	target, err := c.endpoint(rel)
	if err != nil {
		return "", fmt.Errorf("%s: %w", op, err)
	}
	// The body goes to the pipeline directly: req.Body stays empty.
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, nil)
	if err != nil {
		return "", fmt.Errorf("%s: %w", op, err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if err := c.edit(ctx, req); err != nil {
		return "", err
	}
	resp, data, err := c.pipeline.doBody(req, body)
	if err != nil {
		return "", err
	}
	var scheduled *generated.Message
	if resp.StatusCode == http.StatusOK {
		// The generated parsers decode only this 2xx; for the others they
		// read the body and bind Location, which cannot fail.
		resp.Body = io.NopCloser(bytes.NewReader(data))
		if workspaceID == "" {
			r, err := generated.ParseDefaultMessageCreateResponse(resp)
			if err != nil {
				return "", err
			}
			scheduled = r.JSON200
		} else {
			r, err := generated.ParseMessageCreateResponse(resp)
			if err != nil {
				return "", err
			}
			scheduled = r.JSON200
		}
	}
	return messageIDFrom(op, resp, scheduled)
}

// endpoint returns the URL of rel, a path below the base URL whose
// segments are escaped, as the generated request builders make it: they
// resolve "./"+rel against the base URL with a trailing slash, which
// appends rel unless a "." or ".." segment (or a leading "//") is to be
// resolved; that case is left to net/url.
func (c *Client) endpoint(rel string) (string, error) {
	if !c.dotBase && !hasDotSegment(rel) {
		return c.serverURL + rel, nil
	}
	base, err := url.Parse(c.serverURL)
	if err != nil {
		return "", err
	}
	u, err := base.Parse("./" + rel)
	if err != nil {
		return "", err
	}
	return u.String(), nil
}

// hasDotSegment reports a "." or ".." segment in an escaped path.
func hasDotSegment(p string) bool {
	for seg := range strings.SplitSeq(p, "/") {
		if seg == "." || seg == ".." {
			return true
		}
	}
	return false
}

func messageIDFrom(op string, resp *http.Response, scheduled *generated.Message) (string, error) {
	if loc := resp.Header.Get("Location"); loc != "" {
		id, err := IDFromLocation(loc)
		if err != nil {
			return "", fmt.Errorf("%s: %w", op, err)
		}
		return id, nil
	}
	if scheduled != nil {
		id, err := MessageID(*scheduled)
		if err != nil {
			return "", fmt.Errorf("%s: %d: %w", op, resp.StatusCode, err)
		}
		return id, nil
	}
	return "", fmt.Errorf("%s: %d: %w", op, resp.StatusCode, ErrNoID)
}

// MessageID returns the id of a message as a list (MessageSummary) or a
// retrieval or scheduled send (Message) shows it: its id field when the
// answer has one, else the last path segment of its self link. Whispir's
// own examples of messages carry no id field, only the link, so read ids
// through MessageID rather than the ID field:
//
//	for m, err := range c.Messages(ctx, "", nil) {
//		if err != nil { ... }
//		id, err := api.MessageID(m)
//	}
//
// Only a plausible id is returned, as from [IDFromLocation]; a message with
// neither an id nor a self link is an error wrapping ErrNoID.
func MessageID[M generated.Message | generated.MessageSummary](m M) (string, error) {
	switch v := any(m).(type) {
	case generated.Message:
		return idOrSelf(v.ID, v.Link)
	case generated.MessageSummary:
		return idOrSelf(v.ID, v.Link)
	}
	return "", ErrNoID // not reached: M is one of the two
}

// idOrSelf returns id when it is set, else the id its self link names.
func idOrSelf(id *string, links *generated.Links) (string, error) {
	if id != nil && *id != "" {
		if err := checkID(*id); err != nil {
			return "", fmt.Errorf("%w: the id field is not an id (letters, digits, '-' and '_', at most %d bytes)", ErrNoID, maxIDLength)
		}
		return *id, nil
	}
	for _, l := range derefLinks(links) {
		if l.Rel != nil && strings.EqualFold(*l.Rel, "self") && l.URI != nil {
			return IDFromLocation(*l.URI)
		}
	}
	return "", fmt.Errorf("%w: neither an id nor a self link", ErrNoID)
}

// maxIDLength bounds an id taken from a Location or a link. Whispir's ids
// are 16 or 32 hex digits, 36-character UUIDs (keys) or 21-character
// nanoid-like OTP ids.
const maxIDLength = 128

// IDFromLocation returns the id a Location header (or link URI) names: its
// last path segment, without query or fragment. Absolute and relative URIs
// both work.
//
// Only a plausible id is returned: 1 to 128 ASCII letters, digits, '-' and
// '_', which covers Whispir's hex ids, UUIDs and OTP ids. Anything else (".",
// "..", a percent-encoded segment such as %2e%2e or %2F, spaces, control
// characters, a longer segment) is an error wrapping ErrNoID, so a
// hostile Location cannot steer a later request built from the id. Errors
// never quote the location.
func IDFromLocation(location string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(location))
	if err != nil {
		return "", fmt.Errorf("%w: location is not a URI", ErrNoID)
	}
	p := strings.TrimSuffix(u.EscapedPath(), "/")
	id := p[strings.LastIndexByte(p, '/')+1:]
	switch {
	case id == "":
		return "", fmt.Errorf("%w: location has no path", ErrNoID)
	case len(id) > maxIDLength:
		return "", fmt.Errorf("%w: the location's last path segment is longer than %d bytes", ErrNoID, maxIDLength)
	case checkID(id) != nil:
		return "", fmt.Errorf("%w: the location's last path segment is not an id (letters, digits, '-' and '_')", ErrNoID)
	}
	return id, nil
}

// errNotAnID is checkID's answer; callers word their own error.
var errNotAnID = errors.New("not an id")

// checkID accepts 1 to maxIDLength ASCII letters, digits, '-' and '_'.
func checkID(id string) error {
	if id == "" || len(id) > maxIDLength || strings.ContainsFunc(id, func(r rune) bool { return !idRune(r) }) {
		return errNotAnID
	}
	return nil
}

func idRune(r rune) bool {
	return r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r == '-' || r == '_'
}

func derefLinks(l *generated.Links) []generated.Link {
	if l == nil {
		return nil
	}
	return *l
}
