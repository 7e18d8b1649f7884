package rbac

// ListedNames returns every resource name that a rule matching the
// request a in all but its name lists in resourceNames, over the bindings
// WhoCan(a) reads (ClusterRoleBindings, and for a namespaced resource
// request the RoleBindings of a.Namespace). A rule without resourceNames
// allows every name, and one with them allows only those it lists, so
// WhoCan gives one answer for every name outside the set: a caller asking
// about many objects of one namespace (each Secret) asks WhoCan once for
// the names outside it and once for each name in it. Nil for a
// non-resource request, which has no names.
func (g *Graph) ListedNames(a Attributes) map[string]bool {
	if !a.IsResourceRequest() {
		return nil
	}
	listed := map[string]bool{}
	q := g.ids.query(&a)
	seen := map[*role]bool{}
	collect := func(bs []*binding) {
		for _, b := range bs {
			if b.role == nil || seen[b.role] {
				continue
			}
			seen[b.role] = true
			b.role.index.each(&q, func(i int, named bool) bool {
				if named {
					for _, n := range b.role.rules[i].ResourceNames {
						listed[n] = true
					}
				}
				return true
			})
		}
	}
	collect(g.crbs.all)
	if a.Namespace != "" {
		if x := g.rbs[a.Namespace]; x != nil {
			collect(x.all)
		}
	}
	return listed
}
