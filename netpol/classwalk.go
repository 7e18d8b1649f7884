package netpol

import "iter"

// ClassEdge is the connections from the endpoints of one class to those
// of another (or of the same) class. The graph decides by class, so every
// endpoint of From may reach every endpoint of To on Ports, and the rules
// that allow it (Allowed) are the same for each pair.
type ClassEdge struct {
	// FromClass and ToClass number the classes, 0 to Classes()-1.
	FromClass, ToClass int
	// From and To are the classes' listed endpoints, in Endpoints order.
	// The slices are shared between edges: do not modify them.
	From, To []*Endpoint
	Ports    PortSet

	g *Graph
}

// Pairs yields the pairs of the edge that Matrix lists, in its order
// (by source, then destination): an endpoint with itself only when it
// stands for several replicas, external to external never.
func (c ClassEdge) Pairs() iter.Seq2[*Endpoint, *Endpoint] {
	return func(yield func(src, dst *Endpoint) bool) {
		for _, src := range c.From {
			for _, dst := range c.To {
				if c.g.listPair(src, dst) && !yield(src, dst) {
					return
				}
			}
		}
	}
}

// ClassEdges yields every pair of classes with a non-empty port set and
// at least one pair Matrix would list, by source class, then destination
// class (classes are numbered in the order of their first endpoint). It
// is Matrix without the expansion: a cluster without policies is one
// class of every pod, one edge, where Matrix has pods² pairs, so callers
// can judge a class by its namespaces or workloads before they look at
// pairs.
func (g *Graph) ClassEdges() iter.Seq[ClassEdge] {
	return func(yield func(ClassEdge) bool) {
		members := make([][]*Endpoint, g.nclass)
		hasPod := make([]bool, g.nclass)
		for _, e := range g.endpoints[:g.listed] {
			c := g.class[e.id]
			members[c] = append(members[c], e)
			hasPod[c] = hasPod[c] || e.Kind != ExternalEndpoint
		}
		memo := map[[2]setID]PortSet{}
		row := make([]PortSet, g.nclass)
		var reached []int
		for sc := 0; sc < g.nclass; sc++ {
			if len(members[sc]) == 0 {
				continue // only the new-namespace probe
			}
			reached = g.reachedClasses(sc, row, memo, reached[:0])
			for _, dc := range reached {
				from, to := members[sc], members[dc]
				switch {
				case len(to) == 0, !hasPod[sc] && !hasPod[dc]:
					continue
				case sc == dc && len(from) == 1 && !g.listPair(from[0], from[0]):
					continue
				}
				if !yield(ClassEdge{FromClass: sc, ToClass: dc, From: from, To: to, Ports: row[dc], g: g}) {
					return
				}
			}
		}
	}
}
