package rbac

import (
	"fmt"
	"sort"
	"strings"

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
// that policy files and exemption annotations may still name.
func checkUnknownResource() lintCheck {
	return lintCheck{
		id:          "rbac-unknown-resource",
		aliases:     []string{"rbac-nonexistent-subresource"},
		severity:    governance.SeverityLow,
		description: "a rule names a resource or subresource the built-in API groups it lists do not serve",
		remediation: "fix the spelling (pods/log, not pods/logs), the API group, or use \"*/SUB\" for a subresource of every resource",
		kinds:       rolesKinds,
		// The served-resource table inlines into CEL as a map, and the
		// in-process and apiserver evaluations agree with Go, but the
		// loop over rules, their resources and their groups nests three
		// lists whose sizes only the request size bounds: the cost
		// estimate is unbounded, and a large Role (1000 rules) could run
		// out of the per-call budget and be refused whatever it grants.
		admissionNote: "no VAP: rules x resources x apiGroups nest three unbounded lists; the CEL cost estimate is unbounded",
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
