package baseline

import (
	"fmt"
	"testing"
	"time"

	"github.com/mattfenwick/cyclonus/pkg/matcher"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/internal/gen"
	"github.com/aigov/aigov/netpol"
)

// The probed port: llm-service's, which rag-api pods may reach.
const (
	probePort  = 8000
	probeProto = corev1.ProtocolTCP
)

// cluster is the input both evaluators read: 1,000 pods (200 workloads of
// 5) and 220 NetworkPolicies in 20 namespaces, as in netpol's
// BenchmarkBuildAndMatrix.
func cluster(tb testing.TB) *governance.Inventory {
	tb.Helper()
	l, err := governance.NewLoader()
	if err != nil {
		tb.Fatal(err)
	}
	inv, err := l.LoadBytes("gen.yaml", gen.Cluster(gen.Options{Seed: 1, Namespaces: 20, WorkloadsPerNamespace: 10, PodsPerWorkload: 5}))
	if err != nil {
		tb.Fatal(err)
	}
	return inv
}

// pod is one pod as cyclonus sees it, plus the name of the probed port.
type pod struct {
	peer     *matcher.TrafficPeer
	portName string
	ip       string
}

func pods(inv *governance.Inventory) []pod {
	nsLabels := map[string]map[string]string{}
	for _, ns := range governance.Typed[*corev1.Namespace](inv) {
		l := map[string]string{corev1.LabelMetadataName: ns.Name}
		for k, v := range ns.Labels {
			l[k] = v
		}
		nsLabels[ns.Name] = l
	}
	var out []pod
	for _, p := range governance.Typed[*corev1.Pod](inv) {
		nl, ok := nsLabels[p.Namespace]
		if !ok {
			nl = map[string]string{corev1.LabelMetadataName: p.Namespace}
		}
		x := pod{ip: p.Status.PodIP, peer: &matcher.TrafficPeer{IP: p.Status.PodIP,
			Internal: &matcher.InternalPeer{PodLabels: p.Labels, NamespaceLabels: nl, Namespace: p.Namespace}}}
		for _, c := range p.Spec.Containers {
			for _, cp := range c.Ports {
				if cp.ContainerPort == probePort && (cp.Protocol == probeProto || cp.Protocol == "" && probeProto == corev1.ProtocolTCP) {
					x.portName = cp.Name
				}
			}
		}
		out = append(out, x)
	}
	return out
}

// cyclonusPolicies are the inventory's NetworkPolicies normalised as the
// apiserver stores them; cyclonus panics without policyTypes and
// dereferences the protocol.
func cyclonusPolicies(inv *governance.Inventory) []*networkingv1.NetworkPolicy {
	tcp := corev1.ProtocolTCP
	var out []*networkingv1.NetworkPolicy
	for _, np := range governance.Typed[*networkingv1.NetworkPolicy](inv) {
		np = np.DeepCopy()
		if len(np.Spec.PolicyTypes) == 0 {
			np.Spec.PolicyTypes = []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}
			if len(np.Spec.Egress) > 0 {
				np.Spec.PolicyTypes = append(np.Spec.PolicyTypes, networkingv1.PolicyTypeEgress)
			}
		}
		for i := range np.Spec.Ingress {
			for j := range np.Spec.Ingress[i].Ports {
				if np.Spec.Ingress[i].Ports[j].Protocol == nil {
					np.Spec.Ingress[i].Ports[j].Protocol = &tcp
				}
			}
		}
		for i := range np.Spec.Egress {
			for j := range np.Spec.Egress[i].Ports {
				if np.Spec.Egress[i].Ports[j].Protocol == nil {
					np.Spec.Egress[i].Ports[j].Protocol = &tcp
				}
			}
		}
		out = append(out, np)
	}
	return out
}

// cyclonusAllPairs builds cyclonus's policy and evaluates every ordered
// pair of distinct pods on the probed port; it returns the allowed pairs.
func cyclonusAllPairs(nps []*networkingv1.NetworkPolicy, ps []pod) map[[2]string]bool {
	pol := matcher.BuildNetworkPolicies(true, nps)
	allowed := map[[2]string]bool{}
	for i := range ps {
		for j := range ps {
			if i == j {
				continue
			}
			t := &matcher.Traffic{Source: ps[i].peer, Destination: ps[j].peer,
				ResolvedPort: probePort, ResolvedPortName: ps[j].portName, Protocol: probeProto}
			if pol.IsTrafficAllowed(t).IsAllowed() {
				allowed[[2]string{ps[i].ip, ps[j].ip}] = true
			}
		}
	}
	return allowed
}

// aigovAllPairs reads the same pairs from a netpol graph.
func aigovAllPairs(g *netpol.Graph, ps []pod) (map[[2]string]bool, error) {
	eps := make([]*netpol.Endpoint, len(ps))
	for i, p := range ps {
		e, ok := g.Lookup(p.ip)
		if !ok {
			return nil, fmt.Errorf("no endpoint for pod IP %s", p.ip)
		}
		eps[i] = e
	}
	allowed := map[[2]string]bool{}
	for i := range ps {
		for j := range ps {
			if i != j && g.Reachable(eps[i], eps[j], probePort, probeProto) {
				allowed[[2]string{ps[i].ip, ps[j].ip}] = true
			}
		}
	}
	return allowed, nil
}

// TestAgreesWithCyclonus checks that both evaluators allow exactly the
// same pod pairs on the probed port (999,000 ordered pairs).
func TestAgreesWithCyclonus(t *testing.T) {
	if testing.Short() {
		t.Skip("2-3 s of cyclonus evaluation")
	}
	inv := cluster(t)
	ps := pods(inv)
	want := cyclonusAllPairs(cyclonusPolicies(inv), ps)
	g, err := netpol.Build(inv, netpol.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := aigovAllPairs(g, ps)
	if err != nil {
		t.Fatal(err)
	}
	if len(want) == 0 {
		t.Fatal("cyclonus allows no pair: the probe port tests nothing")
	}
	for k := range want {
		if !got[k] {
			t.Errorf("cyclonus allows %s -> %s, aigov does not", k[0], k[1])
		}
	}
	for k := range got {
		if !want[k] {
			t.Errorf("aigov allows %s -> %s, cyclonus does not", k[0], k[1])
		}
	}
	t.Logf("%d pods, %d ordered pairs, %d allowed on %s/%d by both", len(ps), len(ps)*(len(ps)-1), len(want), probeProto, probePort)
}

// BenchmarkVsCyclonus times, on the same 1,000-pod / 220-policy input,
// cyclonus's build plus all-pairs evaluation for one port/protocol and
// aigov's Build plus the full matrix over every port and protocol, and
// reports the ratio (issue 5 asks for at least 20x).
func BenchmarkVsCyclonus(b *testing.B) {
	inv := cluster(b)
	ps := pods(inv)
	nps := cyclonusPolicies(inv)
	var cyc, aig time.Duration
	var edges, pairs int
	for b.Loop() {
		start := time.Now()
		pairs = len(cyclonusAllPairs(nps, ps))
		cyc += time.Since(start)

		start = time.Now()
		g, err := netpol.Build(inv, netpol.Options{})
		if err != nil {
			b.Fatal(err)
		}
		edges = len(g.Matrix().Edges)
		aig += time.Since(start)
	}
	n := float64(b.N)
	b.ReportMetric(cyc.Seconds()*1e3/n, "cyclonus-ms/op")
	b.ReportMetric(aig.Seconds()*1e3/n, "aigov-ms/op")
	b.ReportMetric(float64(cyc)/float64(aig), "x-faster")
	b.ReportMetric(float64(pairs), "cyclonus-pairs")
	b.ReportMetric(float64(edges), "aigov-edges")
}
