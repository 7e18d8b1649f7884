package cputime

import (
	"runtime"
	"testing"
	"time"
)

// TestProcessGrowsWithWork: spinning for 50 ms of wall time adds CPU
// time, and the figure never goes back.
func TestProcessGrowsWithWork(t *testing.T) {
	before, ok := Process()
	if !ok {
		if runtime.GOOS == "linux" || runtime.GOOS == "darwin" {
			t.Fatalf("CPU time not measured on %s", runtime.GOOS)
		}
		return
	}
	x := 0
	for start := time.Now(); time.Since(start) < 50*time.Millisecond; {
		x++
	}
	after, _ := Process()
	if after <= before {
		t.Errorf("CPU time %v after spinning (%d iterations), %v before", after, x, before)
	}
}
