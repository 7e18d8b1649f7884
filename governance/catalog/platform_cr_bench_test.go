package catalog

import (
	"testing"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/internal/gen"
)

// BenchmarkPlatformCR is BenchmarkPlatform at 10k pods on the platform
// where a third of the workloads are operator custom resources
// (gen.PlatformCR: RayClusters, PyTorchJobs, LeaderWorkerSets, JobSets and
// InferenceServices with the StatefulSets, Jobs, Deployments, Services and
// pods their operators create, as a cluster dump holds them), beside the
// plain platform of the same size (gen.Platform: Deployments only). Both
// load the file and run the default catalog; same figures as
// BenchmarkPlatform.
//
//	go test -run '^$' -bench PlatformCR -benchtime 1x ./governance/catalog/
func BenchmarkPlatformCR(b *testing.B) {
	b.Run("plain/pods=10k", func(b *testing.B) { benchmarkPlatform(b, gen.Platform(10000)) })
	b.Run("cr/pods=10k", func(b *testing.B) { benchmarkPlatform(b, gen.PlatformCR(10000)) })
}

// BenchmarkDefaultPlatformCR10k is BenchmarkDefaultPlatform10k (the
// default catalog, loading excluded) on the same 200 namespaces, 2,000
// workloads and 10,000 pods with a third of the workloads custom
// resources, beside the plain one; cpu-s is the process's CPU time per
// iteration, as BenchmarkPlatform reports it.
func BenchmarkDefaultPlatformCR10k(b *testing.B) {
	for _, tc := range []struct {
		name       string
		crFraction float64
	}{{"plain", 0}, {"cr", 1.0 / 3}} {
		b.Run(tc.name, func(b *testing.B) {
			opts := gen.Options{Seed: 1, Namespaces: 200, WorkloadsPerNamespace: 10, PodsPerWorkload: 5, GPUFraction: 0.2,
				ClusterRoles: 20, CRFraction: tc.crFraction}
			loader, err := governance.NewLoader()
			if err != nil {
				b.Fatal(err)
			}
			inv, err := loader.LoadBytes("platform.yaml", gen.Cluster(opts))
			if err != nil {
				b.Fatal(err)
			}
			var findings int
			b.ReportAllocs()
			b.ResetTimer()
			cpuBefore := processCPU()
			for b.Loop() {
				findings = runDefaultCatalog(b, inv)
			}
			b.ReportMetric((processCPU()-cpuBefore).Seconds()/float64(b.N), "cpu-s/op")
			b.ReportMetric(float64(findings), "findings")
			b.ReportMetric(float64(inv.Len()), "objects")
		})
	}
}
