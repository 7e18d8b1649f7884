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

// A NetworkPolicy whose ports are misspelt: loaded leniently it would admit
// every port.
const protsManifest = `apiVersion: v1
kind: Namespace
metadata: {name: ai}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db, namespace: ai}
spec:
  podSelector: {}
  ingress:
  - from: [{podSelector: {}}]
    prots: [{port: 5432}]
`

func writeManifest(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	return p
}

func TestValidateFlag(t *testing.T) {
	path := writeManifest(t, "np.yaml", protsManifest)
	want := path + `:12 (document 2): NetworkPolicy: unknown field "spec.ingress[0].prots"`

	// strict is the default, and what a bare --validate or --validate=true means.
	for _, args := range [][]string{
		{"check", "-f", path},
		{"check", "--validate=strict", "-f", path},
		{"check", "--validate", "-f", path},
		{"check", "--validate=true", "-f", path},
		{"rbac", "risks", "--validate=strict", "-f", path},
		{"netpol", "matrix", "-f", path},
	} {
		code, out, stderr := aigov(t, "", args...)
		assert.Equal(t, 2, code, "%v: %s", args, stderr)
		assert.Contains(t, stderr, want, "%v", args)
		assert.Empty(t, out, "%v", args)
	}

	// warn: the error becomes a warning of the inventory (the report
	// carries it; other commands print it on stderr), and the run goes on
	// to exit by its findings.
	code, out, stderr := aigov(t, "", "check", "--validate=warn", "-f", path, "-o", "json")
	assert.Equal(t, 1, code, stderr) // the catalog's findings
	var rep struct {
		Objects  int      `json:"objects"`
		Warnings []string `json:"warnings"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &rep), out)
	assert.Equal(t, 2, rep.Objects)
	assert.Equal(t, []string{want}, rep.Warnings)
	code, out, stderr = aigov(t, "", "check", "--validate=warn", "--fail-on", "critical", "-f", path)
	assert.Equal(t, 0, code, stderr)
	assert.Contains(t, out+stderr, "warning: "+want)
	code, _, stderr = aigov(t, "", "rbac", "risks", "--validate=warn", "-f", path)
	assert.Equal(t, 0, code, stderr)

	// ignore (or false): silent.
	for _, mode := range []string{"ignore", "false"} {
		code, _, stderr = aigov(t, "", "rbac", "risks", "--validate="+mode, "-f", path)
		assert.Equal(t, 0, code, stderr)
		assert.NotContains(t, stderr, "prots", mode)
	}

	code, _, stderr = aigov(t, "", "check", "--validate=lenient", "-f", path)
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "--validate")
}

func TestMaxInputBytes(t *testing.T) {
	path := writeManifest(t, "ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: ai}\n")
	code, _, stderr := aigov(t, "", "rbac", "risks", "--max-input-bytes", "10", "-f", path)
	assert.Equal(t, 2, code, stderr)
	assert.Contains(t, stderr, path+": the inputs are larger than the input budget of 10 bytes")

	code, _, stderr = aigov(t, "", "rbac", "risks", "--max-input-bytes", "1000", "-f", path)
	assert.Equal(t, 0, code, stderr)

	code, _, stderr = aigov(t, "apiVersion: v1\nkind: Namespace\nmetadata: {name: ai}\n", "rbac", "risks", "--max-input-bytes", "10", "-f", "-")
	assert.Equal(t, 2, code, stderr)
	assert.True(t, strings.Contains(stderr, "-: the inputs are larger"), stderr)

	code, _, stderr = aigov(t, "", "rbac", "risks", "--max-input-bytes", "0", "-f", path)
	assert.Equal(t, 2, code, stderr)
	assert.Contains(t, stderr, "--max-input-bytes")
}

// Names the apiserver refuses are input errors, printed quoted.
func TestInvalidNameExits2(t *testing.T) {
	path := writeManifest(t, "cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: \"evil\\n\\e[2Jname\"\n")
	code, out, stderr := aigov(t, "", "check", "-f", path)
	assert.Equal(t, 2, code, stderr)
	assert.Empty(t, out)
	assert.Contains(t, stderr, path+`:4 (document 1): ConfigMap: metadata.name: Invalid value: "evil\n\x1b[2Jname"`)
	assert.NotContains(t, stderr, "\x1b")
}
