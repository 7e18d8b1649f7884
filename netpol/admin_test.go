package netpol

import (
	"testing"

	"github.com/stretchr/testify/assert"
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
