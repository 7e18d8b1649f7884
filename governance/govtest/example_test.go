package govtest_test

import (
	"fmt"

	"github.com/aigov/aigov/governance/govtest"
)

// printT is a govtest.T for examples: it prints failures. Tests pass their
// *testing.T instead.
type printT struct{ failed bool }

func (*printT) Helper() {}
func (p *printT) Errorf(format string, args ...any) {
	p.failed = true
	fmt.Printf("FAIL: "+format+"\n", args...)
}
func (p *printT) FailNow() { panic("govtest: FailNow") }

func ExampleLoad() {
	t := &printT{}
	inv := govtest.Load(t, "../../examples/multitenant/fixed")
	fmt.Println(inv.Len() > 0, govtest.NoFindings(t, inv))
	// Output: true true
}

func ExampleHasFinding() {
	t := &printT{}
	inv := govtest.Load(t, "../../examples/multitenant")
	findings := govtest.Findings(t, inv) // catalog.Default()
	fmt.Println(govtest.HasFinding(t, findings, "privileged-container", "cv-team/Job/resnet50-finetune"))
	for _, f := range govtest.FindingsOf(findings, "privileged-container", "") {
		fmt.Println(f.Object, f.Path)
	}
	// Output:
	// true
	// Job/resnet50-finetune spec.template.spec.containers[0].securityContext.privileged
}

func ExampleAssertDenies() {
	t := &printT{}
	privileged := `
apiVersion: v1
kind: Pod
metadata: {name: root, namespace: team-a}
spec:
  containers:
  - {name: app, image: "registry.example.com/app:1.0", securityContext: {privileged: true}}
`
	compliant := `
apiVersion: v1
kind: Pod
metadata: {name: app, namespace: team-a}
spec:
  containers:
  - {name: app, image: "registry.example.com/app:1.0"}
`
	fmt.Println(govtest.AssertDenies(t, "testdata/policy.yaml", privileged, `"app"`, "securityContext.privileged"))
	fmt.Println(govtest.AssertAdmits(t, "testdata/policy.yaml", compliant))
	// Output:
	// true
	// true
}

func ExampleAdmit() {
	t := &printT{}
	resp := govtest.Admit(t, "testdata/policy.yaml", `
apiVersion: v1
kind: Namespace
metadata: {name: team-a, labels: {team: a}}
---
apiVersion: v1
kind: Pod
metadata: {name: app, namespace: team-a}
spec:
  containers:
  - {name: app, image: "registry.example.com/app:latest"}
`)
	fmt.Println(resp.Allowed, len(resp.Warnings))
	// Output: true 1
}
