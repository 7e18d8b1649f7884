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

// queryGraphs builds the 1,000- and 10,000-pod graphs the query
// benchmarks share (outside the timed loop).
func queryGraphs(b *testing.B) []struct {
	name string
	g    *Graph
} {
	b.Helper()
	var out []struct {
		name string
		g    *Graph
	}
	for _, ns := range []int{20, 200} {
		g, err := Build(benchInventory(b, ns, 10, 5), Options{})
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, struct {
			name string
			g    *Graph
		}{fmt.Sprintf("pods=%d", ns*50), g})
	}
	return out
}

// BenchmarkAllowed is one explained query after the build: the yes/no
// from the class table plus the deciding rules of both directions.
func BenchmarkAllowed(b *testing.B) {
	for _, q := range queryGraphs(b) {
		b.Run(q.name, func(b *testing.B) {
			eps := q.g.Endpoints()
			b.ReportAllocs()
			i, yes := 0, 0
			for b.Loop() {
				src, dst := eps[i%len(eps)], eps[(i*7+3)%len(eps)]
				if q.g.Allowed(src, dst, 8080, corev1.ProtocolTCP).Allowed {
					yes++
				}
				i++
			}
		})
	}
}

// BenchmarkReachable is one yes/no query after the build.
func BenchmarkReachable(b *testing.B) {
	for _, q := range queryGraphs(b) {
		b.Run(q.name, func(b *testing.B) {
			eps := q.g.Endpoints()
			b.ReportAllocs()
			i, yes := 0, 0
			for b.Loop() {
				if q.g.Reachable(eps[i%len(eps)], eps[(i*7+3)%len(eps)], 8080, corev1.ProtocolTCP) {
					yes++
				}
				i++
			}
		})
	}
}
