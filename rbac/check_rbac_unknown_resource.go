package rbac

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/aigov/aigov/governance"
)

// checkUnknownResource (rbac-unknown-resource) finds rules that never
// match a real request because they name a resource or subresource the
// API does not serve: RBAC does not validate resource names, so the rule
// grants nothing, the people it was written for are refused, and the usual
// "fix" is a broader grant. It reads rules[*].apiGroups and resources of
// Roles and ClusterRoles (not aggregated ones) and, when every apiGroup of
// the rule is built in (internal/kubeapi's v1.37 table plus the
// authorization-only resources and subresources: impersonation targets,
// the kubelet's nodes/SUB, CSR signers, every resource's finalizers),
// denies a resource none of them serves ("deployments" in the core
// group), a subresource the resource does not have ("pods/logs" for
// "pods/log"), a "*/SUB" no resource of the groups has, and a subresource
// "*" ("pods/*" is not a wildcard). Rules with apiGroup "*" or a group
// that is not built in are not judged: an extension API may serve the
// name. It absorbed the catalog's rbac-nonexistent-subresource, an alias
// that policy files and exemption annotations may still name. Its
// ValidatingAdmissionPolicy decides the same on Roles and ClusterRoles with
// the served-resource table inlined as a CEL map (group, resource, its
// subresources), within the size guard unknownResourceGuard states.
func checkUnknownResource() lintCheck {
	return lintCheck{
		id:          "rbac-unknown-resource",
		aliases:     []string{"rbac-nonexistent-subresource"},
		severity:    governance.SeverityLow,
		description: "a rule names a resource or subresource the built-in API groups it lists do not serve",
		remediation: "fix the spelling (pods/log, not pods/logs), the API group, or use \"*/SUB\" for a subresource of every resource",
		kinds:       rolesKinds,
		// The loop over rules, their resources and their groups nests
		// three lists whose sizes only the request size bounds: the size
		// guard bounds them, so that a large Role is admitted (and left to
		// the scan) rather than refused for running out of budget.
		admissionNote: "VAP leaves to the scan: roles of more than " + strconv.Itoa(unknownResourceMaxRules) +
			" rules, and rules of more than " + strconv.Itoa(unknownResourceMaxItems) + " resources or " +
			strconv.Itoa(unknownResourceMaxGroups) + " apiGroups (the size guard of its cost)",
		admission: unknownResourceAdmission,
		run: func(ctx *lintContext, lc *lintCheck) []governance.Finding {
			var out []governance.Finding
			ctx.eachRule(func(r *lintRole, i int, rule *rbacv1.PolicyRule) {
				if !ctx.builtinGroups(rule) {
					return
				}
				for j, res := range rule.Resources {
					if msg := ctx.unknownResource(rule.APIGroups, res); msg != "" {
						out = append(out, lc.finding(r.obj, fmt.Sprintf("rules[%d].resources[%d]", i, j), "%s rule %d: %s", r.ref, i, msg))
					}
				}
			})
			return out
		},
	}
}

// unknownResource explains why no group of groups serves res ("" when one
// does).
func (ctx *lintContext) unknownResource(groups []string, res string) string {
	if res == rbacv1.ResourceAll {
		return ""
	}
	in := "group " + groupList(groups)
	resource, sub, hasSub := strings.Cut(res, "/")
	if hasSub && sub == "*" {
		return fmt.Sprintf("%q is not a wildcard: it matches only a subresource literally named \"*\", which no resource has (use \"*\" or list the subresources)", res)
	}
	if resource == "*" {
		for _, g := range groups {
			for _, r := range ctx.api[g] {
				if r.hasSubresource(sub) {
					return ""
				}
			}
		}
		return fmt.Sprintf("no resource of %s has a subresource %q%s", in, sub, suggest(sub, ctx.allSubresources(groups)))
	}
	var served []string
	for _, g := range groups {
		r, ok := ctx.api[g][resource]
		if !ok {
			continue
		}
		if !hasSub || r.hasSubresource(sub) {
			return ""
		}
		served = append(served, r.subresources...)
	}
	if hasSub && len(served) > 0 {
		return fmt.Sprintf("%q has no subresource %q in %s%s", resource, sub, in, suggest(sub, served))
	}
	var names []string
	for _, g := range groups {
		for name := range ctx.api[g] {
			names = append(names, name)
		}
	}
	msg := fmt.Sprintf("%s does not serve %q%s", in, resource, suggest(resource, names))
	if other := ctx.groupsServing(resource); len(other) > 0 {
		msg += fmt.Sprintf(" (it is served in group %s)", groupList(other))
	}
	return msg
}

func (ctx *lintContext) allSubresources(groups []string) []string {
	var out []string
	for _, g := range groups {
		for _, r := range ctx.api[g] {
			out = append(out, r.subresources...)
		}
	}
	return out
}

func (ctx *lintContext) groupsServing(resource string) []string {
	var out []string
	for g, rs := range ctx.api {
		if _, ok := rs[resource]; ok {
			out = append(out, g)
		}
	}
	sort.Strings(out)
	return out
}

func groupList(groups []string) string {
	q := make([]string, len(groups))
	for i, g := range groups {
		q[i] = fmt.Sprintf("%q", g)
	}
	return strings.Join(q, ", ")
}

// suggest returns `; did you mean "x"?` for the closest candidate within
// edit distance 2 (ties broken by name), or "".
func suggest(word string, candidates []string) string {
	best, bestD := "", 3
	for _, c := range candidates {
		if c == word {
			continue
		}
		// The cap is bestD+1 so that a capped distance is never taken for
		// a tie.
		if d := editDistance(word, c, bestD+1); d < bestD || (d == bestD && c < best) {
			best, bestD = c, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf("; did you mean %q?", best)
}

// editDistance is the Levenshtein distance of a and b, or max when it is at
// least max.
func editDistance(a, b string, max int) int {
	if d := len(a) - len(b); d >= max || -d >= max {
		return max
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return min(prev[len(b)], max)
}

// The size guard of the policy: a role with more rules, or a rule with
// more resources or apiGroups, is admitted and left to the scan.
const (
	unknownResourceMaxRules  = 32
	unknownResourceMaxItems  = 32
	unknownResourceMaxGroups = 8
)

// celServedAPI renders the served API as a CEL map literal: group to
// resource to its subresources, "*" among them for a resource that has
// any (userextras/KEY). "*" never names a real subresource: a rule's
// "RESOURCE/*" is refused before the table is read.
func celServedAPI(api map[string]map[string]builtinResource) string {
	groups := make([]string, 0, len(api))
	for g := range api {
		groups = append(groups, g)
	}
	sort.Strings(groups)
	var b strings.Builder
	b.WriteString("{")
	for i, g := range groups {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(governance.CELString(g) + ": {")
		names := make([]string, 0, len(api[g]))
		for n := range api[g] {
			names = append(names, n)
		}
		sort.Strings(names)
		for j, n := range names {
			if j > 0 {
				b.WriteString(", ")
			}
			r := api[g][n]
			subs := slices.Clone(r.subresources)
			if r.anySubresource {
				subs = append(subs, "*")
			}
			sort.Strings(subs)
			b.WriteString(governance.CELString(n) + ": " + governance.CELStringList(subs))
		}
		b.WriteString("}")
	}
	b.WriteString("}")
	return b.String()
}

// unknownResourceAdmission denies a Role or ClusterRole (not aggregated)
// with a rule whose apiGroups are all built in and that names a resource
// or subresource none of them serves, as unknownResource decides.
func unknownResourceAdmission() *governance.Admission {
	api := builtinAPI()
	// known is unknownResource's "" for the resource res of a rule whose
	// groups are gs: res is "*", or a RESOURCE/SUB that is not
	// RESOURCE/*, whose resource ("*": any, through subs) one of the
	// groups serves with that subresource.
	sub := `res.substring(res.indexOf("/") + 1)`
	resource := `res.substring(0, res.indexOf("/"))`
	known := `res == "*" || (res.contains("/") ? ` +
		`(` + sub + ` != "*" && (` + resource + ` == "*" ? ` +
		`gs.exists(g, ` + sub + ` in variables.subs[g] || "*" in variables.subs[g]) : ` +
		`gs.exists(g, ` + resource + ` in variables.api[g] && ` +
		`(` + sub + ` in variables.api[g][` + resource + `] || "*" in variables.api[g][` + resource + `])))) : ` +
		`gs.exists(g, res in variables.api[g]))`
	maxItems := strconv.Itoa(unknownResourceMaxItems)
	groups := celIndexed(`w.?apiGroups.orValue([])`, unknownResourceMaxGroups, "g", "string(g)")
	resources := celIndexed(`w.?resources.orValue([])`, unknownResourceMaxItems, "x", "string(x)")
	// Per rule (read through index lists of the guard's sizes, so that
	// the cost estimate knows their bounds): the unknown resources.
	perRule := `[` + groups + `].map(gs, (size(gs) > 0 && gs.all(g, g in variables.api)) ? ` + resources +
		`.filter(res, !(` + known + `)) : [])[0]`
	return &governance.Admission{
		Rules: []admissionregistrationv1.NamedRuleWithOperations{
			governance.AdmissionRule([]string{rbacv1.GroupName}, []string{"v1"}, []string{"roles", "clusterroles"}),
		},
		Variables: []admissionregistrationv1.Variable{
			{Name: "api", Expression: celServedAPI(api)},
			{Name: "subs", Expression: celGroupSubresources(api)},
			// The rules as written: an aggregated ClusterRole's are the
			// controller's, not judged; a role without rules sends null.
			{Name: "written", Expression: `has(object.aggregationRule) ? [] : ` + celListField("object", "rules")},
			{Name: "guarded", Expression: `size(variables.written) <= ` + strconv.Itoa(unknownResourceMaxRules) +
				` && variables.written.all(r, size(r.?resources.orValue([])) <= ` + maxItems + ` && size(r.?apiGroups.orValue([])) <= ` + strconv.Itoa(unknownResourceMaxGroups) + `)`},
			{Name: "unknown", Expression: `variables.guarded ? ` + celIndexed("variables.written", unknownResourceMaxRules, "w", perRule) +
				`.filter(l, size(l) > 0).map(l, l.map(res, "\"" + res + "\"").join(", ")) : []`},
		},
		Validations: []admissionregistrationv1.Validation{{
			Expression: `size(variables.unknown) == 0`,
			Message:    "role rules must name resources and subresources the built-in API groups they list serve",
			MessageExpression: `object.kind + " \"" + object.metadata.name + "\" names resources or subresources its rules' API groups do not serve (a rule that grants nothing): " +
				variables.unknown.join("; ")`,
		}},
	}
}

// celGroupSubresources renders, per group of api, the subresources any
// of its resources has ("*" for any), as a CEL map literal: what "*/SUB"
// needs.
func celGroupSubresources(api map[string]map[string]builtinResource) string {
	groups := make([]string, 0, len(api))
	for g := range api {
		groups = append(groups, g)
	}
	sort.Strings(groups)
	parts := make([]string, len(groups))
	for i, g := range groups {
		var subs []string
		for _, r := range api[g] {
			subs = append(subs, r.subresources...)
			if r.anySubresource {
				subs = append(subs, "*")
			}
		}
		sort.Strings(subs)
		parts[i] = governance.CELString(g) + ": " + governance.CELStringList(slices.Compact(subs))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// celIndexed is the CEL list of item (naming each element elem) over the
// at most n elements of list, read through the index list [0, n): the
// cost estimate then bounds the result by n, as the size guard does.
func celIndexed(list string, n int, elem, item string) string {
	idx := make([]string, n)
	for i := range idx {
		idx[i] = strconv.Itoa(i)
	}
	return `[` + strings.Join(idx, ", ") + `].filter(i, i < size(` + list + `)).map(i, [` + list + `[i]].map(` + elem + `, ` + item + `)[0])`
}
