package rbac

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// maxNearMisses bounds the rules a denial reason lists.
const maxNearMisses = 3

// denialReason is Decision.Reason of a denial, cheap enough for every
// Can: what the apiserver says (the roles that applying bindings refer
// to but that do not exist), then whether any binding applies to the
// identity in the request's scope. Graph.ExplainDenial says more.
func (g *Graph) denialReason(id *Identity, a *Attributes) string {
	var missing []string
	applies := false
	scan := func(x *bindingIndex) {
		if x == nil {
			return
		}
		for _, b := range x.missing {
			if _, ok := b.appliesTo(id); ok {
				missing = append(missing, b.ref.String()+" refers to "+b.roleRef.String()+", which does not exist")
			}
		}
		if applies {
			return
		}
		applies = slices.ContainsFunc(x.byUser[id.User], hasRole)
		for _, grp := range id.Groups {
			applies = applies || slices.ContainsFunc(x.byGroup[grp], hasRole)
		}
	}
	scan(g.crbs)
	if a.IsResourceRequest() && a.Namespace != "" {
		scan(g.rbs[a.Namespace])
	}
	why := noBindingApplies
	if applies {
		why = bindingsApply
	}
	if len(missing) == 0 {
		return why
	}
	slices.Sort(missing)
	return "RBAC: " + strings.Join(slices.Compact(missing), "; ") + "; " + why[len("RBAC: "):]
}

func hasRole(b *binding) bool { return b.role != nil }

// The scope of a request is the cluster and, for a namespaced request,
// its namespace: the bindings that can grant it. Constants: a denial
// costs no allocation.
const (
	noBindingApplies = "RBAC: no binding in the request's scope applies to the identity"
	bindingsApply    = "RBAC: bindings in the request's scope apply to the identity, and no rule of their roles allows the request"
)

// ExplainDenial says why the identity may not make the request: the
// denial's Reason, the bindings that apply to the identity, the rules of
// their roles that fail the request on one point only (the verb, the API
// group, the resource, the resource name) and that point, and for a
// namespaced request the namespaces where a RoleBinding of the identity
// would allow it. It is "" when the request is allowed. It costs a walk
// over every namespace's RoleBindings: call it to explain, not to decide.
func (g *Graph) ExplainDenial(id Identity, a Attributes) string {
	d := g.Can(id, a)
	if d.Allowed {
		return ""
	}
	parts := []string{d.Reason}
	var applying []*binding
	collect := func(x *bindingIndex) {
		if x == nil {
			return
		}
		applying = append(applying, x.byUser[id.User]...)
		for _, grp := range id.Groups {
			applying = append(applying, x.byGroup[grp]...)
		}
	}
	collect(g.crbs)
	if a.IsResourceRequest() && a.Namespace != "" {
		collect(g.rbs[a.Namespace])
	}
	applying = uniqueBindings(applying)
	var refs []string
	for _, b := range applying {
		if b.role != nil {
			refs = append(refs, b.ref.String()+" ("+b.roleRef.String()+")")
		}
	}
	if len(refs) > 0 {
		parts = append(parts, "bindings: "+strings.Join(firstN(refs, maxNearMisses), ", "))
	}
	if near := nearMisses(applying, &a); len(near) > 0 {
		parts = append(parts, "closest: "+strings.Join(near, "; "))
	}
	if a.IsResourceRequest() && a.Namespace != "" {
		if elsewhere := g.allowedInOtherNamespaces(&id, &a); len(elsewhere) > 0 {
			parts = append(parts, "RoleBindings would allow it in namespace(s) "+strings.Join(firstN(elsewhere, maxNearMisses), ", "))
		}
	}
	return strings.Join(parts, "; ")
}

func uniqueBindings(bs []*binding) []*binding {
	seen := map[*binding]bool{}
	out := bs[:0:0]
	for _, b := range bs {
		if !seen[b] {
			seen[b] = true
			out = append(out, b)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return lessRef(out[i].ref, out[j].ref) })
	return out
}

func lessRef(a, b Ref) bool {
	if a.Kind != b.Kind {
		return a.Kind == "ClusterRoleBinding"
	}
	if a.Namespace != b.Namespace {
		return a.Namespace < b.Namespace
	}
	return a.Name < b.Name
}

// firstN keeps the first n items and says how many more there are.
func firstN(items []string, n int) []string {
	if len(items) <= n {
		return items
	}
	return append(slices.Clone(items[:n]), fmt.Sprintf("and %d more", len(items)-n))
}

// nearMisses describes the rules of the bindings that fail the request on
// exactly one point, e.g. `RoleBinding/ns/b rule 0 allows verbs [get list]
// on it, not "create"`.
func nearMisses(bs []*binding, a *Attributes) []string {
	var out []string
	for _, b := range bs {
		if b.role == nil {
			continue
		}
		for i := range b.role.rules {
			r := &b.role.rules[i]
			why, ok := singleMismatch(r.Verbs, r.APIGroups, r.Resources, r.ResourceNames, r.NonResourceURLs, a)
			if !ok {
				continue
			}
			out = append(out, fmt.Sprintf("%s rule %d %s", b.ref, i, why))
			if len(out) == maxNearMisses {
				return out
			}
		}
	}
	return out
}

// singleMismatch reports whether a rule fails the request on exactly one
// point, and which.
func singleMismatch(verbs, groups, resources, names, urls []string, a *Attributes) (string, bool) {
	var fails []string
	if !verbMatches(verbs, a.Verb) {
		fails = append(fails, fmt.Sprintf("allows verbs %v on it, not %q", verbs, a.Verb))
	}
	if !a.IsResourceRequest() {
		if len(urls) == 0 {
			return "", false // a resource rule is not close to a URL request
		}
		if !urlMatches(urls, a.Path) {
			fails = append(fails, fmt.Sprintf("allows URLs %v, not %q", urls, a.Path))
		}
	} else {
		if len(resources) == 0 {
			return "", false // a URL rule is not close to a resource request
		}
		if !groupMatches(groups, a.APIGroup) {
			fails = append(fails, fmt.Sprintf("names API groups %v, not %q", quoteEmpty(groups), a.APIGroup))
		}
		if !resourceMatches(resources, a.Resource, a.Subresource) {
			want := a.Resource
			if a.Subresource != "" {
				want += "/" + a.Subresource
			}
			fails = append(fails, fmt.Sprintf("names resources %v, not %q", resources, want))
		}
		if !nameMatches(names, a.Name) {
			if a.Name == "" {
				fails = append(fails, fmt.Sprintf("is limited to resourceNames %v, which never match a request without a name", names))
			} else {
				fails = append(fails, fmt.Sprintf("is limited to resourceNames %v, not %q", names, a.Name))
			}
		}
	}
	if len(fails) != 1 {
		return "", false
	}
	return fails[0], true
}

func quoteEmpty(groups []string) []string {
	out := slices.Clone(groups)
	for i, g := range out {
		if g == "" {
			out[i] = `""`
		}
	}
	return out
}

// allowedInOtherNamespaces lists the namespaces other than the request's
// where a RoleBinding of the identity allows the same request.
func (g *Graph) allowedInOtherNamespaces(id *Identity, a *Attributes) []string {
	var out []string
	for ns, x := range g.rbs {
		if ns == a.Namespace {
			continue
		}
		other := *a
		other.Namespace = ns
		q := g.ids.query(&other)
		found := false
		g.visitIndex(x, id, &other, &q, func(*binding, int, int) bool {
			found = true
			return false
		})
		if found {
			out = append(out, fmt.Sprintf("%q", ns))
		}
	}
	slices.Sort(out)
	return out
}
