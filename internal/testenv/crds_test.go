package testenv_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/aigov/aigov/internal/testenv"
)

// TestInstallAICRDs installs crds/ and reads back what the apiserver then
// serves: every CRD's plural in each served version, and a RayCluster and
// an InferencePool applied right after (no retry needed by the caller).
func TestInstallAICRDs(t *testing.T) {
	env := testenv.Shared(t)
	ctx := testCtx(t)
	crds, err := env.InstallAICRDs(ctx)
	require.NoError(t, err)
	require.Len(t, crds, 23, "one CRD per kind of crds/README.md")

	served := map[string]bool{}
	lists, err := env.Client(t).Discovery().ServerPreferredResources()
	require.NoError(t, err)
	for _, l := range lists {
		for _, r := range l.APIResources {
			group, _, _ := strings.Cut(l.GroupVersion, "/")
			served[r.Name+"."+group] = true
		}
	}
	for _, crd := range crds {
		assert.True(t, served[crd.GetName()], "%s is served", crd.GetName())
	}

	ns := env.CreateNamespace(t, "crds")
	objs, err := env.ApplyYAML(ctx, []byte(`apiVersion: ray.io/v1
kind: RayCluster
metadata: {name: rc}
spec:
  headGroupSpec:
    template:
      spec:
        containers: [{name: ray-head, image: rayproject/ray:2.40.0}]
---
apiVersion: inference.networking.k8s.io/v1
kind: InferencePool
metadata: {name: pool}
spec:
  selector: {matchLabels: {app: vllm}}
  targetPorts: [{number: 8000}]
  endpointPickerRef: {name: epp, port: {number: 9002}}
`), testenv.WithNamespace(ns))
	require.NoError(t, err)
	require.Len(t, objs, 2)
	containers, _, _ := unstructured.NestedSlice(objs[0].Object, "spec", "headGroupSpec", "template", "spec", "containers")
	assert.Len(t, containers, 1, "the open schema keeps the pod template")

	// The vendored InferencePool schema is the real one: it refuses a pool
	// without a selector.
	_, err = env.ApplyYAML(ctx, []byte(`apiVersion: inference.networking.k8s.io/v1
kind: InferencePool
metadata: {name: bad}
spec:
  targetPorts: [{number: 8000}]
  endpointPickerRef: {name: epp, port: {number: 9002}}
`), testenv.WithNamespace(ns))
	assert.ErrorContains(t, err, "selector")

	// Installing again is harmless.
	_, err = env.InstallAICRDs(ctx)
	require.NoError(t, err)
}

// TestInstallCRDsRefusesOtherObjects: a fixture folder holds CRDs only.
func TestInstallCRDsRefusesOtherObjects(t *testing.T) {
	env := testenv.Shared(t)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "x.yaml"), []byte(`apiVersion: v1
kind: ConfigMap
metadata: {name: sneaky, namespace: default}
`), 0o600))
	_, err := env.InstallCRDs(testCtx(t), dir)
	assert.ErrorContains(t, err, "ConfigMap sneaky is not an apiextensions.k8s.io/v1 CustomResourceDefinition")
	_, err = env.Client(t).CoreV1().ConfigMaps("default").Get(testCtx(t), "sneaky", metav1.GetOptions{})
	assert.Error(t, err, "nothing of the folder was applied")
}
