package celtest_test

import (
	"fmt"

	"github.com/aigov/aigov/cel/celtest"
)

// printT is a govtest.T for examples: it prints failures. Tests pass their
// *testing.T instead.
type printT struct{ failed bool }

func (*printT) Helper() {}
func (p *printT) Errorf(format string, args ...any) {
	p.failed = true
	fmt.Printf("FAIL: "+format+"\n", args...)
}
func (p *printT) FailNow() { panic("celtest: FailNow") }

func ExampleAssertDenies() {
	t := &printT{}
	// privilegedPod and compliantPod are Pod manifests (YAML), the first
	// with a privileged container.
	fmt.Println(celtest.AssertDenies(t, "testdata/policy.yaml", privilegedPod, `"app"`, "securityContext.privileged"))
	fmt.Println(celtest.AssertAdmits(t, "testdata/policy.yaml", compliantPod))
	// Output:
	// true
	// true
}

func ExampleAdmit() {
	t := &printT{}
	resp := celtest.Admit(t, "testdata/policy.yaml", `
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
