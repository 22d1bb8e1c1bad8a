package main

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The tests in this file drive the built whispir binary over plain HTTP,
// as a service in another language would drive 'whispir mock' in its CI:
// no Go package of this module is used to talk to it.

// tools are the binaries TestMockBinary builds.
type tools struct {
	whispir  string // go build ./cmd/whispir
	mockload string // go build ./cmd/whispir/internal/mockload: a load driver without the race detector
}

func buildTools(t *testing.T) tools {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to build the binary: %v", err)
	}
	dir := t.TempDir()
	tl := tools{whispir: filepath.Join(dir, "whispir"), mockload: filepath.Join(dir, "mockload")}
	for bin, pkg := range map[string]string{tl.whispir: ".", tl.mockload: "./internal/mockload"} {
		cmd := exec.CommandContext(t.Context(), goTool, "build", "-o", bin, pkg)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", pkg, err, out)
		}
	}
	return tl
}

// lockedBuffer collects a process's stderr.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// mockProc is a running 'whispir --json mock' process.
type mockProc struct {
	mockAddress
	cmd    *exec.Cmd
	stderr *lockedBuffer
	exited chan struct{}
	code   int
	client *http.Client
}

// startMockBinary runs 'whispir --json mock args...' and waits for its
// address line. The process is stopped at the end of the test.
func startMockBinary(t *testing.T, bin string, args ...string) *mockProc {
	t.Helper()
	m := &mockProc{stderr: &lockedBuffer{}, exited: make(chan struct{}), client: &http.Client{Timeout: 30 * time.Second}}
	m.cmd = exec.Command(bin, append([]string{"--json", "mock"}, args...)...)
	m.cmd.Stderr = m.stderr
	m.cmd.Dir = t.TempDir()
	stdout, err := m.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := m.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		_, _ = io.Copy(io.Discard, stdout)
		_ = m.cmd.Wait()
		m.code = m.cmd.ProcessState.ExitCode()
		close(m.exited)
	}()
	t.Cleanup(func() {
		_ = m.cmd.Process.Kill() // a no-op once it exited
		<-m.exited
	})
	select {
	case line, ok := <-lines:
		if !ok {
			<-m.exited
			t.Fatalf("whispir mock %v exited %d without printing its address; stderr: %s", args, m.code, m.stderr)
		}
		if err := json.Unmarshal([]byte(line), &m.mockAddress); err != nil {
			t.Fatalf("first line %q: %v", line, err)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("whispir mock %v printed nothing within 30s; stderr: %s", args, m.stderr)
	}
	return m
}

// wait waits (at most 10 s) for the process to exit, and returns its exit
// code.
func (m *mockProc) wait(t *testing.T) int {
	t.Helper()
	select {
	case <-m.exited:
		return m.code
	case <-time.After(10 * time.Second):
		t.Fatalf("whispir mock did not exit within 10s; stderr: %s", m.stderr)
		return -1
	}
}

// stop sends SIGTERM and returns the exit code.
func (m *mockProc) stop(t *testing.T) int {
	t.Helper()
	_ = m.cmd.Process.Signal(syscall.SIGTERM)
	return m.wait(t)
}

// req is one HTTP request to the mock.
type req struct {
	method, path string // path below the base URL
	body         string
	contentType  string // default: the message media type for a body on a Whispir path, application/json on an admin path
	auth         bool   // x-api-key and Basic credentials (admin paths: the key)
	header       map[string]string
}

// do sends r and returns the answer with its body.
func (m *mockProc) do(t *testing.T, r req) (*http.Response, []byte) {
	t.Helper()
	var body io.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	hr, err := http.NewRequestWithContext(t.Context(), r.method, m.BaseURL+r.path, body)
	if err != nil {
		t.Fatal(err)
	}
	admin := strings.HasPrefix(r.path, "/_whispir/")
	// What curl and most HTTP libraries send; without an Accept the mock
	// answers 415, as Whispir would answer XML.
	hr.Header.Set("Accept", "*/*")
	if r.body != "" {
		ct := r.contentType
		switch {
		case ct != "":
		case admin:
			ct = "application/json"
		default:
			ct = "application/vnd.whispir.message-v1+json"
		}
		hr.Header.Set("Content-Type", ct)
	}
	if r.auth {
		hr.Header.Set("x-api-key", m.APIKey)
		if !admin {
			hr.SetBasicAuth(m.Username, m.Password)
		}
	}
	for k, v := range r.header {
		hr.Header.Set(k, v)
	}
	resp, err := m.client.Do(hr)
	if err != nil {
		t.Fatalf("%s %s: %v", r.method, r.path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, data
}

const smsJSON = `{"to":"61400000000","subject":"Hello","body":"From a test"}`

// send sends an SMS and returns the new message's id.
func (m *mockProc) send(t *testing.T) string {
	t.Helper()
	resp, body := m.do(t, req{method: "POST", path: "/messages", body: smsJSON, auth: true})
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("send: got %d %s; want 202", resp.StatusCode, body)
	}
	loc := resp.Header.Get("Location")
	return loc[strings.LastIndex(loc, "/")+1:]
}

// TestMockBinary builds whispir once and runs it as other languages'
// tests would.
func TestMockBinary(t *testing.T) {
	t.Parallel()
	tl := buildTools(t)
	t.Run("admin routes", func(t *testing.T) { t.Parallel(); testBinaryAdmin(t, tl) })
	t.Run("prefer", func(t *testing.T) { t.Parallel(); testBinaryPrefer(t, tl) })
	t.Run("415 hint", func(t *testing.T) { t.Parallel(); testBinary415(t, tl) })
	t.Run("log lines", func(t *testing.T) { t.Parallel(); testBinaryLog(t, tl) })
	t.Run("timeouts", func(t *testing.T) { t.Parallel(); testBinaryTimeouts(t, tl) })
	t.Run("listening", func(t *testing.T) { t.Parallel(); testBinaryListening(t, tl) })
	t.Run("tls", func(t *testing.T) { t.Parallel(); testBinaryTLS(t, tl) })
	t.Run("seed", func(t *testing.T) { t.Parallel(); testBinarySeed(t, tl) })
	t.Run("sigterm", func(t *testing.T) { t.Parallel(); testBinarySIGTERM(t, tl) })
	t.Run("readme walkthrough", func(t *testing.T) { t.Parallel(); testBinaryReadme(t, tl) })
	t.Run("memory bound", func(t *testing.T) { t.Parallel(); testBinaryMemory(t, tl) })
}

func testBinaryAdmin(t *testing.T, tl tools) {
	m := startMockBinary(t, tl.whispir)
	if m.AdminURL != m.BaseURL+"/_whispir/" {
		t.Errorf("adminUrl: got %q; want %q", m.AdminURL, m.BaseURL+"/_whispir/")
	}
	id := m.send(t)
	steps := []struct {
		name string
		r    req
		want int
		has  string // in the body
	}{
		{"health without a key", req{method: "GET", path: "/_whispir/health"}, 200, `"ok"`},
		{"requests without a key", req{method: "GET", path: "/_whispir/requests"}, 401, "x-api-key"},
		{"the admin spec", req{method: "GET", path: "/_whispir/openapi.yaml", auth: true}, 200, "openapi: 3.0.3"},
		{"requests", req{method: "GET", path: "/_whispir/requests", auth: true}, 200, `"operationId":"defaultMessageCreate","status":202`},
		{"messages", req{method: "GET", path: "/_whispir/messages", auth: true}, 200, `"id":"` + id + `"`},
		{"deliver", req{method: "POST", path: "/_whispir/messages/" + id + "/deliver", auth: true}, 204, ""},
		{"reply", req{method: "POST", path: "/_whispir/messages/" + id + "/reply", auth: true, body: `{"from":"61400000000","content":"YES"}`}, 204, ""},
		{"the reply is listed", req{method: "GET", path: "/messages/" + id + "/messageresponses?view=detailed", auth: true}, 200, `"content":"YES"`},
		{"undeliverable", req{method: "POST", path: "/_whispir/messages/" + id + "/undeliverable", auth: true, body: `{"channel":"sms"}`}, 204, ""},
		{"an unknown message", req{method: "POST", path: "/_whispir/messages/FFFF/deliver", auth: true}, 404, "FFFF"},
		{"inject a fault", req{method: "POST", path: "/_whispir/faults", auth: true, body: `{"kind":"FaultTooManyRequests","count":1}`}, 201, `"FaultTooManyRequests"`},
		{"list the faults", req{method: "GET", path: "/_whispir/faults", auth: true}, 200, `"count":1`},
		{"the fault applies", req{method: "GET", path: "/messages", auth: true}, 429, "Too Many Requests"},
		{"the journal shows it", req{method: "GET", path: "/_whispir/requests?limit=1", auth: true}, 200, `"fault":"FaultTooManyRequests"`},
		{"a rate fault", req{method: "POST", path: "/_whispir/faults", auth: true, body: `{"kind":"FaultStatus","rate":1,"seed":3}`}, 201, `"status":503`},
		{"clear the faults", req{method: "DELETE", path: "/_whispir/faults", auth: true}, 204, ""},
		{"no fault", req{method: "GET", path: "/messages", auth: true}, 200, `"messages"`},
		{"forget the requests", req{method: "DELETE", path: "/_whispir/requests", auth: true}, 204, ""},
		{"the journal is empty", req{method: "GET", path: "/_whispir/requests", auth: true}, 200, `{"requests":[]}`},
		{"load state", req{method: "POST", path: "/_whispir/state", auth: true, body: `{"contacts":{"default":[{"id":"C0FFEE","firstName":"Jane","lastName":"Citizen"}]}}`}, 204, ""},
		{"export state", req{method: "GET", path: "/_whispir/state", auth: true}, 200, `{"contacts":{"default":[{"firstName":"Jane","id":"C0FFEE","lastName":"Citizen"}]}}`},
		{"reset", req{method: "POST", path: "/_whispir/reset", auth: true}, 204, ""},
		{"no messages after reset", req{method: "GET", path: "/_whispir/messages", auth: true}, 200, `{"messages":[]}`},
		{"no state after reset", req{method: "GET", path: "/_whispir/state", auth: true}, 200, `{}`},
		{"shutdown", req{method: "POST", path: "/_whispir/shutdown", auth: true}, 202, `"stopping"`},
	}
	for _, s := range steps {
		resp, body := m.do(t, s.r)
		if resp.StatusCode != s.want || !strings.Contains(string(body), s.has) {
			t.Errorf("%s: got %d %.300s; want %d with %s", s.name, resp.StatusCode, body, s.want, s.has)
		}
	}
	if code := m.wait(t); code != 0 {
		t.Errorf("exit after shutdown: %d; want 0", code)
	}
}

func testBinaryPrefer(t *testing.T, tl tools) {
	m := startMockBinary(t, tl.whispir, "--quiet")
	resp, body := m.do(t, req{method: "GET", path: "/messages/ABCD", auth: true, header: map[string]string{"Prefer": "code=404"}})
	if resp.StatusCode != 404 || !strings.Contains(string(body), `"errorSummary":"The resource that you have requested does not exist`) {
		t.Errorf("code=404: got %d %s; want the spec's 404 example", resp.StatusCode, body)
	}
	resp, body = m.do(t, req{method: "POST", path: "/messages", body: smsJSON, auth: true, header: map[string]string{"Prefer": "code=202"}})
	if resp.StatusCode != 202 || !strings.Contains(resp.Header.Get("Location"), m.BaseURL+"/messages/") {
		t.Errorf("code=202: got %d %s, Location %q; want 202 and a Location", resp.StatusCode, body, resp.Header.Get("Location"))
	}
	resp, body = m.do(t, req{method: "GET", path: "/messages", auth: true, header: map[string]string{"Prefer": "code=418"}})
	if resp.StatusCode != http.StatusNotAcceptable || !strings.Contains(resp.Header.Get("X-Whispir-Mock-Error"), "declares 200, 400") ||
		resp.Header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("code=418: got %d %v %s; want the mock's 406 naming the codes", resp.StatusCode, resp.Header, body)
	}
	resp, _ = m.do(t, req{method: "GET", path: "/messages", header: map[string]string{"Prefer": "code=200"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("without credentials: got %d; want 403 (Prefer comes after authentication)", resp.StatusCode)
	}
	if _, body := m.do(t, req{method: "GET", path: "/_whispir/messages", auth: true}); string(body) != `{"messages":[]}` {
		t.Errorf("messages: got %s; want none (Prefer processes nothing)", body)
	}
}

func testBinary415(t *testing.T, tl tools) {
	m := startMockBinary(t, tl.whispir, "--quiet")
	resp, body := m.do(t, req{method: "POST", path: "/messages", body: smsJSON, contentType: "application/json", auth: true})
	var e struct{ ErrorSummary, ErrorText string }
	_ = json.Unmarshal(body, &e)
	want := "application/vnd.whispir.bulkmessage-v1+json, application/vnd.whispir.message-v1+json"
	if resp.StatusCode != 415 || resp.Header.Get("Accept") != want || !strings.HasPrefix(e.ErrorText, "Unsupported Media Type: send ") ||
		!strings.HasPrefix(e.ErrorSummary, "The media type you have supplied") {
		t.Errorf("got %d, Accept %q, %s; want 415 naming %s", resp.StatusCode, resp.Header.Get("Accept"), body, want)
	}
	resp, body = m.do(t, req{method: "POST", path: "/messages", body: `{"subject":"no to"}`, auth: true})
	if resp.StatusCode != 422 || !strings.Contains(resp.Header.Get("X-Whispir-Mock-Violations"), `"to"`) {
		t.Errorf("invalid body: got %d, violations %q, %s; want 422 naming the rule", resp.StatusCode, resp.Header.Get("X-Whispir-Mock-Violations"), body)
	}
}

// logLine matches a text line of the request log.
var logLine = regexp.MustCompile(`^time=\S+ msg=request method=(\S+) path=(\S+) operation=(\S*) status=(\d+) duration=\S+ fault=(\S+)$`)

func testBinaryLog(t *testing.T, tl tools) {
	t.Run("text", func(t *testing.T) {
		t.Parallel()
		m := startMockBinary(t, tl.whispir, "--log-format", "text") // --json alone means json
		m.send(t)
		m.do(t, req{method: "GET", path: "/nowhere", auth: true})
		if code := m.stop(t); code != 0 {
			t.Errorf("exit %d; want 0", code)
		}
		var got []string
		for l := range strings.Lines(m.stderr.String()) {
			sub := logLine.FindStringSubmatch(strings.TrimSpace(l))
			if sub == nil {
				t.Errorf("stderr line %q is not a request line", l)
				continue
			}
			got = append(got, strings.Join(sub[1:], " "))
		}
		want := []string{"POST /messages defaultMessageCreate 202 FaultNone", `GET /nowhere "" 404 FaultNone`}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("log:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if strings.Contains(m.stderr.String(), m.APIKey) || strings.Contains(m.stderr.String(), "From a test") {
			t.Errorf("the log shows a secret or a body: %s", m.stderr)
		}
	})
	t.Run("json", func(t *testing.T) {
		t.Parallel()
		m := startMockBinary(t, tl.whispir) // started with --json
		m.send(t)
		m.stop(t)
		var line struct {
			Time, Msg, Method, Path, Operation, Fault string
			Status                                    int
			Duration                                  float64
		}
		if err := json.Unmarshal([]byte(m.stderr.String()), &line); err != nil {
			t.Fatalf("stderr %q: %v", m.stderr, err)
		}
		if line.Time == "" || line.Msg != "request" || line.Method != "POST" || line.Path != "/messages" ||
			line.Operation != "defaultMessageCreate" || line.Status != 202 || line.Duration <= 0 || line.Fault != "FaultNone" {
			t.Errorf("got %+v; want the send's line", line)
		}
	})
	t.Run("quiet", func(t *testing.T) {
		t.Parallel()
		m := startMockBinary(t, tl.whispir, "--quiet")
		m.send(t)
		m.stop(t)
		if s := m.stderr.String(); s != "" {
			t.Errorf("stderr %q; want nothing", s)
		}
	})
}

func testBinaryTimeouts(t *testing.T, tl tools) {
	m := startMockBinary(t, tl.whispir, "--quiet", "--read-header-timeout", "200ms", "--idle-timeout", "300ms")
	host := strings.TrimPrefix(m.BaseURL, "http://")
	for _, tc := range []struct {
		name, sent string
	}{
		{"a header never finished", "GET /_whispir/health HTTP/1.1\r\nHost: x\r\n"},
		{"an idle keep-alive connection", "GET /_whispir/health HTTP/1.1\r\nHost: x\r\n\r\n"},
	} {
		conn, err := net.Dial("tcp", host)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if _, err := io.WriteString(conn, tc.sent); err != nil {
			t.Fatal(err)
		}
		// The defaults are 10 s and 2 min: far above this bound.
		_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, err = io.ReadAll(conn) // an answer, if any, then the close
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Errorf("%s: the connection was still open after 5s; want it closed by the mock", tc.name)
		}
	}
	// A slow fault outlives the write timeout.
	m = startMockBinary(t, tl.whispir, "--quiet", "--write-timeout", "200ms")
	m.do(t, req{method: "POST", path: "/_whispir/faults", auth: true, body: `{"kind":"FaultSlow","delay":"500ms"}`})
	if resp, body := m.do(t, req{method: "GET", path: "/messages", auth: true}); resp.StatusCode != 200 {
		t.Errorf("slow request: got %d %s; want 200", resp.StatusCode, body)
	}
}

func testBinaryListening(t *testing.T, tl tools) {
	t.Run("off loopback needs --allow-remote", func(t *testing.T) {
		t.Parallel()
		cmd := exec.CommandContext(t.Context(), tl.whispir, "mock", "--addr", "0.0.0.0:0")
		out, _ := cmd.CombinedOutput()
		if cmd.ProcessState.ExitCode() != exitUsage || !strings.Contains(string(out), "--allow-remote") {
			t.Errorf("exit %d, %s; want 2 naming --allow-remote", cmd.ProcessState.ExitCode(), out)
		}
	})
	t.Run("allowed", func(t *testing.T) {
		t.Parallel()
		m := startMockBinary(t, tl.whispir, "--addr", "0.0.0.0:0", "--allow-remote", "--quiet")
		if !strings.HasPrefix(m.BaseURL, "http://127.0.0.1:") {
			t.Errorf("baseUrl: got %q; want the loopback address of the port", m.BaseURL)
		}
		m.send(t)
		m.stop(t)
		if !strings.Contains(m.stderr.String(), "warning: the mock listens on 0.0.0.0:0, off loopback") {
			t.Errorf("stderr %q; want the warning", m.stderr)
		}
	})
	t.Run("public url", func(t *testing.T) {
		t.Parallel()
		port := freePort(t)
		m := startMockBinary(t, tl.whispir, "--quiet", "--addr", "127.0.0.1:"+port, "--public-url", "http://whispir-mock.internal:9999/")
		if m.BaseURL != "http://whispir-mock.internal:9999" {
			t.Fatalf("baseUrl: got %q; want the public URL", m.BaseURL)
		}
		// Reach it where it listens: the public name is for others.
		m.BaseURL = "http://127.0.0.1:" + port
		resp, body := m.do(t, req{method: "POST", path: "/messages", body: smsJSON, auth: true})
		if loc := resp.Header.Get("Location"); resp.StatusCode != 202 || !strings.HasPrefix(loc, "http://whispir-mock.internal:9999/messages/") {
			t.Errorf("send: got %d %s, Location %q; want 202 and a Location under the public URL", resp.StatusCode, body, loc)
		}
	})
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

func testBinaryTLS(t *testing.T, tl tools) {
	certFile := filepath.Join(t.TempDir(), "mock.pem")
	m := startMockBinary(t, tl.whispir, "--quiet", "--tls", "--tls-cert", certFile)
	if !strings.HasPrefix(m.BaseURL, "https://127.0.0.1:") || m.CertFile != certFile {
		t.Fatalf("got %+v; want an https URL and the certificate file", m.mockAddress)
	}
	pemData, err := os.ReadFile(certFile)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pemData) {
		t.Fatalf("%s holds no certificate", certFile)
	}
	m.client = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
	if id := m.send(t); id == "" {
		t.Error("no id over HTTPS")
	}
	// Without trusting the certificate, the client refuses it.
	_, err = http.Get(m.BaseURL + "/_whispir/health")
	var unknown x509.UnknownAuthorityError
	if !errors.As(err, &unknown) {
		t.Errorf("untrusted: got %v; want an unknown authority", err)
	}
}

func testBinarySeed(t *testing.T, tl tools) {
	dir := t.TempDir()
	seed := filepath.Join(dir, "seed.yaml")
	if err := os.WriteFile(seed, []byte("contacts:\n  9A4C5521FFC7B15B:\n    - {id: C0FFEE, firstName: Jane, lastName: Citizen}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	m := startMockBinary(t, tl.whispir, "--quiet", "--seed", seed)
	if resp, body := m.do(t, req{method: "GET", path: "/workspaces/9A4C5521FFC7B15B/contacts/C0FFEE", auth: true}); resp.StatusCode != 200 || !strings.Contains(string(body), "Jane") {
		t.Errorf("seeded contact: got %d %s; want Jane", resp.StatusCode, body)
	}
	m.do(t, req{method: "POST", path: "/_whispir/reset", auth: true})
	if resp, _ := m.do(t, req{method: "GET", path: "/workspaces/9A4C5521FFC7B15B/contacts/C0FFEE", auth: true}); resp.StatusCode != 200 {
		t.Errorf("after reset: got %d; want the seeded contact back", resp.StatusCode)
	}
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("contacts: {default: [{firstName: 7}]}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), tl.whispir, "mock", "--seed", bad)
	out, _ := cmd.CombinedOutput()
	if cmd.ProcessState.ExitCode() != exitUsage || !strings.Contains(string(out), "contacts[default][0]") {
		t.Errorf("bad seed: exit %d, %s; want 2 naming the item", cmd.ProcessState.ExitCode(), out)
	}
}

// testBinarySIGTERM: a request in flight when SIGTERM arrives is answered,
// new connections are refused, and the mock exits 0.
func testBinarySIGTERM(t *testing.T, tl tools) {
	m := startMockBinary(t, tl.whispir, "--quiet")
	pr, pw := io.Pipe()
	hr, err := http.NewRequestWithContext(t.Context(), "POST", m.BaseURL+"/messages", pr)
	if err != nil {
		t.Fatal(err)
	}
	hr.ContentLength = int64(len(smsJSON))
	hr.Header.Set("Content-Type", "application/vnd.whispir.message-v1+json")
	hr.Header.Set("Accept", "application/vnd.whispir.message-v1+json")
	hr.Header.Set("x-api-key", m.APIKey)
	hr.SetBasicAuth(m.Username, m.Password)
	type result struct {
		status int
		err    error
	}
	done := make(chan result, 1)
	go func() {
		resp, err := m.client.Do(hr)
		if err != nil {
			done <- result{err: err}
			return
		}
		resp.Body.Close()
		done <- result{status: resp.StatusCode}
	}()
	if _, err := io.WriteString(pw, smsJSON[:10]); err != nil {
		t.Fatal(err)
	}
	// The request is in flight once the mock has recorded it (it records a
	// request when its headers are read, before its body): a connection
	// whose request the server has not started reading yet is not in
	// flight, and shutting down may close it.
	for i := 0; ; i++ {
		_, body := m.do(t, req{method: "GET", path: "/_whispir/requests", auth: true})
		if strings.Contains(string(body), `"operationId":"defaultMessageCreate"`) {
			break
		}
		if i == 200 {
			t.Fatalf("the mock did not record the in-flight send within 10s: %s", body)
		}
		time.Sleep(50 * time.Millisecond)
	}
	_ = m.cmd.Process.Signal(syscall.SIGTERM)
	// Once the listener is closed, new connections fail; then finish the body.
	host := strings.TrimPrefix(m.BaseURL, "http://")
	for i := 0; ; i++ {
		c, err := net.DialTimeout("tcp", host, time.Second)
		if err != nil {
			break
		}
		c.Close()
		if i == 100 {
			t.Fatal("the mock still accepts connections 10s after SIGTERM")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if _, err := io.WriteString(pw, smsJSON[10:]); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	select {
	case r := <-done:
		if r.err != nil || r.status != http.StatusAccepted {
			t.Errorf("in-flight send: got %d, %v; want 202", r.status, r.err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the in-flight send got no answer within 10s")
	}
	if code := m.wait(t); code != 0 {
		t.Errorf("exit %d; want 0; stderr %s", code, m.stderr)
	}
}

// testBinaryReadme runs the curl walkthrough of README.md, as written,
// with the built binary as whispir on PATH.
func testBinaryReadme(t *testing.T, tl tools) {
	script := readmeBlock(t, "## Using the mock from any language")
	sh, err := exec.LookPath("sh")
	if err != nil {
		skipOrFail(t, "no sh")
	}
	if _, err := exec.LookPath("curl"); err != nil {
		skipOrFail(t, "no curl (apt-get install curl)")
	}
	cmd := exec.CommandContext(t.Context(), sh, "-eu", "-c", script)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "PATH="+filepath.Dir(tl.whispir)+string(os.PathListSeparator)+os.Getenv("PATH"))
	cmd.WaitDelay = 10 * time.Second
	var stdout, stderr lockedBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("the walkthrough failed: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{
		`"operationId":"defaultMessageCreate","status":202`,                  // the journal
		`{"messages":[{"id":"`,                                               // the messages
		`"content":"YES"`,                                                    // the reply, listed
		`"kind":"FaultQPS"`,                                                  // the fault, injected
		"HTTP/1.1 403 Forbidden", "X-Error-Code: ERR_403_DEVELOPER_OVER_QPS", // and applied
		`{"status":"stopping"}`, // the shutdown
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the walkthrough's output has no %s:\n%s", want, out)
		}
	}
	// The mock exited: the request log ends with the shutdown.
	if !strings.Contains(stderr.String(), "operation=adminShutdown status=202") {
		t.Errorf("stderr:\n%s\nwant the shutdown's log line", stderr.String())
	}
}

// readmeBlock returns the first sh code block below heading in README.md.
func readmeBlock(t *testing.T, heading string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(data), "\n"+heading+"\n")
	if !ok {
		t.Fatalf("README.md has no %q", heading)
	}
	_, rest, ok = strings.Cut(rest, "\n```sh\n")
	block, _, closed := strings.Cut(rest, "\n```\n")
	if !ok || !closed {
		t.Fatalf("README.md: no sh block under %q", heading)
	}
	return block
}

// skipOrFail skips a test that needs a missing tool, or fails it under
// CI=true, where .ci/run installs the tool.
func skipOrFail(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal(why)
	}
	t.Skip(why)
}

// testBinaryMemory: after 200,000 sends and 20,000 unauthenticated 1 MiB
// requests, the mock's RSS is within 150 MB of what it was idle (issue 9:
// it used to keep everything, 500 MB after 120,000 sends).
func testBinaryMemory(t *testing.T, tl tools) {
	if testing.Short() {
		t.Skip("-short: about 40 s of load")
	}
	m := startMockBinary(t, tl.whispir, "--quiet")
	if resp, _ := m.do(t, req{method: "GET", path: "/_whispir/health"}); resp.StatusCode != 200 {
		t.Fatal("not healthy")
	}
	idle := rss(t, m.cmd.Process.Pid)
	load := exec.CommandContext(t.Context(), tl.mockload, "-sends", "200000", "-unauthenticated", "20000", "-size", strconv.Itoa(1<<20), "-c", "8")
	load.Env = append(os.Environ(),
		envBaseURL+"="+m.BaseURL, "WHISPIR_API_KEY="+m.APIKey, "WHISPIR_USERNAME="+m.Username, "WHISPIR_PASSWORD="+m.Password)
	out, err := load.Output()
	if err != nil {
		t.Fatalf("mockload: %v: %s", err, out)
	}
	var sum struct {
		Sends, Unauthenticated map[string]int
		Seconds                float64
	}
	if err := json.Unmarshal(out, &sum); err != nil {
		t.Fatalf("mockload output %q: %v", out, err)
	}
	if sum.Sends["202"] != 200000 || sum.Unauthenticated["403"] != 20000 {
		t.Fatalf("mockload: %s; want 200000 sends answered 202 and 20000 answered 403", out)
	}
	after := rss(t, m.cmd.Process.Pid)
	t.Logf("RSS idle %d MB, after the load %d MB (+%d MB); load took %.1fs", idle>>20, after>>20, (after-idle)>>20, sum.Seconds)
	if after-idle > 150<<20 {
		t.Errorf("RSS grew by %d MB; want at most 150 MB", (after-idle)>>20)
	}
	// The stores kept the newest, up to their limits.
	_, body := m.do(t, req{method: "GET", path: "/_whispir/messages", auth: true})
	if n := strings.Count(string(body), `"workspaceId"`); n != 10000 {
		t.Errorf("messages kept: %d; want 10000", n)
	}
	_, body = m.do(t, req{method: "GET", path: "/_whispir/requests", auth: true})
	if n := strings.Count(string(body), `"operationId"`); n != 10000 {
		t.Errorf("requests kept: %d; want 10000", n)
	}
	if code := m.stop(t); code != 0 {
		t.Errorf("exit %d; want 0", code)
	}
}

// rss reads VmRSS of a process, in bytes.
func rss(t *testing.T, pid int) int {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	for l := range strings.Lines(string(data)) {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			if err != nil {
				t.Fatalf("VmRSS %q: %v", v, err)
			}
			return kb << 10
		}
	}
	t.Fatal("no VmRSS")
	return 0
}
