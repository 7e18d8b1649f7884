package kubeapi_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/restmapper"

	"github.com/aigov/aigov/internal/kubeapi"
	"github.com/aigov/aigov/internal/testenv"
)

func TestMain(m *testing.M) { testenv.RunMain(m) }

// describe renders a resource as discovery describes it, subresources
// included, with kinds of the resource's own group version left implicit.
func describe(gv schema.GroupVersion, r kubeapi.Resource) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s singular=%s kind=%s namespaced=%t verbs=%v short=%v categories=%v",
		r.Name, r.SingularName, r.Kind, r.Namespaced, sorted(r.Verbs), sorted(r.ShortNames), sorted(r.Categories))
	for _, s := range r.Subresources {
		fmt.Fprintf(&b, "\n  %s/%s kind=%s verbs=%v", r.Name, s.Name, kindString(gv, s.KindGroup, s.KindVersion, s.Kind), sorted(s.Verbs))
	}
	return b.String()
}

func kindString(gv schema.GroupVersion, group, version, kind string) string {
	if (group == "" && version == "") || (group == gv.Group && version == gv.Version) {
		return kind
	}
	return group + "/" + version + "." + kind
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	if out == nil {
		out = []string{}
	}
	return out
}

// liveResources converts a server's APIResourceList ("pods/log" entries
// are subresources) into the table's shape.
func liveResources(t *testing.T, list *metav1.APIResourceList) []kubeapi.Resource {
	t.Helper()
	var out []kubeapi.Resource
	index := map[string]int{}
	for _, r := range list.APIResources {
		if strings.Contains(r.Name, "/") {
			continue
		}
		index[r.Name] = len(out)
		out = append(out, kubeapi.Resource{Name: r.Name, SingularName: r.SingularName, Kind: r.Kind, Namespaced: r.Namespaced,
			Verbs: r.Verbs, ShortNames: r.ShortNames, Categories: r.Categories})
	}
	for _, r := range list.APIResources {
		parent, sub, ok := strings.Cut(r.Name, "/")
		if !ok {
			continue
		}
		i, found := index[parent]
		if !found {
			t.Errorf("%s: subresource %s of an unlisted resource", list.GroupVersion, r.Name)
			continue
		}
		out[i].Subresources = append(out[i].Subresources, kubeapi.Subresource{Name: sub, Kind: r.Kind, KindGroup: r.Group, KindVersion: r.Version, Verbs: r.Verbs})
	}
	for i := range out {
		slices.SortFunc(out[i].Subresources, func(a, b kubeapi.Subresource) int { return strings.Compare(a.Name, b.Name) })
	}
	slices.SortFunc(out, func(a, b kubeapi.Resource) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// TestTableMatchesServerDiscovery compares the table with a real v1.37
// kube-apiserver's discovery. The test environment serves the APIs enabled
// by default (GA and some beta versions), so every group version it serves
// must be in the table with exactly the same resources, subresources,
// verbs, kinds, scopes and names, its groups in the table's order and its
// preferred versions the table's first; the table's group versions the
// server does not serve must all be alpha or beta.
func TestTableMatchesServerDiscovery(t *testing.T) {
	env := testenv.Shared(t)
	dc, err := discovery.NewDiscoveryClientForConfig(env.Config)
	if err != nil {
		t.Fatal(err)
	}
	groups, lists, err := dc.ServerGroupsAndResources()
	if err != nil {
		t.Fatal(err)
	}
	live := map[schema.GroupVersion]*metav1.APIResourceList{}
	for _, l := range lists {
		gv, err := schema.ParseGroupVersion(l.GroupVersion)
		if err != nil {
			t.Fatal(err)
		}
		live[gv] = l
	}

	table := map[schema.GroupVersion]kubeapi.Version{}
	tableOrder := map[string]int{}
	for i, g := range kubeapi.Groups() {
		tableOrder[g.Name] = i
		for _, v := range g.Versions {
			table[schema.GroupVersion{Group: g.Name, Version: v.Version}] = v
		}
	}

	last := -1
	for _, g := range groups {
		pos, ok := tableOrder[g.Name]
		if !ok {
			t.Errorf("the server serves group %q, the table does not", g.Name)
			continue
		}
		if pos < last {
			t.Errorf("group %q comes earlier in the table than in the server's discovery", g.Name)
		}
		last = pos
		tg := kubeapi.Groups()[pos]
		var servedVersions []string
		for _, v := range tg.Versions {
			if _, ok := live[schema.GroupVersion{Group: g.Name, Version: v.Version}]; ok {
				servedVersions = append(servedVersions, v.Version)
			}
		}
		var liveVersions []string
		for _, v := range g.Versions {
			liveVersions = append(liveVersions, v.Version)
		}
		if !slices.Equal(servedVersions, liveVersions) {
			t.Errorf("group %q: the server serves versions %v in this order, the table has them as %v (of %d)", g.Name, liveVersions, servedVersions, len(tg.Versions))
		}
		if len(servedVersions) > 0 && servedVersions[0] == tg.Versions[0].Version && g.PreferredVersion.Version != servedVersions[0] {
			t.Errorf("group %q: the server prefers %s, the table %s", g.Name, g.PreferredVersion.Version, servedVersions[0])
		}
	}

	compared := 0
	for gv, l := range live {
		tv, ok := table[gv]
		if !ok {
			t.Errorf("the server serves %v, the table does not", gv)
			continue
		}
		got := map[string]string{}
		for _, r := range tv.Resources {
			got[r.Name] = describe(gv, r)
		}
		for _, r := range liveResources(t, l) {
			compared++
			want := describe(gv, r)
			if got[r.Name] != want {
				t.Errorf("%v %s:\n table:  %s\n server: %s", gv, r.Name, got[r.Name], want)
			}
			delete(got, r.Name)
		}
		for name := range got {
			t.Errorf("%v %s: in the table, not served", gv, name)
		}
	}
	for gv := range table {
		if _, ok := live[gv]; !ok && !strings.Contains(gv.Version, "alpha") && !strings.Contains(gv.Version, "beta") {
			t.Errorf("%v is GA but the server does not serve it", gv)
		}
	}
	if compared < 60 {
		t.Errorf("only %d resources compared", compared)
	}
	t.Logf("compared %d resources of %d group versions", compared, len(live))
}

// kubectlDiscovery lists resources as the discovery client of kubectl
// does. kubectl's client (cli-runtime's disk-cached discovery) does not
// offer aggregated discovery to client-go's ServerGroupsAndResources, which
// therefore lists the group versions in the server's discovery order; a
// plain client-go discovery client takes the aggregated path, which lists
// them in map order, and the shortcut expander's choice among colliding
// short names ("ev": events and events.events.k8s.io) is then random.
// It caches the lists, as kubectl's client does on disk.
type kubectlDiscovery struct {
	discovery.DiscoveryInterface
	once   sync.Once
	groups []*metav1.APIGroup
	lists  []*metav1.APIResourceList
	err    error
}

func (d *kubectlDiscovery) ServerGroupsAndResources() ([]*metav1.APIGroup, []*metav1.APIResourceList, error) {
	d.once.Do(func() {
		// The argument hides ServerGroupsAndResources' aggregated path.
		d.groups, d.lists, d.err = discovery.ServerGroupsAndResources(struct{ discovery.DiscoveryInterface }{d.DiscoveryInterface})
	})
	return d.groups, d.lists, d.err
}

// restMapper is kubectl's mapper over the server's discovery: a shortcut
// expander over the discovery RESTMapper.
func restMapper(t *testing.T, dc discovery.DiscoveryInterface) resourceMapper {
	t.Helper()
	kd := &kubectlDiscovery{DiscoveryInterface: dc}
	gr, err := restmapper.GetAPIGroupResources(kd)
	if err != nil {
		t.Fatal(err)
	}
	return restmapper.NewShortcutExpander(restmapper.NewDiscoveryRESTMapper(gr), kd, nil)
}

type resourceMapper interface {
	ResourceFor(schema.GroupVersionResource) (schema.GroupVersionResource, error)
}

// servedLive reports whether the server serves a group resource.
func servedLive(t *testing.T, dc discovery.DiscoveryInterface) func(schema.GroupResource) bool {
	t.Helper()
	_, lists, err := dc.ServerGroupsAndResources()
	if err != nil {
		t.Fatal(err)
	}
	set := map[schema.GroupResource]bool{}
	for _, l := range lists {
		gv, _ := schema.ParseGroupVersion(l.GroupVersion)
		for _, r := range l.APIResources {
			set[schema.GroupResource{Group: gv.Group, Resource: r.Name}] = true
		}
	}
	return func(gr schema.GroupResource) bool { return set[gr] }
}

// TestResolveMatchesKubectlRESTMapper resolves every name Resolve accepts
// (plural, singular, short name, and their upper-case forms) with kubectl's
// RESTMapper on the real server and compares the groups, for the names
// whose resolution the server serves (the others are alpha-only); then
// adds CustomResourceDefinitions whose names collide with each other and
// with built-in short names, and compares again.
func TestResolveMatchesKubectlRESTMapper(t *testing.T) {
	env := testenv.Shared(t)
	dc, err := discovery.NewDiscoveryClientForConfig(env.Config)
	if err != nil {
		t.Fatal(err)
	}
	compare := func(t *testing.T, names []string, custom []kubeapi.CustomResource) {
		t.Helper()
		mapper, served := restMapper(t, dc), servedLive(t, dc)
		checked := 0
		for _, name := range names {
			for _, arg := range []string{name, strings.ToUpper(name[:1]) + name[1:]} {
				want, ok := kubeapi.Resolve(arg, custom)
				if !ok {
					t.Errorf("Resolve(%q) found nothing", arg)
					continue
				}
				if !served(want.GroupResource) {
					continue
				}
				// kubectl auth can-i lower-cases the argument.
				got, err := mapper.ResourceFor(schema.GroupVersionResource{Resource: strings.ToLower(arg)})
				if err != nil {
					t.Errorf("kubectl's RESTMapper does not resolve %q: %v (Resolve: %v)", arg, err, want.GroupResource)
					continue
				}
				checked++
				if got.GroupResource() != want.GroupResource {
					t.Errorf("%q: kubectl resolves %v, Resolve %v (%s)", arg, got.GroupResource(), want.GroupResource, want.By)
				}
			}
		}
		if checked < 100 {
			t.Errorf("only %d names compared", checked)
		}
	}
	t.Run("built-in", func(t *testing.T) { compare(t, kubeapi.Names(nil), nil) })

	t.Run("custom resources", func(t *testing.T) {
		custom := []kubeapi.CustomResource{
			{Group: "zz.aigov.test", Plural: "widgets", Kind: "Widget", ShortNames: []string{"wdg", "po"}, Namespaced: true},
			{Group: "aa.aigov.test", Plural: "widgets", Kind: "Widget", Namespaced: true},
			{Group: "mm.aigov.test", Plural: "deploy", Kind: "Gizmo", Singular: "gizmo", ShortNames: []string{"ev", "gz"}},
			{Group: "mm.aigov.test", Plural: "gadgets", Kind: "Gadget", ShortNames: []string{"gz2", "wdg"}, Namespaced: true},
		}
		var yaml strings.Builder
		for _, c := range custom {
			scope := "Cluster"
			if c.Namespaced {
				scope = "Namespaced"
			}
			singular := c.Singular
			if singular == "" {
				singular = strings.ToLower(c.Kind)
			}
			fmt.Fprintf(&yaml, `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: %[2]s.%[1]s}
spec:
  group: %[1]s
  scope: %[3]s
  names: {plural: %[2]s, singular: %[4]s, kind: %[5]s, shortNames: [%[6]s]}
  versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}}]
---
`, c.Group, c.Plural, scope, singular, c.Kind, strings.Join(c.ShortNames, ", "))
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if _, err := env.ApplyYAML(ctx, []byte(yaml.String())); err != nil {
			t.Fatal(err)
		}
		// Wait until discovery lists every custom resource.
		for {
			served := servedLive(t, dc)
			all := true
			for _, c := range custom {
				all = all && served(schema.GroupResource{Group: c.Group, Resource: c.Plural})
			}
			if all {
				break
			}
			select {
			case <-ctx.Done():
				t.Fatal("the custom resources never appeared in discovery")
			case <-time.After(200 * time.Millisecond):
			}
		}
		names := []string{"widgets", "widget", "wdg", "po", "deploy", "ev", "gizmo", "gz", "gadgets", "gadget", "gz2", "pods", "deployments"}
		compare(t, append(names, kubeapi.Names(nil)...), custom)
		// The collisions resolve as documented.
		for arg, want := range map[string]string{"widgets": "widgets.aa.aigov.test", "wdg": "gadgets.mm.aigov.test", "po": "pods.", "deploy": "deploy.mm.aigov.test", "ev": "events."} {
			r, _ := kubeapi.Resolve(arg, custom)
			if got := r.Resource + "." + r.Group; got != want {
				t.Errorf("Resolve(%q) = %s, want %s", arg, got, want)
			}
		}
	})
}
