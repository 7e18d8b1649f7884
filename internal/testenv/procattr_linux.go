package testenv

import (
	"os/exec"
	"syscall"
)

// setProcAttr makes the kernel kill the child when the thread that started it
// dies, so no etcd or apiserver outlives a crashed or killed test binary. The
// thread is locked to its goroutine for the child's lifetime (see startProcess).
func setProcAttr(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
