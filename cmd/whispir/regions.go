package main

import (
	"bufio"
	"context"
	"fmt"
	"io"

	"github.com/whispir-go/whispir/api"
)

var regionsCommand = &command{
	name:  "regions",
	short: "print each Whispir region and its base URL",
	usage: `Usage: whispir regions

Prints each region code and its base URL, one per line, from the servers of
the embedded OpenAPI document. Use a code with --region or WHISPIR_REGION.
`,
	run: runRegions,
}

func runRegions(_ context.Context, g *globals, args []string, stdout, _ io.Writer) error {
	if err := parse(g.flagSet("regions"), args); err != nil {
		return err
	}
	regions := api.Regions()
	if len(regions) == 0 {
		return fmt.Errorf("no regions in the embedded spec")
	}
	w := bufio.NewWriter(stdout)
	for _, r := range regions {
		u, err := r.BaseURL()
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%s %s\n", r, u)
	}
	return w.Flush()
}
