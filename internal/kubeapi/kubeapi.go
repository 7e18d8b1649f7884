// Package kubeapi is the Kubernetes v1.37 API as the kube-apiserver's
// discovery describes it: per API group and version, every resource with
// its kind, scope, verbs, short names, singular name, categories and
// subresources (with their verbs), in the server's discovery order — the
// legacy core group first, then the groups in the order the aggregated
// discovery document lists them, each group's versions preferred first.
//
// The table (zz_generated.go) is written by the generator in ./gen from
// the discovery documents of the k8s.io/kubernetes v1.37.2 module
// (api/discovery/api__v1.json and api/discovery/aggregated_v2.json, which
// list every group and version with alpha and beta APIs enabled); a test
// fails when the committed table differs from the generator's output, and
// another compares it with a real v1.37 kube-apiserver's discovery.
//
// Next to the served API, AuthorizationOnly lists the resources and
// subresources that exist only as authorization attributes (impersonation
// targets, CSR signers, the kubelet's node subresources, ...): discovery
// does not list them, RBAC rules name them.
//
// Resolve maps a bare resource name (plural, singular or short name) to the
// group kubectl's discovery RESTMapper picks for it.
//
// The package imports nothing but k8s.io/apimachinery's schema, so every
// analyzer may read it.
package kubeapi

//go:generate go run ./gen

import (
	"cmp"
	"slices"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

// KubernetesVersion is the release whose discovery documents the table was
// generated from.
const KubernetesVersion = "v1.37.2"

// Group is an API group ("" is the legacy core group) with its versions in
// discovery order: Versions[0] is the preferred version.
type Group struct {
	Name     string
	Versions []Version
}

// Version is one version of a group and the resources it serves, sorted by
// name as discovery lists them.
type Version struct {
	Version   string
	Resources []Resource
}

// Resource is one resource of a group version.
type Resource struct {
	// Name is the plural resource name ("deployments").
	Name string
	// SingularName is the singular ("deployment").
	SingularName string
	// Kind is the kind of the objects, in the resource's group and version.
	Kind string
	// Namespaced is false for cluster-scoped resources.
	Namespaced bool
	Verbs      []string
	ShortNames []string
	Categories []string
	// Subresources are sorted by name.
	Subresources []Subresource
}

// Subresource is a subresource of a resource.
type Subresource struct {
	Name string
	// Kind is the kind the subresource returns; KindGroup and KindVersion
	// are its group and version when they differ from the resource's
	// (deployments/scale returns autoscaling/v1 Scale), else "".
	Kind        string
	KindGroup   string
	KindVersion string
	Verbs       []string
}

// Groups returns the served API in discovery order. The slices are shared:
// callers must not modify them.
func Groups() []Group { return generatedGroups }

// Served is a resource of a group merged over the versions that serve it.
type Served struct {
	Group string
	// Resource is the resource as its first serving version (in discovery
	// order: the preferred one when it serves it) describes it, except that
	// Verbs and Subresources are the union over every serving version
	// (verbs in first-seen order; subresources sorted by name, each with
	// the description of the first version that has it).
	Resource
	// Versions are the versions that serve it, in discovery order.
	Versions []string
}

// HasSubresource reports whether some version serves the subresource.
func (s Served) HasSubresource(name string) bool {
	return slices.ContainsFunc(s.Subresources, func(sr Subresource) bool { return sr.Name == name })
}

// SubresourceNames returns the names of the subresources, sorted.
func (s Served) SubresourceNames() []string {
	if len(s.Subresources) == 0 {
		return nil
	}
	out := make([]string, len(s.Subresources))
	for i, sr := range s.Subresources {
		out[i] = sr.Name
	}
	return out
}

// GroupResource is the resource's group and plural name.
func (s Served) GroupResource() schema.GroupResource {
	return schema.GroupResource{Group: s.Group, Resource: s.Name}
}

type servedIndex struct {
	all   []Served
	byKey map[schema.GroupResource]int
}

var served = sync.OnceValue(func() servedIndex {
	idx := servedIndex{byKey: map[schema.GroupResource]int{}}
	for _, g := range generatedGroups {
		for _, v := range g.Versions {
			for _, r := range v.Resources {
				key := schema.GroupResource{Group: g.Name, Resource: r.Name}
				i, ok := idx.byKey[key]
				if !ok {
					s := Served{Group: g.Name, Resource: r}
					s.Verbs = slices.Clone(r.Verbs)
					s.Subresources = slices.Clone(r.Subresources)
					s.Versions = []string{v.Version}
					idx.byKey[key] = len(idx.all)
					idx.all = append(idx.all, s)
					continue
				}
				s := &idx.all[i]
				s.Versions = append(s.Versions, v.Version)
				for _, verb := range r.Verbs {
					if !slices.Contains(s.Verbs, verb) {
						s.Verbs = append(s.Verbs, verb)
					}
				}
				for _, sr := range r.Subresources {
					if !s.HasSubresource(sr.Name) {
						s.Subresources = append(s.Subresources, sr)
					}
				}
				slices.SortFunc(s.Subresources, func(a, b Subresource) int { return strings.Compare(a.Name, b.Name) })
			}
		}
	}
	return idx
})

// ServedResources returns every served resource of every group, merged over
// versions, in discovery order (groups in order, each group's resources in
// the order of their first serving version). The result is fresh on every
// call; the Resource fields' slices are shared and must not be modified.
func ServedResources() []Served { return slices.Clone(served().all) }

// Lookup returns the served resource of a group by its plural name.
func Lookup(group, resource string) (Served, bool) {
	idx := served()
	i, ok := idx.byKey[schema.GroupResource{Group: group, Resource: resource}]
	if !ok {
		return Served{}, false
	}
	return idx.all[i], true
}

// GroupNames returns the served groups in discovery order ("" first).
func GroupNames() []string {
	out := make([]string, len(generatedGroups))
	for i, g := range generatedGroups {
		out[i] = g.Name
	}
	return out
}

// ClusterScopedKinds returns the kinds of the cluster-scoped resources of
// every group and version, sorted by group and kind.
func ClusterScopedKinds() []schema.GroupKind {
	seen := map[schema.GroupKind]bool{}
	var out []schema.GroupKind
	for _, g := range generatedGroups {
		for _, v := range g.Versions {
			for _, r := range v.Resources {
				gk := schema.GroupKind{Group: g.Name, Kind: r.Kind}
				if !r.Namespaced && !seen[gk] {
					seen[gk] = true
					out = append(out, gk)
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b schema.GroupKind) int {
		return cmp.Or(strings.Compare(a.Group, b.Group), strings.Compare(a.Kind, b.Kind))
	})
	return out
}
