package netpol

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/bits"
	"net/netip"
	"slices"
	"sort"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/labels"
	anp "sigs.k8s.io/network-policy-api/apis/v1alpha1"
	cnpv1alpha2 "sigs.k8s.io/network-policy-api/apis/v1alpha2"
	cnp "sigs.k8s.io/network-policy-api/apis/v1beta1"

	"github.com/aigov/aigov/governance"
)

// Options tune how the graph reads the inventory. The zero value follows
// the upstream NetworkPolicy e2e suite.
type Options struct {
	// IgnorePodIPsInIPBlocks makes ipBlocks (and admin "networks") match
	// only external addresses, never pod IPs. By default they match pod
	// IPs from status.podIPs too, as the upstream e2e tests expect.
	IgnorePodIPsInIPBlocks bool
}

// Graph is the reachability graph of an inventory: endpoints grouped into
// equivalence classes, with the allowed port set of every class pair per
// direction computed once. It is safe for concurrent reads.
type Graph struct {
	opts      Options
	endpoints []*Endpoint // listed endpoints, then probes
	listed    int
	byName    map[string]*Endpoint
	comp      *compiler
	sets      *setTable

	class    []int   // endpoint → class
	classRep []int   // class → representative endpoint
	members  [][]int // class → endpoints
	nclass   int
	words    int

	predClasses  []classSet // predicate → classes it matches
	classMatches [][]int    // class → the predicates its endpoints match (Derive)
	rulePeers    []classSet // rule → classes its peers match
	named        map[[2]int]setID

	profileOf [2][]int       // direction → class → profile
	profiles  [2][]*profile  // direction → profiles
	isolating [2][][]RuleRef // direction → profile → isolating NetworkPolicies
	rows      [2][]row       // direction → profile → other class → allowed ports
	pair      map[[2]int]setID
	notes     []string

	inputs graphInputs // what the policies and namespace labels were read from (Derive)
}

// profile is what decides one direction for a set of classes: the admin
// rules in precedence order, the isolating NetworkPolicies and their
// rules, and the baseline rules.
type profile struct {
	admin      []int
	npPolicies []int
	np         []int
	baseline   []int
	subject    int // a class having this profile (for named ports on ingress)
}

// Build compiles the inventory's NetworkPolicies, AdminNetworkPolicies,
// BaselineAdminNetworkPolicies and ClusterNetworkPolicies and computes the
// graph. Problems in policies (an invalid selector or CIDR) do not stop
// the build: the affected selector matches nothing and Warnings lists it.
func Build(inv *governance.Inventory, opts Options) (*Graph, error) {
	if inv == nil {
		return nil, errors.New("netpol: nil inventory")
	}
	g := &Graph{opts: opts, sets: newSetTable(), named: map[[2]int]setID{}, pair: map[[2]int]setID{}, inputs: readInputs(inv)}
	g.comp = newCompiler(g.sets)
	g.compilePolicies()
	g.notes = append(g.notes, g.comp.notes...)
	g.buildEndpoints(inv)
	g.buildClasses(g.evaluatePredicates())
	g.buildProfiles()
	g.buildRows()
	return g, nil
}

// graphInputs are the objects of an inventory that the compiled policies
// and the endpoints' namespace labels are made of, in inventory order.
type graphInputs struct {
	networkPolicies []*networkingv1.NetworkPolicy
	admin           []*anp.AdminNetworkPolicy
	baseline        []*anp.BaselineAdminNetworkPolicy
	cluster         []*cnp.ClusterNetworkPolicy
	clusterV1alpha2 []*cnpv1alpha2.ClusterNetworkPolicy
	namespaces      []*corev1.Namespace
}

func readInputs(inv *governance.Inventory) graphInputs {
	return graphInputs{
		networkPolicies: governance.Typed[*networkingv1.NetworkPolicy](inv),
		admin:           governance.Typed[*anp.AdminNetworkPolicy](inv),
		baseline:        governance.Typed[*anp.BaselineAdminNetworkPolicy](inv),
		cluster:         governance.Typed[*cnp.ClusterNetworkPolicy](inv),
		clusterV1alpha2: governance.Typed[*cnpv1alpha2.ClusterNetworkPolicy](inv),
		namespaces:      governance.Typed[*corev1.Namespace](inv),
	}
}

// samePolicies reports whether both hold the same policy objects (the
// same pointers: inventories share unchanged objects), which compile to
// the same predicates, rules and policies.
func (in graphInputs) samePolicies(o graphInputs) bool {
	return slices.Equal(in.networkPolicies, o.networkPolicies) && slices.Equal(in.admin, o.admin) &&
		slices.Equal(in.baseline, o.baseline) && slices.Equal(in.cluster, o.cluster) &&
		slices.Equal(in.clusterV1alpha2, o.clusterV1alpha2)
}

func (g *Graph) compilePolicies() {
	in := g.inputs
	for _, np := range in.networkPolicies {
		g.comp.networkPolicy(np)
	}
	for _, p := range in.admin {
		g.comp.adminNetworkPolicy(p)
	}
	for _, p := range in.baseline {
		g.comp.baselineAdminNetworkPolicy(p)
	}
	for _, p := range in.cluster {
		g.comp.clusterNetworkPolicy(p)
	}
	for _, p := range in.clusterV1alpha2 {
		var conv cnp.ClusterNetworkPolicy
		b, err := json.Marshal(p)
		if err == nil {
			err = json.Unmarshal(b, &conv)
		}
		if err != nil {
			g.comp.errorf("ClusterNetworkPolicy %s (v1alpha2): cannot convert to v1beta1, policy ignored: %w", p.Name, err)
			continue
		}
		g.comp.clusterNetworkPolicy(&conv)
	}
	tierRank := map[Tier]int{AdminTier: 0, NetworkPolicyTier: 1, BaselineTier: 2}
	sort.SliceStable(g.comp.policies, func(i, j int) bool {
		a, b := g.comp.policies[i], g.comp.policies[j]
		if tierRank[a.tier] != tierRank[b.tier] {
			return tierRank[a.tier] < tierRank[b.tier]
		}
		if a.priority != b.priority {
			return a.priority < b.priority
		}
		return a.ref.Kind+"/"+a.ref.Namespace+"/"+a.ref.Name < b.ref.Kind+"/"+b.ref.Namespace+"/"+b.ref.Name
	})
}

func (g *Graph) buildEndpoints(inv *governance.Inventory) {
	cut := cutRanges(g.comp.prefixes, true)
	g.finishEndpoints(podEndpoints(inv, cut, !g.opts.IgnorePodIPsInIPBlocks, nil))
}

// finishEndpoints completes the pod endpoints (made with the cut that
// includes IPv6) with the notes they call for, the external endpoints and
// the probe, in Endpoints order, and numbers them.
func (g *Graph) finishEndpoints(pods []*Endpoint) {
	withV6 := false
	for _, p := range g.comp.prefixes {
		withV6 = withV6 || p.Addr().Is6()
	}
	cut := cutRanges(g.comp.prefixes, true)
	for _, e := range pods {
		for _, a := range e.IPs {
			withV6 = withV6 || a.Is6()
		}
		if e.Kind == HostNetworkEndpoint && !g.hasNote(HostNetworkAssumption) {
			g.notes = append(g.notes, HostNetworkAssumption)
		}
	}
	if !withV6 {
		cut = cutRanges(g.comp.prefixes, false)
	}
	sort.SliceStable(pods, func(i, j int) bool { return pods[i].Name < pods[j].Name })
	g.endpoints = append(pods, externalEndpoints(cut, g.comp.prefixes)...)
	g.listed = len(g.endpoints)
	g.endpoints = append(g.endpoints, newNamespaceProbe())
	g.byName = map[string]*Endpoint{}
	for i, e := range g.endpoints {
		e.id = i
		if !e.probe {
			g.byName[e.Name] = e
		}
	}
}

func (g *Graph) hasNote(n string) bool {
	for _, x := range g.notes {
		if x == n {
			return true
		}
	}
	return false
}

// newNamespaceProbeName is the namespace of the synthetic pod that stands
// for "any pod in a namespace that does not exist yet".
const newNamespaceProbeName = "<new-namespace>"

func newNamespaceProbe() *Endpoint {
	return &Endpoint{Name: newNamespaceProbeName + "/<new-pod>", Kind: PodEndpoint, Namespace: newNamespaceProbeName,
		Replicas: 1, nsLabels: labels.Set{corev1.LabelMetadataName: newNamespaceProbeName}, probe: true}
}

// buildClasses evaluates every predicate on every endpoint and groups the
// endpoints that no predicate and no named port tells apart.
func (g *Graph) buildClasses(matches [][]int) {
	sigs := map[string]int{}
	g.class = make([]int, len(g.endpoints))
	var sb strings.Builder
	for i, e := range g.endpoints {
		sb.Reset()
		for _, p := range matches[i] {
			sb.WriteString(strconv.Itoa(p))
			sb.WriteByte(',')
		}
		sb.WriteByte('|')
		sb.WriteString(g.namedSignature(e))
		id, ok := sigs[sb.String()]
		if !ok {
			id = len(g.classRep)
			sigs[sb.String()] = id
			g.classRep = append(g.classRep, i)
			g.classMatches = append(g.classMatches, matches[i])
			g.members = append(g.members, nil)
		}
		g.class[i] = id
		g.members[id] = append(g.members[id], i)
	}
	g.nclass = len(g.classRep)
	g.words = (g.nclass + 63) / 64
	// The members of a class match the same predicates (the signature
	// holds them): its representative's matches are the class's, and
	// visiting classes in order keeps each list sorted.
	g.predClasses = make([]classSet, len(g.comp.preds))
	for c, rep := range g.classRep {
		for _, p := range matches[rep] {
			g.predClasses[p] = append(g.predClasses[p], int32(c))
		}
	}
	g.rulePeers = make([]classSet, len(g.comp.rules))
	for r, ru := range g.comp.rules {
		switch len(ru.peers) {
		case 0:
		case 1:
			g.rulePeers[r] = g.predClasses[ru.peers[0]] // shared: read only
		default:
			var set classSet
			for _, p := range ru.peers {
				set = append(set, g.predClasses[p]...)
			}
			slices.Sort(set)
			g.rulePeers[r] = slices.Compact(set)
		}
	}
}

// classSet is a sorted list of classes. Predicates and rules match few
// classes each: bitsets over every class would be predicates × classes
// (60,000 × 20,000 bits at 100,000 pods).
type classSet []int32

// has reports whether class c is in the set.
func (s classSet) has(c int) bool {
	_, found := slices.BinarySearch(s, int32(c))
	return found
}

// evaluatePredicates returns, per endpoint, the ids of the predicates it
// matches in increasing order. Pod predicates scan only the namespaces
// their namespace part admits.
func (g *Graph) evaluatePredicates() [][]int {
	out := make([][]int, len(g.endpoints))
	byNS := map[string][]*Endpoint{}
	var nsNames []string
	for _, e := range g.endpoints {
		if e.selectable() {
			if _, ok := byNS[e.Namespace]; !ok {
				nsNames = append(nsNames, e.Namespace)
			}
			byNS[e.Namespace] = append(byNS[e.Namespace], e)
		}
	}
	podIPs := !g.opts.IgnorePodIPsInIPBlocks
	for id, p := range g.comp.preds {
		var cands []*Endpoint
		switch {
		case !p.pods:
			cands = g.endpoints
		case p.namespace != "":
			cands = byNS[p.namespace]
		default:
			for _, ns := range nsNames {
				if es := byNS[ns]; p.nsSel == nil || p.nsSel.Matches(es[0].nsLabels) {
					cands = append(cands, es...)
				}
			}
		}
		for _, e := range cands {
			if p.matches(e, podIPs) {
				out[e.id] = append(out[e.id], id)
			}
		}
	}
	return out
}

// namedSignature lists the endpoint's container ports whose names some
// rule uses.
func (g *Graph) namedSignature(e *Endpoint) string {
	if len(g.comp.named) == 0 {
		return ""
	}
	var parts []string
	for _, p := range e.ports {
		if g.comp.named[p.Name] {
			parts = append(parts, fmt.Sprintf("%s/%s/%d", p.Name, p.Protocol, p.ContainerPort))
		}
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

// buildProfiles gives every class, per direction, the ordered rules that
// decide it, and shares identical lists between classes.
func (g *Graph) buildProfiles() {
	subjectOf := g.policiesByClass()
	var buf []byte
	for d := range directions {
		keys := map[string]int{}
		g.profileOf[d] = make([]int, g.nclass)
		for c := 0; c < g.nclass; c++ {
			p := g.profileFor(d, c, subjectOf[c])
			buf = p.appendKey(buf[:0])
			if directions[d] == Ingress && p.hasNamed(g) {
				buf = append(buf, '#')
				buf = append(buf, g.namedSignature(g.endpoints[g.classRep[c]])...)
			}
			id, ok := keys[string(buf)] // no allocation for a key seen before
			if !ok {
				id = len(g.profiles[d])
				keys[string(buf)] = id
				g.profiles[d] = append(g.profiles[d], p)
				refs := make([]RuleRef, len(p.npPolicies))
				for i, pol := range p.npPolicies {
					refs[i] = g.comp.policies[pol].ref
				}
				g.isolating[d] = append(g.isolating[d], refs)
			}
			g.profileOf[d][c] = id
		}
	}
}

// appendKey appends what tells profiles apart: the four rule and
// policy lists.
func (p *profile) appendKey(b []byte) []byte {
	for i, list := range [4][]int{p.admin, p.npPolicies, p.np, p.baseline} {
		if i > 0 {
			b = append(b, '|')
		}
		for j, x := range list {
			if j > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendInt(b, int64(x), 10)
		}
	}
	return b
}

func (p *profile) hasNamed(g *Graph) bool {
	for _, list := range [][]int{p.admin, p.np, p.baseline} {
		for _, r := range list {
			if g.comp.rules[r].hasNamed {
				return true
			}
		}
	}
	return false
}

// policiesByClass lists, per class, the policies whose subject selects
// it, in policy order: each policy visits the classes of its subject
// rather than every class every policy (classes × policies at 100,000
// pods is 20,000 × 20,000).
func (g *Graph) policiesByClass() [][]int {
	out := make([][]int, g.nclass)
	for i, pol := range g.comp.policies {
		for _, c := range g.predClasses[pol.subject] {
			out[c] = append(out[c], i)
		}
	}
	return out
}

// profileFor is the profile of class c in direction d; policies are those
// whose subject selects c, in policy order.
func (g *Graph) profileFor(d, c int, policies []int) *profile {
	p := &profile{subject: c}
	for _, i := range policies {
		pol := g.comp.policies[i]
		switch pol.tier {
		case AdminTier:
			p.admin = append(p.admin, pol.rules[d]...)
		case NetworkPolicyTier:
			if pol.isolates[d] {
				p.npPolicies = append(p.npPolicies, i)
				p.np = append(p.np, pol.rules[d]...)
			}
		case BaselineTier:
			p.baseline = append(p.baseline, pol.rules[d]...)
		}
	}
	return p
}

// row is what one profile allows towards every other class: base for the
// classes none of its rules' peers match (every port when nothing isolates
// the direction, none when a NetworkPolicy does), and ids for the classes
// cls (ascending) where the rules decide otherwise. A dense row per
// profile would be profiles × classes: 20,000 × 20,000 at 100,000 pods.
type row struct {
	base setID
	cls  []int32
	ids  []setID
}

// at is the ports the row allows towards class o.
func (r *row) at(o int) setID {
	lo, hi := 0, len(r.cls)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if int(r.cls[m]) < o {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(r.cls) && int(r.cls[lo]) == o {
		return r.ids[lo]
	}
	return r.base
}

// buildRows decides each profile against the classes its rules' peers
// match; every other class gets what decideSet gives when no rule matches
// (see row), so the work is the size of the peers, not of the cluster.
func (g *Graph) buildRows() {
	peers := make([]uint64, g.words)
	for d := range directions {
		g.rows[d] = make([]row, len(g.profiles[d]))
		for pi, p := range g.profiles[d] {
			r := row{base: fullSet}
			if len(p.npPolicies) > 0 {
				r.base = emptySet
			}
			if len(p.admin) == 0 && len(p.baseline) == 0 && len(p.npPolicies) == 0 {
				g.rows[d][pi] = r
				continue
			}
			clear(peers)
			for _, rules := range [3][]int{p.admin, p.np, p.baseline} {
				for _, ru := range rules {
					for _, c := range g.rulePeers[ru] {
						peers[c/64] |= 1 << (c % 64)
					}
				}
			}
			for w, x := range peers {
				for x != 0 {
					o := w*64 + bits.TrailingZeros64(x)
					x &= x - 1
					if id := g.decideSet(d, p, o); id != r.base {
						r.cls = append(r.cls, int32(o))
						r.ids = append(r.ids, id)
					}
				}
			}
			g.rows[d][pi] = r
		}
	}
}

// rulePortsRO is rulePorts for queries: it reads the memo filled by Build
// and resolves what Build did not need without storing it.
func (g *Graph) rulePortsRO(r, dst int) PortSet {
	ru := g.comp.rules[r]
	if !ru.hasNamed {
		return g.sets.get(ru.static)
	}
	if id, ok := g.named[[2]int{r, dst}]; ok {
		return g.sets.get(id)
	}
	return g.comp.resolve(ru, g.endpoints[g.classRep[dst]])
}

// rulePorts is the port set rule r admits towards destination class dst
// (Build only: it memoizes).
func (g *Graph) rulePorts(r, dst int) setID {
	ru := g.comp.rules[r]
	if !ru.hasNamed {
		return ru.static
	}
	k := [2]int{r, dst}
	if id, ok := g.named[k]; ok {
		return id
	}
	id := g.sets.id(g.comp.resolve(ru, g.endpoints[g.classRep[dst]]))
	g.named[k] = id
	return id
}

// decideSet computes the ports allowed in direction d by profile p between
// its subject and the class other: admin rules first match wins (Pass goes
// on to NetworkPolicy), isolating NetworkPolicies allow the union of their
// matching rules, baseline rules first match wins, the rest is allowed.
func (g *Graph) decideSet(d int, p *profile, other int) setID {
	dst := other
	if directions[d] == Ingress {
		dst = p.subject
	}
	t := g.sets
	if len(p.admin) == 0 && len(p.baseline) == 0 && len(p.npPolicies) == 0 {
		return fullSet
	}
	allowed, rest := g.decideTier(p.admin, other, dst, fullSet, emptySet)
	if len(p.npPolicies) > 0 {
		np := emptySet
		for _, r := range p.np {
			if g.rulePeers[r].has(other) {
				np = t.unite(np, g.rulePorts(r, dst))
			}
		}
		return t.unite(allowed, t.intersect(rest, np))
	}
	allowed, rest = g.decideTier(p.baseline, other, dst, rest, allowed)
	return t.unite(allowed, rest)
}

// decideTier walks one admin tier's rules in order over the ports still
// undecided: the first matching rule decides a port (Allow adds it to
// allowed, Deny drops it, Pass hands it on). It returns the allowed ports
// and those the tier left to the next one (undecided or passed).
func (g *Graph) decideTier(rules []int, other, dst int, undecided, allowed setID) (setID, setID) {
	t := g.sets
	passed := emptySet
	for _, r := range rules {
		if !g.rulePeers[r].has(other) {
			continue
		}
		m := t.intersect(undecided, g.rulePorts(r, dst))
		switch g.comp.rules[r].ref.Action {
		case Allow:
			allowed = t.unite(allowed, m)
		case Pass:
			passed = t.unite(passed, m)
		}
		undecided = t.subtract(undecided, m)
	}
	return allowed, t.unite(undecided, passed)
}

// pairSets are the ports the source class s's egress and the destination
// class d's ingress allow towards each other. Read only: after Build
// nothing writes to the graph, so queries are safe for concurrent use.
func (g *Graph) pairSets(s, d int) (egress, ingress setID) {
	return g.rows[1][g.profileOf[1][s]].at(d), g.rows[0][g.profileOf[0][d]].at(s)
}

// Endpoints lists the graph's endpoints: pods (sorted by name), then
// external ranges. Do not modify.
func (g *Graph) Endpoints() []*Endpoint { return g.endpoints[:g.listed] }

// Notes are the assumptions that affected this graph: hostNetwork pods,
// and egress rules whose named ports cannot apply to the external
// addresses of their ipBlocks.
func (g *Graph) Notes() []string { return g.notes }

// Warnings lists policy parts that could not be compiled or are not
// modelled, each naming the policy and rule: invalid selectors, CIDRs,
// protocols and endPorts (they match nothing), ANP/CNP nodes and
// domainNames peers (they match nothing), and v1alpha2 ClusterNetworkPolicies
// that could not be converted (ignored).
func (g *Graph) Warnings() []error { return g.comp.errs }

// Classes is the number of equivalence classes the endpoints fell into.
func (g *Graph) Classes() int { return g.nclass }

// Lookup finds an endpoint by any name aigov prints for it:
//
//   - its Name: "ns/name" for pods (the workload's name, or the pod's when
//     a workload's pods are told apart by their IPs), the comma-separated
//     ranges for an external endpoint, as `aigov netpol matrix` prints them;
//   - its workload as `aigov check` prints objects, "Kind/ns/name"
//     ("Deployment/rag/llm-service"), or as "ns/Kind/name"; a workload
//     whose pods are several endpoints gives the first of them by name;
//   - an IP: the pod with that IP, else the external endpoint whose ranges
//     contain it.
func (g *Graph) Lookup(s string) (*Endpoint, bool) {
	if e, ok := g.byName[s]; ok {
		return e, true
	}
	if e, ok := g.lookupWorkload(s); ok {
		return e, true
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return nil, false
	}
	a = a.Unmap()
	for _, e := range g.endpoints[:g.listed] {
		for _, ip := range e.IPs {
			if ip == a {
				return e, true
			}
		}
	}
	for _, e := range g.endpoints[:g.listed] {
		for _, r := range e.ranges {
			if r.contains(a) {
				return e, true
			}
		}
	}
	return nil, false
}

// lookupWorkload finds the first endpoint (by name) of the workload
// "Kind/ns/name" or "ns/Kind/name".
func (g *Graph) lookupWorkload(s string) (*Endpoint, bool) {
	parts := strings.Split(s, "/")
	if len(parts) != 3 {
		return nil, false
	}
	var found *Endpoint
	for _, form := range [][3]string{{parts[0], parts[1], parts[2]}, {parts[1], parts[0], parts[2]}} {
		kind, ns, name := form[0], form[1], form[2]
		for _, e := range g.endpoints[:g.listed] {
			if e.Kind == PodEndpoint && e.Namespace == ns && e.Workload == kind+"/"+name && (found == nil || e.Name < found.Name) {
				found = e
			}
		}
		if found != nil {
			return found, true
		}
	}
	return nil, false
}

// Connections is every port and protocol src may open to dst.
func (g *Graph) Connections(src, dst *Endpoint) PortSet {
	e, i := g.pairSets(g.class[src.id], g.class[dst.id])
	return g.sets.intersectRO(e, i)
}

// Reachable reports whether src may open a connection to dst on
// port/proto: two table reads and two range lookups, no allocation.
func (g *Graph) Reachable(src, dst *Endpoint, port int32, proto corev1.Protocol) bool {
	e, i := g.pairSets(g.class[src.id], g.class[dst.id])
	return e != emptySet && i != emptySet && g.sets.sets[e].Contains(proto, port) && g.sets.sets[i].Contains(proto, port)
}

// ReachableFrom lists the endpoints src may reach, with the ports.
func (g *Graph) ReachableFrom(src *Endpoint) []Edge {
	var out []Edge
	for _, dst := range g.Endpoints() {
		if g.listPair(src, dst) {
			if ps := g.Connections(src, dst); !ps.IsEmpty() {
				out = append(out, Edge{From: src.Name, To: dst.Name, Ports: ps})
			}
		}
	}
	return out
}

// WhoCanReach lists the endpoints that may reach dst on port/proto.
func (g *Graph) WhoCanReach(dst *Endpoint, port int32, proto corev1.Protocol) []*Endpoint {
	var out []*Endpoint
	for _, src := range g.Endpoints() {
		if g.listPair(src, dst) && g.Reachable(src, dst, port, proto) {
			out = append(out, src)
		}
	}
	return out
}

// listPair says whether a pair belongs in listings: an endpoint with
// itself only when it stands for several replicas; external to external
// never (no policy governs it).
func (g *Graph) listPair(src, dst *Endpoint) bool {
	if src == dst {
		return src.Replicas > 1
	}
	return src.Kind != ExternalEndpoint || dst.Kind != ExternalEndpoint
}

// Edge is an allowed connection with its ports.
type Edge struct {
	From  string  `json:"from"`
	To    string  `json:"to"`
	Ports PortSet `json:"ports"`
}

// MarshalJSON renders the ports in their string form.
func (p PortSet) MarshalJSON() ([]byte, error) { return json.Marshal(p.Strings()) }

// UnmarshalJSON reads the string form.
func (p *PortSet) UnmarshalJSON(b []byte) error {
	var items []string
	if err := json.Unmarshal(b, &items); err != nil {
		return err
	}
	s, err := ParsePortSet(items)
	*p = s
	return err
}
