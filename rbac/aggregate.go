package rbac

import (
	"sort"
	"strconv"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// Aggregate returns the ClusterRoles as the clusterrole-aggregation
// controller leaves them at steady state: every role with an aggregationRule
// gets the de-duplicated union of the rules of every other ClusterRole that
// any of its selectors matches (roles in name order, rules in their order),
// replacing the rules written in its manifest — unless the selectors select
// no rules at all: the controller then applies an empty list, which
// server-side apply leaves as the manifest's rules (observed against a
// v1.37 apiserver). Nested aggregation is followed to a fixed point. The input is not modified; roles without an
// aggregationRule are returned as they are. Invalid selectors select nothing
// (the apiserver refuses to store them).
func Aggregate(roles []*rbacv1.ClusterRole) []*rbacv1.ClusterRole {
	out := make([]*rbacv1.ClusterRole, len(roles))
	copy(out, roles)
	sorted := make([]int, len(out))
	for i := range sorted {
		sorted[i] = i
	}
	sort.SliceStable(sorted, func(a, b int) bool { return out[sorted[a]].Name < out[sorted[b]].Name })
	selectors := make(map[int][]labels.Selector)
	for i, r := range out {
		if r.AggregationRule != nil {
			selectors[i] = compileSelectors(r.AggregationRule.ClusterRoleSelectors)
		}
	}
	// Each round recomputes every aggregated role from the current state; a
	// chain of n aggregated roles converges in at most n+1 rounds. Cycles
	// may not converge (neither does the controller); stop after the bound.
	for round := 0; round <= len(selectors)+1; round++ {
		changed := false
		for i := range out {
			sels, ok := selectors[i]
			if !ok {
				continue
			}
			rules := aggregateOne(out, sorted, i, sels)
			if len(rules) == 0 {
				// The controller applies an empty rule list as "no
				// rules field" (server-side apply), which leaves the
				// manifest's rules in place.
				rules = roles[i].Rules
			}
			if equality.Semantic.DeepEqual(rules, out[i].Rules) {
				continue
			}
			c := out[i].DeepCopy()
			c.Rules = rules
			out[i] = c
			changed = true
		}
		if !changed {
			break
		}
	}
	return out
}

func compileSelectors(in []metav1.LabelSelector) []labels.Selector {
	var out []labels.Selector
	for i := range in {
		s, err := metav1.LabelSelectorAsSelector(&in[i])
		if err == nil {
			out = append(out, s)
		}
	}
	return out
}

func aggregateOne(roles []*rbacv1.ClusterRole, byName []int, self int, sels []labels.Selector) []rbacv1.PolicyRule {
	rules := []rbacv1.PolicyRule{}
	seen := map[string]bool{}
	for _, sel := range sels {
		for _, j := range byName {
			if j == self || roles[j].Name == roles[self].Name || !sel.Matches(labels.Set(roles[j].Labels)) {
				continue
			}
			for _, r := range roles[j].Rules {
				if k := ruleKey(&r); !seen[k] {
					seen[k] = true
					rules = append(rules, r)
				}
			}
		}
	}
	return rules
}

// ruleKey identifies a rule up to the controller's semantic equality (nil
// and empty lists are equal): every list, length-prefixed.
func ruleKey(r *rbacv1.PolicyRule) string {
	var b strings.Builder
	for _, list := range [][]string{r.Verbs, r.APIGroups, r.Resources, r.ResourceNames, r.NonResourceURLs} {
		b.WriteString(strconv.Itoa(len(list)))
		for _, s := range list {
			b.WriteString(":" + strconv.Itoa(len(s)) + ":" + s)
		}
		b.WriteByte(';')
	}
	return b.String()
}
