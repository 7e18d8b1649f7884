package govtest_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/aigov/aigov/governance/govtest"
)

// recorder is a govtest.T that records failures instead of failing.
type recorder struct{ errors []string }

func (*recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}
func (r *recorder) FailNow() { panic("FailNow") }

func TestAssertionsReportFailures(t *testing.T) {
	r := &recorder{}
	inv := govtest.Load(r, "../../examples/multitenant")
	findings := govtest.Findings(r, inv)
	assert.False(t, govtest.NoFindings(r, inv))
	assert.False(t, govtest.HasFinding(r, findings, "privileged-container", "Job/nope"))
	assert.False(t, govtest.NoFinding(r, findings, "privileged-container", "Job/resnet50-finetune"))
	assert.True(t, govtest.HasFinding(r, findings, "privileged-container", "Job/resnet50-finetune"))
	assert.Len(t, r.errors, 3)
}

func TestLoadFailsOnBadInput(t *testing.T) {
	r := &recorder{}
	assert.PanicsWithValue(t, "FailNow", func() { govtest.Load(r, "testdata/does-not-exist.yaml") })
	assert.NotEmpty(t, r.errors)
}
