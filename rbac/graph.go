package rbac

import (
	"slices"
	"sort"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/aigov/aigov/governance"
)

// Ref names a role or binding.
type Ref struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
}

// String renders "Kind/name" or "Kind/namespace/name".
func (r Ref) String() string { return governance.DisplayName(r.Kind, r.Namespace, r.Name) }

// Grant is the provenance of an allowed request: the binding, the subject
// of the binding that applied, the role it refers to and the index of the
// rule in that role (after aggregation).
type Grant struct {
	Binding   Ref               `json:"binding"`
	Subject   rbacv1.Subject    `json:"subject"`
	Role      Ref               `json:"role"`
	RuleIndex int               `json:"ruleIndex"`
	Rule      rbacv1.PolicyRule `json:"rule"`
}

// String is the apiserver's reason text with objects named as every aigov
// text output names them (governance.DisplayName): `ClusterRoleBinding/b
// of ClusterRole/r to User/u` or `RoleBinding/ns/b of Role/ns/r to
// ServiceAccount/ns/sa`.
func (g Grant) String() string {
	return g.Binding.String() + " of " + g.Role.String() + " to " + describeSubject(g.Subject, g.Binding.Namespace)
}

// describeSubject names a binding's subject: Kind/namespace/name for a
// ServiceAccount (the binding's namespace when the subject names none),
// Kind/name for users and groups.
func describeSubject(s rbacv1.Subject, bindingNS string) string {
	ns := ""
	if s.Kind == rbacv1.ServiceAccountKind {
		ns = s.Namespace
		if ns == "" {
			ns = bindingNS
		}
	}
	return governance.DisplayName(s.Kind, ns, s.Name)
}

// Decision is the RBAC authorizer's answer to one request.
type Decision struct {
	Allowed bool `json:"allowed"`
	// Superuser is set when the identity is in system:masters, which the
	// apiserver authorizes before RBAC.
	Superuser bool `json:"superuser,omitempty"`
	// Grant is the allowing grant (nil when denied or superuser).
	Grant *Grant `json:"grant,omitempty"`
	// Reason says why: "RBAC: allowed by ..." (the apiserver's text), or
	// for a denial the missing roles the applying bindings refer to (the
	// apiserver's text), then which bindings apply to the identity and
	// which of their rules came closest, or that none applies; see
	// Graph.Can.
	Reason string `json:"reason,omitempty"`
}

// Graph is the RBAC state of an inventory, indexed once for queries in both
// directions. It is immutable and safe for concurrent use.
type Graph struct {
	clusterRoles map[string]*role
	roles        map[Ref]*role
	crbs         *bindingIndex
	rbs          map[string]*bindingIndex // by namespace
	// serviceAccounts and namespaces present in the inventory (for lint).
	serviceAccounts map[Ref]bool
	namespaces      map[string]bool
	// ids interns the verbs, groups and resources of every rule.
	ids *interner
}

type role struct {
	ref   Ref
	rules []rbacv1.PolicyRule
	obj   *governance.Object
	// index finds the rules matching a resource request (see ruleIndex);
	// urlRules are the rules with nonResourceURLs.
	index    ruleIndex
	urlRules []int32
}

func newRole(in *interner, ref Ref, rules []rbacv1.PolicyRule, o *governance.Object) *role {
	r := &role{ref: ref, rules: rules, obj: o, index: newRuleIndex(in, rules)}
	for i := range rules {
		if len(rules[i].NonResourceURLs) > 0 {
			r.urlRules = append(r.urlRules, int32(i))
		}
	}
	return r
}

type binding struct {
	ref      Ref
	roleRef  Ref
	subjects []rbacv1.Subject
	role     *role // nil when the role is missing
	obj      *governance.Object
}

// bindingIndex holds the bindings of one scope (cluster, or one namespace)
// in name order, and by the user or group they apply to. ServiceAccount
// subjects are indexed under their user name.
type bindingIndex struct {
	all []*binding
	// missing are the bindings whose role does not exist, in name order.
	missing []*binding
	byUser  map[string][]*binding
	byGroup map[string][]*binding
}

func newBindingIndex() *bindingIndex {
	return &bindingIndex{byUser: map[string][]*binding{}, byGroup: map[string][]*binding{}}
}

func (x *bindingIndex) add(b *binding) {
	x.all = append(x.all, b)
	if b.role == nil {
		x.missing = append(x.missing, b)
	}
	seenU, seenG := map[string]bool{}, map[string]bool{}
	for _, s := range b.subjects {
		switch s.Kind {
		case rbacv1.UserKind:
			if !seenU[s.Name] {
				seenU[s.Name] = true
				x.byUser[s.Name] = append(x.byUser[s.Name], b)
			}
		case rbacv1.GroupKind:
			if !seenG[s.Name] {
				seenG[s.Name] = true
				x.byGroup[s.Name] = append(x.byGroup[s.Name], b)
			}
		case rbacv1.ServiceAccountKind:
			ns := s.Namespace
			if ns == "" {
				ns = b.ref.Namespace
			}
			if ns == "" {
				continue // never matches
			}
			u := ServiceAccountUser(ns, s.Name)
			if !seenU[u] {
				seenU[u] = true
				x.byUser[u] = append(x.byUser[u], b)
			}
		}
	}
}

// New indexes the Roles, ClusterRoles (aggregation computed, see
// Aggregate), RoleBindings and ClusterRoleBindings of the inventory. It uses
// only the objects given: no bootstrap roles are assumed.
func New(inv *governance.Inventory) *Graph {
	g := &Graph{
		clusterRoles:    map[string]*role{},
		roles:           map[Ref]*role{},
		crbs:            newBindingIndex(),
		rbs:             map[string]*bindingIndex{},
		serviceAccounts: map[Ref]bool{},
		namespaces:      map[string]bool{},
		ids:             newInterner(),
	}
	g.addRoles(inv)
	g.addBindings(inv)
	for _, o := range inv.Objects() {
		switch o.Kind() {
		case "ServiceAccount":
			g.serviceAccounts[Ref{Kind: "ServiceAccount", Namespace: o.Namespace(), Name: o.Name()}] = true
		case "Namespace":
			g.namespaces[o.Name()] = true
		}
	}
	return g
}

func objectsOf(inv *governance.Inventory, kind string) []*governance.Object {
	return inv.OfKind(rbacv1.SchemeGroupVersion.WithKind(kind).GroupKind())
}

func (g *Graph) addRoles(inv *governance.Inventory) {
	var crs []*rbacv1.ClusterRole
	crObjs := map[string]*governance.Object{}
	for _, o := range objectsOf(inv, "ClusterRole") {
		if cr, ok := o.Obj.(*rbacv1.ClusterRole); ok {
			crs = append(crs, cr)
			crObjs[cr.Name] = o
		}
	}
	for _, cr := range Aggregate(crs) {
		ref := Ref{Kind: "ClusterRole", Name: cr.Name}
		g.clusterRoles[cr.Name] = newRole(g.ids, ref, cr.Rules, crObjs[cr.Name])
	}
	for _, o := range objectsOf(inv, "Role") {
		if r, ok := o.Obj.(*rbacv1.Role); ok {
			ref := Ref{Kind: "Role", Namespace: r.Namespace, Name: r.Name}
			g.roles[ref] = newRole(g.ids, ref, r.Rules, o)
		}
	}
}

func (g *Graph) addBindings(inv *governance.Inventory) {
	var crbs, rbs []*binding
	for _, o := range objectsOf(inv, "ClusterRoleBinding") {
		if b, ok := o.Obj.(*rbacv1.ClusterRoleBinding); ok {
			crbs = append(crbs, g.newBinding(o, Ref{Kind: "ClusterRoleBinding", Name: b.Name}, b.RoleRef, b.Subjects))
		}
	}
	for _, o := range objectsOf(inv, "RoleBinding") {
		if b, ok := o.Obj.(*rbacv1.RoleBinding); ok {
			rbs = append(rbs, g.newBinding(o, Ref{Kind: "RoleBinding", Namespace: b.Namespace, Name: b.Name}, b.RoleRef, b.Subjects))
		}
	}
	byName := func(bs []*binding) {
		sort.Slice(bs, func(i, j int) bool {
			if bs[i].ref.Namespace != bs[j].ref.Namespace {
				return bs[i].ref.Namespace < bs[j].ref.Namespace
			}
			return bs[i].ref.Name < bs[j].ref.Name
		})
	}
	byName(crbs)
	byName(rbs)
	for _, b := range crbs {
		g.crbs.add(b)
	}
	for _, b := range rbs {
		x := g.rbs[b.ref.Namespace]
		if x == nil {
			x = newBindingIndex()
			g.rbs[b.ref.Namespace] = x
		}
		x.add(b)
	}
}

func (g *Graph) newBinding(o *governance.Object, ref Ref, rr rbacv1.RoleRef, subjects []rbacv1.Subject) *binding {
	b := &binding{ref: ref, subjects: subjects, obj: o, roleRef: Ref{Kind: rr.Kind, Name: rr.Name}}
	switch rr.Kind {
	case "ClusterRole":
		b.role = g.clusterRoles[rr.Name]
	case "Role":
		b.roleRef.Namespace = ref.Namespace
		if ref.Namespace != "" {
			b.role = g.roles[b.roleRef]
		}
	}
	return b
}

// appliesTo returns the index of the first subject of b that applies to id.
func (b *binding) appliesTo(id *Identity) (int, bool) {
	for i, s := range b.subjects {
		switch s.Kind {
		case rbacv1.UserKind:
			if s.Name == id.User {
				return i, true
			}
		case rbacv1.GroupKind:
			if slices.Contains(id.Groups, s.Name) {
				return i, true
			}
		case rbacv1.ServiceAccountKind:
			ns := s.Namespace
			if ns == "" {
				ns = b.ref.Namespace
			}
			if ns != "" && id.User == ServiceAccountUser(ns, s.Name) {
				return i, true
			}
		}
	}
	return 0, false
}

func (b *binding) grant(subject, rule int) *Grant {
	return &Grant{Binding: b.ref, Subject: b.subjects[subject], Role: b.roleRef, RuleIndex: rule, Rule: b.role.rules[rule]}
}

// Can answers whether the identity may make the request, as a kube-apiserver
// with the system:masters and RBAC authorizers would: system:masters is
// allowed everything; otherwise every ClusterRoleBinding, and for a resource
// request with a namespace the RoleBindings of that namespace, whose
// subjects include the identity contribute the rules of their role.
func (g *Graph) Can(id Identity, a Attributes) Decision {
	if slices.Contains(id.Groups, GroupMasters) {
		return Decision{Allowed: true, Superuser: true, Reason: "member of " + GroupMasters}
	}
	var found *Grant
	g.visit(&id, &a, func(b *binding, subject, rule int) bool {
		found = b.grant(subject, rule)
		return false
	})
	if found != nil {
		return Decision{Allowed: true, Grant: found, Reason: "RBAC: allowed by " + found.String()}
	}
	return Decision{Reason: g.denialReason(&id, &a)}
}

// Grants lists every grant that allows the request (all bindings and
// rules, not only the first), ordered ClusterRoleBindings first, then by
// binding name and rule index. It is empty for a request only
// system:masters allows.
func (g *Graph) Grants(id Identity, a Attributes) []Grant {
	var out []Grant
	g.visit(&id, &a, func(b *binding, subject, rule int) bool {
		out = append(out, *b.grant(subject, rule))
		return true
	})
	sortGrants(out)
	return slices.CompactFunc(out, func(x, y Grant) bool {
		return x.Binding == y.Binding && x.RuleIndex == y.RuleIndex
	})
}

func sortGrants(gs []Grant) {
	sort.SliceStable(gs, func(i, j int) bool {
		a, b := gs[i], gs[j]
		if a.Binding.Kind != b.Binding.Kind {
			return a.Binding.Kind == "ClusterRoleBinding"
		}
		if a.Binding.Namespace != b.Binding.Namespace {
			return a.Binding.Namespace < b.Binding.Namespace
		}
		if a.Binding.Name != b.Binding.Name {
			return a.Binding.Name < b.Binding.Name
		}
		return a.RuleIndex < b.RuleIndex
	})
}

// visit calls fn for each allowing (binding, subject, rule) until fn
// returns false. A binding reachable through several of the identity's
// names is visited once per name; callers that collect de-duplicate.
func (g *Graph) visit(id *Identity, a *Attributes, fn func(b *binding, subject, rule int) bool) {
	var q ruleQuery
	if a.IsResourceRequest() {
		q = g.ids.query(a)
	}
	if !g.visitIndex(g.crbs, id, a, &q, fn) {
		return
	}
	if a.IsResourceRequest() && a.Namespace != "" {
		if x := g.rbs[a.Namespace]; x != nil {
			g.visitIndex(x, id, a, &q, fn)
		}
	}
}

func (g *Graph) visitIndex(x *bindingIndex, id *Identity, a *Attributes, q *ruleQuery, fn func(b *binding, subject, rule int) bool) bool {
	if !visitList(x.byUser[id.User], id, a, q, fn) {
		return false
	}
	for _, grp := range id.Groups {
		if !visitList(x.byGroup[grp], id, a, q, fn) {
			return false
		}
	}
	return true
}

// visitList calls fn for every allowing rule of the bindings, binding by
// binding and in rule order within a binding.
func visitList(bs []*binding, id *Identity, a *Attributes, q *ruleQuery, fn func(b *binding, subject, rule int) bool) bool {
	for _, b := range bs {
		if b.role == nil {
			continue
		}
		if !a.IsResourceRequest() {
			for _, i := range b.role.urlRules {
				if !RuleAllows(&b.role.rules[i], a) {
					continue
				}
				s, _ := b.appliesTo(id)
				if !fn(b, s, int(i)) {
					return false
				}
			}
			continue
		}
		if !b.role.eachAllowing(q, a, func(i int) bool {
			s, _ := b.appliesTo(id)
			return fn(b, s, i)
		}) {
			return false
		}
	}
	return true
}
