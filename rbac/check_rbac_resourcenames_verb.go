package rbac

import (
	"fmt"
	"slices"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/aigov/aigov/governance"
)

// checkResourceNamesVerb (rbac-resourcenames-verb) finds verbs a
// resourceNames rule grants in vain, because their requests are
// authorized without a name. It reads rules[*].resourceNames, resources
// and verbs of Roles and ClusterRoles (not aggregated ones) and denies, in
// a rule limited by resourceNames, deletecollection (never matches),
// create on a top-level resource (the new object's name is not in the
// request; create on a subresource such as "pods/exec" or
// "serviceaccounts/token" carries the name and is fine), and list or watch
// (they match only with a metadata.name field selector, as kubectl get
// TYPE NAME --watch sends, never a plain list).
func checkResourceNamesVerb() lintCheck {
	return lintCheck{
		id:          "rbac-resourcenames-verb",
		severity:    governance.SeverityLow,
		description: "a rule limited by resourceNames grants a verb whose requests carry no name",
		remediation: "move create/deletecollection (and plain list/watch) to a rule without resourceNames, or drop them",
		kinds:       rolesKinds,
		run: func(ctx *lintContext, lc *lintCheck) []governance.Finding {
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
					out = append(out, lc.finding(r.obj, fmt.Sprintf("rules[%d].verbs[%d]", i, j), "%s rule %d: %q with resourceNames %s %s", r.ref, i, v, list(rule.ResourceNames), why))
				}
			})
			return out
		},
	}
}

func list(s []string) string { return "[" + strings.Join(s, " ") + "]" }
