package catalog

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	networkingv1 "k8s.io/api/networking/v1"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/internal/gen"
)

// crossTeamPlatform is a generated platform (internal/gen) of 20 team
// namespaces with 20 workloads each and 5 Pods per workload (2,000 pods,
// read as a cluster gives them: with owner references and IPs) whose
// NetworkPolicies are replaced by one per namespace admitting every
// namespace's pods: every workload reaches every other team's.
func crossTeamPlatform(t testing.TB) (*governance.Inventory, gen.Options) {
	t.Helper()
	opts := gen.Options{Seed: 1, Namespaces: 20, WorkloadsPerNamespace: 20, PodsPerWorkload: 5, GPUFraction: 0.2}
	var buf bytes.Buffer
	for _, obj := range gen.Generate(opts).Objects {
		if _, isPolicy := obj.(*networkingv1.NetworkPolicy); isPolicy {
			continue
		}
		doc, err := gen.MarshalYAML(obj)
		if err != nil {
			t.Fatal(err)
		}
		buf.WriteString("---\n")
		buf.Write(doc)
	}
	for i := 0; i < opts.Namespaces; i++ {
		fmt.Fprintf(&buf, `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-from-everywhere, namespace: team-%03d}
spec:
  podSelector: {}
  policyTypes: [Ingress]
  ingress: [{from: [{namespaceSelector: {}}]}]
`, i)
	}
	loader, err := governance.NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	inv, err := loader.LoadBytes("platform.yaml", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return inv, opts
}

// TestCrossTeamFindingsGrowWithCauses: on 2,000 pods and 20
// NetworkPolicies with cross-team reachability everywhere, the findings
// are at most one per (workload, team) pair — in fact one per destination
// workload, each naming the other teams whole — and the exposure table
// lists a vector database's sources by team, not by pod or workload.
func TestCrossTeamFindingsGrowWithCauses(t *testing.T) {
	inv, opts := crossTeamPlatform(t)
	workloads := len(inv.Workloads())
	if want := opts.Namespaces * opts.WorkloadsPerNamespace; workloads != want {
		t.Fatalf("%d workloads, want %d (the pods are the controllers')", workloads, want)
	}
	check := mustNew(t, NewCrossTeamReachability, "")
	engine, err := governance.NewEngine(governance.Rule{Check: check})
	if err != nil {
		t.Fatal(err)
	}
	findings := engine.Run(inv)
	teams := opts.Namespaces
	if bound := workloads * teams; len(findings) > bound {
		t.Errorf("%d findings, more than the %d (workload, team) pairs", len(findings), bound)
	}
	if len(findings) != workloads {
		t.Errorf("%d findings, want one per destination workload (%d)", len(findings), workloads)
	}
	perObject := map[string]int{}
	for _, f := range findings {
		perObject[f.Object.Namespace+"/"+f.Object.String()]++
		whole := fmt.Sprintf(" (all %d workloads)", opts.WorkloadsPerNamespace)
		if n := strings.Count(f.Message, whole); n != teams-1 {
			t.Errorf("%s: the message names %d whole teams, want %d: %s", f.Object.Display(), n, teams-1, f.Message)
			break
		}
		if !strings.Contains(f.Message, fmt.Sprintf("from %d workloads", (teams-1)*opts.WorkloadsPerNamespace)) {
			t.Errorf("%s: message does not count the source workloads: %s", f.Object.Display(), f.Message)
			break
		}
	}
	for obj, n := range perObject {
		if n != 1 {
			t.Errorf("%s has %d findings, want 1", obj, n)
		}
	}

	rows := 0
	for _, e := range Exposures(inv) {
		if e.Asset != ExposureVectorDatabase {
			continue
		}
		rows++
		// The other teams whole, and the database's own namespace's
		// workloads (the database itself is not its own source).
		if max := teams - 1 + opts.WorkloadsPerNamespace; len(e.Network) > max {
			t.Errorf("%s: %d network sources, more than %d", e.Object.Display(), len(e.Network), max)
		}
	}
	if rows == 0 {
		t.Error("no vector database in the generated platform")
	}
}

// BenchmarkCrossTeamReachability2k runs cross-team-reachability over the
// platform of TestCrossTeamFindingsGrowWithCauses (2,000 pods, 20
// NetworkPolicies, every pair of teams connected), graph included.
func BenchmarkCrossTeamReachability2k(b *testing.B) {
	inv, _ := crossTeamPlatform(b)
	check, err := NewCrossTeamReachability(nil)
	if err != nil {
		b.Fatal(err)
	}
	engine, err := governance.NewEngine(governance.Rule{Check: check})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		n = len(engine.Run(inv))
	}
	b.ReportMetric(float64(n), "findings")
}
