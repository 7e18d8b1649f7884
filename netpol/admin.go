package netpol

import (
	"fmt"
	"math"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	anp "sigs.k8s.io/network-policy-api/apis/v1alpha1"
	cnp "sigs.k8s.io/network-policy-api/apis/v1beta1"
)

// adminPeer is the common shape of ANP, BANP and CNP peers.
type adminPeer struct {
	namespaces *metav1.LabelSelector
	pods       *[2]metav1.LabelSelector // namespaceSelector, podSelector
	networks   []string
	// nodes and domainNames are peers the graph has no endpoints for:
	// they match nothing, and compiling them records a warning.
	nodes       bool
	domainNames []string
}

func (c *compiler) adminSubject(ns *metav1.LabelSelector, pods *[2]metav1.LabelSelector, where string) int {
	switch {
	case ns != nil:
		return c.podPred("", ns, nil, where+": subject")
	case pods != nil:
		return c.podPred("", &pods[0], &pods[1], where+": subject")
	}
	c.errorf("%s: subject selects neither namespaces nor pods", where)
	return c.pred(&predicate{key: "none", pods: true, podSel: nothingSelector()})
}

func (c *compiler) adminPeers(peers []adminPeer, where string) []int {
	var out []int
	for _, p := range peers {
		switch {
		case p.namespaces != nil:
			out = append(out, c.podPred("", p.namespaces, nil, where))
		case p.pods != nil:
			out = append(out, c.podPred("", &p.pods[0], &p.pods[1], where))
		}
		for _, n := range p.networks {
			if id, ok := c.ipPred(n, nil, where+": networks"); ok {
				out = append(out, id)
			}
		}
		if p.nodes {
			c.errorf("%s: nodes peer not modelled (the graph has no node endpoints): it matches nothing", where)
		}
		if len(p.domainNames) > 0 {
			c.errorf("%s: domainNames peer %v not modelled (names are not resolved to addresses): it matches nothing", where, p.domainNames)
		}
	}
	return out
}

func nsPod(p *anp.NamespacedPod) *[2]metav1.LabelSelector {
	if p == nil {
		return nil
	}
	return &[2]metav1.LabelSelector{p.NamespaceSelector, p.PodSelector}
}

func cnpPod(p *cnp.NamespacedPod) *[2]metav1.LabelSelector {
	if p == nil {
		return nil
	}
	return &[2]metav1.LabelSelector{p.NamespaceSelector, p.PodSelector}
}

// anpPorts compiles the ports of an ANP or BANP rule; where names the
// rule for warnings.
func (c *compiler) anpPorts(ports *[]anp.AdminNetworkPolicyPort, where string) ([]portSpec, bool) {
	if ports == nil {
		return nil, true
	}
	var out []portSpec
	for i, p := range *ports {
		switch {
		case p.PortNumber != nil:
			out = append(out, c.anpPort(p.PortNumber.Protocol, p.PortNumber.Port, p.PortNumber.Port, fmt.Sprintf("%s: ports[%d]", where, i)))
		case p.PortRange != nil:
			out = append(out, c.anpPort(p.PortRange.Protocol, p.PortRange.Start, p.PortRange.End, fmt.Sprintf("%s: ports[%d]", where, i)))
		case p.NamedPort != nil:
			out = append(out, portSpec{proto: -1, name: *p.NamedPort})
		}
	}
	return out, false
}

// anpRule compiles rule i of direction dir of an ANP or BANP: its ports,
// then the rule itself.
func (c *compiler) anpRule(base RuleRef, dir Direction, i int, name, action string, peers []adminPeer, ports *[]anp.AdminNetworkPolicyPort) int {
	specs, anyPort := c.anpPorts(ports, ruleWhere(base, dir, i))
	return c.adminRule(base, dir, i, name, action, peers, specs, anyPort)
}

// anpIngressPeers is the common shape of the from peers of an ANP or BANP
// ingress rule.
func anpIngressPeers(from []anp.AdminNetworkPolicyIngressPeer) []adminPeer {
	peers := make([]adminPeer, len(from))
	for j, f := range from {
		peers[j] = adminPeer{namespaces: f.Namespaces, pods: nsPod(f.Pods)}
	}
	return peers
}

// anpPort is one numbered port or range: an empty protocol is TCP (the
// CRD default); an unknown one matches nothing and is recorded.
func (c *compiler) anpPort(proto corev1.Protocol, lo, hi int32, where string) portSpec {
	if proto == "" {
		proto = corev1.ProtocolTCP
	}
	i := protoIndex(proto)
	if i < 0 {
		c.errorf("%s: unknown protocol %q: the entry matches nothing", where, proto)
		return portSpec{proto: 0, lo: 1, hi: 0}
	}
	return portSpec{proto: i, lo: lo, hi: hi}
}

func (c *compiler) adminRule(base RuleRef, dir Direction, i int, name, action string, peers []adminPeer, ports []portSpec, anyPort bool) int {
	ref := base
	ref.Direction, ref.Index, ref.RuleName = dir, i, name
	switch action {
	case "Allow", "Accept":
		ref.Action = Allow
	case "Deny":
		ref.Action = Deny
	case "Pass":
		ref.Action = Pass
	default:
		c.errorf("%s %s[%d]: unknown action %q", base, strings.ToLower(string(dir)), i, action)
		ref.Action = Pass
	}
	where := ruleWhere(base, dir, i)
	if name != "" {
		where += " (" + name + ")"
	}
	return c.addRule(&rule{ref: ref, peers: c.adminPeers(peers, where), ports: ports, anyPort: anyPort})
}

// adminNetworkPolicy compiles an AdminNetworkPolicy (Admin tier).
func (c *compiler) adminNetworkPolicy(p *anp.AdminNetworkPolicy) {
	base := RuleRef{Kind: "AdminNetworkPolicy", Name: p.Name, Index: -1, Tier: AdminTier, Priority: p.Spec.Priority}
	pol := &policy{ref: base, tier: AdminTier, priority: p.Spec.Priority}
	pol.subject = c.adminSubject(p.Spec.Subject.Namespaces, nsPod(p.Spec.Subject.Pods), base.String())
	for i, r := range p.Spec.Ingress {
		pol.rules[0] = append(pol.rules[0], c.anpRule(base, Ingress, i, r.Name, string(r.Action), anpIngressPeers(r.From), r.Ports))
	}
	for i, r := range p.Spec.Egress {
		peers := make([]adminPeer, len(r.To))
		for j, t := range r.To {
			peers[j] = adminPeer{namespaces: t.Namespaces, pods: nsPod(t.Pods), networks: cidrs(t.Networks), nodes: t.Nodes != nil, domainNames: domainNames(t.DomainNames)}
		}
		pol.rules[1] = append(pol.rules[1], c.anpRule(base, Egress, i, r.Name, string(r.Action), peers, r.Ports))
	}
	c.policies = append(c.policies, pol)
}

// baselineAdminNetworkPolicy compiles the BaselineAdminNetworkPolicy
// (Baseline tier, after every ClusterNetworkPolicy of that tier).
func (c *compiler) baselineAdminNetworkPolicy(p *anp.BaselineAdminNetworkPolicy) {
	base := RuleRef{Kind: "BaselineAdminNetworkPolicy", Name: p.Name, Index: -1, Tier: BaselineTier}
	pol := &policy{ref: base, tier: BaselineTier, priority: math.MaxInt32}
	pol.subject = c.adminSubject(p.Spec.Subject.Namespaces, nsPod(p.Spec.Subject.Pods), base.String())
	for i, r := range p.Spec.Ingress {
		pol.rules[0] = append(pol.rules[0], c.anpRule(base, Ingress, i, r.Name, string(r.Action), anpIngressPeers(r.From), r.Ports))
	}
	for i, r := range p.Spec.Egress {
		peers := make([]adminPeer, len(r.To))
		for j, t := range r.To {
			peers[j] = adminPeer{namespaces: t.Namespaces, pods: nsPod(t.Pods), networks: cidrs(t.Networks), nodes: t.Nodes != nil}
		}
		pol.rules[1] = append(pol.rules[1], c.anpRule(base, Egress, i, r.Name, string(r.Action), peers, r.Ports))
	}
	c.policies = append(c.policies, pol)
}

// clusterNetworkPolicy compiles a v1beta1 ClusterNetworkPolicy of either tier.
func (c *compiler) clusterNetworkPolicy(p *cnp.ClusterNetworkPolicy) {
	tier := AdminTier
	if p.Spec.Tier == cnp.BaselineTier {
		tier = BaselineTier
	}
	base := RuleRef{Kind: "ClusterNetworkPolicy", Name: p.Name, Index: -1, Tier: tier, Priority: p.Spec.Priority}
	pol := &policy{ref: base, tier: tier, priority: p.Spec.Priority}
	pol.subject = c.adminSubject(p.Spec.Subject.Namespaces, cnpPod(p.Spec.Subject.Pods), base.String())
	for i, r := range p.Spec.Ingress {
		peers := make([]adminPeer, len(r.From))
		for j, f := range r.From {
			peers[j] = adminPeer{namespaces: f.Namespaces, pods: cnpPod(f.Pods)}
		}
		ports, anyPort := cnpProtocols(r.Protocols)
		pol.rules[0] = append(pol.rules[0], c.adminRule(base, Ingress, i, r.Name, string(r.Action), peers, ports, anyPort))
	}
	for i, r := range p.Spec.Egress {
		peers := make([]adminPeer, len(r.To))
		for j, t := range r.To {
			nets := make([]string, len(t.Networks))
			for k, n := range t.Networks {
				nets[k] = string(n)
			}
			dns := make([]string, len(t.DomainNames))
			for k, d := range t.DomainNames {
				dns[k] = string(d)
			}
			peers[j] = adminPeer{namespaces: t.Namespaces, pods: cnpPod(t.Pods), networks: nets, nodes: t.Nodes != nil, domainNames: dns}
		}
		ports, anyPort := cnpProtocols(r.Protocols)
		pol.rules[1] = append(pol.rules[1], c.adminRule(base, Egress, i, r.Name, string(r.Action), peers, ports, anyPort))
	}
	c.policies = append(c.policies, pol)
}

// ruleWhere names rule i of direction dir of the policy base in warnings:
// "AdminNetworkPolicy name egress[2]".
func ruleWhere(base RuleRef, dir Direction, i int) string {
	return fmt.Sprintf("%s %s[%d]", base, strings.ToLower(string(dir)), i)
}

func domainNames(ds []anp.DomainName) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = string(d)
	}
	return out
}

func cidrs(ns []anp.CIDR) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = string(n)
	}
	return out
}

func cnpProtocols(ps []cnp.ClusterNetworkPolicyProtocol) ([]portSpec, bool) {
	if len(ps) == 0 {
		return nil, true
	}
	var out []portSpec
	add := func(proto int, dp *cnp.Port) {
		switch {
		case dp == nil:
			out = append(out, portSpec{proto: proto, lo: 1, hi: MaxPort})
		case dp.Range != nil:
			out = append(out, portSpec{proto: proto, lo: dp.Range.Start, hi: dp.Range.End})
		default:
			out = append(out, portSpec{proto: proto, lo: dp.Number, hi: dp.Number})
		}
	}
	for _, p := range ps {
		if p.TCP != nil {
			add(0, p.TCP.DestinationPort)
		}
		if p.UDP != nil {
			add(1, p.UDP.DestinationPort)
		}
		if p.SCTP != nil {
			add(2, p.SCTP.DestinationPort)
		}
		if p.DestinationNamedPort != "" {
			out = append(out, portSpec{proto: -1, name: p.DestinationNamedPort})
		}
	}
	return out, false
}
