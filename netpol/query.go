package netpol

import (
	"fmt"
	"sort"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// Matrix is every allowed connection of the graph.
type Matrix struct {
	Pods     []string `json:"pods"`
	External []string `json:"external"`
	// Edges are the pairs with a non-empty port set, ordered by source
	// then destination (pods before external ranges).
	Edges []Edge `json:"edges"`
}

// Matrix computes every allowed pair over all ports. Pairs of an endpoint
// with itself are listed only for endpoints with several replicas.
func (g *Graph) Matrix() Matrix {
	m := Matrix{Pods: []string{}, External: []string{}}
	eps := g.Endpoints()
	for _, e := range eps {
		if e.Kind == ExternalEndpoint {
			m.External = append(m.External, e.Name)
		} else {
			m.Pods = append(m.Pods, e.Name)
		}
	}
	// A local memo of intersections keeps the graph read only.
	memo := map[[2]setID]PortSet{}
	row := make([]PortSet, g.nclass)
	var reached []int // classes the source class reaches
	var dsts []int    // endpoints of those classes
	prev := -1
	for _, src := range eps {
		sc := g.class[src.id]
		if sc != prev {
			prev = sc
			reached = g.reachedClasses(sc, row, memo, reached[:0])
			dsts = dsts[:0]
			for _, d := range reached {
				for _, e := range g.members[d] {
					if e < g.listed {
						dsts = append(dsts, e)
					}
				}
			}
			sort.Ints(dsts)
		}
		for _, id := range dsts {
			dst := eps[id]
			if g.listPair(src, dst) {
				m.Edges = append(m.Edges, Edge{From: src.Name, To: dst.Name, Ports: row[g.class[id]]})
			}
		}
	}
	return m
}

// reachedClasses fills row[d] with the ports class sc reaches class d on,
// for the classes d it reaches on some port, and appends those classes to
// out. An isolated egress (the usual case) allows only the classes its
// rules name, so only they are asked about; an open one asks every class.
func (g *Graph) reachedClasses(sc int, row []PortSet, memo map[[2]setID]PortSet, out []int) []int {
	eg := &g.rows[1][g.profileOf[1][sc]]
	visit := func(d int, e setID) {
		if e == emptySet {
			return
		}
		i := g.rows[0][g.profileOf[0][d]].at(sc)
		if i == emptySet {
			return
		}
		k := [2]setID{e, i}
		ps, ok := memo[k]
		if !ok {
			ps = g.sets.intersectRO(e, i)
			memo[k] = ps
		}
		if !ps.IsEmpty() {
			row[d] = ps
			out = append(out, d)
		}
	}
	if eg.base == emptySet {
		for j, d := range eg.cls {
			visit(int(d), eg.ids[j])
		}
		return out
	}
	for d := 0; d < g.nclass; d++ {
		visit(d, eg.at(d))
	}
	return out
}

// Exposure says how a pod can be reached from outside its namespace.
type Exposure struct {
	Pod string `json:"pod"`
	// Internet is the union of ports reachable from external addresses,
	// and InternetFrom the external endpoints that reach it.
	Internet     PortSet  `json:"internet"`
	InternetFrom []string `json:"internetFrom,omitempty"`
	// AnyNamespace is what a pod without labels in a namespace that does
	// not exist yet (and has no labels) could reach: exposure to the future.
	AnyNamespace PortSet `json:"anyNamespace"`
	// Namespaces are the other existing namespaces with a pod that reaches it.
	Namespaces []string `json:"namespaces,omitempty"`
	// AllPorts is true when every port is open to a new namespace.
	AllPorts bool `json:"allPorts"`
}

// Exposure lists every pod reachable from an external address, from a new
// namespace, or from another namespace.
func (g *Graph) Exposure() []Exposure {
	probe := g.endpoints[g.listed]
	var out []Exposure
	for _, dst := range g.Endpoints() {
		if dst.Kind == ExternalEndpoint {
			continue
		}
		x := Exposure{Pod: dst.Name, AnyNamespace: g.Connections(probe, dst)}
		nss := map[string]bool{}
		for _, src := range g.Endpoints() {
			ps := g.Connections(src, dst)
			switch {
			case ps.IsEmpty():
			case src.Kind == ExternalEndpoint:
				x.Internet = x.Internet.Union(ps)
				x.InternetFrom = append(x.InternetFrom, src.Name)
			case src.Namespace != dst.Namespace:
				nss[src.Namespace] = true
			}
		}
		for ns := range nss {
			x.Namespaces = append(x.Namespaces, ns)
		}
		sort.Strings(x.Namespaces)
		x.AllPorts = x.AnyNamespace.IsAll()
		if !x.Internet.IsEmpty() || !x.AnyNamespace.IsEmpty() || len(x.Namespaces) > 0 {
			out = append(out, x)
		}
	}
	return out
}

// Selector picks pods by namespace labels and pod labels (nil = any).
type Selector struct {
	Namespaces *metav1.LabelSelector `json:"namespaceSelector,omitempty"`
	Pods       *metav1.LabelSelector `json:"podSelector,omitempty"`
}

// matcher compiles a Selector once.
type matcher struct{ ns, pod labels.Selector }

func (s Selector) compile() (matcher, error) {
	m := matcher{ns: labels.Everything(), pod: labels.Everything()}
	var err error
	if s.Namespaces != nil {
		if m.ns, err = metav1.LabelSelectorAsSelector(s.Namespaces); err != nil {
			return m, fmt.Errorf("namespace selector: %w", err)
		}
	}
	if s.Pods != nil {
		if m.pod, err = metav1.LabelSelectorAsSelector(s.Pods); err != nil {
			return m, fmt.Errorf("pod selector: %w", err)
		}
	}
	return m, nil
}

func (m matcher) matches(e *Endpoint) bool {
	return e.Kind != ExternalEndpoint && m.ns.Matches(e.nsLabels) && m.pod.Matches(labels.Set(e.Labels))
}

// Isolation is the assertion "only pods matching Allowed may reach pods
// matching Targets on Ports" (empty Ports: on any port).
type Isolation struct {
	Allowed Selector
	Targets Selector
	Ports   PortSet
}

// Violations returns the connections that break the assertion: a source
// that does not match Allowed (external ranges included) reaching a
// target. An invalid selector is an error.
func (g *Graph) Violations(a Isolation) ([]Edge, error) {
	allowed, err := a.Allowed.compile()
	if err != nil {
		return nil, fmt.Errorf("allowed: %w", err)
	}
	targets, err := a.Targets.compile()
	if err != nil {
		return nil, fmt.Errorf("targets: %w", err)
	}
	var out []Edge
	for _, dst := range g.Endpoints() {
		if !targets.matches(dst) {
			continue
		}
		for _, src := range g.Endpoints() {
			if allowed.matches(src) || !g.listPair(src, dst) {
				continue
			}
			ps := g.Connections(src, dst)
			if !a.Ports.IsEmpty() {
				ps = ps.Intersect(a.Ports)
			}
			if !ps.IsEmpty() {
				out = append(out, Edge{From: src.Name, To: dst.Name, Ports: ps})
			}
		}
	}
	return out, nil
}

// Coverage is a namespace's pods that no policy isolates.
type Coverage struct {
	Namespace          string   `json:"namespace"`
	IngressUnprotected []string `json:"ingressUnprotected,omitempty"`
	EgressUnprotected  []string `json:"egressUnprotected,omitempty"`
}

// DefaultDenyCoverage lists, per namespace, the pods whose ingress or
// egress no policy of any tier restricts (a new namespace reaches them
// on every port, or they reach it on every port).
func (g *Graph) DefaultDenyCoverage() []Coverage {
	byNS := map[string]*Coverage{}
	var out []string
	for _, e := range g.Endpoints() {
		if e.Kind != PodEndpoint {
			continue
		}
		in := g.profiles[0][g.profileOf[0][g.class[e.id]]].empty()
		eg := g.profiles[1][g.profileOf[1][g.class[e.id]]].empty()
		if !in && !eg {
			continue
		}
		c, ok := byNS[e.Namespace]
		if !ok {
			c = &Coverage{Namespace: e.Namespace}
			byNS[e.Namespace] = c
			out = append(out, e.Namespace)
		}
		if in {
			c.IngressUnprotected = append(c.IngressUnprotected, e.Name)
		}
		if eg {
			c.EgressUnprotected = append(c.EgressUnprotected, e.Name)
		}
	}
	sort.Strings(out)
	res := make([]Coverage, len(out))
	for i, ns := range out {
		res[i] = *byNS[ns]
	}
	return res
}

func (p *profile) empty() bool { return len(p.admin)+len(p.npPolicies)+len(p.baseline) == 0 }

// DeadPolicies lists the policies whose subject selects no endpoint of
// the inventory.
func (g *Graph) DeadPolicies() []RuleRef {
	var out []RuleRef
	for _, pol := range g.comp.policies {
		live := false
		for _, c := range g.predClasses[pol.subject] {
			if live {
				break
			}
			for _, m := range g.members[c] {
				live = live || !g.endpoints[m].probe
			}
		}
		if !live {
			out = append(out, pol.ref)
		}
	}
	return out
}

// Change is a pair whose allowed ports differ between two graphs.
type Change struct {
	From    string  `json:"from"`
	To      string  `json:"to"`
	Added   PortSet `json:"added"`
	Removed PortSet `json:"removed"`
}

// Diff lists every connection added or removed from before to after,
// matching endpoints by name (an endpoint present on one side only has no
// connections on the other).
func Diff(before, after *Graph) []Change {
	b, a := before.Matrix(), after.Matrix()
	bm, am := edgeMap(b.Edges), edgeMap(a.Edges)
	keys := map[[2]string]bool{}
	for k := range bm {
		keys[k] = true
	}
	for k := range am {
		keys[k] = true
	}
	var out []Change
	for k := range keys {
		add, rem := am[k].Subtract(bm[k]), bm[k].Subtract(am[k])
		if !add.IsEmpty() || !rem.IsEmpty() {
			out = append(out, Change{From: k[0], To: k[1], Added: add, Removed: rem})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].From != out[j].From {
			return out[i].From < out[j].From
		}
		return out[i].To < out[j].To
	})
	return out
}

func edgeMap(es []Edge) map[[2]string]PortSet {
	m := make(map[[2]string]PortSet, len(es))
	for _, e := range es {
		m[[2]string{e.From, e.To}] = e.Ports
	}
	return m
}
