package netpol

import (
	"errors"
	"slices"
	"sync"

	"github.com/aigov/aigov/governance"
)

// Derive returns the graph of inv, an inventory that differs from the
// one g was built from only in its network policies (of any tier) and in
// namespaced objects of namespace ("" for none): what an admission review
// asks about one changed object. The result is the graph Build(inv,
// g's options) gives, but made from g's parts where the change cannot
// have altered them: the compiled policies when inv has the same policy
// objects (else the parsed label selectors of the policies it shares
// with g), the endpoints of the other namespaces, and the predicates
// they match, when the policies' IP ranges are the same. Endpoints, classes, profiles and rows are computed
// as Build computes them, so that classes are numbered and edges listed
// as a full build would. When the Namespaces differ (their labels select
// pods of any namespace), it builds anew. g is not modified and stays
// safe for concurrent reads.
func (g *Graph) Derive(inv *governance.Inventory, namespace string) (*Graph, error) {
	if inv == nil {
		return nil, errors.New("netpol: nil inventory")
	}
	in := readInputs(inv)
	if !slices.Equal(in.namespaces, g.inputs.namespaces) {
		return Build(inv, g.opts)
	}
	d := &Graph{opts: g.opts, named: map[[2]int]setID{}, pair: map[[2]int]setID{}, inputs: in}
	reused := in.samePolicies(g.inputs)
	if reused {
		// Compiled policies are read only after compilation; the set
		// table is not (building rows interns sets), so d gets a copy.
		d.sets = g.sets.clone()
		comp := *g.comp
		comp.sets = d.sets
		d.comp = &comp
	} else {
		d.sets = newSetTable()
		d.comp = newCompiler(d.sets)
		d.comp.prior = g.comp.parsed
		d.compilePolicies()
	}
	d.notes = append(d.notes, d.comp.notes...)
	var matches [][]int
	if slices.Equal(d.comp.prefixes, g.comp.prefixes) {
		classOf := d.deriveEndpoints(g, inv, namespace)
		if reused {
			matches = d.deriveMatches(g, classOf)
		}
	} else {
		// The cut of address ranges differs: pods may split or merge by
		// IP, and the external endpoints are other ranges.
		d.buildEndpoints(inv)
	}
	if matches == nil {
		matches = d.evaluatePredicates()
	}
	d.buildClasses(matches)
	d.buildProfiles()
	d.buildRows()
	return d, nil
}

// deriveEndpoints makes d's endpoints from base's, with those of
// namespace made anew from inv. An endpoint of another namespace is
// copied (its id is d's), never shared. It returns, by d's endpoint id,
// the class in base of the endpoints copied, -1 for the others.
func (d *Graph) deriveEndpoints(base *Graph, inv *governance.Inventory, namespace string) []int {
	var pods []*Endpoint
	baseClass := map[*Endpoint]int{}
	for _, e := range base.endpoints[:base.listed] {
		if e.Kind == ExternalEndpoint || e.Namespace == namespace {
			continue
		}
		c := *e
		pods = append(pods, &c)
		baseClass[&c] = base.class[e.id]
	}
	if namespace != "" {
		cut := cutRanges(d.comp.prefixes, true)
		pods = append(pods, podEndpoints(inv, cut, !d.opts.IgnorePodIPsInIPBlocks, func(ns string) bool { return ns == namespace })...)
	}
	d.finishEndpoints(pods)
	classOf := make([]int, len(d.endpoints))
	for i, e := range d.endpoints {
		if c, ok := baseClass[e]; ok {
			classOf[i] = c
		} else {
			classOf[i] = -1
		}
	}
	return classOf
}

// deriveMatches is evaluatePredicates for a graph whose predicates are
// base's: an endpoint copied from base matches what its class there
// matched (the predicates read its labels, its namespace's labels and its
// IPs, all as in base); the others are evaluated.
func (d *Graph) deriveMatches(base *Graph, classOf []int) [][]int {
	out := make([][]int, len(d.endpoints))
	podIPs := !d.opts.IgnorePodIPsInIPBlocks
	for i, e := range d.endpoints {
		if c := classOf[i]; c >= 0 {
			out[i] = base.classMatches[c]
			continue
		}
		for id, p := range d.comp.preds {
			if p.matches(e, podIPs) {
				out[i] = append(out[i], id)
			}
		}
	}
	return out
}

// clone copies the table, so that the copy interns and memoizes without
// writing to the original.
func (t *setTable) clone() *setTable {
	c := &setTable{sets: slices.Clone(t.sets), ids: make(map[string]setID, len(t.ids)),
		inter: make(map[[2]setID]setID, len(t.inter)), union: make(map[[2]setID]setID, len(t.union)),
		sub: make(map[[2]setID]setID, len(t.sub))}
	for k, v := range t.ids {
		c.ids[k] = v
	}
	for _, m := range [][2]map[[2]setID]setID{{t.inter, c.inter}, {t.union, c.union}, {t.sub, c.sub}} {
		for k, v := range m[0] {
			m[1][k] = v
		}
	}
	return c
}

// derivations are the inventories whose GraphFact is derived from a base
// graph rather than built (DeriveGraphFact).
var derivations sync.Map // *governance.Inventory → derivation

type derivation struct {
	base      *Graph
	namespace string
}

// DeriveGraphFact makes GraphFact, on every pass over inv, derive the
// graph from base (Graph.Derive with namespace) instead of building it,
// until the returned function is called. The caller asserts what Derive
// requires: inv differs from base's inventory only in network policies
// and in namespaced objects of namespace. base must be a GraphFact value
// (built with the zero Options); any other is not derived from.
func DeriveGraphFact(inv *governance.Inventory, base *Graph, namespace string) (release func()) {
	if inv == nil || base == nil || base.opts != (Options{}) {
		return func() {}
	}
	derivations.Store(inv, derivation{base: base, namespace: namespace})
	return func() { derivations.Delete(inv) }
}

// graphOf is GraphFact's value for inv.
func graphOf(inv *governance.Inventory) *Graph {
	if v, ok := derivations.Load(inv); ok {
		d := v.(derivation)
		g, _ := d.base.Derive(inv, d.namespace)
		return g
	}
	g, _ := Build(inv, Options{})
	return g
}
