package rbac

import (
	"fmt"
	"slices"
	"sort"

	rbacv1 "k8s.io/api/rbac/v1"
)

// ExactCutLimit is the largest number of candidate grants for which
// EscalationCut searches every subset (by increasing size); above it the
// cut is a greedy approximation (Cut.Exact false).
const ExactCutLimit = 20

// GrantKey identifies a grant for removal: rule RuleIndex of the role of
// Binding. Removing it means the binding no longer grants that rule to any
// of its subjects (in practice: bind them to a role without the rule).
type GrantKey struct {
	Binding   Ref `json:"binding"`
	RuleIndex int `json:"ruleIndex"`
}

// Key is the grant's removal key.
func (g Grant) Key() GrantKey { return GrantKey{Binding: g.Binding, RuleIndex: g.RuleIndex} }

// EscalationGraphNode is one subject of the escalation graph.
type EscalationGraphNode struct {
	Subject rbacv1.Subject `json:"subject"`
	// Start: the subject is named by a binding and is not an admin (the
	// subjects whose paths a cut must break).
	Start bool `json:"start,omitempty"`
	// Admin is "system-masters" or "wildcard-admin" when the subject already
	// holds cluster-admin power outright; such nodes are terminals that a
	// cut never removes (reaching them is what a cut prevents).
	Admin string `json:"admin,omitempty"`
}

// EscalationEdge is a hop from one node to another (To >= 0) or, with To
// -1, a terminal condition of From (bind-admin-role, impersonate-masters,
// escalate-bound-role). The edge is usable while every entry of Requires
// still has at least one of its grants: each entry lists every grant that
// alone satisfies that requirement (a hop has one entry; bind-admin-role
// needs creating ClusterRoleBindings and bind; escalate-bound-role needs
// escalate and update/patch).
type EscalationEdge struct {
	From      int       `json:"from"`
	To        int       `json:"to"`
	Action    string    `json:"action"`
	Namespace string    `json:"namespace,omitempty"`
	Requires  [][]Grant `json:"requires"`
	Message   string    `json:"message"`
}

// EscalationGraph is every escalation hop and terminal condition among the
// subjects of an inventory (the nodes of EscalationPaths), each edge with
// all the grants that enable it, not only the first.
type EscalationGraph struct {
	Nodes []EscalationGraphNode `json:"nodes"`
	Edges []EscalationEdge      `json:"edges"`
}

// Cut is a smallest set of grants whose removal leaves no escalation path
// from any non-admin subject (a Start node) to a terminal: an admin node
// or a terminal condition.
type Cut struct {
	// Exact: Grants is a minimum (every subset of the Candidates was
	// searched by increasing size); otherwise a greedy approximation that is
	// still a cut and minimal under inclusion.
	Exact bool `json:"exact"`
	// Grants to remove, in sortGrants order (Subject is one subject of the
	// binding that uses the grant on a path).
	Grants []Grant `json:"grants"`
	// Subjects are the non-admin subjects that had a path.
	Subjects []rbacv1.Subject `json:"subjects"`
	// Candidates is the number of distinct grants on some path.
	Candidates int `json:"candidates"`
	// Verified: rebuilding the RBAC graph without Grants and the escalation
	// graph from it leaves no path.
	Verified bool `json:"verified"`
}

// EscalationGraph builds the full escalation graph: the nodes of
// EscalationPaths, every hop between them and every terminal condition,
// each labelled with all the grants that enable it.
func (g *Graph) EscalationGraph() *EscalationGraph {
	nodes, starts := g.escalationNodes()
	eg := &EscalationGraph{Nodes: make([]EscalationGraphNode, len(nodes))}
	for i, n := range nodes {
		eg.Nodes[i].Subject = n.subject
		if slices.Contains(n.id.Groups, GroupMasters) {
			eg.Nodes[i].Admin = "system-masters"
		} else if g.Can(n.id, Attributes{Verb: "*", APIGroup: "*", Resource: "*"}).Allowed {
			eg.Nodes[i].Admin = "wildcard-admin"
		}
	}
	for _, s := range starts {
		eg.Nodes[s].Start = eg.Nodes[s].Admin == ""
	}
	nsTargets := g.namespaceTargets(nodes)
	for i, n := range nodes {
		if eg.Nodes[i].Admin != "" {
			continue
		}
		eg.Edges = append(eg.Edges, g.terminalEdges(i, n)...)
		hops := g.hopsOf(&n.id)
		for _, ns := range sortedKeys(nsTargets) {
			if !hops.podsAll && !hops.podsIn[ns] {
				continue
			}
			action, grants := g.runPodGrants(n.id, ns)
			if len(grants) == 0 {
				continue
			}
			for _, t := range nsTargets[ns] {
				if t == i {
					continue
				}
				eg.Edges = append(eg.Edges, EscalationEdge{From: i, To: t, Action: action, Namespace: ns, Requires: [][]Grant{grants},
					Message: fmt.Sprintf("%s can %s in namespace %s and run it as %s", subjectString(n.subject), actionText(action), ns, subjectString(nodes[t].subject))})
			}
		}
		if !hops.actAs {
			continue
		}
		for t, m := range nodes {
			if t == i {
				continue
			}
			var grants []Grant
			action := ""
			for _, a := range hopAttributes(m.subject) {
				if gs := g.Grants(n.id, a.attrs); len(gs) > 0 {
					if action == "" {
						action = a.action
					}
					grants = append(grants, gs...)
				}
			}
			if len(grants) > 0 {
				eg.Edges = append(eg.Edges, EscalationEdge{From: i, To: t, Action: action, Namespace: m.subject.Namespace, Requires: [][]Grant{uniqueGrants(grants)},
					Message: fmt.Sprintf("%s can %s %s", subjectString(n.subject), action, subjectString(m.subject))})
			}
		}
	}
	return eg
}

// runPodGrants lists every grant that lets id create pods or a pod
// controller in ns; the action is create-pod when pods are among them.
func (g *Graph) runPodGrants(id Identity, ns string) (string, []Grant) {
	grants := g.Grants(id, Attributes{Verb: "create", Namespace: ns, Resource: "pods"})
	action := "create-pod"
	if len(grants) == 0 {
		action = "create-workload"
	}
	for _, gr := range [][2]string{{"apps", "deployments"}, {"apps", "daemonsets"}, {"apps", "statefulsets"}, {"apps", "replicasets"},
		{"batch", "jobs"}, {"batch", "cronjobs"}, {"", "replicationcontrollers"}} {
		grants = append(grants, g.Grants(id, Attributes{Verb: "create", Namespace: ns, APIGroup: gr[0], Resource: gr[1]})...)
	}
	return action, uniqueGrants(grants)
}

// terminalEdges are the terminal conditions of a non-admin node, with all
// their grants (sinkStep reports only the first that holds).
func (g *Graph) terminalEdges(i int, n escalationNode) []EscalationEdge {
	var out []EscalationEdge
	who := subjectString(n.subject)
	if gs := g.Grants(n.id, Attributes{Verb: "impersonate", Resource: "groups", Name: GroupMasters}); len(gs) > 0 {
		out = append(out, EscalationEdge{From: i, To: -1, Action: "impersonate-masters", Requires: [][]Grant{gs},
			Message: who + " can impersonate the group system:masters"})
	}
	if crb := g.Grants(n.id, Attributes{Verb: "create", APIGroup: rbacv1.GroupName, Resource: "clusterrolebindings"}); len(crb) > 0 {
		var bind []Grant
		for _, name := range g.adminRoles() {
			bind = append(bind, g.Grants(n.id, Attributes{Verb: "bind", APIGroup: rbacv1.GroupName, Resource: "clusterroles", Name: name})...)
		}
		if len(bind) > 0 {
			out = append(out, EscalationEdge{From: i, To: -1, Action: "bind-admin-role", Requires: [][]Grant{crb, uniqueGrants(bind)},
				Message: who + " can create ClusterRoleBindings and bind an admin ClusterRole to itself"})
		}
	}
	seen := map[string]bool{}
	for _, b := range g.crbs.all {
		if b.role == nil || b.roleRef.Kind != "ClusterRole" || seen[b.roleRef.Name] {
			continue
		}
		if _, ok := b.appliesTo(&n.id); !ok {
			continue
		}
		name := b.roleRef.Name
		esc := g.Grants(n.id, Attributes{Verb: "escalate", APIGroup: rbacv1.GroupName, Resource: "clusterroles", Name: name})
		upd := append(g.Grants(n.id, Attributes{Verb: "update", APIGroup: rbacv1.GroupName, Resource: "clusterroles", Name: name}),
			g.Grants(n.id, Attributes{Verb: "patch", APIGroup: rbacv1.GroupName, Resource: "clusterroles", Name: name})...)
		if len(esc) > 0 && len(upd) > 0 {
			seen[name] = true
			out = append(out, EscalationEdge{From: i, To: -1, Action: "escalate-bound-role", Requires: [][]Grant{esc, uniqueGrants(upd)},
				Message: fmt.Sprintf("%s can escalate and update ClusterRole %q, which %s binds to it cluster-wide", who, name, b.ref)})
		}
	}
	return out
}

func uniqueGrants(gs []Grant) []Grant {
	sortGrants(gs)
	return slices.CompactFunc(gs, func(x, y Grant) bool { return x.Key() == y.Key() })
}

// EscalationCut builds the escalation graph and returns a smallest set of
// grants whose removal cuts every path from a non-admin subject to
// cluster-admin-equivalent power, verified by rebuilding the graph without
// them (Cut.Verified).
func (g *Graph) EscalationCut() Cut {
	eg := g.EscalationGraph()
	c := eg.Cut()
	if len(c.Subjects) == 0 {
		c.Verified = true
		return c
	}
	keys := make([]GrantKey, len(c.Grants))
	for i, gr := range c.Grants {
		keys[i] = gr.Key()
	}
	after := g.WithoutGrants(keys).EscalationGraph()
	// The starts of the original graph must all be cut in the rebuilt one
	// (node order is the same: the bindings and their subjects are).
	c.Verified = len(after.reachingStarts(nil)) == 0
	return c
}

// WithoutGrants returns a copy of the graph in which the bindings named by
// keys no longer grant those rules (the rules of their role are blanked for
// those bindings only; other bindings of the role are unchanged).
func (g *Graph) WithoutGrants(keys []GrantKey) *Graph {
	drop := map[Ref]map[int]bool{}
	for _, k := range keys {
		if drop[k.Binding] == nil {
			drop[k.Binding] = map[int]bool{}
		}
		drop[k.Binding][k.RuleIndex] = true
	}
	out := &Graph{
		clusterRoles:    map[string]*role{},
		roles:           map[Ref]*role{},
		crbs:            newBindingIndex(),
		rbs:             map[string]*bindingIndex{},
		serviceAccounts: g.serviceAccounts,
		namespaces:      g.namespaces,
		ids:             newInterner(),
	}
	for _, name := range sortedKeys(g.clusterRoles) {
		r := g.clusterRoles[name]
		out.clusterRoles[name] = newRole(out.ids, r.ref, r.rules, r.obj)
	}
	for ref, r := range g.roles {
		out.roles[ref] = newRole(out.ids, ref, r.rules, r.obj)
	}
	rebind := func(b *binding) *binding {
		nb := *b
		if b.role == nil {
			return &nb
		}
		if b.roleRef.Kind == "ClusterRole" {
			nb.role = out.clusterRoles[b.roleRef.Name]
		} else {
			nb.role = out.roles[b.roleRef]
		}
		if d := drop[b.ref]; len(d) > 0 {
			rules := slices.Clone(b.role.rules)
			for i := range d {
				if i >= 0 && i < len(rules) {
					rules[i] = rbacv1.PolicyRule{} // matches nothing, keeps the indices
				}
			}
			nb.role = newRole(out.ids, b.role.ref, rules, b.role.obj)
		}
		return &nb
	}
	for _, b := range g.crbs.all {
		out.crbs.add(rebind(b))
	}
	for _, ns := range sortedKeys(g.rbs) {
		x := newBindingIndex()
		for _, b := range g.rbs[ns].all {
			x.add(rebind(b))
		}
		out.rbs[ns] = x
	}
	return out
}

// cutProblem is the escalation graph with grants numbered: each edge
// requirement is a list of grant ids.
type cutProblem struct {
	eg     *EscalationGraph
	grants []Grant // by id, in sortGrants order
	reqs   [][][]int
	// in lists the hop edges into each node; term the terminal edges of each.
	in, term [][]int
}

func newCutProblem(eg *EscalationGraph) *cutProblem {
	p := &cutProblem{eg: eg, reqs: make([][][]int, len(eg.Edges)), in: make([][]int, len(eg.Nodes)), term: make([][]int, len(eg.Nodes))}
	byKey := map[GrantKey]Grant{}
	for _, e := range eg.Edges {
		for _, r := range e.Requires {
			for _, gr := range r {
				if _, ok := byKey[gr.Key()]; !ok {
					byKey[gr.Key()] = gr
				}
			}
		}
	}
	for _, gr := range byKey {
		p.grants = append(p.grants, gr)
	}
	sortGrants(p.grants)
	id := map[GrantKey]int{}
	for i, gr := range p.grants {
		id[gr.Key()] = i
	}
	for ei, e := range eg.Edges {
		for _, r := range e.Requires {
			ids := make([]int, len(r))
			for j, gr := range r {
				ids[j] = id[gr.Key()]
			}
			p.reqs[ei] = append(p.reqs[ei], ids)
		}
		if e.To < 0 {
			p.term[e.From] = append(p.term[e.From], ei)
		} else {
			p.in[e.To] = append(p.in[e.To], ei)
		}
	}
	return p
}

// live reports whether the edge is usable with the removed grants gone.
func (p *cutProblem) live(ei int, removed []bool) bool {
	for _, r := range p.reqs[ei] {
		if !slices.ContainsFunc(r, func(id int) bool { return !removed[id] }) {
			return false
		}
	}
	return true
}

// reaching marks the nodes from which a terminal is reachable over live
// edges (a reverse breadth-first search from the terminals).
func (p *cutProblem) reaching(removed []bool) []bool {
	ok := make([]bool, len(p.eg.Nodes))
	var queue []int
	for i, n := range p.eg.Nodes {
		if n.Admin != "" || slices.ContainsFunc(p.term[i], func(ei int) bool { return p.live(ei, removed) }) {
			ok[i] = true
			queue = append(queue, i)
		}
	}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, ei := range p.in[cur] {
			from := p.eg.Edges[ei].From
			if !ok[from] && p.live(ei, removed) {
				ok[from] = true
				queue = append(queue, from)
			}
		}
	}
	return ok
}

func (p *cutProblem) startsReaching(removed []bool) int {
	ok, n := p.reaching(removed), 0
	for i, node := range p.eg.Nodes {
		if node.Start && ok[i] {
			n++
		}
	}
	return n
}

// reachingStarts lists the start nodes that can still reach a terminal
// (removed nil: nothing removed).
func (eg *EscalationGraph) reachingStarts(removed []bool) []int {
	p := newCutProblem(eg)
	if removed == nil {
		removed = make([]bool, len(p.grants))
	}
	ok := p.reaching(removed)
	var out []int
	for i, n := range eg.Nodes {
		if n.Start && ok[i] {
			out = append(out, i)
		}
	}
	return out
}

// candidates are the grants on edges that lie on some start-to-terminal
// path: removing any other grant cannot break a path.
func (p *cutProblem) candidates() []int {
	none := make([]bool, len(p.grants))
	toTerm := p.reaching(none)
	fromStart := make([]bool, len(p.eg.Nodes))
	out := make([][]int, len(p.eg.Nodes))
	for ei, e := range p.eg.Edges {
		if e.To >= 0 {
			out[e.From] = append(out[e.From], ei)
		}
	}
	var queue []int
	for i, n := range p.eg.Nodes {
		if n.Start && toTerm[i] {
			fromStart[i] = true
			queue = append(queue, i)
		}
	}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		if p.eg.Nodes[cur].Admin != "" {
			continue
		}
		for _, ei := range out[cur] {
			if to := p.eg.Edges[ei].To; !fromStart[to] && toTerm[to] {
				fromStart[to] = true
				queue = append(queue, to)
			}
		}
	}
	seen := make([]bool, len(p.grants))
	for ei, e := range p.eg.Edges {
		if !fromStart[e.From] || p.eg.Nodes[e.From].Admin != "" || (e.To >= 0 && !toTerm[e.To]) {
			continue
		}
		for _, r := range p.reqs[ei] {
			for _, id := range r {
				seen[id] = true
			}
		}
	}
	var ids []int
	for id, s := range seen {
		if s {
			ids = append(ids, id)
		}
	}
	return ids
}

// Cut returns a smallest set of grants whose removal leaves no path from a
// start node to a terminal. With at most ExactCutLimit candidate grants
// every subset is tried by increasing size (the first found, in grant
// order, is returned); otherwise greedy: repeatedly remove the requirement
// (its remaining grants) that disconnects the most starts per grant
// removed (ties: the most edges disabled), then drop every grant that is
// not needed. Cut.Verified is left false (see Graph.EscalationCut).
func (eg *EscalationGraph) Cut() Cut {
	p := newCutProblem(eg)
	removed := make([]bool, len(p.grants))
	ok := p.reaching(removed)
	c := Cut{Exact: true, Grants: []Grant{}, Subjects: []rbacv1.Subject{}}
	for i, n := range eg.Nodes {
		if n.Start && ok[i] {
			c.Subjects = append(c.Subjects, n.Subject)
		}
	}
	sort.Slice(c.Subjects, func(i, j int) bool { return subjectLess(c.Subjects[i], c.Subjects[j]) })
	if len(c.Subjects) == 0 {
		return c
	}
	cand := p.candidates()
	c.Candidates = len(cand)
	var chosen []int
	if len(cand) <= ExactCutLimit {
		chosen = p.exact(cand)
	} else {
		c.Exact = false
		chosen = p.greedy(cand)
	}
	for _, id := range chosen {
		c.Grants = append(c.Grants, p.grants[id])
	}
	sortGrants(c.Grants)
	return c
}

// exact tries the subsets of cand by increasing size (Gosper's hack over a
// bit mask; lower-numbered grants first within a size).
func (p *cutProblem) exact(cand []int) []int {
	n := len(cand)
	removed := make([]bool, len(p.grants))
	set := func(mask uint32) {
		for i, id := range cand {
			removed[id] = mask&(1<<i) != 0
		}
	}
	for k := 0; k <= n; k++ {
		var mask uint32 = (1 << k) - 1
		for mask < 1<<n {
			set(mask)
			if p.startsReaching(removed) == 0 {
				var out []int
				for i, id := range cand {
					if mask&(1<<i) != 0 {
						out = append(out, id)
					}
				}
				return out
			}
			if mask == 0 {
				break
			}
			// Gosper: the next larger mask with the same number of bits.
			low := mask & -mask
			ripple := mask + low
			mask = (((ripple ^ mask) >> 2) / low) | ripple
		}
	}
	return cand // unreachable: removing every candidate cuts every path
}

func (p *cutProblem) greedy(cand []int) []int {
	removed := make([]bool, len(p.grants))
	isCand := make([]bool, len(p.grants))
	for _, id := range cand {
		isCand[id] = true
	}
	liveEdges := func() int {
		n := 0
		for ei := range p.eg.Edges {
			if p.live(ei, removed) {
				n++
			}
		}
		return n
	}
	for cur := p.startsReaching(removed); cur > 0; cur = p.startsReaching(removed) {
		edges := liveEdges()
		// Moves: the remaining grants of each requirement of a live edge.
		seen := map[string]bool{}
		var best []int
		bestStarts, bestEdges := -1.0, -1.0
		for ei := range p.eg.Edges {
			if !p.live(ei, removed) {
				continue
			}
			for _, r := range p.reqs[ei] {
				var move []int
				for _, id := range r {
					if !removed[id] && isCand[id] {
						move = append(move, id)
					}
				}
				key := fmt.Sprint(move)
				if len(move) == 0 || seen[key] {
					continue
				}
				seen[key] = true
				for _, id := range move {
					removed[id] = true
				}
				ds := float64(cur-p.startsReaching(removed)) / float64(len(move))
				de := float64(edges-liveEdges()) / float64(len(move))
				for _, id := range move {
					removed[id] = false
				}
				if ds > bestStarts || (ds == bestStarts && de > bestEdges) {
					best, bestStarts, bestEdges = move, ds, de
				}
			}
		}
		if best == nil {
			break // cannot happen: a live path has a live edge with candidate grants
		}
		for _, id := range best {
			removed[id] = true
		}
	}
	// Drop the grants that are not needed, last chosen first.
	var chosen []int
	for id, r := range removed {
		if r {
			chosen = append(chosen, id)
		}
	}
	for i := len(chosen) - 1; i >= 0; i-- {
		removed[chosen[i]] = false
		if p.startsReaching(removed) > 0 {
			removed[chosen[i]] = true
		}
	}
	var out []int
	for id, r := range removed {
		if r {
			out = append(out, id)
		}
	}
	return out
}
