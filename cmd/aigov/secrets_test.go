package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aigov/aigov/internal/golden"
	"github.com/aigov/aigov/secrets"
)

// TestSecretsScanGolden compares `secrets scan -o json` of the example
// platform and its fixed variant with testdata/secrets/*.json (rewrite with
// -update after an intended change).
func TestSecretsScanGolden(t *testing.T) {
	for _, tc := range []struct {
		dir, golden string
		code        int
	}{
		{platform, "scan-multitenant.json", 1},
		{platform + "/fixed", "scan-multitenant-fixed.json", 0},
	} {
		code, out, stderr := aigov(t, "", "secrets", "scan", "-f", tc.dir, "-o", "json")
		require.Equal(t, tc.code, code, stderr)
		golden.Assert(t, filepath.Join("testdata", "secrets", tc.golden), out)
	}
}

func TestSecretsScanFindsTheExampleKey(t *testing.T) {
	code, out, _ := aigov(t, "", "secrets", "scan", "-f", platform, "-o", "json")
	require.Equal(t, 1, code)
	var r struct {
		SchemaVersion int `json:"schemaVersion"`
		Findings      []map[string]string
	}
	require.NoError(t, json.Unmarshal([]byte(out), &r))
	assert.Equal(t, 1, r.SchemaVersion)
	assert.Contains(t, r.Findings, map[string]string{"rule": "secret-literal-provider-key", "object": "Deployment/ai-gateway",
		"namespace": "platform", "path": "spec.template.spec.containers[0].env[0].value", "provider": "openai"})
	assert.Contains(t, r.Findings, map[string]string{"rule": "secret-stringdata-in-source", "object": "Secret/huggingface-token",
		"namespace": "nlp-team", "path": "stringData", "provider": ""})
	for _, f := range r.Findings {
		assert.Len(t, f, 5, "fixed shape: rule, object, namespace, path, provider")
	}
}

func TestSecretsScanFlags(t *testing.T) {
	// --origin cluster: stringData-in-source does not apply
	_, out, _ := aigov(t, "", "secrets", "scan", "-f", platform, "--origin", "cluster", "-o", "json")
	assert.NotContains(t, out, "secret-stringdata-in-source")
	// --enable adds opt-in rules
	_, out, _ = aigov(t, "", "secrets", "scan", "-f", platform+"/fixed", "--enable", "secret-env-reference,secret-not-immutable")
	assert.Contains(t, out, "secret-env-reference")
	assert.Contains(t, out, "secret-not-immutable")
	// text output of the fixed platform
	code, out, _ := aigov(t, "", "secrets", "scan", "-f", platform+"/fixed")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "no findings; 88 objects scanned")
	// usage errors
	for _, args := range [][]string{
		{"secrets", "scan", "-f", platform, "--origin", "git"},
		{"secrets", "scan", "-f", platform, "--enable", "no-such-rule"},
		{"secrets", "scan", "-f", platform, "-o", "yaml"},
		{"secrets", "scan"},
	} {
		code, _, stderr := aigov(t, "", args...)
		assert.Equal(t, 2, code, "%v: %s", args, stderr)
	}
	// input errors name the file: exit 2
	code, _, stderr := aigov(t, "kind: [", "secrets", "scan", "-f", "-")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "-")
}

func TestSecretsExposure(t *testing.T) {
	code, out, stderr := aigov(t, "", "secrets", "exposure", "-f", platform)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "Secret/cv-team/wandb-api-key (used by Job/cv-team/resnet50-finetune)")
	assert.Contains(t, out, `RoleBinding/cv-team/cv-engineers-admin of Role/cv-team/cv-admin to Group/cv-engineers`)
	// The text folds as the JSON does: what every Secret (or every Secret
	// of a namespace) has is listed once, each Secret with its count.
	assert.Equal(t, 1, strings.Count(out, "system:masters: allowed before RBAC\n  Group/system:masters                     create-pods (create)"), out)
	assert.Contains(t, out, "Every Secret of the input (4) can be read by:\n")
	assert.Contains(t, out, "Every Secret of namespace platform (2) can also be read by:\n")
	assert.Contains(t, out, "Secret/cv-team/wandb-api-key (used by Job/cv-team/resnet50-finetune)\n  5 of its 13 accesses are listed above (every Secret)\n")
	assert.Contains(t, out, "Secret/platform/openai-api-key\n  7 of its 7 accesses are listed above (every Secret, every Secret of platform)\n")
	code, out, _ = aigov(t, "", "secrets", "exposure", "-f", platform+"/fixed", "-o", "json")
	require.Equal(t, 0, code)
	var r secrets.FoldedExposureDocument
	require.NoError(t, json.Unmarshal([]byte(out), &r))
	assert.Equal(t, 1, r.SchemaVersion)
	assert.Len(t, r.Secrets, 4)
	// What Secrets share is listed once (the every-Secret and namespace
	// levels); Expand gives each Secret all of its accesses.
	expanded := r.Expand()
	require.Len(t, expanded, 4)
	seen := false
	// fixed/ takes the direct read away; the team's developers still run
	// and change Deployments and Jobs in cv-team, so they can mount its
	// Secrets.
	for i, s := range expanded {
		assert.Len(t, s.Access, r.Secrets[i].AccessCount, "%s/%s", s.Namespace, s.Name)
		for _, a := range s.Access {
			seen = seen || a.Subject.Name == "cv-engineers"
			if a.Subject.Name == "cv-engineers" {
				assert.Contains(t, []string{secrets.ViaCreateWorkloads, secrets.ViaUpdateWorkloads}, a.Via, "fixed: %s/%s", s.Namespace, s.Name)
			}
		}
	}
	assert.True(t, seen, "cv-engineers can mount no Secret in fixed/")
}
