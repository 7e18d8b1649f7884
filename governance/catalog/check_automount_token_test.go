package catalog

import (
	"slices"
	"strings"
	"testing"

	"github.com/aigov/aigov/governance"
)

func TestAutomountToken(t *testing.T) {
	c := mustNew(t, NewAutomountToken, "")
	runCases(t, c, []checkCase{
		{name: "false passes", manifest: podManifest("Pod", "p", "", "{automountServiceAccountToken: false, containers: [{name: a, image: x}]}")},
		{name: "false in a StatefulSet passes", manifest: podManifest("StatefulSet", "db", "", "{automountServiceAccountToken: false, containers: [{name: a, image: x}]}")},
		{name: "absent pod", manifest: podManifest("Pod", "p", "", "{containers: [{name: a, image: x}]}"),
			want: []string{`Pod/p spec.automountServiceAccountToken: automountServiceAccountToken is not set: the service account token is mounted into the pod`}},
		{name: "true Job", manifest: podManifest("Job", "train", "", "{automountServiceAccountToken: true, containers: [{name: a, image: x}]}"),
			want: []string{`Job/train spec.template.spec.automountServiceAccountToken: automountServiceAccountToken is true: the service account token is mounted into the pod`}},
		{name: "absent CronJob", manifest: podManifest("CronJob", "cj", "", "{containers: [{name: a, image: x}]}"),
			want: []string{`CronJob/cj spec.jobTemplate.spec.template.spec.automountServiceAccountToken: automountServiceAccountToken is not set: the service account token is mounted into the pod`}},
		{name: "service account opt-out is not consulted", manifest: "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: default, namespace: ml}\nautomountServiceAccountToken: false\n---\n" +
			podManifest("Deployment", "d", "", "{containers: [{name: a, image: x}]}"),
			want: []string{`Deployment/d spec.template.spec.automountServiceAccountToken: automountServiceAccountToken is not set: the service account token is mounted into the pod`}},
		// Operator resources: each template is judged at its path; a KServe
		// runtime holds no pod-level fields (the InferenceService sets the
		// token), so only the InferenceService's predictor is reported.
		{name: "RayCluster worker group", manifest: `apiVersion: ray.io/v1
kind: RayCluster
metadata: {name: rc, namespace: ml}
spec:
  headGroupSpec: {template: {spec: {automountServiceAccountToken: false, containers: [{name: head, image: x}]}}}
  workerGroupSpecs: [{groupName: gpu, template: {spec: {containers: [{name: w, image: x}]}}}]
`, want: []string{`RayCluster/rc spec.workerGroupSpecs[0].template.spec.automountServiceAccountToken: automountServiceAccountToken is not set: the service account token is mounted into the pod`}},
		{name: "ServingRuntime passes, InferenceService predictor does not", manifest: `apiVersion: serving.kserve.io/v1alpha1
kind: ServingRuntime
metadata: {name: hf, namespace: ml}
spec:
  supportedModelFormats: [{name: huggingface, autoSelect: true}]
  containers: [{name: kserve-container, image: kserve/huggingfaceserver:v0.20.0}]
---
apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata: {name: llm, namespace: ml}
spec: {predictor: {model: {modelFormat: {name: huggingface}, storageUri: "hf://org/model"}}}
`, want: []string{`InferenceService/llm spec.predictor.automountServiceAccountToken: automountServiceAccountToken is not set: the service account token is mounted into the pod`}},
	})
}

func TestAutomountTokenParams(t *testing.T) { runParamCases(t, NewAutomountToken, noParamCases) }

// TestAutomountTokenAliasSATokenAutomount: one cause, one finding. The
// default catalog reports an automounted token once, as automount-token
// (the secrets rule sa-token-automount is not a catalog check), and the
// rule's ID is an alias: a policy entry naming it builds automount-token,
// and an exemption annotation naming it exempts the object.
func TestAutomountTokenAliasSATokenAutomount(t *testing.T) {
	engine := defaultEngine(t)
	manifest := podManifest("Deployment", "d", "", "{automountServiceAccountToken: true, containers: [{name: a, image: x}]}") + "---\n" +
		strings.Replace(podManifest("Deployment", "exempt", "", "{automountServiceAccountToken: true, containers: [{name: a, image: x}]}"),
			"metadata: {name: exempt, namespace: ml}", "metadata: {name: exempt, namespace: ml, annotations: {aigov.dev/exempt: sa-token-automount, aigov.dev/exempt-reason: calls the API}}", 1)
	var got []string
	for _, f := range engine.Run(loadInventory(t, manifest)) {
		if strings.HasSuffix(f.Path, "automountServiceAccountToken") {
			got = append(got, f.Check+" "+f.Object.String())
		}
	}
	if want := []string{"automount-token Deployment/d"}; !slices.Equal(got, want) {
		t.Errorf("token findings = %q, want %q", got, want)
	}

	policy, err := governance.ParsePolicy("policy.yaml", []byte(`apiVersion: aigov.dev/v1alpha1
kind: GovernancePolicy
metadata: {name: p}
spec:
  checks:
  - id: sa-token-automount
`))
	if err != nil {
		t.Fatal(err)
	}
	prules, err := policy.Rules(Definitions())
	if err != nil {
		t.Fatal(err)
	}
	if len(prules) != 1 || prules[0].Check.ID != IDAutomountToken || prules[0].Check.Admission == nil {
		t.Errorf("policy entry sa-token-automount built %+v, want automount-token with its admission form", prules)
	}
}
