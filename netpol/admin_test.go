package netpol

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
)

const tierWorld = `
apiVersion: v1
kind: Namespace
metadata: {name: a, labels: {team: red}}
---
apiVersion: v1
kind: Namespace
metadata: {name: b, labels: {team: blue}}
---
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: a, labels: {app: p}}
spec: {containers: [{name: c, image: i}]}
---
apiVersion: v1
kind: Pod
metadata: {name: q, namespace: b, labels: {app: q}}
spec: {containers: [{name: c, image: i}]}
`

func TestTiers(t *testing.T) {
	anpDeny := `{apiVersion: policy.networking.k8s.io/v1alpha1, kind: AdminNetworkPolicy, metadata: {name: deny-red}, spec: {priority: 10, subject: {namespaces: {matchLabels: {team: blue}}}, ingress: [{action: Deny, from: [{namespaces: {matchLabels: {team: red}}}]}]}}`
	anpPass := `{apiVersion: policy.networking.k8s.io/v1alpha1, kind: AdminNetworkPolicy, metadata: {name: pass-red}, spec: {priority: 5, subject: {namespaces: {}}, ingress: [{action: Pass, from: [{namespaces: {matchLabels: {team: red}}}], ports: [{portNumber: {protocol: TCP, port: 80}}]}]}}`
	npAllow := `{apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: {name: allow-all, namespace: b}, spec: {podSelector: {}, ingress: [{}]}}`
	banpDeny := `{apiVersion: policy.networking.k8s.io/v1alpha1, kind: BaselineAdminNetworkPolicy, metadata: {name: default}, spec: {subject: {namespaces: {}}, ingress: [{action: Deny, from: [{namespaces: {}}]}]}}`
	for _, tc := range []struct {
		name     string
		docs     []string
		port     int32
		want     bool
		wantTier Tier
	}{
		{"no policy: default allow", nil, 80, true, DefaultTier},
		{"ANP deny beats NP allow", []string{anpDeny, npAllow}, 80, false, AdminTier},
		{"Pass hands port 80 to NP", []string{anpPass, anpDeny, npAllow}, 80, true, NetworkPolicyTier},
		{"Pass covers only port 80", []string{anpPass, anpDeny, npAllow}, 81, false, AdminTier},
		{"BANP deny applies without NP", []string{banpDeny}, 80, false, BaselineTier},
		{"NP selecting the pod skips BANP", []string{banpDeny, npAllow}, 80, true, NetworkPolicyTier},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, err := Build(load(t, append([]string{tierWorld}, tc.docs...)...), Options{})
			assert.NoError(t, err)
			v := g.Allowed(mustLookup(t, g, "a/p"), mustLookup(t, g, "b/q"), tc.port, corev1.ProtocolTCP)
			assert.Equal(t, tc.want, v.Allowed, v.Explain())
			assert.Equal(t, tc.wantTier, v.Ingress.Tier, v.Explain())
			assert.Equal(t, tc.want, g.Reachable(mustLookup(t, g, "a/p"), mustLookup(t, g, "b/q"), tc.port, corev1.ProtocolTCP))
		})
	}
}

// cnpWorld: namespaces a (team red) and b (team blue); b/q serves http on
// TCP/80 and dns on UDP/53 and has an IP in 10.0.0.0/8.
const cnpWorld = `
apiVersion: v1
kind: Namespace
metadata: {name: a, labels: {team: red}}
---
apiVersion: v1
kind: Namespace
metadata: {name: b, labels: {team: blue}}
---
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: a, labels: {app: p}}
spec: {containers: [{name: c, image: i}]}
status: {podIP: 192.168.0.1}
---
apiVersion: v1
kind: Pod
metadata: {name: other, namespace: a, labels: {app: other}}
spec: {containers: [{name: c, image: i}]}
---
apiVersion: v1
kind: Pod
metadata: {name: q, namespace: b, labels: {app: q}}
spec: {containers: [{name: c, image: i, ports: [{name: http, containerPort: 80}, {name: dns, containerPort: 53, protocol: UDP}]}]}
status: {podIP: 10.0.2.1}
`

// cnpDoc writes a ClusterNetworkPolicy (v1beta1 unless version is given).
func cnpDoc(version, name, tier string, priority int, spec string) string {
	if version == "" {
		version = "v1beta1"
	}
	return fmt.Sprintf("apiVersion: policy.networking.k8s.io/%s\nkind: ClusterNetworkPolicy\nmetadata: {name: %s}\nspec:\n  tier: %s\n  priority: %d\n%s", version, name, tier, priority, spec)
}

func TestClusterNetworkPolicy(t *testing.T) {
	blueSubject := "  subject: {namespaces: {matchLabels: {team: blue}}}\n"
	redSubject := "  subject: {namespaces: {matchLabels: {team: red}}}\n"
	fromRed := "from: [{namespaces: {matchLabels: {team: red}}}]"
	npDenyB := `{apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: {name: deny, namespace: b}, spec: {podSelector: {}}}`
	npAllowB := `{apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: {name: allow, namespace: b}, spec: {podSelector: {}, ingress: [{}]}}`
	banpDeny := `{apiVersion: policy.networking.k8s.io/v1alpha1, kind: BaselineAdminNetworkPolicy, metadata: {name: default}, spec: {subject: {namespaces: {}}, ingress: [{action: Deny, from: [{namespaces: {}}]}]}}`
	denyRed := func(version string) string {
		return cnpDoc(version, "deny-red", "Admin", 10, blueSubject+"  ingress: [{name: no-red, action: Deny, "+fromRed+"}]\n")
	}
	acceptRed := func(prio int) string {
		return cnpDoc("", "accept-red", "Admin", prio, blueSubject+"  ingress: [{name: red-ok, action: Accept, "+fromRed+"}]\n")
	}
	type probe struct {
		from, to string
		port     int32
		proto    corev1.Protocol
		want     bool
		dir      Direction
		tier     Tier
		rule     string // substring of the deciding rule, "" = none
	}
	in := func(port int32, want bool, tier Tier, rule string) probe {
		return probe{"a/p", "b/q", port, corev1.ProtocolTCP, want, Ingress, tier, rule}
	}
	for _, tc := range []struct {
		name   string
		docs   []string
		probes []probe
	}{
		{"Admin Deny", []string{denyRed("")}, []probe{in(80, false, AdminTier, "ClusterNetworkPolicy deny-red ingress[0] (no-red)")}},
		{"v1alpha2 is read as v1beta1", []string{denyRed("v1alpha2")}, []probe{in(80, false, AdminTier, "ClusterNetworkPolicy deny-red ingress[0] (no-red)")}},
		{"Admin Accept overrides an isolating NetworkPolicy", []string{acceptRed(5), npDenyB}, []probe{in(80, true, AdminTier, "accept-red")}},
		{"Admin Deny overrides an allowing NetworkPolicy", []string{denyRed(""), npAllowB}, []probe{in(80, false, AdminTier, "deny-red")}},
		{"lower priority value wins: Accept 5 before Deny 10", []string{acceptRed(5), denyRed("")}, []probe{in(80, true, AdminTier, "accept-red")}},
		{"lower priority value wins: Deny 10 before Accept 20", []string{acceptRed(20), denyRed("")}, []probe{in(80, false, AdminTier, "deny-red")}},
		{"rules in written order: Deny TCP/80 first, then Accept", []string{cnpDoc("", "ordered", "Admin", 1, blueSubject+
			"  ingress:\n  - {action: Deny, "+fromRed+", protocols: [{tcp: {destinationPort: {number: 80}}}]}\n  - {action: Accept, "+fromRed+"}\n"), npDenyB},
			[]probe{in(80, false, AdminTier, "ordered ingress[0]"), in(81, true, AdminTier, "ordered ingress[1]")}},
		{"rules in written order: Accept first shadows the Deny", []string{cnpDoc("", "ordered", "Admin", 1, blueSubject+
			"  ingress:\n  - {action: Accept, "+fromRed+"}\n  - {action: Deny, "+fromRed+", protocols: [{tcp: {destinationPort: {number: 80}}}]}\n")},
			[]probe{in(80, true, AdminTier, "ordered ingress[0]")}},
		{"Pass hands over to the NetworkPolicy tier", []string{cnpDoc("", "pass", "Admin", 1, blueSubject+"  ingress: [{action: Pass, "+fromRed+"}]\n"), denyRed(""), npAllowB},
			[]probe{in(80, true, NetworkPolicyTier, "NetworkPolicy b/allow ingress[0]")}},
		{"Pass skips lower Admin rules, then NetworkPolicy isolation decides", []string{cnpDoc("", "pass", "Admin", 1, blueSubject+"  ingress: [{action: Pass, "+fromRed+"}]\n"), acceptRed(2), npDenyB},
			[]probe{in(80, false, NetworkPolicyTier, "")}},
		{"Pass without NetworkPolicy goes to Baseline", []string{cnpDoc("", "pass", "Admin", 1, blueSubject+"  ingress: [{action: Pass, "+fromRed+"}]\n"), banpDeny},
			[]probe{in(80, false, BaselineTier, "BaselineAdminNetworkPolicy default ingress[0]")}},
		{"Baseline Deny applies without NetworkPolicy", []string{cnpDoc("", "base", "Baseline", 3, blueSubject+"  ingress: [{action: Deny, "+fromRed+"}]\n")},
			[]probe{in(80, false, BaselineTier, "base ingress[0]")}},
		{"a NetworkPolicy selecting the pod overrides Baseline", []string{cnpDoc("", "base", "Baseline", 3, blueSubject+"  ingress: [{action: Deny, "+fromRed+"}]\n"), npAllowB},
			[]probe{in(80, true, NetworkPolicyTier, "b/allow")}},
		{"Baseline priorities: Accept 1 before Deny 2", []string{
			cnpDoc("", "base-deny", "Baseline", 2, blueSubject+"  ingress: [{action: Deny, "+fromRed+"}]\n"),
			cnpDoc("", "base-accept", "Baseline", 1, blueSubject+"  ingress: [{action: Accept, "+fromRed+", protocols: [{tcp: {destinationPort: {range: {start: 80, end: 90}}}}]}]\n")},
			[]probe{in(80, true, BaselineTier, "base-accept"), in(90, true, BaselineTier, "base-accept"), in(91, false, BaselineTier, "base-deny")}},
		{"Baseline ClusterNetworkPolicies come before the BANP", []string{banpDeny, cnpDoc("", "base-accept", "Baseline", 999, blueSubject+"  ingress: [{action: Accept, "+fromRed+"}]\n")},
			[]probe{in(80, true, BaselineTier, "base-accept")}},
		{"Baseline Pass falls through to default allow", []string{cnpDoc("", "base-pass", "Baseline", 1, blueSubject+"  ingress: [{action: Pass, "+fromRed+"}]\n"), banpDeny},
			[]probe{in(80, true, DefaultTier, "")}},
		{"protocols: UDP port does not match TCP", []string{cnpDoc("", "udp", "Admin", 1, blueSubject+"  ingress: [{action: Deny, "+fromRed+", protocols: [{udp: {destinationPort: {number: 53}}}]}]\n")},
			[]probe{in(53, true, DefaultTier, ""), {"a/p", "b/q", 53, corev1.ProtocolUDP, false, Ingress, AdminTier, "udp"}}},
		{"protocols: destinationNamedPort resolves on the destination with its protocol", []string{cnpDoc("", "named", "Admin", 1, blueSubject+"  ingress: [{action: Deny, "+fromRed+", protocols: [{destinationNamedPort: dns}, {destinationNamedPort: http}]}]\n")},
			[]probe{in(80, false, AdminTier, "named"), in(53, true, DefaultTier, ""), {"a/p", "b/q", 53, corev1.ProtocolUDP, false, Ingress, AdminTier, "named"}}},
		{"subject pods: namespace AND pod selector", []string{cnpDoc("", "pods", "Admin", 1,
			"  subject: {pods: {namespaceSelector: {matchLabels: {team: red}}, podSelector: {matchLabels: {app: other}}}}\n  egress: [{action: Deny, to: [{namespaces: {}}]}]\n")},
			[]probe{{"a/other", "b/q", 80, corev1.ProtocolTCP, false, Egress, AdminTier, "pods egress[0]"}, {"a/p", "b/q", 80, corev1.ProtocolTCP, true, Egress, DefaultTier, ""}}},
		{"peer pods: namespace AND pod selector", []string{cnpDoc("", "peer-pods", "Admin", 1, blueSubject+
			"  ingress: [{action: Deny, from: [{pods: {namespaceSelector: {matchLabels: {team: red}}, podSelector: {matchLabels: {app: other}}}}]}]\n")},
			[]probe{{"a/other", "b/q", 80, corev1.ProtocolTCP, false, Ingress, AdminTier, "peer-pods"}, in(80, true, DefaultTier, "")}},
		{"egress networks match pod IPs", []string{cnpDoc("", "nets", "Admin", 1, redSubject+"  egress: [{action: Deny, to: [{networks: [10.0.0.0/8]}]}]\n")},
			[]probe{{"a/p", "b/q", 80, corev1.ProtocolTCP, false, Egress, AdminTier, "nets egress[0]"}, {"b/q", "a/p", 80, corev1.ProtocolTCP, true, Egress, DefaultTier, ""}}},
		{"egress Accept does not bypass the destination's ingress", []string{cnpDoc("", "out", "Admin", 1, redSubject+"  egress: [{action: Accept, to: [{namespaces: {}}]}]\n"), npDenyB},
			[]probe{{"a/p", "b/q", 80, corev1.ProtocolTCP, false, Ingress, NetworkPolicyTier, ""}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, err := Build(load(t, append([]string{cnpWorld}, tc.docs...)...), Options{})
			require.NoError(t, err)
			require.Empty(t, g.Warnings())
			for _, p := range tc.probes {
				src, dst := mustLookup(t, g, p.from), mustLookup(t, g, p.to)
				v := g.Allowed(src, dst, p.port, p.proto)
				d := v.Ingress
				if p.dir == Egress {
					d = v.Egress
				}
				assert.Equal(t, p.want, v.Allowed, v.Explain())
				assert.Equal(t, p.want, g.Reachable(src, dst, p.port, p.proto))
				assert.Equal(t, p.tier, d.Tier, v.Explain())
				if p.rule != "" {
					require.Len(t, d.Rules, 1, v.Explain())
					assert.Contains(t, d.Rules[0].String(), p.rule, v.Explain())
				} else if d.Tier != NetworkPolicyTier {
					assert.Empty(t, d.Rules, v.Explain())
				}
			}
		})
	}
}

// TestClusterNetworkPolicyV1alpha2SameGraph: a world written with v1alpha2
// ClusterNetworkPolicies gives the same matrix as with v1beta1.
func TestClusterNetworkPolicyV1alpha2SameGraph(t *testing.T) {
	specs := []string{
		"  subject: {namespaces: {}}\n  ingress:\n  - {name: r0, action: Pass, from: [{namespaces: {matchLabels: {team: red}}}], protocols: [{tcp: {destinationPort: {range: {start: 80, end: 81}}}}]}\n  - {action: Deny, from: [{pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: other}}}}]}\n  egress: [{action: Accept, to: [{networks: [10.0.0.0/8]}], protocols: [{destinationNamedPort: dns}]}]\n",
		"  subject: {pods: {namespaceSelector: {matchLabels: {team: blue}}, podSelector: {}}}\n  ingress: [{action: Deny, from: [{namespaces: {}}], protocols: [{udp: {destinationPort: {number: 53}}}, {sctp: {destinationPort: {number: 9}}}]}]\n",
	}
	var beta, alpha []string
	for i, s := range specs {
		tier := []string{"Admin", "Baseline"}[i%2]
		beta = append(beta, cnpDoc("v1beta1", fmt.Sprintf("c%d", i), tier, i, s))
		alpha = append(alpha, cnpDoc("v1alpha2", fmt.Sprintf("c%d", i), tier, i, s))
	}
	gb, err := Build(load(t, append([]string{cnpWorld}, beta...)...), Options{})
	require.NoError(t, err)
	ga, err := Build(load(t, append([]string{cnpWorld}, alpha...)...), Options{})
	require.NoError(t, err)
	assert.Equal(t, gb.Matrix(), ga.Matrix())
	assert.NotEqual(t, len(gb.Matrix().Edges), 0)
	assert.Empty(t, Diff(gb, ga))
}

// TestConcurrentQueries: after Build the graph is read only, so queries
// may run in parallel (run with -race).
func TestConcurrentQueries(t *testing.T) {
	g, err := Build(load(t, cnpWorld,
		cnpDoc("", "named", "Admin", 1, "  subject: {namespaces: {}}\n  ingress: [{action: Pass, from: [{namespaces: {}}], protocols: [{destinationNamedPort: http}]}]\n"),
		`{apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: {name: np, namespace: b}, spec: {podSelector: {}, ingress: [{ports: [{port: http}, {port: dns, protocol: UDP}]}]}}`),
		Options{})
	require.NoError(t, err)
	done := make(chan Matrix)
	for i := 0; i < 4; i++ {
		go func() {
			for _, src := range g.Endpoints() {
				for _, dst := range g.Endpoints() {
					for _, port := range []int32{53, 80, 81} {
						_ = g.Allowed(src, dst, port, corev1.ProtocolTCP)
						_ = g.Connections(src, dst)
					}
				}
			}
			_ = g.Exposure()
			done <- g.Matrix()
		}()
	}
	first := <-done
	for i := 1; i < 4; i++ {
		assert.Equal(t, first, <-done)
	}
}
