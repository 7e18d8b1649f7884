package rbac

import (
	"fmt"
	"slices"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/aigov/aigov/governance"
)

// lintResourceNamesVerb: a rule limited by resourceNames whose verbs are
// ones the authorizer is asked without a name. create of a new object
// (no subresource: the name is not in the URL) and deletecollection never
// match; list and watch match only with a metadata.name field selector
// (kubectl get TYPE NAME --watch), never a plain list. create on a
// subresource ("pods/exec", "serviceaccounts/token") does carry the name
// and is fine.
func lintResourceNamesVerb() LintRule {
	return LintRule{
		ID:          "rbac-resourcenames-verb",
		Severity:    governance.SeverityLow,
		Description: "a rule limited by resourceNames grants a verb whose requests carry no name",
		Remediation: "move create/deletecollection (and plain list/watch) to a rule without resourceNames, or drop them",
		check: func(ctx *lintContext, lr *LintRule) []governance.Finding {
			var out []governance.Finding
			ctx.eachRule(func(r *lintRole, i int, rule *rbacv1.PolicyRule) {
				if len(rule.ResourceNames) == 0 || len(rule.Resources) == 0 {
					return
				}
				topLevel := slices.ContainsFunc(rule.Resources, func(res string) bool { return !strings.Contains(res, "/") })
				for j, v := range rule.Verbs {
					var why string
					switch {
					case v == "deletecollection":
						why = "never matches: a deletecollection request has no name"
					case v == "create" && topLevel:
						why = "never matches for creating a new object (its name is not part of the request); it matches only subresources such as pods/exec"
					case v == "list" || v == "watch":
						why = "matches only requests with a metadata.name field selector, never a plain " + v
					default:
						continue
					}
					out = append(out, lr.finding(r.obj, fmt.Sprintf("rules[%d].verbs[%d]", i, j), "%s rule %d: %q with resourceNames %s %s", r.ref, i, v, list(rule.ResourceNames), why))
				}
			})
			return out
		},
	}
}

func list(s []string) string { return "[" + strings.Join(s, " ") + "]" }
