package netpol

import (
	"testing"

	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/aigov/aigov/governance"
)

// TestGraphFact: the fact is Build with the zero Options, computed once
// per pass and again for another pass.
func TestGraphFact(t *testing.T) {
	inv := typed(t, modelPod("a", "x", "10.0.0.1", nil), modelPod("a", "y", "10.0.0.2", nil),
		&networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Namespace: "a", Name: "deny"},
			Spec: networkingv1.NetworkPolicySpec{PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}}})
	want, err := Build(inv, Options{})
	if err != nil {
		t.Fatal(err)
	}
	pass := governance.NewPass(inv)
	if pass.Computed(GraphFact) {
		t.Fatal("computed before use")
	}
	g := GraphFact.Of(pass)
	if !pass.Computed(GraphFact) || GraphFact.Of(pass) != g {
		t.Error("not computed once for the pass")
	}
	if GraphFact.Of(governance.NewPass(inv)) == g {
		t.Error("another pass shares the graph")
	}
	if len(g.Endpoints()) != len(want.Endpoints()) || len(g.Matrix().Edges) != len(want.Matrix().Edges) {
		t.Errorf("graph differs from Build: %d endpoints, %d edges; want %d, %d",
			len(g.Endpoints()), len(g.Matrix().Edges), len(want.Endpoints()), len(want.Matrix().Edges))
	}
	x, y := mustLookup(t, g, "a/x"), mustLookup(t, g, "a/y")
	if !g.Connections(x, y).IsEmpty() {
		t.Error("default-deny ingress of namespace a not applied")
	}
	if GraphFact.FactName() != "netpol.Graph" || len(GraphFact.FactRequires()) != 0 {
		t.Errorf("fact %s requires %v", GraphFact.FactName(), GraphFact.FactRequires())
	}
}
