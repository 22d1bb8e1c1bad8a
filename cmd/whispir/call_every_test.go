package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/whispir-go/whispir"
	"github.com/whispir-go/whispir/security"
	"github.com/whispir-go/whispir/whispirtest"
)

// everyOperationBasePath is the mock's path prefix: a call that drops the
// prefix of the base URL reaches no operation.
const everyOperationBasePath = "/api"

// TestCallEveryOperation runs testdata/every-operation.txtar: every
// operation of the spec, called through 'whispir --json call' against one
// mock server that validates each request and answer against the spec. It
// fails for a line that does not exit 0 with a 2xx answer from its own
// operation, and for any operation of the spec that no line reached.
func TestCallEveryOperation(t *testing.T) {
	t.Parallel()
	archive, err := txtar.ParseFile(filepath.Join("testdata", "every-operation.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, f := range archive.Files {
		files[f.Name] = string(f.Data)
	}
	script := parseCallScript(t, files["script"])

	// Whispir checks a callback's URL with a GET when it is created.
	receiver := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	t.Cleanup(receiver.Close)
	// Custom lists cannot be created through the API: one is seeded.
	seed := whispirtest.Seed{CustomLists: []map[string]any{{"name": "Regions", "type": "MESSAGE"}}}
	srv := whispirtest.NewServer(whispirtest.WithBasePath(everyOperationBasePath), whispirtest.WithResponseValidation(t), whispirtest.WithSeed(seed))
	defer srv.Close() // before the test ends, for WithResponseValidation
	env := credentialsEnv(srv.URL, srv.Credentials())
	vars := map[string]string{"callbackURL": receiver.URL + "/whispir"}
	dir := t.TempDir()

	ops, err := whispir.Operations()
	if err != nil {
		t.Fatal(err)
	}
	inSpec := map[string]bool{}
	for _, op := range ops {
		inSpec[op.ID] = true
	}
	seen := map[string]bool{}
	for _, line := range script {
		switch {
		case !inSpec[line.op]:
			t.Errorf("line %d: the spec has no operation %s", line.n, line.op)
		case seen[line.op]:
			t.Errorf("line %d: %s is called twice", line.n, line.op)
		}
		seen[line.op] = true
	}

	for _, line := range script {
		t.Run(line.op, func(t *testing.T) {
			args, stdin := line.args(t, vars, files, dir)
			before := len(srv.Requests())
			r := runToolInput(t, env, stdin, append([]string{"--json", "call"}, args...)...)
			if r.code != exitOK {
				t.Fatalf("line %d: whispir --json call %s: exit %d; want 0; stderr: %s", line.n, strings.Join(args, " "), r.code, r.stderr)
			}
			var res struct {
				callResult
				Body any `json:"body"`
			}
			dec := json.NewDecoder(strings.NewReader(r.stdout))
			dec.UseNumber()
			if err := dec.Decode(&res); err != nil {
				t.Fatalf("line %d: stdout %q is not a call result: %v", line.n, r.stdout, err)
			}
			if res.Operation != line.op || res.Status < 200 || res.Status > 299 {
				t.Errorf("line %d: got operation %s, status %d; want %s and a 2xx", line.n, res.Operation, res.Status, line.op)
			}
			if res.ID != "" {
				vars[line.op] = res.ID
			}
			for _, d := range line.directives {
				if d.reply != nil {
					mockReply(t, srv, res.ID, d.reply[0], d.reply[1])
					continue
				}
				if err := d.apply(res.Body, vars); err != nil {
					t.Errorf("line %d: %v", line.n, err)
				}
			}
			// The call must have reached its own operation, not a neighbour.
			answered := false
			for _, rec := range srv.Requests()[before:] {
				answered = answered || (rec.OperationID == line.op && rec.Status >= 200 && rec.Status <= 299)
			}
			if !answered {
				t.Errorf("line %d: the mock recorded no 2xx answer to %s", line.n, line.op)
			}
		})
	}

	t.Run("coverage", func(t *testing.T) {
		exercised := map[string]bool{}
		for _, rec := range srv.Requests() {
			if !strings.HasPrefix(rec.Path, everyOperationBasePath+"/") {
				t.Errorf("%s %s: got a path outside %s/", rec.Method, rec.Path, everyOperationBasePath)
			}
			if rec.OperationID != "" && rec.Status >= 200 && rec.Status <= 299 {
				exercised[rec.OperationID] = true
			}
		}
		var missing []string
		for _, op := range ops {
			if !exercised[op.ID] {
				missing = append(missing, fmt.Sprintf("%s (%s %s)", op.ID, op.Method, op.Path))
			}
		}
		t.Logf("whispir call reached %d of %d operations", len(ops)-len(missing), len(ops))
		if len(missing) > 0 {
			t.Errorf("%d operations not reached through whispir call:\n\t%s", len(missing), strings.Join(missing, "\n\t"))
		}
	})
}

// credentialsEnv points the tool at a server with its credentials.
func credentialsEnv(baseURL string, c security.Credentials) map[string]string {
	return map[string]string{
		envBaseURL:           baseURL,
		security.EnvAPIKey:   c.APIKey,
		security.EnvUsername: c.Username,
		security.EnvPassword: c.Password,
	}
}

// scriptLine is one call of the script.
type scriptLine struct {
	n          int    // line number in the script
	op         string // the operation id, the first word
	words      []string
	directives []directive
}

// directive is a check, a keep or a reply after "=>".
type directive struct {
	keep  string // keep: the variable to set
	path  []string
	value string   // want PATH=VALUE; "" for want PATH
	reply []string // reply FROM TEXT
}

// mockReply has from reply text to the message the mock knows as id, and
// waits for the callback calls it causes, so that callbackCallList has one
// to list.
func mockReply(t *testing.T, srv *whispirtest.Server, id, from, text string) {
	t.Helper()
	if err := srv.Reply(id, from, text); err != nil {
		t.Fatal(err)
	}
	if err := srv.WaitCallbacks(t.Context()); err != nil {
		t.Fatal(err)
	}
}

func parseCallScript(t *testing.T, script string) []scriptLine {
	t.Helper()
	var lines []scriptLine
	for i, text := range strings.Split(script, "\n") {
		text = strings.TrimSpace(text)
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		call, rest, _ := strings.Cut(text, "=>")
		words := splitWords(call)
		line := scriptLine{n: i + 1, op: words[0], words: words[1:]}
		for _, d := range strings.Split(rest, ";") {
			if d = strings.TrimSpace(d); d == "" {
				continue
			}
			w := splitWords(d)
			kind, arg, _ := strings.Cut(strings.Join(w[1:], " "), "=")
			switch {
			case len(w) < 2:
				t.Fatalf("script line %d: directive %q: want keep NAME=PATH, want PATH[=VALUE] or reply FROM TEXT", line.n, d)
			case w[0] == "keep":
				line.directives = append(line.directives, directive{keep: kind, path: strings.Split(arg, ".")})
			case w[0] == "want":
				line.directives = append(line.directives, directive{path: strings.Split(kind, "."), value: arg})
			case w[0] == "reply" && len(w) == 3:
				line.directives = append(line.directives, directive{reply: w[1:]})
			default:
				t.Fatalf("script line %d: unknown directive %q", line.n, w[0])
			}
		}
		lines = append(lines, line)
	}
	return lines
}

// splitWords splits s at spaces; "double quotes" keep spaces in a word.
func splitWords(s string) []string {
	var words []string
	var word strings.Builder
	inWord, quoted := false, false
	for _, r := range s {
		switch {
		case r == '"':
			quoted, inWord = !quoted, true
		case r == ' ' || r == '\t':
			if quoted {
				word.WriteRune(r)
			} else if inWord {
				words, inWord = append(words, word.String()), false
				word.Reset()
			}
		default:
			word.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		words = append(words, word.String())
	}
	return words
}

var scriptVar = regexp.MustCompile(`\$\{(\w+)\}`)

// expand replaces ${NAME} with the kept values; an unknown name fails the
// test (the operation that sets it failed, or runs later).
func expand(t *testing.T, s string, vars map[string]string) string {
	t.Helper()
	return scriptVar.ReplaceAllStringFunc(s, func(m string) string {
		name := m[2 : len(m)-1]
		v, ok := vars[name]
		if !ok {
			t.Fatalf("no value for ${%s}: the line that keeps it must run, and succeed, first", name)
		}
		return v
	})
}

// args returns the arguments of 'whispir call' for the line and its stdin:
// files named by --body are written to dir, with ${NAME} replaced; < FILE
// becomes stdin and --body -.
func (l scriptLine) args(t *testing.T, vars, files map[string]string, dir string) (args []string, stdin string) {
	t.Helper()
	args = []string{l.op}
	file := func(name string) string {
		data, ok := files[name]
		if !ok {
			t.Fatalf("line %d: no file %s in the archive", l.n, name)
		}
		return expand(t, data, vars)
	}
	for i := 0; i < len(l.words); i++ {
		w := l.words[i]
		switch {
		case (w == "<" || w == "--body") && i+1 == len(l.words):
			t.Fatalf("line %d: %s without a file", l.n, w)
		case w == "<":
			i++
			stdin = file(l.words[i])
			args = append(args, "--body", "-")
		case w == "--body":
			i++
			path := filepath.Join(dir, l.words[i])
			if err := os.WriteFile(path, []byte(file(l.words[i])), 0o600); err != nil {
				t.Fatal(err)
			}
			args = append(args, "--body", path)
		default:
			args = append(args, expand(t, w, vars))
		}
	}
	return args, stdin
}

// apply keeps or checks a value of body, the decoded JSON answer.
func (d directive) apply(body any, vars map[string]string) error {
	v, err := jsonPath(body, d.path)
	if err != nil {
		return err
	}
	got := fmt.Sprint(v)
	path := strings.Join(d.path, ".")
	switch {
	case d.keep != "":
		vars[d.keep] = got
	case d.value == "" && (v == nil || got == ""):
		return fmt.Errorf("%s: got nothing; want a value", path)
	case d.value != "" && got != expandVars(d.value, vars):
		return fmt.Errorf("%s: got %q; want %q", path, got, expandVars(d.value, vars))
	}
	return nil
}

// expandVars is expand for directives, which run after the call.
func expandVars(s string, vars map[string]string) string {
	return scriptVar.ReplaceAllStringFunc(s, func(m string) string { return vars[m[2:len(m)-1]] })
}

// jsonPath walks keys and array indexes of a decoded JSON value.
func jsonPath(v any, path []string) (any, error) {
	for i, key := range path {
		switch node := v.(type) {
		case map[string]any:
			next, ok := node[key]
			if !ok {
				return nil, fmt.Errorf("%s: no key %q", strings.Join(path[:i+1], "."), key)
			}
			v = next
		case []any:
			n, err := strconv.Atoi(key)
			if err != nil || n < 0 || n >= len(node) {
				return nil, fmt.Errorf("%s: got an array of %d; want index %q in it", strings.Join(path[:i+1], "."), len(node), key)
			}
			v = node[n]
		default:
			return nil, fmt.Errorf("%s: got %T; want an object or array", strings.Join(path[:i+1], "."), v)
		}
	}
	return v, nil
}

// TestSplitWords pins the script's word splitting.
func TestSplitWords(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []string
	}{
		{"a b  c", []string{"a", "b", "c"}},
		{`startTime="01/11/2026 00:00" x`, []string{"startTime=01/11/2026 00:00", "x"}},
		{`"" a`, []string{"", "a"}},
		{"  ", nil},
	}
	for _, tc := range tests {
		if got := splitWords(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("splitWords(%q) = %q; want %q", tc.in, got, tc.want)
		}
	}
}
