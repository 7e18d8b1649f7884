package kubeapi

import "slices"

// AuthzResource is a resource, or subresources of a resource, that the
// kube-apiserver, the kubelet or a controller asks the authorizer about but
// that discovery does not list (or lists without these subresources).
type AuthzResource struct {
	// Group and Resource name it as RBAC rules do. Resource "*" stands for
	// every resource of every group (Group is then "*" too).
	Group, Resource string
	// Namespaced is true when the attributes carry a namespace.
	Namespaced bool
	// Subresources are the authorization-only subresources; AnySubresource
	// marks a resource whose subresource is free text (userextras/KEY).
	Subresources   []string
	AnySubresource bool
	// Verbs are the verbs the checks use.
	Verbs []string
	// CheckedBy says which component asks, and why.
	CheckedBy string
}

// authorizationOnly is read from the k8s.io/kubernetes v1.37 sources
// (staging/src/k8s.io/apiserver/pkg/endpoints/filters/impersonation,
// pkg/kubelet/server/auth.go, pkg/certauthorization,
// plugin/pkg/admission/certificates, pkg/controller/certificates/approver,
// pkg/registry/core/serviceaccount/storage/token.go,
// plugin/pkg/admission/gc and the DRA admission of resource.k8s.io).
// Verbs on served resources that only authorization uses (bind and
// escalate on roles and clusterroles, create on serviceaccounts/token)
// need no entry: the resources are served.
var authorizationOnly = []AuthzResource{
	// Legacy impersonation: --as, --as-group, --as-uid, --as-user-extra.
	{Group: "", Resource: "users", Verbs: []string{"impersonate"}, CheckedBy: "the apiserver's impersonation filter (--as)"},
	{Group: "", Resource: "groups", Verbs: []string{"impersonate"}, CheckedBy: "the apiserver's impersonation filter (--as-group)"},
	{Group: "", Resource: "serviceaccounts", Namespaced: true, Verbs: []string{"impersonate"}, CheckedBy: "the apiserver's impersonation filter (--as system:serviceaccount:NS:NAME); the resource is also served"},
	{Group: "", Resource: "uids", Verbs: []string{"impersonate"}, CheckedBy: "the apiserver's impersonation filter (--as-uid)"},
	{Group: "", Resource: "userextras", AnySubresource: true, Verbs: []string{"impersonate"}, CheckedBy: "the apiserver's impersonation filter (--as-user-extra KEY=V: subresource KEY)"},
	// Constrained impersonation (impersonate:MODE and impersonate-on:MODE:VERB).
	{Group: "authentication.k8s.io", Resource: "users", Verbs: []string{"impersonate", "impersonate:user-info"}, CheckedBy: "the apiserver's impersonation filter (constrained impersonation)"},
	{Group: "authentication.k8s.io", Resource: "groups", Verbs: []string{"impersonate", "impersonate:user-info"}, CheckedBy: "the apiserver's impersonation filter (constrained impersonation)"},
	{Group: "authentication.k8s.io", Resource: "serviceaccounts", Namespaced: true, Verbs: []string{"impersonate", "impersonate:serviceaccount"}, CheckedBy: "the apiserver's impersonation filter (constrained impersonation)"},
	{Group: "authentication.k8s.io", Resource: "uids", Verbs: []string{"impersonate", "impersonate:user-info"}, CheckedBy: "the apiserver's impersonation filter (constrained impersonation)"},
	{Group: "authentication.k8s.io", Resource: "userextras", AnySubresource: true, Verbs: []string{"impersonate", "impersonate:user-info"}, CheckedBy: "the apiserver's impersonation filter (constrained impersonation)"},
	{Group: "authentication.k8s.io", Resource: "nodes", Verbs: []string{"impersonate:associated-node", "impersonate:arbitrary-node"}, CheckedBy: "the apiserver's impersonation filter (constrained impersonation of a node)"},
	{Group: "authentication.k8s.io", Resource: "admissionReviewAPIGroups", Verbs: []string{"attest"}, CheckedBy: "the serviceaccounts/token endpoint, for admission-webhook authentication tokens"},
	// The kubelet's API: every request is an attribute on nodes/SUB.
	{Group: "", Resource: "nodes", Subresources: []string{"checkpoint", "configz", "healthz", "log", "metrics", "pods", "spec", "stats", "statusz"}, Verbs: []string{"get", "create", "update", "patch", "delete"}, CheckedBy: "the kubelet's authorizer (nodes/proxy is served)"},
	// Certificates: signer names.
	{Group: "certificates.k8s.io", Resource: "signers", Verbs: []string{"approve", "sign", "attest"}, CheckedBy: "CSR approval and signing admission, ClusterTrustBundle attestation, PodCertificateRequest signing"},
	{Group: "certificates.k8s.io", Resource: "certificatesigningrequests", Subresources: []string{"nodeclient", "selfnodeclient"}, Verbs: []string{"create"}, CheckedBy: "kube-controller-manager's CSR approver (kubelet client certificates)"},
	// Dynamic resource allocation.
	{Group: "resource.k8s.io", Resource: "resourceclaims", Namespaced: true, Subresources: []string{"binding", "driver"}, Verbs: []string{"update", "patch", "associated-node:update", "associated-node:patch", "arbitrary-node:update", "arbitrary-node:patch"}, CheckedBy: "the resourceclaims status strategy: binding (the scheduler binds a claim, checked cluster-wide) and driver (a driver writes status.devices; name = driver name)"},
	// OwnerReferencesPermissionEnforcement admission: blocking owner deletion.
	{Group: "*", Resource: "*", Subresources: []string{"finalizers"}, Verbs: []string{"update"}, CheckedBy: "the OwnerReferencesPermissionEnforcement admission plugin (setting blockOwnerDeletion)"},
}

// AuthorizationOnly returns the authorization-only resources and
// subresources, a fresh copy on every call.
func AuthorizationOnly() []AuthzResource {
	out := slices.Clone(authorizationOnly)
	for i := range out {
		out[i].Subresources = slices.Clone(out[i].Subresources)
		out[i].Verbs = slices.Clone(out[i].Verbs)
	}
	return out
}

// IsAuthorizationOnly reports whether a resource of a group exists only for
// authorization (it is not served): "users" in the core group, "signers"
// in certificates.k8s.io.
func IsAuthorizationOnly(group, resource string) bool {
	if _, ok := Lookup(group, resource); ok {
		return false
	}
	for _, a := range authorizationOnly {
		if a.Group == group && a.Resource == resource {
			return true
		}
	}
	return false
}
