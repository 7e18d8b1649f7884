//go:build !linux

package testenv

import "os/exec"

// setProcAttr has no parent-death signal outside Linux: a test binary that is
// killed may leave its control plane running there.
func setProcAttr(cmd *exec.Cmd) {}
