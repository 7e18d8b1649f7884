package rbac

import (
	"fmt"
	"math/bits"
	"math/rand/v2"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
)

// TestCutRandom compares the exact search with brute force over every
// subset, and checks that the greedy cut is a cut no smaller than it, on
// random escalation graphs with shared and multi-grant requirements.
func TestCutRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	for iter := range 300 {
		nNodes, nGrants := 2+rng.IntN(6), 1+rng.IntN(10)
		pool := make([]Grant, nGrants)
		for i := range pool {
			pool[i] = Grant{Binding: Ref{Kind: "RoleBinding", Namespace: "ns", Name: fmt.Sprintf("b%02d", i)}}
		}
		req := func() []Grant {
			var gs []Grant
			for range 1 + rng.IntN(2) {
				gs = append(gs, pool[rng.IntN(nGrants)])
			}
			return uniqueGrants(gs)
		}
		eg := &EscalationGraph{}
		for i := range nNodes {
			n := EscalationGraphNode{Subject: rbacv1.Subject{Kind: "User", Name: fmt.Sprint(i)}, Start: rng.IntN(2) == 0}
			if !n.Start && rng.IntN(4) == 0 {
				n.Admin = "wildcard-admin"
			}
			eg.Nodes = append(eg.Nodes, n)
		}
		for range rng.IntN(3 * nNodes) {
			from, to := rng.IntN(nNodes), rng.IntN(nNodes)-rng.IntN(2)*nNodes
			if to < 0 {
				to = -1
			}
			e := EscalationEdge{From: from, To: to, Requires: [][]Grant{req()}}
			if to < 0 && rng.IntN(2) == 0 {
				e.Requires = append(e.Requires, req())
			}
			eg.Edges = append(eg.Edges, e)
		}
		p := newCutProblem(eg)
		removed := make([]bool, len(p.grants))
		best := -1
		for mask := 0; mask < 1<<len(p.grants); mask++ {
			for i := range removed {
				removed[i] = mask&(1<<i) != 0
			}
			if p.startsReaching(removed) == 0 && (best < 0 || bits.OnesCount(uint(mask)) < best) {
				best = bits.OnesCount(uint(mask))
			}
		}
		c := eg.Cut()
		if !c.Exact || len(c.Grants) != best {
			t.Fatalf("iter %d: exact cut %d grants (exact %v), brute force %d", iter, len(c.Grants), c.Exact, best)
		}
		greedy := p.greedy(p.candidates())
		for i := range removed {
			removed[i] = false
		}
		for _, id := range greedy {
			removed[id] = true
		}
		if p.startsReaching(removed) != 0 || len(greedy) < best {
			t.Fatalf("iter %d: greedy %v is no cut or beats the optimum %d", iter, greedy, best)
		}
	}
}
