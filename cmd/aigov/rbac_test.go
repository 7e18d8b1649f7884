package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const rbacPlatform = "../../rbac/testdata/platform.yaml"

func TestRBACCanI(t *testing.T) {
	cases := []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"get", "secrets/openai-key", "-n", "llm", "--as", "system:serviceaccount:llm:inference"}, 0, "yes\n"},
		{[]string{"list", "secrets", "-n", "llm", "--as", "system:serviceaccount:llm:inference"}, 1, "no\n"},
		{[]string{"create", "pods", "--subresource", "exec", "-n", "llm", "--as", "alice", "--as-group", "ml-team"}, 1, "no\n"},
		{[]string{"patch", "deployments.apps", "--subresource", "scale", "-n", "llm", "--as", "alice", "--as-group", "ml-team"}, 0, "yes\n"},
		// --as-group replaces the service account's implicit groups.
		{[]string{"list", "inferenceservices.serving.kserve.io", "-n", "llm", "--as", "system:serviceaccount:llm:x", "--as-group", "system:unauthenticated"}, 1, "no\n"},
		{[]string{"list", "inferenceservices.serving.kserve.io", "-n", "llm", "--as", "system:serviceaccount:llm:x"}, 0, "yes\n"},
		{[]string{"get", "/metrics/gpu", "--as", "system:serviceaccount:monitoring:dcgm-exporter"}, 0, "yes\n"},
		{[]string{"get", "nodes/gpu-1", "--subresource", "proxy", "-A", "--as", "system:serviceaccount:monitoring:dcgm-exporter"}, 0, "yes\n"},
		{[]string{"get", "pods", "--as", "root", "--as-group", "system:masters"}, 0, "yes\n"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			code, out, stderr := aigov(t, "", append([]string{"rbac", "can-i", "-f", rbacPlatform}, c.args...)...)
			assert.Equal(t, c.code, code, stderr)
			assert.Equal(t, c.out, out)
		})
	}
}

func TestRBACCanIExplainAndJSON(t *testing.T) {
	code, out, _ := aigov(t, "", "rbac", "can-i", "get", "secrets/openai-key", "-n", "llm", "--as", "system:serviceaccount:llm:inference", "-f", rbacPlatform, "--explain")
	require.Equal(t, 0, code)
	assert.Contains(t, out, `allowed by RoleBinding/llm/inference of Role/llm/inference to ServiceAccount/llm/inference, rule 0`)

	code, out, _ = aigov(t, "", "rbac", "can-i", "get", "pods", "-n", "llm", "--as", "bob", "-f", rbacPlatform, "--explain")
	require.Equal(t, 1, code)
	assert.Contains(t, out, "does-not-exist")

	// A denial explains itself with the library's ExplainDenial: the
	// bindings that apply and the rule that came closest.
	code, out, _ = aigov(t, "", "rbac", "can-i", "create", "pods", "--subresource", "exec", "-n", "nlp-team", "--as", "bob", "--as-group", "nlp-engineers", "-f", platform, "--explain")
	require.Equal(t, 1, code)
	assert.Contains(t, out, "bindings: ClusterRoleBinding/ml-engineers-gpu-capacity (ClusterRole/gpu-capacity-viewer), RoleBinding/nlp-team/nlp-engineers-developer (Role/nlp-team/nlp-developer)")
	assert.Contains(t, out, "closest: RoleBinding/nlp-team/nlp-engineers-developer rule")

	code, out, _ = aigov(t, "", "rbac", "can-i", "get", "configmaps", "-n", "llm", "--as", "system:serviceaccount:llm:inference", "-f", rbacPlatform, "-o", "json")
	require.Equal(t, 0, code)
	var r struct {
		SchemaVersion int  `json:"schemaVersion"`
		Allowed       bool `json:"allowed"`
		Grants        []struct {
			RuleIndex int `json:"ruleIndex"`
		} `json:"grants"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &r))
	assert.Equal(t, 1, r.SchemaVersion)
	assert.True(t, r.Allowed)
	require.Len(t, r.Grants, 1)
	assert.Equal(t, 1, r.Grants[0].RuleIndex)
}

func TestRBACCanIList(t *testing.T) {
	code, out, stderr := aigov(t, "", "rbac", "can-i", "--list", "-n", "llm", "--as", "alice", "--as-group", "ml-team", "-f", rbacPlatform)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "pods/*")
	assert.Contains(t, out, "inferenceservices.serving.kserve.io")
}

func TestRBACUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"rbac", "can-i", "get", "pods", "-f", rbacPlatform},                               // no --as
		{"rbac", "can-i", "get", "-f", rbacPlatform, "--as", "a"},                          // one argument
		{"rbac", "can-i", "get", "pods", "-n", "x", "-A", "-f", rbacPlatform, "--as", "a"}, // -n and -A
		{"rbac", "who-can", "get", "pods", "-f", rbacPlatform, "-o", "yaml"},
	} {
		code, _, _ := aigov(t, "", args...)
		assert.Equal(t, 2, code, args)
	}
}

func TestRBACWhoCan(t *testing.T) {
	code, out, stderr := aigov(t, "", "rbac", "who-can", "get", "configmaps", "-n", "llm", "-f", rbacPlatform, "-o", "json")
	require.Equal(t, 0, code, stderr)
	var r struct {
		Subjects []struct {
			Subject struct{ Kind, Namespace, Name string } `json:"subject"`
		} `json:"subjects"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &r))
	var got []string
	for _, s := range r.Subjects {
		got = append(got, s.Subject.Kind+"/"+s.Subject.Namespace+"/"+s.Subject.Name)
	}
	assert.Equal(t, []string{"ServiceAccount/llm/inference", "Group//system:masters"}, got)
}

func TestRBACRisks(t *testing.T) {
	code, out, stderr := aigov(t, "", "rbac", "risks", "-f", rbacPlatform)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "NODES_PROXY")
	code, _, _ = aigov(t, "", "rbac", "risks", "-f", rbacPlatform, "--fail-on", "critical")
	assert.Equal(t, 1, code)
}
