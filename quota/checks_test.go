package quota_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/quota"
)

func TestChecks(t *testing.T) {
	loader, err := governance.NewLoader()
	require.NoError(t, err)
	inv, err := loader.Load("../cmd/aigov/testdata/quota/platform.yaml")
	require.NoError(t, err)
	var rules []governance.Rule
	for _, d := range quota.Checks() {
		c, err := d.New(nil)
		require.NoError(t, err)
		rules = append(rules, governance.Rule{Check: c, Action: governance.ActionDeny})
	}
	eng, err := governance.NewEngine(rules...)
	require.NoError(t, err)
	var got []string
	for _, f := range eng.Run(inv) {
		got = append(got, f.Check+" "+f.Object.Namespace+" "+f.Object.String()+" "+f.Path+": "+f.Message)
	}
	assert.ElementsMatch(t, []string{
		`quota-invalid-key nlp ResourceQuota/tutorial spec.hard[limits.gpu]: spec.hard[limits.gpu]: Invalid value: "limits.gpu": must be a standard resource type or fully qualified (use requests.nvidia.com/gpu); spec.hard[limits.gpu]: Invalid value: "limits.gpu": must be a standard resource for quota (use requests.nvidia.com/gpu)`,
		`quota-inert-key vision-dev ResourceQuota/inert spec.hard[nvidia.com/gpu]: key nvidia.com/gpu is never enforced: no quota evaluator tracks this key; extended resources are limited only as requests.<name> (use requests.nvidia.com/gpu)`,
		`gpu-without-quota nlp Job/finetune spec.template.spec: namespace nlp runs Job/finetune asking for nvidia.com/gpu, and no ResourceQuota caps requests.nvidia.com/gpu there`,
		`limitrange-max-becomes-default vision LimitRange/defaults spec.limits[0].max[cpu]: max cpu 4 is also the default limit (a max without default is copied into default): a container that does not state cpu gets limit 4 and request 4`,
	}, got)
}

// TestChecksDefinitions: every definition takes no parameters, names the
// kinds it reads, says truthfully whether it has a VAP, and builds a valid check that matches it; the
// definitions are fresh on every call.
func TestChecksDefinitions(t *testing.T) {
	defs := quota.Checks()
	require.Len(t, defs, 7)
	seen := map[string]bool{}
	for _, d := range defs {
		assert.False(t, seen[d.ID], "duplicate %s", d.ID)
		seen[d.ID] = true
		assert.NotEmpty(t, d.Description, d.ID)
		assert.NotEmpty(t, d.Kinds, d.ID)
		c, err := d.New(nil)
		require.NoError(t, err, d.ID)
		// quota-inert-key, quota-invalid-key, limitrange-max-becomes-default
		// and invalid-resource-quantity have admission forms (quota-invalid-key's
		// repeats the key rule of the apiserver's validation).
		vap := []string{"quota-inert-key", "quota-invalid-key", "limitrange-max-becomes-default", "invalid-resource-quantity"}
		assert.Equal(t, slices.Contains(vap, d.ID), d.VAP, d.ID)
		assert.Equal(t, d.VAP, c.Admission != nil, d.ID)
		require.NoError(t, c.Validate())
		assert.Equal(t, []any{d.ID, d.Severity, d.Description}, []any{c.ID, c.Severity, c.Description})
		assert.NotEmpty(t, c.Remediation, d.ID)
		_, err = d.New(json.RawMessage(`{"max": 1}`))
		assert.ErrorContains(t, err, `unknown params "max"`, d.ID)
	}
	defs[0].Kinds[0] = "changed"
	assert.NotEqual(t, "changed", quota.Checks()[0].Kinds[0])
}
