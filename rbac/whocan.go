package rbac

import (
	"cmp"
	"slices"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
)

// SubjectAccess is one subject that may make a request, with every grant
// that allows it. Subject is normalized: a ServiceAccount carries its
// namespace (defaulted to the RoleBinding's), a User named
// "system:serviceaccount:NS:NAME" is that ServiceAccount, Users and Groups
// carry the RBAC API group.
type SubjectAccess struct {
	Subject rbacv1.Subject `json:"subject"`
	// Superuser marks the system:masters group, which the apiserver allows
	// everything before RBAC is asked.
	Superuser bool    `json:"superuser,omitempty"`
	Grants    []Grant `json:"grants,omitempty"`
}

// WhoCan lists every subject named by a binding that allows the request
// (ClusterRoleBindings, and for a namespaced resource request the
// RoleBindings of that namespace), sorted by kind, namespace and name,
// followed by the system:masters group. A subject that can never apply (a
// ServiceAccount without a namespace in a ClusterRoleBinding) is left out.
func (g *Graph) WhoCan(a Attributes) []SubjectAccess {
	acc := map[rbacv1.Subject]*SubjectAccess{}
	allowing := map[*role][]int{}
	var q ruleQuery
	if a.IsResourceRequest() {
		q = g.ids.query(&a)
	}
	collect := func(bs []*binding) {
		for _, b := range bs {
			if b.role == nil {
				continue
			}
			rules, ok := allowing[b.role]
			if !ok {
				rules = allowingRules(b.role, &q, &a)
				allowing[b.role] = rules
			}
			if len(rules) == 0 {
				continue
			}
			for si, s := range b.subjects {
				key, ok := normalizeSubject(s, b.ref.Namespace)
				if !ok {
					continue
				}
				sa := acc[key]
				if sa == nil {
					sa = &SubjectAccess{Subject: key}
					acc[key] = sa
				}
				for _, ri := range rules {
					sa.Grants = append(sa.Grants, *b.grant(si, ri))
				}
			}
		}
	}
	collect(g.crbs.all)
	if a.IsResourceRequest() && a.Namespace != "" {
		if x := g.rbs[a.Namespace]; x != nil {
			collect(x.all)
		}
	}
	out := make([]SubjectAccess, 0, len(acc)+1)
	for _, sa := range acc {
		sortGrants(sa.Grants)
		sa.Grants = slices.CompactFunc(sa.Grants, func(x, y Grant) bool {
			return x.Binding == y.Binding && x.RuleIndex == y.RuleIndex
		})
		out = append(out, *sa)
	}
	sortSubjects(out)
	return append(out, SubjectAccess{
		Subject:   rbacv1.Subject{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: GroupMasters},
		Superuser: true,
	})
}

func allowingRules(r *role, q *ruleQuery, a *Attributes) []int {
	var out []int
	if a.IsResourceRequest() {
		r.eachAllowing(q, a, func(i int) bool {
			out = append(out, i)
			return true
		})
		return out
	}
	for _, i := range r.urlRules {
		if RuleAllows(&r.rules[i], a) {
			out = append(out, int(i))
		}
	}
	return out
}

// normalizeSubject returns the subject as the authorizer matches it, or
// false when it can match no one.
func normalizeSubject(s rbacv1.Subject, bindingNS string) (rbacv1.Subject, bool) {
	switch s.Kind {
	case rbacv1.UserKind:
		// A User spelled as a service account's user name is that account.
		if ns, name, ok := SplitServiceAccount(s.Name); ok {
			return rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Namespace: ns, Name: name}, true
		}
		return rbacv1.Subject{Kind: s.Kind, APIGroup: rbacv1.GroupName, Name: s.Name}, true
	case rbacv1.GroupKind:
		return rbacv1.Subject{Kind: s.Kind, APIGroup: rbacv1.GroupName, Name: s.Name}, true
	case rbacv1.ServiceAccountKind:
		ns := s.Namespace
		if ns == "" {
			ns = bindingNS
		}
		if ns == "" {
			return rbacv1.Subject{}, false
		}
		return rbacv1.Subject{Kind: s.Kind, Namespace: ns, Name: s.Name}, true
	}
	return rbacv1.Subject{}, false
}

// kindOrder ranks subject kinds: users, groups, service accounts (an
// unknown kind ranks as a user). A switch, not a map: WhoCan sorts every
// answer, and a platform's 100 cluster admins are in every one.
func kindOrder(kind string) int {
	switch kind {
	case rbacv1.GroupKind:
		return 1
	case rbacv1.ServiceAccountKind:
		return 2
	}
	return 0
}

func sortSubjects(out []SubjectAccess) {
	slices.SortFunc(out, func(x, y SubjectAccess) int {
		a, b := &x.Subject, &y.Subject
		if a.Kind != b.Kind {
			return cmp.Compare(kindOrder(a.Kind), kindOrder(b.Kind))
		}
		if a.Namespace != b.Namespace {
			return strings.Compare(a.Namespace, b.Namespace)
		}
		return strings.Compare(a.Name, b.Name)
	})
}

// Identity returns the identity a subject authenticates as, for asking Can
// about it: a ServiceAccount's user name and groups, a User with
// system:authenticated, a Group as a synthetic member "group:NAME" of that
// group (and system:authenticated).
func (s SubjectAccess) Identity() Identity { return SubjectIdentity(s.Subject) }

// SubjectIdentity is the identity of a normalized subject (see
// SubjectAccess.Identity).
func SubjectIdentity(s rbacv1.Subject) Identity {
	switch s.Kind {
	case rbacv1.ServiceAccountKind:
		return ServiceAccount(s.Namespace, s.Name)
	case rbacv1.GroupKind:
		return Impersonate("group:"+s.Name, s.Name)
	}
	return Impersonate(s.Name)
}

// NamesObjects reports whether a grant that applies to requests like a
// (its verb, group, resource and subresource; cluster-wide and in its
// namespace) is limited by resourceNames. Only then can WhoCan about one
// object by name find subjects that WhoCan without a name does not, so a
// caller asking about many objects asks per name only when this is true.
func (g *Graph) NamesObjects(a Attributes) bool {
	if !a.IsResourceRequest() {
		return false
	}
	q := g.ids.query(&a)
	seen := map[*role]bool{}
	named := func(bs []*binding) bool {
		for _, b := range bs {
			if b.role == nil || seen[b.role] {
				continue
			}
			seen[b.role] = true
			found := false
			b.role.index.each(&q, func(_ int, isNamed bool) bool {
				found = isNamed
				return !isNamed
			})
			if found {
				return true
			}
		}
		return false
	}
	if named(g.crbs.all) {
		return true
	}
	if x := g.rbs[a.Namespace]; a.Namespace != "" && x != nil {
		return named(x.all)
	}
	return false
}
