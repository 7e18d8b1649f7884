package govtest_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/catalog"
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

// TestUnknownCheckFails: a misspelt or unknown check ID fails both
// assertions instead of letting NoFinding pass vacuously, and says what
// was meant.
func TestUnknownCheckFails(t *testing.T) {
	r := &recorder{}
	findings := exampleFindings(r)
	assert.False(t, govtest.NoFinding(r, findings, "privileged-contianer", "Job/cv-team/resnet50-finetune"))
	assert.False(t, govtest.HasFinding(r, findings, "no-such-check", "Job/resnet50-finetune"))
	assert.False(t, govtest.NoFinding(r, findings, "", "resnet50-finetune"), "an object without a kind")
	assert.False(t, govtest.NoFinding(r, findings, "", "Job//resnet50-finetune"))
	if assert.Len(t, r.errors, 4) {
		assert.Contains(t, r.errors[0], `unknown check "privileged-contianer"`)
		assert.Contains(t, r.errors[0], `did you mean "privileged-container"?`)
		assert.Contains(t, r.errors[2], `object "resnet50-finetune" is not Kind/name`)
	}
	assert.Empty(t, govtest.FindingsOf(findings, "privileged-contianer", ""))
}

// TestEveryPrintedObjectForm: the object as `aigov check` prints it
// (Kind/namespace/name), as JSON gives it (Kind/name, namespace apart) and
// namespace/Kind/name all find the finding, so NoFinding fails on each.
func TestEveryPrintedObjectForm(t *testing.T) {
	r := &recorder{}
	findings := exampleFindings(r)
	for _, object := range []string{"Job/cv-team/resnet50-finetune", "Job/resnet50-finetune", "cv-team/Job/resnet50-finetune"} {
		assert.True(t, govtest.HasFinding(r, findings, "privileged-container", object), object)
		assert.False(t, govtest.NoFinding(r, findings, "privileged-container", object), object)
	}
	assert.Len(t, r.errors, 3)
	// Another namespace in either three-part form matches nothing.
	r = &recorder{}
	assert.True(t, govtest.NoFinding(r, findings, "privileged-container", "Job/nlp-team/resnet50-finetune"))
	assert.True(t, govtest.NoFinding(r, findings, "privileged-container", "nlp-team/Job/resnet50-finetune"))
	// Cluster-scoped objects print without a leading slash.
	assert.True(t, govtest.HasFinding(r, findings, "gpu-limitrange-cap", "Namespace/cv-team"))
	assert.Empty(t, r.errors)
}

// TestAliasMeansItsCheck: an alias of a catalog check (sa-token-automount
// is automount-token in check runs) selects the check's findings.
func TestAliasMeansItsCheck(t *testing.T) {
	r := &recorder{}
	findings := exampleFindings(r)
	assert.True(t, govtest.HasFinding(r, findings, "sa-token-automount", "Deployment/platform/ai-gateway"))
	assert.False(t, govtest.NoFinding(r, findings, "sa-token-automount", "Deployment/platform/ai-gateway"))
	assert.Len(t, r.errors, 1)
	assert.Equal(t, govtest.FindingsOf(findings, "automount-token", ""), govtest.FindingsOf(findings, "sa-token-automount", ""))
}

// TestResultKnowsItsRules: Run's assertions accept exactly the checks it
// ran, so a custom check without findings can be asserted absent, and a
// catalog check that did not run is unknown.
func TestResultKnowsItsRules(t *testing.T) {
	r := &recorder{}
	inv := govtest.Load(r, "../../examples/multitenant")
	quiet := governance.Check{ID: "team-quiet", Severity: governance.SeverityLow,
		Object: func(*governance.Object) []governance.Violation { return nil }}
	priv, err := catalog.NewPrivilegedContainer(nil)
	require.NoError(t, err)
	res := govtest.Run(r, inv, governance.Rule{Check: quiet}, governance.Rule{Check: priv})
	assert.True(t, res.NoFinding(r, "team-quiet", ""))
	assert.True(t, res.HasFinding(r, "privileged-container", "Job/cv-team/resnet50-finetune"))
	assert.Empty(t, r.errors)
	assert.False(t, res.NoFinding(r, "latest-tag", "Deployment/cv-team/cv-notebook"), "latest-tag did not run")
	assert.False(t, govtest.NoFinding(r, res.Findings, "team-quiet", ""), "the package function knows only the catalog and the findings")
	assert.Len(t, r.errors, 2)
}

// exampleFindings are the default catalog's findings on
// examples/multitenant.
func exampleFindings(r *recorder) []governance.Finding {
	return govtest.Findings(r, govtest.Load(r, "../../examples/multitenant"))
}
