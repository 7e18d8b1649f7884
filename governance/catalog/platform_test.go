package catalog

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aigov/aigov/governance"
)

// platformFindings runs Default over an examples/multitenant variant and
// renders "check namespace Kind/name path".
func platformFindings(t *testing.T, dir string) []string {
	t.Helper()
	engine := defaultEngine(t)
	loader, err := governance.NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	inv, err := loader.Load(filepath.Join("..", "..", "examples", "multitenant", dir))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range engine.Run(inv) {
		out = append(out, fmt.Sprintf("%s %s %s %s: %s", f.Check, f.Object.Namespace, f.Object, f.Path, f.Message))
	}
	return out
}

// TestDefaultOnExamplePlatform: the default rules find the planted
// mistakes of examples/multitenant that catalog checks can see, and nothing
// on fixed/.
func TestDefaultOnExamplePlatform(t *testing.T) {
	got := platformFindings(t, ".")
	for _, want := range []string{
		// Mistake 2: pods/logs.
		`rbac-unknown-resource nlp-team Role/nlp-developer rules[3].resources[0]: Role/nlp-team/nlp-developer rule 3: "pods" has no subresource "logs"`,
		// Mistakes 6b and 6c: privileged training container in a namespace relaxed to privileged.
		`pod-security-level cv-team Job/resnet50-finetune spec.template.spec.containers[*].securityContext.privileged: Job "resnet50-finetune" violates PodSecurity "baseline:latest": privileged`,
		`privileged-container cv-team Job/resnet50-finetune spec.template.spec.containers[0].securityContext.privileged:`,
		// Mistake 6a, 6d, 7.
		`latest-tag cv-team Deployment/cv-notebook spec.template.spec.containers[0].image:`,
		`container-limits recs-team Deployment/recommender spec.template.spec.containers[0].resources.limits[cpu]:`,
		`automount-token platform Deployment/ai-gateway spec.template.spec.automountServiceAccountToken:`,
		// The mistakes variant does not pin the model-serving images.
		`model-image-digest nlp-team Deployment/llm-service spec.template.spec.containers[0].image: inference-server Deployment "llm-service": container "vllm" image "vllm/vllm-openai:v0.6.3" is not pinned`,
	} {
		if !slices.ContainsFunc(got, func(s string) bool { return strings.HasPrefix(s, want) }) {
			t.Errorf("no finding starting with %s", want)
		}
	}
	if t.Failed() {
		t.Log("findings:\n" + strings.Join(got, "\n"))
	}
	fixed := platformFindings(t, "fixed")
	if len(fixed) > 0 {
		t.Errorf("findings on fixed/:\n%s", strings.Join(fixed, "\n"))
	}
}
