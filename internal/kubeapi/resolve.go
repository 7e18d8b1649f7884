package kubeapi

import (
	"slices"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

// CustomResource is a resource served beside the built-in API, as a
// CustomResourceDefinition declares it.
type CustomResource struct {
	// Group and Plural are spec.group and spec.names.plural.
	Group, Plural string
	// Singular is spec.names.singular; "" means the lower-cased Kind, as
	// the apiserver defaults it.
	Singular   string
	Kind       string
	ShortNames []string
	Namespaced bool
	// Versions are the served versions, the first the one kubectl prefers
	// (optional).
	Versions []string
}

// MatchedBy says which form of a resource name a bare argument was.
type MatchedBy string

// The forms kubectl's RESTMapper accepts.
const (
	ByPlural    MatchedBy = "plural"
	BySingular  MatchedBy = "singular"
	ByShortName MatchedBy = "short name"
)

// Resolution is the resource a bare name stands for.
type Resolution struct {
	schema.GroupResource
	// Version is the version kubectl would use: the group's preferred
	// version when it serves the resource, else the first that does.
	Version string
	By      MatchedBy
	// Custom is true when a CustomResource matched.
	Custom bool
}

// entry is one resource of one group version, in the RESTMapper's
// priority order.
type entry struct {
	group, version, plural, singular string
	short                            []string
	custom                           bool
}

var builtinEntries = sync.OnceValue(func() []entry {
	var out []entry
	for _, g := range generatedGroups {
		for _, v := range g.Versions {
			for _, r := range v.Resources {
				out = append(out, entry{group: g.Name, version: v.Version, plural: r.Name,
					singular: singularOf(r.SingularName, r.Kind), short: r.ShortNames})
			}
		}
	}
	return out
})

func singularOf(singular, kind string) string {
	if singular != "" {
		return singular
	}
	return strings.ToLower(kind)
}

// entries returns the built-in resources followed by the custom ones in
// discovery order: the aggregator orders groups by priority and breaks
// ties by name, and every CustomResourceDefinition group has the same
// priority (1000), below every built-in group. A custom resource of a
// built-in group joins that group.
func entries(custom []CustomResource) []entry {
	builtin := builtinEntries()
	if len(custom) == 0 {
		return builtin
	}
	byGroup := map[string][]entry{}
	for _, c := range custom {
		if c.Group == "" || c.Plural == "" {
			continue
		}
		e := entry{group: c.Group, plural: c.Plural, singular: singularOf(c.Singular, c.Kind), short: c.ShortNames, custom: true}
		if len(c.Versions) > 0 {
			e.version = c.Versions[0]
		}
		byGroup[c.Group] = append(byGroup[c.Group], e)
	}
	out := make([]entry, 0, len(builtin)+len(custom))
	for i, e := range builtin {
		out = append(out, e)
		if i+1 == len(builtin) || builtin[i+1].group != e.group {
			out = append(out, byGroup[e.group]...)
			delete(byGroup, e.group)
		}
	}
	groups := make([]string, 0, len(byGroup))
	for g := range byGroup {
		groups = append(groups, g)
	}
	slices.Sort(groups)
	for _, g := range groups {
		out = append(out, byGroup[g]...)
	}
	return out
}

// Resolve maps a bare resource name to the resource kubectl's discovery
// RESTMapper (client-go restmapper: a shortcut expander over a priority
// mapper) resolves it to on a v1.37 apiserver that also serves the custom
// resources. The name is matched case-insensitively:
//
//  1. as a plural or singular name: the first match in priority order
//     wins — the core group first, then each group in discovery order,
//     within a group its preferred version, then its other versions;
//  2. else as a short name: the first resource listing it, in the same
//     order.
//
// So "events" is the core group's, not events.k8s.io's; "deploy" and
// "deployment" are deployments.apps. It reports false when nothing
// matches.
func Resolve(name string, custom []CustomResource) (Resolution, bool) {
	n := strings.ToLower(name)
	if n == "" {
		return Resolution{}, false
	}
	all := entries(custom)
	for _, e := range all {
		switch n {
		case e.plural:
			return e.resolution(ByPlural), true
		case e.singular:
			return e.resolution(BySingular), true
		}
	}
	for _, e := range all {
		if slices.Contains(e.short, n) {
			return e.resolution(ByShortName), true
		}
	}
	return Resolution{}, false
}

func (e entry) resolution(by MatchedBy) Resolution {
	return Resolution{GroupResource: schema.GroupResource{Group: e.group, Resource: e.plural}, Version: e.version, By: by, Custom: e.custom}
}

// Names returns every plural, singular and short name Resolve accepts
// (without the custom resources when custom is nil), sorted, without
// duplicates: the candidates of a "did you mean".
func Names(custom []CustomResource) []string {
	var out []string
	for _, e := range entries(custom) {
		out = append(out, e.plural, e.singular)
		out = append(out, e.short...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Plurals returns the plural names of the resources Resolve knows, sorted,
// without duplicates.
func Plurals(custom []CustomResource) []string {
	var out []string
	for _, e := range entries(custom) {
		out = append(out, e.plural)
	}
	slices.Sort(out)
	return slices.Compact(out)
}
