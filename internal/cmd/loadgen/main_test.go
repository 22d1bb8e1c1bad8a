package main

import (
	"os"
	"runtime"
	"testing"
)

func TestMedian(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		in   []float64
		want float64
	}{
		{"none", nil, 0},
		{"one", []float64{3}, 3},
		{"odd", []float64{5, 1, 3}, 3},
		{"even", []float64{4, 1, 3, 2}, 2.5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := median(tc.in); got != tc.want {
				t.Errorf("median(%v): got %v; want %v", tc.in, got, tc.want)
			}
		})
	}
}

func TestProcessCPU(t *testing.T) {
	t.Parallel()
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc: Linux only")
	}
	if _, ok := processCPU(os.Getpid()); !ok {
		t.Errorf("processCPU(own pid): got false; want the CPU time from /proc")
	}
	if _, ok := processCPU(-1); ok {
		t.Errorf("processCPU(-1): got true; want false")
	}
}
