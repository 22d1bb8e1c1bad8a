package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/whispir-go/whispir/api"
	"github.com/whispir-go/whispir/generated"
)

var statusCommand = &command{
	name:  "status",
	short: "print a message's delivery status",
	usage: `Usage: whispir [global flags] status --id MESSAGE_ID [--detailed]

Prints how many recipients of the message are in each delivery category, one
line each ("Sent: 1 (100.0%)"), or with --detailed one line per recipient and
channel ("61400000000 sms DELIVRD").

	--id ID       the message id that send printed
	--detailed    list each recipient instead of the summary

Spec operations: messageStatusList
(GET /workspaces/{workspaceId}/messages/{messageId}/messagestatus), or
defaultMessageStatusList (GET /messages/{messageId}/messagestatus) without
--workspace.

Global flags (see 'whispir help'):

` + globalFlagsUsage,
	run: runStatus,
}

// maxStatusPages bounds how many pages of a detailed status are followed.
const maxStatusPages = 1000

func runStatus(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	fs := g.flagSet("status")
	var id string
	var detailed bool
	fs.StringVar(&id, "id", "", "message id")
	fs.BoolVar(&detailed, "detailed", false, "one line per recipient")
	if err := parse(fs, args); err != nil {
		return err
	}
	if id = strings.TrimSpace(id); id == "" {
		return usagef("missing --id")
	}
	c, release, err := g.client(stderr)
	if err != nil {
		return err
	}
	defer release()

	view := generated.DetailLevel("summary")
	if detailed {
		view = "detailed"
	}
	w := bufio.NewWriter(stdout)
	limit := api.PageSize
	for page, offset := 0, 0; page < maxStatusPages; page++ {
		params := generated.MessageStatusListParams{Limit: &limit, Offset: &offset, View: &view}
		coll, err := statusPage(ctx, c, g.workspace, id, params)
		if err != nil {
			return apiError(err)
		}
		entries := deref(coll.MessageStatuses)
		for _, st := range entries {
			if detailed {
				writeDetailed(w, st)
			} else {
				writeSummary(w, st)
			}
		}
		if _, more := api.NextLink(deref(coll.Link)); !more || len(entries) == 0 {
			break
		}
		offset += len(entries)
	}
	return w.Flush()
}

// statusPage gets one page of a message's status, from the workspace or,
// when workspace is "", from the default workspace.
func statusPage(ctx context.Context, c *api.Client, workspace, id string, params generated.MessageStatusListParams) (*generated.MessageStatusCollection, error) {
	if workspace == "" {
		dp := generated.DefaultMessageStatusListParams(params)
		r, err := c.DefaultMessageStatusListWithResponse(ctx, id, &dp)
		if err != nil {
			return nil, err
		}
		if r.JSON200 == nil {
			return nil, fmt.Errorf("defaultMessageStatusList: %d: no status in the response", r.StatusCode())
		}
		return r.JSON200, nil
	}
	r, err := c.MessageStatusListWithResponse(ctx, workspace, id, &params)
	if err != nil {
		return nil, err
	}
	if r.JSON200 == nil {
		return nil, fmt.Errorf("messageStatusList: %d: no status in the response", r.StatusCode())
	}
	return r.JSON200, nil
}

// writeSummary writes one line per category: "Sent: 1 (100.0%)".
func writeSummary(w io.Writer, st generated.MessageStatus) {
	for _, cat := range deref(st.Categories) {
		name := str(cat.Name)
		if name == "" {
			continue
		}
		n := 0
		if cat.RecipientCount != nil {
			n = *cat.RecipientCount
		}
		if pct := strings.TrimSpace(str(cat.PercentageTotal)); pct != "" {
			fmt.Fprintf(w, "%s: %d (%s)\n", name, n, pct)
		} else {
			fmt.Fprintf(w, "%s: %d\n", name, n)
		}
	}
}

// writeDetailed writes one line per channel used for the recipient:
// "61400000000 sms DELIVRD", then the carrier's information if any.
func writeDetailed(w io.Writer, st generated.MessageStatus) {
	name := firstNonEmpty(str(st.Name), "-")
	info := strings.Join(strings.Fields(str(st.Info)), " ")
	wrote := false
	for _, ch := range deref(st.Status) {
		status := str(ch.Status)
		if status == "" {
			continue // channel not used
		}
		line := name + " " + firstNonEmpty(str(ch.Type), "-") + " " + status
		if info != "" {
			line += " " + info
		}
		fmt.Fprintln(w, line)
		wrote = true
	}
	if !wrote && info != "" {
		fmt.Fprintln(w, name+" - - "+info)
	}
}

// apiError makes a request that breaks the spec (it was never sent) a
// usage error; other errors pass through.
func apiError(err error) error {
	if errors.Is(err, api.ErrInvalidRequest) {
		return usagef("%v", err)
	}
	return err
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func deref[T any](p *[]T) []T {
	if p == nil {
		return nil
	}
	return *p
}
