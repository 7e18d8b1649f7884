package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	rbacTestdata = "../../rbac/testdata/"
	rbacAuditLog = rbacTestdata + "audit/usage.log"
)

func TestRBACLint(t *testing.T) {
	code, out, stderr := aigov(t, "", "rbac", "lint", "-f", rbacTestdata+"lint/fail.yaml", "-o", "json")
	require.Equal(t, 1, code, stderr)
	var r struct {
		SchemaVersion int `json:"schemaVersion"`
		Findings      []struct {
			Check, Object, Path string
			Line                int
		} `json:"findings"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &r))
	assert.Equal(t, 1, r.SchemaVersion)
	require.NotEmpty(t, r.Findings)
	assert.Equal(t, "rbac-empty-rule", r.Findings[0].Check)
	assert.Positive(t, r.Findings[0].Line)

	code, out, _ = aigov(t, "", "rbac", "lint", "-f", rbacTestdata+"lint/pass.yaml")
	assert.Equal(t, 0, code)
	assert.Equal(t, "no findings\n", out)
}

func TestRBACUnused(t *testing.T) {
	code, out, stderr := aigov(t, "", "rbac", "unused", "-f", rbacPlatform, "--audit", rbacAuditLog)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "11 events, 9 distinct requests")
	assert.Contains(t, out, "whole rule: verbs=[update patch]")

	code, out, stderr = aigov(t, "", "rbac", "unused", "-f", rbacPlatform, "--audit", rbacAuditLog, "-o", "json")
	require.Equal(t, 0, code, stderr)
	var r struct {
		Events int `json:"events"`
		Unused []struct {
			Used        bool     `json:"used"`
			UnusedVerbs []string `json:"unusedVerbs"`
		} `json:"unused"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &r))
	assert.Equal(t, 11, r.Events)
	assert.Len(t, r.Unused, 5)

	code, _, stderr = aigov(t, "", "rbac", "unused", "-f", rbacPlatform, "--audit", rbacTestdata+"audit/bad.log")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "audit/bad.log:2: not an audit event")
	code, _, _ = aigov(t, "", "rbac", "unused", "-f", rbacPlatform)
	assert.Equal(t, 2, code, "--audit is required")
}

func TestRBACGenerate(t *testing.T) {
	code, out, stderr := aigov(t, "", "rbac", "generate", "--audit", rbacAuditLog, "--serviceaccount", "llm:inference")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "kind: Role\n")
	assert.Contains(t, out, "kind: RoleBinding\n")
	assert.NotContains(t, out, "ClusterRole")
	assert.NotContains(t, out, "creationTimestamp")

	// The generated YAML loads and answers yes for the observed request.
	code, _, stderr = aigov(t, out, "rbac", "can-i", "get", "secrets/openai-key", "-n", "llm", "--as", "system:serviceaccount:llm:inference", "-f", "-")
	assert.Equal(t, 0, code, stderr)
	code, _, _ = aigov(t, out, "rbac", "can-i", "get", "secrets/other", "-n", "llm", "--as", "system:serviceaccount:llm:inference", "-f", "-")
	assert.Equal(t, 1, code)

	code, out, stderr = aigov(t, "", "rbac", "generate", "--audit", rbacAuditLog, "--user", "system:serviceaccount:monitoring:dcgm-exporter", "--name", "dcgm")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "kind: ClusterRole\n")
	assert.Contains(t, out, "name: dcgm\n")
	assert.Contains(t, out, "/metrics")

	for _, args := range [][]string{
		{"rbac", "generate", "--audit", rbacAuditLog},
		{"rbac", "generate", "--audit", rbacAuditLog, "--user", "a", "--serviceaccount", "b:c"},
		{"rbac", "generate", "--audit", rbacAuditLog, "--serviceaccount", "nocolon"},
		{"rbac", "generate", "--user", "a"},
		{"rbac", "generate", "--audit", rbacAuditLog, "--user", "a", "-o", "json"},
	} {
		code, _, _ := aigov(t, "", args...)
		assert.Equal(t, 2, code, strings.Join(args, " "))
	}
	code, _, _ = aigov(t, "", "rbac", "generate", "--audit", rbacAuditLog, "--user", "nobody")
	assert.Equal(t, 1, code)
}

func TestRBACDiff(t *testing.T) {
	before, after := rbacTestdata+"diff/before.yaml", rbacTestdata+"diff/after.yaml"
	code, out, stderr := aigov(t, "", "rbac", "diff", "--before", before, "--after", after, "-o", "json")
	require.Equal(t, 1, code, stderr)
	var r struct {
		Added []struct {
			Subject   struct{ Kind, Name string } `json:"subject"`
			Namespace string                      `json:"namespace"`
		} `json:"added"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &r))
	require.Len(t, r.Added, 2)
	assert.Equal(t, "alice", r.Added[0].Subject.Name)
	assert.Equal(t, "llm", r.Added[1].Namespace)

	code, out, _ = aigov(t, "", "rbac", "diff", "--before", after, "--after", before)
	assert.Equal(t, 0, code)
	assert.Equal(t, "no new access\n", out)
	code, _, _ = aigov(t, "", "rbac", "diff", "--before", before)
	assert.Equal(t, 2, code)
}

func TestRBACEscalations(t *testing.T) {
	code, out, stderr := aigov(t, "", "rbac", "escalations", "-f", rbacTestdata+"escalation.yaml")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "User/dev (2 steps)")
	assert.Contains(t, out, "can create a pod in namespace ci and run it as ServiceAccount ci/deployer")
}

func TestRBACGenerateDiff(t *testing.T) {
	code, out, stderr := aigov(t, "", "rbac", "generate", "--audit", rbacAuditLog, "--serviceaccount", "llm:inference", "--diff", "-f", rbacPlatform)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "kind: Role\n")
	assert.Contains(t, out, "# diff: 1 grant(s) bound to ServiceAccount llm/inference today")
	assert.Contains(t, out, "#   RoleBinding/llm/inference -> Role/llm/inference rule 1: verbs get\n")
	// The section is YAML comments: the output still loads.
	code, _, stderr = aigov(t, out, "rbac", "can-i", "get", "secrets/openai-key", "-n", "llm", "--as", "system:serviceaccount:llm:inference", "-f", "-")
	assert.Equal(t, 0, code, stderr)
}
