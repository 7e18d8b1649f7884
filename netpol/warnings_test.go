package netpol

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
)

// TestUnmodelledPeersWarn: ANP and CNP egress peers aigov has no
// endpoints for (nodes, domainNames) and ANP ports with an unknown
// protocol match nothing; each is a warning naming the policy and rule
// instead of being dropped silently.
func TestUnmodelledPeersWarn(t *testing.T) {
	anpDoc := `{apiVersion: policy.networking.k8s.io/v1alpha1, kind: AdminNetworkPolicy, metadata: {name: ext}, spec: {priority: 3, subject: {namespaces: {matchLabels: {team: red}}}, egress: [
	  {name: to-nodes, action: Deny, to: [{nodes: {matchLabels: {role: control-plane}}}]},
	  {name: to-llm-api, action: Allow, to: [{domainNames: ["api.openai.com"]}]},
	  {name: odd-port, action: Deny, to: [{namespaces: {}}], ports: [{portNumber: {protocol: ICMP, port: 80}}, {portNumber: {port: 81}}]}]}}`
	banpDoc := `{apiVersion: policy.networking.k8s.io/v1alpha1, kind: BaselineAdminNetworkPolicy, metadata: {name: default}, spec: {subject: {namespaces: {}}, egress: [{action: Deny, to: [{nodes: {}}]}]}}`
	cnp := cnpDoc("", "cnp-ext", "Admin", 4, "  subject: {namespaces: {matchLabels: {team: red}}}\n"+
		"  egress: [{name: kubelet, action: Deny, to: [{nodes: {}}]}, {name: llm, action: Accept, to: [{domainNames: ['*.example.com']}]}]\n")
	g, err := Build(load(t, tierWorld, anpDoc, banpDoc, cnp), Options{})
	require.NoError(t, err)
	requireWarning(t, g, "AdminNetworkPolicy ext egress[0] (to-nodes)", "nodes peer not modelled")
	requireWarning(t, g, "AdminNetworkPolicy ext egress[1] (to-llm-api)", "domainNames peer [api.openai.com] not modelled")
	requireWarning(t, g, "AdminNetworkPolicy ext egress[2]: ports[0]", `unknown protocol "ICMP"`)
	requireWarning(t, g, "BaselineAdminNetworkPolicy default egress[0]", "nodes peer not modelled")
	requireWarning(t, g, "ClusterNetworkPolicy cnp-ext egress[0] (kubelet)", "nodes peer not modelled")
	requireWarning(t, g, "ClusterNetworkPolicy cnp-ext egress[1] (llm)", "domainNames peer [*.example.com] not modelled")
	assert.Len(t, g.Warnings(), 6)

	// The ICMP entry matches nothing; the TCP/81 entry of the same rule
	// still denies, and pods stay reachable on the other ports.
	p, q := mustLookup(t, g, "a/p"), mustLookup(t, g, "b/q")
	assert.True(t, g.Reachable(p, q, 80, corev1.ProtocolTCP))
	assert.False(t, g.Reachable(p, q, 81, corev1.ProtocolTCP))
}
