package rbac

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/internal/kubeapi"
)

// ResourceResolution is the resource and API group a kubectl-style
// resource argument names.
type ResourceResolution struct {
	Resource string
	APIGroup string
	// Explanation says how the group was chosen, in one sentence.
	Explanation string
	// Warning is set when a bare name is served by no group: kubectl's
	// warning, with a "did you mean" when a served name is close.
	Warning string
}

// ResolveResource resolves the TYPE[.GROUP] of a can-i or who-can argument
// (without its /NAME) as `kubectl auth can-i` does, against the resources
// of Kubernetes v1.37 and those of the CustomResourceDefinitions in inv
// (which may be nil).
//
// TYPE.GROUP is taken as written: the resource is the text before the
// first ".", the group the rest. A bare TYPE is matched, case-insensitively,
// as a plural, singular or short name ("deployments", "deployment",
// "deploy", "Deployment"); when several groups serve it, the first in
// discovery order wins, as kubectl's discovery RESTMapper picks (the core
// group first: "events" is the core group's). A bare name that no group
// serves is sent as written in the core group, as kubectl sends it, with a
// Warning — except the resources that exist only for authorization in the
// core group (the impersonation targets "users", "groups", "uids",
// "userextras"), which are core by design. "*" is every resource.
func ResolveResource(inv *governance.Inventory, typ string) (ResourceResolution, error) {
	if typ == "" {
		return ResourceResolution{}, fmt.Errorf("no resource type")
	}
	if strings.Contains(typ, "/") {
		return ResourceResolution{}, fmt.Errorf("resource type %q contains a \"/\": give TYPE[.GROUP] without /NAME", typ)
	}
	if typ == "*" {
		return ResourceResolution{Resource: "*", Explanation: `"*" is every resource (group "")`}, nil
	}
	if res, group, ok := strings.Cut(typ, "."); ok {
		return ResourceResolution{Resource: res, APIGroup: group,
			Explanation: fmt.Sprintf("%q is taken as written: resource %q in group %q", typ, res, group)}, nil
	}
	custom := customResources(inv)
	if r, ok := kubeapi.Resolve(typ, custom); ok {
		out := ResourceResolution{Resource: r.Resource, APIGroup: r.Group}
		what := fmt.Sprintf("%q is %s", typ, groupResourceString(r.GroupResource))
		if r.By != kubeapi.ByPlural {
			what = fmt.Sprintf("%q is the %s of %s", typ, r.By, groupResourceString(r.GroupResource))
		}
		if r.Custom {
			out.Explanation = fmt.Sprintf("%s, served by the CustomResourceDefinition %s.%s in the inputs", what, r.Resource, r.Group)
			return out, nil
		}
		out.Explanation = fmt.Sprintf("%s: the group that serves it in Kubernetes %s (%s), as kubectl resolves it",
			what, kubeapi.KubernetesVersion, schema.GroupVersion{Group: r.Group, Version: r.Version})
		if others := otherGroupsServing(r.GroupResource); len(others) > 0 {
			out.Explanation += fmt.Sprintf("; %s also serves it, later in discovery order", strings.Join(others, ", "))
		}
		return out, nil
	}
	lower := strings.ToLower(typ)
	for _, a := range kubeapi.AuthorizationOnly() {
		if a.Group == "" && a.Resource == lower {
			return ResourceResolution{Resource: typ,
				Explanation: fmt.Sprintf("%q is a resource of the core group that exists only for authorization, checked by %s", typ, a.CheckedBy)}, nil
		}
	}
	hint := suggest(lower, kubeapi.Plurals(custom)) // plurals first: "secretz" is "secrets"
	if hint == "" {
		hint = suggest(lower, kubeapi.Names(custom))
	}
	for _, a := range kubeapi.AuthorizationOnly() {
		if a.Group != "" && a.Group != "*" && a.Resource == lower {
			hint = fmt.Sprintf("; did you mean %q?", a.Resource+"."+a.Group)
		}
	}
	return ResourceResolution{Resource: typ,
		Explanation: fmt.Sprintf("no group serves %q in Kubernetes %s or the CustomResourceDefinitions given: it is sent as resource %q of the core group, as kubectl sends it", typ, kubeapi.KubernetesVersion, typ),
		Warning:     fmt.Sprintf("the server doesn't have a resource type '%s' (Kubernetes %s and the CustomResourceDefinitions given): it is sent as a resource of the core group%s", typ, kubeapi.KubernetesVersion, hint),
	}, nil
}

// groupResourceString spells a group resource as kubectl does
// ("deployments.apps"), the core group's as "pods (core group)".
func groupResourceString(gr schema.GroupResource) string {
	if gr.Group == "" {
		return gr.Resource + " (core group)"
	}
	return gr.Resource + "." + gr.Group
}

// otherGroupsServing lists the other built-in groups that serve a
// resource of the same name, in discovery order.
func otherGroupsServing(gr schema.GroupResource) []string {
	var out []string
	for _, g := range kubeapi.GroupNames() {
		if g == gr.Group {
			continue
		}
		if _, ok := kubeapi.Lookup(g, gr.Resource); ok {
			out = append(out, fmt.Sprintf("%q", g))
		}
	}
	return out
}

// customResources reads the CustomResourceDefinitions of an inventory.
func customResources(inv *governance.Inventory) []kubeapi.CustomResource {
	if inv == nil {
		return nil
	}
	var out []kubeapi.CustomResource
	for _, o := range inv.OfKind(schema.GroupKind{Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinition"}) {
		u, ok := o.Obj.(runtime.Unstructured)
		if !ok {
			continue
		}
		obj := u.UnstructuredContent()
		str := func(fields ...string) string {
			s, _, _ := unstructured.NestedString(obj, fields...)
			return s
		}
		short, _, _ := unstructured.NestedStringSlice(obj, "spec", "names", "shortNames")
		c := kubeapi.CustomResource{
			Group: str("spec", "group"), Plural: str("spec", "names", "plural"),
			Singular: str("spec", "names", "singular"), Kind: str("spec", "names", "kind"),
			ShortNames: short, Namespaced: str("spec", "scope") == "Namespaced",
		}
		if c.Group == "" || c.Plural == "" {
			continue
		}
		out = append(out, c)
	}
	return out
}
