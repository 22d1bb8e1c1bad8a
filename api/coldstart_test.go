package api

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// envFreshProcess makes the test binary run one measurement of
// TestNewBuildsNoDocument in a process where nothing else has touched the
// spec.
const envFreshProcess = "WHISPIR_API_TEST_FRESH_PROCESS"

// TestNewBuildsNoDocument: in a fresh process, api.New allocates a few
// kilobytes. It used to build the whole OpenAPI document (about 1 MB and
// 7,600 allocations) that no request needs; a send prepares only its own
// operation. It measures bytes, not time, in a child process: in this one,
// other tests may have built the document already.
func TestNewBuildsNoDocument(t *testing.T) {
	t.Parallel()
	if os.Getenv(envFreshProcess) == "1" {
		p := newTestProvider(t)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		if _, err := New(p, WithRegion(AU)); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		fmt.Printf("allocated %d\n", after.TotalAlloc-before.TotalAlloc)
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestNewBuildsNoDocument$", "-test.v")
	cmd.Env = append(os.Environ(), envFreshProcess+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child process: %v\n%s", err, out)
	}
	_, rest, ok := strings.Cut(string(out), "allocated ")
	if !ok {
		t.Fatalf("child process printed no measurement:\n%s", out)
	}
	n, err := strconv.ParseUint(strings.Fields(rest)[0], 10, 64)
	if err != nil {
		t.Fatalf("child process measurement %q: %v", rest, err)
	}
	const limit = 64 << 10 // the document is about 1 MB
	if n > limit {
		t.Errorf("api.New allocated %d bytes in a fresh process; want at most %d (no document built)", n, limit)
	}
}
