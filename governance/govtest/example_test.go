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
	// RayCluster/cv-ray spec.workerGroupSpecs[0].template.spec.containers[0].securityContext.privileged
}
