package catalog

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/report"
	"github.com/aigov/aigov/internal/gen"
	"github.com/aigov/aigov/rbac"
)

// Per-phase benchmarks of `aigov check` on issue #16's generated platform
// at 10k pods (gen.Platform(10000), 24,401 objects, read from the file
// BenchmarkPlatform caches): each times one phase, the facts it reads
// built beforehand and outside the timer, so that before/after runs
// (benchstat, -count 5) compare that phase alone on a shared machine.
//
//	go test -run '^$' -bench 'Phase' -benchmem -count 5 ./governance/catalog/

// BenchmarkPhaseOverview10k is the check report's overview (Overview: AI
// assets, asset exposure) after a run's facts.
func BenchmarkPhaseOverview10k(b *testing.B) {
	inv := platformInventory(b, 10000)
	var o *report.Overview
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		pass := passWithFacts(b, inv, OverviewRequire...)
		b.StartTimer()
		o = Overview(pass)
	}
	if len(o.Assets) == 0 {
		b.Fatal("no AI assets on the generated platform")
	}
}

// BenchmarkPhaseAIServiceAccountPermissions10k is the
// ai-serviceaccount-permissions check (a WhoCan question per namespace and
// forbidden request, and per Secret name a rule names).
func BenchmarkPhaseAIServiceAccountPermissions10k(b *testing.B) {
	inv := platformInventory(b, 10000)
	c, err := NewAIServiceAccountPermissions(nil)
	if err != nil {
		b.Fatal(err)
	}
	var n int
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		pass := passWithFacts(b, inv, ClassificationFact, rbac.GraphFact)
		b.StartTimer()
		n = len(c.Inventory(pass))
	}
	b.ReportMetric(float64(n), "findings")
}

// platformInventory loads gen.Platform(pods) from its cached file.
func platformInventory(b *testing.B, pods int) *governance.Inventory {
	b.Helper()
	path, err := gen.CachedFile(filepath.Join(os.TempDir(), "aigov-bench"), gen.Platform(pods))
	if err != nil {
		b.Fatal(err)
	}
	loader, err := governance.NewLoader()
	if err != nil {
		b.Fatal(err)
	}
	inv, err := loader.Load(path)
	if err != nil {
		b.Fatal(err)
	}
	return inv
}

// passWithFacts returns a pass over inv with facts built, by an engine
// whose one check requires them and reports nothing.
func passWithFacts(b *testing.B, inv *governance.Inventory, facts ...governance.FactRef) *governance.Pass {
	b.Helper()
	engine, err := governance.NewEngine(governance.Rule{Check: governance.Check{ID: "bench-facts",
		Severity: governance.SeverityInfo, Requires: facts,
		Inventory: func(*governance.Pass) []governance.Finding { return nil }}})
	if err != nil {
		b.Fatal(err)
	}
	pass := governance.NewPass(inv)
	engine.RunPass(pass)
	return pass
}
