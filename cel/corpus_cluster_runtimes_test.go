package cel

import (
	"context"
	"testing"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/catalog"
)

// TestClusterRuntimesNotJudgedByNamespace: the cluster-wide runtimes
// (ClusterServingRuntime, ClusterTrainingRuntime) have no namespace, so
// the apiserver gives their policies no namespaceObject; the Go checks
// that judge an AI asset by its namespace skip them. The -operators
// policies of shadow-ai and sensitive-workload-classification, which
// match the runtimes, must admit a runtime that is an AI asset by its
// class label, not fail on the missing namespace (which, with
// failurePolicy Fail, would refuse every such runtime).
func TestClusterRuntimesNotJudgedByNamespace(t *testing.T) {
	comp, loader := diffSetup(t)
	runtimes := []map[string]any{
		{"apiVersion": "serving.kserve.io/v1alpha1", "kind": "ClusterServingRuntime",
			"metadata": map[string]any{"name": "vllm", "labels": map[string]any{"aigov.dev/ai-class": "inference-server"}},
			"spec":     map[string]any{"supportedModelFormats": []any{map[string]any{"name": "vllm"}}, "containers": []any{map[string]any{"name": "kserve-container", "image": "vllm/vllm-openai:v1"}}}},
		{"apiVersion": "trainer.kubeflow.org/v1alpha1", "kind": "ClusterTrainingRuntime",
			"metadata": map[string]any{"name": "torch", "labels": map[string]any{"aigov.dev/ai-class": "training-job"}},
			"spec": map[string]any{"template": map[string]any{"spec": map[string]any{"replicatedJobs": []any{map[string]any{"name": "node", "replicas": 1,
				"template": map[string]any{"spec": map[string]any{"template": map[string]any{"spec": map[string]any{"restartPolicy": "Never",
					"containers": []any{map[string]any{"name": "node", "image": "pytorch/pytorch:2.4.0"}}}}}}}}}}}},
	}
	for _, id := range []string{catalog.IDShadowAI, catalog.IDSensitiveWorkloadClassification} {
		adm := entryAdmission(t, comp, "cluster", governance.PolicyEntry{ID: id, Action: governance.ActionDeny})
		check := newGoCheck(t, governance.PolicyEntry{ID: id})
		for _, m := range runtimes {
			lc := loadCase(t, loader, diffCase{name: m["kind"].(string), manifest: m})
			if ns := lc.obj.Meta().GetNamespace(); ns != "" {
				t.Fatalf("%s decoded into namespace %q, want none", lc.name, ns)
			}
			goDenies, why := goVerdict(check, lc.obj, namespaceObject(t, loader, diffNamespace("difftest", "cluster")))
			resp, err := adm.Admit(context.Background(), Request{Object: lc.obj.Obj})
			if err != nil {
				t.Fatal(err)
			}
			if goDenies || !resp.Allowed {
				t.Errorf("%s %s: Go denies=%v %v; policy denies=%v (%s), want neither", id, lc.name, goDenies, why, !resp.Allowed, resp.Message)
			}
		}
	}
}
