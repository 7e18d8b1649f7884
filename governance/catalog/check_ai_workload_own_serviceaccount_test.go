package catalog

import "testing"

func TestAIWorkloadOwnServiceAccount(t *testing.T) {
	c := mustNew(t, NewAIWorkloadOwnServiceAccount, "")
	runCases(t, c, []checkCase{
		{name: "own", manifest: podManifest("Deployment", "llm", "", "{serviceAccountName: llm, containers: [{name: v, image: vllm/vllm-openai:v1}]}")},
		{name: "not AI may use default", manifest: podManifest("Deployment", "web", "", "{containers: [{name: web, image: nginx}]}")},
		{name: "default", manifest: podManifest("Deployment", "llm", "", "{containers: [{name: v, image: vllm/vllm-openai:v1}]}"),
			want: []string{`Deployment/llm spec.template.spec.serviceAccountName: inference-server Deployment "llm" runs as the namespace's default ServiceAccount`}},
		{name: "explicit default, GPU only", manifest: podManifest("Deployment", "g", "", "{serviceAccountName: default, containers: [{name: a, image: x, resources: {limits: {amd.com/gpu: 1}}}]}"),
			want: []string{`Deployment/g spec.template.spec.serviceAccountName: GPU workload Deployment "g" runs as the namespace's default ServiceAccount`}},
		{name: "shared", manifest: podManifest("Deployment", "llm", "", "{serviceAccountName: ml, containers: [{name: v, image: vllm/vllm-openai:v1}]}") + "---\n" +
			podManifest("StatefulSet", "vdb", "", "{serviceAccountName: ml, containers: [{name: q, image: qdrant/qdrant:v1}]}") + "---\n" +
			podManifest("Deployment", "web", "", "{serviceAccountName: ml, containers: [{name: web, image: nginx}]}"),
			want: []string{
				`Deployment/llm spec.template.spec.serviceAccountName: inference-server Deployment "llm" shares ServiceAccount "ml" with StatefulSet/vdb`,
				`StatefulSet/vdb spec.template.spec.serviceAccountName: vector-database StatefulSet "vdb" shares ServiceAccount "ml" with Deployment/llm`,
			}},
	})
	runParamCases(t, NewAIWorkloadOwnServiceAccount, noParamCases)
}
