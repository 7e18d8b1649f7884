package netpol

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/internal/gen"
)

// BenchmarkPlatformGraph builds the reachability graph and its all-ports
// matrix on issue #16's generated platform (gen.Platform) at 10k, 50k and
// 100k pods (100 to 500 namespaces, 2,000 to 20,000 Deployments, 2,050 to
// 20,500 NetworkPolicies), loaded once outside the timed loop:
//
//	go test -run '^$' -bench PlatformGraph -benchtime 1x ./netpol/
func BenchmarkPlatformGraph(b *testing.B) {
	for _, pods := range []int{10000, 50000, 100000} {
		b.Run(fmt.Sprintf("pods=%dk", pods/1000), func(b *testing.B) {
			path, err := gen.CachedFile(filepath.Join(os.TempDir(), "aigov-bench"), gen.Platform(pods))
			if err != nil {
				b.Fatal(err)
			}
			l, err := governance.NewLoader()
			if err != nil {
				b.Fatal(err)
			}
			inv, err := l.Load(path)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			var classes, edges int
			for b.Loop() {
				g, err := Build(inv, Options{})
				if err != nil {
					b.Fatal(err)
				}
				classes, edges = g.Classes(), len(g.Matrix().Edges)
			}
			b.ReportMetric(float64(classes), "classes")
			b.ReportMetric(float64(edges), "edges")
		})
	}
}
