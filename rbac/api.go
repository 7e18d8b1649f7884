package rbac

import (
	"slices"

	"github.com/aigov/aigov/internal/kubeapi"
)

// builtinResource is one resource of the built-in API: whether it is
// namespaced, and the subresources it has. anySubresource marks the
// authorization-only userextras/KEY.
type builtinResource struct {
	namespaced     bool
	subresources   []string
	anySubresource bool
}

func (r builtinResource) hasSubresource(sub string) bool {
	return r.anySubresource || slices.Contains(r.subresources, sub)
}

// builtinAPI is the served API (kubeapi's table, from the apiserver's
// discovery documents) plus the resources and subresources that exist only
// for authorization checks (kubeapi.AuthorizationOnly): impersonation
// targets (legacy in the core group, constrained in authentication.k8s.io),
// the kubelet's nodes/SUB checks, CSR signers, DRA's resourceclaims/driver
// and, for every resource, the finalizers subresource of owner-reference
// enforcement.
func builtinAPI() map[string]map[string]builtinResource {
	api := map[string]map[string]builtinResource{}
	for _, s := range kubeapi.ServedResources() {
		if api[s.Group] == nil {
			api[s.Group] = map[string]builtinResource{}
		}
		api[s.Group][s.Name] = builtinResource{namespaced: s.Namespaced, subresources: s.SubresourceNames()}
	}
	var everywhere []string // subresources every resource has
	for _, a := range kubeapi.AuthorizationOnly() {
		if a.Group == "*" {
			everywhere = append(everywhere, a.Subresources...)
			continue
		}
		if api[a.Group] == nil {
			api[a.Group] = map[string]builtinResource{}
		}
		r, ok := api[a.Group][a.Resource]
		if !ok {
			r.namespaced = a.Namespaced
		}
		r.subresources = slices.Clone(r.subresources)
		for _, s := range a.Subresources {
			if !slices.Contains(r.subresources, s) {
				r.subresources = append(r.subresources, s)
			}
		}
		r.anySubresource = r.anySubresource || a.AnySubresource
		api[a.Group][a.Resource] = r
	}
	for _, rs := range api {
		for name, r := range rs {
			for _, s := range everywhere {
				if !slices.Contains(r.subresources, s) {
					r.subresources = append(r.subresources, s)
				}
			}
			rs[name] = r
		}
	}
	return api
}
