package rbac

import (
	"slices"
	"sort"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/component-helpers/auth/rbac/validation"
)

// AccessChange is access the after-state grants a subject that the
// before-state did not: in a namespace (through RoleBindings) or
// cluster-wide (Namespace "", through ClusterRoleBindings).
type AccessChange struct {
	Subject   rbacv1.Subject `json:"subject"`
	Namespace string         `json:"namespace,omitempty"`
	// Added are the new permissions, compacted (one rule per group,
	// resource and names, or per URL, with the union of verbs).
	Added []rbacv1.PolicyRule `json:"added"`
	// Grants are the after-state grants that give them.
	Grants []Grant `json:"grants"`
}

// Diff lists every access the after-state grants that the before-state
// did not ("no new access", a CI gate), per subject named by an
// after-state binding and scope. New is decided with the apiserver's own
// coverage check (component-helpers validation.Covers): the rules the
// subject's bindings give in a scope, against every rule the subject held
// there before through any binding (its groups included) — so a grant
// moved from one binding to another, or already held through
// system:authenticated, is not new. Rules a RoleBinding makes inert
// (nonResourceURLs) are left out, and a namespace does not repeat what
// the subject newly holds cluster-wide. Aggregation is computed on both
// sides, so a labelled ClusterRole that widens "edit" shows on every
// subject of "edit". Sorted by subject, then namespace.
func Diff(before, after *Graph) []AccessChange {
	var out []AccessChange
	for _, sb := range after.bySubject() {
		id := SubjectIdentity(sb.subject)
		clusterRules := rulesOf(sb.crbs, false)
		if c, ok := accessChange(sb.subject, "", before.RulesFor(id, ""), clusterRules, sb.crbs); ok {
			out = append(out, c)
		}
		for _, ns := range sortedKeys(sb.rbs) {
			owner := append(before.RulesFor(id, ns), clusterRules...)
			if c, ok := accessChange(sb.subject, ns, owner, rulesOf(sb.rbs[ns], true), sb.rbs[ns]); ok {
				out = append(out, c)
			}
		}
	}
	return out
}

// rulesOf is the rules of the bindings' roles; namespaced drops
// nonResourceURL rules (inert through a RoleBinding).
func rulesOf(bs []*binding, namespaced bool) []rbacv1.PolicyRule {
	var out []rbacv1.PolicyRule
	for _, b := range bs {
		if b.role == nil {
			continue
		}
		for _, r := range b.role.rules {
			if namespaced && len(r.NonResourceURLs) > 0 {
				continue
			}
			out = append(out, r)
		}
	}
	return out
}

func accessChange(s rbacv1.Subject, ns string, owner, servant []rbacv1.PolicyRule, bs []*binding) (AccessChange, bool) {
	if len(servant) == 0 {
		return AccessChange{}, false
	}
	ok, missing := validation.Covers(owner, servant)
	if ok {
		return AccessChange{}, false
	}
	c := AccessChange{Subject: s, Namespace: ns, Added: compactBrokenDown(missing)}
	for _, b := range bs {
		if b.role == nil {
			continue
		}
		for i, r := range b.role.rules {
			if slices.ContainsFunc(missing, func(m rbacv1.PolicyRule) bool {
				covered, _ := validation.Covers([]rbacv1.PolicyRule{r}, []rbacv1.PolicyRule{m})
				return covered
			}) {
				c.Grants = append(c.Grants, *b.grant(subjectIndex(b, s), i))
			}
		}
	}
	sortGrants(c.Grants)
	return c, true
}

// compactBrokenDown merges rules that differ only in their verb.
func compactBrokenDown(rules []rbacv1.PolicyRule) []rbacv1.PolicyRule {
	idx := map[string]int{}
	var out []rbacv1.PolicyRule
	for _, r := range rules {
		k := strings.Join([]string{strings.Join(r.APIGroups, ","), strings.Join(r.Resources, ","), strings.Join(r.ResourceNames, ","), strings.Join(r.NonResourceURLs, ",")}, "\x00")
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			c := r
			c.Verbs = nil
			out = append(out, c)
		}
		for _, v := range r.Verbs {
			if !slices.Contains(out[i].Verbs, v) {
				out[i].Verbs = append(out[i].Verbs, v)
			}
		}
	}
	for i := range out {
		slices.Sort(out[i].Verbs)
	}
	sort.Slice(out, func(i, j int) bool { return ruleKey(&out[i]) < ruleKey(&out[j]) })
	return out
}
