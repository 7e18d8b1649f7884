package netpol

import "github.com/aigov/aigov/governance"

// GraphFact is the reachability graph of a pass's inventory, built with the
// zero Options (the upstream e2e semantics: no CNI-specific behaviour).
// Checks that ask reachability questions name it in Requires and read it
// with GraphFact.Of(pass), so that the graph is built once per run however
// many of them run. Build fails only on a nil inventory, which yields a
// nil graph.
var GraphFact = governance.NewFact("netpol.Graph", func(p *governance.Pass) *Graph {
	g, _ := Build(p.Inventory, Options{})
	return g
})
