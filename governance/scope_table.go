package governance

import (
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/aigov/aigov/internal/kubeapi"
)

// clusterScoped lists the cluster-scoped kinds: those of the built-in groups
// (internal/kubeapi, from the v1.37 API discovery, every version), of the
// network-policy-api, and of the configuration files the inventory reads.
// Every other typed kind is namespaced.
var clusterScoped = func() map[schema.GroupKind]bool {
	m := map[schema.GroupKind]bool{
		{Group: "policy.networking.k8s.io", Kind: "AdminNetworkPolicy"}:         true,
		{Group: "policy.networking.k8s.io", Kind: "BaselineAdminNetworkPolicy"}: true,
		{Group: "policy.networking.k8s.io", Kind: "ClusterNetworkPolicy"}:       true,
		{Group: "audit.k8s.io", Kind: "Policy"}:                                 true,
		{Group: "apiserver.config.k8s.io", Kind: "EncryptionConfiguration"}:     true,
		{Group: "apiserver.config.k8s.io", Kind: "AdmissionConfiguration"}:      true,
	}
	for _, gk := range kubeapi.ClusterScopedKinds() {
		m[gk] = true
	}
	return m
}()

// IsClusterScoped reports whether a kind of the built-in groups is
// cluster-scoped. Unknown kinds report false.
func IsClusterScoped(gk schema.GroupKind) bool { return clusterScoped[gk] }

// isNamespaced decides whether an object without a namespace gets the
// default one: typed kinds by the table above, custom resources by their
// CustomResourceDefinition in the same input (unknown scope: left alone).
func isNamespaced(o *Object, crdScopes map[string]bool) bool {
	gk := o.GVK.GroupKind()
	if o.Typed {
		return !clusterScoped[gk]
	}
	if clusterScoped[gk] {
		return false
	}
	return crdScopes[gk.Group+"/"+gk.Kind]
}
