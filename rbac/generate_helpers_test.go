package rbac_test

import (
	"testing"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/rbac"
)

func generatedGraph(t testing.TB, lp *rbac.LeastPrivilege) *rbac.Graph {
	t.Helper()
	var objs []*governance.Object
	for _, o := range lp.Objects() {
		objs = append(objs, obj(o, o.GetObjectKind().GroupVersionKind().Kind))
	}
	inv, err := governance.NewInventory(objs)
	if err != nil {
		t.Fatal(err)
	}
	return rbac.New(inv)
}

// nearMisses are requests one step away from a: another verb, name,
// namespace, resource, subresource or URL.
func nearMisses(a rbac.Attributes) []rbac.Attributes {
	var out []rbac.Attributes
	vary := func(f func(*rbac.Attributes)) {
		c := a
		f(&c)
		out = append(out, c)
	}
	for _, v := range []string{"get", "list", "watch", "create", "update", "patch", "delete", "deletecollection", "post"} {
		if v != a.Verb {
			vary(func(c *rbac.Attributes) { c.Verb = v })
		}
	}
	if !a.IsResourceRequest() {
		vary(func(c *rbac.Attributes) { c.Path += "/x" })
		vary(func(c *rbac.Attributes) { c.Path = "/healthz" })
		return out
	}
	// A request without a name allows every name, and a cluster-wide
	// grant every namespace: those variants are implied, not misses.
	if a.Name != "" {
		vary(func(c *rbac.Attributes) { c.Name = "other" })
		vary(func(c *rbac.Attributes) { c.Name = "" })
	}
	if a.Namespace != "" {
		vary(func(c *rbac.Attributes) { c.Namespace = "elsewhere" })
		vary(func(c *rbac.Attributes) { c.Namespace = "" })
	}
	vary(func(c *rbac.Attributes) { c.Resource = "widgets" })
	vary(func(c *rbac.Attributes) { c.APIGroup = "example.com" })
	vary(func(c *rbac.Attributes) { c.Subresource = "status" })
	if a.Subresource != "" {
		vary(func(c *rbac.Attributes) { c.Subresource = "" })
	}
	return out
}

func contains(list []rbac.Attributes, a rbac.Attributes) bool {
	for _, x := range list {
		if x == a {
			return true
		}
	}
	return false
}
