package catalog

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/internal/cputime"
	"github.com/aigov/aigov/internal/gen"
)

// BenchmarkPlatform runs what `aigov check` runs, loading included: the
// default catalog over issue #16's generated platform (gen.Platform: team
// namespaces of 40 Deployments with their ReplicaSets and 5 Pods each, a
// Secret, NetworkPolicy and Service per Deployment, 100 cluster-admin
// bindings) at 10k, 50k and 100k pods, read from a file as the CLI reads
// it (generated once into $TMPDIR/aigov-bench, see gen.CachedFile).
//
//	go test -run '^$' -bench Platform -benchtime 1x ./governance/catalog/
//
// Figures per iteration: cpu-s (user + system CPU of the process, from
// getrusage: on a shared machine wall time includes waiting for a core),
// B/op and allocs/op (everything the iteration allocated), findings,
// and peak-RSS-MiB: the highest resident set size of the process during
// the iteration (VmHWM of /proc/self/status, reset before the iteration by
// writing 5 to /proc/self/clear_refs after returning freed memory to the
// system). It includes the test binary's own resident memory, as the
// CLI's figure includes the CLI's (base-RSS-MiB: resident when the
// iteration starts). Where the reset is not possible (not Linux) the
// peak is not reported.
func BenchmarkPlatform(b *testing.B) {
	for _, pods := range []int{10000, 50000, 100000} {
		b.Run(fmt.Sprintf("pods=%dk", pods/1000), func(b *testing.B) {
			benchmarkPlatform(b, gen.Platform(pods))
		})
	}
}

func benchmarkPlatform(b *testing.B, opts gen.Options) {
	path, err := gen.CachedFile(filepath.Join(os.TempDir(), "aigov-bench"), opts)
	if err != nil {
		b.Fatal(err)
	}
	rules, err := Default()
	if err != nil {
		b.Fatal(err)
	}
	engine, err := governance.NewEngine(rules...)
	if err != nil {
		b.Fatal(err)
	}
	var findings, objects int
	var cpu time.Duration
	var peak, base uint64
	peakOK := true
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		runtime.GC()
		debug.FreeOSMemory()
		peakOK = peakOK && resetPeakRSS()
		base = max(base, procStatusKiB("VmRSS"))
		cpuBefore := processCPU()
		b.StartTimer()

		loader, err := governance.NewLoader()
		if err != nil {
			b.Fatal(err)
		}
		inv, err := loader.Load(path)
		if err != nil {
			b.Fatal(err)
		}
		findings, objects = len(engine.Run(inv)), inv.Len()

		b.StopTimer()
		cpu += processCPU() - cpuBefore
		peak = max(peak, procStatusKiB("VmHWM"))
		b.StartTimer()
	}
	if objects != opts.ObjectCount() {
		b.Fatalf("loaded %d objects, want %d", objects, opts.ObjectCount())
	}
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
	b.ReportMetric(float64(findings), "findings")
	b.ReportMetric(float64(objects), "objects")
	if peakOK && peak > 0 {
		b.ReportMetric(float64(peak)/1024, "peak-RSS-MiB")
		b.ReportMetric(float64(base)/1024, "base-RSS-MiB")
	}
}

// processCPU is the CPU time the process has used (0 where unmeasured).
func processCPU() time.Duration {
	d, _ := cputime.Process()
	return d
}

// resetPeakRSS sets the process's peak resident set size (VmHWM) to its
// current one (Linux 4.0 and later: proc(5), /proc/pid/clear_refs).
func resetPeakRSS() bool {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

// procStatusKiB reads one "Name: N kB" line of /proc/self/status; 0 when
// there is none.
func procStatusKiB(name string) uint64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			n, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}
