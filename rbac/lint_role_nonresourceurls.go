package rbac

import (
	"fmt"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/aigov/aigov/governance"
)

// lintRoleNonResourceURLs: nonResourceURLs in a namespaced Role, or mixed
// with resources in one rule. The apiserver rejects both; a
// nonResourceURLs rule of a ClusterRole is also inert through a
// RoleBinding, which is not reported here (the same ClusterRole may be
// bound cluster-wide elsewhere).
func lintRoleNonResourceURLs() LintRule {
	return LintRule{
		ID:          "rbac-invalid-nonresourceurls",
		Severity:    governance.SeverityMedium,
		Description: "nonResourceURLs in a Role, or mixed with resources in one rule; the apiserver rejects both",
		Remediation: "move nonResourceURLs into their own rule of a ClusterRole bound by a ClusterRoleBinding",
		check: func(ctx *lintContext, lr *LintRule) []governance.Finding {
			var out []governance.Finding
			ctx.eachRule(func(r *lintRole, i int, rule *rbacv1.PolicyRule) {
				if len(rule.NonResourceURLs) == 0 {
					return
				}
				path := fmt.Sprintf("rules[%d].nonResourceURLs", i)
				switch {
				case r.ref.Kind == "Role":
					out = append(out, lr.finding(r.obj, path, "%s rule %d: a namespaced Role cannot grant nonResourceURLs", r.ref, i))
				case len(rule.Resources) > 0 || len(rule.APIGroups) > 0:
					out = append(out, lr.finding(r.obj, path, "%s rule %d mixes nonResourceURLs with apiGroups/resources", r.ref, i))
				}
			})
			return out
		},
	}
}
