package netpol

import (
	"fmt"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/internal/gen"
)

func benchInventory(b *testing.B, ns, perNS, pods int) *governance.Inventory {
	b.Helper()
	l, err := governance.NewLoader()
	if err != nil {
		b.Fatal(err)
	}
	inv, err := l.LoadBytes("gen.yaml", gen.Cluster(gen.Options{Seed: 1, Namespaces: ns, WorkloadsPerNamespace: perNS, PodsPerWorkload: pods}))
	if err != nil {
		b.Fatal(err)
	}
	return inv
}

// BenchmarkBuildAndMatrix is build + the full all-ports matrix on generated
// clusters: 1,000 pods / 220 policies / 20 namespaces and 10,000 pods /
// 2,200 policies / 200 namespaces (5 pods per workload).
func BenchmarkBuildAndMatrix(b *testing.B) {
	for _, size := range []struct{ ns, perNS, pods int }{{20, 10, 5}, {200, 10, 5}} {
		inv := benchInventory(b, size.ns, size.perNS, size.pods)
		b.Run(fmt.Sprintf("pods=%d", size.ns*size.perNS*size.pods), func(b *testing.B) {
			b.ReportAllocs()
			edges := 0
			for b.Loop() {
				g, err := Build(inv, Options{})
				if err != nil {
					b.Fatal(err)
				}
				edges = len(g.Matrix().Edges)
			}
			b.ReportMetric(float64(edges), "edges")
		})
	}
}

// BenchmarkAllowed is one explained query after the build.
func BenchmarkAllowed(b *testing.B) {
	g, err := Build(benchInventory(b, 20, 10, 5), Options{})
	if err != nil {
		b.Fatal(err)
	}
	eps := g.Endpoints()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		src, dst := eps[i%len(eps)], eps[(i*7+3)%len(eps)]
		_ = g.Allowed(src, dst, 8080, corev1.ProtocolTCP)
		i++
	}
}

// BenchmarkReachable is one yes/no query after the build.
func BenchmarkReachable(b *testing.B) {
	g, err := Build(benchInventory(b, 20, 10, 5), Options{})
	if err != nil {
		b.Fatal(err)
	}
	eps := g.Endpoints()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		_ = g.Reachable(eps[i%len(eps)], eps[(i*7+3)%len(eps)], 8080, corev1.ProtocolTCP)
		i++
	}
}
