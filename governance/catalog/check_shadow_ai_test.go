package catalog

import "testing"

func TestShadowAI(t *testing.T) {
	c := mustNew(t, NewShadowAI, "")
	llm := podManifest("Deployment", "llm", "", "{containers: [{name: v, image: vllm/vllm-openai:v1}]}")
	gpu := podManifest("Job", "burn", "", "{restartPolicy: Never, containers: [{name: a, image: registry.example.com/x:1, resources: {limits: {nvidia.com/gpu: 2}}}]}")
	gpuDeploy := podManifest("Deployment", "miner", "", "{containers: [{name: a, image: registry.example.com/x:1, resources: {limits: {nvidia.com/mig-1g.5gb: 1}}}]}")
	runCases(t, c, []checkCase{
		{name: "approved", manifest: nsManifest("ml", `{aigov.dev/ai-approved: "true"}`) + "---\n" + llm + "---\n" + gpu},
		{name: "not AI", manifest: nsManifest("ml", "{}") + "---\n" + podManifest("Deployment", "web", "", "{containers: [{name: web, image: nginx}]}")},
		{name: "unapproved", manifest: nsManifest("ml", `{aigov.dev/ai-approved: "false"}`) + "---\n" + llm + "---\n" + gpu + "---\n" + gpuDeploy,
			want: []string{
				`Deployment/llm spec.template.spec.containers[0].image: inference-server Deployment "llm" runs outside the AI-approved namespaces: namespace "ml" is not labelled aigov.dev/ai-approved=true (recognised by image "vllm/vllm-openai:v1")`,
				`Job/burn spec.template.spec.containers[0].resources.limits[nvidia.com/gpu]: training-job Job "burn" runs outside the AI-approved namespaces: namespace "ml" is not labelled aigov.dev/ai-approved=true (recognised by Job requesting nvidia.com/gpu)`,
				`Deployment/miner spec.template.spec.containers[0].resources.limits[nvidia.com/mig-1g.5gb]: GPU workload Deployment "miner" runs outside the AI-approved namespaces: namespace "ml" is not labelled aigov.dev/ai-approved=true (recognised by nvidia.com/mig-1g.5gb: 1)`,
			}},
		{name: "namespace not in input", manifest: llm,
			want: []string{`Deployment/llm spec.template.spec.containers[0].image: inference-server Deployment "llm" runs outside the AI-approved namespaces: namespace "ml" is not in the input (recognised by image "vllm/vllm-openai:v1")`}},
		{name: "custom resource", manifest: nsManifest("ml", "{}") + "---\napiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata: {name: isvc, namespace: ml}\n",
			want: []string{`InferenceService/isvc kind: inference-server InferenceService "isvc" runs outside the AI-approved namespaces: namespace "ml" is not labelled aigov.dev/ai-approved=true (recognised by kind InferenceService.serving.kserve.io)`}},
	})
	bare := mustNew(t, NewShadowAI, `{"approvalLabel": "platform.example.com/ai"}`)
	runCases(t, bare, []checkCase{
		{name: "any value", manifest: nsManifest("ml", "{platform.example.com/ai: tier-1}") + "---\n" + llm},
	})
}

func TestShadowAIParams(t *testing.T) {
	runParamCases(t, NewShadowAI, []paramCase{
		{"", ""},
		{`{"approvalLabel": "ai=yes"}`, ""},
		{`{"approvalLabel": "a b=yes"}`, `approvalLabel "a b"`},
		{`{"approvalLabel": "ai=not valid"}`, `approvalLabel value "not valid"`},
		{`{"label": "ai"}`, `unknown field "label"`},
	})
}
