package catalog

import "testing"

func TestVectorDBIsolation(t *testing.T) {
	qdrant := func(meta string) string {
		return `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: qdrant, namespace: ml` + meta + `}
spec:
  serviceName: qdrant
  selector: {matchLabels: {app: qdrant}}
  template:
    metadata: {labels: {app: qdrant}}
    spec: {containers: [{name: q, image: "qdrant/qdrant:v1.12.4", ports: [{containerPort: 6333}]}]}
`
	}
	ingress := func(from string) string {
		return `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: qdrant-in, namespace: ml}
spec:
  podSelector: {matchLabels: {app: qdrant}}
  policyTypes: [Ingress]
  ingress: [{from: [` + from + `], ports: [{port: 6333}]}]
`
	}
	llm := deployIn("ml", "llm", "", "{containers: [{name: v, image: vllm/vllm-openai:v1}]}")
	web := deployIn("ml", "web", "", "{containers: [{name: w, image: nginx}]}")
	other := deployIn("other", "scraper", "", "{containers: [{name: s, image: curl}]}")
	onlyLLM := ingress("{podSelector: {matchLabels: {app: llm}}}")
	everyone := ingress("{namespaceSelector: {}}")
	c := mustNew(t, NewVectorDBIsolation, "")
	runContainsCases(t, c, []containsCase{
		{name: "pass: only the consumer", manifest: join(qdrant(""), llm, other, onlyLLM)},
		{name: "pass: same namespace when undeclared", manifest: join(qdrant(""), llm, web, ingress("{podSelector: {}}"))},
		{name: "pass: declared by annotation", manifest: join(qdrant(", annotations: {aigov.dev/consumers: 'llm, other/scraper'}"), llm, other, everyone)},
		{name: "fail: other namespace", manifest: join(qdrant(""), llm, other, everyone), want: []string{
			`StatefulSet/qdrant metadata.annotations[aigov.dev/consumers]: vector-database StatefulSet "qdrant" is reachable from other/scraper (Deployment) on TCP/6333, which is not a declared consumer (none declared: pods of namespace ml); egress not restricted; ingress allowed by NetworkPolicy ml/qdrant-in ingress[0]`,
		}},
		{name: "fail: declared by label, web is not", manifest: join(qdrant(", labels: {aigov.dev/consumers: llm}"), llm, web, ingress("{podSelector: {}}")), want: []string{
			`reachable from ml/web (Deployment) on TCP/6333, which is not a declared consumer (consumers: llm)`,
		}},
		{name: "fail: no policy at all, external too", manifest: join(qdrant(""), llm), want: []string{
			`is reachable from external 0.0.0.0/0`,
		}},
	})
	withParam := mustNew(t, NewVectorDBIsolation, `{"consumers": {"ml/qdrant": ["other/scraper"]}}`)
	runContainsCases(t, withParam, []containsCase{
		{name: "fail: param replaces the namespace default", manifest: join(qdrant(""), llm, other, everyone), want: []string{
			`reachable from ml/llm (Deployment)`,
		}},
	})
	runParamCases(t, NewVectorDBIsolation, []paramCase{
		{"", ""}, {`{"consumers": {"ml/q": ["a", "b/c"]}}`, ""},
		{`{"consumers": {"q": ["a"]}}`, "is not namespace/name"},
		{`{"consumers": {"ml/q": ["a", "a"]}}`, "duplicate"},
	})
}

// TestVectorDBIsolationByClass: the check pairs the endpoints of the
// class pairs that reach a vector database; a finding gathers the class
// pairs of one set of ports, listing their rules in pair order.
func TestVectorDBIsolationByClass(t *testing.T) {
	c := mustNew(t, NewVectorDBIsolation, "")
	spec := "{containers: [{name: c, image: nginx}]}"
	vdbIngress := `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: vdb-in, namespace: b-ns}
spec:
  podSelector: {matchLabels: {app: vdb}}
  policyTypes: [Ingress]
  ingress: [{from: [{namespaceSelector: {}}]}]
`
	runContainsCases(t, c, []containsCase{
		{name: "fail: a database over two classes, sources of two classes", manifest: join(
			nsManifest("a-ns", "{team: a}"), nsManifest("b-ns", "{team: b}"), clientEgress, vdbIngress,
			splitDeployment("b-ns", "vdb", "", `{name: q, image: "qdrant/qdrant:v1.12.4", ports: [{containerPort: 6333}]}`, "10.0.2.1", "10.0.2.2"),
			deployIn("a-ns", "client", "", spec), deployIn("a-ns", "worker", "", spec), deployIn("b-ns", "reader", "", spec)), want: []string{
			"Deployment/vdb metadata.annotations[aigov.dev/consumers]: vector-database Deployment \"vdb\" is reachable from a-ns/client (Deployment) on TCP/6333,TCP/8080,TCP/8265, which is not a declared consumer (none declared: pods of namespace b-ns); egress allowed by NetworkPolicy a-ns/client-egress egress[1]; ingress allowed by NetworkPolicy b-ns/vdb-in ingress[0]",
			"Deployment/vdb metadata.annotations[aigov.dev/consumers]: vector-database Deployment \"vdb\" is reachable from team a (all 2 workloads) on all, which is not a declared consumer (none declared: pods of namespace b-ns); egress allowed by NetworkPolicy a-ns/client-egress egress[0] and not restricted for the other sources; ingress allowed by NetworkPolicy b-ns/vdb-in ingress[0]",
		}},
	})
}
