package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestNoTerminalInjection feeds strings the loader cannot refuse (an image
// reference and a custom-cel message are free text) that carry an escape
// sequence, a carriage return, a bidirectional override and a newline
// forging a report line, and requires every output format and stream to
// hold none of them raw.
func TestNoTerminalInjection(t *testing.T) {
	dir := t.TempDir()
	// The apiserver ignores a messageExpression result with a line break,
	// so the message carries no newline; the image does.
	const hostile = "\x1b[2J\x1b[H\rno findings\u202e"
	pod := `apiVersion: v1
kind: Pod
metadata:
  name: injected
  namespace: llm
  annotations:
    note: "` + strings.NewReplacer("\x1b", `\e`, "\r", `\r`, "\n", `\n`).Replace(hostile) + `"
spec:
  containers:
  - name: server
    image: "registry.example.com/llm:1` + strings.NewReplacer("\x1b", `\e`, "\r", `\r`).Replace(hostile) + `\nno findings"
    securityContext:
      privileged: true
`
	require.NoError(t, os.WriteFile(filepath.Join(dir, "pod.yaml"), []byte(pod), 0o600))
	policy := `apiVersion: aigov.dev/v1alpha1
kind: GovernancePolicy
metadata: {name: p}
spec:
  checks:
  - id: allowed-registries
    params: {registries: [nvcr.io]}
  - id: custom-cel
    name: echo-image
    params:
      expression: "false"
      messageExpression: "'note ' + object.metadata.annotations['note']"
    match: {resources: [{apiGroups: [""], apiVersions: [v1], resources: [pods]}]}
`
	policyFile := filepath.Join(t.TempDir(), "policy.yaml")
	require.NoError(t, os.WriteFile(policyFile, []byte(policy), 0o600))

	runs := [][]string{
		{"check", "-f", dir, "--policy", policyFile},
		{"check", "-f", dir, "--policy", policyFile, "--group-by", "team"},
		{"check", "-f", dir, "--policy", policyFile, "-o", "json"},
		{"check", "-f", dir, "--policy", policyFile, "-o", "sarif"},
		{"check", "-f", dir, "--policy", policyFile, "-o", "report"},
		{"vap", "test", "--policy", policyFile, "-f", dir},
		{"vap", "test", "--policy", policyFile, "-f", dir, "-o", "json"},
	}
	for _, args := range runs {
		code, stdout, stderr := aigov(t, "", args...)
		name := strings.Join(args, " ")
		require.Equal(t, 1, code, "%s: the pod fails the policy; stderr: %s", name, stderr)
		if args[0] == "check" {
			require.Regexp(t, `\\(x1b|e|u001b)\[2J`, stdout, "%s: the hostile text reaches the output, escaped", name)
		}
		for stream, text := range map[string]string{"stdout": stdout, "stderr": stderr} {
			for _, bad := range []string{"\x1b", "\r", "\u202e"} {
				require.NotContains(t, text, bad, "%s: raw %q on %s:\n%s", name, bad, stream, text)
			}
			for _, line := range strings.Split(text, "\n") {
				require.False(t, strings.HasPrefix(line, "no findings"),
					"%s: a forged report line on %s:\n%s", name, stream, text)
			}
		}
	}
}
