package netpol

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	anp "sigs.k8s.io/network-policy-api/apis/v1alpha1"
	cnp "sigs.k8s.io/network-policy-api/apis/v1beta1"
	"sigs.k8s.io/yaml"

	"github.com/aigov/aigov/governance"
)

// pitfallWorld: namespaces a (team red), b (team blue), c (team green).
// a/p serves http on TCP/8080; b/q serves http on TCP/80, serve-81-udp on
// UDP/81 and sctp on SCTP/82; a/h is a hostNetwork pod on node IP
// 192.168.1.1. No policy: everything is allowed.
const pitfallWorld = `
apiVersion: v1
kind: Namespace
metadata: {name: a, labels: {team: red}}
---
apiVersion: v1
kind: Namespace
metadata: {name: b, labels: {team: blue}}
---
apiVersion: v1
kind: Namespace
metadata: {name: c, labels: {team: green}}
---
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: a, labels: {app: p}}
spec: {containers: [{name: c, image: i, ports: [{name: http, containerPort: 8080}]}]}
status: {podIP: 10.0.0.1}
---
apiVersion: v1
kind: Pod
metadata: {name: r, namespace: a, labels: {app: r}}
spec: {containers: [{name: c, image: i}]}
status: {podIP: 10.0.0.3}
---
apiVersion: v1
kind: Pod
metadata: {name: h, namespace: a, labels: {app: h}}
spec: {hostNetwork: true, containers: [{name: c, image: i}]}
status: {podIP: 192.168.1.1, hostIP: 192.168.1.1}
---
apiVersion: v1
kind: Pod
metadata: {name: q, namespace: b, labels: {app: q}}
spec: {containers: [{name: c, image: i, ports: [{name: http, containerPort: 80}, {name: serve-81-udp, containerPort: 81, protocol: UDP}, {name: sctp, containerPort: 82, protocol: SCTP}]}]}
status: {podIP: 10.0.1.2}
---
apiVersion: v1
kind: Pod
metadata: {name: s, namespace: b, labels: {app: s}}
spec: {containers: [{name: c, image: i}]}
status: {podIP: 10.0.1.4}
---
apiVersion: v1
kind: Pod
metadata: {name: u, namespace: c, labels: {app: u}}
spec: {containers: [{name: c, image: i}]}
status: {podIP: 10.0.2.5}
`

// rawInventory decodes YAML straight into API types, without the
// apiserver defaults the project's loader applies (policyTypes, protocol):
// what aigov sees when the loader's defaulting is bypassed, so the graph's
// own normalisation is what is tested.
func rawInventory(t testing.TB, docs ...string) *Graph {
	t.Helper()
	var objs []runtime.Object
	for _, doc := range strings.Split(strings.Join(docs, "\n---\n"), "\n---\n") {
		if strings.TrimSpace(doc) == "" {
			continue
		}
		var tm metav1.TypeMeta
		require.NoError(t, yaml.Unmarshal([]byte(doc), &tm))
		var o runtime.Object
		switch tm.Kind {
		case "Namespace":
			o = &corev1.Namespace{}
		case "Pod":
			o = &corev1.Pod{}
		case "NetworkPolicy":
			o = &networkingv1.NetworkPolicy{}
		case "AdminNetworkPolicy":
			o = &anp.AdminNetworkPolicy{}
		case "BaselineAdminNetworkPolicy":
			o = &anp.BaselineAdminNetworkPolicy{}
		case "ClusterNetworkPolicy":
			o = &cnp.ClusterNetworkPolicy{}
		default:
			t.Fatalf("rawInventory: kind %q", tm.Kind)
		}
		require.NoError(t, yaml.UnmarshalStrict([]byte(doc), o))
		objs = append(objs, o)
	}
	g, err := Build(typed(t, objs...), Options{})
	require.NoError(t, err)
	return g
}

// probe is one connection and the expected answer.
type probe struct {
	from, to string
	port     int32
	proto    corev1.Protocol // "" = TCP
	want     bool
}

func (p probe) String() string {
	proto := p.proto
	if proto == "" {
		proto = corev1.ProtocolTCP
	}
	return fmt.Sprintf("%s->%s %s/%d", p.from, p.to, proto, p.port)
}

func np(ns, name, spec string) string {
	return fmt.Sprintf("{apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: {name: %s, namespace: %s}, spec: %s}", name, ns, spec)
}

// TestPitfalls has one case per semantic pitfall of
// ../shared/reference/netpol.md §7 (numbered as there). Each case runs on
// the inventory as the loader builds it (apiserver defaults applied) and,
// unless loadOnly, on the same YAML decoded raw (no defaults), so that
// aigov's own normalisation is exercised as well.
func TestPitfalls(t *testing.T) {
	for _, tc := range []struct {
		name     string
		docs     []string
		opts     Options
		probes   []probe
		loadOnly bool
		// check inspects the graph beyond the probes.
		check func(t *testing.T, g *Graph)
	}{
		{
			// Pitfall 1: policyTypes omitted = [Ingress] (+ Egress when egress
			// rules exist): an egress-only policy also isolates ingress.
			name: "1 policyTypes defaulting: egress rules only still isolate ingress",
			docs: []string{np("b", "egress-only", "{podSelector: {matchLabels: {app: q}}, egress: [{}]}")},
			probes: []probe{
				{from: "a/p", to: "b/q", port: 80, want: false},
				{from: "b/q", to: "a/p", port: 8080, want: true},
			},
		},
		{
			// Pitfall 1: ingress rules only, policyTypes omitted: egress is
			// not isolated.
			name: "1 policyTypes defaulting: ingress rules only leave egress open",
			docs: []string{np("b", "ingress-only", "{podSelector: {matchLabels: {app: q}}, ingress: [{from: [{podSelector: {}}]}]}")},
			probes: []probe{
				{from: "b/q", to: "a/p", port: 8080, want: true},
				{from: "b/s", to: "b/q", port: 80, want: true},
				{from: "a/p", to: "b/q", port: 80, want: false},
			},
		},
		{
			// Pitfall 2: `ingress: []` isolates (deny all) ...
			name: "2 nil vs empty: ingress [] denies all",
			docs: []string{np("b", "deny", "{podSelector: {matchLabels: {app: q}}, policyTypes: [Ingress], ingress: []}")},
			probes: []probe{
				{from: "a/p", to: "b/q", port: 80, want: false},
				{from: "b/s", to: "b/q", port: 80, want: false},
			},
		},
		{
			// Pitfall 2: ... while `ingress: [{}]` allows all.
			name: "2 nil vs empty: ingress [{}] allows all",
			docs: []string{np("b", "allow", "{podSelector: {matchLabels: {app: q}}, policyTypes: [Ingress], ingress: [{}]}")},
			probes: []probe{
				{from: "a/p", to: "b/q", port: 80, want: true},
				{from: "8.8.8.8", to: "b/q", port: 9999, want: true},
			},
		},
		{
			// Pitfall 2: `egress: []` without policyTypes is "no egress rules":
			// the default adds no Egress type, so egress stays open while
			// ingress is isolated.
			name: "2 nil vs empty: egress [] without policyTypes does not isolate egress",
			docs: []string{np("b", "odd", "{podSelector: {matchLabels: {app: q}}, egress: []}")},
			probes: []probe{
				{from: "b/q", to: "a/p", port: 8080, want: true},
				{from: "a/p", to: "b/q", port: 80, want: false},
			},
		},
		{
			// Pitfall 2: policyTypes [Egress] with `egress: []` denies all egress.
			name: "2 nil vs empty: policyTypes Egress with egress [] denies all egress",
			docs: []string{np("b", "deny-egress", "{podSelector: {matchLabels: {app: q}}, policyTypes: [Egress], egress: []}")},
			probes: []probe{
				{from: "b/q", to: "a/p", port: 8080, want: false},
				{from: "a/p", to: "b/q", port: 80, want: true},
			},
		},
		{
			// Pitfall 3: namespaceSelector and podSelector in one peer are ANDed.
			name: "3 peer composition: one peer = AND",
			docs: []string{np("b", "and", "{podSelector: {matchLabels: {app: q}}, ingress: [{from: [{namespaceSelector: {matchLabels: {team: red}}, podSelector: {matchLabels: {app: p}}}]}]}")},
			probes: []probe{
				{from: "a/p", to: "b/q", port: 80, want: true},
				{from: "a/r", to: "b/q", port: 80, want: false},
				{from: "b/s", to: "b/q", port: 80, want: false},
			},
		},
		{
			// Pitfall 3: separate peers are ORed.
			name: "3 peer composition: two peers = OR",
			docs: []string{np("b", "or", "{podSelector: {matchLabels: {app: q}}, ingress: [{from: [{namespaceSelector: {matchLabels: {team: red}}}, {podSelector: {matchLabels: {app: s}}}]}]}")},
			probes: []probe{
				{from: "a/p", to: "b/q", port: 80, want: true},
				{from: "a/r", to: "b/q", port: 80, want: true},
				{from: "b/s", to: "b/q", port: 80, want: true},
				{from: "c/u", to: "b/q", port: 80, want: false},
			},
		},
		{
			// Pitfall 3: a podSelector alone means the policy's namespace.
			name: "3 peer composition: podSelector alone = the policy's namespace",
			docs: []string{np("b", "same-ns", "{podSelector: {matchLabels: {app: q}}, ingress: [{from: [{podSelector: {matchLabels: {app: p}}}, {podSelector: {matchLabels: {app: s}}}]}]}")},
			probes: []probe{
				{from: "a/p", to: "b/q", port: 80, want: false}, // app=p, but in namespace a
				{from: "b/s", to: "b/q", port: 80, want: true},
			},
		},
		{
			// Pitfall 3: an empty namespaceSelector means all namespaces (pods
			// only, not external addresses).
			name: "3 peer composition: empty namespaceSelector = all namespaces",
			docs: []string{np("b", "all-ns", "{podSelector: {matchLabels: {app: q}}, ingress: [{from: [{namespaceSelector: {}}]}]}")},
			probes: []probe{
				{from: "a/p", to: "b/q", port: 80, want: true},
				{from: "c/u", to: "b/q", port: 80, want: true},
				{from: "8.8.8.8", to: "b/q", port: 80, want: false},
			},
		},
		{
			// Pitfall 4: egress allow-all on the source does not bypass the
			// destination's ingress deny (k3s#2390, kube-router#916).
			name: "4 both ends: egress allow-all does not bypass ingress deny",
			docs: []string{
				np("a", "egress-all", "{podSelector: {matchLabels: {app: p}}, policyTypes: [Egress], egress: [{}]}"),
				np("b", "deny-in", "{podSelector: {matchLabels: {app: q}}, policyTypes: [Ingress]}"),
			},
			probes: []probe{
				{from: "a/p", to: "b/q", port: 80, want: false},
				{from: "a/p", to: "b/s", port: 80, want: true},
			},
			check: func(t *testing.T, g *Graph) {
				v := g.Allowed(mustLookup(t, g, "a/p"), mustLookup(t, g, "b/q"), 80, corev1.ProtocolTCP)
				assert.True(t, v.Egress.Allowed, v.Explain())
				assert.False(t, v.Ingress.Allowed, v.Explain())
			},
		},
		{
			// Pitfall 4: and ingress allow-all does not bypass the source's
			// egress deny.
			name: "4 both ends: ingress allow-all does not bypass egress deny",
			docs: []string{
				np("a", "deny-out", "{podSelector: {matchLabels: {app: p}}, policyTypes: [Egress]}"),
				np("b", "ingress-all", "{podSelector: {matchLabels: {app: q}}, ingress: [{}]}"),
			},
			probes: []probe{
				{from: "a/p", to: "b/q", port: 80, want: false},
				{from: "a/r", to: "b/q", port: 80, want: true},
			},
		},
		{
			// Pitfall 5: a named port in an egress rule resolves on the
			// destination pod (q: http=80), not on the source (p: http=8080).
			name: "5 named ports: egress resolves on the destination",
			docs: []string{np("a", "egress-http", "{podSelector: {matchLabels: {app: p}}, policyTypes: [Egress], egress: [{ports: [{port: http}]}]}")},
			probes: []probe{
				{from: "a/p", to: "b/q", port: 80, want: true},
				{from: "a/p", to: "b/q", port: 8080, want: false},
				{from: "a/p", to: "a/r", port: 80, want: false}, // r has no port named http
			},
		},
		{
			// Pitfall 5: the protocol must match: serve-81-udp with the default
			// TCP matches nothing (np-guard #405).
			name: "5 named ports: protocol must match the container port",
			docs: []string{
				np("b", "tcp-name", "{podSelector: {matchLabels: {app: q}}, ingress: [{ports: [{port: serve-81-udp}]}]}"),
				np("b", "sctp-name", "{podSelector: {matchLabels: {app: q}}, ingress: [{ports: [{protocol: SCTP, port: sctp}]}]}"),
			},
			probes: []probe{
				{from: "a/p", to: "b/q", port: 81, proto: corev1.ProtocolUDP, want: false},
				{from: "a/p", to: "b/q", port: 81, want: false},
				{from: "a/p", to: "b/q", port: 82, proto: corev1.ProtocolSCTP, want: true},
			},
		},
		{
			// Pitfall 5: a named port with an ipBlock is undefined for IP
			// destinations. aigov does not abort (np-guard does): external
			// addresses get no port from the rule, pod IPs inside the block
			// resolve the name on the pod, and a note (not a warning: the
			// policy is valid) states the assumption.
			name: "5 named ports: with ipBlock, no abort, noted, pods resolve",
			docs: []string{np("a", "named-ipblock", "{podSelector: {matchLabels: {app: p}}, policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0}}], ports: [{port: http}]}]}")},
			probes: []probe{
				{from: "a/p", to: "8.8.8.8", port: 80, want: false},
				{from: "a/p", to: "b/q", port: 80, want: true},
			},
			check: func(t *testing.T, g *Graph) {
				assert.Empty(t, g.Warnings(), "the policy is valid")
				var note string
				for _, n := range g.Notes() {
					if strings.HasPrefix(n, "NetworkPolicy a/named-ipblock egress[0]") {
						note = n
					}
				}
				assert.Contains(t, note, "named port http with ipBlock 0.0.0.0/0")
			},
		},
		{
			// Pitfall 6: ipBlocks match pod IPs by default (upstream e2e: egress
			// to a pod's /32) ...
			name: "6 ipBlock vs pod IPs: /32 of a pod matches by default",
			docs: []string{np("a", "to-q", "{podSelector: {matchLabels: {app: p}}, policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: 10.0.1.2/32}}]}]}")},
			probes: []probe{
				{from: "a/p", to: "b/q", port: 80, want: true},
				{from: "a/p", to: "b/s", port: 80, want: false},
			},
		},
		{
			// Pitfall 6: ... and not when the switch says ipBlocks never match
			// pods (np-guard's assumption).
			name: "6 ipBlock vs pod IPs: switch off",
			docs: []string{np("a", "to-q", "{podSelector: {matchLabels: {app: p}}, policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: 10.0.1.2/32}}]}]}")},
			opts: Options{IgnorePodIPsInIPBlocks: true},
			probes: []probe{
				{from: "a/p", to: "b/q", port: 80, want: false},
				{from: "a/p", to: "b/s", port: 80, want: false},
			},
		},
		{
			// Pitfall 6: upstream's wide block with the pod excepted.
			name: "6 ipBlock vs pod IPs: wide block with the pod's /32 excepted",
			docs: []string{np("a", "wide", "{podSelector: {matchLabels: {app: p}}, policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: 0.0.0.0/4, except: [10.0.1.2/32]}}]}]}")},
			probes: []probe{
				{from: "a/p", to: "b/q", port: 80, want: false},
				{from: "a/p", to: "b/s", port: 80, want: true},
				{from: "a/p", to: "8.8.8.8", port: 80, want: true},
				{from: "a/p", to: "16.0.0.1", port: 80, want: false},
			},
		},
		{
			// Pitfall 7: except is per peer: an address excepted in one peer is
			// still allowed by another peer of the rule.
			name: "7 except is per peer",
			docs: []string{np("a", "peers", "{podSelector: {matchLabels: {app: p}}, policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: 10.0.0.0/16, except: [10.0.1.0/24]}}, {ipBlock: {cidr: 10.0.1.2/32}}]}]}")},
			probes: []probe{
				{from: "a/p", to: "b/q", port: 80, want: true},
				{from: "a/p", to: "b/s", port: 80, want: false},
				{from: "a/p", to: "a/r", port: 80, want: true},
			},
		},
		{
			// Pitfall 7: policies are a union: the same CIDR with different
			// except lists in two policies must not be merged into one except.
			name: "7 policies are a union across except lists",
			docs: []string{
				np("a", "one", "{podSelector: {matchLabels: {app: p}}, policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: 10.0.0.0/16, except: [10.0.1.0/24]}}]}]}"),
				np("a", "two", "{podSelector: {matchLabels: {app: p}}, policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: 10.0.0.0/16, except: [10.0.0.0/24]}}]}]}"),
			},
			probes: []probe{
				{from: "a/p", to: "b/q", port: 80, want: true},
				{from: "a/p", to: "a/r", port: 80, want: true},
				{from: "a/p", to: "c/u", port: 80, want: true},
			},
		},
		{
			// Pitfall 8: a missing protocol means TCP (raw YAML: no panic).
			name: "8 protocol default: missing protocol = TCP",
			docs: []string{np("b", "port80", "{podSelector: {matchLabels: {app: q}}, ingress: [{ports: [{port: 80}]}]}")},
			probes: []probe{
				{from: "a/p", to: "b/q", port: 80, want: true},
				{from: "a/p", to: "b/q", port: 80, proto: corev1.ProtocolUDP, want: false},
			},
		},
		{
			// Pitfall 8: an SCTP-only rule does not admit TCP, and still
			// isolates the pod (upstream: "should not mistakenly treat
			// 'protocol: SCTP' as 'protocol: TCP'").
			name: "8 SCTP-only rule: no TCP, still isolates",
			docs: []string{np("b", "sctp", "{podSelector: {matchLabels: {app: q}}, ingress: [{ports: [{protocol: SCTP, port: 80}]}]}")},
			probes: []probe{
				{from: "a/p", to: "b/q", port: 80, proto: corev1.ProtocolSCTP, want: true},
				{from: "a/p", to: "b/q", port: 80, want: false},
				{from: "a/p", to: "b/q", port: 81, proto: corev1.ProtocolUDP, want: false},
			},
		},
		{
			// Pitfall 9: endPort is inclusive and the ports in between count.
			name: "9 endPort: inclusive range",
			docs: []string{np("b", "range", "{podSelector: {matchLabels: {app: q}}, ingress: [{ports: [{protocol: TCP, port: 8000, endPort: 8100}]}]}")},
			probes: []probe{
				{from: "a/p", to: "b/q", port: 7999, want: false},
				{from: "a/p", to: "b/q", port: 8000, want: true},
				{from: "a/p", to: "b/q", port: 8050, want: true},
				{from: "a/p", to: "b/q", port: 8100, want: true},
				{from: "a/p", to: "b/q", port: 8101, want: false},
				{from: "a/p", to: "b/q", port: 8050, proto: corev1.ProtocolUDP, want: false},
			},
		},
		{
			// Pitfall 9: endPort requires a numeric port. The apiserver rejects
			// both forms; aigov must not read them as "every port" (fail open):
			// the entry matches nothing and a warning names it. (Bug fixed:
			// endPort without port used to admit every port of the protocol.)
			name: "9 endPort: without port or with a named port is invalid",
			docs: []string{np("b", "bad-range", "{podSelector: {matchLabels: {app: q}}, ingress: [{ports: [{protocol: TCP, endPort: 8100}, {port: http, endPort: 90}]}]}")},
			probes: []probe{
				{from: "a/p", to: "b/q", port: 80, want: false},
				{from: "a/p", to: "b/q", port: 8050, want: false},
			},
			check: func(t *testing.T, g *Graph) {
				requireWarning(t, g, "NetworkPolicy b/bad-range ingress[0]: ports[0]", "endPort 8100 without port")
				requireWarning(t, g, "NetworkPolicy b/bad-range ingress[0]: ports[1]", "named port \"http\"")
			},
		},
		{
			// Pitfall 10: pod-to-itself is undefined: not listed for a
			// single-replica pod, judged like any pair with a note.
			name: "10 loopback: not listed, noted when asked",
			docs: []string{np("a", "deny-in", "{podSelector: {}, policyTypes: [Ingress]}")},
			probes: []probe{
				{from: "a/p", to: "a/p", port: 8080, want: false},
				{from: "b/q", to: "b/s", port: 80, want: true},
			},
			check: func(t *testing.T, g *Graph) {
				p := mustLookup(t, g, "a/p")
				v := g.Allowed(p, p, 8080, corev1.ProtocolTCP)
				require.Len(t, v.Notes, 1, v.Explain())
				assert.Contains(t, v.Notes[0], "loopback")
				for _, e := range g.Matrix().Edges {
					assert.False(t, e.From == e.To, "self pair listed: %s", e.From)
				}
				assert.Empty(t, g.WhoCanReach(p, 8080, corev1.ProtocolTCP))
			},
		},
		{
			// Pitfall 11: node traffic. aigov has no node inventory, so it
			// cannot apply "ingress from the pod's own node is always
			// allowed"; it states its hostNetwork assumption instead: a
			// hostNetwork pod is its node's IP, selected by no pod selector
			// (so not isolated, and not admitted by a namespaceSelector) and
			// matched only by ipBlocks.
			name: "11 node traffic: hostNetwork pods are node IPs",
			docs: []string{
				np("a", "deny-out", "{podSelector: {}, policyTypes: [Egress]}"),
				np("b", "from-pods", "{podSelector: {matchLabels: {app: q}}, ingress: [{from: [{namespaceSelector: {}}]}]}"),
				np("b", "from-nodes", "{podSelector: {matchLabels: {app: s}}, ingress: [{from: [{ipBlock: {cidr: 192.168.1.0/24}}]}]}"),
			},
			probes: []probe{
				{from: "a/h", to: "b/q", port: 80, want: false},
				{from: "a/h", to: "b/s", port: 80, want: true},
				{from: "a/p", to: "b/q", port: 80, want: false}, // a/p's egress is isolated, a/h's is not
			},
			check: func(t *testing.T, g *Graph) {
				assert.Contains(t, g.Notes(), HostNetworkAssumption)
				v := g.Allowed(mustLookup(t, g, "a/h"), mustLookup(t, g, "b/s"), 80, corev1.ProtocolTCP)
				assert.Contains(t, v.Notes, HostNetworkAssumption)
				assert.Equal(t, DefaultTier, v.Egress.Tier, v.Explain())
			},
		},
		{
			// Pitfall 12: selectors that match nothing fail closed
			// (kube-router#85): no source pod, no namespace, or an invalid
			// selector (which is also a warning).
			name: "12 selectors matching nothing fail closed",
			docs: []string{
				np("b", "ghost", "{podSelector: {matchLabels: {app: q}}, ingress: [{from: [{podSelector: {matchLabels: {app: ghost}}}, {namespaceSelector: {matchLabels: {team: ghost}}}]}]}"),
				np("b", "invalid", "{podSelector: {matchLabels: {app: s}}, ingress: [{from: [{podSelector: {matchExpressions: [{key: app, operator: Bogus, values: [x]}]}}]}]}"),
				np("c", "dead", "{podSelector: {matchLabels: {app: nobody}}, ingress: []}"),
			},
			probes: []probe{
				{from: "a/p", to: "b/q", port: 80, want: false},
				{from: "b/s", to: "b/q", port: 80, want: false},
				{from: "a/p", to: "b/s", port: 80, want: false},
				{from: "a/p", to: "c/u", port: 80, want: true}, // the dead policy isolates no one
			},
			check: func(t *testing.T, g *Graph) {
				requireWarning(t, g, "NetworkPolicy b/invalid ingress[0]", "Bogus")
				var dead []string
				for _, r := range g.DeadPolicies() {
					dead = append(dead, r.String())
				}
				assert.Equal(t, []string{"NetworkPolicy c/dead"}, dead)
			},
		},
		{
			// Pitfall 13: "selected by a NetworkPolicy" is per direction: an
			// egress-only NetworkPolicy does not skip the baseline tier for
			// ingress (knp v0.8.0 skips BANP if any NP selects the pod).
			name: "13 admin tiers: egress-only NP does not skip BANP for ingress",
			docs: []string{
				"{apiVersion: policy.networking.k8s.io/v1alpha1, kind: BaselineAdminNetworkPolicy, metadata: {name: default}, spec: {subject: {namespaces: {}}, ingress: [{action: Deny, from: [{namespaces: {}}]}]}}",
				np("b", "egress-only", "{podSelector: {matchLabels: {app: q}}, policyTypes: [Egress], egress: [{}]}"),
			},
			probes: []probe{
				{from: "a/p", to: "b/q", port: 80, want: false},
				{from: "b/q", to: "a/r", port: 80, want: false}, // a/r ingress: BANP deny
			},
			check: func(t *testing.T, g *Graph) {
				v := g.Allowed(mustLookup(t, g, "a/p"), mustLookup(t, g, "b/q"), 80, corev1.ProtocolTCP)
				assert.Equal(t, BaselineTier, v.Ingress.Tier, v.Explain())
			},
		},
		{
			// Pitfall 13: Pass goes to NetworkPolicy when one isolates the
			// pod for that direction, else on to the baseline tier.
			name: "13 admin tiers: Pass goes to NP, else to BANP",
			docs: []string{
				"{apiVersion: policy.networking.k8s.io/v1alpha1, kind: AdminNetworkPolicy, metadata: {name: pass}, spec: {priority: 1, subject: {namespaces: {}}, ingress: [{name: pass-all, action: Pass, from: [{namespaces: {}}]}]}}",
				"{apiVersion: policy.networking.k8s.io/v1alpha1, kind: BaselineAdminNetworkPolicy, metadata: {name: default}, spec: {subject: {namespaces: {}}, ingress: [{action: Deny, from: [{namespaces: {}}]}]}}",
				np("b", "allow-q", "{podSelector: {matchLabels: {app: q}}, ingress: [{}]}"),
			},
			probes: []probe{
				{from: "a/p", to: "b/q", port: 80, want: true},  // Pass → NP allows
				{from: "a/p", to: "b/s", port: 80, want: false}, // Pass → no NP → BANP denies
			},
			check: func(t *testing.T, g *Graph) {
				v := g.Allowed(mustLookup(t, g, "a/p"), mustLookup(t, g, "b/s"), 80, corev1.ProtocolTCP)
				assert.Equal(t, BaselineTier, v.Ingress.Tier, v.Explain())
				require.Len(t, v.Ingress.Passed, 1, v.Explain())
				assert.Equal(t, "pass-all", v.Ingress.Passed[0].RuleName)
				v = g.Allowed(mustLookup(t, g, "a/p"), mustLookup(t, g, "b/q"), 80, corev1.ProtocolTCP)
				assert.Equal(t, NetworkPolicyTier, v.Ingress.Tier, v.Explain())
			},
		},
		{
			// Pitfall 14: YAML 1.1 booleans: the upstream model's namespace y
			// must load when quoted ('y'), as the reference advises. (Unquoted
			// `y` is the loader's business; see TestPitfallYAMLUnquotedY.)
			name:     "14 YAML 1.1 booleans: quoted 'y' namespace",
			loadOnly: true,
			docs: []string{
				"{apiVersion: v1, kind: Namespace, metadata: {name: 'y'}}",
				"{apiVersion: v1, kind: Pod, metadata: {name: 'n', namespace: 'y', labels: {pod: 'n'}}, spec: {containers: [{name: c, image: i}]}}",
				np("'y'", "deny", "{podSelector: {matchLabels: {pod: 'n'}}, ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: 'y'}}}]}]}"),
			},
			probes: []probe{
				{from: "a/p", to: "y/n", port: 80, want: false},
				{from: "y/n", to: "a/p", port: 80, want: true},
			},
		},
		{
			// Pitfall 15: workload granularity: replicas of one Deployment are
			// one endpoint whose self pair is real traffic, listed when allowed
			// and absent when the policy does not admit the workload itself.
			name:     "15 workload granularity: replica-to-replica traffic",
			loadOnly: true,
			docs: []string{
				"{apiVersion: apps/v1, kind: Deployment, metadata: {name: d, namespace: a}, spec: {replicas: 3, selector: {matchLabels: {app: d}}, template: {metadata: {labels: {app: d}}, spec: {containers: [{name: c, image: i}]}}}}",
				"{apiVersion: apps/v1, kind: Deployment, metadata: {name: e, namespace: b}, spec: {replicas: 2, selector: {matchLabels: {app: e}}, template: {metadata: {labels: {app: e}}, spec: {containers: [{name: c, image: i}]}}}}",
				np("b", "from-p", "{podSelector: {matchLabels: {app: e}}, ingress: [{from: [{namespaceSelector: {}, podSelector: {matchLabels: {app: p}}}]}]}"),
			},
			probes: []probe{
				{from: "a/d", to: "a/d", port: 80, want: true},
				{from: "b/e", to: "b/e", port: 80, want: false},
				{from: "a/p", to: "b/e", port: 80, want: true},
			},
			check: func(t *testing.T, g *Graph) {
				d := mustLookup(t, g, "a/d")
				assert.EqualValues(t, 3, d.Replicas)
				self := map[string]bool{}
				for _, e := range g.Matrix().Edges {
					if e.From == e.To {
						self[e.From] = true
					}
				}
				assert.Equal(t, map[string]bool{"a/d": true}, self)
				assert.Empty(t, g.Allowed(d, d, 80, corev1.ProtocolTCP).Notes, "replica-to-replica is not loopback")
			},
		},
	} {
		modes := []string{"loaded", "raw"}
		if tc.loadOnly {
			modes = modes[:1]
		}
		for _, mode := range modes {
			t.Run(tc.name+"/"+mode, func(t *testing.T) {
				var g *Graph
				if mode == "raw" {
					if tc.opts != (Options{}) {
						t.Skip("raw mode uses default options")
					}
					g = rawInventory(t, append([]string{pitfallWorld}, tc.docs...)...)
				} else {
					var err error
					g, err = Build(load(t, append([]string{pitfallWorld}, tc.docs...)...), tc.opts)
					require.NoError(t, err)
				}
				for _, p := range tc.probes {
					proto := p.proto
					if proto == "" {
						proto = corev1.ProtocolTCP
					}
					src, dst := mustLookup(t, g, p.from), mustLookup(t, g, p.to)
					v := g.Allowed(src, dst, p.port, proto)
					assert.Equal(t, p.want, v.Allowed, "%s\n%s", p, v.Explain())
					assert.Equal(t, p.want, g.Reachable(src, dst, p.port, proto), "Reachable %s", p)
					assert.Equal(t, p.want, v.Egress.Allowed && v.Ingress.Allowed, "explanation disagrees: %s\n%s", p, v.Explain())
				}
				if tc.check != nil {
					tc.check(t, g)
				}
			})
		}
	}
}

// requireWarning asserts that a warning starts with where and contains what.
func requireWarning(t *testing.T, g *Graph, where, what string) {
	t.Helper()
	var all []string
	for _, w := range g.Warnings() {
		all = append(all, w.Error())
		if strings.HasPrefix(w.Error(), where) && strings.Contains(w.Error(), what) {
			return
		}
	}
	t.Errorf("no warning %q ... %q in:\n%s", where, what, strings.Join(all, "\n"))
}

// TestPitfallYAMLUnquotedY is pitfall 14 of the reference (YAML 1.1
// booleans): unquoted `y` and `n` decode as booleans through
// sigs.k8s.io/yaml. The project's loader rejects such a manifest with an
// error naming the document and the field (np-guard's error names
// neither), so the user knows to quote 'y'; aigov never silently turns
// the namespace into "true".
func TestPitfallYAMLUnquotedY(t *testing.T) {
	l, err := governance.NewLoader()
	require.NoError(t, err)
	_, err = l.LoadBytes("model.yaml", []byte("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: y\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: n\n  namespace: y\nspec:\n  containers: [{name: c, image: i}]\n"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "model.yaml:1")
	assert.Contains(t, err.Error(), "metadata.name")
	assert.Contains(t, err.Error(), "boolean")
}
