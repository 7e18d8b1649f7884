package rbac

import (
	"fmt"
	"strconv"
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/aigov/aigov/governance"
)

// checkEmptyRule (rbac-empty-rule) finds rules the apiserver refuses to
// store because a list they need is empty, so the manifest fails to apply.
// It reads rules[*].verbs, apiGroups, resources and nonResourceURLs of
// Roles and ClusterRoles, aggregated ones included (the apiserver
// validates the rules a manifest writes before the controller replaces
// them), and denies a rule without verbs, without both resources and
// nonResourceURLs, or a resource rule without apiGroups. A role with no
// rules at all (and no aggregationRule), which grants nothing but is
// valid, is reported once at info. Its ValidatingAdmissionPolicy decides
// the same: in a cluster the apiserver's validation
// (ValidatePolicyRule) refuses every empty rule before admission
// policies run, so there the policy refuses only the role without rules.
func checkEmptyRule() lintCheck {
	return lintCheck{
		id:          "rbac-empty-rule",
		severity:    governance.SeverityMedium,
		description: "a rule (or role) that matches nothing; the apiserver rejects empty rules",
		remediation: "fill in verbs, apiGroups and resources (or nonResourceURLs), or delete the rule",
		kinds:       rolesKinds,
		admissionNote: "VAP repeats the empty-rule test for offline evaluation (in a cluster the apiserver's own validation " +
			"refuses every empty rule before admission policies run) and refuses a role without rules; it leaves to the scan " +
			"roles of more than " + strconv.Itoa(emptyRuleMaxRules) + " rules (the size guard of its cost)",
		admission: emptyRuleAdmission,
		run: func(ctx *lintContext, lc *lintCheck) []governance.Finding {
			var out []governance.Finding
			for ri := range ctx.roles {
				r := &ctx.roles[ri]
				if r.obj == nil {
					continue
				}
				if !r.aggregated && len(r.rules) == 0 {
					f := lc.finding(r.obj, "rules", "%s has no rules: it grants nothing", r.ref)
					f.Severity = governance.SeverityInfo
					out = append(out, f)
				}
				for i := range r.rules {
					rule := &r.rules[i]
					var missing string
					switch {
					case len(rule.Verbs) == 0:
						missing = "verbs"
					case len(rule.Resources) == 0 && len(rule.NonResourceURLs) == 0:
						missing = "resources and nonResourceURLs"
					case len(rule.NonResourceURLs) == 0 && len(rule.APIGroups) == 0:
						missing = "apiGroups"
					default:
						continue
					}
					out = append(out, lc.finding(r.obj, fmt.Sprintf("rules[%d]", i), "%s rule %d has no %s: it matches nothing and the apiserver rejects it", r.ref, i, missing))
				}
			}
			return out
		},
	}
}

// emptyRuleMaxRules is the size guard of the policy: a role with more
// rules is admitted and left to the scan.
const emptyRuleMaxRules = 256

// emptyRuleAdmission denies a Role or ClusterRole with a rule
// checkEmptyRule reports, or with no rules and no aggregationRule.
func emptyRuleAdmission() *governance.Admission {
	size := func(f string) string { return `size(` + celListField("w", f) + `)` }
	perRule := size("verbs") + ` == 0 ? "rule " + string(i) + " has no verbs" : ((` + size("resources") + ` == 0 && ` + size("nonResourceURLs") + ` == 0) ? ` +
		`"rule " + string(i) + " has no resources and nonResourceURLs" : ((` + size("nonResourceURLs") + ` == 0 && ` + size("apiGroups") + ` == 0) ? ` +
		`"rule " + string(i) + " has no apiGroups" : ""))`
	return &governance.Admission{
		Rules: []admissionregistrationv1.NamedRuleWithOperations{
			governance.AdmissionRule([]string{rbacv1.GroupName}, []string{"v1"}, []string{"roles", "clusterroles"}),
		},
		Variables: []admissionregistrationv1.Variable{
			{Name: "rules", Expression: celListField("object", "rules")},
			{Name: "norules", Expression: `!has(object.aggregationRule) && size(variables.rules) == 0`},
			{Name: "empty", Expression: `size(variables.rules) <= ` + strconv.Itoa(emptyRuleMaxRules) + ` ? ` +
				celEachRule("variables.rules", emptyRuleMaxRules, perRule) + ` : []`},
		},
		Validations: []admissionregistrationv1.Validation{
			{
				Expression: `size(variables.empty) == 0`,
				Message:    "role rules must have verbs, and apiGroups and resources or nonResourceURLs",
				MessageExpression: `object.kind + " \"" + object.metadata.name + "\" has rules that match nothing (the apiserver rejects them): " +
					variables.empty.join("; ")`,
			},
			{
				Expression:        `!variables.norules`,
				Message:           "a role must have rules (or an aggregationRule)",
				MessageExpression: `object.kind + " \"" + object.metadata.name + "\" has no rules: it grants nothing"`,
			},
		},
	}
}

// celEachRule is the CEL list of the non-empty strings item gives for the
// at most n rules of the list rules, item naming the rule w and its index
// i. The rules are read through the index list [0, n), so that the cost
// estimate bounds the result by n, as the size guard does.
func celEachRule(rules string, n int, item string) string {
	idx := make([]string, n)
	for i := range idx {
		idx[i] = strconv.Itoa(i)
	}
	return `[` + strings.Join(idx, ", ") + `].filter(i, i < size(` + rules + `)).map(i, [` + rules + `[i]].map(w, ` + item + `)[0]).filter(s, s != "")`
}

// celListField is the CEL list at field of obj, empty when the field is
// absent or null: a typed object sends a nil list without omitempty (a
// role's rules, a rule's verbs) as null, to the apiserver's policies as
// to the in-process evaluation.
func celListField(obj, field string) string {
	f := obj + `.` + field
	return `((has(` + f + `) && ` + f + ` != null) ? ` + f + ` : [])`
}
