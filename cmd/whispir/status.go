package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/whispir-go/whispir/api"
	"github.com/whispir-go/whispir/generated"
)

func newStatusCommand(g *globals) *cobra.Command {
	var id string
	var detailed bool
	cmd := &cobra.Command{
		Use:   "status --id MESSAGE_ID [--detailed]",
		Short: "print a message's delivery status",
		Long: `Prints how many recipients of the message are in each delivery category, one
line each ("Sent: 1 (100.0%)"), or with --detailed one line per recipient and
channel ("61400000000 sms DELIVRD").

With --json: {"id": ..., "categories": [{"name", "count", "percentage"}]}, or
with --detailed {"id": ..., "recipients": [{"name", "channel", "status", "info"}]}.

Spec operations: messageStatusList
(GET /workspaces/{workspaceId}/messages/{messageId}/messagestatus), or
defaultMessageStatusList (GET /messages/{messageId}/messagestatus) without
--workspace.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if id = strings.TrimSpace(id); id == "" {
				return usagef("missing --id")
			}
			return runStatus(cmd.Context(), g, id, detailed, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	cmd.Flags().StringVar(&id, "id", "", "the message id that send printed")
	cmd.Flags().BoolVar(&detailed, "detailed", false, "list each recipient instead of the summary")
	return cmd
}

// maxStatusPages bounds how many pages of a detailed status are followed.
const maxStatusPages = 1000

// statusReport is what status prints with --json.
type statusReport struct {
	ID         string            `json:"id"`
	Categories []statusCategory  `json:"categories,omitempty"`
	Recipients []statusRecipient `json:"recipients,omitempty"`
}

type statusCategory struct {
	Name       string `json:"name"`
	Count      int    `json:"count"`
	Percentage string `json:"percentage,omitempty"` // as Whispir gives it: "100.0%"
}

type statusRecipient struct {
	Name    string `json:"name"`    // the number, address or contact name
	Channel string `json:"channel"` // sms, email, voice, ...
	Status  string `json:"status"`  // e.g. DELIVRD
	Info    string `json:"info,omitempty"`
}

func runStatus(ctx context.Context, g *globals, id string, detailed bool, stdout, stderr io.Writer) error {
	c, release, err := g.client(stderr)
	if err != nil {
		return err
	}
	defer release()

	view := generated.DetailLevel("summary")
	if detailed {
		view = "detailed"
	}
	report := statusReport{ID: id, Categories: []statusCategory{}}
	if detailed {
		report = statusReport{ID: id, Recipients: []statusRecipient{}}
	}
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
				report.Recipients = append(report.Recipients, recipientsOf(st)...)
			} else {
				report.Categories = append(report.Categories, categoriesOf(st)...)
			}
		}
		if _, more := api.NextLink(deref(coll.Link)); !more || len(entries) == 0 {
			break
		}
		offset += len(entries)
	}
	if g.json {
		return writeJSON(stdout, report)
	}
	w := bufio.NewWriter(stdout)
	for _, cat := range report.Categories {
		if cat.Percentage != "" {
			fmt.Fprintf(w, "%s: %d (%s)\n", cat.Name, cat.Count, cat.Percentage)
		} else {
			fmt.Fprintf(w, "%s: %d\n", cat.Name, cat.Count)
		}
	}
	for _, r := range report.Recipients {
		line := firstNonEmpty(r.Name, "-") + " " + firstNonEmpty(r.Channel, "-") + " " + firstNonEmpty(r.Status, "-")
		if r.Info != "" {
			line += " " + r.Info
		}
		fmt.Fprintln(w, line)
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

// categoriesOf returns the delivery categories of a summary.
func categoriesOf(st generated.MessageStatus) []statusCategory {
	var out []statusCategory
	for _, cat := range deref(st.Categories) {
		name := str(cat.Name)
		if name == "" {
			continue
		}
		c := statusCategory{Name: name, Percentage: strings.TrimSpace(str(cat.PercentageTotal))}
		if cat.RecipientCount != nil {
			c.Count = *cat.RecipientCount
		}
		out = append(out, c)
	}
	return out
}

// recipientsOf returns one entry per channel used for the recipient, with
// the carrier's information if any; a recipient with information but no
// channel gets one entry without channel and status.
func recipientsOf(st generated.MessageStatus) []statusRecipient {
	name := str(st.Name)
	info := strings.Join(strings.Fields(str(st.Info)), " ")
	var out []statusRecipient
	for _, ch := range deref(st.Status) {
		status := str(ch.Status)
		if status == "" {
			continue // channel not used
		}
		out = append(out, statusRecipient{Name: name, Channel: str(ch.Type), Status: status, Info: info})
	}
	if len(out) == 0 && info != "" {
		out = append(out, statusRecipient{Name: name, Info: info})
	}
	return out
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
