package cel_test

import (
	"context"
	"fmt"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/aigov/aigov/cel"
	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/catalog"
)

func ExampleCompiler_Compile() {
	comp, err := cel.NewCompiler("1.30")
	if err != nil {
		panic(err)
	}
	prog, err := comp.Compile(cel.Rule{
		Name:              "owner-label",
		Expression:        `has(object.metadata.labels) && "owner" in object.metadata.labels`,
		MessageExpression: `object.kind + " " + object.metadata.name + " needs an owner label"`,
	})
	if err != nil {
		panic(err)
	}
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "llm", Namespace: "team-a"}}
	r := prog.Evaluate(context.Background(), pod, cel.Input{})
	fmt.Println(r.Allowed, r.Message)

	_, err = comp.Compile(cel.Rule{Name: "semver", Expression: `isSemver(object.metadata.name)`})
	fmt.Println(err != nil)
	// Output:
	// false Pod llm needs an owner label
	// true
}

func ExampleCompiler_Generate() {
	policy, err := governance.ParsePolicy("policy.yaml", []byte(`
apiVersion: aigov.dev/v1alpha1
kind: GovernancePolicy
metadata: {name: ai-platform}
spec:
  checks:
  - id: allowed-registries
    action: Warn
    params: {registries: [registry.example.com]}
`))
	if err != nil {
		panic(err)
	}
	comp, err := cel.NewCompiler(policy.KubernetesVersion)
	if err != nil {
		panic(err)
	}
	gs, err := comp.Generate(policy, catalog.Definitions())
	if err != nil {
		panic(err)
	}
	adm, err := cel.NewAdmission(
		[]*admissionregistrationv1.ValidatingAdmissionPolicy{gs[0].Policy},
		[]*admissionregistrationv1.ValidatingAdmissionPolicyBinding{gs[0].Binding})
	if err != nil {
		panic(err)
	}
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "team-a"},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "nginx:1.27"}}}}
	resp, err := adm.Admit(context.Background(), cel.Request{Object: pod})
	if err != nil {
		panic(err)
	}
	fmt.Println(gs[0].Policy.Name, resp.Allowed)
	fmt.Println(resp.Warnings[0])
	// Output:
	// aigov-ai-platform-allowed-registries true
	// Validation failed for ValidatingAdmissionPolicy 'aigov-ai-platform-allowed-registries' with binding 'aigov-ai-platform-allowed-registries': container "app" uses image "nginx:1.27" from registry "docker.io", which is not allowed (allowed: registry.example.com)
}
