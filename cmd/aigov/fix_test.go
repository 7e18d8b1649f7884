package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// copyFiles copies the regular files of dir into a temporary directory.
func copyFiles(t *testing.T, dir string, names ...string) string {
	t.Helper()
	out := t.TempDir()
	if len(names) == 0 {
		entries, err := os.ReadDir(dir)
		require.NoError(t, err)
		for _, e := range entries {
			if e.Type().IsRegular() {
				names = append(names, e.Name())
			}
		}
	}
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join(dir, n))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(out, n), data, 0o644))
	}
	return out
}

func TestFixPrintsDiff(t *testing.T) {
	dir := copyFiles(t, platform)
	code, out, stderr := aigov(t, "", "fix", "-f", dir)
	assert.Equal(t, 1, code, "fixes not written exit 1: %s", stderr)
	assert.Contains(t, out, "--- a/"+filepath.Join(dir, "quota.yaml"))
	assert.Contains(t, out, "-    limits.gpu: \"2\"\n+    requests.nvidia.com/gpu: \"2\"\n")
	assert.Contains(t, out, "-  resources: [pods/logs]\n+  resources: [pods/log]\n")
	assert.NotContains(t, out, "suggestions", "suggestions go to standard error, so the diff pipes to git apply")
	assert.Contains(t, stderr, "suggestions (not written):")
	assert.Contains(t, stderr, "model-image-digest")
	assert.Contains(t, stderr, "5 edits in 4 files, not written")
	data, err := os.ReadFile(filepath.Join(dir, "quota.yaml"))
	require.NoError(t, err)
	assert.Contains(t, string(data), "limits.gpu", "without --write nothing is written")
}

func TestFixWrite(t *testing.T) {
	dir := copyFiles(t, platform)
	before, err := os.ReadFile(filepath.Join(dir, "rbac.yaml"))
	require.NoError(t, err)
	untouched, err := os.ReadFile(filepath.Join(dir, "networkpolicies.yaml"))
	require.NoError(t, err)

	code, out, stderr := aigov(t, "", "fix", "-f", dir, "--write")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "fixed "+filepath.Join(dir, "rbac.yaml")+" (1 edit)")
	assert.Contains(t, stderr, "5 edits written in 4 files")

	after, err := os.ReadFile(filepath.Join(dir, "rbac.yaml"))
	require.NoError(t, err)
	assert.Equal(t, strings.Replace(string(before), "[pods/logs]", "[pods/log]", 1), string(after),
		"only the fixed field changes")
	now, err := os.ReadFile(filepath.Join(dir, "networkpolicies.yaml"))
	require.NoError(t, err)
	assert.Equal(t, untouched, now)

	code, out, stderr = aigov(t, "", "fix", "-f", dir)
	assert.Equal(t, 0, code, "nothing left to fix: %s", stderr)
	assert.Empty(t, out)
	assert.Contains(t, stderr, "nothing to fix")
}

func TestFixJSON(t *testing.T) {
	dir := copyFiles(t, filepath.Join("testdata", "fix"), "app.yaml", "app.json", "policy.yaml")
	code, out, stderr := aigov(t, "", "fix", "-f", filepath.Join(dir, "app.yaml"), "-f", filepath.Join(dir, "app.json"), "-o", "json")
	require.Equal(t, 1, code, stderr)
	var doc struct {
		Edits []struct {
			Check, Path, Op, Why string
			Value                any
			Object               struct{ Kind, Name string }
		}
		Suggestions []struct{ Check, Path, Message string }
		Files       []struct {
			Name  string
			Edits int
		}
		Written bool
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc), out)
	require.Len(t, doc.Edits, 2, "privileged and automount-token of the Deployment: %+v", doc.Edits)
	e := doc.Edits[0]
	assert.Equal(t, "automount-token", doc.Edits[1].Check)
	assert.Equal(t, "privileged-container", e.Check)
	assert.Equal(t, "spec.template.spec.containers[0].securityContext.privileged", e.Path)
	assert.Equal(t, "set", e.Op)
	assert.Equal(t, false, e.Value)
	assert.Equal(t, "Deployment", e.Object.Kind)
	assert.False(t, doc.Written)
	require.Len(t, doc.Files, 1)
	assert.Equal(t, filepath.Join(dir, "app.yaml"), doc.Files[0].Name)
	var jsonRefused bool
	for _, s := range doc.Suggestions {
		jsonRefused = jsonRefused || s.Check == "privileged-container" && strings.Contains(s.Message, "JSON files are not rewritten")
	}
	assert.True(t, jsonRefused, "the JSON file's edit is a suggestion: %+v", doc.Suggestions)
}

func TestFixPolicy(t *testing.T) {
	dir := copyFiles(t, filepath.Join("testdata", "fix"), "app.yaml", "policy.yaml")
	code, out, stderr := aigov(t, "", "fix", "-f", filepath.Join(dir, "app.yaml"), "--policy", filepath.Join(dir, "policy.yaml"))
	require.Equal(t, 1, code, stderr)
	assert.Contains(t, out, "+    team: payments\n", "the namespace's team label is copied")
	assert.NotContains(t, out, "privileged", "the policy does not run privileged-container")
}

func TestFixStdin(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "fix", "app.yaml"))
	require.NoError(t, err)
	code, out, stderr := aigov(t, string(data), "fix", "-f", "-")
	require.Equal(t, 1, code, stderr)
	assert.Contains(t, out, "--- a/-\n+++ b/-\n")
	assert.Contains(t, out, "+          privileged: false\n")

	code, _, stderr = aigov(t, string(data), "fix", "-f", "-", "--write")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "--write cannot fix standard input")
}

func TestFixRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"kustomize", []string{"fix", "-k", "testdata"}, "put the fixes in the overlay as patches"},
		{"a live cluster", []string{"fix", "--kubeconfig", "kubeconfig"}, "not a live cluster"},
		{"no input", []string{"fix"}, "give -f PATH"},
		{"an unknown format", []string{"fix", "-f", platform, "-o", "yaml"}, "unknown output format"},
		{"bad input", []string{"fix", "-f", filepath.Join("testdata", "bad.yaml")}, "bad.yaml"},
		{"an unknown policy check", []string{"fix", "-f", platform, "--policy", filepath.Join("testdata", "unknown-check.yaml")}, "unknown"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, stderr := aigov(t, "", tc.args...)
			assert.Equal(t, 2, code, "stdout: %s", out)
			assert.Contains(t, stderr, tc.want)
		})
	}
}
