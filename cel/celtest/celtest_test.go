package celtest_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/aigov/aigov/cel/celtest"
	"github.com/aigov/aigov/governance"
)

// recorder is a govtest.T that records failures instead of failing.
type recorder struct{ errors []string }

func (*recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}
func (r *recorder) FailNow() { panic("FailNow") }

const privilegedPod = `
apiVersion: v1
kind: Pod
metadata: {name: root, namespace: team-a}
spec:
  containers:
  - {name: app, image: "registry.example.com/app:1.0", securityContext: {privileged: true}}
`

const compliantPod = `
apiVersion: v1
kind: Pod
metadata: {name: app, namespace: team-a}
spec:
  containers:
  - {name: app, image: "registry.example.com/app:1.0"}
`

func TestAssertionsReportFailures(t *testing.T) {
	r := &recorder{}
	assert.False(t, celtest.AssertAdmits(r, "testdata/policy.yaml", privilegedPod))
	assert.False(t, celtest.AssertDenies(r, "testdata/policy.yaml", compliantPod))
	assert.False(t, celtest.AssertDenies(r, "testdata/policy.yaml", privilegedPod, "no such text"))
	assert.Len(t, r.errors, 3)

	r = &recorder{}
	assert.True(t, celtest.AssertDenies(r, "testdata/policy.yaml", privilegedPod, `"app"`))
	assert.True(t, celtest.AssertAdmits(r, "testdata/policy.yaml", compliantPod))
	assert.Empty(t, r.errors)
}

func TestSetupErrorsFailNow(t *testing.T) {
	r := &recorder{}
	assert.PanicsWithValue(t, "FailNow", func() { celtest.Admission(r, "testdata/does-not-exist.yaml") })
	assert.NotEmpty(t, r.errors)

	r = &recorder{}
	assert.PanicsWithValue(t, "FailNow", func() { celtest.Admit(r, "testdata/policy.yaml", "") })
	assert.NotEmpty(t, r.errors, "an empty objectYAML")
}

func TestPolicyRules(t *testing.T) {
	rules := celtest.PolicyRules(t, "testdata/policy.yaml")
	assert.Len(t, rules, 2)
	assert.Equal(t, governance.ActionWarn, rules[1].Action)
}
