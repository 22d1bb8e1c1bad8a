//go:build unix

package benchutil

import (
	"syscall"
	"time"
)

// ProcessCPU is the CPU time this process has used (user and system, every
// thread, the garbage collector's included).
func ProcessCPU() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
