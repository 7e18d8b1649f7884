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
