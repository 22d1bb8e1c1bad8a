package main

import (
	"bufio"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/whispir-go/whispir/api"
)

func newRegionsCommand(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "regions",
		Short: "print each Whispir region and its base URL",
		Long: `Prints each region code and its base URL, one per line, from the servers of
the embedded OpenAPI document. Use a code with --region or WHISPIR_REGION.

With --json: [{"region": "AU", "baseUrl": "https://api.au.whispir.com"}, ...].`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			regions, err := regionTable()
			if err != nil {
				return err
			}
			if g.json {
				return writeJSON(cmd.OutOrStdout(), regions)
			}
			w := bufio.NewWriter(cmd.OutOrStdout())
			for _, r := range regions {
				fmt.Fprintf(w, "%s %s\n", r.Region, r.BaseURL)
			}
			return w.Flush()
		},
	}
}

// regionRow is one region as regions --json prints it.
type regionRow struct {
	Region  string `json:"region"`
	BaseURL string `json:"baseUrl"`
}

// regionTable lists the spec's regions in its order.
func regionTable() ([]regionRow, error) {
	regions := api.Regions()
	if len(regions) == 0 {
		return nil, fmt.Errorf("no regions in the embedded spec")
	}
	rows := make([]regionRow, len(regions))
	for i, r := range regions {
		u, err := r.BaseURL()
		if err != nil {
			return nil, err
		}
		rows[i] = regionRow{Region: r.String(), BaseURL: u}
	}
	return rows, nil
}

// completeRegions completes --region with the spec's region codes.
func completeRegions(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	var out []cobra.Completion
	rows, _ := regionTable()
	for _, r := range rows {
		if strings.HasPrefix(strings.ToUpper(r.Region), strings.ToUpper(toComplete)) {
			out = append(out, cobra.CompletionWithDesc(r.Region, r.BaseURL))
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}
