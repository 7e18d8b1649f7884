package live

import (
	"slices"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/netpol"
)

// deriveGraph lets the what-if pass of a review derive its reachability
// graph from the evaluation's (netpol.DeriveGraphFact) instead of building
// it anew, the largest cost of reviewing a pod, workload or network
// policy at 10,000 pods. Derive's premise holds for a change of one
// namespaced object (it alters the workloads of its own namespace only:
// owners and AI operators' runtimes are looked up there or cluster-wide)
// and for a cluster-scoped network policy; any other cluster-scoped
// change (a Namespace's labels, a ClusterServingRuntime) builds the graph
// as before. Derive itself checks the policies and Namespaces it reuses.
// It returns the function that ends the derivation, to call when the
// review is done.
func (a *admitter) deriveGraph(snap *Snapshot, whatIf *governance.Inventory, gk schema.GroupKind, key governance.Key) (release func()) {
	none := func() {}
	if a.fullWhatIf || snap.pass == nil || snap.pass.Inventory != snap.inventory || !snap.pass.Computed(netpol.GraphFact) {
		return none
	}
	policy := slices.Contains(a.relevance.byKind[gk].facts, netpol.GraphFact.FactName())
	if key.Namespace == "" && !policy {
		return none
	}
	return netpol.DeriveGraphFact(whatIf, netpol.GraphFact.Of(snap.pass), key.Namespace)
}
