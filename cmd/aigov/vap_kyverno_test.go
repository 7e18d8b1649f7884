package main

import (
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/aigov/aigov/internal/golden"
)

// TestVAPGenerateKyvernoGolden pins --format kyverno for the test policy
// (testdata/vap/golden/kyverno.yaml; go test -run TestVAPGenerateKyverno
// -update) and checks that it writes one ValidatingPolicy per
// ValidatingAdmissionPolicy of the default format, under the same name.
func TestVAPGenerateKyvernoGolden(t *testing.T) {
	code, out, errOut := aigov(t, "", "vap", "generate", "--policy", "testdata/vap/policy.yaml", "--format", "kyverno")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	golden.Assert(t, filepath.Join("testdata", "vap", "golden", "kyverno.yaml"), out)

	_, vaps, _ := aigov(t, "", "vap", "generate", "--policy", "testdata/vap/policy.yaml")
	var vapNames []string
	for _, doc := range strings.Split(vaps, "\n---\n") {
		if kind, name := kindAndName(t, doc); kind == "ValidatingAdmissionPolicy" {
			vapNames = append(vapNames, name)
		}
	}
	docs := strings.Split(out, "\n---\n")
	if len(docs) != len(vapNames) || len(docs) < 3 {
		t.Fatalf("%d ValidatingPolicies for %d ValidatingAdmissionPolicies %v", len(docs), len(vapNames), vapNames)
	}
	for i, doc := range docs {
		if kind, name := kindAndName(t, doc); kind != "ValidatingPolicy" || name != vapNames[i] {
			t.Errorf("document %d: %s %s, want ValidatingPolicy %s", i, kind, name, vapNames[i])
		}
	}
	// The policy file's actions: allowed-registries Deny (default),
	// latest-tag Warn.
	for _, s := range []string{"apiVersion: policies.kyverno.io/v1\n", "validationActions:\n  - Deny\n", "validationActions:\n  - Warn\n", "mode: Kubernetes\n", "operator: NotIn\n"} {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %q", s)
		}
	}
}

func kindAndName(t *testing.T, doc string) (kind, name string) {
	t.Helper()
	var m struct {
		Kind     string `json:"kind"`
		Metadata struct {
			Name string `json:"name"`
		} `json:"metadata"`
	}
	if err := yaml.Unmarshal([]byte(doc), &m); err != nil {
		t.Fatalf("%v in:\n%s", err, doc)
	}
	return m.Kind, m.Metadata.Name
}

func TestVAPGenerateFormat(t *testing.T) {
	_, plain, _ := aigov(t, "", "vap", "generate", "--policy", "testdata/vap/policy.yaml")
	tests := []struct {
		name     string
		args     []string
		code     int
		stdout   func(string) bool
		stderrIn string
	}{
		{"vap is the default", []string{"--format", "vap"}, 0, func(out string) bool { return out == plain }, ""},
		{"kyverno with cost comments", []string{"--format", "kyverno", "--cost"}, 0, func(out string) bool {
			return strings.Count(out, "# aigov estimated cost: ") == strings.Count(out, "kind: ValidatingPolicy\n") && strings.Contains(out, "# aigov estimated cost: ")
		}, ""},
		{"unknown format", []string{"--format", "gatekeeper"}, 2, func(out string) bool { return out == "" }, `unknown --format "gatekeeper" (want vap or kyverno)`},
		{"format names are exact", []string{"--format", "Kyverno"}, 2, func(out string) bool { return out == "" }, `unknown --format "Kyverno"`},
	}
	for _, tt := range tests {
		args := append([]string{"vap", "generate", "--policy", "testdata/vap/policy.yaml"}, tt.args...)
		code, out, errOut := aigov(t, "", args...)
		if code != tt.code || !tt.stdout(out) || !strings.Contains(errOut, tt.stderrIn) {
			t.Errorf("%s: exit %d (want %d), stderr %q (want %q), stdout:\n%s", tt.name, code, tt.code, errOut, tt.stderrIn, out)
		}
	}
}
