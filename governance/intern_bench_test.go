package governance_test

import (
	"runtime"
	"sync"
	"testing"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/internal/gen"
)

var platform10kData = sync.OnceValue(func() []byte { return gen.Cluster(gen.Platform(10000)) })

// BenchmarkLoadPlatform10kHeap loads the generated 10,000-pod platform
// (24,401 objects, 24 MB of YAML: 50 namespaces of 40 Deployments with
// their ReplicaSets and 5 pods each) and reports the heap the inventory
// keeps once garbage is collected (heap-inuse-B, retained-B above the heap
// before loading), and the peak heap while loading.
//
//	go test -run '^$' -bench LoadPlatform10kHeap -benchtime 3x -cpu 1 ./governance/
func BenchmarkLoadPlatform10kHeap(b *testing.B) {
	data := platform10kData()
	loader, err := governance.NewLoader()
	if err != nil {
		b.Fatal(err)
	}
	var peakSum, retainedSum, inuseSum uint64
	for b.Loop() {
		var inv *governance.Inventory
		peak, _ := peakHeap(func() {
			inv, err = loader.LoadBytes("platform.yaml", data)
		})
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		kept, inuse := m.HeapAlloc, m.HeapInuse
		runtime.KeepAlive(inv)
		inv = nil
		runtime.GC()
		runtime.ReadMemStats(&m)
		peakSum += peak
		retainedSum += kept - min(kept, m.HeapAlloc)
		inuseSum += inuse
	}
	n := float64(b.N)
	b.ReportMetric(float64(peakSum)/n, "peak-heap-B")
	b.ReportMetric(float64(retainedSum)/n, "retained-B")
	b.ReportMetric(float64(inuseSum)/n, "heap-inuse-B")
}
