package main

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

func newOpsCommand(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "ops [OPERATION ...]",
		Short: "list the spec's operations, or show one with its parameters",
		Long: `Without arguments, lists every operation of the spec, one per line: its id
(what 'whispir call' takes), method, path and summary. With operation ids,
shows each with its description, parameters and body.

With --json, an array of {"id", "method", "path", "summary", "tags",
"description", "parameters": [{"name", "in", "required", "type", "enum",
"description"}], "requestMediaTypes", "bodyRequired"}.`,
		Args:              cobra.ArbitraryArgs,
		ValidArgsFunction: completeOps,
		RunE: func(cmd *cobra.Command, args []string) error {
			cat, err := loadCatalog()
			if err != nil {
				return err
			}
			ops := cat.ops
			if len(args) > 0 {
				ops = nil
				for _, id := range args {
					op, err := cat.lookup(id)
					if err != nil {
						return err
					}
					ops = append(ops, op)
				}
			}
			switch {
			case g.json:
				out := make([]opJSON, len(ops))
				for i, op := range ops {
					out[i] = newOpJSON(op)
				}
				return writeJSON(cmd.OutOrStdout(), out)
			case len(args) == 0:
				return writeOpsTable(cmd.OutOrStdout(), ops)
			}
			return writeOpsDetail(cmd.OutOrStdout(), ops)
		},
	}
}

// opJSON is an operation as ops --json prints it.
type opJSON struct {
	ID                string      `json:"id"`
	Method            string      `json:"method"`
	Path              string      `json:"path"`
	Summary           string      `json:"summary"`
	Tags              []string    `json:"tags"`
	Description       string      `json:"description,omitempty"`
	Parameters        []paramJSON `json:"parameters"`
	RequestMediaTypes []string    `json:"requestMediaTypes"`
	BodyRequired      bool        `json:"bodyRequired"`
}

type paramJSON struct {
	Name        string   `json:"name"`
	In          string   `json:"in"` // path, query, header or cookie
	Required    bool     `json:"required"`
	Type        string   `json:"type"`
	Enum        []string `json:"enum,omitempty"`
	Description string   `json:"description,omitempty"`
}

func newOpJSON(op *operation) opJSON {
	out := opJSON{
		ID: op.ID, Method: op.Method, Path: op.Path, Summary: op.Summary, Tags: op.Tags,
		Description: op.Description, Parameters: []paramJSON{},
		RequestMediaTypes: op.RequestMediaTypes, BodyRequired: op.BodyRequired,
	}
	if out.Tags == nil {
		out.Tags = []string{}
	}
	if out.RequestMediaTypes == nil {
		out.RequestMediaTypes = []string{}
	}
	for _, p := range op.Params {
		out.Parameters = append(out.Parameters, paramJSON{Name: p.Name, In: p.In, Required: p.Required, Type: p.Type, Enum: p.Enum, Description: p.Description})
	}
	return out
}

// writeOpsTable writes one aligned line per operation.
func writeOpsTable(w io.Writer, ops []*operation) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, op := range ops {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", op.ID, op.Method, op.Path, op.Summary)
	}
	return tw.Flush()
}

// writeOpsDetail writes each operation with its parameters and body, and
// an example call.
func writeOpsDetail(w io.Writer, ops []*operation) error {
	bw := bufio.NewWriter(w)
	for i, op := range ops {
		if i > 0 {
			bw.WriteString("\n")
		}
		fmt.Fprintf(bw, "%s: %s %s\n", op.ID, op.Method, op.Path)
		if op.Summary != "" {
			fmt.Fprintf(bw, "%s.\n", strings.TrimSuffix(op.Summary, "."))
		}
		if op.Description != "" {
			fmt.Fprintf(bw, "\n%s\n", op.Description)
		}
		example := []string{"whispir call " + op.ID}
		if len(op.Params) > 0 {
			bw.WriteString("\nParameters:\n")
			tw := tabwriter.NewWriter(bw, 0, 4, 2, ' ', 0)
			for _, p := range op.Params {
				where := p.In
				if p.Required {
					where += ", required"
					example = append(example, p.Name+"=...")
				}
				typ := p.Type
				if len(p.Enum) > 0 {
					typ += ": " + strings.Join(p.Enum, ", ")
				}
				fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", p.Name, where, typ, p.Description)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
		}
		if op.Body {
			required := "optional"
			if op.BodyRequired {
				required = "required"
			}
			fmt.Fprintf(bw, "\nBody (%s): %s\n", required, strings.Join(op.RequestMediaTypes, ", "))
			example = append(example, "--body FILE")
		}
		fmt.Fprintf(bw, "\n  %s\n", strings.Join(example, " "))
	}
	return bw.Flush()
}

// completeOps completes ops's arguments with operation ids.
func completeOps(cmd *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	return completeCall(cmd, nil, toComplete)
}
