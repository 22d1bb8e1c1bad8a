// Command whispir sends messages through the Whispir API, manages and
// receives callbacks, and runs the whispir-go mock server, from the command
// line.
//
// Usage:
//
//	whispir [global flags] <command> [flags]
//
// The commands are:
//
//	send       send an SMS and print the new message's id
//	status     print a message's delivery status
//	regions    print each Whispir region and its base URL
//	spec       print the OpenAPI document the SDK is built from
//	mock       serve the mock Whispir API on a loopback address
//	callbacks  manage callbacks (list, create, delete) or receive their calls (listen)
//	help       print this help, or a command's: whispir help send
//
// Global flags (they may also follow the command name):
//
//	--mock            start the in-process mock server and use its URL and credentials
//	--region R        AU, NZ, AP, AP1, US, IT or EDU (default $WHISPIR_REGION, else AU)
//	--base-url URL    base URL; overrides --region (default $WHISPIR_BASE_URL);
//	                  https, or http on a loopback host only
//	--api-key K       API key (default $WHISPIR_API_KEY)
//	--username U      username (default $WHISPIR_USERNAME)
//	--password P      password (default $WHISPIR_PASSWORD)
//	--workspace W     workspace id (default: the company's default workspace)
//	--timeout D       bound on each HTTP attempt (default 30s)
//	-v                log each request (operation, status, timing) to stderr
//
// Prefer the environment variables WHISPIR_API_KEY, WHISPIR_USERNAME and
// WHISPIR_PASSWORD to the credential flags: values on a command line are
// visible to other users of the machine (ps) and kept in shell history.
// Nothing whispir prints, debug logs included, contains a credential or a
// message body, except the mock command, which prints the mock's own fake
// credentials, and callbacks listen, whose output is the events it receives
// (replies, phone numbers and addresses), never the key.
//
// Try it without an account:
//
//	go run ./cmd/whispir --mock send --to 61400000000 --subject "Hello" --body "From whispir-go"
//
// Exit status is 0 on success, 1 when the API or the network fails, and 2
// for a usage error (unknown command or flag, missing argument, missing
// credentials, a base URL that is not allowed).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// Exit codes.
const (
	exitOK    = 0
	exitError = 1 // the API or the network failed
	exitUsage = 2 // the command line is wrong
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// command is one subcommand of the tool.
type command struct {
	name  string
	short string // one line for the command list
	usage string // synopsis and flags, for "whispir help <name>"
	// run executes the command with the arguments after its name. It
	// returns a *usageError for a wrong command line.
	run func(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error
}

// commands lists the subcommands in the order the help shows them.
func commands() []*command {
	return []*command{sendCommand, statusCommand, regionsCommand, specCommand, mockCommand, callbacksCommand}
}

func lookup(name string) *command {
	for _, c := range commands() {
		if c.name == name {
			return c
		}
	}
	return nil
}

// run is the whole tool: it parses args (without the program name), runs
// the command and returns the exit code. Environment variables are read
// through env only, so tests can inject them.
func run(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) int {
	g := newGlobals(env)
	fs := flag.NewFlagSet("whispir", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	g.register(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			writeUsage(stdout)
			return exitOK
		}
		fmt.Fprintf(stderr, "whispir: %v\n", err)
		fmt.Fprintln(stderr, "Run 'whispir help' for usage.")
		return exitUsage
	}
	rest := fs.Args()
	if len(rest) == 0 {
		writeUsage(stderr)
		return exitUsage
	}
	name, rest := rest[0], rest[1:]
	if name == "help" {
		return help(rest, stdout, stderr)
	}
	cmd := lookup(name)
	if cmd == nil {
		fmt.Fprintf(stderr, "whispir: unknown command %q\n", name)
		fmt.Fprintln(stderr, "Run 'whispir help' for usage.")
		return exitUsage
	}
	err := cmd.run(ctx, g, rest, stdout, stderr)
	return report(cmd, err, stdout, stderr)
}

// report prints err, if any, and returns the exit code it calls for.
func report(cmd *command, err error, stdout, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, cmd.usage)
		return exitOK
	}
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "whispir %s: %s\n", cmd.name, oneLine(ue.Error()))
		fmt.Fprintf(stderr, "Run 'whispir help %s' for usage.\n", cmd.name)
		return exitUsage
	}
	fmt.Fprintf(stderr, "whispir %s: %s\n", cmd.name, oneLine(err.Error()))
	return exitError
}

// help prints the tool's usage or a command's.
func help(args []string, stdout, stderr io.Writer) int {
	switch len(args) {
	case 0:
		writeUsage(stdout)
		return exitOK
	case 1:
		if cmd := lookup(args[0]); cmd != nil {
			fmt.Fprint(stdout, cmd.usage)
			return exitOK
		}
		fmt.Fprintf(stderr, "whispir help: unknown command %q\n", args[0])
	default:
		fmt.Fprintln(stderr, "whispir help: too many arguments")
	}
	fmt.Fprintln(stderr, "Run 'whispir help' for usage.")
	return exitUsage
}

func writeUsage(w io.Writer) {
	var b strings.Builder
	b.WriteString("Whispir from the command line.\n\nUsage:\n\n\twhispir [global flags] <command> [flags]\n\nCommands:\n\n")
	for _, c := range commands() {
		fmt.Fprintf(&b, "\t%-9s %s\n", c.name, c.short)
	}
	fmt.Fprintf(&b, "\t%-9s %s\n", "help", "print this help, or a command's: whispir help send")
	b.WriteString("\nGlobal flags (they may also follow the command name):\n\n")
	b.WriteString(globalFlagsUsage)
	b.WriteString(`
Credentials come from WHISPIR_API_KEY, WHISPIR_USERNAME and WHISPIR_PASSWORD
(safer than the flags: command lines show in ps and shell history); the region
from WHISPIR_REGION. Without an account, try the mock:

	whispir --mock send --to 61400000000 --subject "Hello" --body "From whispir-go"

Exit status: 0 ok, 1 API or network error, 2 usage error.
`)
	fmt.Fprint(w, b.String())
}

// usageError is a wrong command line: exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// oneLine joins the lines of s (errors.Join output, for one) with "; ".
func oneLine(s string) string {
	lines := strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' })
	for i := range lines {
		lines[i] = strings.TrimSpace(lines[i])
	}
	return strings.Join(lines, "; ")
}
