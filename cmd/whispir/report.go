package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/whispir-go/whispir"
	"github.com/whispir-go/whispir/api"
)

// mockNotFoundHint explains a 404 under --mock, where it usually means an id
// from an earlier run.
const mockNotFoundHint = "each --mock run starts a new, empty mock server, which knows nothing an earlier run made; " +
	"for one that lasts, run 'whispir mock' in another shell, export the " + envBaseURL +
	" and credentials it prints, and leave out --mock"

// report prints err, if any, on stderr (as one JSON object with --json) and
// returns the exit code it calls for: 2 for a usage error, 1 otherwise.
func report(g *globals, cmd *cobra.Command, err error, asJSON bool, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	code := exitError
	var ue *usageError
	if errors.As(err, &ue) || errors.Is(err, errUsageShown) {
		code = exitUsage
	}
	if errors.Is(err, errUsageShown) {
		return code // the usage text is on stderr already
	}
	name := commandName(cmd)
	hint := ""
	if g.mock && errors.Is(err, api.ErrNotFound) {
		hint = mockNotFoundHint
	}
	if asJSON {
		e := jsonError{Error: oneLine(err.Error()), Command: name, ExitCode: code, Hint: hint}
		var apiErr *api.Error
		var invalid *whispir.ValidationError
		switch {
		case errors.As(err, &apiErr):
			e.Operation, e.Status, e.Code = apiErr.Operation, apiErr.StatusCode, apiErr.Code
		case errors.As(err, &invalid):
			e.Operation = invalid.Operation
		}
		_ = writeJSON(stderr, e)
		return code
	}
	prefix := "whispir"
	if name != "" && name != "help" {
		prefix += " " + name
	}
	fmt.Fprintf(stderr, "%s: %s\n", prefix, oneLine(err.Error()))
	if hint != "" {
		fmt.Fprintf(stderr, "(%s)\n", hint)
	}
	if code == exitUsage {
		topic := ""
		if name != "" && name != "help" {
			topic = " " + name
		}
		fmt.Fprintf(stderr, "Run 'whispir help%s' for usage.\n", topic)
	}
	return code
}

// jsonError is an error as --json prints it on stderr.
type jsonError struct {
	Error     string `json:"error"`               // one line, as without --json
	Command   string `json:"command,omitempty"`   // e.g. "callbacks create"
	ExitCode  int    `json:"exitCode"`            // 1 or 2
	Operation string `json:"operation,omitempty"` // the spec operation, when one failed
	Status    int    `json:"status,omitempty"`    // the HTTP status of an API error
	Code      string `json:"code,omitempty"`      // the gateway's X-Error-Code
	Hint      string `json:"hint,omitempty"`
}

// commandName is the command's path without the program name: "send",
// "callbacks create"; "" for the root command.
func commandName(cmd *cobra.Command) string {
	if cmd == nil || !cmd.HasParent() {
		return ""
	}
	_, name, _ := strings.Cut(cmd.CommandPath(), " ")
	return name
}

// writeJSON writes v as one line of JSON.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// apiError makes a request that breaks the spec (it was never sent) a
// usage error; other errors pass through.
func apiError(err error) error {
	if errors.Is(err, api.ErrInvalidRequest) {
		return &usageError{msg: err.Error(), err: err}
	}
	return err
}

// oneLine joins the lines of s (errors.Join output, for one) with "; ".
func oneLine(s string) string {
	lines := strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' })
	for i := range lines {
		lines[i] = strings.TrimSpace(lines[i])
	}
	return strings.Join(lines, "; ")
}
