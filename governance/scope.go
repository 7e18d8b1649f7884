package governance

import (
	"slices"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Scope limits the objects a rule judges, with the semantics of a
// ValidatingAdmissionPolicyBinding's matchResources so that Go evaluation
// and the generated policy agree.
type Scope struct {
	// NamespaceSelector matches the labels of the object's namespace; for a
	// Namespace the object's own labels; other cluster-scoped objects always
	// match. Nil matches everything.
	NamespaceSelector labels.Selector
	// ObjectSelector matches the object's own labels. Nil matches everything.
	ObjectSelector labels.Selector
	// ExcludeNamespaces exempts whole namespaces from the rule: their
	// objects and the Namespace objects themselves.
	ExcludeNamespaces []string
	// Resources, when set, restricts the rule to these resources.
	Resources []ResourceRule
}

// ResourceRule is one entry of matchResources.resourceRules: API groups,
// versions and resource (plural) names, each with "*" for any.
type ResourceRule struct {
	APIGroups   []string `json:"apiGroups,omitempty"`
	APIVersions []string `json:"apiVersions,omitempty"`
	Resources   []string `json:"resources,omitempty"`
}

func (r ResourceRule) matches(gvk schema.GroupVersionKind) bool {
	plural, _ := meta.UnsafeGuessKindToResource(gvk)
	return matchAny(r.APIGroups, gvk.Group) && matchAny(r.APIVersions, gvk.Version) && matchAny(r.Resources, plural.Resource)
}

func matchAny(list []string, v string) bool {
	return slices.Contains(list, "*") || slices.Contains(list, v)
}

func (s Scope) includes(ref ObjectRef, inv *Inventory, nsLabels map[string]labels.Set) bool {
	gv, _ := schema.ParseGroupVersion(ref.APIVersion)
	// A Namespace is excluded by its own name, as the binding's
	// kubernetes.io/metadata.name NotIn requirement sees its own labels.
	ns := ref.Namespace
	if gv.Group == "" && ref.Kind == "Namespace" {
		ns = ref.Name
	}
	if ns != "" && slices.Contains(s.ExcludeNamespaces, ns) {
		return false
	}
	gvk := gv.WithKind(ref.Kind)
	if len(s.Resources) > 0 && !slices.ContainsFunc(s.Resources, func(r ResourceRule) bool { return r.matches(gvk) }) {
		return false
	}
	obj := inv.Get(Key{Group: gv.Group, Kind: ref.Kind, Namespace: ref.Namespace, Name: ref.Name})
	var own labels.Set
	if obj != nil {
		own = obj.Meta().GetLabels()
	}
	if s.ObjectSelector != nil && !s.ObjectSelector.Matches(own) {
		return false
	}
	if s.NamespaceSelector == nil {
		return true
	}
	switch {
	case gv.Group == "" && ref.Kind == "Namespace":
		return s.NamespaceSelector.Matches(own)
	case ref.Namespace == "":
		return true
	default:
		return s.NamespaceSelector.Matches(NamespaceLabels(nsLabels, ref.Namespace))
	}
}

// namespaceLabels indexes the labels of the inventory's Namespaces.
func namespaceLabels(inv *Inventory) map[string]labels.Set {
	out := map[string]labels.Set{}
	for _, ns := range Typed[*corev1.Namespace](inv) {
		out[ns.Name] = ns.Labels
	}
	return out
}

// NamespaceLabels returns the labels of a namespace: those of its object in
// the inventory, or for a namespace the inventory lacks only the
// kubernetes.io/metadata.name label every namespace carries.
func NamespaceLabels(index map[string]labels.Set, ns string) labels.Set {
	if l, ok := index[ns]; ok {
		return l
	}
	return labels.Set{corev1.LabelMetadataName: ns}
}
