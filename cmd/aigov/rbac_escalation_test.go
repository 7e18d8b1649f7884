package main

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRBACEscalationsCut(t *testing.T) {
	code, out, stderr := aigov(t, "", "rbac", "escalations", "-f", rbacTestdata+"escalation.yaml", "--cut")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "User/dev (2 steps)")
	assert.Contains(t, out, "cut (exact minimum; verified): remove 1 grant(s) to cut the paths of 3 subject(s)\n")
	assert.Contains(t, out, "  - ClusterRoleBinding/deployer rule 0 verbs=[bind]")

	code, out, stderr = aigov(t, "", "rbac", "escalations", "-f", rbacTestdata+"escalation.yaml", "--cut", "-o", "json")
	require.Equal(t, 0, code, stderr)
	var doc struct {
		Paths []json.RawMessage `json:"paths"`
		Cut   *struct {
			Exact    bool `json:"exact"`
			Verified bool `json:"verified"`
			Grants   []struct {
				Binding   struct{ Kind, Name string } `json:"binding"`
				RuleIndex int                         `json:"ruleIndex"`
			} `json:"grants"`
		} `json:"cut"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	require.NotNil(t, doc.Cut)
	assert.Len(t, doc.Paths, 4)
	assert.True(t, doc.Cut.Exact)
	assert.True(t, doc.Cut.Verified)
	require.Len(t, doc.Cut.Grants, 1)
	assert.Equal(t, "deployer", doc.Cut.Grants[0].Binding.Name)

	// Without --cut the JSON has no cut field.
	code, out, _ = aigov(t, "", "rbac", "escalations", "-f", rbacTestdata+"escalation.yaml", "-o", "json")
	require.Equal(t, 0, code)
	assert.NotContains(t, out, `"cut"`)
}
