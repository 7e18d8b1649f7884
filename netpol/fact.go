package netpol

import "github.com/aigov/aigov/governance"

// GraphFact is the reachability graph of a pass's inventory, built with the
// zero Options (the upstream e2e semantics: no CNI-specific behaviour).
// Checks that ask reachability questions name it in Requires and read it
// with GraphFact.Of(pass), so that the graph is built once per run however
// many of them run. Build fails only on a nil inventory, which yields a
// nil graph. An admission review's what-if inventory may have its graph
// derived from the cluster's (DeriveGraphFact): the same graph, made
// faster.
var GraphFact = governance.NewFact("netpol.Graph", func(p *governance.Pass) *Graph { return graphOf(p.Inventory) })
