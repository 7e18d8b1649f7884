package rbac_test

import (
	"strings"
	"testing"

	"github.com/aigov/aigov/rbac"
)

func TestDiff(t *testing.T) {
	before := rbac.New(load(t, "testdata/diff/before.yaml"))
	after := rbac.New(load(t, "testdata/diff/after.yaml"))
	var got []string
	for _, c := range rbac.Diff(before, after) {
		var rules []string
		for _, r := range c.Added {
			rules = append(rules, rbac.RuleString(r))
		}
		var via []string
		for _, g := range c.Grants {
			via = append(via, g.Binding.String()+"→"+g.Role.Name)
		}
		got = append(got, c.Subject.Kind+"/"+c.Subject.Name+" ns="+c.Namespace+": "+strings.Join(rules, "; ")+" via "+strings.Join(via, ","))
	}
	want := []string{
		`User/alice ns=: verbs=[get list] apiGroups=[""] resources=[pods] via ClusterRoleBinding/alice→view-pods`,
		`Group/ml-team ns=llm: verbs=[list] apiGroups=[""] resources=[secrets] via RoleBinding/llm/viewers→view`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("diff:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if d := rbac.Diff(after, after); len(d) != 0 {
		t.Errorf("no change should add nothing: %+v", d)
	}
	if d := rbac.Diff(after, before); len(d) != 0 {
		t.Errorf("the before-state only removes access: %+v", d)
	}
}
