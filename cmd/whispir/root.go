package main

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

const rootLong = `Whispir from the command line: send messages and read their status, call
any operation of the Whispir API, manage and receive callbacks, run a mock.

Credentials come from WHISPIR_API_KEY, WHISPIR_USERNAME and WHISPIR_PASSWORD
(safer than the flags: command lines show in ps and shell history); the region
from WHISPIR_REGION, or the base URL from WHISPIR_BASE_URL. Without an
account, try the mock:

  whispir --mock send --to 61400000000 --subject "Hello" --body "From whispir-go"

With --json every command prints one JSON document (callbacks listen: one
per line) with stable field names, and errors as JSON on stderr. Retries are
reported on stderr as they happen.

Exit status: 0 ok, 1 API or network error, 2 usage error.`

// newRootCommand builds the command tree. Nothing here parses the spec or
// builds a client: commands do that when they run, so "whispir --help"
// starts as fast as the binary can.
func newRootCommand(g *globals, stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	var version bool
	root := &cobra.Command{
		Use:                        "whispir",
		Short:                      "Whispir from the command line",
		Long:                       rootLong,
		Args:                       cobra.ArbitraryArgs,
		SilenceErrors:              true,
		SilenceUsage:               true,
		SuggestionsMinimumDistance: 2,
		CompletionOptions:          cobra.CompletionOptions{DisableDefaultCmd: true},
		PersistentPreRunE:          func(*cobra.Command, []string) error { return g.check() },
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case version:
				return writeVersion(cmd.OutOrStdout(), g.json)
			case len(args) == 0 && g.json:
				return usagef("missing command; 'whispir help' lists them")
			case len(args) == 0:
				cmd.SetOut(cmd.ErrOrStderr())
				_ = cmd.Help()
				return errUsageShown
			}
			return usagef("unknown command %q%s", args[0], didYouMean(cmd.SuggestionsFor(args[0])))
		},
	}
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		g.badFlags = true
		return flagError(cmd, err)
	})
	g.register(root.PersistentFlags())
	root.Flags().BoolVar(&version, "version", false, "print the version of whispir and exit")
	_ = root.RegisterFlagCompletionFunc("region", completeRegions)

	root.AddCommand(
		newSendCommand(g),
		newStatusCommand(g),
		newCallCommand(g),
		newOpsCommand(g),
		newCallbacksCommand(g),
		newMockCommand(g),
		newRegionsCommand(g),
		newSpecCommand(g),
		newCompletionCommand(root),
	)
	root.SetHelpCommand(newHelpCommand(root))
	return root
}

// prefixCompletions completes with the choices that start with what was
// typed.
func prefixCompletions(choices ...cobra.Completion) cobra.CompletionFunc {
	return func(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		var out []cobra.Completion
		for _, c := range choices {
			if strings.HasPrefix(c, toComplete) {
				out = append(out, c)
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// newHelpCommand replaces cobra's help command, which answers an unknown
// topic with exit status 0.
func newHelpCommand(root *cobra.Command) *cobra.Command {
	return &cobra.Command{
		Use:   "help [command]",
		Short: "print help about any command: whispir help call",
		Args:  cobra.ArbitraryArgs,
		ValidArgsFunction: func(_ *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			parent, _, err := root.Find(args)
			if err != nil {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var names []cobra.Completion
			for _, c := range parent.Commands() {
				if c.IsAvailableCommand() && strings.HasPrefix(c.Name(), toComplete) {
					names = append(names, cobra.CompletionWithDesc(c.Name(), c.Short))
				}
			}
			return names, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			target, rest, err := root.Find(args)
			if err != nil || len(rest) > 0 || target == nil {
				return usagef("unknown command %q", strings.Join(args, " "))
			}
			target.SetOut(cmd.OutOrStdout())
			return target.Help()
		},
	}
}

// noArgs refuses positional arguments with a usage error.
func noArgs(_ *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usagef("unexpected argument %q", args[0])
	}
	return nil
}

// flagError turns pflag's errors into usage errors worded like the
// standard flag package's, which the tool used before cobra.
func flagError(_ *cobra.Command, err error) error {
	var notExist *pflag.NotExistError
	var needsValue *pflag.ValueRequiredError
	var invalid *pflag.InvalidValueError
	switch {
	case errors.As(err, &notExist):
		name := "--" + notExist.GetSpecifiedName()
		if short := notExist.GetSpecifiedShortnames(); short != "" {
			name = "-" + short
		}
		return usagef("flag provided but not defined: %s", name)
	case errors.As(err, &needsValue):
		return usagef("flag needs an argument: --%s", needsValue.GetFlag().Name)
	case errors.As(err, &invalid):
		return usagef("invalid value %q for flag --%s: %v", invalid.GetValue(), invalid.GetFlag().Name, errors.Unwrap(invalid))
	}
	return usagef("%v", err)
}

// didYouMean formats suggestions for an error message.
func didYouMean(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return fmt.Sprintf("; did you mean %s?", names[0])
	}
	return fmt.Sprintf("; did you mean one of %s?", strings.Join(names, ", "))
}

// singleDashLongFlags rewrites -name and -name=value, the single-dash long
// flags of Go's flag package that the tool accepted before it used cobra, to
// --name: "-mock" is --mock, not -m -o -c -k. Only names of flags the
// command at that point defines are rewritten; values (the word after a flag
// that takes one), shorthands (-v, -h) and everything after "--" are kept.
func singleDashLongFlags(root *cobra.Command, args []string) []string {
	out := slices.Clone(args)
	if out == nil {
		out = []string{} // nil would make cobra read os.Args
	}
	if len(out) > 0 && strings.HasPrefix(out[0], "__complete") {
		return out // shell completion requests pass the words as typed
	}
	cmd := root
	takesValue := false // the previous word was a flag waiting for its value
	for i, a := range out {
		switch {
		case takesValue:
			takesValue = false
		case a == "--":
			return out
		case !strings.HasPrefix(a, "-") || a == "-":
			if sub := subcommand(cmd, a); sub != nil {
				cmd = sub
			}
		case strings.HasPrefix(a, "--"):
			name, _, hasValue := strings.Cut(a[2:], "=")
			takesValue = !hasValue && needsValue(lookupFlag(cmd, name))
		case len(a) == 2: // a shorthand: -v, -h
			f := lookupShorthand(cmd, a[1:])
			takesValue = needsValue(f)
		default:
			name, _, hasValue := strings.Cut(a[1:], "=")
			f := lookupFlag(cmd, name)
			if f == nil && name != "help" {
				continue // pflag reports it
			}
			out[i] = "-" + a
			takesValue = !hasValue && needsValue(f)
		}
	}
	return out
}

func subcommand(cmd *cobra.Command, name string) *cobra.Command {
	for _, c := range cmd.Commands() {
		if c.Name() == name || c.HasAlias(name) {
			return c
		}
	}
	return nil
}

// lookupFlag finds a flag cmd accepts by name: its own, or a persistent
// flag of it or of a parent.
func lookupFlag(cmd *cobra.Command, name string) *pflag.Flag {
	return lookupIn(cmd, func(fs *pflag.FlagSet) *pflag.Flag { return fs.Lookup(name) })
}

// lookupShorthand is lookupFlag by shorthand: "v" for -v.
func lookupShorthand(cmd *cobra.Command, short string) *pflag.Flag {
	return lookupIn(cmd, func(fs *pflag.FlagSet) *pflag.Flag { return fs.ShorthandLookup(short) })
}

func lookupIn(cmd *cobra.Command, find func(*pflag.FlagSet) *pflag.Flag) *pflag.Flag {
	if f := find(cmd.Flags()); f != nil {
		return f
	}
	for c := cmd; c != nil; c = c.Parent() {
		if f := find(c.PersistentFlags()); f != nil {
			return f
		}
	}
	return nil
}

// needsValue reports whether f takes the next word as its value.
func needsValue(f *pflag.Flag) bool { return f != nil && f.NoOptDefVal == "" }

// wantsJSON reports whether args ask for --json, for errors raised before
// the flags were parsed.
func wantsJSON(args []string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || name != "json" {
			continue
		}
		if !hasValue {
			return true
		}
		on, err := strconv.ParseBool(value)
		return err == nil && on
	}
	return false
}
