package testenv

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// aiCRDs are the CustomResourceDefinitions of the AI operators and of the
// Gateway API whose resources aigov reads; crds/README.md says where each
// file comes from.
//
//go:embed crds/*.yaml
var aiCRDs embed.FS

// InstallAICRDs installs the CRDs of crds/ (KubeRay, Kubeflow training,
// Notebook and MPI, Kubeflow Trainer, JobSet, LeaderWorkerSet, KServe, Gateway
// API and its Inference Extension), as InstallCRDs does. The control plane
// is shared by a test binary's tests, so they stay installed; installing
// them again is harmless.
func (e *Env) InstallAICRDs(ctx context.Context) ([]*unstructured.Unstructured, error) {
	return e.installCRDs(ctx, aiCRDs, "crds")
}

// InstallCRDs applies the CustomResourceDefinitions of every .yaml, .yml and
// .json file directly in dir (server-side apply, in name order) and waits,
// polling, until each is Established and discovery serves every version it
// serves; a later ApplyYAML of their kinds then needs no retry. A document
// that is not a CustomResourceDefinition is an error, so that a fixture
// folder cannot slip other objects in.
func (e *Env) InstallCRDs(ctx context.Context, dir string) ([]*unstructured.Unstructured, error) {
	return e.installCRDs(ctx, os.DirFS(dir), ".")
}

func (e *Env) installCRDs(ctx context.Context, fsys fs.FS, dir string) ([]*unstructured.Unstructured, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("reading CRDs: %w", err)
	}
	var names []string
	for _, ent := range entries {
		switch strings.ToLower(path.Ext(ent.Name())) {
		case ".yaml", ".yml", ".json":
			if !ent.IsDir() {
				names = append(names, ent.Name())
			}
		}
	}
	sort.Strings(names)
	var crds []*unstructured.Unstructured
	for _, name := range names {
		data, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("reading CRDs: %w", err)
		}
		docs, err := DecodeManifests(data)
		if err != nil {
			return nil, fmt.Errorf("CRDs in %s: %w", name, err)
		}
		for _, doc := range docs {
			if gvk := doc.GroupVersionKind(); gvk != crdGVR.GroupVersion().WithKind("CustomResourceDefinition") {
				return nil, fmt.Errorf("CRDs in %s: %s %s is not an apiextensions.k8s.io/v1 CustomResourceDefinition", name, gvk.Kind, doc.GetName())
			}
		}
		applied, err := e.applyUnstructured(ctx, docs, nil)
		if err != nil {
			return nil, fmt.Errorf("CRDs in %s: %w", name, err)
		}
		crds = append(crds, applied...)
	}
	for _, crd := range crds {
		if err := e.waitForCRD(ctx, crd); err != nil {
			return nil, err
		}
	}
	// The REST mapper cached discovery before the new kinds were served.
	e.mapper.Reset()
	return crds, nil
}

// crdGVR is the resource of CustomResourceDefinitions.
var crdGVR = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}

// waitForCRD waits until crd is Established and discovery lists its plural
// in every version it serves.
func (e *Env) waitForCRD(ctx context.Context, crd *unstructured.Unstructured) error {
	group, _, _ := unstructured.NestedString(crd.Object, "spec", "group")
	plural, _, _ := unstructured.NestedString(crd.Object, "spec", "names", "plural")
	versions, _, _ := unstructured.NestedSlice(crd.Object, "spec", "versions")
	err := poll(ctx, DefaultWaitTimeout, func(ctx context.Context) (bool, error) {
		got, err := e.dynClient.Resource(crdGVR).Get(ctx, crd.GetName(), metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		if !established(got) {
			return false, fmt.Errorf("CRD %s is not Established yet", crd.GetName())
		}
		for _, v := range versions {
			vm, _ := v.(map[string]any)
			name, _, _ := unstructured.NestedString(vm, "name")
			if served, _, _ := unstructured.NestedBool(vm, "served"); !served {
				continue
			}
			gv := group + "/" + name
			list, err := e.clientset.Discovery().ServerResourcesForGroupVersion(gv)
			if err != nil {
				return false, fmt.Errorf("discovery of %s: %w", gv, err)
			}
			found := false
			for _, r := range list.APIResources {
				found = found || r.Name == plural
			}
			if !found {
				return false, fmt.Errorf("discovery of %s does not list %s yet", gv, plural)
			}
		}
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("waiting for CRD %s: %w", crd.GetName(), err)
	}
	return nil
}

// established reports whether the CRD's Established condition is True.
func established(crd *unstructured.Unstructured) bool {
	conds, _, _ := unstructured.NestedSlice(crd.Object, "status", "conditions")
	for _, c := range conds {
		cm, _ := c.(map[string]any)
		if cm["type"] == "Established" && cm["status"] == "True" {
			return true
		}
	}
	return false
}
