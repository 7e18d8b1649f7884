package catalog

import (
	"strings"
	"testing"
)

func TestInferencePoolSelectsNonModelServers(t *testing.T) {
	c := mustNew(t, NewInferencePoolSelectsNonModelServers, "")
	broad := strings.Replace(gwPool, "{app: vllm}", "{serving: llm}", 1)
	threeWebReplicas := strings.Replace(gwWebFrontEnd, "spec:\n  selector", "spec:\n  replicas: 3\n  selector", 1)
	runCases(t, c, []checkCase{
		{name: "pass: selects the model server only", manifest: join(gwModelServer, gwWebFrontEnd, gwPool)},
		{name: "pass: selects nothing", manifest: join(gwWebFrontEnd, strings.Replace(gwPool, "{app: vllm}", "{app: gone}", 1))},
		{name: "pass: a broad label in another namespace", manifest: join(gwModelServer, deployIn("web", "web", "serving: llm", "{containers: [{name: w, image: nginx}]}"), broad)},
		{name: "fail: the selector also matches the web front end", manifest: join(gwModelServer, threeWebReplicas, broad), want: []string{
			`InferencePool/llama spec.selector.matchLabels: InferencePool "llama" selects 1 workload (3 pods) that is not a model server (Deployment/ml/web) besides 1 workload (1 pod) of model servers; inference requests reach them`,
		}},
		{name: "fail: no model server at all", manifest: join(gwWebFrontEnd, deployIn("ml", "db", "serving: llm", "{containers: [{name: q, image: qdrant/qdrant:v1}]}"), broad), want: []string{
			`InferencePool/llama spec.selector.matchLabels: InferencePool "llama" selects 2 workloads (2 pods) that are not model servers (Deployment/ml/db, Deployment/ml/web) and no model server; inference requests reach them`,
		}},
	})
	runParamCases(t, NewInferencePoolSelectsNonModelServers, noParamCases)
}
