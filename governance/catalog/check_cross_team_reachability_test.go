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
	runParamCases(t, NewCrossTeamReachability, []paramCase{
		{"", ""}, {`{"teamLabel": "owner", "allowed": ["x->y"]}`, ""},
		{`{"allowed": ["x"]}`, "is not SOURCE->DESTINATION"},
		{`{"teamLabel": "bad label!"}`, "teamLabel"},
		{`{"shared": "a in (("}`, "shared"},
	})
}
