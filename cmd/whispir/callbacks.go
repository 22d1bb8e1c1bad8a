package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/whispir-go/whispir/api"
	"github.com/whispir-go/whispir/callback"
	"github.com/whispir-go/whispir/generated"
)

// envCallbackKey holds the callback's auth.key for create and listen.
const envCallbackKey = "WHISPIR_CALLBACK_KEY"

const authTypeUsage = "how Whispir sends the key: httpheader (header\nX-Whispir-Callback-Key), queryparam (?auth=K), basicauth\n(Authorization: Basic K) or bearertoken (Authorization: Bearer K)"

// authTypes are the values of --auth-type, for completion.
var authTypes = []cobra.Completion{
	callback.AuthHTTPHeader, callback.AuthQueryParam, callback.AuthBasic, callback.AuthBearer,
}

func newCallbacksCommand(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "callbacks <subcommand>",
		Short: "manage callbacks (list, create, delete) or receive their calls (listen)",
		Long: `Callbacks are the webhooks Whispir calls when a message that names one (by
name) is answered or cannot be delivered.

  whispir callbacks list
  whispir callbacks create --name N --url URL [--auth-type T] [--content-type json|xml]
  whispir callbacks delete --id ID
  whispir callbacks listen [--addr 127.0.0.1:8080] [--auth-type T]

The key Whispir sends (auth.key) is $WHISPIR_CALLBACK_KEY, or --key K; prefer
the variable: command lines show in ps and shell history. list, create and
delete use the API and accept --mock.`,
		Args: cobra.ArbitraryArgs,
		RunE: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("missing subcommand: list, create, delete or listen")
			}
			return usagef("unknown subcommand %q: want list, create, delete or listen", args[0])
		},
	}
	cmd.AddCommand(newCallbacksListCommand(g), newCallbacksCreateCommand(g), newCallbacksDeleteCommand(g), newCallbacksListenCommand(g))
	return cmd
}

// callbackRow is one callback as callbacks list --json prints it.
type callbackRow struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	URL         string `json:"url"`
	AuthType    string `json:"authType"`
	ContentType string `json:"contentType"`
}

func newCallbacksListCommand(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "list the company's callbacks",
		Long: `Prints one line per callback of the company, tab-separated: id, name, URL,
auth type, content type. Keys are never printed. With --json, an array of
{"id", "name", "url", "authType", "contentType"}.

Spec operation: callbackList (GET /callbacks).`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, release, err := g.client(cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			defer release()
			rows := []callbackRow{}
			for cb, err := range c.Callbacks(cmd.Context(), nil) {
				if err != nil {
					return apiError(err)
				}
				row := callbackRow{ID: str(cb.ID), Name: cb.Name, URL: cb.URL}
				if cb.Auth != nil {
					row.AuthType = string(cb.Auth.Type)
				}
				if cb.ContentType != nil {
					row.ContentType = string(*cb.ContentType)
				}
				rows = append(rows, row)
			}
			if g.json {
				return writeJSON(cmd.OutOrStdout(), rows)
			}
			w := bufio.NewWriter(cmd.OutOrStdout())
			for _, r := range rows {
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", r.ID, r.Name, r.URL, r.AuthType, r.ContentType)
			}
			return w.Flush()
		},
	}
}

func newCallbacksCreateCommand(g *globals) *cobra.Command {
	var name, url, authType, contentType, email string
	var key secret
	reply, undeliverable, retries := true, true, true
	cmd := &cobra.Command{
		Use:   "create --name N --url URL [--auth-type T] [--content-type json|xml]",
		Short: "create a callback and print its id",
		Long: `Creates a callback and prints its id (with --json, {"id": "..."}). Whispir
first checks the URL with a GET, which must answer 200. The key is
$WHISPIR_CALLBACK_KEY (or --key K; prefer the variable: command lines show in
ps and shell history).

Spec operation: callbackCreate (POST /callbacks).`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := required("--name", name, "--url", url); err != nil {
				return err
			}
			auth, err := g.callbackAuth(authType, key)
			if err != nil {
				return err
			}
			if auth.Type == callback.AuthQueryString { // the API knows the current name only
				auth.Type = callback.AuthQueryParam
			}
			ct := generated.CallbackContentType(strings.ToLower(contentType))
			body := generated.Callback{
				Name:           name,
				URL:            url,
				Auth:           &generated.CallbackAuth{Type: generated.CallbackAuthType(auth.Type), Key: auth.Key},
				ContentType:    &ct,
				RetriesEnabled: &retries,
				Callbacks:      &generated.CallbackTriggers{Reply: toggle(reply), Undeliverable: toggle(undeliverable)},
			}
			if email != "" {
				body.Email = &email
			}
			c, release, err := g.client(cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			defer release()
			resp, err := c.CallbackCreateWithResponse(cmd.Context(), body)
			if err != nil {
				return apiError(err)
			}
			id := ""
			if resp.JSON201 != nil {
				id = str(resp.JSON201.ID)
			}
			if id == "" {
				if id, err = api.IDFromLocation(resp.HTTPResponse.Header.Get("Location")); err != nil {
					return fmt.Errorf("callbackCreate: no id in the answer: %w", err)
				}
			}
			return writeID(cmd.OutOrStdout(), g.json, id)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&name, "name", "", "callback name; messages name it in callbackId")
	fs.StringVar(&url, "url", "", "the URL Whispir calls")
	fs.StringVar(&authType, "auth-type", callback.AuthHTTPHeader, authTypeUsage)
	fs.Var(&key, "key", "the key Whispir sends (default $"+envCallbackKey+")")
	fs.StringVar(&contentType, "content-type", "json", "json or xml")
	fs.StringVar(&email, "email", "", "address told about failed calls")
	fs.BoolVar(&reply, "reply", reply, "call on replies")
	fs.BoolVar(&undeliverable, "undeliverable", undeliverable, "call on failed deliveries")
	fs.BoolVar(&retries, "retries", retries, "retry failed calls")
	_ = cmd.RegisterFlagCompletionFunc("auth-type", prefixCompletions(authTypes...))
	_ = cmd.RegisterFlagCompletionFunc("content-type", prefixCompletions("json", "xml"))
	return cmd
}

// writeID prints the id a command made: a line, or {"id": ...} with --json.
func writeID(w io.Writer, asJSON bool, id string) error {
	if asJSON {
		return writeJSON(w, struct {
			ID string `json:"id"`
		}{id})
	}
	_, err := fmt.Fprintln(w, id)
	return err
}

func toggle(on bool) *generated.Toggle {
	t := generated.ToggleDisabled
	if on {
		t = generated.ToggleEnabled
	}
	return &t
}

func newCallbacksDeleteCommand(g *globals) *cobra.Command {
	var id string
	cmd := &cobra.Command{
		Use:   "delete --id ID",
		Short: "delete a callback",
		Long: `Deletes a callback. It prints nothing; with --json, {"id": ..., "deleted": true}.

Spec operation: callbackDelete (DELETE /callbacks/{callbackId}).`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if id = strings.TrimSpace(id); id == "" {
				return usagef("missing --id")
			}
			c, release, err := g.client(cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			defer release()
			if _, err := c.CallbackDeleteWithResponse(cmd.Context(), id); err != nil {
				return apiError(err)
			}
			if g.json {
				return writeJSON(cmd.OutOrStdout(), struct {
					ID      string `json:"id"`
					Deleted bool   `json:"deleted"`
				}{id, true})
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&id, "id", "", "the callback's id")
	return cmd
}

// callbackAuth is the auth of --auth-type and the key of --key, else of
// WHISPIR_CALLBACK_KEY; no key is a usage error. The type is checked where
// it is used: by callback.NewHandler, or by the spec (callbackCreate).
func (g *globals) callbackAuth(authType string, key secret) (callback.Auth, error) {
	a := callback.Auth{Type: strings.ToLower(strings.TrimSpace(authType)), Key: firstNonEmpty(key.v, g.env(envCallbackKey))}
	if a.Key == "" {
		return a, usagef("no callback key: set %s (or --key)", envCallbackKey)
	}
	return a, nil
}

// listenTimeouts bound the listen server's connections. Whispir gives up
// after 60 s; the handler answers well before.
const (
	listenReadHeaderTimeout = 10 * time.Second
	listenReadTimeout       = 30 * time.Second
	listenIdleTimeout       = 2 * time.Minute
	listenShutdownTimeout   = 5 * time.Second
)

func newCallbacksListenCommand(g *globals) *cobra.Command {
	var addr, authType string
	var key secret
	cmd := &cobra.Command{
		Use:   "listen [--addr 127.0.0.1:8080] [--auth-type T]",
		Short: "serve a callback URL and print each event it receives",
		Long: `Serves a callback URL until interrupted (Ctrl-C or SIGTERM), for local work
behind a tunnel: it answers Whispir's URL check, checks the key
($WHISPIR_CALLBACK_KEY, or --key K) and prints each event, once, as one JSON
line on stdout. Those lines hold what people wrote and their phone numbers
and addresses. Its address and refused calls go to stderr (-v: every call).

For example, with the callback's auth.key in WHISPIR_CALLBACK_KEY:

  whispir callbacks listen --addr 127.0.0.1:8080 --auth-type httpheader`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runCallbacksListen(cmd.Context(), g, addr, authType, key, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&addr, "addr", "127.0.0.1:8080", "`HOST:PORT` to listen on")
	fs.StringVar(&authType, "auth-type", callback.AuthHTTPHeader, authTypeUsage)
	fs.Var(&key, "key", "the key Whispir sends (default $"+envCallbackKey+")")
	_ = cmd.RegisterFlagCompletionFunc("auth-type", prefixCompletions(authTypes...))
	return cmd
}

func runCallbacksListen(ctx context.Context, g *globals, addr, authType string, key secret, stdout, stderr io.Writer) error {
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return usagef("--addr: %v", err)
	}
	auth, err := g.callbackAuth(authType, key)
	if err != nil {
		return err
	}
	level := slog.LevelWarn
	if g.verbose {
		level = slog.LevelDebug
	}
	var handler slog.Handler = slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})
	if g.json {
		handler = slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level})
	}
	logger := slog.New(handler)

	var mu sync.Mutex // one event per line, whole
	h, err := callback.NewHandler(auth, func(_ context.Context, e callback.Event) error {
		line, err := json.Marshal(e)
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		_, err = stdout.Write(append(line, '\n'))
		return err
	}, callback.WithLogger(logger))
	if err != nil {
		return usagef("--auth-type: %v", err)
	}

	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: listenReadHeaderTimeout,
		ReadTimeout:       listenReadTimeout,
		IdleTimeout:       listenIdleTimeout,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	if g.json {
		_ = writeJSON(stderr, struct {
			URL      string `json:"url"`
			AuthType string `json:"authType"`
		}{"http://" + ln.Addr().String(), auth.Type})
	} else {
		fmt.Fprintf(stderr, "# whispir callbacks listen: http://%s (auth type %s); stop it with Ctrl-C\n", ln.Addr(), auth.Type)
	}

	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), listenShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		_ = srv.Close()
	}
	<-served
	return nil
}
