package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aigov/aigov/cel"
	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/catalog"
)

// mutatingTestPolicy writes a GovernancePolicy with automount-token (safe
// default) and latest-tag (none) targeting version.
func mutatingTestPolicy(t *testing.T, version string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "policy.yaml")
	doc := `apiVersion: aigov.dev/v1alpha1
kind: GovernancePolicy
metadata: {name: ai-platform}
spec:
  kubernetesVersion: "` + version + `"
  checks:
  - id: automount-token
    match: {namespaceSelector: {matchLabels: {team: ml}}}
  - id: latest-tag
    action: Warn
`
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestVAPGenerateMutating(t *testing.T) {
	policy := mutatingTestPolicy(t, "1.36")
	code, out, errOut := aigov(t, "", "vap", "generate", "--policy", policy, "--mutating")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var kinds, names []string
	for _, doc := range strings.Split(out, "\n---\n") {
		kind, name := kindAndName(t, doc)
		kinds, names = append(kinds, kind), append(names, name)
	}
	// The validating policies first (automount-token's and its policy on
	// the AI operators' resources, latest-tag's and its operators' one),
	// then the mutating policies (only automount-token has a safe
	// default; the second patches the AI operators' resources), bound
	// with the entry's match.
	vap := "ValidatingAdmissionPolicy,ValidatingAdmissionPolicyBinding,"
	mutating := "MutatingAdmissionPolicy,MutatingAdmissionPolicyBinding"
	wantKinds := strings.Repeat(vap, 4) + mutating + "," + mutating
	if strings.Join(kinds, ",") != wantKinds {
		t.Fatalf("documents %v, want %v", kinds, wantKinds)
	}
	if names[8] != "aigov-ai-platform-automount-token" || names[9] != names[8] || names[10] != names[8]+"-operators" || names[11] != names[10] {
		t.Errorf("mutating policies and bindings named %v", names[8:])
	}
	mutatingPart := out[strings.Index(out, "kind: MutatingAdmissionPolicy\n"):]
	for _, s := range []string{"apiVersion: admissionregistration.k8s.io/v1\n", "patchType: JSONPatch", "/automountServiceAccountToken", "team: ml", "reinvocationPolicy: IfNeeded"} {
		if !strings.Contains(mutatingPart, s) {
			t.Errorf("mutating documents lack %q", s)
		}
	}

	// Without --mutating nothing mutating is written.
	_, plain, _ := aigov(t, "", "vap", "generate", "--policy", policy)
	if strings.Contains(plain, "Mutating") || !strings.HasPrefix(out, plain) {
		t.Errorf("--mutating must only append to the validating output")
	}
}

func TestVAPGenerateMutatingRefusals(t *testing.T) {
	for _, tc := range []struct {
		name    string
		version string
		args    []string
		want    []string
	}{
		{name: "policy targets 1.33", version: "1.33", want: []string{"1.33", "1.36"}},
		{name: "--kube-version 1.35 overrides 1.37", version: "1.37", args: []string{"--kube-version", "1.35"}, want: []string{"1.35", "1.36"}},
		{name: "kyverno format", version: "1.37", args: []string{"--format", "kyverno"}, want: []string{"--format vap"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"vap", "generate", "--policy", mutatingTestPolicy(t, tc.version), "--mutating"}, tc.args...)
			code, out, errOut := aigov(t, "", args...)
			if code != 2 || out != "" {
				t.Fatalf("exit %d, stdout %q; want exit 2 and no output", code, out)
			}
			for _, w := range tc.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q: %s", w, errOut)
				}
			}
		})
	}
}

// TestVAPGenerateMutatingSafeDefaultsOnly: pod-security-level has safe
// defaults but no VAP; with --mutating its entry gets only the mutating
// policy, without it the entry is refused as before.
func TestVAPGenerateMutatingSafeDefaultsOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "policy.yaml")
	doc := `apiVersion: aigov.dev/v1alpha1
kind: GovernancePolicy
metadata: {name: p}
spec:
  kubernetesVersion: "1.37"
  checks:
  - id: pod-security-level
    params: {level: restricted}
  - id: automount-token
`
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := aigov(t, "", "vap", "generate", "--policy", path, "--mutating")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got []string
	for _, d := range strings.Split(out, "\n---\n") {
		kind, name := kindAndName(t, d)
		got = append(got, kind+" "+name)
	}
	want := []string{
		"ValidatingAdmissionPolicy aigov-p-automount-token", "ValidatingAdmissionPolicyBinding aigov-p-automount-token",
		"ValidatingAdmissionPolicy aigov-p-automount-token-operators", "ValidatingAdmissionPolicyBinding aigov-p-automount-token-operators",
		"MutatingAdmissionPolicy aigov-p-pod-security-level", "MutatingAdmissionPolicyBinding aigov-p-pod-security-level",
		"MutatingAdmissionPolicy aigov-p-pod-security-level-operators", "MutatingAdmissionPolicyBinding aigov-p-pod-security-level-operators",
		"MutatingAdmissionPolicy aigov-p-automount-token", "MutatingAdmissionPolicyBinding aigov-p-automount-token",
		"MutatingAdmissionPolicy aigov-p-automount-token-operators", "MutatingAdmissionPolicyBinding aigov-p-automount-token-operators",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("documents:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, s := range []string{`"RuntimeDefault"`, `"/allowPrivilegeEscalation"`, `"/capabilities/drop"`} {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %s", s)
		}
	}
	code, _, errOut = aigov(t, "", "vap", "generate", "--policy", path)
	if code != 2 || !strings.Contains(errOut, `"pod-security-level" has no ValidatingAdmissionPolicy form`) {
		t.Errorf("without --mutating: exit %d, %s", code, errOut)
	}
}

// TestVAPGenerateMutatingCost: with --mutating --cost, each
// MutatingAdmissionPolicy is preceded by its estimate (the one
// cel.GeneratePolicyWithMutating computes: the costliest mutation, then
// every variable and mutation), as each validating policy is by its own;
// the documents are otherwise those of --mutating alone.
func TestVAPGenerateMutatingCost(t *testing.T) {
	path := mutatingTestPolicy(t, "1.36")
	code, out, errOut := aigov(t, "", "vap", "generate", "--policy", path, "--mutating", "--cost")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	policy, err := governance.LoadPolicyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, ms, err := cel.GeneratePolicyWithMutating(policy, catalog.Definitions(), "")
	if err != nil || len(ms) != 2 {
		t.Fatalf("generate: %v (%d mutating policies)", err, len(ms))
	}
	var mutatingComments []string
	validating := 0
	for _, doc := range strings.Split(out, "\n---\n") {
		kind, name := kindAndName(t, doc)
		comment, _, _ := strings.Cut(doc, "apiVersion:")
		switch kind {
		case "ValidatingAdmissionPolicy":
			if !strings.Contains(comment, " per evaluation (runtime budget ") {
				t.Errorf("%s lacks its estimate:\n%s", name, doc)
			}
			validating++
		case "MutatingAdmissionPolicy":
			mutatingComments = append(mutatingComments, comment)
		default:
			if comment != "" {
				t.Errorf("%s %s preceded by %q", kind, name, comment)
			}
		}
	}
	if validating != 4 || len(mutatingComments) != 2 {
		t.Fatalf("%d validating and %d mutating policies with estimates, want 4 and 2", validating, len(mutatingComments))
	}
	for i, m := range ms {
		want := mutatingCostComment(m.Cost)
		if mutatingComments[i] != want {
			t.Errorf("%s: comment\n%s\nwant\n%s", m.Policy.Name, mutatingComments[i], want)
		}
		for _, s := range []string{"# aigov estimated cost: " + costText(m.Cost.Total) + " for the costliest mutation", "#   mutations[0].jsonPatch.expression: ", "(" + governance.VarPodSpecRefs + "): "} {
			if !strings.Contains(want, s) {
				t.Errorf("%s: comment lacks %q:\n%s", m.Policy.Name, s, want)
			}
		}
	}
	// Only comments were added.
	_, plain, _ := aigov(t, "", "vap", "generate", "--policy", path, "--mutating")
	var kept []string
	for _, line := range strings.SplitAfter(out, "\n") {
		if !strings.HasPrefix(line, "#") {
			kept = append(kept, line)
		}
	}
	if strings.Join(kept, "") != plain {
		t.Error("--cost changed more than comments")
	}
}
