package rbac

import (
	"fmt"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/aigov/aigov/governance"
)

// checkInvalidNonResourceURLs (rbac-invalid-nonresourceurls) finds
// nonResourceURLs rules the apiserver rejects. It reads rules[*] of Roles
// and ClusterRoles (not aggregated ones) and denies nonResourceURLs in a
// namespaced Role, and nonResourceURLs mixed with apiGroups or resources
// in one rule. A nonResourceURLs rule of a ClusterRole is also inert
// through a RoleBinding, which is not reported (the same ClusterRole may
// be bound cluster-wide elsewhere).
func checkInvalidNonResourceURLs() lintCheck {
	return lintCheck{
		id:          "rbac-invalid-nonresourceurls",
		severity:    governance.SeverityMedium,
		description: "nonResourceURLs in a Role, or mixed with resources in one rule; the apiserver rejects both",
		remediation: "move nonResourceURLs into their own rule of a ClusterRole bound by a ClusterRoleBinding",
		kinds:       rolesKinds,
		run: func(ctx *lintContext, lc *lintCheck) []governance.Finding {
			var out []governance.Finding
			ctx.eachRule(func(r *lintRole, i int, rule *rbacv1.PolicyRule) {
				if len(rule.NonResourceURLs) == 0 {
					return
				}
				path := fmt.Sprintf("rules[%d].nonResourceURLs", i)
				switch {
				case r.ref.Kind == "Role":
					out = append(out, lc.finding(r.obj, path, "%s rule %d: a namespaced Role cannot grant nonResourceURLs", r.ref, i))
				case len(rule.Resources) > 0 || len(rule.APIGroups) > 0:
					out = append(out, lc.finding(r.obj, path, "%s rule %d mixes nonResourceURLs with apiGroups/resources", r.ref, i))
				}
			})
			return out
		},
	}
}
