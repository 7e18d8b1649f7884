package fix_test

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/catalog"
	"github.com/aigov/aigov/governance/fix"
	"github.com/aigov/aigov/internal/golden"
)

// rules are the catalog's defaults plus required-labels asking for the
// team label on workloads, so that every fixer has findings to fix.
func rules(t testing.TB) []governance.Rule {
	t.Helper()
	rs, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	labels, err := catalog.NewRequiredLabels(catalog.RequiredLabelsParams{
		Labels: []catalog.LabelRequirement{{Key: "team"}},
		Kinds:  []string{"Deployment", "StatefulSet", "CronJob", "Pod"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return append(rs, governance.Rule{Check: labels, Action: governance.ActionDeny})
}

func check(t testing.TB, rs []governance.Rule, paths ...string) (*governance.Inventory, []governance.Finding) {
	t.Helper()
	l, err := governance.NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	inv, err := l.Load(paths...)
	if err != nil {
		t.Fatal(err)
	}
	e, err := governance.NewEngine(rs...)
	if err != nil {
		t.Fatal(err)
	}
	return inv, e.Run(inv)
}

// identity is what makes two findings the same across an edit: check,
// object and field (the line moves).
func identity(f governance.Finding) string {
	return f.Check + " " + f.Object.Display() + " " + f.Path
}

// copyDir copies the regular files of dir (not its sub-directories).
func copyDir(t *testing.T, dir string) string {
	t.Helper()
	out := t.TempDir()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(out, e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// fixAndRecheck fixes a copy of dir in place and returns the diff (file
// names relative to the copy), the result, and the findings before and
// after by identity. It fails when a finding appears that was not there
// before.
func fixAndRecheck(t *testing.T, src string) (string, *fix.Result, map[string]bool, map[string]bool) {
	t.Helper()
	dir := copyDir(t, src)
	rs := rules(t)
	inv, before := check(t, rs, dir)
	res, err := fix.Fix(inv, before, fix.FixOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var diff bytes.Buffer
	for _, f := range res.Files {
		rel, err := filepath.Rel(dir, f.Name)
		if err != nil {
			t.Fatal(err)
		}
		if err := fix.WriteDiff(&diff, filepath.ToSlash(rel), f.Old, f.New); err != nil {
			t.Fatal(err)
		}
	}
	unchanged := map[string][]byte{}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		name := filepath.Join(dir, e.Name())
		if !slices.ContainsFunc(res.Files, func(f fix.FileChange) bool { return f.Name == name }) {
			unchanged[name], _ = os.ReadFile(name)
		}
	}
	if err := res.Write(); err != nil {
		t.Fatal(err)
	}
	for name, data := range unchanged {
		if now, _ := os.ReadFile(name); !bytes.Equal(now, data) {
			t.Errorf("%s has no edit but changed", name)
		}
	}
	_, after := check(t, rs, dir)
	b, a := map[string]bool{}, map[string]bool{}
	for _, f := range before {
		b[identity(f)] = true
	}
	for _, f := range after {
		a[identity(f)] = true
		if !b[identity(f)] {
			t.Errorf("new finding after the fix: %s: %s", identity(f), f.Message)
		}
	}
	if len(a) >= len(b) {
		t.Errorf("%d findings after the fix, %d before: want strictly fewer", len(a), len(b))
	}
	return diff.String(), res, b, a
}

// assertFixed checks that every finding key was reported before the fix
// and is not after it.
func assertFixed(t *testing.T, before, after map[string]bool, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if !before[k] || after[k] {
			t.Errorf("%s: before %v, after %v; want fixed", k, before[k], after[k])
		}
	}
}

// TestFixMultitenant fixes a copy of the example platform: the golden diff
// shows every edit, and a check of the result has strictly fewer findings
// and no new one.
func TestFixMultitenant(t *testing.T) {
	diff, res, before, after := fixAndRecheck(t, filepath.Join("..", "..", "examples", "multitenant"))
	golden.Assert(t, filepath.Join("testdata", "multitenant.diff"), diff)
	assertFixed(t, before, after,
		"privileged-container Job/cv-team/resnet50-finetune spec.template.spec.containers[0].securityContext.privileged",
		"quota-inert-key ResourceQuota/cv-team/cv-compute spec.hard[nvidia.com/gpu]",
		"quota-invalid-key ResourceQuota/recs-team/recs-compute spec.hard[limits.gpu]",
		"rbac-unknown-resource Role/nlp-team/nlp-developer rules[3].resources[0]",
	)
	// The example's pods set automountServiceAccountToken: true: they say
	// they need the token, and are left alone.
	var automount int
	for _, s := range res.Suggestions {
		if s.Check == catalog.IDAutomountToken {
			automount++
			if !strings.Contains(s.Message, "sets automountServiceAccountToken: true") {
				t.Errorf("automount suggestion %q does not say why", s.Message)
			}
		}
	}
	if automount != 3 {
		t.Errorf("%d automount-token suggestions, want 3", automount)
	}
}

// TestFixPlatform fixes a platform written to give every fixer work.
func TestFixPlatform(t *testing.T) {
	diff, res, before, after := fixAndRecheck(t, filepath.Join("testdata", "platform"))
	golden.Assert(t, filepath.Join("testdata", "platform.diff"), diff)
	assertFixed(t, before, after,
		"automount-token Deployment/team-a/llm spec.template.spec.automountServiceAccountToken",
		"automount-token CronJob/team-b/reindex spec.jobTemplate.spec.template.spec.automountServiceAccountToken",
		"gpu-node-targeting Deployment/team-a/llm spec.template.spec.tolerations",
		"required-labels Deployment/team-a/llm metadata.labels[team]",
		"required-labels CronJob/team-b/reindex metadata.labels[team]",
		"run-as-non-root Deployment/team-a/llm spec.template.spec.securityContext.runAsNonRoot",
		"pod-security-level Deployment/team-a/llm spec.template.spec.containers[*].securityContext.allowPrivilegeEscalation",
		"pod-security-level Deployment/team-a/llm spec.template.spec.containers[*].securityContext.capabilities.drop",
		"pod-security-level Deployment/team-a/llm spec.template.spec.securityContext.seccompProfile",
		"pod-security-level StatefulSet/team-a/vectors spec.template.spec.containers[*].securityContext.capabilities.drop",
		"privileged-container CronJob/team-b/reindex spec.jobTemplate.spec.template.spec.containers[0].securityContext.privileged",
		"privileged-container Pod/team-b/debug spec.containers[0].securityContext.privileged",
		"rbac-unknown-resource Role/team-a/debugger rules[0].resources[1]",
		"rbac-unknown-resource Role/team-a/debugger rules[1].resources[0]",
		"quota-invalid-key ResourceQuota/team-a/gpus spec.hard[limits.gpu]",
		"quota-inert-key ResourceQuota/team-b/gpus spec.hard[nvidia.com/gpu]",
		"kyverno-deprecated-action ClusterPolicy/require-team spec.validationFailureAction",
		"kyverno-deprecated-action ClusterPolicy/require-team spec.validationFailureActionOverrides",
		"kyverno-deprecated-action ClusterPolicy/require-team spec.validationFailureActionOverrides[0].action",
	)
	for _, stays := range []string{
		// A projected token says the pod calls the API.
		"automount-token StatefulSet/team-a/vectors spec.template.spec.automountServiceAccountToken",
		// The image's user is unknown.
		"run-as-non-root StatefulSet/team-a/vectors spec.template.spec.securityContext.runAsNonRoot",
		// JSON files are not rewritten.
		"automount-token Deployment/team-b/json-app spec.template.spec.automountServiceAccountToken",
	} {
		if !before[stays] || !after[stays] {
			t.Errorf("%s: before %v, after %v; want left alone", stays, before[stays], after[stays])
		}
	}
	want := map[string]string{
		"StatefulSet/team-a/vectors spec.template.spec.automountServiceAccountToken":               "projected service account token",
		"StatefulSet/team-a/vectors spec.template.spec.containers[0].securityContext.runAsNonRoot": "cannot know whether its image runs as root",
		"Deployment/team-b/json-app spec.template.spec.automountServiceAccountToken":               "JSON files are not rewritten",
		"Deployment/team-a/llm spec.template.spec.containers[0].image":                             "",
	}
	got := map[string]string{}
	for _, s := range res.Suggestions {
		got[s.Object.Display()+" "+s.Path] = s.Message
	}
	for k, sub := range want {
		msg, ok := got[k]
		if sub == "" {
			if ok {
				t.Errorf("suggestion for %s: %q, want none (the image is pinned to a version)", k, msg)
			}
			continue
		}
		if !ok || !strings.Contains(msg, sub) {
			t.Errorf("suggestion for %s = %q, want one saying %q", k, msg, sub)
		}
	}
}
