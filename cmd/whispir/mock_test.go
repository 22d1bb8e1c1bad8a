package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/whispir-go/whispir/security"
)

func TestMockCommand(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	pr, pw := io.Pipe()
	var stderr strings.Builder
	done := make(chan int, 1)
	go func() {
		code := run(ctx, []string{"mock", "--addr", "127.0.0.1:0"}, mapEnv(nil), strings.NewReader(""), pw, &stderr)
		pw.Close()
		done <- code
	}()

	// Read the export lines; keep draining afterwards so the tool never
	// blocks on its stdout.
	env := map[string]string{}
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	timeout := time.After(10 * time.Second)
	for len(env) < 4 {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("stdout ended after %v; stderr: %s", env, stderr.String())
			}
			if kv, ok := strings.CutPrefix(l, "export "); ok {
				k, v, _ := strings.Cut(kv, "=")
				env[k] = strings.Trim(v, "'")
			}
		case <-timeout:
			t.Fatal("no export lines within 10s")
		}
	}
	go func() {
		for range lines {
		}
	}()
	base := env[envBaseURL]
	if !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Fatalf("%s=%q; want http://127.0.0.1:port", envBaseURL, base)
	}
	for _, k := range []string{security.EnvAPIKey, security.EnvUsername, security.EnvPassword} {
		if env[k] == "" {
			t.Errorf("no %s line", k)
		}
	}

	// A request without credentials must be refused by the mock.
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/messages", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET /messages: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode < 400 {
		t.Errorf("GET /messages without credentials: %d; want an error status", resp.StatusCode)
	}

	// The printed lines are enough for the tool to send through the mock.
	r := runTool(t, env, "send", "--to", "61400000000", "--subject", "Hello", "--body", "From whispir-go")
	if r.code != exitOK || !messageID.MatchString(r.stdout) {
		t.Errorf("send through the served mock: exit %d, stdout %q, stderr %q; want 0 and an id", r.code, r.stdout, r.stderr)
	}

	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Errorf("mock exit %d; want 0; stderr: %s", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("mock did not stop within 10s of cancellation")
	}
}
