package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/whispir-go/whispir/api"
	"github.com/whispir-go/whispir/callback"
	"github.com/whispir-go/whispir/generated"
)

// envCallbackKey holds the callback's auth.key for create and listen.
const envCallbackKey = "WHISPIR_CALLBACK_KEY"

var callbacksCommand = &command{
	name:  "callbacks",
	short: "manage callbacks (list, create, delete) or receive their calls (listen)",
	usage: `Usage: whispir [global flags] callbacks <subcommand> [flags]

Callbacks are the webhooks Whispir calls when a message that names one (by
name) is answered or cannot be delivered.

	callbacks list
	    Prints one line per callback of the company, tab-separated: id, name,
	    URL, auth type, content type. Keys are never printed.
	    Spec operation: callbackList (GET /callbacks).

	callbacks create --name N --url URL [--auth-type T] [--content-type json|xml]
	                 [--reply=false] [--undeliverable=false] [--retries=false] [--email E]
	    Creates a callback and prints its id. Whispir first checks the URL
	    with a GET, which must answer 200. The key is $WHISPIR_CALLBACK_KEY
	    (or --key K; prefer the variable: command lines show in ps and shell
	    history).
	    Spec operation: callbackCreate (POST /callbacks).

	callbacks delete --id ID
	    Deletes a callback. Spec operation: callbackDelete (DELETE /callbacks/{callbackId}).

	callbacks listen [--addr 127.0.0.1:8080] [--auth-type T]
	    Serves a callback URL until interrupted (Ctrl-C or SIGTERM), for local
	    work behind a tunnel: it answers Whispir's URL check, checks the key
	    ($WHISPIR_CALLBACK_KEY, or --key K) and prints each event, once, as
	    one JSON line on stdout. Those lines hold what people wrote and their
	    phone numbers and addresses. Its address and refused calls go to
	    stderr (-v: every call).

	--auth-type T   how Whispir sends the key: httpheader (default; header
	                X-Whispir-Callback-Key), queryparam (?auth=K), basicauth
	                (Authorization: Basic K) or bearertoken (Authorization: Bearer K)

Global flags (see 'whispir help'; list, create and delete use the API and
accept --mock):

` + globalFlagsUsage,
	run: runCallbacks,
}

func runCallbacks(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usagef("missing subcommand: list, create, delete or listen")
	}
	sub, rest := args[0], args[1:]
	switch sub {
	case "list":
		return runCallbacksList(ctx, g, rest, stdout, stderr)
	case "create":
		return runCallbacksCreate(ctx, g, rest, stdout, stderr)
	case "delete":
		return runCallbacksDelete(ctx, g, rest, stderr)
	case "listen":
		return runCallbacksListen(ctx, g, rest, stdout, stderr)
	case "-h", "-help", "--help", "help":
		return flag.ErrHelp
	}
	return usagef("unknown subcommand %q: want list, create, delete or listen", sub)
}

func runCallbacksList(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	if err := parse(g.flagSet("callbacks list"), args); err != nil {
		return err
	}
	c, release, err := g.client(stderr)
	if err != nil {
		return err
	}
	defer release()
	w := bufio.NewWriter(stdout)
	for cb, err := range c.Callbacks(ctx, nil) {
		if err != nil {
			return apiError(err)
		}
		authType := ""
		if cb.Auth != nil {
			authType = string(cb.Auth.Type)
		}
		contentType := ""
		if cb.ContentType != nil {
			contentType = string(*cb.ContentType)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", str(cb.ID), cb.Name, cb.URL, authType, contentType)
	}
	return w.Flush()
}

func runCallbacksCreate(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	fs := g.flagSet("callbacks create")
	var name, url, authType, contentType, email string
	var key secret
	reply, undeliverable, retries := true, true, true
	fs.StringVar(&name, "name", "", "callback name")
	fs.StringVar(&url, "url", "", "callback URL")
	fs.StringVar(&authType, "auth-type", callback.AuthHTTPHeader, "auth type")
	fs.Var(&key, "key", "auth key")
	fs.StringVar(&contentType, "content-type", "json", "json or xml")
	fs.StringVar(&email, "email", "", "address told about failed calls")
	fs.BoolVar(&reply, "reply", reply, "call on replies")
	fs.BoolVar(&undeliverable, "undeliverable", undeliverable, "call on failed deliveries")
	fs.BoolVar(&retries, "retries", retries, "retry failed calls")
	if err := parse(fs, args); err != nil {
		return err
	}
	var missing []string
	for _, f := range []struct{ name, value string }{{"--name", name}, {"--url", url}} {
		if strings.TrimSpace(f.value) == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return usagef("missing %s", strings.Join(missing, ", "))
	}
	auth, err := g.callbackAuth(authType, key)
	if err != nil {
		return err
	}
	if auth.Type == callback.AuthQueryString { // the API knows the current name only
		auth.Type = callback.AuthQueryParam
	}
	body := generated.Callback{
		Name: name,
		URL:  url,
		Auth: &generated.CallbackAuth{Type: generated.CallbackAuthType(auth.Type), Key: auth.Key},
		ContentType: func() *generated.CallbackContentType {
			ct := generated.CallbackContentType(strings.ToLower(contentType))
			return &ct
		}(),
		RetriesEnabled: &retries,
		Callbacks:      &generated.CallbackTriggers{Reply: toggle(reply), Undeliverable: toggle(undeliverable)},
	}
	if email != "" {
		body.Email = &email
	}
	c, release, err := g.client(stderr)
	if err != nil {
		return err
	}
	defer release()
	resp, err := c.CallbackCreateWithResponse(ctx, body)
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
	_, err = fmt.Fprintln(stdout, id)
	return err
}

func toggle(on bool) *generated.Toggle {
	t := generated.ToggleDisabled
	if on {
		t = generated.ToggleEnabled
	}
	return &t
}

func runCallbacksDelete(ctx context.Context, g *globals, args []string, stderr io.Writer) error {
	fs := g.flagSet("callbacks delete")
	var id string
	fs.StringVar(&id, "id", "", "callback id")
	if err := parse(fs, args); err != nil {
		return err
	}
	if id = strings.TrimSpace(id); id == "" {
		return usagef("missing --id")
	}
	c, release, err := g.client(stderr)
	if err != nil {
		return err
	}
	defer release()
	if _, err := c.CallbackDeleteWithResponse(ctx, id); err != nil {
		return apiError(err)
	}
	return nil
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

func runCallbacksListen(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	fs := g.flagSet("callbacks listen")
	var addr, authType string
	var key secret
	fs.StringVar(&addr, "addr", "127.0.0.1:8080", "address to listen on")
	fs.StringVar(&authType, "auth-type", callback.AuthHTTPHeader, "auth type")
	fs.Var(&key, "key", "auth key")
	if err := parse(fs, args); err != nil {
		return err
	}
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
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

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
	fmt.Fprintf(stderr, "# whispir callbacks listen: http://%s (auth type %s); stop it with Ctrl-C\n", ln.Addr(), auth.Type)

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
