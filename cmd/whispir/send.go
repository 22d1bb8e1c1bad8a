package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/whispir-go/whispir/generated"
)

var sendCommand = &command{
	name:  "send",
	short: "send an SMS and print the new message's id",
	usage: `Usage: whispir [global flags] send --to NUMBERS --subject S --body B [--label L]

Sends an SMS and prints the new message's id on its own line.

	--to NUMBERS   comma-separated recipients: phone numbers with country code
	               (61400000000), emails, or contact, user and list MRIs
	--subject S    first line of the SMS
	--body B       the SMS text
	--label L      a label to find the message by later

Spec operations: messageCreate (POST /workspaces/{workspaceId}/messages), or
defaultMessageCreate (POST /messages) without --workspace.

Global flags (see 'whispir help'):

` + globalFlagsUsage,
	run: runSend,
}

func runSend(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	fs := g.flagSet("send")
	var to, subject, body, label string
	fs.StringVar(&to, "to", "", "recipients")
	fs.StringVar(&subject, "subject", "", "subject")
	fs.StringVar(&body, "body", "", "SMS text")
	fs.StringVar(&label, "label", "", "label")
	if err := parse(fs, args); err != nil {
		return err
	}
	to = recipients(to)
	var missing []string
	for _, f := range []struct{ name, value string }{{"--to", to}, {"--subject", subject}, {"--body", body}} {
		if strings.TrimSpace(f.value) == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return usagef("missing %s", strings.Join(missing, ", "))
	}
	m := generated.Message{To: to, Subject: &subject, Body: &body}
	if label != "" {
		m.Label = &label
	}
	c, release, err := g.client(stderr)
	if err != nil {
		return err
	}
	defer release()
	id, err := c.SendMessage(ctx, g.workspace, m)
	if err != nil {
		return apiError(err)
	}
	_, err = fmt.Fprintln(stdout, id)
	return err
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
