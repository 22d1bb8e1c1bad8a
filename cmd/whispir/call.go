package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/spf13/cobra"

	"github.com/whispir-go/whispir"
	"github.com/whispir-go/whispir/api"
	"github.com/whispir-go/whispir/generated"
)

const callLong = `Calls one operation of the spec, by its operationId, through the same
pipeline as the Go client: credentials, the operation's media types, and
validation against the spec before anything is sent (a request that breaks it
is a usage error, exit status 2). 'whispir ops' lists the operations;
'whispir ops OPERATION' shows one with its parameters.

Parameters go by name, as name=value: path parameters (workspaceId, ...),
query parameters (limit=5, view=detailed) and any header parameters of the
operation; an array parameter is repeated
(id=A id=B). The spec types and checks the values. --workspace fills
workspaceId when it is not given. The body is a JSON file, or - for stdin.

The answer's body goes to stdout, pretty-printed JSON (or text, as it came);
the status, and for a create the new id and its Location, to stderr. With
--json, stdout has one line instead:

  {"operation": ..., "status": 201, "location": ..., "id": ..., "body": ...}

where body is the JSON answer, a string for a text answer, or null. An error
answer (4xx, 5xx) is printed the same way, and the exit status is 1.

  whispir call contactList workspaceId=9A4C5521FFC7B15B limit=5
  whispir --workspace 9A4C5521FFC7B15B call contactCreate --body contact.json
  echo '{"to":"61400000000","subject":"Hi","body":"Hello"}' | whispir call defaultMessageCreate --body -
  whispir --json call contactCreate --body contact.json | jq -r .id`

func newCallCommand(g *globals) *cobra.Command {
	var req callRequest
	cmd := &cobra.Command{
		Use:   "call OPERATION [name=value ...] [--body FILE|-]",
		Short: "call any operation of the spec: whispir call contactList limit=5",
		Long:  callLong,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("missing operation: whispir call OPERATION [name=value ...]; 'whispir ops' lists them")
			}
			return nil
		},
		ValidArgsFunction: completeCall,
		RunE: func(cmd *cobra.Command, args []string) error {
			req.op, req.args = args[0], args[1:]
			return runCall(cmd.Context(), g, req, cmd.InOrStdin(), cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&req.bodyFile, "body", "", "the request body: a JSON `FILE`, or - for stdin")
	fs.StringVar(&req.contentType, "content-type", "", "the body's media `TYPE`, for operations that take more than one\n(default: the operation's own)")
	_ = cmd.RegisterFlagCompletionFunc("content-type", completeContentType)
	return cmd
}

// callRequest is what the command line of call asks for.
type callRequest struct {
	op          string
	args        []string // name=value
	bodyFile    string   // "" none, "-" stdin
	contentType string
}

// callResult is what call prints with --json.
type callResult struct {
	Operation string          `json:"operation"`
	Status    int             `json:"status"`
	Location  string          `json:"location,omitempty"`
	ID        string          `json:"id,omitempty"` // from Location
	Body      json.RawMessage `json:"body"`         // JSON as answered; a text answer as a string; null for none
}

// maxCallBody is the largest body call reads: Whispir's payload limit; the
// pipeline refuses larger ones.
const maxCallBody = 10 << 20

func runCall(ctx context.Context, g *globals, cr callRequest, stdin io.Reader, stdout, stderr io.Writer) error {
	cat, err := loadCatalog()
	if err != nil {
		return err
	}
	op, err := cat.lookup(cr.op)
	if err != nil {
		return err
	}
	values, err := op.bind(cr.args, g.workspace, cat)
	if err != nil {
		return err
	}
	body, contentType, err := op.body(cr, stdin)
	if err != nil {
		return err
	}
	c, release, err := g.client(stderr)
	if err != nil {
		return err
	}
	defer release()
	gen, ok := c.ClientInterface.(*generated.Client)
	if !ok { // api.New always wraps a *generated.Client
		return fmt.Errorf("%s: the client is a %T, not a *generated.Client", op.ID, c.ClientInterface)
	}
	req, err := op.request(ctx, gen.Server, values, body, contentType)
	if err != nil {
		return err
	}
	for _, edit := range gen.RequestEditors {
		if err := edit(ctx, req); err != nil {
			return fmt.Errorf("%s: %w", op.ID, err)
		}
	}
	resp, err := gen.Client.Do(req)
	var apiErr *api.Error
	switch {
	case errors.As(err, &apiErr):
		// Print Whispir's answer, then fail with it.
		a := answer{op: op.ID, status: apiErr.StatusCode, body: apiErr.Body}
		if werr := a.write(g.json, stdout, stderr); werr != nil {
			return werr
		}
		return err
	case err != nil:
		return apiError(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("%s: read response: %w", op.ID, err)
	}
	return answer{op: op.ID, status: resp.StatusCode, header: resp.Header, body: data}.write(g.json, stdout, stderr)
}

// bind checks name=value arguments against the operation's parameters and
// returns the values by name. --workspace fills workspaceId when it is not
// given. Unknown names, a second value for a parameter that is not an
// array, and missing required parameters are usage errors; values are
// never echoed (they can be phone numbers or addresses).
func (op *operation) bind(args []string, workspace string, cat *catalog) (map[string][]string, error) {
	values := map[string][]string{}
	for i, a := range args {
		name, value, ok := strings.Cut(a, "=")
		if !ok || name == "" {
			return nil, usagef("argument %d after %s is not name=value", i+1, op.ID)
		}
		p, known := op.param(name)
		switch {
		case !known && len(op.Params) == 0:
			return nil, usagef("%s has no parameters; got %q", op.ID, name)
		case !known:
			if close := suggest(name, op.paramNames()); len(close) > 0 {
				return nil, usagef("%s has no parameter %q%s", op.ID, name, didYouMean(close))
			}
			return nil, usagef("%s has no parameter %q; its parameters: %s", op.ID, name, strings.Join(op.paramNames(), ", "))
		case len(values[name]) > 0 && !p.Array:
			return nil, usagef("%s: parameter %q given more than once", op.ID, name)
		}
		values[name] = append(values[name], value)
	}
	if _, ok := op.param("workspaceId"); ok && len(values["workspaceId"]) == 0 && workspace != "" {
		values["workspaceId"] = []string{workspace}
	}
	var missing []string
	for _, p := range op.Params {
		if p.Required && len(values[p.Name]) == 0 {
			missing = append(missing, p.In+" parameter "+p.Name)
		}
	}
	if len(missing) > 0 {
		msg := fmt.Sprintf("%s: missing %s (name=value)", op.ID, strings.Join(missing, ", "))
		if slices.Contains(missing, "path parameter workspaceId") {
			msg += ", or --workspace"
			if twin := "default" + strings.ToUpper(op.ID[:1]) + op.ID[1:]; cat.byID[twin] != nil {
				msg += "; " + twin + " is the same in the default workspace"
			}
		}
		return nil, usagef("%s", msg)
	}
	return values, nil
}

// body reads the request body --body names and picks its media type.
func (op *operation) body(cr callRequest, stdin io.Reader) (body []byte, contentType string, err error) {
	switch {
	case cr.bodyFile == "" && op.BodyRequired:
		return nil, "", usagef("%s needs a body: --body FILE, or --body - for stdin", op.ID)
	case cr.bodyFile == "" && cr.contentType != "":
		return nil, "", usagef("--content-type without --body")
	case cr.bodyFile == "":
		return nil, "", nil
	case !op.Body:
		return nil, "", usagef("%s takes no body", op.ID)
	}
	contentType = whispir.JSONMediaType // the pipeline puts the operation's own type on the wire
	if cr.contentType != "" {
		if !slices.Contains(op.RequestMediaTypes, cr.contentType) {
			return nil, "", usagef("%s: --content-type %q: want one of %s", op.ID, cr.contentType, strings.Join(op.RequestMediaTypes, ", "))
		}
		contentType = cr.contentType
	}
	var r io.Reader = stdin
	if cr.bodyFile != "-" {
		f, err := os.Open(cr.bodyFile)
		if err != nil {
			return nil, "", usagef("--body: %v", err)
		}
		defer f.Close()
		r = f
	}
	body, err = io.ReadAll(io.LimitReader(r, maxCallBody+1))
	switch {
	case err != nil:
		return nil, "", fmt.Errorf("--body: %w", err)
	case len(body) > maxCallBody:
		return nil, "", usagef("--body: larger than %d bytes", maxCallBody)
	case len(bytes.TrimSpace(body)) == 0:
		return nil, "", usagef("--body: empty")
	}
	return body, contentType, nil
}

// request builds the HTTP request for the operation: its method, its path
// template filled in and appended to server (the client's base URL), the
// query and the body.
func (op *operation) request(ctx context.Context, server string, values map[string][]string, body []byte, contentType string) (*http.Request, error) {
	path := op.Path
	query := url.Values{}
	header := http.Header{}
	var cookies []*http.Cookie
	for _, p := range op.Params {
		vs := values[p.Name]
		if len(vs) == 0 {
			continue
		}
		switch p.In {
		case openapi3.ParameterInPath:
			path = strings.ReplaceAll(path, "{"+p.Name+"}", url.PathEscape(vs[0]))
		case openapi3.ParameterInQuery:
			query[p.Name] = vs
		case openapi3.ParameterInHeader:
			header[http.CanonicalHeaderKey(p.Name)] = vs
		case openapi3.ParameterInCookie:
			cookies = append(cookies, &http.Cookie{Name: p.Name, Value: vs[0]})
		}
	}
	u := strings.TrimSuffix(server, "/") + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var r io.Reader = http.NoBody
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, op.Method, u, r)
	if err != nil {
		var ue *url.Error // it quotes the URL, which holds the values
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("%s: build request: %w", op.ID, err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	for _, c := range cookies {
		req.AddCookie(c)
	}
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	return req, nil
}

// answer is what an operation answered: a 2xx response, or the status and
// body of an *api.Error (without headers).
type answer struct {
	op     string
	status int
	header http.Header
	body   []byte
}

// write prints the answer: with --json one callResult line on stdout;
// otherwise the body on stdout (JSON indented) and, for a 2xx, the status
// with the new id and Location of a create on stderr.
func (a answer) write(asJSON bool, stdout, stderr io.Writer) error {
	ok := a.status >= 200 && a.status <= 299
	res := callResult{Operation: a.op, Status: a.status, Body: json.RawMessage("null")}
	if loc := a.header.Get("Location"); loc != "" && ok {
		res.Location = loc
		res.ID, _ = api.IDFromLocation(loc)
	}
	ct := a.header.Get("Content-Type")
	isJSON := len(bytes.TrimSpace(a.body)) > 0 && json.Valid(a.body) && (ct == "" || whispir.IsJSONMediaType(ct))
	if asJSON {
		switch {
		case isJSON:
			var compact bytes.Buffer
			if err := json.Compact(&compact, a.body); err != nil {
				return err
			}
			res.Body = compact.Bytes()
		case len(a.body) > 0:
			res.Body, _ = json.Marshal(string(a.body))
		}
		return writeJSON(stdout, res)
	}
	if ok {
		line := fmt.Sprintf("%s: %d %s", a.op, a.status, http.StatusText(a.status))
		if res.ID != "" {
			line += ", id " + res.ID
		}
		if res.Location != "" {
			line += " (Location: " + res.Location + ")"
		}
		fmt.Fprintln(stderr, line)
	}
	var out bytes.Buffer
	switch {
	case isJSON:
		if err := json.Indent(&out, bytes.TrimSpace(a.body), "", "  "); err != nil {
			return err
		}
	case len(a.body) > 0:
		out.Write(a.body)
	default:
		return nil
	}
	if !bytes.HasSuffix(out.Bytes(), []byte("\n")) {
		out.WriteByte('\n')
	}
	_, err := stdout.Write(out.Bytes())
	return err
}

// completeCall completes call's arguments: the operation ids, then the
// operation's parameters as name=, then the values of a parameter with an
// enum.
func completeCall(_ *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	cat, err := loadCatalog()
	if err != nil {
		return nil, cobra.ShellCompDirectiveError
	}
	if len(args) == 0 {
		var out []cobra.Completion
		for _, op := range cat.ops {
			if strings.HasPrefix(op.ID, toComplete) {
				out = append(out, cobra.CompletionWithDesc(op.ID, op.Summary))
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
	op := cat.byID[args[0]]
	if op == nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	if name, partial, ok := strings.Cut(toComplete, "="); ok {
		p, _ := op.param(name)
		var out []cobra.Completion
		for _, v := range p.Enum {
			if strings.HasPrefix(v, partial) {
				out = append(out, name+"="+v)
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
	given := map[string]bool{}
	for _, a := range args[1:] {
		name, _, _ := strings.Cut(a, "=")
		given[name] = true
	}
	var out []cobra.Completion
	for _, p := range op.Params {
		if (!given[p.Name] || p.Array) && strings.HasPrefix(p.Name, toComplete) {
			desc := p.In + " parameter, " + p.Type
			if p.Required {
				desc += ", required"
			}
			out = append(out, cobra.CompletionWithDesc(p.Name+"=", desc))
		}
	}
	return out, cobra.ShellCompDirectiveNoSpace | cobra.ShellCompDirectiveNoFileComp
}

// completeContentType completes --content-type with the operation's
// request media types.
func completeContentType(_ *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
	cat, err := loadCatalog()
	if err != nil || len(args) == 0 || cat.byID[args[0]] == nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return cat.byID[args[0]].RequestMediaTypes, cobra.ShellCompDirectiveNoFileComp
}
