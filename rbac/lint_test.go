package rbac_test

import (
	"strings"
	"testing"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/rbac"
)

func lintKeys(fs []governance.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Check+" "+f.Object.Kind+"/"+f.Object.Namespace+"/"+f.Object.Name+" "+f.Path)
	}
	return out
}

// TestLintFail: every rule fires on its case in testdata/lint/fail.yaml,
// and nothing else is reported.
func TestLintFail(t *testing.T) {
	fs := rbac.New(load(t, "testdata/lint/fail.yaml")).Lint(nil)
	want := []string{
		"rbac-empty-rule Role/llm/typos rules[2]",
		"rbac-invalid-nonresourceurls Role/llm/typos rules[3].nonResourceURLs",
		"rbac-binding-missing-role RoleBinding/llm/dangling roleRef.name",
		"rbac-missing-serviceaccount ClusterRoleBinding//nsless subjects[0]",
		"rbac-resourcenames-verb Role/llm/typos rules[1].verbs[1]",
		"rbac-resourcenames-verb Role/llm/typos rules[1].verbs[2]",
		"rbac-resourcenames-verb Role/llm/typos rules[1].verbs[3]",
		"rbac-unknown-resource Role/llm/typos rules[0].resources[0]",
		"rbac-unknown-resource Role/llm/typos rules[0].resources[1]",
		"rbac-unknown-resource Role/llm/typos rules[0].resources[2]",
		"rbac-unknown-verb Role/llm/typos rules[0].verbs[1]",
		"rbac-unknown-verb Role/llm/typos rules[0].verbs[2]",
		"rbac-missing-serviceaccount RoleBinding/llm/dangling subjects[0]",
		"rbac-missing-serviceaccount RoleBinding/llm/dangling subjects[3]",
		"rbac-empty-rule ClusterRole//empty rules",
	}
	got := lintKeys(fs)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("lint findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	msgs := map[string]string{}
	for _, f := range fs {
		msgs[f.Path+" "+f.Check] = f.Message
		if f.Object.Source.File == "" || f.Remediation == "" {
			t.Errorf("finding without source or remediation: %+v", f)
		}
	}
	for path, sub := range map[string]string{
		"rules[0].resources[0] rbac-unknown-resource": `did you mean "log"?`,
		"rules[0].resources[1] rbac-unknown-resource": "is not a wildcard",
		"rules[0].resources[2] rbac-unknown-resource": `served in group "apps"`,
		"rules[0].verbs[1] rbac-unknown-verb":         `did you mean "get"?`,
		"rules[0].verbs[2] rbac-unknown-verb":         `carry "create"`,
	} {
		if !strings.Contains(msgs[path], sub) {
			t.Errorf("%s: message %q lacks %q", path, msgs[path], sub)
		}
	}
}

// TestLintPass: valid rules — kubelet and impersonation subresources,
// custom verbs of extension groups, named subresource creates, the default
// service account — are true negatives.
func TestLintPass(t *testing.T) {
	if fs := rbac.New(load(t, "testdata/lint/pass.yaml")).Lint(nil); len(fs) != 0 {
		t.Errorf("unexpected findings:\n%s", strings.Join(lintKeys(fs), "\n"))
	}
}

func TestLintRulesIDs(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range rbac.LintRules() {
		if seen[r.ID] || !strings.HasPrefix(r.ID, "rbac-") || r.Description == "" || r.Remediation == "" {
			t.Errorf("bad rule %+v", r)
		}
		seen[r.ID] = true
	}
}
