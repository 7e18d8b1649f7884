package cluster_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/cluster"
	"github.com/aigov/aigov/internal/testenv"
)

func TestMain(m *testing.M) { testenv.RunMain(m) }

var fixedPlatform = filepath.Join("..", "..", "examples", "multitenant", "fixed")

// TestLoadMatchesFiles applies the fixed example platform to a real
// kube-apiserver, loads it back with the live-cluster source, and requires
// every object to come back as the file loader read it: every field the
// loader produced (manifest plus aigov's defaults) must be in the stored
// object with the same value. What the server adds (status, uid, its own
// defaults) and what the cluster creates itself (bootstrap RBAC, default
// ServiceAccounts) are expected extras.
func TestLoadMatchesFiles(t *testing.T) {
	env := testenv.Shared(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	loader, err := governance.NewLoader()
	require.NoError(t, err)
	fromFiles, err := loader.Load(fixedPlatform)
	require.NoError(t, err)
	require.Greater(t, fromFiles.Len(), 10, "the fixed platform should have many objects")

	// The platform holds operator custom resources and Gateway API objects.
	_, err = env.InstallAICRDs(ctx)
	require.NoError(t, err)
	_, err = env.ApplyDir(ctx, fixedPlatform)
	require.NoError(t, err)

	fromCluster, err := cluster.Load(ctx, cluster.Options{Kubeconfig: env.Kubeconfig})
	require.NoError(t, err)
	require.Empty(t, fromCluster.Warnings, "the admin may list everything")

	for _, want := range fromFiles.Objects() {
		got := fromCluster.Get(want.Key())
		if !assertFound(t, want, got) {
			continue
		}
		wantJSON, gotJSON := comparable(t, want), comparable(t, got)
		if path, ok := subset(wantJSON, gotJSON, ""); !ok {
			t.Errorf("%s (%s): field %s differs from the stored object", want.Key(), want.Source, path)
		}
	}
	require.Greater(t, fromCluster.Len(), fromFiles.Len(), "bootstrap RBAC and default ServiceAccounts are extras")
	// The custom resources come back with the pods derived from them.
	var derived []string
	for _, w := range fromCluster.Workloads() {
		if governance.IsOperatorKind(w.Object.GVK) {
			derived = append(derived, w.Kind+"/"+w.Namespace+"/"+w.Name)
		}
	}
	require.Contains(t, derived, "RayCluster/cv-team/cv-ray")
	require.Contains(t, derived, "PyTorchJob/cv-team/detector-finetune")
	require.Contains(t, derived, "LeaderWorkerSet/nlp-team/llama-chat")
}

// TestCustomResourceKindsHaveCRDs: every kind Load reads beyond the
// built-in ones is served, under the resource name and version it lists,
// once the CRDs of internal/testenv/crds are installed; so those CRDs cover
// what aigov reads, and the plural rule of DefaultResources holds.
func TestCustomResourceKindsHaveCRDs(t *testing.T) {
	env := testenv.Shared(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	_, err := env.InstallAICRDs(ctx)
	require.NoError(t, err)
	dc := env.Client(t).Discovery()
	kinds := cluster.CustomResourceKinds()
	resources := cluster.DefaultResources()
	resources = resources[len(resources)-len(kinds):]
	for i, gvk := range kinds {
		list, err := dc.ServerResourcesForGroupVersion(gvk.GroupVersion().String())
		require.NoError(t, err, gvk.String())
		found := false
		for _, r := range list.APIResources {
			found = found || (r.Name == resources[i].Resource && r.Kind == gvk.Kind)
		}
		require.True(t, found, "%s is served as %s", gvk, resources[i])
	}
}

func assertFound(t *testing.T, want, got *governance.Object) bool {
	t.Helper()
	if got == nil {
		t.Errorf("%s (%s) was applied but not loaded from the cluster", want.Key(), want.Source)
		return false
	}
	return true
}

// comparable returns the object as JSON-shaped data without status and the
// metadata only a server sets.
func comparable(t *testing.T, o *governance.Object) map[string]any {
	t.Helper()
	data, err := json.Marshal(o.Obj)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(data, &m))
	delete(m, "status")
	if md, ok := m["metadata"].(map[string]any); ok {
		for _, k := range []string{"uid", "resourceVersion", "creationTimestamp", "generation", "managedFields"} {
			delete(md, k)
		}
	}
	return m
}

// subset reports whether every value in want is in got, returning the first
// path where it is not.
func subset(want, got any, path string) (string, bool) {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return path, false
		}
		for k, v := range w {
			if p, ok := subset(v, g[k], path+"."+k); !ok {
				return p, false
			}
		}
		return "", true
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return path, false
		}
		for i := range w {
			if p, ok := subset(w[i], g[i], fmt.Sprintf("%s[%d]", path, i)); !ok {
				return p, false
			}
		}
		return "", true
	default:
		return strings.TrimPrefix(path, "."), reflect.DeepEqual(want, got)
	}
}

// TestForbiddenKindsAreWarnings loads as a user who may list everything but
// Secrets: the inventory says so in a warning naming the kind instead of
// silently holding no Secrets.
func TestForbiddenKindsAreWarnings(t *testing.T) {
	env := testenv.Shared(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// A served custom resource that cannot be listed is a degradation like
	// a built-in one.
	_, err := env.InstallAICRDs(ctx)
	require.NoError(t, err)
	user := "aigov-auditor"
	var rules []string
	for _, gvr := range cluster.DefaultResources() {
		if gvr.GroupResource().String() == "secrets" || gvr.GroupResource().String() == "rayclusters.ray.io" {
			continue
		}
		rules = append(rules, fmt.Sprintf("- {apiGroups: [%q], resources: [%s], verbs: [list]}", gvr.Group, gvr.Resource))
	}
	rbac := fmt.Sprintf(`apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: %[1]s}
rules:
%[2]s
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: %[1]s}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: %[1]s}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: %[1]s}
`, user, strings.Join(rules, "\n"))
	_, err = env.ApplyYAML(ctx, []byte(rbac))
	require.NoError(t, err)

	inv, err := cluster.Load(ctx, cluster.Options{Config: env.ImpersonatedConfig(user)})
	require.NoError(t, err)
	require.Equal(t, []string{
		"cannot list rayclusters.ray.io: forbidden; the inventory has none of them",
		"cannot list secrets: forbidden; the inventory has none of them",
	}, inv.Warnings)
	require.Empty(t, governance.Typed[*corev1.Secret](inv))
	require.NotEmpty(t, governance.Typed[*corev1.Namespace](inv))
}
