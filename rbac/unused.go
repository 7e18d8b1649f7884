package rbac

import (
	"slices"

	rbacv1 "k8s.io/api/rbac/v1"
)

// GrantUsage is one rule of one binding's role, for one subject of the
// binding, against an audit log: never exercised (Used false), or
// exercised with only some of its verbs (UnusedVerbs).
type GrantUsage struct {
	Binding   Ref               `json:"binding"`
	Subject   rbacv1.Subject    `json:"subject"`
	Role      Ref               `json:"role"`
	RuleIndex int               `json:"ruleIndex"`
	Rule      rbacv1.PolicyRule `json:"rule"`
	Used      bool              `json:"used"`
	// UnusedVerbs are the rule's verbs no allowed request used (only for a
	// used rule that lists its verbs; "*" is not split).
	UnusedVerbs []string `json:"unusedVerbs,omitempty"`
	// UnusedNames are the rule's resourceNames no allowed request used
	// (only for a used rule limited by resourceNames).
	UnusedNames []string `json:"unusedNames,omitempty"`
}

type usageKey struct {
	binding Ref
	subject rbacv1.Subject
	rule    int
}

// Unused reports every grant the audit log never exercised, per binding
// (so per namespace), subject (normalized, see WhoCan) and rule of the
// role: a grant is
// exercised when it allows an allowed request of the log — decided by
// re-evaluating every request against the graph (all allowing grants, not
// only the first, which is all the audit annotation names), so a grant
// shadowed by another still counts as used. Rules that were used with
// only some of their verbs or resourceNames are listed with UnusedVerbs
// and UnusedNames. Bindings to
// missing roles have no rules and are not listed (see Lint). Sorted as
// Grants are, then by subject.
func (g *Graph) Unused(log *AuditLog) []GrantUsage {
	used := map[usageKey][]string{}
	names := map[usageKey][]string{}
	byRef := map[Ref]*binding{}
	for _, b := range g.crbs.all {
		byRef[b.ref] = b
	}
	for _, x := range g.rbs {
		for _, b := range x.all {
			byRef[b.ref] = b
		}
	}
	for _, o := range log.Requests {
		if o.Denied == o.Count {
			continue
		}
		for _, gr := range g.Grants(o.Identity, o.Attributes) {
			// Every subject of the binding the identity matches.
			b := byRef[gr.Binding]
			if b == nil {
				continue
			}
			for _, s := range b.subjects {
				if !subjectApplies(s, b.ref.Namespace, &o.Identity) {
					continue
				}
				n, ok := normalizeSubject(s, b.ref.Namespace)
				if !ok {
					continue
				}
				k := usageKey{gr.Binding, n, gr.RuleIndex}
				if !slices.Contains(used[k], o.Attributes.Verb) {
					used[k] = append(used[k], o.Attributes.Verb)
				}
				if o.Attributes.Name != "" && !slices.Contains(names[k], o.Attributes.Name) {
					names[k] = append(names[k], o.Attributes.Name)
				}
			}
		}
	}
	var out []GrantUsage
	visit := func(b *binding) {
		if b.role == nil {
			return
		}
		var subjects []rbacv1.Subject
		for _, s := range b.subjects {
			if n, ok := normalizeSubject(s, b.ref.Namespace); ok && !slices.Contains(subjects, n) {
				subjects = append(subjects, n)
			}
		}
		for _, s := range subjects {
			for i, rule := range b.role.rules {
				verbs, ok := used[usageKey{b.ref, s, i}]
				u := GrantUsage{Binding: b.ref, Subject: s, Role: b.roleRef, RuleIndex: i, Rule: rule, Used: ok}
				if ok {
					k := usageKey{b.ref, s, i}
					if !slices.Contains(rule.Verbs, rbacv1.VerbAll) {
						for _, v := range rule.Verbs {
							if !slices.Contains(verbs, v) && !slices.Contains(u.UnusedVerbs, v) {
								u.UnusedVerbs = append(u.UnusedVerbs, v)
							}
						}
					}
					for _, n := range rule.ResourceNames {
						if !slices.Contains(names[k], n) && !slices.Contains(u.UnusedNames, n) {
							u.UnusedNames = append(u.UnusedNames, n)
						}
					}
					if len(u.UnusedVerbs) == 0 && len(u.UnusedNames) == 0 {
						continue
					}
				}
				out = append(out, u)
			}
		}
	}
	for _, b := range g.crbs.all {
		visit(b)
	}
	for _, ns := range sortedKeys(g.rbs) {
		for _, b := range g.rbs[ns].all {
			visit(b)
		}
	}
	return out
}

// subjectApplies reports whether one subject of a binding in bindingNS
// matches the identity (the authorizer's appliesTo for one subject).
func subjectApplies(s rbacv1.Subject, bindingNS string, id *Identity) bool {
	b := binding{ref: Ref{Namespace: bindingNS}, subjects: []rbacv1.Subject{s}}
	_, ok := b.appliesTo(id)
	return ok
}
