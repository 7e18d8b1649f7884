package governance_test

import (
	"encoding/json"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/internal/cputime"
	"github.com/aigov/aigov/internal/gen"
)

// bench10k is the synthetic inventory of BenchmarkLoad10k: exactly 10,000
// objects (55 namespaces of 20 workloads with 3 pods each, 50 ClusterRoles
// with their bindings).
var bench10k = gen.Options{Seed: 1, Namespaces: 55, WorkloadsPerNamespace: 20, PodsPerWorkload: 3, GPUFraction: 0.3, ClusterRoles: 50}

var bench10kData = sync.OnceValue(func() []byte { return gen.Cluster(bench10k) })

func BenchmarkLoad10k(b *testing.B) { benchmarkLoad(b, "cluster.yaml", bench10kData()) }

// benchmarkLoad loads data (the 10k inventory in some form) as file name.
func benchmarkLoad(b *testing.B, name string, data []byte) {
	loader, err := governance.NewLoader()
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var objects int
	cpuBefore, cpuOK := cputime.Process()
	for b.Loop() {
		inv, err := loader.LoadBytes(name, data)
		if err != nil {
			b.Fatal(err)
		}
		objects = inv.Len()
	}
	cpuAfter, _ := cputime.Process()
	if objects != bench10k.ObjectCount() {
		b.Fatalf("loaded %d objects, want %d", objects, bench10k.ObjectCount())
	}
	b.ReportMetric(float64(objects)*float64(b.N)/b.Elapsed().Seconds(), "objects/s")
	// On a shared machine wall time includes waiting for a core; the
	// process's CPU time does not (with -cpu 1 it is the time of one core).
	if cpu := cpuAfter - cpuBefore; cpuOK && cpu > 0 {
		b.ReportMetric(float64(objects)*float64(b.N)/cpu.Seconds(), "objects/cpu-s")
	}
}

// bench10kJSON is the same inventory as a stream of JSON objects, one a
// line (what `jq -c '.items[]'` makes of `kubectl get -o json`): 10,000
// documents, so the per-document work of the JSON splitter counts.
var bench10kJSON = sync.OnceValue(func() []byte {
	var stream []byte
	for _, o := range gen.Generate(bench10k).Objects {
		js, err := json.Marshal(o)
		if err != nil {
			panic(err)
		}
		stream = append(append(stream, js...), '\n')
	}
	return stream
})

// BenchmarkLoad10kJSON loads the 10k inventory from a JSON stream.
func BenchmarkLoad10kJSON(b *testing.B) { benchmarkLoad(b, "cluster.json", bench10kJSON()) }

// peakHeap runs f while sampling runtime.MemStats.HeapInuse and returns the
// highest sample above the heap in use before f, and the bytes f allocated.
func peakHeap(f func()) (peak, total uint64) {
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var highest atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapInuse > highest.Load() {
				highest.Store(m.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	f()
	close(stop)
	<-done
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if after.HeapInuse > highest.Load() {
		highest.Store(after.HeapInuse)
	}
	return highest.Load() - min(highest.Load(), before.HeapInuse), after.TotalAlloc - before.TotalAlloc
}

// BenchmarkLoadMemory measures the peak heap of loading the 10k inventory
// against its size (peak-x-input), what the inventory keeps once the
// garbage is collected (retained-x-input) and what loading allocates.
//
//	go test -run '^$' -bench LoadMemory -benchtime 3x -cpu 1 ./governance/
func BenchmarkLoadMemory(b *testing.B) {
	data := bench10kData()
	loader, err := governance.NewLoader()
	if err != nil {
		b.Fatal(err)
	}
	var peakSum, retainedSum uint64
	for b.Loop() {
		var inv *governance.Inventory
		peak, _ := peakHeap(func() {
			inv, err = loader.LoadBytes("cluster.yaml", data)
		})
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		kept := m.HeapAlloc
		runtime.KeepAlive(inv) // alive until measured
		inv = nil
		runtime.GC()
		runtime.ReadMemStats(&m)
		peakSum += peak
		retainedSum += kept - min(kept, m.HeapAlloc)
	}
	n := float64(b.N) * float64(len(data))
	b.ReportMetric(float64(peakSum)/n, "peak-x-input")
	b.ReportMetric(float64(retainedSum)/n, "retained-x-input")
}
