package main

import (
	"os"
	"runtime/debug"
	"strconv"
	"strings"
)

// maxDefaultMemoryLimit caps the soft memory limit check sets by default.
// Measured on the 100k-pod platform (BenchmarkCheckPlatform, README "At
// scale"): without a limit the garbage collector lets the heap reach
// twice what is live, 5.4 GiB; at 3.5 GiB the run peaks at 3.6 GiB for 5%
// more CPU.
const maxDefaultMemoryLimit = 3584 << 20

// setDefaultMemoryLimit gives the process a soft memory limit
// (debug.SetMemoryLimit) when the user set none with GOMEMLIMIT: the
// smaller of maxDefaultMemoryLimit and three quarters of the memory the
// process may use (its cgroup's limit or the machine's), so that the
// collector works harder instead of the run growing into an OOM kill. A
// larger input whose live heap exceeds it runs slower (the runtime gives
// the collector at most half the CPU); GOMEMLIMIT overrides it.
func setDefaultMemoryLimit() {
	if limit := defaultMemoryLimit(os.Getenv("GOMEMLIMIT"), availableMemory()); limit > 0 {
		debug.SetMemoryLimit(limit)
	}
}

// defaultMemoryLimit is the soft limit for a process that may use
// available bytes (0: unknown), or 0 to keep the runtime's (GOMEMLIMIT
// set).
func defaultMemoryLimit(gomemlimit string, available uint64) int64 {
	if gomemlimit != "" {
		return 0
	}
	limit := int64(maxDefaultMemoryLimit)
	if available > 0 && available/4*3 < uint64(limit) {
		limit = int64(available / 4 * 3)
	}
	return limit
}

// availableMemory is the least of the cgroup memory limits (v2, v1) and
// the machine's memory, in bytes; 0 when none can be read.
func availableMemory() uint64 {
	var least uint64
	consider := func(n uint64) {
		if n > 0 && (least == 0 || n < least) {
			least = n
		}
	}
	for _, f := range []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"} {
		if data, err := os.ReadFile(f); err == nil {
			consider(parseCgroupLimit(string(data)))
		}
	}
	if data, err := os.ReadFile("/proc/meminfo"); err == nil {
		consider(parseMemTotal(string(data)))
	}
	return least
}

// parseCgroupLimit reads a cgroup memory limit file: bytes, or "max" (no
// limit: 0).
func parseCgroupLimit(s string) uint64 {
	n, err := strconv.ParseUint(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return 0
	}
	return n
}

// parseMemTotal reads MemTotal of /proc/meminfo, in bytes; 0 when absent.
func parseMemTotal(meminfo string) uint64 {
	for _, line := range strings.Split(meminfo, "\n") {
		if v, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				return 0
			}
			return kb << 10
		}
	}
	return 0
}
