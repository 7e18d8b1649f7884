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

func anpPorts(ports *[]anp.AdminNetworkPolicyPort) ([]portSpec, bool) {
	if ports == nil {
		return nil, true
	}
	var out []portSpec
	for _, p := range *ports {
		switch {
		case p.PortNumber != nil:
			out = append(out, portSpec{proto: protoOrTCP(p.PortNumber.Protocol), lo: p.PortNumber.Port, hi: p.PortNumber.Port})
		case p.PortRange != nil:
			out = append(out, portSpec{proto: protoOrTCP(p.PortRange.Protocol), lo: p.PortRange.Start, hi: p.PortRange.End})
		case p.NamedPort != nil:
			out = append(out, portSpec{proto: -1, name: *p.NamedPort})
		}
	}
	return out, false
}

func protoOrTCP(p corev1.Protocol) int {
	if i := protoIndex(p); i >= 0 {
		return i
	}
	return 0
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
	where := fmt.Sprintf("%s %s[%d]", base, strings.ToLower(string(dir)), i)
	return c.addRule(&rule{ref: ref, peers: c.adminPeers(peers, where), ports: ports, anyPort: anyPort})
}

// adminNetworkPolicy compiles an AdminNetworkPolicy (Admin tier).
func (c *compiler) adminNetworkPolicy(p *anp.AdminNetworkPolicy) {
	base := RuleRef{Kind: "AdminNetworkPolicy", Name: p.Name, Index: -1, Tier: AdminTier, Priority: p.Spec.Priority}
	pol := &policy{ref: base, tier: AdminTier, priority: p.Spec.Priority}
	pol.subject = c.adminSubject(p.Spec.Subject.Namespaces, nsPod(p.Spec.Subject.Pods), base.String())
	for i, r := range p.Spec.Ingress {
		peers := make([]adminPeer, len(r.From))
		for j, f := range r.From {
			peers[j] = adminPeer{namespaces: f.Namespaces, pods: nsPod(f.Pods)}
		}
		ports, anyPort := anpPorts(r.Ports)
		pol.rules[0] = append(pol.rules[0], c.adminRule(base, Ingress, i, r.Name, string(r.Action), peers, ports, anyPort))
	}
	for i, r := range p.Spec.Egress {
		peers := make([]adminPeer, len(r.To))
		for j, t := range r.To {
			peers[j] = adminPeer{namespaces: t.Namespaces, pods: nsPod(t.Pods), networks: cidrs(t.Networks)}
		}
		ports, anyPort := anpPorts(r.Ports)
		pol.rules[1] = append(pol.rules[1], c.adminRule(base, Egress, i, r.Name, string(r.Action), peers, ports, anyPort))
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
		peers := make([]adminPeer, len(r.From))
		for j, f := range r.From {
			peers[j] = adminPeer{namespaces: f.Namespaces, pods: nsPod(f.Pods)}
		}
		ports, anyPort := anpPorts(r.Ports)
		pol.rules[0] = append(pol.rules[0], c.adminRule(base, Ingress, i, r.Name, string(r.Action), peers, ports, anyPort))
	}
	for i, r := range p.Spec.Egress {
		peers := make([]adminPeer, len(r.To))
		for j, t := range r.To {
			peers[j] = adminPeer{namespaces: t.Namespaces, pods: nsPod(t.Pods), networks: cidrs(t.Networks)}
		}
		ports, anyPort := anpPorts(r.Ports)
		pol.rules[1] = append(pol.rules[1], c.adminRule(base, Egress, i, r.Name, string(r.Action), peers, ports, anyPort))
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
			peers[j] = adminPeer{namespaces: t.Namespaces, pods: cnpPod(t.Pods), networks: nets}
		}
		ports, anyPort := cnpProtocols(r.Protocols)
		pol.rules[1] = append(pol.rules[1], c.adminRule(base, Egress, i, r.Name, string(r.Action), peers, ports, anyPort))
	}
	c.policies = append(c.policies, pol)
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
