package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/whispir-go/whispir/generated"
)

// BulkMessageMediaType is the media type of a bulk (dynamic) message.
const BulkMessageMediaType = "application/vnd.whispir.bulkmessage-v1+json"

// ErrNoMessageID: a send was accepted but its answer named no message id.
var ErrNoMessageID = errors.New("no message id in the response")

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
	op := "messageCreate"
	var resp *http.Response
	var scheduled *generated.Message
	if workspaceID == "" {
		op = "defaultMessageCreate"
		r, err := c.DefaultMessageCreateWithResponse(ctx, m)
		if err != nil {
			return "", err
		}
		resp, scheduled = r.HTTPResponse, r.JSON200
	} else {
		r, err := c.MessageCreateWithResponse(ctx, workspaceID, m)
		if err != nil {
			return "", err
		}
		resp, scheduled = r.HTTPResponse, r.JSON200
	}
	return messageIDFrom(op, resp, scheduled)
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
		return "", fmt.Errorf("messageCreate: encode bulk message: %w", err)
	}
	op := "messageCreate"
	var resp *http.Response
	var scheduled *generated.Message
	if workspaceID == "" {
		op = "defaultMessageCreate"
		r, err := c.DefaultMessageCreateWithBodyWithResponse(ctx, BulkMessageMediaType, bytes.NewReader(body))
		if err != nil {
			return "", err
		}
		resp, scheduled = r.HTTPResponse, r.JSON200
	} else {
		r, err := c.MessageCreateWithBodyWithResponse(ctx, workspaceID, BulkMessageMediaType, bytes.NewReader(body))
		if err != nil {
			return "", err
		}
		resp, scheduled = r.HTTPResponse, r.JSON200
	}
	return messageIDFrom(op, resp, scheduled)
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
		if scheduled.ID != nil && *scheduled.ID != "" {
			return *scheduled.ID, nil
		}
		for _, l := range derefLinks(scheduled.Link) {
			if l.Rel != nil && strings.EqualFold(*l.Rel, "self") && l.URI != nil {
				return IDFromLocation(*l.URI)
			}
		}
	}
	return "", fmt.Errorf("%s: %d: %w", op, resp.StatusCode, ErrNoMessageID)
}

// IDFromLocation returns the id a Location header (or link URI) names: its
// last path segment, without query or fragment. Absolute and relative URIs
// both work.
func IDFromLocation(location string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(location))
	if err != nil {
		return "", fmt.Errorf("%w: location is not a URI", ErrNoMessageID)
	}
	id := path.Base(strings.TrimRight(u.Path, "/"))
	if id == "." || id == "/" || id == "" {
		return "", fmt.Errorf("%w: location has no path", ErrNoMessageID)
	}
	return id, nil
}

func derefLinks(l *generated.Links) []generated.Link {
	if l == nil {
		return nil
	}
	return *l
}
