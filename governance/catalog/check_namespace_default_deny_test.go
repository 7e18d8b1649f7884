package catalog

import "testing"

func TestNamespaceDefaultDeny(t *testing.T) {
	web := deployIn("ml", "web", "", "{containers: [{name: w, image: nginx}]}")
	ingressOnly := `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-in, namespace: ml}
spec: {podSelector: {}, policyTypes: [Ingress]}
`
	runContainsCases(t, mustNew(t, NewNamespaceDefaultDeny, ""), []containsCase{
		{name: "pass: default deny both ways", manifest: join(nsManifest("ml", "{}"), web, denyAll("ml"))},
		{name: "pass: no workloads", manifest: nsManifest("ml", "{}")},
		{name: "fail: no policy", manifest: join(nsManifest("ml", "{}"), web), want: []string{
			"Namespace/ml : namespace ml has no default-deny egress: no policy restricts the egress of ml/web",
			"Namespace/ml : namespace ml has no default-deny ingress: no policy restricts the ingress of ml/web",
		}},
		{name: "fail: ingress only, no Namespace object", manifest: join(web, ingressOnly), want: []string{
			"Deployment/web : namespace ml has no default-deny egress",
		}},
	})
	runContainsCases(t, mustNew(t, NewNamespaceDefaultDeny, `{"egress": false}`), []containsCase{
		{name: "pass: egress not required", manifest: join(web, ingressOnly)},
	})
	runParamCases(t, NewNamespaceDefaultDeny, []paramCase{{"", ""}, {`{"egress": true}`, ""}, {`{"egres": true}`, "unknown field"}})
}
