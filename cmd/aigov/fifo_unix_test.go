//go:build unix

package main

import (
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFileFlagsRefuseFIFOs: every flag that names a file refuses a FIFO
// (which would block forever) with exit 2 instead of hanging.
func TestFileFlagsRefuseFIFOs(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo.yaml")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	for _, args := range [][]string{
		{"check", "-f", fifo},
		{"check", "-f", platform, "--policy", fifo},
		{"check", "-f", platform, "--baseline", fifo},
		{"quota", "admit", "-f", platform, "--object", fifo},
		{"quota", "fit", "-f", platform, "--object", fifo},
		{"vap", "test", "--policy", fifo, "-f", platform},
	} {
		type result struct {
			code   int
			stderr string
		}
		done := make(chan result, 1)
		go func() {
			code, _, stderr := aigov(t, "", args...)
			done <- result{code, stderr}
		}()
		select {
		case r := <-done:
			assert.Equal(t, 2, r.code, "%v", args)
			assert.Contains(t, r.stderr, "not a regular file", "%v", args)
		case <-time.After(60 * time.Second):
			t.Fatalf("%v: still reading the FIFO after 60 s", args)
		}
	}
}
