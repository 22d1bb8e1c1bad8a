package main

import (
	"os/exec"
	"syscall"
)

// setPdeathsig makes the kernel kill a server if loadgen dies without
// stopping it.
func setPdeathsig(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
