// Package benchutil holds what the project's benchmarks share: loops that
// report the process CPU time per operation next to wall time, and the
// building and running of small programs for start-up measurements. Only
// benchmarks import it.
//
// Benchmarks compare variants as sub-benchmarks named impl=raw (a
// standard-library baseline) and impl=whispir (and others), so that
// benchstat -col /impl puts them side by side. make bench runs go test
// -count 1 several times rather than -count N, which would run each
// variant N times in a row: so the variants alternate.
package benchutil

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Loop runs op in b.Loop, reports allocations and the CPU time of the
// whole process (every goroutine, the garbage collector's included) per
// operation as cpu-ns/op: steadier than wall time on a shared machine.
func Loop(b *testing.B, op func()) {
	b.Helper()
	b.ReportAllocs()
	start, ok := ProcessCPU()
	for b.Loop() {
		op()
	}
	reportCPU(b, start, ok)
}

// Parallel runs op b.N times in all from goroutines goroutines at once,
// and reports as Loop does: ns/op is the wall time over b.N, so its
// inverse is the throughput of all goroutines together.
func Parallel(b *testing.B, goroutines int, op func()) {
	b.Helper()
	b.ReportAllocs()
	var next atomic.Int64
	var wg sync.WaitGroup
	start, ok := ProcessCPU()
	b.ResetTimer()
	for range goroutines {
		wg.Go(func() {
			for next.Add(1) <= int64(b.N) {
				op()
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	reportCPU(b, start, ok)
}

func reportCPU(b *testing.B, start time.Duration, ok bool) {
	if end, _ := ProcessCPU(); ok && b.N > 0 {
		b.ReportMetric(float64((end-start)/time.Nanosecond)/float64(b.N), "cpu-ns/op")
	}
}
