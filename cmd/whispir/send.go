package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/whispir-go/whispir/generated"
)

func newSendCommand(g *globals) *cobra.Command {
	var to, subject, body, label string
	cmd := &cobra.Command{
		Use:   "send --to NUMBERS --subject S --body B [--label L]",
		Short: "send an SMS and print the new message's id",
		Long: `Sends an SMS and prints the new message's id on its own line; with --json,
{"id": "..."}.

Spec operations: messageCreate (POST /workspaces/{workspaceId}/messages), or
defaultMessageCreate (POST /messages) without --workspace.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			to = recipients(to)
			if err := required("--to", to, "--subject", subject, "--body", body); err != nil {
				return err
			}
			m := generated.Message{To: to, Subject: &subject, Body: &body}
			if label != "" {
				m.Label = &label
			}
			c, release, err := g.client(cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			defer release()
			id, err := c.SendMessage(cmd.Context(), g.workspace, m)
			if err != nil {
				return apiError(err)
			}
			if g.json {
				return writeJSON(cmd.OutOrStdout(), struct {
					ID string `json:"id"`
				}{id})
			}
			_, err = fmt.Fprintln(cmd.OutOrStdout(), id)
			return err
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&to, "to", "", "comma-separated recipients: phone numbers with country code\n(61400000000), emails, or contact, user and list MRIs")
	fs.StringVar(&subject, "subject", "", "first line of the SMS")
	fs.StringVar(&body, "body", "", "the SMS text")
	fs.StringVar(&label, "label", "", "a label to find the message by later")
	return cmd
}

// required checks flags that must not be blank, given as name, value
// pairs: the usage error names every one missing.
func required(pairs ...string) error {
	var missing []string
	for i := 0; i+1 < len(pairs); i += 2 {
		if strings.TrimSpace(pairs[i+1]) == "" {
			missing = append(missing, pairs[i])
		}
	}
	if len(missing) > 0 {
		return usagef("missing %s", strings.Join(missing, ", "))
	}
	return nil
}

// recipients tidies a comma-separated list: no blanks around commas, no
// empty entries.
func recipients(s string) string {
	var out []string
	for _, r := range strings.Split(s, ",") {
		if r = strings.TrimSpace(r); r != "" {
			out = append(out, r)
		}
	}
	return strings.Join(out, ",")
}
