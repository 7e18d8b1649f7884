// Package generate writes the kubeapi table (zz_generated.go) from the
// discovery documents of the k8s.io/kubernetes module: api/discovery/api__v1.json
// (the legacy core group) and api/discovery/aggregated_v2.json (every other
// group, in discovery order, each group's versions preferred first). The
// per-group documents (apis.json, apis__GROUP__VERSION.json) are read to
// cross-check the aggregated one.
package generate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/format"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	apidiscoveryv2 "k8s.io/api/apidiscovery/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Module and Version name the module whose discovery documents are read.
const (
	Module  = "k8s.io/kubernetes"
	Version = "v1.37.2"
)

// ModuleDir returns the directory of Module@Version in the module cache,
// downloading it when needed (go mod download).
func ModuleDir() (string, error) {
	cmd := exec.Command("go", "mod", "download", "-json", Module+"@"+Version)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var info struct{ Dir, Error string }
	if jerr := json.Unmarshal(out, &info); jerr == nil && info.Error != "" {
		return "", fmt.Errorf("go mod download %s@%s: %s", Module, Version, info.Error)
	}
	if err != nil {
		return "", fmt.Errorf("go mod download %s@%s: %v: %s", Module, Version, err, strings.TrimSpace(stderr.String()))
	}
	if info.Dir == "" {
		return "", fmt.Errorf("go mod download %s@%s: no directory in %q", Module, Version, out)
	}
	return info.Dir, nil
}

// group, version, resource and subresource are the table's rows.
type group struct {
	name     string
	versions []version
}

type version struct {
	version   string
	resources []resource
}

type resource struct {
	name, singular, kind string
	namespaced           bool
	verbs, short, cats   []string
	subresources         []subresource
}

type subresource struct {
	name, kind, kindGroup, kindVersion string
	verbs                              []string
}

// Generate returns the gofmt'ed source of zz_generated.go from the module
// directory dir of k8s.io/kubernetes.
func Generate(dir string) ([]byte, error) {
	groups, err := read(filepath.Join(dir, "api", "discovery"))
	if err != nil {
		return nil, err
	}
	return render(groups)
}

// read reads the discovery documents of a directory.
func read(discoveryDir string) ([]group, error) {
	core, err := readCore(filepath.Join(discoveryDir, "api__v1.json"))
	if err != nil {
		return nil, err
	}
	var agg apidiscoveryv2.APIGroupDiscoveryList
	if err := readJSON(filepath.Join(discoveryDir, "aggregated_v2.json"), &agg); err != nil {
		return nil, err
	}
	groups := []group{core}
	for _, g := range agg.Items {
		ng := group{name: g.Name}
		if ng.name == "" {
			return nil, fmt.Errorf("aggregated_v2.json: a group without a name")
		}
		for _, v := range g.Versions {
			nv := version{version: v.Version}
			for _, r := range v.Resources {
				nr, err := aggregatedResource(g.Name, v.Version, r)
				if err != nil {
					return nil, err
				}
				nv.resources = append(nv.resources, nr)
			}
			slices.SortStableFunc(nv.resources, func(a, b resource) int { return strings.Compare(a.name, b.name) })
			ng.versions = append(ng.versions, nv)
		}
		groups = append(groups, ng)
	}
	if err := crossCheck(discoveryDir, groups); err != nil {
		return nil, err
	}
	return groups, nil
}

func readJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// readCore reads the legacy APIResourceList of /api/v1, where a
// subresource is a resource named "RESOURCE/SUB".
func readCore(path string) (group, error) {
	var list metav1.APIResourceList
	if err := readJSON(path, &list); err != nil {
		return group{}, err
	}
	if list.GroupVersion != "v1" {
		return group{}, fmt.Errorf("%s: groupVersion %q, want v1", path, list.GroupVersion)
	}
	v := version{version: "v1"}
	index := map[string]int{}
	for _, r := range list.APIResources {
		if !strings.Contains(r.Name, "/") {
			index[r.Name] = len(v.resources)
			v.resources = append(v.resources, resource{
				name: r.Name, singular: r.SingularName, kind: r.Kind, namespaced: r.Namespaced,
				verbs: r.Verbs, short: r.ShortNames, cats: r.Categories,
			})
		}
	}
	for _, r := range list.APIResources {
		parent, sub, ok := strings.Cut(r.Name, "/")
		if !ok {
			continue
		}
		i, found := index[parent]
		if !found {
			return group{}, fmt.Errorf("%s: subresource %q of an unlisted resource", path, r.Name)
		}
		if r.Namespaced != v.resources[i].namespaced {
			return group{}, fmt.Errorf("%s: subresource %q differs in scope from its resource", path, r.Name)
		}
		v.resources[i].subresources = append(v.resources[i].subresources, subresource{
			name: sub, kind: r.Kind, kindGroup: r.Group, kindVersion: r.Version, verbs: r.Verbs})
	}
	for i := range v.resources {
		sortSubresources(v.resources[i].subresources)
	}
	slices.SortStableFunc(v.resources, func(a, b resource) int { return strings.Compare(a.name, b.name) })
	return group{name: "", versions: []version{v}}, nil
}

func sortSubresources(s []subresource) {
	slices.SortStableFunc(s, func(a, b subresource) int { return strings.Compare(a.name, b.name) })
}

func aggregatedResource(g, v string, r apidiscoveryv2.APIResourceDiscovery) (resource, error) {
	if r.ResponseKind == nil {
		return resource{}, fmt.Errorf("aggregated_v2.json: %s/%s %s has no responseKind", g, v, r.Resource)
	}
	if (r.ResponseKind.Group != "" && r.ResponseKind.Group != g) || (r.ResponseKind.Version != "" && r.ResponseKind.Version != v) {
		return resource{}, fmt.Errorf("aggregated_v2.json: %s/%s %s returns a kind of another group version", g, v, r.Resource)
	}
	var namespaced bool
	switch r.Scope {
	case apidiscoveryv2.ScopeNamespace:
		namespaced = true
	case apidiscoveryv2.ScopeCluster:
	default:
		return resource{}, fmt.Errorf("aggregated_v2.json: %s/%s %s: unknown scope %q", g, v, r.Resource, r.Scope)
	}
	out := resource{name: r.Resource, singular: r.SingularResource, kind: r.ResponseKind.Kind, namespaced: namespaced,
		verbs: r.Verbs, short: r.ShortNames, cats: r.Categories}
	for _, s := range r.Subresources {
		sr := subresource{name: s.Subresource, verbs: s.Verbs}
		if s.ResponseKind != nil {
			sr.kind = s.ResponseKind.Kind
			if s.ResponseKind.Group != g || s.ResponseKind.Version != v {
				sr.kindGroup, sr.kindVersion = s.ResponseKind.Group, s.ResponseKind.Version
			}
		}
		out.subresources = append(out.subresources, sr)
	}
	sortSubresources(out.subresources)
	return out, nil
}

// crossCheck compares the aggregated document with apis.json (group order
// and versions) and every apis__GROUP__VERSION.json (resource and
// subresource names, scope, kind and verbs).
func crossCheck(dir string, groups []group) error {
	var apis metav1.APIGroupList
	if err := readJSON(filepath.Join(dir, "apis.json"), &apis); err != nil {
		return err
	}
	if len(apis.Groups) != len(groups)-1 {
		return fmt.Errorf("apis.json lists %d groups, aggregated_v2.json %d", len(apis.Groups), len(groups)-1)
	}
	for i, ag := range apis.Groups {
		g := groups[i+1]
		if ag.Name != g.name {
			return fmt.Errorf("apis.json lists group %q at %d, aggregated_v2.json %q", ag.Name, i, g.name)
		}
		if len(ag.Versions) != len(g.versions) || ag.PreferredVersion.Version != g.versions[0].version {
			return fmt.Errorf("group %q: apis.json and aggregated_v2.json differ in versions", g.name)
		}
		for j, av := range ag.Versions {
			v := g.versions[j]
			if av.Version != v.version {
				return fmt.Errorf("group %q: apis.json lists version %q at %d, aggregated_v2.json %q", g.name, av.Version, j, v.version)
			}
			var list metav1.APIResourceList
			if err := readJSON(filepath.Join(dir, "apis__"+g.name+"__"+v.version+".json"), &list); err != nil {
				return err
			}
			want := map[string]string{}
			for _, r := range v.resources {
				want[r.name] = fmt.Sprint(r.namespaced, r.kind, r.verbs)
				for _, s := range r.subresources {
					want[r.name+"/"+s.name] = fmt.Sprint(r.namespaced, s.kind, s.verbs)
				}
			}
			got := map[string]string{}
			for _, r := range list.APIResources {
				got[r.Name] = fmt.Sprint(r.Namespaced, r.Kind, r.Verbs)
			}
			for name, w := range want {
				if got[name] != w {
					return fmt.Errorf("%s/%s %s: aggregated_v2.json says %s, apis__%s__%s.json %q", g.name, v.version, name, w, g.name, v.version, got[name])
				}
			}
			for name := range got {
				if _, ok := want[name]; !ok {
					return fmt.Errorf("%s/%s %s: in apis__%s__%s.json, not in aggregated_v2.json", g.name, v.version, name, g.name, v.version)
				}
			}
		}
	}
	return nil
}

func render(groups []group) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by internal/kubeapi/gen from %s@%s api/discovery/api__v1.json and aggregated_v2.json. DO NOT EDIT.\n\n", Module, Version)
	b.WriteString("package kubeapi\n\n")
	b.WriteString("var generatedGroups = []Group{\n")
	for _, g := range groups {
		fmt.Fprintf(&b, "{Name: %q, Versions: []Version{\n", g.name)
		for _, v := range g.versions {
			fmt.Fprintf(&b, "{Version: %q, Resources: []Resource{\n", v.version)
			for _, r := range v.resources {
				fmt.Fprintf(&b, "{Name: %q, SingularName: %q, Kind: %q, Namespaced: %t, Verbs: %s", r.name, r.singular, r.kind, r.namespaced, strs(r.verbs))
				if len(r.short) > 0 {
					fmt.Fprintf(&b, ", ShortNames: %s", strs(r.short))
				}
				if len(r.cats) > 0 {
					fmt.Fprintf(&b, ", Categories: %s", strs(r.cats))
				}
				if len(r.subresources) > 0 {
					b.WriteString(", Subresources: []Subresource{\n")
					for _, s := range r.subresources {
						fmt.Fprintf(&b, "{Name: %q, Kind: %q", s.name, s.kind)
						if s.kindGroup != "" || s.kindVersion != "" {
							fmt.Fprintf(&b, ", KindGroup: %q, KindVersion: %q", s.kindGroup, s.kindVersion)
						}
						fmt.Fprintf(&b, ", Verbs: %s},\n", strs(s.verbs))
					}
					b.WriteString("}")
				}
				b.WriteString("},\n")
			}
			b.WriteString("}},\n")
		}
		b.WriteString("}},\n")
	}
	b.WriteString("}\n")
	out, err := format.Source(b.Bytes())
	if err != nil {
		return nil, fmt.Errorf("gofmt of the generated table: %w", err)
	}
	return out, nil
}

func strs(s []string) string {
	q := make([]string, len(s))
	for i, x := range s {
		q[i] = strconv.Quote(x)
	}
	return "[]string{" + strings.Join(q, ", ") + "}"
}
