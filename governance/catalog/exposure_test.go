package catalog

import (
	"slices"
	"strings"
	"testing"

	"github.com/aigov/aigov/governance/report"
)

func TestExposuresOnExamplePlatform(t *testing.T) {
	inv := loadExample(t, ".")
	rows := map[string]report.Exposure{}
	var order []string
	for _, e := range Exposures(inv) {
		k := e.Asset + " " + e.Object.Kind + "/" + e.Object.Namespace + "/" + e.Object.Name
		rows[k] = e
		order = append(order, k)
	}
	want := []string{
		// Mistake 11: the InferencePool behind the inference Gateway
		// selects every nlp pod, the vLLM Deployment among them.
		"model-server Deployment/nlp-team/llm-service",
		"model-server LeaderWorkerSet/nlp-team/llama-chat",
		"vector-database Deployment/recs-team/redis-stack",
		"vector-database StatefulSet/nlp-team/qdrant",
		"model-store PersistentVolumeClaim/cv-team/cv-notebook-home",
		"model-store PersistentVolumeClaim/cv-team/cv-training-data",
		"provider-key Secret/cv-team/wandb-api-key",
		"provider-key Secret/nlp-team/huggingface-token",
		"provider-key Secret/platform/ai-gateway-master-key",
		"provider-key Secret/platform/openai-api-key",
	}
	if !slices.Equal(order, want) {
		t.Fatalf("rows:\n%s\nwant:\n%s", strings.Join(order, "\n"), strings.Join(want, "\n"))
	}
	// Mistake 5: the CV pods reach the recs vector store (the whole team
	// as one source when every workload of it does).
	if n := rows[want[2]].Network; !slices.ContainsFunc(n, func(s string) bool {
		return strings.HasPrefix(s, "team cv (all ") && strings.HasSuffix(s, " workloads) TCP/6379") || s == "cv-team/cv-notebook (Deployment) TCP/6379"
	}) || !slices.Contains(n, "recs-team/recommender (Deployment) TCP/6379") {
		t.Errorf("redis-stack network: %v", n)
	}
	// Mistake 11: the InferencePool selects qdrant's pods too, so the
	// inference Gateway reaches the vector database.
	if n := rows[want[3]].Network; !slices.Equal(n, []string{
		"Gateway platform/inference-gateway listener https (HTTPRoute nlp-team/llama-chat spec.rules[0].backendRefs[0] -> InferencePool nlp-team/llama-chat)",
		"nlp-team/llm-service (Deployment) TCP/6333"}) {
		t.Errorf("qdrant network: %v", n)
	}
	// Mistake 1: the wildcard Role lets the CV group read the W&B key (its
	// impersonating the notebook's service account is not listed: it reads
	// the key directly); the notebook's job-launcher and the platform
	// admins can create workloads mounting it; the CV group and the admins
	// can also change the notebook Deployment's pod template to mount it.
	if a := rows[want[6]].Access; !slices.Equal(a, []string{
		"Group/cv-engineers (read, create-pods, create-workloads, update-workloads, exec into Job/resnet50-finetune)",
		"Group/platform-admins (create-workloads, update-workloads)",
		"ServiceAccount/cv-team/cv-notebook (create-workloads)",
	}) {
		t.Errorf("wandb-api-key access: %v", a)
	}
}

// TestExposuresThroughGateways follows Gateway listener -> HTTPRoute ->
// Service or InferencePool -> pods: a model server some listener reaches
// is a model-server row, and a vector database behind a route gets the
// route among its network sources.
func TestExposuresThroughGateways(t *testing.T) {
	qdrant := deployIn("ml", "qdrant", "", "{containers: [{name: q, image: qdrant/qdrant:v1.9}]}")
	qdrantSvc := strings.NewReplacer("name: llm", "name: qdrant", "{app: vllm}", "{app: qdrant}").Replace(gwService)
	gw := gateway("infra", "[{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}, {name: https, port: 443, protocol: HTTPS, allowedRoutes: {namespaces: {from: All}}}]")
	route := httpRouteManifest("ml", `  parentRefs: [{name: gw, namespace: infra, sectionName: https}]
  rules:
  - backendRefs: [{group: inference.networking.k8s.io, kind: InferencePool, name: llama}]
  - backendRefs: [{name: qdrant, port: 80}]
`)
	inv := loadInventory(t, join(nsManifest("ml", "{}"), gwModelServer, deployIn("ml", "idle", "", "{containers: [{name: v, image: vllm/vllm-openai:v1}]}"),
		gwPool, qdrant, qdrantSvc, gw, route, denyAll("ml")))
	rows := map[string]report.Exposure{}
	var order []string
	for _, e := range Exposures(inv) {
		k := e.Asset + " " + e.Object.Kind + "/" + e.Object.Namespace + "/" + e.Object.Name
		rows[k] = e
		order = append(order, k)
	}
	if want := []string{"model-server Deployment/ml/vllm", "vector-database Deployment/ml/qdrant"}; !slices.Equal(order, want) {
		t.Fatalf("rows %v, want %v (the idle inference server no route reaches is not a row)", order, want)
	}
	if n := rows["model-server Deployment/ml/vllm"].Network; !slices.Equal(n, []string{
		"Gateway infra/gw listener https (HTTPRoute ml/chat spec.rules[0].backendRefs[0] -> InferencePool ml/llama)",
	}) {
		t.Errorf("vllm network: %v", n)
	}
	if n := rows["vector-database Deployment/ml/qdrant"].Network; !slices.Equal(n, []string{
		"Gateway infra/gw listener https (HTTPRoute ml/chat spec.rules[1].backendRefs[0] -> Service ml/qdrant:80)",
	}) {
		t.Errorf("qdrant network: %v", n)
	}
	// Detached (the listener admits only its own namespace): no row, no way in.
	detached := strings.Replace(gw, "from: All", "from: Same", -1)
	inv = loadInventory(t, join(nsManifest("ml", "{}"), gwModelServer, gwPool, qdrant, qdrantSvc, detached, route, denyAll("ml")))
	for _, e := range Exposures(inv) {
		if e.Asset == ExposureModelServer || len(e.Network) > 0 {
			t.Errorf("detached route: %+v", e)
		}
	}
}
