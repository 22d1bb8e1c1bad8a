// Command loadgen is make bench-mock: it compares whispir mock with Prism
// and with a bare net/http server under the same load, a valid SMS sent
// (POST /messages) again and again by -c keep-alive workers
// (internal/loadgen), and prints the medians of several rounds.
//
//	loadgen -whispir .tools/whispir -prism .tools/node_modules/.bin/prism -spec openapi.yaml
//
// It starts each server as a process of its own on a loopback port: whispir
// mock --quiet (the request log off, as a benchmark would run it), prism
// mock -v silent on the spec, and itself with -serve-bare, which answers
// what whispir mock answers a send (loadgen.BareHandler). Every round runs
// each server once, in an order that rotates from round to round, so that a
// change in the machine's load falls on all of them. Every answer must have
// the server's expected status, or the benchmark fails: 202 from whispir
// mock and the bare server; from Prism, the lowest 2xx the spec declares
// for messageCreate, 200 (a scheduled send, with the spec's example), since
// Prism answers the first success it finds.
//
// Besides requests per second and latency, it reports each server's CPU
// time per request (user and system, from /proc on Linux), which depends
// less than throughput on what else the machine runs.
package main

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/whispir-go/whispir/internal/loadgen"
)

// smsBody is the message every worker sends: valid for the spec.
const smsBody = `{"to":"61400000000","subject":"Test SMS","body":"Hello from whispir-go"}`

const messageMediaType = "application/vnd.whispir.message-v1+json"

func main() {
	var (
		whispirBin  = flag.String("whispir", "", "`PATH` of a whispir binary (built without -race); empty: skip whispir mock")
		baseline    = flag.String("baseline", "", "`PATH` of another whispir binary (e.g. built from main) to run as one more server, for before/after comparisons")
		prismBin    = flag.String("prism", "", "`PATH` of the prism executable; empty: skip Prism")
		spec        = flag.String("spec", "openapi.yaml", "the OpenAPI document Prism serves")
		rounds      = flag.Int("rounds", 5, "rounds: each runs every server once")
		duration    = flag.Duration("duration", 5*time.Second, "measured time of one run")
		warmup      = flag.Duration("warmup", time.Second, "warm-up before each run, not measured")
		workers     = flag.Int("c", 8, "concurrent workers (keep-alive connections)")
		prismStatus = flag.Int("prism-status", http.StatusOK, "the status Prism answers a valid send: the spec's lowest 2xx for messageCreate")
		netHTTP     = flag.Bool("nethttp", false, "send with net/http's client instead of loadgen's own HTTP/1.1 client (heavier: it leaves less CPU to the servers)")
		serveBare   = flag.String("serve-bare", "", "serve the bare baseline on `ADDR` and print its URL (used by loadgen itself)")
	)
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *serveBare != "" {
		if err := runBare(ctx, *serveBare); err != nil {
			fatal(err)
		}
		return
	}
	if *rounds < 1 {
		fatal(errors.New("-rounds must be at least 1"))
	}
	b := &bench{rounds: *rounds, cfg: loadgen.Config{Workers: *workers, Warmup: *warmup, Duration: *duration, NetHTTP: *netHTTP}}
	defer b.stop()
	if err := b.start(ctx, *whispirBin, *baseline, *prismBin, *spec, *prismStatus); err != nil {
		b.stop()
		fatal(err)
	}
	if err := b.run(ctx, os.Stdout); err != nil {
		b.stop()
		fatal(err)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "loadgen:", err)
	os.Exit(1)
}

// target is one server under test.
type target struct {
	name   string
	cmd    *exec.Cmd
	req    loadgen.Request
	want   int
	pid    int
	result []measure // one per round
}

// measure is one run against a target.
type measure struct {
	loadgen.Result
	cpu time.Duration // of the server process during the run; -1 when unknown
}

type bench struct {
	rounds  int
	cfg     loadgen.Config
	targets []*target
	prism   string // its version
}

// start starts the servers and waits until each answers a send.
func (b *bench) start(ctx context.Context, whispirBin, baseline, prismBin, spec string, prismStatus int) error {
	if whispirBin == "" && prismBin == "" {
		return errors.New("nothing to compare: give -whispir, -prism or both")
	}
	creds := credentials{APIKey: "loadgen-api-key-not-real", Username: "loadgen", Password: "loadgen-password-not-real"}
	if whispirBin != "" {
		t, c, err := startWhispir(ctx, whispirBin)
		if err != nil {
			return err
		}
		b.targets = append(b.targets, t)
		creds = c
	}
	if baseline != "" {
		t, _, err := startWhispir(ctx, baseline)
		if err != nil {
			return err
		}
		t.name = "whispir mock --quiet (-baseline)"
		b.targets = append(b.targets, t)
	}
	if prismBin != "" {
		out, err := exec.CommandContext(ctx, prismBin, "--version").Output()
		if err != nil {
			return fmt.Errorf("prism --version: %w", err)
		}
		b.prism = strings.TrimSpace(string(out))
		t, err := startPrism(ctx, prismBin, spec, creds, prismStatus)
		if err != nil {
			return err
		}
		t.name = "Prism " + b.prism + " (mock -v silent)"
		b.targets = append(b.targets, t)
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	t, err := startBare(ctx, self, creds)
	if err != nil {
		return err
	}
	b.targets = append(b.targets, t)
	for _, t := range b.targets {
		if err := ready(ctx, t); err != nil {
			return fmt.Errorf("%s: %w", t.name, err)
		}
	}
	return nil
}

// stop ends the servers: SIGTERM, then SIGKILL after a few seconds.
func (b *bench) stop() {
	for _, t := range b.targets {
		if t.cmd != nil && t.cmd.Process != nil && t.cmd.ProcessState == nil {
			_ = t.cmd.Process.Signal(syscall.SIGTERM)
			_ = t.cmd.Wait()
		}
	}
}

// run runs the rounds and prints each run, then the medians.
func (b *bench) run(ctx context.Context, w io.Writer) error {
	client := "loadgen's HTTP/1.1 client"
	if b.cfg.NetHTTP {
		client = "net/http's client"
	}
	fmt.Fprintf(w, "# %d workers (%s), %v warm-up + %v measured per run, %d rounds; %d CPUs; load average %s\n",
		b.cfg.Workers, client, b.cfg.Warmup, b.cfg.Duration, b.rounds, runtime.NumCPU(), loadAverage())
	for round := range b.rounds {
		for i := range b.targets {
			t := b.targets[(i+round)%len(b.targets)]
			cfg := b.cfg
			cfg.Request, cfg.Want = t.req, []int{t.want}
			cpu0, cpuOK := processCPU(t.pid)
			res, err := loadgen.Run(ctx, cfg)
			if err != nil {
				return fmt.Errorf("%s, round %d: %w", t.name, round+1, err)
			}
			m := measure{Result: res, cpu: -1}
			if cpu1, ok := processCPU(t.pid); ok && cpuOK {
				m.cpu = cpu1 - cpu0
			}
			t.result = append(t.result, m)
			fmt.Fprintf(w, "round %d  %-36s %8.0f req/s  p50 %-9v p99 %-9v server CPU %s/req  %s\n",
				round+1, t.name, res.PerSecond(), res.P50, res.P99, cpuPerRequest(m), loadgen.StatusCounts(res.Statuses))
		}
	}
	fmt.Fprintf(w, "\n# medians of %d rounds; load average %s\n\n", b.rounds, loadAverage())
	fmt.Fprintln(w, "| server | req/s | p50 | p99 | server CPU per request |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|")
	for _, t := range b.targets {
		r := median(values(t.result, func(m measure) float64 { return m.PerSecond() }))
		p50 := time.Duration(median(values(t.result, func(m measure) float64 { return float64(m.P50) })))
		p99 := time.Duration(median(values(t.result, func(m measure) float64 { return float64(m.P99) })))
		cpu := "?"
		if c := median(values(t.result, func(m measure) float64 { return float64(cpuPer(m)) })); c >= 0 {
			cpu = round(time.Duration(c)).String()
		}
		fmt.Fprintf(w, "| %s | %.0f | %v | %v | %s |\n", t.name, r, round(p50), round(p99), cpu)
	}
	fmt.Fprintln(w)
	// The ratios of each whispir mock to every other server, round by
	// round (the runs of a round are close in time, so a change in the
	// machine's load falls on both), then their median.
	for _, x := range b.targets {
		if !strings.HasPrefix(x.name, whispirName) {
			continue
		}
		for _, y := range b.targets {
			if y == x || (x.name != whispirName && strings.HasPrefix(y.name, whispirName)) {
				continue
			}
			ratios := make([]float64, len(x.result))
			for i := range x.result {
				ratios[i] = x.result[i].PerSecond() / y.result[i].PerSecond()
			}
			fmt.Fprintf(w, "%s / %s: %.2f× the requests per second (median of the rounds' ratios; %.2f to %.2f)\n",
				x.name, y.name, median(ratios), slices.Min(ratios), slices.Max(ratios))
		}
	}
	return nil
}

const whispirName = "whispir mock --quiet"

// cpuPer is a measure's server CPU per request; -1 when unknown.
func cpuPer(m measure) time.Duration {
	if m.cpu < 0 || m.Requests == 0 {
		return -1
	}
	// The CPU covers the warm-up too: divide by every answer counted.
	n := 0
	for _, c := range m.Statuses {
		n += c
	}
	return m.cpu / time.Duration(n)
}

func cpuPerRequest(m measure) string {
	if c := cpuPer(m); c >= 0 {
		return round(c).String()
	}
	return "?"
}

func round(d time.Duration) time.Duration {
	if d > time.Millisecond {
		return d.Round(10 * time.Microsecond)
	}
	return d.Round(100 * time.Nanosecond)
}

// values is f of each of ms.
func values(ms []measure, f func(measure) float64) []float64 {
	v := make([]float64, len(ms))
	for i, m := range ms {
		v[i] = f(m)
	}
	return v
}

// median is the median of v (the mean of the middle two for an even
// count); 0 for none.
func median(v []float64) float64 {
	v = slices.Sorted(slices.Values(v))
	n := len(v)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}

// credentials are those every request presents: whispir mock's own (fake,
// printed by it), which Prism and the bare server accept as any others.
type credentials struct {
	APIKey   string `json:"apiKey"`
	Username string `json:"username"`
	Password string `json:"password"`
}

// sendRequest is the send every worker repeats, to base.
func sendRequest(base string, c credentials) loadgen.Request {
	h := http.Header{}
	h.Set("X-Api-Key", c.APIKey)
	h.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(c.Username+":"+c.Password)))
	h.Set("Content-Type", messageMediaType)
	h.Set("Accept", messageMediaType)
	return loadgen.Request{Method: http.MethodPost, URL: base + "/messages", Header: h, Body: []byte(smsBody)}
}

// startWhispir starts whispir mock and reads its address and credentials
// from the line it prints with --json.
func startWhispir(ctx context.Context, bin string) (*target, credentials, error) {
	cmd := command(ctx, bin, "--json", "mock", "--quiet", "--addr", "127.0.0.1:0")
	var addr struct {
		credentials
		BaseURL string `json:"baseUrl"`
	}
	line, err := startAndReadLine(cmd)
	if err != nil {
		return nil, credentials{}, fmt.Errorf("whispir mock: %w", err)
	}
	if err := json.Unmarshal([]byte(line), &addr); err != nil || addr.BaseURL == "" {
		return nil, credentials{}, fmt.Errorf("whispir mock printed %q: want its address as JSON", line)
	}
	t := &target{name: whispirName, cmd: cmd, pid: cmd.Process.Pid, want: http.StatusAccepted, req: sendRequest(addr.BaseURL, addr.credentials)}
	return t, addr.credentials, nil
}

// startPrism starts prism mock on a free loopback port.
func startPrism(ctx context.Context, bin, spec string, c credentials, status int) (*target, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	cmd := command(ctx, bin, "mock", "-v", "silent", "-h", "127.0.0.1", "-p", strconv.Itoa(port), spec)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("prism: %w", err)
	}
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	return &target{cmd: cmd, pid: cmd.Process.Pid, want: status, req: sendRequest(base, c)}, nil
}

// startBare starts loadgen itself as the bare server.
func startBare(ctx context.Context, self string, c credentials) (*target, error) {
	cmd := command(ctx, self, "-serve-bare", "127.0.0.1:0")
	base, err := startAndReadLine(cmd)
	if err != nil {
		return nil, fmt.Errorf("bare server: %w", err)
	}
	return &target{name: "bare net/http (202)", cmd: cmd, pid: cmd.Process.Pid, want: http.StatusAccepted, req: sendRequest(base, c)}, nil
}

// runBare serves loadgen.BareHandler on addr until ctx ends, after
// printing its URL.
func runBare(ctx context.Context, addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()
	srv := &http.Server{Handler: loadgen.BareHandler(base), ReadHeaderTimeout: 10 * time.Second}
	fmt.Println(base)
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// command is a server process that ends with loadgen: SIGTERM when ctx
// ends, and (on Linux) SIGKILL if loadgen dies first.
func command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 5 * time.Second
	setPdeathsig(cmd)
	return cmd
}

// startAndReadLine starts cmd and returns the first line it prints; the
// rest of its output goes to stderr.
func startAndReadLine(cmd *exec.Cmd) (string, error) {
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return "", err
	}
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		if sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		_, _ = io.Copy(os.Stderr, out)
	}()
	select {
	case line, ok := <-lines:
		if !ok {
			return "", errors.New("exited without printing its address")
		}
		return line, nil
	case <-time.After(30 * time.Second):
		return "", errors.New("printed no address within 30s")
	}
}

// ready sends t's request until it is answered (at most a minute, for
// Prism's start), and checks the status.
func ready(ctx context.Context, t *target) error {
	client := &http.Client{Timeout: 5 * time.Second}
	deadline := time.Now().Add(time.Minute)
	for {
		req, err := http.NewRequestWithContext(ctx, t.req.Method, t.req.URL, strings.NewReader(string(t.req.Body)))
		if err != nil {
			return err
		}
		req.Header = t.req.Header.Clone()
		resp, err := client.Do(req)
		if err == nil {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
			_ = resp.Body.Close()
			if resp.StatusCode != t.want {
				return fmt.Errorf("a send was answered %d (%.200s); want %d", resp.StatusCode, body, t.want)
			}
			return nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("not answering: %w", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// processCPU is the user and system CPU time of process pid, from
// /proc/PID/stat; false where that cannot be read.
func processCPU(pid int) (time.Duration, bool) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	// The fields after the command name, which is in parentheses: state
	// first, then utime and stime as the 12th and 13th (clock ticks).
	i := strings.LastIndexByte(string(data), ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(string(data[i+1:]))
	if len(f) < 13 {
		return 0, false
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	const ticksPerSecond = 100 // USER_HZ on Linux
	return time.Duration(utime+stime) * time.Second / ticksPerSecond, true
}

// loadAverage is the first three fields of /proc/loadavg, or "?".
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
