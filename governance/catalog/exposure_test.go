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
	// Mistake 5: the CV pods reach the recs vector store.
	if n := rows[want[0]].Network; !slices.Contains(n, "cv-team/cv-notebook (Deployment) TCP/6379") || !slices.Contains(n, "recs-team/recommender (Deployment) TCP/6379") {
		t.Errorf("redis-stack network: %v", n)
	}
	if n := rows[want[1]].Network; !slices.Equal(n, []string{"nlp-team/llm-service (Deployment) TCP/6333"}) {
		t.Errorf("qdrant network: %v", n)
	}
	// Mistake 1: the wildcard Role lets the CV group read the W&B key (its
	// impersonating the notebook's service account is not listed: it reads
	// the key directly); the notebook's job-launcher and the platform
	// admins can create workloads mounting it; the CV group and the admins
	// can also change the notebook Deployment's pod template to mount it.
	if a := rows[want[4]].Access; !slices.Equal(a, []string{
		"Group cv-engineers (read, create-pods, create-workloads, update-workloads, exec into Job/resnet50-finetune)",
		"Group platform-admins (create-workloads, update-workloads)",
		"ServiceAccount cv-team/cv-notebook (create-workloads)",
	}) {
		t.Errorf("wandb-api-key access: %v", a)
	}
}
