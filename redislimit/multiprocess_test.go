package redislimit_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/whispir-go/whispir/internal/redistest"
	"github.com/whispir-go/whispir/whispirtest"
)

// outcome is one line of loadsender's output.
type outcome struct {
	Body  string `json:"body"`
	ID    string `json:"id"`
	Class string `json:"class"`
	Error string `json:"error"`
	// Granted is when the limiter let the request go, unix ns.
	Granted int64 `json:"granted"`
}

// senderBuild is the helper binary, built once for the package's tests.
var senderBuild struct {
	once sync.Once
	dir  string // made and removed by TestMain
	path string
	err  error
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "redislimit-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	senderBuild.dir = dir
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// buildSender builds the helper binary redislimit/internal/loadsender
// (once) and returns its path.
func buildSender(t *testing.T) string {
	t.Helper()
	redistest.Binary(t) // skip (or fail under CI) before building for nothing
	senderBuild.once.Do(func() {
		goTool, err := exec.LookPath("go")
		if err != nil {
			senderBuild.err = fmt.Errorf("the go command is needed to build the helper process: %w", err)
			return
		}
		bin := filepath.Join(senderBuild.dir, "loadsender")
		out, err := exec.Command(goTool, "build", "-o", bin, "./internal/loadsender").CombinedOutput()
		if err != nil {
			senderBuild.err = fmt.Errorf("go build ./internal/loadsender: %w\n%s", err, out)
			return
		}
		senderBuild.path = bin
	})
	if senderBuild.err != nil {
		t.Fatal(senderBuild.err)
	}
	return senderBuild.path
}

// sender is one running helper process.
type sender struct {
	name   string
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	lines  chan string // stdout, line by line; closed at EOF
	stderr bytes.Buffer
}

// startSenders starts one helper process per name, each sending n messages
// to srv through Redis at redisAddr, with extra flags. It returns once every
// process has set itself up, and then lets them all go at once.
func startSenders(t *testing.T, bin string, srv *whispirtest.Server, redisAddr string, names []string, n int, extra ...string) []*sender {
	t.Helper()
	creds := srv.Credentials()
	var out []*sender
	for _, name := range names {
		s := &sender{name: name, lines: make(chan string, 2*n+2)}
		args := append([]string{"-redis", redisAddr, "-name", name, "-n", fmt.Sprint(n), "-rate", "50", "-burst", "5", "-ready"}, extra...)
		s.cmd = exec.CommandContext(t.Context(), bin, args...)
		s.cmd.Env = append(os.Environ(),
			"WHISPIR_BASE_URL="+srv.URL,
			"WHISPIR_API_KEY="+creds.APIKey,
			"WHISPIR_USERNAME="+creds.Username,
			"WHISPIR_PASSWORD="+creds.Password)
		s.cmd.Stderr = &s.stderr
		s.cmd.WaitDelay = 5 * time.Second
		stdout, err := s.cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if s.stdin, err = s.cmd.StdinPipe(); err != nil {
			t.Fatal(err)
		}
		if err := s.cmd.Start(); err != nil {
			t.Fatalf("start %s: %v", name, err)
		}
		go func() {
			defer close(s.lines)
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				s.lines <- sc.Text()
			}
		}()
		out = append(out, s)
	}
	for _, s := range out {
		select {
		case line, ok := <-s.lines:
			if !ok || line != "ready" {
				_ = s.cmd.Wait()
				t.Fatalf("sender %s: got %q before ready; stderr: %s", s.name, line, s.stderr.String())
			}
		case <-time.After(time.Minute):
			t.Fatalf("sender %s not ready within a minute", s.name)
		}
	}
	for _, s := range out {
		if _, err := io.WriteString(s.stdin, "go\n"); err != nil {
			t.Fatalf("start %s: %v", s.name, err)
		}
		_ = s.stdin.Close()
	}
	return out
}

// wait waits for every sender and returns their outcomes, by body.
func wait(t *testing.T, senders []*sender) map[string]outcome {
	t.Helper()
	got := map[string]outcome{}
	for _, s := range senders {
		var lines []string
		for line := range s.lines {
			lines = append(lines, line)
		}
		if err := s.cmd.Wait(); err != nil {
			t.Fatalf("sender %s: %v\n%s", s.name, err, s.stderr.String())
		}
		for _, line := range lines {
			var o outcome
			if err := json.Unmarshal([]byte(line), &o); err != nil {
				t.Fatalf("sender %s printed %q: %v", s.name, line, err)
			}
			if _, dup := got[o.Body]; dup {
				t.Fatalf("sender %s reported %s twice", s.name, o.Body)
			}
			got[o.Body] = o
		}
	}
	return got
}

// expectedBodies lists the bodies the senders were asked to send.
func expectedBodies(names []string, n int) []string {
	var out []string
	for _, name := range names {
		for i := range n {
			out = append(out, fmt.Sprintf("%s-%04d", name, i))
		}
	}
	return out
}

// arrivals counts, per body, the messages the server stored.
func arrivals(srv *whispirtest.Server) map[string]int {
	got := map[string]int{}
	for _, m := range srv.Messages() {
		if m.Message.Body != nil {
			got[*m.Message.Body]++
		}
	}
	return got
}

// arrivalTimes returns when each request arrived.
func arrivalTimes(reqs []whispirtest.Request) []time.Time {
	times := make([]time.Time, len(reqs))
	for i, r := range reqs {
		times[i] = r.Time
	}
	return times
}

// busiestSecond returns the largest number of times within one second of
// each other, and when that window started. It sorts times.
func busiestSecond(times []time.Time) (int, time.Time) {
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	best, at, j := 0, time.Time{}, 0
	for i := range times {
		for times[i].Sub(times[j]) >= time.Second {
			j++
		}
		if n := i - j + 1; n > best {
			best, at = n, times[j]
		}
	}
	return best, at
}

func TestBusiestSecond(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(ms ...int) []whispirtest.Request {
		var out []whispirtest.Request
		for _, m := range ms {
			out = append(out, whispirtest.Request{Time: t0.Add(time.Duration(m) * time.Millisecond)})
		}
		return out
	}
	tests := []struct {
		name string
		reqs []whispirtest.Request
		want int
	}{
		{"none", nil, 0},
		{"one", at(5), 1},
		{"a second apart is two windows", at(0, 1000), 1},
		{"just under a second is one", at(0, 999), 2},
		{"out of order", at(1500, 0, 600, 900, 2400), 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got, _ := busiestSecond(arrivalTimes(tc.reqs)); got != tc.want {
				t.Errorf("busiestSecond = %d; want %d", got, tc.want)
			}
		})
	}
}

// TestFourProcessesShareOneKey is the proof of issue 12: four OS processes
// share one key at 50 requests a second with a burst of 5 and together send
// 400 messages to one server. No one-second window at the server holds more
// than 55 requests, and every message arrives exactly once.
func TestFourProcessesShareOneKey(t *testing.T) {
	// Not parallel: the other tests of the package would compete for the
	// two cores while this one measures arrival times.
	bin := buildSender(t)
	rs := redistest.Start(t)
	srv := whispirtest.NewServer()
	t.Cleanup(srv.Close)

	names := []string{"p1", "p2", "p3", "p4"}
	const perProcess = 100
	senders := startSenders(t, bin, srv, rs.Addr, names, perProcess)
	start := time.Now() // they are all set up and have just been let go
	got := wait(t, senders)
	took := time.Since(start)

	want := expectedBodies(names, perProcess)
	for _, body := range want {
		if o, ok := got[body]; !ok || o.Class != "sent" {
			t.Errorf("%s: outcome %+v; want sent", body, o)
		}
	}
	arrived := arrivals(srv)
	for _, body := range want {
		if arrived[body] != 1 {
			t.Errorf("%s arrived %d times; want exactly once", body, arrived[body])
		}
	}
	if len(arrived) != len(want) {
		t.Errorf("server stored %d distinct messages; want %d", len(arrived), len(want))
	}
	// Every request the server got, each process's warm-up list included,
	// went through the shared limiter.
	reqs := srv.Requests()
	ops := map[string]int{}
	for _, r := range reqs {
		ops[fmt.Sprintf("%s %d", r.OperationID, r.Status)]++
	}
	if want := map[string]int{"defaultMessageCreate 202": len(want), "defaultMessageList 200": len(names)}; !maps.Equal(ops, want) {
		t.Errorf("requests by operation and status: %v; want %v", ops, want)
	}
	busiest, at := busiestSecond(arrivalTimes(reqs))
	var grants []time.Time
	for _, o := range got {
		grants = append(grants, time.Unix(0, o.Granted))
	}
	byGrant, grantAt := busiestSecond(grants)
	t.Logf("%d requests (%d warm-ups before the start) in %s; busiest one-second window: %d requests arrived from %s (%d let go by the limiter from %s)",
		len(reqs), len(names), took.Round(time.Millisecond), busiest, at.Sub(start).Round(time.Millisecond), byGrant, grantAt.Sub(start).Round(time.Millisecond))
	if busiest > 55 {
		t.Errorf("busiest one-second window held %d requests; want at most 55 (rate 50 + burst 5)", busiest)
	}
}

// TestRedisDiesMidRun kills Redis while two processes are sending and shows
// the configured behaviour: failing closed, sends after the kill fail with
// redislimit.ErrUnavailable and are not sent; falling back, every send goes
// out paced by each process's local share. Either way every message either
// arrived exactly once or was reported failed and never arrived.
func TestRedisDiesMidRun(t *testing.T) {
	t.Parallel()
	bin := buildSender(t)
	tests := []struct {
		name      string
		flags     []string
		wantClass string // the outcome of sends after the kill
	}{
		{"fail closed", nil, "unavailable"},
		{"fall back to half the rate each", []string{"-fallback", "0.5"}, "sent"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rs := redistest.Start(t)
			srv := whispirtest.NewServer()
			t.Cleanup(srv.Close)
			names := []string{"a", "b"}
			const perProcess = 60
			senders := startSenders(t, bin, srv, rs.Addr, names, perProcess, tc.flags...)

			// Kill Redis once a third of the messages have arrived: at 50 a
			// second the other 80 need more than a second and a half more.
			deadline := time.Now().Add(30 * time.Second)
			for len(srv.Messages()) < 40 && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
			}
			killedAt := len(srv.Messages())
			rs.Kill()
			got := wait(t, senders)

			arrived := arrivals(srv)
			classes := map[string]int{}
			for _, body := range expectedBodies(names, perProcess) {
				o, ok := got[body]
				if !ok {
					t.Errorf("%s: no outcome reported", body)
					continue
				}
				classes[o.Class]++
				switch o.Class {
				case "sent":
					if arrived[body] != 1 {
						t.Errorf("%s reported sent, arrived %d times; want once", body, arrived[body])
					}
				case "unavailable":
					if arrived[body] != 0 {
						t.Errorf("%s reported failed, arrived %d times; want never", body, arrived[body])
					}
					if !strings.Contains(o.Error, "redis unavailable") {
						t.Errorf("%s error %q; want it to say redis unavailable", body, o.Error)
					}
				default:
					t.Errorf("%s: outcome %+v; want sent or unavailable", body, o)
				}
			}
			for body, n := range arrived {
				if o := got[body]; o.Class != "sent" {
					t.Errorf("server stored %s %d times, reported %q; want only reported sends", body, n, o.Class)
				}
			}
			t.Logf("killed Redis after %d arrivals; outcomes %v", killedAt, classes)
			if killedAt >= len(names)*perProcess {
				t.Fatalf("every message arrived before Redis was killed; the test proved nothing")
			}
			switch tc.wantClass {
			case "sent":
				if classes["sent"] != len(names)*perProcess {
					t.Errorf("outcomes %v; want all %d sent through the fallback", classes, len(names)*perProcess)
				}
			case "unavailable":
				if classes["unavailable"] == 0 {
					t.Errorf("outcomes %v; want the sends after the kill to fail closed", classes)
				}
			}
		})
	}
}
