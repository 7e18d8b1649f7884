package catalog

import "testing"

func TestAIInternetEgress(t *testing.T) {
	llm := deployIn("ml", "llm", "", "{containers: [{name: v, image: vllm/vllm-openai:v1}]}")
	web := deployIn("ml", "web", "", "{containers: [{name: w, image: nginx}]}")
	egress := func(cidr string) string {
		return `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: egress, namespace: ml}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
  egress: [{to: [{ipBlock: {cidr: "` + cidr + `"}}], ports: [{port: 443}]}]
`
	}
	c := mustNew(t, NewAIInternetEgress, "")
	runContainsCases(t, c, []containsCase{
		{name: "pass: private ranges only", manifest: join(llm, web, egress("10.0.0.0/8"))},
		{name: "pass: namespace allows", manifest: join(nsManifest("ml", "{aigov.dev/allow-internet-egress: 'true'}"), llm, egress("0.0.0.0/0"))},
		{name: "pass: not an AI workload", manifest: join(web, egress("0.0.0.0/0"))},
		{name: "fail: internet on 443", manifest: join(nsManifest("ml", "{}"), llm, web, egress("0.0.0.0/0")), want: []string{
			`Deployment/llm spec.template.spec: inference-server Deployment "llm" (pods ml/llm) reaches the internet (0.0.0.0/0 except private and cluster ranges) on TCP/443, and namespace ml is not labelled aigov.dev/allow-internet-egress=true; egress allowed by NetworkPolicy ml/egress egress[0]`,
		}},
		{name: "fail: public ipBlock", manifest: join(llm, egress("203.0.113.0/24")), want: []string{
			`reaches the internet (203.0.113.0/24) on TCP/443`,
		}},
	})
	notebooks := mustNew(t, NewAIInternetEgress, `{"classes": ["notebook"]}`)
	runContainsCases(t, notebooks, []containsCase{{name: "pass: class not judged", manifest: join(llm, egress("0.0.0.0/0"))}})
	runParamCases(t, NewAIInternetEgress, []paramCase{
		{"", ""}, {`{"classes": ["training-job"]}`, ""},
		{`{"classes": ["gpu"]}`, "unknown AI class"}, {`{"classes": []}`, "at least one"},
	})
}

// TestAIInternetEgressByClass: an inference server whose pods fall into
// two classes, each with its own egress to two internet ranges.
func TestAIInternetEgressByClass(t *testing.T) {
	c := mustNew(t, NewAIInternetEgress, "")
	// 10.0.1.1 reaches 8.8.8.8 on DNS only; both pods reach the rest of
	// the internet on 443.
	egress := `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: llm-egress, namespace: a-ns}
spec:
  podSelector: {matchLabels: {app: llm}}
  policyTypes: [Egress]
  egress:
  - to: [{ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8, 8.8.8.8/32]}}]
    ports: [{port: 443}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: one-pod-dns, namespace: a-ns}
spec:
  podSelector: {matchLabels: {app: llm}}
  policyTypes: [Egress]
  egress:
  - to: [{ipBlock: {cidr: 8.8.8.8/32}}]
    ports: [{port: 53, protocol: UDP}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: from-one-pod, namespace: b-ns}
spec:
  podSelector: {}
  policyTypes: [Ingress]
  ingress: [{from: [{ipBlock: {cidr: 10.0.1.1/32}}]}]
`
	runContainsCases(t, c, []containsCase{
		{name: "fail: pods of two classes, two internet ranges", manifest: join(
			nsManifest("a-ns", "{team: a}"), nsManifest("b-ns", "{team: b}"), egress,
			splitDeployment("a-ns", "llm", "", "{name: v, image: vllm/vllm-openai:v1}", "10.0.1.1", "10.0.1.2"),
			deployIn("b-ns", "web", "", "{containers: [{name: w, image: nginx}]}")), want: []string{
			"Deployment/llm spec.template.spec: inference-server Deployment \"llm\" (pods a-ns/llm-7d-0) reaches the internet (0.0.0.0-8.8.8.7, 8.8.8.9-9.255.255.255, 11.0.0.0-255.255.255.255) on TCP/443, and namespace a-ns is not labelled aigov.dev/allow-internet-egress=true; egress allowed by NetworkPolicy a-ns/llm-egress egress[0]; ingress not restricted",
			"Deployment/llm spec.template.spec: inference-server Deployment \"llm\" (pods a-ns/llm-7d-0) reaches the internet (8.8.8.8/32) on UDP/53, and namespace a-ns is not labelled aigov.dev/allow-internet-egress=true; egress allowed by NetworkPolicy a-ns/one-pod-dns egress[0]; ingress not restricted",
			"Deployment/llm spec.template.spec: inference-server Deployment \"llm\" (pods a-ns/llm-7d-1) reaches the internet (0.0.0.0-8.8.8.7, 8.8.8.9-9.255.255.255, 11.0.0.0-255.255.255.255) on TCP/443, and namespace a-ns is not labelled aigov.dev/allow-internet-egress=true; egress allowed by NetworkPolicy a-ns/llm-egress egress[0]; ingress not restricted",
			"Deployment/llm spec.template.spec: inference-server Deployment \"llm\" (pods a-ns/llm-7d-1) reaches the internet (8.8.8.8/32) on UDP/53, and namespace a-ns is not labelled aigov.dev/allow-internet-egress=true; egress allowed by NetworkPolicy a-ns/one-pod-dns egress[0]; ingress not restricted",
		}},
	})
}
