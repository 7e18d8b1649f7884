package cel

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/runtime/schema"
	apiservercel "k8s.io/apiserver/pkg/cel"
	"k8s.io/apiserver/pkg/cel/common"
	"k8s.io/apiserver/pkg/cel/openapi"
	"k8s.io/apiserver/pkg/cel/openapi/resolver"
	openapispec "k8s.io/kube-openapi/pkg/validation/spec"
)

// The published OpenAPI v3 documents the derived schemas are checked
// against: k8s.io/kubernetes api/openapi-spec/v3 of this version, trimmed
// to the component schemas the matched kinds reach (descriptions dropped)
// in testdata/openapi. AIGOV_UPDATE_OPENAPI=1 rewrites them from the module
// cache; when the module cache has that version, the test also checks the
// trimmed copies are up to date.
const (
	openapiKubernetesVersion = "v1.37.2"
	openapiTestdata          = "testdata/openapi"
	openapiRefPrefix         = "#/components/schemas/"
)

// catalogKinds are the kinds the generated catalog policies match (the
// kinds the cost estimation resolves schemas for), sorted.
func catalogKinds(t *testing.T) []schema.GroupVersionKind {
	t.Helper()
	comp, err := NewCompiler("1.30")
	if err != nil {
		t.Fatal(err)
	}
	var kinds []schema.GroupVersionKind
	for _, dc := range corpus(t) {
		gs := entryPolicies(t, comp, "p", dc.entry)
		for _, gvk := range comp.matchedKinds(gs[0].Policy.Spec.MatchConstraints) {
			if !slices.Contains(kinds, gvk) {
				kinds = append(kinds, gvk)
			}
		}
	}
	slices.SortFunc(kinds, func(a, b schema.GroupVersionKind) int { return strings.Compare(a.String(), b.String()) })
	return kinds
}

// openapiFile is the name of the OpenAPI v3 document of a group version,
// as k8s.io/kubernetes names it.
func openapiFile(gv schema.GroupVersion) string {
	if gv.Group == "" {
		return "api__" + gv.Version + "_openapi.json"
	}
	return "apis__" + gv.Group + "__" + gv.Version + "_openapi.json"
}

// openapiDoc is the part of an OpenAPI v3 document the resolver reads.
type openapiDoc struct {
	Comment    string `json:"_comment,omitempty"`
	Components struct {
		Schemas map[string]*openapispec.Schema `json:"schemas"`
	} `json:"components"`
}

// resolveUpstream resolves a kind's schema from a document as the
// apiserver's ClientDiscoveryResolver does (the kind found by
// x-kubernetes-group-version-kind, refs inlined by resolver.PopulateRefs).
func resolveUpstream(doc *openapiDoc, gvk schema.GroupVersionKind) (*openapispec.Schema, error) {
	var root string
	for name, s := range doc.Components.Schemas {
		var gvks []schema.GroupVersionKind
		if err := s.Extensions.GetObject("x-kubernetes-group-version-kind", &gvks); err != nil {
			return nil, err
		}
		if slices.Contains(gvks, gvk) {
			root = openapiRefPrefix + name
		}
	}
	if root == "" {
		return nil, fmt.Errorf("%v not in the document", gvk)
	}
	return resolver.PopulateRefs(func(ref string) (*openapispec.Schema, bool) {
		s, ok := doc.Components.Schemas[strings.TrimPrefix(ref, openapiRefPrefix)]
		return s, ok
	}, root)
}

// upstreamOpenAPIDir is api/openapi-spec/v3 of k8s.io/kubernetes in the
// module cache, "" when it is not there.
func upstreamOpenAPIDir() string {
	cache := os.Getenv("GOMODCACHE")
	if cache == "" {
		out, err := exec.Command("go", "env", "GOMODCACHE").Output()
		if err != nil {
			return ""
		}
		cache = strings.TrimSpace(string(out))
	}
	dir := filepath.Join(cache, "k8s.io", "kubernetes@"+openapiKubernetesVersion, "api", "openapi-spec", "v3")
	if _, err := os.Stat(dir); err != nil {
		return ""
	}
	return dir
}

// trimOpenAPI keeps the component schemas of a document that the given
// kinds reach, without descriptions, and names the source.
func trimOpenAPI(t *testing.T, raw []byte, file string, kinds []schema.GroupVersionKind) []byte {
	t.Helper()
	var doc struct {
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	keep := map[string]any{}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok {
				name := strings.TrimPrefix(ref, openapiRefPrefix)
				if _, done := keep[name]; !done {
					s, ok := doc.Components.Schemas[name]
					if !ok {
						t.Fatalf("%s: dangling ref %s", file, ref)
					}
					keep[name] = s
					walk(s)
				}
			}
			if _, ok := v["description"].(string); ok {
				delete(v, "description")
			}
			for _, e := range v {
				walk(e)
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	for name, s := range doc.Components.Schemas {
		m, _ := s.(map[string]any)
		gvks, _ := m["x-kubernetes-group-version-kind"].([]any)
		for _, g := range gvks {
			g, _ := g.(map[string]any)
			gvk := schema.GroupVersionKind{Group: fmt.Sprint(g["group"]), Version: fmt.Sprint(g["version"]), Kind: fmt.Sprint(g["kind"])}
			if slices.Contains(kinds, gvk) {
				walk(map[string]any{"$ref": openapiRefPrefix + name})
			}
		}
	}
	out := map[string]any{
		"_comment":   fmt.Sprintf("Trimmed from k8s.io/kubernetes@%s api/openapi-spec/v3/%s (the published OpenAPI v3 document): the component schemas of the kinds the catalog policies match and those they reference, descriptions dropped. Regenerate with AIGOV_UPDATE_OPENAPI=1 go test ./cel -run TestDerivedSchemasMatchOpenAPI.", openapiKubernetesVersion, file),
		"components": map[string]any{"schemas": keep},
	}
	b, err := json.MarshalIndent(out, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

// loadOpenAPIDocs reads the trimmed documents of the kinds' group
// versions, rewriting them first under AIGOV_UPDATE_OPENAPI=1 and
// checking them against the module cache when it has the source.
func loadOpenAPIDocs(t *testing.T, kinds []schema.GroupVersionKind) map[schema.GroupVersion]*openapiDoc {
	t.Helper()
	byGV := map[schema.GroupVersion][]schema.GroupVersionKind{}
	for _, gvk := range kinds {
		byGV[gvk.GroupVersion()] = append(byGV[gvk.GroupVersion()], gvk)
	}
	upstream := upstreamOpenAPIDir()
	update := os.Getenv("AIGOV_UPDATE_OPENAPI") != ""
	if update && upstream == "" {
		t.Fatalf("AIGOV_UPDATE_OPENAPI: k8s.io/kubernetes@%s is not in the module cache", openapiKubernetesVersion)
	}
	docs := map[schema.GroupVersion]*openapiDoc{}
	for gv, gvks := range byGV {
		file := openapiFile(gv)
		local := filepath.Join(openapiTestdata, file)
		if upstream != "" {
			raw, err := os.ReadFile(filepath.Join(upstream, file))
			if err != nil {
				t.Fatal(err)
			}
			trimmed := trimOpenAPI(t, raw, file, gvks)
			if update {
				if err := os.MkdirAll(openapiTestdata, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(local, trimmed, 0o644); err != nil {
					t.Fatal(err)
				}
			} else if have, err := os.ReadFile(local); err != nil || !bytes.Equal(have, trimmed) {
				t.Errorf("%s is not the trimmed %s of k8s.io/kubernetes@%s: rerun with AIGOV_UPDATE_OPENAPI=1", local, file, openapiKubernetesVersion)
			}
		}
		raw, err := os.ReadFile(local)
		if err != nil {
			t.Fatal(err)
		}
		doc := &openapiDoc{}
		if err := json.Unmarshal(raw, doc); err != nil {
			t.Fatalf("%s: %v", local, err)
		}
		docs[gv] = doc
	}
	return docs
}

// schemaDiff is one difference between the published and the derived
// schema of a kind.
type schemaDiff struct {
	path, what string
}

func (d schemaDiff) String() string { return d.path + ": " + d.what }

// openapiKnownDiffs are the deliberate differences, by what differs (the
// part of schemaDiff.what before the first ':'): facts that exist only in
// the comments of k8s.io/api (+listType, +listMapKey, +mapType, +default)
// and that the CEL types do not depend on. (The 1.37 documents have no
// enum; +enum values would shorten the published string bounds.)
var openapiKnownDiffs = map[string]string{
	// List and map types decide equality and concatenation of lists only
	// when values are built with a schema (CRD rules); a VAP's object is
	// converted without one, and SchemaDeclType does not read them.
	"x-kubernetes-list-type":     "+listType is a comment",
	"x-kubernetes-list-map-keys": "+listMapKey is a comment",
	"x-kubernetes-map-type":      "+mapType is a comment",
	// +default markers: on optional fields only, where a default does not
	// change the minimum serialized size (the CEL types are compared too).
	"default": "+default is a comment",
}

// diffSchemas lists the differences that matter to CEL typing and cost
// between a published schema (refs inlined) and a derived one.
func diffSchemas(path string, up, ours *openapispec.Schema, out *[]schemaDiff) {
	add := func(what string, a, b any) {
		*out = append(*out, schemaDiff{path, fmt.Sprintf("%s: published %v, derived %v", what, a, b)})
	}
	if !slices.Equal(up.Type, ours.Type) {
		add("type", up.Type, ours.Type)
	}
	if up.Format != ours.Format {
		add("format", up.Format, ours.Format)
	}
	ur, or := slices.Sorted(slices.Values(up.Required)), slices.Sorted(slices.Values(ours.Required))
	if !slices.Equal(ur, or) {
		add("required", ur, or)
	}
	ptr := func(p *int64) any {
		if p == nil {
			return "none"
		}
		return *p
	}
	for _, f := range []struct {
		name string
		a, b *int64
	}{{"maxItems", up.MaxItems, ours.MaxItems}, {"maxLength", up.MaxLength, ours.MaxLength}, {"maxProperties", up.MaxProperties, ours.MaxProperties}} {
		if !reflect.DeepEqual(f.a, f.b) {
			add(f.name, ptr(f.a), ptr(f.b))
		}
	}
	if up.Nullable != ours.Nullable {
		add("nullable", up.Nullable, ours.Nullable)
	}
	if len(up.Enum) != len(ours.Enum) {
		add("enum", up.Enum, ours.Enum)
	}
	switch {
	case up.Default != nil && ours.Default == nil:
		// A +default marker.
		add("default", up.Default, ours.Default)
	case !reflect.DeepEqual(normalizeJSON(up.Default), normalizeJSON(ours.Default)):
		add("zero default", up.Default, ours.Default)
	}
	for _, ext := range []string{"x-kubernetes-list-type", "x-kubernetes-list-map-keys", "x-kubernetes-map-type",
		"x-kubernetes-int-or-string", "x-kubernetes-embedded-resource", "x-kubernetes-preserve-unknown-fields", "x-kubernetes-validations"} {
		a, b := up.Extensions[ext], ours.Extensions[ext]
		if !reflect.DeepEqual(a, b) {
			add(ext, a, b)
		}
	}
	alt := func(ss []openapispec.Schema) []string {
		var ts []string
		for _, s := range ss {
			ts = append(ts, strings.Join(s.Type, "|"))
		}
		return ts
	}
	if !slices.Equal(alt(up.OneOf), alt(ours.OneOf)) {
		add("oneOf", alt(up.OneOf), alt(ours.OneOf))
	}
	if !slices.Equal(alt(up.AnyOf), alt(ours.AnyOf)) {
		add("anyOf", alt(up.AnyOf), alt(ours.AnyOf))
	}
	var names []string
	for n := range up.Properties {
		names = append(names, n)
	}
	for n := range ours.Properties {
		if _, ok := up.Properties[n]; !ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		a, aok := up.Properties[n]
		b, bok := ours.Properties[n]
		switch {
		case !aok:
			*out = append(*out, schemaDiff{path + "." + n, "property: only derived"})
		case !bok:
			*out = append(*out, schemaDiff{path + "." + n, "property: only published"})
		default:
			diffSchemas(path+"."+n, &a, &b, out)
		}
	}
	if (up.Items == nil || up.Items.Schema == nil) != (ours.Items == nil || ours.Items.Schema == nil) {
		add("items", up.Items != nil, ours.Items != nil)
	} else if up.Items != nil && up.Items.Schema != nil {
		diffSchemas(path+"[]", up.Items.Schema, ours.Items.Schema, out)
	}
	ua := up.AdditionalProperties != nil && up.AdditionalProperties.Schema != nil
	oa := ours.AdditionalProperties != nil && ours.AdditionalProperties.Schema != nil
	if ua != oa {
		add("additionalProperties", ua, oa)
	} else if ua {
		diffSchemas(path+"{}", up.AdditionalProperties.Schema, ours.AdditionalProperties.Schema, out)
	}
}

// diffDeclTypes lists the differences between the CEL types the
// apiserver builds (common.SchemaDeclType) from the published and the
// derived schema: type, fields, element types and the size estimates.
func diffDeclTypes(path string, up, ours *apiservercel.DeclType, out *[]schemaDiff) {
	add := func(what string, a, b any) {
		*out = append(*out, schemaDiff{path, fmt.Sprintf("%s: published %v, derived %v", what, a, b)})
	}
	if (up == nil) != (ours == nil) {
		add("decl", up != nil, ours != nil)
		return
	}
	if up == nil {
		return
	}
	if up.TypeName() != ours.TypeName() || !up.CelType().IsExactType(ours.CelType()) && !up.IsObject() {
		add("cel type", up.CelType(), ours.CelType())
		return
	}
	if up.MaxElements != ours.MaxElements {
		add("max elements", up.MaxElements, ours.MaxElements)
	}
	if up.MinSerializedSize != ours.MinSerializedSize {
		add("min serialized size", up.MinSerializedSize, ours.MinSerializedSize)
	}
	if up.ElemType != nil || ours.ElemType != nil {
		diffDeclTypes(path+"[]", up.ElemType, ours.ElemType, out)
	}
	if up.KeyType != nil || ours.KeyType != nil {
		diffDeclTypes(path+"{key}", up.KeyType, ours.KeyType, out)
	}
	var names []string
	for n := range up.Fields {
		names = append(names, n)
	}
	for n := range ours.Fields {
		if _, ok := up.Fields[n]; !ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		a, b := up.Fields[n], ours.Fields[n]
		switch {
		case a == nil:
			*out = append(*out, schemaDiff{path + "." + n, "field: only derived"})
		case b == nil:
			*out = append(*out, schemaDiff{path + "." + n, "field: only published"})
		default:
			if a.Required != b.Required {
				*out = append(*out, schemaDiff{path + "." + n, fmt.Sprintf("field required: published %v, derived %v", a.Required, b.Required)})
			}
			diffDeclTypes(path+"."+n, a.Type, b.Type, out)
		}
	}
}

// TestDerivedSchemasMatchOpenAPI checks the schema typeSchemaResolver
// derives for every kind the catalog's policies match against the
// published OpenAPI v3 document of k8s.io/kubernetes: the schemas differ
// only by the deliberate differences of openapiKnownDiffs, and the CEL
// types the apiserver builds from them (fields, types, required,
// MaxElements, the sizes cost estimation reads) are the same.
func TestDerivedSchemasMatchOpenAPI(t *testing.T) {
	kinds := catalogKinds(t)
	if len(kinds) < 9 {
		t.Fatalf("catalog kinds %v: want the pod workloads and Service", kinds)
	}
	docs := loadOpenAPIDocs(t, kinds)
	r := newTypeSchemaResolver(testCompiler(t).scheme)
	known := map[string]int{}
	for _, gvk := range kinds {
		up, err := resolveUpstream(docs[gvk.GroupVersion()], gvk)
		if err != nil {
			t.Fatal(err)
		}
		ours, err := r.ResolveSchema(gvk)
		if err != nil {
			t.Fatal(err)
		}
		var diffs []schemaDiff
		diffSchemas(gvk.Kind, up, ours, &diffs)
		for _, d := range diffs {
			what, _, _ := strings.Cut(d.what, ":")
			if _, ok := openapiKnownDiffs[what]; ok {
				known[what]++
				continue
			}
			t.Errorf("%v schema %s", gvk, d)
		}

		upDecl := common.SchemaDeclType(&openapi.Schema{Schema: up}, true)
		ourDecl, err := r.declType(gvk)
		if err != nil {
			t.Fatal(err)
		}
		var declDiffs []schemaDiff
		diffDeclTypes(gvk.Kind, upDecl, ourDecl, &declDiffs)
		for _, d := range declDiffs {
			t.Errorf("%v CEL type %s", gvk, d)
		}
	}
	t.Logf("deliberate differences (count over %d kinds): %v", len(kinds), known)
}

func testCompiler(t *testing.T) *Compiler {
	t.Helper()
	c, err := NewCompiler("1.30")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// normalizeJSON maps a default to its JSON form (0 and int64(0) alike).
func normalizeJSON(v any) any {
	if v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}
