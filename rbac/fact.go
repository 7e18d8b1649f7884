package rbac

import "github.com/aigov/aigov/governance"

// GraphFact is the RBAC graph (New) of a pass's inventory. Checks that ask
// authorization questions name it in Requires and read it with
// GraphFact.Of(pass), so that the graph is built once per run however many
// of them run.
var GraphFact = governance.NewFact("rbac.Graph", func(p *governance.Pass) *Graph {
	return New(p.Inventory)
})
