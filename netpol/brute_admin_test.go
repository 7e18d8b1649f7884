package netpol

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	anp "sigs.k8s.io/network-policy-api/apis/v1alpha1"
	cnpv1alpha2 "sigs.k8s.io/network-policy-api/apis/v1alpha2"
	cnp "sigs.k8s.io/network-policy-api/apis/v1beta1"
)

// The brute-force side of the admin tiers: every ANP, BANP and CNP is read
// into the shape of the API text (subject; ordered rules with an action,
// peers and ports) and walked per pair and port.

type bruteAdminPolicy struct {
	name     string
	priority int32
	subject  func(p *corev1.Pod, nsLabels map[string]string) bool
	rules    [2][]bruteAdminRule // [0] ingress, [1] egress
}

type bruteAdminRule struct {
	action string // Allow, Deny, Pass ("Accept" is read as Allow)
	peer   func(p *corev1.Pod, nsLabels map[string]string) bool
	port   func(target *corev1.Pod, port int32, proto corev1.Protocol) bool
}

// nsLabelsOf is the namespace's labels plus kubernetes.io/metadata.name.
func (w randomWorld) nsLabelsOf(ns string) map[string]string {
	l := map[string]string{corev1.LabelMetadataName: ns}
	for k, v := range w.nsLabels[ns] {
		l[k] = v
	}
	return l
}

// bruteAdmin returns the action of the first rule of the tier (policies
// in order, rules in written order) that matches, or "" when none does.
func (w randomWorld) bruteAdmin(tier []bruteAdminPolicy, subject, peer, target *corev1.Pod, port int32, proto corev1.Protocol, egress bool) string {
	d := 0
	if egress {
		d = 1
	}
	for _, pol := range tier {
		if !pol.subject(subject, w.nsLabelsOf(subject.Namespace)) {
			continue
		}
		for _, r := range pol.rules[d] {
			if r.peer(peer, w.nsLabelsOf(peer.Namespace)) && r.port(target, port, proto) {
				return r.action
			}
		}
	}
	return ""
}

// adminTier is the ANPs and the Admin-tier CNPs by priority (the random
// worlds give every policy its own priority: equal ones are undefined).
func (w randomWorld) adminTier() []bruteAdminPolicy {
	var out []bruteAdminPolicy
	for _, p := range w.anps {
		out = append(out, bruteANP(p.Name, p.Spec.Priority, p.Spec.Subject, p.Spec.Ingress, p.Spec.Egress))
	}
	for _, p := range w.cnps {
		if p.Spec.Tier == cnp.AdminTier {
			out = append(out, bruteCNP(p))
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].priority < out[j].priority })
	return out
}

// baselineTier is the Baseline-tier CNPs by priority, then the BANP.
func (w randomWorld) baselineTier() []bruteAdminPolicy {
	var out []bruteAdminPolicy
	for _, p := range w.cnps {
		if p.Spec.Tier == cnp.BaselineTier {
			out = append(out, bruteCNP(p))
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].priority < out[j].priority })
	if w.banp != nil {
		var ingress []anp.AdminNetworkPolicyIngressRule
		for _, r := range w.banp.Spec.Ingress {
			ingress = append(ingress, anp.AdminNetworkPolicyIngressRule{Name: r.Name, Action: anp.AdminNetworkPolicyRuleAction(r.Action), From: r.From, Ports: r.Ports})
		}
		var egress []anp.AdminNetworkPolicyEgressRule
		for _, r := range w.banp.Spec.Egress {
			to := make([]anp.AdminNetworkPolicyEgressPeer, len(r.To))
			for i, t := range r.To {
				to[i] = anp.AdminNetworkPolicyEgressPeer{Namespaces: t.Namespaces, Pods: t.Pods, Nodes: t.Nodes, Networks: t.Networks}
			}
			egress = append(egress, anp.AdminNetworkPolicyEgressRule{Name: r.Name, Action: anp.AdminNetworkPolicyRuleAction(r.Action), To: to, Ports: r.Ports})
		}
		out = append(out, bruteANP(w.banp.Name, 1<<30, w.banp.Spec.Subject, ingress, egress))
	}
	return out
}

func bruteSubject(ns *metav1.LabelSelector, pods *[2]metav1.LabelSelector) func(*corev1.Pod, map[string]string) bool {
	return func(p *corev1.Pod, nsl map[string]string) bool {
		switch {
		case ns != nil:
			return bruteSel(ns, nsl)
		case pods != nil:
			return bruteSel(&pods[0], nsl) && bruteSel(&pods[1], p.Labels)
		}
		return false
	}
}

func bruteInCIDRs(p *corev1.Pod, cidrs []string) bool {
	ip := netip.MustParseAddr(p.Status.PodIP)
	for _, c := range cidrs {
		if netip.MustParsePrefix(c).Contains(ip) {
			return true
		}
	}
	return false
}

func bruteNamedPort(target *corev1.Pod, name string, port int32, proto corev1.Protocol) bool {
	for _, c := range target.Spec.Containers {
		for _, cp := range c.Ports {
			if cp.Name == name && cp.ContainerPort == port && cp.Protocol == proto {
				return true
			}
		}
	}
	return false
}

func bruteANPPorts(ports *[]anp.AdminNetworkPolicyPort) func(*corev1.Pod, int32, corev1.Protocol) bool {
	return func(target *corev1.Pod, port int32, proto corev1.Protocol) bool {
		if ports == nil {
			return true
		}
		orTCP := func(p corev1.Protocol) corev1.Protocol {
			if p == "" {
				return corev1.ProtocolTCP
			}
			return p
		}
		for _, p := range *ports {
			switch {
			case p.PortNumber != nil && orTCP(p.PortNumber.Protocol) == proto && p.PortNumber.Port == port:
				return true
			case p.PortRange != nil && orTCP(p.PortRange.Protocol) == proto && p.PortRange.Start <= port && port <= p.PortRange.End:
				return true
			case p.NamedPort != nil && bruteNamedPort(target, *p.NamedPort, port, proto):
				return true
			}
		}
		return false
	}
}

func bruteANP(name string, priority int32, subject anp.AdminNetworkPolicySubject, ingress []anp.AdminNetworkPolicyIngressRule, egress []anp.AdminNetworkPolicyEgressRule) bruteAdminPolicy {
	pol := bruteAdminPolicy{name: name, priority: priority}
	var subjPods *[2]metav1.LabelSelector
	if subject.Pods != nil {
		subjPods = &[2]metav1.LabelSelector{subject.Pods.NamespaceSelector, subject.Pods.PodSelector}
	}
	pol.subject = bruteSubject(subject.Namespaces, subjPods)
	for _, r := range ingress {
		pol.rules[0] = append(pol.rules[0], bruteAdminRule{action: string(r.Action), port: bruteANPPorts(r.Ports),
			peer: func(p *corev1.Pod, nsl map[string]string) bool {
				for _, f := range r.From {
					var pods *[2]metav1.LabelSelector
					if f.Pods != nil {
						pods = &[2]metav1.LabelSelector{f.Pods.NamespaceSelector, f.Pods.PodSelector}
					}
					if bruteSubject(f.Namespaces, pods)(p, nsl) {
						return true
					}
				}
				return false
			}})
	}
	for _, r := range egress {
		pol.rules[1] = append(pol.rules[1], bruteAdminRule{action: string(r.Action), port: bruteANPPorts(r.Ports),
			peer: func(p *corev1.Pod, nsl map[string]string) bool {
				for _, t := range r.To {
					var pods *[2]metav1.LabelSelector
					if t.Pods != nil {
						pods = &[2]metav1.LabelSelector{t.Pods.NamespaceSelector, t.Pods.PodSelector}
					}
					var nets []string
					for _, n := range t.Networks {
						nets = append(nets, string(n))
					}
					if bruteSubject(t.Namespaces, pods)(p, nsl) || bruteInCIDRs(p, nets) {
						return true
					}
				}
				return false
			}})
	}
	return pol
}

func bruteCNPPorts(protos []cnp.ClusterNetworkPolicyProtocol) func(*corev1.Pod, int32, corev1.Protocol) bool {
	return func(target *corev1.Pod, port int32, proto corev1.Protocol) bool {
		if len(protos) == 0 {
			return true
		}
		inPort := func(dp *cnp.Port) bool {
			switch {
			case dp == nil:
				return true
			case dp.Range != nil:
				return dp.Range.Start <= port && port <= dp.Range.End
			}
			return dp.Number == port
		}
		for _, p := range protos {
			switch {
			case p.TCP != nil && proto == corev1.ProtocolTCP && inPort(p.TCP.DestinationPort),
				p.UDP != nil && proto == corev1.ProtocolUDP && inPort(p.UDP.DestinationPort),
				p.SCTP != nil && proto == corev1.ProtocolSCTP && inPort(p.SCTP.DestinationPort),
				p.DestinationNamedPort != "" && bruteNamedPort(target, p.DestinationNamedPort, port, proto):
				return true
			}
		}
		return false
	}
}

func bruteCNP(c *cnp.ClusterNetworkPolicy) bruteAdminPolicy {
	pol := bruteAdminPolicy{name: c.Name, priority: c.Spec.Priority}
	action := func(a cnp.ClusterNetworkPolicyRuleAction) string {
		if a == cnp.ClusterNetworkPolicyRuleActionAccept {
			return "Allow"
		}
		return string(a)
	}
	var subjPods *[2]metav1.LabelSelector
	if c.Spec.Subject.Pods != nil {
		subjPods = &[2]metav1.LabelSelector{c.Spec.Subject.Pods.NamespaceSelector, c.Spec.Subject.Pods.PodSelector}
	}
	pol.subject = bruteSubject(c.Spec.Subject.Namespaces, subjPods)
	for _, r := range c.Spec.Ingress {
		pol.rules[0] = append(pol.rules[0], bruteAdminRule{action: action(r.Action), port: bruteCNPPorts(r.Protocols),
			peer: func(p *corev1.Pod, nsl map[string]string) bool {
				for _, f := range r.From {
					var pods *[2]metav1.LabelSelector
					if f.Pods != nil {
						pods = &[2]metav1.LabelSelector{f.Pods.NamespaceSelector, f.Pods.PodSelector}
					}
					if bruteSubject(f.Namespaces, pods)(p, nsl) {
						return true
					}
				}
				return false
			}})
	}
	for _, r := range c.Spec.Egress {
		pol.rules[1] = append(pol.rules[1], bruteAdminRule{action: action(r.Action), port: bruteCNPPorts(r.Protocols),
			peer: func(p *corev1.Pod, nsl map[string]string) bool {
				for _, t := range r.To {
					var pods *[2]metav1.LabelSelector
					if t.Pods != nil {
						pods = &[2]metav1.LabelSelector{t.Pods.NamespaceSelector, t.Pods.PodSelector}
					}
					var nets []string
					for _, n := range t.Networks {
						nets = append(nets, string(n))
					}
					if bruteSubject(t.Namespaces, pods)(p, nsl) || bruteInCIDRs(p, nets) {
						return true
					}
				}
				return false
			}})
	}
	return pol
}

// toV1alpha2 writes a v1beta1 ClusterNetworkPolicy as v1alpha2 (the same
// schema in the older group version).
func toV1alpha2(p *cnp.ClusterNetworkPolicy) *cnpv1alpha2.ClusterNetworkPolicy {
	b, err := json.Marshal(p)
	if err != nil {
		panic(err)
	}
	var out cnpv1alpha2.ClusterNetworkPolicy
	if err := json.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	return &out
}

// The random admin policies: small alphabets so that subjects, peers and
// ports overlap with the pods and the probed ports 79..84.

func randomAdminLabels(r intner) map[string]string {
	l := map[string]string{}
	for _, k := range []string{"app", "tier"} {
		if r.IntN(3) > 0 {
			l[k] = []string{"a", "b", "c"}[r.IntN(3)]
		}
	}
	return l
}

func randomNamespacedPod(r intner) *anp.NamespacedPod {
	rl := func() map[string]string { return randomAdminLabels(r) }
	return &anp.NamespacedPod{NamespaceSelector: *randomSelector(r, rl), PodSelector: *randomSelector(r, rl)}
}

func randomANPSubject(r intner) anp.AdminNetworkPolicySubject {
	if r.IntN(2) == 0 {
		return anp.AdminNetworkPolicySubject{Namespaces: randomSelector(r, func() map[string]string { return randomAdminLabels(r) })}
	}
	return anp.AdminNetworkPolicySubject{Pods: randomNamespacedPod(r)}
}

func randomANPPorts(r intner) *[]anp.AdminNetworkPolicyPort {
	if r.IntN(3) == 0 {
		return nil
	}
	var out []anp.AdminNetworkPolicyPort
	for i := 0; i < 1+r.IntN(2); i++ {
		proto := protocols[r.IntN(3)]
		switch r.IntN(3) {
		case 0:
			out = append(out, anp.AdminNetworkPolicyPort{PortNumber: &anp.Port{Protocol: proto, Port: int32(80 + r.IntN(4))}})
		case 1:
			lo := int32(80 + r.IntN(2))
			out = append(out, anp.AdminNetworkPolicyPort{PortRange: &anp.PortRange{Protocol: proto, Start: lo, End: lo + 1 + int32(r.IntN(3))}})
		case 2:
			name := []string{"http", "dns", "metrics"}[r.IntN(3)]
			out = append(out, anp.AdminNetworkPolicyPort{NamedPort: &name})
		}
	}
	return &out
}

func randomCNPProtocols(r intner) []cnp.ClusterNetworkPolicyProtocol {
	if r.IntN(3) == 0 {
		return nil
	}
	var out []cnp.ClusterNetworkPolicyProtocol
	for i := 0; i < 1+r.IntN(2); i++ {
		var dp *cnp.Port
		if r.IntN(2) == 0 {
			dp = &cnp.Port{Number: int32(80 + r.IntN(4))}
		} else {
			lo := int32(80 + r.IntN(2))
			dp = &cnp.Port{Range: &cnp.PortRange{Start: lo, End: lo + 1 + int32(r.IntN(3))}}
		}
		switch r.IntN(4) {
		case 0:
			out = append(out, cnp.ClusterNetworkPolicyProtocol{TCP: &cnp.ClusterNetworkPolicyProtocolTCP{DestinationPort: dp}})
		case 1:
			out = append(out, cnp.ClusterNetworkPolicyProtocol{UDP: &cnp.ClusterNetworkPolicyProtocolUDP{DestinationPort: dp}})
		case 2:
			out = append(out, cnp.ClusterNetworkPolicyProtocol{SCTP: &cnp.ClusterNetworkPolicyProtocolSCTP{DestinationPort: dp}})
		case 3:
			out = append(out, cnp.ClusterNetworkPolicyProtocol{DestinationNamedPort: []string{"http", "dns", "metrics"}[r.IntN(3)]})
		}
	}
	return out
}

func randomANPIngressPeers(r intner) []anp.AdminNetworkPolicyIngressPeer {
	var out []anp.AdminNetworkPolicyIngressPeer
	for i := 0; i < 1+r.IntN(2); i++ {
		if r.IntN(2) == 0 {
			out = append(out, anp.AdminNetworkPolicyIngressPeer{Namespaces: randomSelector(r, func() map[string]string { return randomAdminLabels(r) })})
		} else {
			out = append(out, anp.AdminNetworkPolicyIngressPeer{Pods: randomNamespacedPod(r)})
		}
	}
	return out
}

func randomANPEgressPeers(r intner) []anp.AdminNetworkPolicyEgressPeer {
	var out []anp.AdminNetworkPolicyEgressPeer
	for i := 0; i < 1+r.IntN(2); i++ {
		switch r.IntN(3) {
		case 0:
			out = append(out, anp.AdminNetworkPolicyEgressPeer{Namespaces: randomSelector(r, func() map[string]string { return randomAdminLabels(r) })})
		case 1:
			out = append(out, anp.AdminNetworkPolicyEgressPeer{Pods: randomNamespacedPod(r)})
		case 2:
			nets := []anp.CIDR{"10.0.0.0/8", "10.0.0.0/16", "10.1.0.0/16", "10.0.0.1/32", "10.2.0.0/15"}
			k := r.IntN(len(nets))
			out = append(out, anp.AdminNetworkPolicyEgressPeer{Networks: nets[k : k+1]})
		}
	}
	return out
}

// addRandomAdmin gives the world up to two ANPs, maybe a BANP and up to
// three CNPs (some written as v1alpha2), all with distinct priorities.
func addRandomAdmin(r intner, w *randomWorld) {
	used := map[int32]bool{}
	priority := func() int32 { // the drawn value, else the next free one
		p := int32(r.IntN(20))
		for used[p] {
			p++
		}
		used[p] = true
		return p
	}
	anpActions := []anp.AdminNetworkPolicyRuleAction{anp.AdminNetworkPolicyRuleActionAllow, anp.AdminNetworkPolicyRuleActionDeny, anp.AdminNetworkPolicyRuleActionPass}
	for i := 0; i < r.IntN(3); i++ {
		p := &anp.AdminNetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("anp%d", i)}}
		p.Spec.Priority, p.Spec.Subject = priority(), randomANPSubject(r)
		for j := 0; j < r.IntN(4); j++ {
			p.Spec.Ingress = append(p.Spec.Ingress, anp.AdminNetworkPolicyIngressRule{Name: fmt.Sprintf("in%d", j), Action: anpActions[r.IntN(3)], From: randomANPIngressPeers(r), Ports: randomANPPorts(r)})
		}
		for j := 0; j < r.IntN(4); j++ {
			p.Spec.Egress = append(p.Spec.Egress, anp.AdminNetworkPolicyEgressRule{Name: fmt.Sprintf("eg%d", j), Action: anpActions[r.IntN(3)], To: randomANPEgressPeers(r), Ports: randomANPPorts(r)})
		}
		w.anps = append(w.anps, p)
	}
	if r.IntN(2) == 0 {
		b := &anp.BaselineAdminNetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: "default"}}
		b.Spec.Subject = randomANPSubject(r)
		actions := []anp.BaselineAdminNetworkPolicyRuleAction{anp.BaselineAdminNetworkPolicyRuleActionAllow, anp.BaselineAdminNetworkPolicyRuleActionDeny}
		for j := 0; j < r.IntN(3); j++ {
			b.Spec.Ingress = append(b.Spec.Ingress, anp.BaselineAdminNetworkPolicyIngressRule{Action: actions[r.IntN(2)], From: randomANPIngressPeers(r), Ports: randomANPPorts(r)})
		}
		for j := 0; j < r.IntN(3); j++ {
			var to []anp.BaselineAdminNetworkPolicyEgressPeer
			for _, t := range randomANPEgressPeers(r) {
				to = append(to, anp.BaselineAdminNetworkPolicyEgressPeer{Namespaces: t.Namespaces, Pods: t.Pods, Networks: t.Networks})
			}
			b.Spec.Egress = append(b.Spec.Egress, anp.BaselineAdminNetworkPolicyEgressRule{Action: actions[r.IntN(2)], To: to, Ports: randomANPPorts(r)})
		}
		w.banp = b
	}
	cnpActions := []cnp.ClusterNetworkPolicyRuleAction{cnp.ClusterNetworkPolicyRuleActionAccept, cnp.ClusterNetworkPolicyRuleActionDeny, cnp.ClusterNetworkPolicyRuleActionPass}
	for i := 0; i < r.IntN(4); i++ {
		c := &cnp.ClusterNetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("cnp%d", i)}}
		c.Spec.Tier = []cnp.Tier{cnp.AdminTier, cnp.BaselineTier}[r.IntN(2)]
		c.Spec.Priority = priority()
		s := randomANPSubject(r)
		c.Spec.Subject.Namespaces = s.Namespaces
		if s.Pods != nil {
			c.Spec.Subject.Pods = &cnp.NamespacedPod{NamespaceSelector: s.Pods.NamespaceSelector, PodSelector: s.Pods.PodSelector}
		}
		for j := 0; j < r.IntN(4); j++ {
			var from []cnp.ClusterNetworkPolicyIngressPeer
			for _, f := range randomANPIngressPeers(r) {
				p := cnp.ClusterNetworkPolicyIngressPeer{Namespaces: f.Namespaces}
				if f.Pods != nil {
					p.Pods = &cnp.NamespacedPod{NamespaceSelector: f.Pods.NamespaceSelector, PodSelector: f.Pods.PodSelector}
				}
				from = append(from, p)
			}
			c.Spec.Ingress = append(c.Spec.Ingress, cnp.ClusterNetworkPolicyIngressRule{Name: fmt.Sprintf("in%d", j), Action: cnpActions[r.IntN(3)], From: from, Protocols: randomCNPProtocols(r)})
		}
		for j := 0; j < r.IntN(4); j++ {
			var to []cnp.ClusterNetworkPolicyEgressPeer
			for _, t := range randomANPEgressPeers(r) {
				p := cnp.ClusterNetworkPolicyEgressPeer{Namespaces: t.Namespaces}
				if t.Pods != nil {
					p.Pods = &cnp.NamespacedPod{NamespaceSelector: t.Pods.NamespaceSelector, PodSelector: t.Pods.PodSelector}
				}
				for _, n := range t.Networks {
					p.Networks = append(p.Networks, cnp.CIDR(n))
				}
				to = append(to, p)
			}
			c.Spec.Egress = append(c.Spec.Egress, cnp.ClusterNetworkPolicyEgressRule{Name: fmt.Sprintf("eg%d", j), Action: cnpActions[r.IntN(3)], To: to, Protocols: randomCNPProtocols(r)})
		}
		w.cnps = append(w.cnps, c)
		w.cnpAlpha2 = append(w.cnpAlpha2, r.IntN(3) == 0)
	}
}

// compareWorld checks Allowed, Connections and Reachable against the brute
// force on every pod pair, ports 79..84 and every protocol. It returns the
// number of probes and of allowed ones.
func compareWorld(t testing.TB, label string, w randomWorld, g *Graph) (checked, allowed int) {
	t.Helper()
	brute := w.brute()
	for _, src := range w.pods {
		for _, dst := range w.pods {
			se, de := mustLookup(t, g, src.Namespace+"/"+src.Name), mustLookup(t, g, dst.Namespace+"/"+dst.Name)
			conns := g.Connections(se, de)
			for _, proto := range protocols {
				for port := int32(79); port <= 84; port++ {
					want := brute.allowed(src, dst, port, proto)
					got := g.Allowed(se, de, port, proto)
					checked++
					if want {
						allowed++
					}
					if got.Allowed != want || conns.Contains(proto, port) != want || g.Reachable(se, de, port, proto) != want {
						t.Fatalf("%s: %s -> %s %s/%d: graph %v (matrix %v, reachable %v), brute force %v\n%s\nworld:\n%s",
							label, se.Name, de.Name, proto, port, got.Allowed, conns.Contains(proto, port), g.Reachable(se, de, port, proto), want, got.Explain(), toYAML(t, w.objects()...))
					}
				}
			}
		}
	}
	return checked, allowed
}

// TestRandomAdminWorldsAgainstBruteForce is the random comparison with
// AdminNetworkPolicies, a BaselineAdminNetworkPolicy and
// ClusterNetworkPolicies of both tiers (Accept/Allow, Deny, Pass) on top of
// the NetworkPolicies.
func TestRandomAdminWorldsAgainstBruteForce(t *testing.T) {
	worlds := 500
	if testing.Short() {
		worlds = 150
	}
	r := rand.New(rand.NewPCG(3, 4))
	checked, allowed, admin := 0, 0, 0
	decidedBy := map[Tier]int{}
	for i := 0; i < worlds; i++ {
		w := newRandomWorld(r)
		addRandomAdmin(r, &w)
		g, err := Build(typed(t, w.objects()...), Options{})
		require.NoError(t, err)
		require.Empty(t, g.Warnings())
		c, a := compareWorld(t, fmt.Sprintf("world %d", i), w, g)
		checked, allowed = checked+c, allowed+a
		if len(w.anps)+len(w.cnps) > 0 || w.banp != nil {
			admin++
		}
		for _, src := range g.Endpoints() {
			for _, dst := range g.Endpoints() {
				v := g.Allowed(src, dst, 80, corev1.ProtocolTCP)
				decidedBy[v.Ingress.Tier]++
				decidedBy[v.Egress.Tier]++
			}
		}
	}
	t.Logf("%d probes, %d allowed; %d worlds with admin policies; decisions by tier %v", checked, allowed, admin, decidedBy)
	require.Greater(t, allowed, checked/10, "worlds should not be all-deny")
	require.Less(t, allowed, checked*9/10, "worlds should not be all-allow")
	for _, tier := range []Tier{AdminTier, NetworkPolicyTier, BaselineTier, DefaultTier} {
		require.Greater(t, decidedBy[tier], 100, "tier %s should decide often", tier)
	}
}
