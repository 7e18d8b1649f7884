package netpol

import (
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// Direction is Ingress or Egress.
type Direction string

const (
	Ingress Direction = "Ingress"
	Egress  Direction = "Egress"
)

func (d Direction) index() int {
	if d == Egress {
		return 1
	}
	return 0
}

var directions = [2]Direction{Ingress, Egress}

// Tier is the precedence level of a policy: Admin (AdminNetworkPolicy and
// ClusterNetworkPolicy tier Admin), NetworkPolicy, Baseline
// (BaselineAdminNetworkPolicy and ClusterNetworkPolicy tier Baseline), and
// Default (nothing decided: allowed).
type Tier string

const (
	AdminTier         Tier = "Admin"
	NetworkPolicyTier Tier = "NetworkPolicy"
	BaselineTier      Tier = "Baseline"
	DefaultTier       Tier = "Default"
)

// Action is what a rule does with the traffic it matches.
type Action string

const (
	Allow Action = "Allow"
	Deny  Action = "Deny"
	Pass  Action = "Pass"
)

// RuleRef names a policy rule: the policy, the direction and the rule's
// index in that direction's list. Index is -1 for a NetworkPolicy that
// isolates the pod without a matching rule.
type RuleRef struct {
	Kind      string    `json:"kind"`
	Namespace string    `json:"namespace,omitempty"`
	Name      string    `json:"name"`
	Direction Direction `json:"direction"`
	Index     int       `json:"index"`
	RuleName  string    `json:"ruleName,omitempty"`
	Action    Action    `json:"action"`
	Tier      Tier      `json:"tier"`
	Priority  int32     `json:"priority,omitempty"`
}

// String is "NetworkPolicy ns/name ingress[0]" (Index -1: without the rule).
func (r RuleRef) String() string {
	name := r.Name
	if r.Namespace != "" {
		name = r.Namespace + "/" + name
	}
	s := r.Kind + " " + name
	if r.Index >= 0 {
		s += fmt.Sprintf(" %s[%d]", strings.ToLower(string(r.Direction)), r.Index)
		if r.RuleName != "" {
			s += " (" + r.RuleName + ")"
		}
	}
	return s
}

// predicate is a compiled selector over endpoints: a pod selector (with an
// optional fixed namespace), an ipBlock, or everything.
type predicate struct {
	key       string
	all       bool
	pods      bool
	namespace string          // pods: "" = any namespace
	nsSel     labels.Selector // pods: nil = any namespace
	podSel    labels.Selector // pods: nil = any pod
	cidr      netip.Prefix    // ipBlock
	except    []netip.Prefix
}

func (p *predicate) matches(e *Endpoint, podIPs bool) bool {
	switch {
	case p.all:
		return true
	case p.pods:
		if !e.selectable() || p.namespace != "" && e.Namespace != p.namespace {
			return false
		}
		return (p.nsSel == nil || p.nsSel.Matches(e.nsLabels)) && (p.podSel == nil || p.podSel.Matches(labels.Set(e.Labels)))
	}
	if e.Kind == PodEndpoint && !podIPs {
		return false
	}
	for _, a := range e.addrs() {
		if p.cidr.Contains(a) && !inAny(a, p.except) {
			return true
		}
	}
	return false
}

func inAny(a netip.Addr, ps []netip.Prefix) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// portSpec is one entry of a rule's ports: a protocol (-1: any, for admin
// named ports) with a port range, or a named port resolved on the
// destination.
type portSpec struct {
	proto  int
	lo, hi int32
	name   string
}

// rule is a compiled rule of any tier.
type rule struct {
	ref      RuleRef
	peers    []int // predicate ids, ORed
	ports    []portSpec
	anyPort  bool
	static   setID // the port set when no named port is involved
	hasNamed bool
}

// policy is a compiled policy of any tier.
type policy struct {
	ref      RuleRef // Index -1
	tier     Tier
	priority int32
	subject  int // predicate id
	isolates [2]bool
	rules    [2][]int
}

// compiler turns API objects into predicates, rules and policies.
type compiler struct {
	preds    []*predicate
	predIDs  map[string]int
	rules    []*rule
	policies []*policy
	prefixes []netip.Prefix
	named    map[string]bool
	sets     *setTable
	errs     []error
	notes    []string // assumptions about valid but undefined constructs

	// parsed are the label selectors compiled, by the policy field that
	// holds them, and prior those of the compiler of the graph a graph is
	// derived from (Derive): an unchanged policy is the same object in
	// both inventories, and its selectors need not be parsed again.
	parsed, prior map[*metav1.LabelSelector]parsedSelector
}

// parsedSelector is the result of metav1.LabelSelectorAsSelector.
type parsedSelector struct {
	sel labels.Selector
	err error
}

func newCompiler(sets *setTable) *compiler {
	return &compiler{predIDs: map[string]int{}, named: map[string]bool{}, sets: sets,
		parsed: map[*metav1.LabelSelector]parsedSelector{}}
}

func (c *compiler) pred(p *predicate) int {
	if id, ok := c.predIDs[p.key]; ok {
		return id
	}
	c.preds = append(c.preds, p)
	c.predIDs[p.key] = len(c.preds) - 1
	return len(c.preds) - 1
}

func (c *compiler) errorf(format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf(format, args...))
}

// selector compiles a label selector; an invalid one selects nothing and
// is recorded.
func (c *compiler) selector(s *metav1.LabelSelector, where string) labels.Selector {
	ps, ok := c.parsed[s]
	if !ok {
		if ps, ok = c.prior[s]; !ok {
			ps.sel, ps.err = metav1.LabelSelectorAsSelector(s)
		}
		c.parsed[s] = ps
	}
	sel, err := ps.sel, ps.err
	if err != nil {
		c.errorf("%s: %w", where, err)
		return labels.Nothing()
	}
	return sel
}

func (c *compiler) podPred(namespace string, nsSel, podSel *metav1.LabelSelector, where string) int {
	p := &predicate{pods: true, namespace: namespace}
	var key strings.Builder
	key.WriteString("pods|" + namespace + "|")
	if nsSel != nil {
		p.nsSel = c.selector(nsSel, where)
		key.WriteString(p.nsSel.String())
	} else {
		key.WriteString("<any>")
	}
	key.WriteString("|")
	if podSel != nil {
		p.podSel = c.selector(podSel, where)
		key.WriteString(p.podSel.String())
	} else {
		key.WriteString("<any>")
	}
	if p.nsSel != nil && p.nsSel.Empty() {
		p.nsSel = nil
	}
	if p.podSel != nil && p.podSel.Empty() {
		p.podSel = nil
	}
	p.key = key.String()
	return c.pred(p)
}

func (c *compiler) ipPred(cidr string, except []string, where string) (int, bool) {
	p := &predicate{}
	var err error
	if p.cidr, err = parseCIDR(cidr); err != nil {
		c.errorf("%s: %w", where, err)
		return 0, false
	}
	c.prefixes = append(c.prefixes, p.cidr)
	ex := make([]string, 0, len(except))
	for _, e := range except {
		pe, err := parseCIDR(e)
		if err != nil {
			c.errorf("%s: except: %w", where, err)
			continue
		}
		p.except = append(p.except, pe)
		c.prefixes = append(c.prefixes, pe)
		ex = append(ex, pe.String())
	}
	sort.Strings(ex)
	p.key = "ip|" + p.cidr.String() + "|" + strings.Join(ex, ",")
	return c.pred(p), true
}

func (c *compiler) allPred() int { return c.pred(&predicate{key: "all", all: true}) }

func (c *compiler) addRule(r *rule) int {
	if r.anyPort {
		r.static = fullSet
	} else {
		var s PortSet
		for _, p := range r.ports {
			if p.name != "" {
				r.hasNamed = true
				c.named[p.name] = true
				continue
			}
			s = s.Union(PortsOf(protocols[p.proto], p.lo, p.hi))
		}
		r.static = c.sets.id(s)
	}
	c.rules = append(c.rules, r)
	return len(c.rules) - 1
}

// networkPolicy compiles a NetworkPolicy v1, normalising as the apiserver
// does: policyTypes defaulted, missing protocol = TCP, empty lists as absent.
func (c *compiler) networkPolicy(np *networkingv1.NetworkPolicy) {
	where := "NetworkPolicy " + np.Namespace + "/" + np.Name
	base := RuleRef{Kind: "NetworkPolicy", Namespace: np.Namespace, Name: np.Name, Index: -1, Action: Deny, Tier: NetworkPolicyTier}
	pol := &policy{ref: base, tier: NetworkPolicyTier}
	pol.subject = c.podPred(np.Namespace, nil, &np.Spec.PodSelector, where+": podSelector")
	for _, t := range policyTypes(np) {
		pol.isolates[t.index()] = true
	}
	if pol.isolates[0] {
		for i, r := range np.Spec.Ingress {
			pol.rules[0] = append(pol.rules[0], c.npRule(np, base, Ingress, i, r.From, r.Ports))
		}
	}
	if pol.isolates[1] {
		for i, r := range np.Spec.Egress {
			pol.rules[1] = append(pol.rules[1], c.npRule(np, base, Egress, i, r.To, r.Ports))
		}
	}
	c.policies = append(c.policies, pol)
}

// policyTypes applies the apiserver's defaulting: omitted → Ingress, plus
// Egress when there are egress rules.
func policyTypes(np *networkingv1.NetworkPolicy) []Direction {
	var out []Direction
	if len(np.Spec.PolicyTypes) == 0 {
		out = append(out, Ingress)
		if len(np.Spec.Egress) > 0 {
			out = append(out, Egress)
		}
		return out
	}
	for _, t := range np.Spec.PolicyTypes {
		switch t {
		case networkingv1.PolicyTypeIngress:
			out = append(out, Ingress)
		case networkingv1.PolicyTypeEgress:
			out = append(out, Egress)
		}
	}
	return out
}

func (c *compiler) npRule(np *networkingv1.NetworkPolicy, base RuleRef, dir Direction, i int, peers []networkingv1.NetworkPolicyPeer, ports []networkingv1.NetworkPolicyPort) int {
	ref := base
	ref.Direction, ref.Index, ref.Action = dir, i, Allow
	// Built for every rule, used only in messages: concatenation, which
	// costs a third of fmt.Sprintf at thousands of policies.
	where := "NetworkPolicy " + np.Namespace + "/" + np.Name + " " + strings.ToLower(string(dir)) + "[" + strconv.Itoa(i) + "]"
	r := &rule{ref: ref, anyPort: len(ports) == 0}
	if len(peers) == 0 {
		r.peers = []int{c.allPred()}
	}
	for _, p := range peers {
		if id, ok := c.npPeer(np.Namespace, p, where); ok {
			r.peers = append(r.peers, id)
		}
	}
	for i, p := range ports {
		r.ports = append(r.ports, c.npPort(p, where+": ports["+strconv.Itoa(i)+"]"))
	}
	if dir == Egress {
		c.noteNamedToIPBlock(where, peers, r.ports)
	}
	return c.addRule(r)
}

func (c *compiler) npPeer(ns string, p networkingv1.NetworkPolicyPeer, where string) (int, bool) {
	switch {
	case p.IPBlock != nil:
		return c.ipPred(p.IPBlock.CIDR, p.IPBlock.Except, where+": ipBlock")
	case p.NamespaceSelector != nil:
		return c.podPred("", p.NamespaceSelector, p.PodSelector, where), true
	case p.PodSelector != nil:
		return c.podPred(ns, nil, p.PodSelector, where), true
	}
	c.errorf("%s: a peer sets none of podSelector, namespaceSelector, ipBlock", where)
	return 0, false
}

func (c *compiler) npPort(p networkingv1.NetworkPolicyPort, where string) portSpec {
	proto := corev1.ProtocolTCP
	if p.Protocol != nil {
		proto = *p.Protocol
	}
	s := portSpec{proto: protoIndex(proto), lo: 1, hi: MaxPort}
	if s.proto < 0 {
		c.errorf("%s: unknown protocol %q: the entry matches nothing", where, proto)
		return portSpec{proto: 0, lo: 1, hi: 0}
	}
	none := portSpec{proto: s.proto, lo: 1, hi: 0}
	switch {
	case p.Port == nil && p.EndPort != nil:
		// The apiserver rejects this; matching every port would fail open.
		c.errorf("%s: endPort %d without port (invalid): the entry matches nothing", where, *p.EndPort)
		return none
	case p.Port == nil:
		return s
	case p.Port.Type == intstr.String && p.EndPort != nil:
		c.errorf("%s: endPort %d with named port %q (invalid, endPort needs a numeric port): the entry matches nothing", where, *p.EndPort, p.Port.StrVal)
		return none
	case p.Port.Type == intstr.String:
		s.name = p.Port.StrVal
		return s
	}
	s.lo, s.hi = p.Port.IntVal, p.Port.IntVal
	if p.EndPort != nil {
		s.hi = *p.EndPort
		if s.hi < s.lo {
			c.errorf("%s: endPort %d is below port %d: the entry matches nothing", where, s.hi, s.lo)
		}
	}
	return s
}

// noteNamedToIPBlock notes an egress rule that combines a named port
// with an ipBlock peer: named ports resolve on the destination pod's
// containers, so for addresses that are not pods the rule admits no port
// (Kubernetes leaves this undefined; some tools abort). The policy is
// valid, so this is a note (an assumption), not a warning.
func (c *compiler) noteNamedToIPBlock(where string, peers []networkingv1.NetworkPolicyPeer, ports []portSpec) {
	var names []string
	for _, p := range ports {
		if p.name != "" {
			names = append(names, p.name)
		}
	}
	if len(names) == 0 {
		return
	}
	for _, p := range peers {
		if p.IPBlock != nil {
			c.notes = append(c.notes, fmt.Sprintf("%s: named port %s with ipBlock %s: external addresses have no named ports, so the rule admits them on no port (pod IPs in the block resolve the name on the pod)", where, strings.Join(names, ","), p.IPBlock.CIDR))
			return
		}
	}
}

// resolve returns the ports a rule admits towards the destination dst.
func (c *compiler) resolve(r *rule, dst *Endpoint) PortSet {
	s := c.sets.get(r.static)
	for _, p := range r.ports {
		if p.name == "" {
			continue
		}
		for _, cp := range dst.ports {
			if cp.Name == p.name && (p.proto < 0 || protoIndex(cp.Protocol) == p.proto) {
				s = s.Union(PortsOf(cp.Protocol, cp.ContainerPort, cp.ContainerPort))
			}
		}
	}
	return s
}

func nothingSelector() labels.Selector { return labels.Nothing() }
