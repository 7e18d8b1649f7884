package rbac

import "slices"

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

// builtinAPI is the served API (servedAPI, from the apiserver's discovery
// documents) plus the resources and subresources that exist only for
// authorization checks: impersonation targets (legacy in the core group,
// constrained in authentication.k8s.io), the kubelet's nodes/SUB checks,
// CSR signers, and DRA's resourceclaims/driver.
func builtinAPI() map[string]map[string]builtinResource {
	api := servedAPI()
	add := func(group, resource string, namespaced bool, subs ...string) {
		if api[group] == nil {
			api[group] = map[string]builtinResource{}
		}
		r, ok := api[group][resource]
		if !ok {
			r.namespaced = namespaced
		}
		for _, s := range subs {
			if !slices.Contains(r.subresources, s) {
				r.subresources = append(r.subresources, s)
			}
		}
		api[group][resource] = r
	}
	for _, g := range []string{"", "authentication.k8s.io"} {
		add(g, "users", false)
		add(g, "groups", false)
		add(g, "serviceaccounts", true)
		add(g, "uids", false)
		r := api[g]["userextras"]
		r.anySubresource = true
		api[g]["userextras"] = r
	}
	add("authentication.k8s.io", "nodes", false)
	add("", "nodes", false, "stats", "metrics", "log", "checkpoint", "statusz", "configz", "pods", "healthz", "spec")
	add("certificates.k8s.io", "signers", false)
	add("resource.k8s.io", "resourceclaims", true, "driver", "binding")
	return api
}
