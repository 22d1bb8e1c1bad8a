package benchutil

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// built caches the binaries of this process: package path -> result.
var built sync.Map

type buildResult struct {
	once sync.Once
	path string
	err  error
}

// Build builds the main package pkg (a path relative to the module root,
// such as ./cmd/whispir) as go build would for a user, and returns the
// binary's path. Binaries go to .tools/bench/ at the module root (ignored
// by git), where go build leaves an up-to-date one alone; each package is
// built once per process.
func Build(b testing.TB, pkg string) string {
	b.Helper()
	v, _ := built.LoadOrStore(pkg, new(buildResult))
	r := v.(*buildResult)
	r.once.Do(func() { r.path, r.err = build(pkg) })
	if r.err != nil {
		b.Fatal(r.err)
	}
	return r.path
}

func build(pkg string) (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("the go command builds the programs to start: %w", err)
	}
	name := strings.ReplaceAll(strings.Trim(filepath.ToSlash(pkg), "./"), "/", "_")
	bin := filepath.Join(root, ".tools", "bench", name)
	cmd := exec.Command(goTool, "build", "-o", bin, pkg)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build %s: %w\n%s", pkg, err, out)
	}
	return bin, nil
}

// moduleRoot is the closest directory holding go.mod, from the working
// directory (a test runs in its package's directory) up.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// Start runs bin with args once per iteration and waits for it to exit,
// which it must do with status 0 (its output goes to the null device). Besides the
// wall time from start to exit (sec/op) it reports, per run:
//
//   - cpu-ns/op: the CPU time of the started process (user and system,
//     from its rusage), not of the benchmark;
//   - p50-ns/op: the median wall time of this batch of runs, which a run
//     delayed by the machine's other work moves less than the mean.
func Start(b *testing.B, bin string, args ...string) {
	b.Helper()
	var cpu time.Duration
	var walls []time.Duration
	for b.Loop() {
		cmd := exec.Command(bin, args...) // output to the null device
		start := time.Now()
		err := cmd.Run()
		walls = append(walls, time.Since(start))
		if err != nil {
			out, _ := exec.Command(bin, args...).CombinedOutput()
			b.Fatalf("%s %s: %v\n%s", filepath.Base(bin), strings.Join(args, " "), err, out)
		}
		cpu += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	if len(walls) == 0 {
		return
	}
	slices.Sort(walls)
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(len(walls)), "cpu-ns/op")
	b.ReportMetric(float64(walls[len(walls)/2].Nanoseconds()), "p50-ns/op")
}
