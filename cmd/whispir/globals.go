package main

import (
	"errors"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/whispir-go/whispir/api"
	"github.com/whispir-go/whispir/security"
)

// Environment variables the tool reads, besides the credentials'
// (security.EnvAPIKey, security.EnvUsername, security.EnvPassword).
const (
	envRegion  = "WHISPIR_REGION"
	envBaseURL = "WHISPIR_BASE_URL"
)

// globals are the flags every command accepts, before or after its name.
type globals struct {
	env       func(string) string
	mock      bool
	region    string
	baseURL   string
	apiKey    secret
	username  string
	password  secret
	workspace string
	timeout   time.Duration
	verbose   bool
	json      bool
	badFlags  bool // the command line did not parse
}

func newGlobals(env func(string) string) *globals {
	if env == nil {
		env = func(string) string { return "" }
	}
	return &globals{env: env, timeout: api.DefaultTimeout}
}

// register defines the global flags on fs, the root command's persistent
// flags.
func (g *globals) register(fs *pflag.FlagSet) {
	fs.BoolVar(&g.mock, "mock", g.mock, "start the in-process mock server; use its URL and credentials")
	fs.StringVar(&g.region, "region", g.region, "Whispir `region`: AU, NZ, AP, AP1, US, IT or EDU (default $"+envRegion+", else AU)")
	fs.StringVar(&g.baseURL, "base-url", g.baseURL, "base `URL`, overriding the region (default $"+envBaseURL+");\nhttps, or plain http on a loopback host")
	fs.Var(&g.apiKey, "api-key", "API `key` (default $"+security.EnvAPIKey+")")
	fs.StringVar(&g.username, "username", g.username, "`username` (default $"+security.EnvUsername+")")
	fs.Var(&g.password, "password", "`password` (default $"+security.EnvPassword+")")
	fs.StringVar(&g.workspace, "workspace", g.workspace, "workspace `id` (default: the company's default workspace)")
	fs.DurationVar(&g.timeout, "timeout", g.timeout, "bound on each HTTP attempt, e.g. 10s (0: none)")
	fs.BoolVar(&g.json, "json", g.json, "print results, and errors on stderr, as JSON")
	fs.BoolVarP(&g.verbose, "verbose", "v", g.verbose, "log each request (operation, status, timing) to stderr")
}

// check vets the global flags every command has, whether it calls the API
// or not: a region that does not exist is a mistake even with --mock.
func (g *globals) check() error {
	if g.timeout < 0 {
		return usagef("--timeout must not be negative")
	}
	if g.region != "" {
		if _, err := api.ParseRegion(g.region); err != nil {
			return usagef("--region: %v", err)
		}
	}
	return nil
}

// secret is a flag value that never shows itself: not in help output, not
// in flag errors.
type secret struct{ v string }

func (s *secret) Set(v string) error { s.v = v; return nil }
func (s *secret) String() string     { return "" }
func (s *secret) Type() string       { return "string" }

// logger reports retries (Info, as the api package logs them) on stderr;
// with -v also each attempt (Debug). With --json its lines are JSON.
func (g *globals) logger(stderr io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: slog.LevelInfo, ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
		switch {
		case len(groups) == 0 && a.Key == slog.TimeKey && !g.verbose:
			return slog.Attr{} // a retry report is short without it
		case a.Value.Kind() == slog.KindDuration && a.Value.Duration() > time.Millisecond:
			a.Value = slog.DurationValue(a.Value.Duration().Round(time.Millisecond))
		}
		return a
	}}
	if g.verbose {
		opts.Level = slog.LevelDebug
	}
	if g.json {
		return slog.New(slog.NewJSONHandler(stderr, opts))
	}
	return slog.New(slog.NewTextHandler(stderr, opts))
}

// credentials are the flags' credentials, each falling back to its
// environment variable. Missing ones are a usage error naming what to set.
func (g *globals) credentials() (security.Credentials, error) {
	c := security.Credentials{
		APIKey:   firstNonEmpty(g.apiKey.v, g.env(security.EnvAPIKey)),
		Username: firstNonEmpty(g.username, g.env(security.EnvUsername)),
		Password: firstNonEmpty(g.password.v, g.env(security.EnvPassword)),
	}
	var missing []string
	for _, f := range []struct{ value, env, flag string }{
		{c.APIKey, security.EnvAPIKey, "--api-key"},
		{c.Username, security.EnvUsername, "--username"},
		{c.Password, security.EnvPassword, "--password"},
	} {
		if strings.TrimSpace(f.value) == "" {
			missing = append(missing, f.env+" (or "+f.flag+")")
		}
	}
	switch {
	case len(missing) == 3:
		return c, usagef("no credentials: set %s, %s and %s (and %s unless the region is AU), or use --mock to try the embedded mock server",
			security.EnvAPIKey, security.EnvUsername, security.EnvPassword, envRegion)
	case len(missing) > 0:
		return c, usagef("missing credentials: %s not set; set %s, %s and %s (and %s unless the region is AU), or use --mock",
			strings.Join(missing, ", "), security.EnvAPIKey, security.EnvUsername, security.EnvPassword, envRegion)
	}
	return c, nil
}

// testClientOptions are added to the options of every client the tool
// builds; TestMain sets a retry policy that does not wait.
var testClientOptions []api.Option

// client builds the API client the flags and environment describe. With
// --mock it starts the mock server first, and release stops it; release is
// never nil. Wrong flags or missing credentials give a *usageError.
func (g *globals) client(stderr io.Writer) (c *api.Client, release func(), err error) {
	release = func() {}
	log := g.logger(stderr)
	opts := []api.Option{
		api.WithLogger(log),
		api.WithTimeout(g.timeout),
		api.WithUserAgent("whispir-cli/" + api.Version + " " + api.DefaultUserAgent),
	}
	var creds security.Credentials
	var where string // the flag or variable the endpoint came from
	if g.mock {
		if g.baseURL != "" {
			return nil, release, usagef("--mock and --base-url cannot be used together")
		}
		if r := g.env(envRegion); g.region == "" && r != "" {
			if _, _, err := g.regionOption(r, envRegion); err != nil {
				return nil, release, err // wrong with or without --mock
			}
		}
		m, err := startMock()
		if err != nil {
			return nil, release, err
		}
		creds, where = m.creds, "--mock"
		opts = append(opts, api.WithBaseURL(m.url))
		release = m.close
	} else {
		opt, from, err := g.endpoint()
		if err != nil {
			return nil, release, err
		}
		if creds, err = g.credentials(); err != nil {
			return nil, release, err
		}
		opts, where = append(opts, opt), from
	}
	p, err := security.New(creds)
	if err != nil {
		release()
		return nil, func() {}, usagef("credentials: %v", err)
	}
	if c, err = api.New(p, append(opts, testClientOptions...)...); err != nil {
		release()
		if errors.Is(err, api.ErrInvalidOption) || errors.Is(err, api.ErrUnknownRegion) {
			return nil, func() {}, usagef("%s: %v", where, err)
		}
		return nil, func() {}, err
	}
	log.Debug("whispir client", slog.String("base_url", c.BaseURL()), slog.String("from", where))
	return c, release, nil
}

// endpoint picks where requests go: --base-url, else --region, else
// WHISPIR_BASE_URL, else WHISPIR_REGION, else the default region. from
// names the flag or variable that decided.
func (g *globals) endpoint() (opt api.Option, from string, err error) {
	switch {
	case g.baseURL != "":
		return api.WithBaseURL(g.baseURL), "--base-url", nil
	case g.region != "":
		return g.regionOption(g.region, "--region")
	case g.env(envBaseURL) != "":
		return api.WithBaseURL(g.env(envBaseURL)), envBaseURL, nil
	case g.env(envRegion) != "":
		return g.regionOption(g.env(envRegion), envRegion)
	}
	return api.WithRegion(api.DefaultRegion), "default region", nil
}

func (g *globals) regionOption(name, from string) (api.Option, string, error) {
	r, err := api.ParseRegion(name)
	if err != nil {
		return nil, from, usagef("%s: %v", from, err)
	}
	return api.WithRegion(r), from, nil
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}
