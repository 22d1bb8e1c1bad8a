// Command whispir calls the Whispir API from the command line: it sends
// messages, reads their status, calls any operation of the spec, manages
// and receives callbacks, and runs the whispir-go mock server.
//
// Usage:
//
//	whispir [global flags] <command> [flags]
//
// The commands are:
//
//	send        send an SMS and print the new message's id
//	status      print a message's delivery status
//	call        call any operation of the spec: whispir call contactList limit=5
//	ops         list the spec's operations, or show one with its parameters
//	callbacks   manage callbacks (list, create, delete) or receive their calls (listen)
//	mock        serve the mock Whispir API on a loopback address
//	regions     print each Whispir region and its base URL
//	spec        print the OpenAPI document the SDK is built from
//	completion  print a shell completion script (bash, zsh, fish, powershell)
//	help        print help: whispir help call
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
//	--json            print results, and errors on stderr, as JSON
//	-v, --verbose     log each request (operation, status, timing) to stderr
//
// and, on its own, --version. Single-dash long flags (-mock, -to=...) are
// accepted too.
//
// Prefer the environment variables WHISPIR_API_KEY, WHISPIR_USERNAME and
// WHISPIR_PASSWORD to the credential flags: values on a command line are
// visible to other users of the machine (ps) and kept in shell history.
// Nothing whispir prints, debug logs included, contains a credential or a
// message body, except the mock command, which prints the mock's own fake
// credentials, callbacks listen, whose output is the events it receives
// (replies, phone numbers and addresses), never the key, and call, whose
// output is the answer to the request it was asked to make.
//
// Retries (rate limits, gateway errors) are reported on stderr as they
// happen, one log line each.
//
// Try it without an account:
//
//	go run ./cmd/whispir --mock send --to 61400000000 --subject "Hello" --body "From whispir-go"
//
// Exit status is 0 on success, 1 when the API or the network fails, and 2
// for a usage error (unknown command, operation or flag, missing argument,
// missing credentials, a base URL that is not allowed, a request that breaks
// the spec).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
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
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is the whole tool: it parses args (without the program name), runs
// the command and returns the exit code. Environment variables are read
// through env only, so tests can inject them.
func run(ctx context.Context, args []string, env func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	g := newGlobals(env)
	root := newRootCommand(g, stdin, stdout, stderr)
	root.SetArgs(singleDashLongFlags(root, args))
	cmd, err := root.ExecuteContextC(ctx)
	asJSON := g.json
	if g.badFlags {
		asJSON = wantsJSON(args) // parsing stopped, maybe before --json
	}
	return report(g, cmd, err, asJSON, stderr)
}

// usageError is a wrong command line: exit status 2. err, if any, is the
// error that showed it, such as a request that breaks the spec.
type usageError struct {
	msg string
	err error
}

func (e *usageError) Error() string { return e.msg }
func (e *usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// errUsageShown is a usage error whose explanation (the usage text) has
// already been printed.
var errUsageShown = errors.New("usage shown")
