package rbac

import (
	"fmt"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/aigov/aigov/governance"
)

// checkEmptyRule (rbac-empty-rule) finds rules the apiserver refuses to
// store because a list they need is empty, so the manifest fails to apply.
// It reads rules[*].verbs, apiGroups, resources and nonResourceURLs of
// Roles and ClusterRoles (not aggregated ones) and denies a rule without
// verbs, without both resources and nonResourceURLs, or a resource rule
// without apiGroups. A role with no rules at all (and no aggregationRule),
// which grants nothing but is valid, is reported once at info.
func checkEmptyRule() lintCheck {
	return lintCheck{
		id:          "rbac-empty-rule",
		severity:    governance.SeverityMedium,
		description: "a rule (or role) that matches nothing; the apiserver rejects empty rules",
		remediation: "fill in verbs, apiGroups and resources (or nonResourceURLs), or delete the rule",
		kinds:       rolesKinds,
		run: func(ctx *lintContext, lc *lintCheck) []governance.Finding {
			var out []governance.Finding
			for ri := range ctx.roles {
				r := &ctx.roles[ri]
				if r.obj == nil || r.aggregated || len(r.rules) > 0 {
					continue
				}
				f := lc.finding(r.obj, "rules", "%s has no rules: it grants nothing", r.ref)
				f.Severity = governance.SeverityInfo
				out = append(out, f)
			}
			ctx.eachRule(func(r *lintRole, i int, rule *rbacv1.PolicyRule) {
				path := fmt.Sprintf("rules[%d]", i)
				var missing string
				switch {
				case len(rule.Verbs) == 0:
					missing = "verbs"
				case len(rule.Resources) == 0 && len(rule.NonResourceURLs) == 0:
					missing = "resources and nonResourceURLs"
				case len(rule.NonResourceURLs) == 0 && len(rule.APIGroups) == 0:
					missing = "apiGroups"
				default:
					return
				}
				out = append(out, lc.finding(r.obj, path, "%s rule %d has no %s: it matches nothing and the apiserver rejects it", r.ref, i, missing))
			})
			return out
		},
	}
}
