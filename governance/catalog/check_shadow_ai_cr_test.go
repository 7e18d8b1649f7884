package catalog

import "testing"

// TestShadowAIOperatorResource: a custom resource whose pods aigov derives
// (a LeaderWorkerSet serving vLLM) is reported once per kind of pod it
// runs, at its template, and not again as an AI asset at the same place.
func TestShadowAIOperatorResource(t *testing.T) {
	c := mustNew(t, NewShadowAI, "")
	lws := `apiVersion: leaderworkerset.x-k8s.io/v1
kind: LeaderWorkerSet
metadata: {name: vllm, namespace: ml}
spec:
  replicas: 1
  leaderWorkerTemplate:
    size: 2
    leaderTemplate:
      spec: {containers: [{name: leader, image: vllm/vllm-openai:v0.8.5}]}
    workerTemplate:
      spec: {containers: [{name: worker, image: vllm/vllm-openai:v0.8.5}]}
`
	why := ` runs outside the AI-approved namespaces: namespace "ml" is not labelled aigov.dev/ai-approved=true (recognised by image "vllm/vllm-openai:v0.8.5")`
	runCases(t, c, []checkCase{
		{name: "unapproved", manifest: nsManifest("ml", "{}") + "---\n" + lws,
			want: []string{
				`LeaderWorkerSet/vllm spec.leaderWorkerTemplate.leaderTemplate.spec.containers[0].image: inference-server LeaderWorkerSet "vllm"` + why,
				`LeaderWorkerSet/vllm spec.leaderWorkerTemplate.workerTemplate.spec.containers[0].image: inference-server LeaderWorkerSet "vllm"` + why,
			}},
	})
}
