package rbac

import (
	"fmt"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/aigov/aigov/governance"
)

// lintEmptyRule: a rule that can match nothing because a list it needs is
// empty — no verbs; a resource rule without apiGroups or resources; neither
// resources nor nonResourceURLs. The apiserver refuses to store such a role
// (validation requires them), so the manifest fails to apply. A role with
// no rules at all (and no aggregationRule) is reported once, at info.
func lintEmptyRule() LintRule {
	return LintRule{
		ID:          "rbac-empty-rule",
		Severity:    governance.SeverityMedium,
		Description: "a rule (or role) that matches nothing; the apiserver rejects empty rules",
		Remediation: "fill in verbs, apiGroups and resources (or nonResourceURLs), or delete the rule",
		check: func(ctx *lintContext, lr *LintRule) []governance.Finding {
			var out []governance.Finding
			for ri := range ctx.roles {
				r := &ctx.roles[ri]
				if r.obj == nil || r.aggregated || len(r.rules) > 0 {
					continue
				}
				f := lr.finding(r.obj, "rules", "%s has no rules: it grants nothing", r.ref)
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
				out = append(out, lr.finding(r.obj, path, "%s rule %d has no %s: it matches nothing and the apiserver rejects it", r.ref, i, missing))
			})
			return out
		},
	}
}
