package catalog

import "testing"

func TestInferenceProbes(t *testing.T) {
	c := mustNew(t, NewInferenceProbes, "")
	probe := "{httpGet: {path: /health, port: 8000}}"
	runCases(t, c, []checkCase{
		{name: "probed", manifest: podManifest("Deployment", "llm", "", "{initContainers: [{name: s, image: x, restartPolicy: Always}], containers: [{name: v, image: vllm/vllm-openai:v1, readinessProbe: "+probe+", livenessProbe: "+probe+"}]}")},
		{name: "not AI", manifest: podManifest("Deployment", "web", "", "{containers: [{name: web, image: nginx}]}")},
		{name: "embedding without probes", manifest: podManifest("Deployment", "tei", "", "{containers: [{name: t, image: ghcr.io/huggingface/text-embeddings-inference:1.5, livenessProbe: "+probe+"}]}"),
			want: []string{`Deployment/tei spec.template.spec.containers[0].readinessProbe: embedding-service Deployment "tei": container "t" has no readinessProbe`}},
		{name: "labelled inference pod", manifest: podManifest("Pod", "p", "{app.kubernetes.io/component: inference}", "{containers: [{name: a, image: registry.example.com/a:1}]}"),
			want: []string{
				`Pod/p spec.containers[0].livenessProbe: inference-server Pod "p": container "a" has no livenessProbe`,
				`Pod/p spec.containers[0].readinessProbe: inference-server Pod "p": container "a" has no readinessProbe`,
			}},
		{name: "vector db exempt", manifest: podManifest("StatefulSet", "q", "", "{containers: [{name: q, image: qdrant/qdrant:v1}]}")},
	})
	runParamCases(t, NewInferenceProbes, noParamCases)
}
