package netpol

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	anp "sigs.k8s.io/network-policy-api/apis/v1alpha1"
	cnp "sigs.k8s.io/network-policy-api/apis/v1beta1"
)

// allowed is an independent evaluator written straight from the
// NetworkPolicy and admin-tier rules: for one pod pair and one port it
// walks every policy and rule. It shares no code with the graph. Both the
// source's egress and the destination's ingress must allow.
func (b bruteEval) allowed(src, dst *corev1.Pod, port int32, proto corev1.Protocol) bool {
	return b.tiers(src, dst, dst, port, proto, true) && b.tiers(dst, src, dst, port, proto, false)
}

// bruteEval is a world with its admin and baseline tiers in order.
type bruteEval struct {
	w               randomWorld
	admin, baseline []bruteAdminPolicy
}

func (w randomWorld) brute() bruteEval {
	return bruteEval{w: w, admin: w.adminTier(), baseline: w.baselineTier()}
}

// tiers decides one direction: Admin tier (first matching rule in
// priority then written order; Pass goes on to NetworkPolicy), then the
// NetworkPolicies that isolate the subject (final when there is one), then
// the Baseline tier (ClusterNetworkPolicies by priority, then the BANP),
// then default allow. subject is the pod whose policies apply (src for
// egress, dst for ingress), peer the other end, target the destination.
func (b bruteEval) tiers(subject, peer, target *corev1.Pod, port int32, proto corev1.Protocol, egress bool) bool {
	if action := b.w.bruteAdmin(b.admin, subject, peer, target, port, proto, egress); action == "Allow" || action == "Deny" {
		return action == "Allow"
	}
	if allowed, isolated := bruteDirection(b.w.nps, b.w.nsLabels, subject, peer, target, port, proto, egress); isolated {
		return allowed
	}
	return b.w.bruteAdmin(b.baseline, subject, peer, target, port, proto, egress) != "Deny"
}

// bruteDirection is the NetworkPolicy tier: whether a policy isolates the
// subject in this direction, and whether one of their rules allows.
func bruteDirection(nps []*networkingv1.NetworkPolicy, nsLabels map[string]map[string]string, subject, peer, target *corev1.Pod, port int32, proto corev1.Protocol, egress bool) (allowed, isolated bool) {
	for _, np := range nps {
		if np.Namespace != subject.Namespace || !bruteSel(&np.Spec.PodSelector, subject.Labels) || !bruteHasType(np, egress) {
			continue
		}
		isolated = true
		if egress {
			for _, r := range np.Spec.Egress {
				if brutePeers(r.To, np.Namespace, nsLabels, peer) && brutePorts(r.Ports, target, port, proto) {
					return true, true
				}
			}
		} else {
			for _, r := range np.Spec.Ingress {
				if brutePeers(r.From, np.Namespace, nsLabels, peer) && brutePorts(r.Ports, target, port, proto) {
					return true, true
				}
			}
		}
	}
	return false, isolated
}

func bruteHasType(np *networkingv1.NetworkPolicy, egress bool) bool {
	if len(np.Spec.PolicyTypes) == 0 {
		return !egress || len(np.Spec.Egress) > 0
	}
	for _, t := range np.Spec.PolicyTypes {
		if (t == networkingv1.PolicyTypeEgress) == egress {
			return true
		}
	}
	return false
}

func bruteSel(s *metav1.LabelSelector, l map[string]string) bool {
	sel, err := metav1.LabelSelectorAsSelector(s)
	return err == nil && sel.Matches(labels.Set(l))
}

func brutePeers(peers []networkingv1.NetworkPolicyPeer, policyNS string, nsLabels map[string]map[string]string, p *corev1.Pod) bool {
	if len(peers) == 0 {
		return true
	}
	for _, peer := range peers {
		if peer.IPBlock != nil {
			cidr := netip.MustParsePrefix(peer.IPBlock.CIDR)
			ip := netip.MustParseAddr(p.Status.PodIP)
			in := cidr.Contains(ip)
			for _, e := range peer.IPBlock.Except {
				in = in && !netip.MustParsePrefix(e).Contains(ip)
			}
			if in {
				return true
			}
			continue
		}
		nsOK := p.Namespace == policyNS
		if peer.NamespaceSelector != nil {
			l := map[string]string{corev1.LabelMetadataName: p.Namespace}
			for k, v := range nsLabels[p.Namespace] {
				l[k] = v
			}
			nsOK = bruteSel(peer.NamespaceSelector, l)
		}
		if nsOK && (peer.PodSelector == nil || bruteSel(peer.PodSelector, p.Labels)) {
			return true
		}
	}
	return false
}

func brutePorts(ports []networkingv1.NetworkPolicyPort, target *corev1.Pod, port int32, proto corev1.Protocol) bool {
	if len(ports) == 0 {
		return true
	}
	for _, p := range ports {
		pp := corev1.ProtocolTCP
		if p.Protocol != nil {
			pp = *p.Protocol
		}
		if pp != proto {
			continue
		}
		switch {
		case p.Port == nil:
			return true
		case p.Port.Type == intstr.String:
			for _, c := range target.Spec.Containers {
				for _, cp := range c.Ports {
					if cp.Name == p.Port.StrVal && cp.Protocol == proto && cp.ContainerPort == port {
						return true
					}
				}
			}
		case p.EndPort != nil:
			if port >= p.Port.IntVal && port <= *p.EndPort {
				return true
			}
		case p.Port.IntVal == port:
			return true
		}
	}
	return false
}

// randomWorld builds namespaces, pods and policies from a small alphabet
// so that selectors often match.
type randomWorld struct {
	nsLabels map[string]map[string]string
	pods     []*corev1.Pod
	nps      []*networkingv1.NetworkPolicy
	// admin tiers (see brute_admin_test.go)
	anps      []*anp.AdminNetworkPolicy
	banp      *anp.BaselineAdminNetworkPolicy
	cnps      []*cnp.ClusterNetworkPolicy
	cnpAlpha2 []bool // cnps[i] is written as v1alpha2
}

// intner is the randomness the world generator needs: *rand.Rand, or the
// fuzzer's bytes (fuzzChoices).
type intner interface{ IntN(n int) int }

func newRandomWorld(r intner) randomWorld {
	w := randomWorld{nsLabels: map[string]map[string]string{}}
	vals := []string{"a", "b", "c"}
	randLabels := func() map[string]string {
		l := map[string]string{}
		for _, k := range []string{"app", "tier"} {
			if r.IntN(3) > 0 {
				l[k] = vals[r.IntN(3)]
			}
		}
		return l
	}
	nss := []string{"n0", "n1", "n2"}[:1+r.IntN(3)]
	for i, ns := range nss {
		w.nsLabels[ns] = randLabels()
		for j := 0; j < 1+r.IntN(4); j++ {
			pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: fmt.Sprintf("p%d", j), Labels: randLabels()}}
			var ports []corev1.ContainerPort
			for _, name := range []string{"http", "dns", "metrics"} {
				if r.IntN(2) == 0 {
					ports = append(ports, corev1.ContainerPort{Name: name, ContainerPort: int32(80 + r.IntN(4)), Protocol: protocols[r.IntN(3)]})
				}
			}
			pod.Spec.Containers = []corev1.Container{{Name: "c", Ports: ports}}
			pod.Status.PodIP = fmt.Sprintf("10.%d.%d.%d", i, r.IntN(2), j+1)
			pod.Status.PodIPs = []corev1.PodIP{{IP: pod.Status.PodIP}}
			w.pods = append(w.pods, pod)
		}
	}
	for i := 0; i < r.IntN(5); i++ {
		w.nps = append(w.nps, randomPolicy(r, nss[r.IntN(len(nss))], fmt.Sprintf("np%d", i), randLabels))
	}
	return w
}

func randomSelector(r intner, randLabels func() map[string]string) *metav1.LabelSelector {
	s := &metav1.LabelSelector{}
	switch r.IntN(4) {
	case 0:
	case 1:
		s.MatchLabels = randLabels()
	case 2:
		ops := []metav1.LabelSelectorOperator{metav1.LabelSelectorOpIn, metav1.LabelSelectorOpNotIn, metav1.LabelSelectorOpExists, metav1.LabelSelectorOpDoesNotExist}
		op := ops[r.IntN(4)]
		req := metav1.LabelSelectorRequirement{Key: []string{"app", "tier"}[r.IntN(2)], Operator: op}
		if op == metav1.LabelSelectorOpIn || op == metav1.LabelSelectorOpNotIn {
			req.Values = []string{[]string{"a", "b", "c"}[r.IntN(3)]}
		}
		s.MatchExpressions = []metav1.LabelSelectorRequirement{req}
	case 3:
		s.MatchLabels = map[string]string{corev1.LabelMetadataName: fmt.Sprintf("n%d", r.IntN(3))}
	}
	return s
}

func randomPolicy(r intner, ns, name string, randLabels func() map[string]string) *networkingv1.NetworkPolicy {
	np := &networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
	np.Spec.PodSelector = *randomSelector(r, randLabels)
	switch r.IntN(4) {
	case 1:
		np.Spec.PolicyTypes = []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}
	case 2:
		np.Spec.PolicyTypes = []networkingv1.PolicyType{networkingv1.PolicyTypeEgress}
	case 3:
		np.Spec.PolicyTypes = []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress}
	}
	for i := 0; i < r.IntN(3); i++ {
		np.Spec.Ingress = append(np.Spec.Ingress, networkingv1.NetworkPolicyIngressRule{From: randomPeers(r, randLabels), Ports: randomPorts(r)})
	}
	for i := 0; i < r.IntN(3); i++ {
		np.Spec.Egress = append(np.Spec.Egress, networkingv1.NetworkPolicyEgressRule{To: randomPeers(r, randLabels), Ports: randomPorts(r)})
	}
	return np
}

func randomPeers(r intner, randLabels func() map[string]string) []networkingv1.NetworkPolicyPeer {
	var out []networkingv1.NetworkPolicyPeer
	for i := 0; i < r.IntN(3); i++ {
		var p networkingv1.NetworkPolicyPeer
		switch r.IntN(4) {
		case 0:
			p.PodSelector = randomSelector(r, randLabels)
		case 1:
			p.NamespaceSelector = randomSelector(r, randLabels)
		case 2:
			p.PodSelector, p.NamespaceSelector = randomSelector(r, randLabels), randomSelector(r, randLabels)
		case 3:
			p.IPBlock = &networkingv1.IPBlock{CIDR: []string{"10.0.0.0/8", "10.0.0.0/16", "10.1.0.0/16", "10.0.0.1/32"}[r.IntN(4)]}
			if r.IntN(2) == 0 {
				p.IPBlock.Except = []string{[]string{"10.0.1.0/24", "10.1.0.2/32", "10.0.0.0/24"}[r.IntN(3)]}
			}
		}
		out = append(out, p)
	}
	return out
}

func randomPorts(r intner) []networkingv1.NetworkPolicyPort {
	var out []networkingv1.NetworkPolicyPort
	for i := 0; i < r.IntN(3); i++ {
		var p networkingv1.NetworkPolicyPort
		if r.IntN(3) > 0 {
			proto := protocols[r.IntN(3)]
			p.Protocol = &proto
		}
		switch r.IntN(4) {
		case 1:
			v := intstr.FromInt32(int32(80 + r.IntN(4)))
			p.Port = &v
		case 2:
			v := intstr.FromString([]string{"http", "dns", "metrics"}[r.IntN(3)])
			p.Port = &v
		case 3:
			v, end := intstr.FromInt32(int32(80+r.IntN(2))), int32(81+r.IntN(3))
			p.Port, p.EndPort = &v, &end
		}
		out = append(out, p)
	}
	return out
}

func (w randomWorld) objects() []runtime.Object {
	var out []runtime.Object
	for _, ns := range slices.Sorted(maps.Keys(w.nsLabels)) {
		out = append(out, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns, Labels: w.nsLabels[ns]}})
	}
	for _, p := range w.pods {
		out = append(out, p)
	}
	for _, np := range w.nps {
		out = append(out, np)
	}
	for _, p := range w.anps {
		out = append(out, p)
	}
	if w.banp != nil {
		out = append(out, w.banp)
	}
	for i, p := range w.cnps {
		if w.cnpAlpha2[i] {
			out = append(out, toV1alpha2(p))
		} else {
			out = append(out, p)
		}
	}
	return out
}

// TestRandomWorldsAgainstBruteForce compares the graph with the brute-force
// evaluator on every pod pair, port 79..84 and protocol of random worlds.
func TestRandomWorldsAgainstBruteForce(t *testing.T) {
	worlds := 1000
	if testing.Short() {
		worlds = 300
	}
	r := rand.New(rand.NewPCG(1, 2))
	checked, allowed := 0, 0
	for i := 0; i < worlds; i++ {
		w := newRandomWorld(r)
		g, err := Build(typed(t, w.objects()...), Options{})
		require.NoError(t, err)
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
						if got.Allowed != want || conns.Contains(proto, port) != want {
							t.Fatalf("world %d: %s -> %s %s/%d: graph %v (matrix %v), brute force %v\n%s\npolicies: %+v",
								i, se.Name, de.Name, proto, port, got.Allowed, conns.Contains(proto, port), want, got.Explain(), w.nps)
						}
					}
				}
			}
		}
	}
	t.Logf("%d probes, %d allowed", checked, allowed)
	require.Greater(t, allowed, checked/10, "worlds should not be all-deny")
	require.Less(t, allowed, checked*9/10, "worlds should not be all-allow")
}
