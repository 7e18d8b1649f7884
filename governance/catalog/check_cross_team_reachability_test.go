package catalog

import "testing"

func TestCrossTeamReachability(t *testing.T) {
	nsA := nsManifest("a-ns", "{team: a}")
	nsB := nsManifest("b-ns", "{team: b}")
	nsP := nsManifest("plat", "{team: platform, isolation-level: shared}")
	srcA := deployIn("a-ns", "client", "", "{containers: [{name: c, image: curl}]}")
	dstB := deployIn("b-ns", "api", "", "{containers: [{name: a, image: nginx, ports: [{containerPort: 8080}]}]}")
	gw := deployIn("plat", "gateway", "", "{containers: [{name: g, image: litellm}]}")
	egressDeny := `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: no-egress, namespace: b-ns}
spec: {podSelector: {}, policyTypes: [Egress]}
`
	isolated := join(denyAll("a-ns"), denyAll("b-ns"), denyAll("plat"))
	c := mustNew(t, NewCrossTeamReachability, "")
	runContainsCases(t, c, []containsCase{
		{name: "pass: isolated", manifest: join(nsA, nsB, srcA, dstB, isolated)},
		{name: "pass: shared namespace exempt", manifest: join(nsA, nsB, nsP, srcA, dstB, gw, denyAll("a-ns"))},
		{name: "fail: open", manifest: join(nsA, nsB, srcA, dstB, egressDeny), want: []string{
			"Deployment/api : b-ns/api of team b is reachable from a-ns/client (Deployment) of team a on all; egress not restricted; ingress not restricted",
		}},
	})
	allowed := mustNew(t, NewCrossTeamReachability, `{"allowed": ["a->b"], "shared": ""}`)
	runContainsCases(t, allowed, []containsCase{
		{name: "pass: allowed pair", manifest: join(nsA, nsB, srcA, dstB, egressDeny)},
		{name: "fail: shared exemption off", manifest: join(nsA, nsP, srcA, gw), want: []string{
			"Deployment/client : a-ns/client of team a is reachable from plat/gateway (Deployment) of team platform",
			"Deployment/gateway : plat/gateway of team platform is reachable from a-ns/client (Deployment) of team a",
		}},
	})
	// Aggregated sources: team a has a-ns (client, worker) and a2-ns
	// (batch, idle, the latter cut off by its egress policy).
	nsA2 := nsManifest("a2-ns", "{team: a}")
	worker := deployIn("a-ns", "worker", "", "{containers: [{name: w, image: curl}]}")
	batch := deployIn("a2-ns", "batch", "", "{containers: [{name: b, image: curl}]}")
	idle := deployIn("a2-ns", "idle", "", "{containers: [{name: i, image: curl}]}")
	idleNoEgress := `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: idle-no-egress, namespace: a2-ns}
spec: {podSelector: {matchLabels: {app: idle}}, policyTypes: [Egress]}
`
	onlyPort := `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api-8080, namespace: b-ns}
spec:
  podSelector: {matchLabels: {app: api}}
  policyTypes: [Ingress]
  ingress:
  - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: a-ns}}}]
  - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: a2-ns}}}]
    ports: [{port: 8080}]
`
	runContainsCases(t, c, []containsCase{
		{name: "fail: a whole team is one source", manifest: join(nsA, nsB, srcA, worker, dstB, egressDeny), want: []string{
			"Deployment/api : b-ns/api of team b is reachable from team a (all 2 workloads) on all; egress not restricted; ingress not restricted",
		}},
		{name: "fail: a whole namespace of a team is one source, the others are named", manifest: join(nsA, nsA2, nsB, srcA, worker, batch, idle, dstB, egressDeny, idleNoEgress), want: []string{
			"Deployment/api : b-ns/api of team b is reachable from 3 workloads on all: namespace a-ns of team a (all 2 workloads), a2-ns/batch (Deployment) of team a; egress not restricted; ingress not restricted",
		}},
		{name: "fail: one finding per destination and ports, rules of every source", manifest: join(nsA, nsA2, nsB, srcA, worker, batch, dstB, egressDeny, onlyPort), want: []string{
			"Deployment/api : b-ns/api of team b is reachable from a2-ns/batch (Deployment) of team a on TCP/8080; egress not restricted; ingress allowed by NetworkPolicy b-ns/api-8080 ingress[1]",
			"Deployment/api : b-ns/api of team b is reachable from namespace a-ns of team a (all 2 workloads) on all; egress not restricted; ingress allowed by NetworkPolicy b-ns/api-8080 ingress[0]",
		}},
	})
	runParamCases(t, NewCrossTeamReachability, []paramCase{
		{"", ""}, {`{"teamLabel": "owner", "allowed": ["x->y"]}`, ""},
		{`{"allowed": ["x"]}`, "is not SOURCE->DESTINATION"},
		{`{"teamLabel": "bad label!"}`, "teamLabel"},
		{`{"shared": "a in (("}`, "shared"},
	})
}
