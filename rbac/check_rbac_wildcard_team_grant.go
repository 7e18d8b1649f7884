package rbac

import (
	"fmt"
	"slices"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/aigov/aigov/governance"
)

// checkWildcardTeamGrant (rbac-wildcard-team-grant) finds teams holding
// wildcard grants. It reads the Group subjects of RoleBindings and
// ClusterRoleBindings and the effective rules of the role each refers to
// (an aggregated ClusterRole's union, because that is what the team
// holds), and denies every Group subject bound to a role with a rule whose
// verbs, resources or apiGroups contain "*". The built-in "system:" groups
// are left to the risk classes (SYSTEM_MASTERS, BROAD_SUBJECT_BINDING):
// bootstrap binds system:masters to cluster-admin on every cluster.
func checkWildcardTeamGrant() lintCheck {
	return lintCheck{
		id:          "rbac-wildcard-team-grant",
		severity:    governance.SeverityHigh,
		description: `a Group (team) is bound to a role granting "*" verbs, resources or apiGroups`,
		remediation: "bind the team to a role listing the verbs, resources and API groups it needs (generate one from its audit log)",
		kinds:       bindingsKinds,
		admissionNote: "no VAP: it reads another object, the rules of the role the binding refers to (an aggregated ClusterRole's union), " +
			"which an admission policy cannot look up (aigov serve's webhook decides it with the inventory in view)",
		run: func(ctx *lintContext, lc *lintCheck) []governance.Finding {
			var out []governance.Finding
			for _, b := range ctx.bindings {
				if b.role == nil {
					continue
				}
				ri, fields := firstWildcardRule(b.role.rules)
				if ri < 0 {
					continue
				}
				for si, s := range b.subjects {
					if s.Kind != rbacv1.GroupKind || strings.HasPrefix(s.Name, "system:") {
						continue
					}
					out = append(out, lc.finding(b.obj, fmt.Sprintf("subjects[%d]", si),
						"Group %q is bound by %s to %s, whose rule %d grants \"*\" %s", s.Name, b.ref, b.roleRef, ri, strings.Join(fields, ", ")))
				}
			}
			return out
		},
	}
}

// firstWildcardRule returns the index of the first rule with "*" among
// its verbs, resources or apiGroups, and which of them (-1 when none).
func firstWildcardRule(rules []rbacv1.PolicyRule) (int, []string) {
	for i := range rules {
		var fields []string
		if slices.Contains(rules[i].Verbs, rbacv1.VerbAll) {
			fields = append(fields, "verbs")
		}
		if slices.Contains(rules[i].Resources, rbacv1.ResourceAll) {
			fields = append(fields, "resources")
		}
		if slices.Contains(rules[i].APIGroups, rbacv1.APIGroupAll) {
			fields = append(fields, "apiGroups")
		}
		if len(fields) > 0 {
			return i, fields
		}
	}
	return -1, nil
}
