package catalog

import (
	"testing"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/internal/gen"
)

// BenchmarkDefaultPlatform10k runs the whole default catalog (Default:
// object checks, analyzer-composed inventory checks, secrets rules) over a
// generated platform of 200 namespaces, 2,000 workloads and 10,000 pods
// (internal/gen: quotas, LimitRanges, Roles, default-deny and per-workload
// NetworkPolicies, Secrets; 20% GPU workloads). Every iteration builds the
// rules afresh, so the analyzer indexes (netpol and rbac graphs, secrets
// scan) are rebuilt: the figure is that of one `aigov check` run, loading
// excluded.
func BenchmarkDefaultPlatform10k(b *testing.B) {
	opts := gen.Options{Seed: 1, Namespaces: 200, WorkloadsPerNamespace: 10, PodsPerWorkload: 5, GPUFraction: 0.2, ClusterRoles: 20}
	loader, err := governance.NewLoader()
	if err != nil {
		b.Fatal(err)
	}
	inv, err := loader.LoadBytes("platform.yaml", gen.Cluster(opts))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		runDefaultCatalog(b, inv)
	}
}

// runDefaultCatalog runs the default catalog over inv with its rules
// built afresh, as one `aigov check` run does, and returns the number of
// findings.
func runDefaultCatalog(b *testing.B, inv *governance.Inventory) int {
	rules, err := Default()
	if err != nil {
		b.Fatal(err)
	}
	engine, err := governance.NewEngine(rules...)
	if err != nil {
		b.Fatal(err)
	}
	return len(engine.Run(inv))
}

// BenchmarkExposures10k computes the asset exposure table of `aigov
// check` over the same generated platform.
func BenchmarkExposures10k(b *testing.B) {
	opts := gen.Options{Seed: 1, Namespaces: 200, WorkloadsPerNamespace: 10, PodsPerWorkload: 5, GPUFraction: 0.2, ClusterRoles: 20}
	loader, err := governance.NewLoader()
	if err != nil {
		b.Fatal(err)
	}
	inv, err := loader.LoadBytes("platform.yaml", gen.Cluster(opts))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		Exposures(inv)
	}
}
