package kubeapi_test

import (
	"bytes"
	"os"
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/aigov/aigov/internal/kubeapi"
	"github.com/aigov/aigov/internal/kubeapi/internal/generate"
)

// TestGeneratedTableIsCurrent runs the generator in memory on the
// k8s.io/kubernetes module's discovery documents and fails when the
// committed zz_generated.go differs (run go generate ./internal/kubeapi).
func TestGeneratedTableIsCurrent(t *testing.T) {
	dir, err := generate.ModuleDir()
	if err != nil {
		t.Fatal(err)
	}
	want, err := generate.Generate(dir)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("zz_generated.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := 0; i < min(len(gl), len(wl)); i++ {
			if gl[i] != wl[i] {
				t.Fatalf("zz_generated.go is stale (go generate ./internal/kubeapi); first difference at line %d:\n got  %s\n want %s", i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("zz_generated.go is stale (go generate ./internal/kubeapi): %d lines, the generator writes %d", len(gl), len(wl))
	}
	// The generator is deterministic.
	again, err := generate.Generate(dir)
	if err != nil || !bytes.Equal(again, want) {
		t.Fatalf("a second run of the generator differs (err %v)", err)
	}
}

func TestTableShape(t *testing.T) {
	groups := kubeapi.Groups()
	if len(groups) < 2 || groups[0].Name != "" || groups[0].Versions[0].Version != "v1" {
		t.Fatalf("the core group v1 is not first: %v", kubeapi.GroupNames())
	}
	seen := map[string]bool{}
	for _, g := range groups {
		if seen[g.Name] {
			t.Errorf("group %q listed twice", g.Name)
		}
		seen[g.Name] = true
		if len(g.Versions) == 0 {
			t.Errorf("group %q has no version", g.Name)
		}
		for _, v := range g.Versions {
			for i, r := range v.Resources {
				if i > 0 && v.Resources[i-1].Name >= r.Name {
					t.Errorf("%s/%s: resources not sorted at %q", g.Name, v.Version, r.Name)
				}
				if r.Name == "" || r.Kind == "" || len(r.Verbs) == 0 && len(r.Subresources) == 0 {
					t.Errorf("%s/%s: incomplete resource %+v", g.Name, v.Version, r)
				}
			}
		}
	}
	d, ok := kubeapi.Lookup("apps", "deployments")
	if !ok || !d.Namespaced || d.Kind != "Deployment" || !slices.Equal(d.SubresourceNames(), []string{"scale", "status"}) ||
		!slices.Contains(d.ShortNames, "deploy") || d.SingularName != "deployment" || !slices.Contains(d.Verbs, "deletecollection") {
		t.Errorf("deployments.apps = %+v", d)
	}
	for _, sr := range d.Subresources {
		if sr.Name == "scale" && (sr.Kind != "Scale" || sr.KindGroup != "autoscaling" || sr.KindVersion != "v1" || !slices.Equal(sr.Verbs, []string{"get", "patch", "update"})) {
			t.Errorf("deployments/scale = %+v", sr)
		}
	}
	if h, ok := kubeapi.Lookup("autoscaling", "horizontalpodautoscalers"); !ok || !slices.Equal(h.Versions, []string{"v2", "v1"}) {
		t.Errorf("horizontalpodautoscalers versions = %v, want [v2 v1] (preferred first)", h.Versions)
	}
	if _, ok := kubeapi.Lookup("", "deployments"); ok {
		t.Error("the core group serves deployments")
	}
	p, _ := kubeapi.Lookup("", "pods")
	if !p.HasSubresource("log") || p.HasSubresource("logs") {
		t.Errorf("pods subresources = %v", p.SubresourceNames())
	}
	if s := kubeapi.ServedResources(); len(s) < 70 {
		t.Errorf("only %d served resources", len(s))
	}
}

// TestClusterScopedKinds: every kind has one scope in its group, and the
// well-known cluster-scoped kinds are there.
func TestClusterScopedKinds(t *testing.T) {
	scope := map[schema.GroupKind]bool{}
	for _, g := range kubeapi.Groups() {
		for _, v := range g.Versions {
			for _, r := range v.Resources {
				gk := schema.GroupKind{Group: g.Name, Kind: r.Kind}
				if ns, ok := scope[gk]; ok && ns != r.Namespaced {
					t.Errorf("%v is namespaced in one resource and cluster-scoped in another", gk)
				}
				scope[gk] = r.Namespaced
			}
		}
	}
	cs := kubeapi.ClusterScopedKinds()
	for _, want := range []schema.GroupKind{{Kind: "Namespace"}, {Kind: "Node"}, {Group: "rbac.authorization.k8s.io", Kind: "ClusterRole"}, {Group: "resource.k8s.io", Kind: "DeviceClass"}} {
		if !slices.Contains(cs, want) {
			t.Errorf("%v is not cluster-scoped", want)
		}
	}
	for _, gk := range cs {
		if scope[gk] {
			t.Errorf("%v listed as cluster-scoped", gk)
		}
	}
	if slices.Contains(cs, schema.GroupKind{Kind: "Pod"}) {
		t.Error("Pod listed as cluster-scoped")
	}
}

// TestAuthorizationOnly: the list adds only what discovery does not list.
func TestAuthorizationOnly(t *testing.T) {
	for _, a := range kubeapi.AuthorizationOnly() {
		if a.Group == "*" {
			continue
		}
		s, served := kubeapi.Lookup(a.Group, a.Resource)
		switch {
		case served && len(a.Subresources) == 0 && !a.AnySubresource && !(a.Group == "" && a.Resource == "serviceaccounts"):
			t.Errorf("%s in group %q is served: no authorization-only entry needed", a.Resource, a.Group)
		case served:
			for _, sub := range a.Subresources {
				if s.HasSubresource(sub) {
					t.Errorf("%s/%s in group %q is served", a.Resource, sub, a.Group)
				}
			}
		}
		if len(a.Verbs) == 0 || a.CheckedBy == "" {
			t.Errorf("%s in group %q: no verbs or no checker", a.Resource, a.Group)
		}
	}
	for _, c := range []struct {
		group, resource string
		want            bool
	}{{"", "users", true}, {"", "groups", true}, {"certificates.k8s.io", "signers", true}, {"", "serviceaccounts", false}, {"", "pods", false}, {"", "signers", false}} {
		if got := kubeapi.IsAuthorizationOnly(c.group, c.resource); got != c.want {
			t.Errorf("IsAuthorizationOnly(%q, %q) = %v", c.group, c.resource, got)
		}
	}
	a := kubeapi.AuthorizationOnly()
	a[0].Verbs[0] = "changed"
	if kubeapi.AuthorizationOnly()[0].Verbs[0] == "changed" {
		t.Error("AuthorizationOnly shares state between calls")
	}
}

func TestResolve(t *testing.T) {
	custom := []kubeapi.CustomResource{
		{Group: "serving.kserve.io", Plural: "inferenceservices", Singular: "inferenceservice", Kind: "InferenceService", ShortNames: []string{"isvc"}, Namespaced: true, Versions: []string{"v1beta1"}},
		{Group: "b.example.com", Plural: "widgets", Kind: "Widget", ShortNames: []string{"wdg", "po"}},
		{Group: "a.example.com", Plural: "widgets", Kind: "Widget"},
		{Group: "apps", Plural: "gadgets", Kind: "Gadget", ShortNames: []string{"ev"}},
	}
	cases := []struct {
		name         string
		custom       bool
		group, res   string
		version      string
		by           kubeapi.MatchedBy
		isCustom, ok bool
	}{
		{name: "deployments", group: "apps", res: "deployments", version: "v1", by: kubeapi.ByPlural, ok: true},
		{name: "deployment", group: "apps", res: "deployments", version: "v1", by: kubeapi.BySingular, ok: true},
		{name: "DEPLOY", group: "apps", res: "deployments", version: "v1", by: kubeapi.ByShortName, ok: true},
		{name: "events", res: "events", version: "v1", by: kubeapi.ByPlural, ok: true},
		{name: "ev", res: "events", version: "v1", by: kubeapi.ByShortName, ok: true},
		{name: "hpa", group: "autoscaling", res: "horizontalpodautoscalers", version: "v2", by: kubeapi.ByShortName, ok: true},
		{name: "endpoints", res: "endpoints", version: "v1", by: kubeapi.ByPlural, ok: true},
		{name: "endpointslice", group: "discovery.k8s.io", res: "endpointslices", version: "v1", by: kubeapi.BySingular, ok: true},
		{name: "csr", group: "certificates.k8s.io", res: "certificatesigningrequests", version: "v1", by: kubeapi.ByShortName, ok: true},
		{name: "isvc", ok: false},
		{name: "isvc", custom: true, group: "serving.kserve.io", res: "inferenceservices", version: "v1beta1", by: kubeapi.ByShortName, isCustom: true, ok: true},
		{name: "widgets", custom: true, group: "a.example.com", res: "widgets", by: kubeapi.ByPlural, isCustom: true, ok: true},
		{name: "widget", custom: true, group: "a.example.com", res: "widgets", by: kubeapi.BySingular, isCustom: true, ok: true},
		{name: "po", custom: true, res: "pods", version: "v1", by: kubeapi.ByShortName, ok: true},
		{name: "ev", custom: true, res: "events", version: "v1", by: kubeapi.ByShortName, ok: true},
		{name: "gadgets", custom: true, group: "apps", res: "gadgets", by: kubeapi.ByPlural, isCustom: true, ok: true},
		{name: "nosuchthing", ok: false},
		{name: "", ok: false},
	}
	for _, c := range cases {
		var cr []kubeapi.CustomResource
		if c.custom {
			cr = custom
		}
		r, ok := kubeapi.Resolve(c.name, cr)
		want := kubeapi.Resolution{GroupResource: schema.GroupResource{Group: c.group, Resource: c.res}, Version: c.version, By: c.by, Custom: c.isCustom}
		if ok != c.ok || (ok && r != want) {
			t.Errorf("Resolve(%q, custom %v) = %+v, %v; want %+v, %v", c.name, c.custom, r, ok, want, c.ok)
		}
	}
	names := kubeapi.Names(nil)
	for _, n := range []string{"deployments", "deployment", "deploy", "po", "pods"} {
		if _, found := slices.BinarySearch(names, n); !found {
			t.Errorf("Names lacks %q", n)
		}
	}
	if p := kubeapi.Plurals(nil); !slices.Contains(p, "deployments") || slices.Contains(p, "deploy") || slices.Contains(p, "deployment") {
		t.Error("Plurals has other names than plurals")
	}
	if slices.Contains(names, "isvc") || !slices.Contains(kubeapi.Names(custom), "isvc") {
		t.Error("Names does not follow the custom resources")
	}
}

func BenchmarkResolve(b *testing.B) {
	custom := []kubeapi.CustomResource{{Group: "serving.kserve.io", Plural: "inferenceservices", Kind: "InferenceService", ShortNames: []string{"isvc"}}}
	for b.Loop() {
		if _, ok := kubeapi.Resolve("isvc", custom); !ok {
			b.Fatal("isvc not resolved")
		}
	}
}
