package rbac

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
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
// TYPE NAME --watch sends, never a plain list). Its
// ValidatingAdmissionPolicy decides the same on Roles and ClusterRoles,
// within the size guard resourceNamesVerbAdmission states; the apiserver
// stores such rules, so the policy is what refuses them in a cluster.
func checkResourceNamesVerb() lintCheck {
	return lintCheck{
		id:          "rbac-resourcenames-verb",
		severity:    governance.SeverityLow,
		description: "a rule limited by resourceNames grants a verb whose requests carry no name",
		remediation: "move create/deletecollection (and plain list/watch) to a rule without resourceNames, or drop them",
		kinds:       rolesKinds,
		admissionNote: "VAP leaves to the scan: roles of more than " + strconv.Itoa(resourceNamesMaxRules) +
			" rules, and rules of more than " + strconv.Itoa(resourceNamesMaxVerbs) + " verbs or " +
			strconv.Itoa(resourceNamesMaxResources) + " resources (the size guard of its cost)",
		admission: resourceNamesVerbAdmission,
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

// The size guard of the policy: a role with more rules, or a rule with
// more verbs or resources, is admitted and left to the scan.
const (
	resourceNamesMaxRules     = 64
	resourceNamesMaxVerbs     = 32
	resourceNamesMaxResources = 32
)

// resourceNamesVerbAdmission denies a Role or ClusterRole (not
// aggregated) with a rule limited by resourceNames that grants
// deletecollection, list, watch, or create on a top-level resource.
func resourceNamesVerbAdmission() *governance.Admission {
	verbs := celIndexed(celListField("w", "verbs"), resourceNamesMaxVerbs, "v", "string(v)")
	topLevel := celIndexed(celListField("w", "resources"), resourceNamesMaxResources, "x", "string(x)") + `.exists(x, !x.contains("/"))`
	perRule := `(size(` + celListField("w", "resourceNames") + `) == 0 || size(` + celListField("w", "resources") + `) == 0) ? "" : [` + topLevel + `].map(top, [` + verbs +
		`.filter(v, v == "deletecollection" || v == "list" || v == "watch" || (v == "create" && top))]` +
		`.map(bad, size(bad) == 0 ? "" : "rule " + string(i) + ": " + bad.map(v, "\"" + v + "\"").join(", "))[0])[0]`
	return &governance.Admission{
		Rules: []admissionregistrationv1.NamedRuleWithOperations{
			governance.AdmissionRule([]string{rbacv1.GroupName}, []string{"v1"}, []string{"roles", "clusterroles"}),
		},
		Variables: []admissionregistrationv1.Variable{
			// The rules as written: an aggregated ClusterRole's are the
			// controller's, not judged.
			{Name: "written", Expression: `has(object.aggregationRule) ? [] : ` + celListField("object", "rules")},
			{Name: "guarded", Expression: `size(variables.written) <= ` + strconv.Itoa(resourceNamesMaxRules) +
				` && variables.written.all(r, size(` + celListField("r", "verbs") + `) <= ` + strconv.Itoa(resourceNamesMaxVerbs) +
				` && size(` + celListField("r", "resources") + `) <= ` + strconv.Itoa(resourceNamesMaxResources) + `)`},
			{Name: "vain", Expression: `variables.guarded ? ` + celEachRule("variables.written", resourceNamesMaxRules, perRule) + ` : []`},
		},
		Validations: []admissionregistrationv1.Validation{{
			Expression: `size(variables.vain) == 0`,
			Message:    "rules limited by resourceNames must not grant create (on a resource), deletecollection, list or watch: their requests carry no name",
			MessageExpression: `object.kind + " \"" + object.metadata.name + "\" grants, in rules limited by resourceNames, verbs whose requests carry no name ` +
				`(create of a new object, deletecollection, a plain list or watch): " + variables.vain.join("; ")`,
		}},
	}
}
