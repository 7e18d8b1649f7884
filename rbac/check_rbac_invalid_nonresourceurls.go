package rbac

import (
	"fmt"
	"strconv"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/aigov/aigov/governance"
)

// checkInvalidNonResourceURLs (rbac-invalid-nonresourceurls) finds
// nonResourceURLs rules the apiserver rejects (ValidatePolicyRule). It
// reads rules[*] of Roles and ClusterRoles, aggregated ones included (the
// apiserver validates the rules a manifest writes), and denies
// nonResourceURLs in a namespaced Role, and nonResourceURLs mixed with
// apiGroups, resources or resourceNames in one rule. A nonResourceURLs
// rule of a ClusterRole is also inert through a RoleBinding, which is not
// reported (the same ClusterRole may be bound cluster-wide elsewhere). Its
// ValidatingAdmissionPolicy decides the same, for offline evaluation: in a
// cluster the apiserver's own validation refuses such a role before
// admission policies run.
func checkInvalidNonResourceURLs() lintCheck {
	return lintCheck{
		id:          "rbac-invalid-nonresourceurls",
		severity:    governance.SeverityMedium,
		description: "nonResourceURLs in a Role, or mixed with resources in one rule; the apiserver rejects both",
		remediation: "move nonResourceURLs into their own rule of a ClusterRole bound by a ClusterRoleBinding",
		kinds:       rolesKinds,
		admissionNote: "VAP repeats the rule for offline evaluation: in a cluster the apiserver's own validation refuses every " +
			"role this check reports before admission policies run; it leaves to the scan roles of more than " +
			strconv.Itoa(nonResourceURLsMaxRules) + " rules (the size guard of its cost)",
		admission: invalidNonResourceURLsAdmission,
		run: func(ctx *lintContext, lc *lintCheck) []governance.Finding {
			var out []governance.Finding
			for ri := range ctx.roles {
				r := &ctx.roles[ri]
				if r.obj == nil {
					continue
				}
				for i := range r.rules {
					rule := &r.rules[i]
					if len(rule.NonResourceURLs) == 0 {
						continue
					}
					path := fmt.Sprintf("rules[%d].nonResourceURLs", i)
					switch {
					case r.ref.Kind == "Role":
						out = append(out, lc.finding(r.obj, path, "%s rule %d: a namespaced Role cannot grant nonResourceURLs", r.ref, i))
					case len(rule.Resources) > 0 || len(rule.APIGroups) > 0 || len(rule.ResourceNames) > 0:
						out = append(out, lc.finding(r.obj, path, "%s rule %d mixes nonResourceURLs with apiGroups/resources/resourceNames", r.ref, i))
					}
				}
			}
			return out
		},
	}
}

// nonResourceURLsMaxRules is the size guard of the policy: a role with
// more rules is admitted and left to the scan.
const nonResourceURLsMaxRules = 256

// invalidNonResourceURLsAdmission denies a Role with a nonResourceURLs
// rule, and a ClusterRole with a rule mixing nonResourceURLs with
// apiGroups, resources or resourceNames.
func invalidNonResourceURLsAdmission() *governance.Admission {
	size := func(f string) string { return `size(` + celListField("w", f) + `)` }
	perRule := size("nonResourceURLs") + ` == 0 ? "" : (object.kind == "Role" ? "rule " + string(i) + ": a namespaced Role cannot grant nonResourceURLs" : ` +
		`((` + size("apiGroups") + ` > 0 || ` + size("resources") + ` > 0 || ` + size("resourceNames") + ` > 0) ? ` +
		`"rule " + string(i) + " mixes nonResourceURLs with apiGroups/resources/resourceNames" : ""))`
	return &governance.Admission{
		Rules: []admissionregistrationv1.NamedRuleWithOperations{
			governance.AdmissionRule([]string{rbacv1.GroupName}, []string{"v1"}, []string{"roles", "clusterroles"}),
		},
		Variables: []admissionregistrationv1.Variable{
			{Name: "rules", Expression: celListField("object", "rules")},
			{Name: "invalid", Expression: `size(variables.rules) <= ` + strconv.Itoa(nonResourceURLsMaxRules) + ` ? ` +
				celEachRule("variables.rules", nonResourceURLsMaxRules, perRule) + ` : []`},
		},
		Validations: []admissionregistrationv1.Validation{{
			Expression: `size(variables.invalid) == 0`,
			Message:    "nonResourceURLs belong in rules of their own, in ClusterRoles",
			MessageExpression: `object.kind + " \"" + object.metadata.name + "\" has nonResourceURLs rules the apiserver rejects: " +
				variables.invalid.join("; ")`,
		}},
	}
}
