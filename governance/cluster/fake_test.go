package cluster_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/cluster"
	"github.com/aigov/aigov/governance/cluster/clustertest"
)

// These tests run against fake API servers on 127.0.0.1 (clustertest) and
// need no kube-apiserver.

func namespace(name string) *corev1.Namespace {
	return &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
}

func pod(ns, name string) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "registry.example.com/app:1"}}}}
}

func load(t *testing.T, kubeconfig string, opts cluster.Options) (*governance.Inventory, error, time.Duration) {
	t.Helper()
	opts.Kubeconfig = kubeconfig
	if opts.Timeout == 0 {
		opts.Timeout = 5 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	start := time.Now()
	inv, err := cluster.Load(ctx, opts)
	return inv, err, time.Since(start)
}

// TestFakeResourcesAreTheDefaults keeps the fake server's table in step with
// what Load lists.
func TestFakeResourcesAreTheDefaults(t *testing.T) {
	var fake []schema.GroupVersionResource
	for _, r := range clustertest.StandardResources() {
		fake = append(fake, r.GroupVersionResource)
	}
	require.ElementsMatch(t, cluster.DefaultResources(), fake)
}

func TestLoadFakeServer(t *testing.T) {
	srv := clustertest.New(t, clustertest.Config{Resources: clustertest.With(
		clustertest.With(clustertest.StandardResources(), "namespaces", func(r *clustertest.Resource) {
			r.Objects = []any{namespace("a"), namespace("b")}
		}), "pods", func(r *clustertest.Resource) {
			r.Objects = []any{pod("a", "p1"), pod("b", "p2")}
		})})
	inv, err, _ := load(t, srv.Kubeconfig(t), cluster.Options{})
	require.NoError(t, err)
	assert.Empty(t, inv.Warnings)
	assert.Empty(t, inv.Degraded)
	assert.Equal(t, 4, inv.Len())

	// -n limits namespaced kinds only: the cluster-scoped Namespaces are
	// still listed (as ClusterRoles must be for RBAC questions).
	inv, err, _ = load(t, srv.Kubeconfig(t), cluster.Options{Namespace: "a"})
	require.NoError(t, err)
	assert.Len(t, governance.Typed[*corev1.Pod](inv), 1)
	assert.Len(t, governance.Typed[*corev1.Namespace](inv), 2)
}

// TestDiscoveryFailureIsAnError: a server that answers 404 (or 403, or 500)
// to everything is not an empty cluster.
func TestDiscoveryFailureIsAnError(t *testing.T) {
	for _, code := range []int{http.StatusNotFound, http.StatusForbidden, http.StatusInternalServerError} {
		t.Run(http.StatusText(code), func(t *testing.T) {
			srv := clustertest.New(t, clustertest.Config{Resources: clustertest.StandardResources(), DiscoveryStatus: code})
			inv, err, _ := load(t, srv.Kubeconfig(t), cluster.Options{})
			require.Error(t, err)
			assert.Nil(t, inv)
			assert.Contains(t, err.Error(), srv.URL)
		})
	}
}

// TestEverythingForbidden: discovery works, every list is 403: an error
// naming the kinds, not an empty inventory.
func TestEverythingForbidden(t *testing.T) {
	srv := clustertest.New(t, clustertest.Config{Resources: clustertest.With(clustertest.StandardResources(), "*",
		func(r *clustertest.Resource) { r.Status = http.StatusForbidden })})
	_, err, _ := load(t, srv.Kubeconfig(t), cluster.Options{})
	var nothing *cluster.NothingReadError
	require.ErrorAs(t, err, &nothing)
	kinds := map[schema.GroupResource]bool{}
	for _, gvr := range cluster.DefaultResources() {
		kinds[gvr.GroupResource()] = true
	}
	assert.Len(t, nothing.Degraded, len(kinds), "one degradation per resource, not per version")
	assert.Contains(t, err.Error(), "could not read any of ")
	assert.Contains(t, err.Error(), "pods")
	assert.True(t, strings.HasSuffix(err.Error(), srv.URL+": forbidden"), err.Error())
}

// TestRequiredResources: RBAC questions need Roles and bindings; that
// Namespaces could be read does not help when every RBAC kind is forbidden.
func TestRequiredResources(t *testing.T) {
	rbacKinds := []schema.GroupResource{{Group: rbacv1.GroupName, Resource: "roles"}, {Group: rbacv1.GroupName, Resource: "rolebindings"},
		{Group: rbacv1.GroupName, Resource: "clusterroles"}, {Group: rbacv1.GroupName, Resource: "clusterrolebindings"}}
	resources := clustertest.StandardResources()
	for _, gr := range rbacKinds {
		resources = clustertest.With(resources, gr.String(), func(r *clustertest.Resource) { r.Status = http.StatusForbidden })
	}
	resources = clustertest.With(resources, "namespaces", func(r *clustertest.Resource) { r.Objects = []any{namespace("a")} })
	srv := clustertest.New(t, clustertest.Config{Resources: resources})

	_, err, _ := load(t, srv.Kubeconfig(t), cluster.Options{Required: rbacKinds})
	var nothing *cluster.NothingReadError
	require.ErrorAs(t, err, &nothing)
	assert.Len(t, nothing.Degraded, 4)

	inv, err, _ := load(t, srv.Kubeconfig(t), cluster.Options{})
	require.NoError(t, err, "without Required, anything read is a partial read")
	assert.Len(t, inv.Degraded, 4)
	assert.Equal(t, 1, inv.Len())
}

// TestPartialRead: some kinds forbidden, one 404 although discovery lists
// it, the rest served: the inventory holds what could be read, and every
// kind that could not be read is a degradation and a warning.
func TestPartialRead(t *testing.T) {
	resources := clustertest.With(clustertest.StandardResources(), "secrets", func(r *clustertest.Resource) { r.Status = http.StatusForbidden })
	resources = clustertest.With(resources, "deployments.apps", func(r *clustertest.Resource) { r.Status = http.StatusNotFound })
	resources = clustertest.With(resources, "pods", func(r *clustertest.Resource) { r.Objects = []any{pod("a", "p1")} })
	srv := clustertest.New(t, clustertest.Config{Resources: resources})
	inv, err, _ := load(t, srv.Kubeconfig(t), cluster.Options{})
	require.NoError(t, err)
	assert.Equal(t, 1, inv.Len())
	assert.Equal(t, []governance.Degradation{
		{Resource: "deployments.apps", Reason: "not found although discovery lists it"},
		{Resource: "secrets", Reason: "forbidden"},
	}, inv.Degraded)
	assert.Equal(t, []string{
		"cannot list deployments.apps: not found although discovery lists it; the inventory has none of them",
		"cannot list secrets: forbidden; the inventory has none of them",
	}, inv.Warnings)
}

// TestNotServedIsSilent: a kind discovery does not list (an optional API
// such as AdminNetworkPolicy) is simply absent: no warning.
func TestNotServedIsSilent(t *testing.T) {
	var resources []clustertest.Resource
	for _, r := range clustertest.StandardResources() {
		if r.Group != "policy.networking.k8s.io" {
			resources = append(resources, r)
		}
	}
	resources = clustertest.With(resources, "namespaces", func(r *clustertest.Resource) { r.Objects = []any{namespace("a")} })
	srv := clustertest.New(t, clustertest.Config{Resources: resources})
	inv, err, _ := load(t, srv.Kubeconfig(t), cluster.Options{})
	require.NoError(t, err)
	assert.Empty(t, inv.Warnings)
	assert.Equal(t, 1, inv.Len())
}

// TestCustomResourcesNotServedAreSilent: a cluster without the AI operators'
// or the Gateway API's CRDs reads as before, without a warning.
func TestCustomResourcesNotServedAreSilent(t *testing.T) {
	custom := map[schema.GroupVersion]bool{}
	for _, gvk := range cluster.CustomResourceKinds() {
		custom[gvk.GroupVersion()] = true
	}
	var resources []clustertest.Resource
	for _, r := range clustertest.StandardResources() {
		if !custom[r.GroupVersion()] {
			resources = append(resources, r)
		}
	}
	require.Less(t, len(resources), len(clustertest.StandardResources()))
	resources = clustertest.With(resources, "namespaces", func(r *clustertest.Resource) { r.Objects = []any{namespace("a")} })
	srv := clustertest.New(t, clustertest.Config{Resources: resources})
	inv, err, _ := load(t, srv.Kubeconfig(t), cluster.Options{})
	require.NoError(t, err)
	assert.Empty(t, inv.Warnings)
	assert.Empty(t, inv.Degraded)
	assert.Equal(t, 1, inv.Len())
}

// TestCustomResourcesAreRead: operator and Gateway API kinds the server
// serves are listed like built-in ones; a kind served in two versions
// (ReferenceGrant v1 and v1beta1) is listed once; one served only in an
// older version (v1beta1) is read there; a served kind that is forbidden
// is a degradation.
func TestCustomResourcesAreRead(t *testing.T) {
	rayCluster := map[string]any{"metadata": map[string]any{"namespace": "a", "name": "rc"},
		"spec": map[string]any{"headGroupSpec": map[string]any{"template": map[string]any{"spec": map[string]any{
			"containers": []any{map[string]any{"name": "ray-head", "image": "rayproject/ray:2.40.0"}}}}}}}
	grant := map[string]any{"metadata": map[string]any{"namespace": "b", "name": "from-a"},
		"spec": map[string]any{"from": []any{map[string]any{"group": "gateway.networking.k8s.io", "kind": "HTTPRoute", "namespace": "a"}},
			"to": []any{map[string]any{"group": "", "kind": "Service"}}}}
	set := func(objs ...any) func(*clustertest.Resource) {
		return func(r *clustertest.Resource) { r.Objects = objs }
	}

	resources := clustertest.With(clustertest.StandardResources(), "namespaces", set(namespace("a"), namespace("b")))
	resources = clustertest.With(resources, "rayclusters.ray.io", set(rayCluster))
	resources = clustertest.With(resources, "referencegrants.gateway.networking.k8s.io", set(grant))
	resources = clustertest.With(resources, "pytorchjobs.kubeflow.org", func(r *clustertest.Resource) { r.Status = http.StatusForbidden })
	srv := clustertest.New(t, clustertest.Config{Resources: resources})
	inv, err, _ := load(t, srv.Kubeconfig(t), cluster.Options{})
	require.NoError(t, err)
	assert.Equal(t, []governance.Degradation{{Resource: "pytorchjobs.kubeflow.org", Reason: "forbidden"}}, inv.Degraded)
	assert.Equal(t, 4, inv.Len(), "two namespaces, the RayCluster, the ReferenceGrant once")
	rc := inv.Get(governance.Key{Group: "ray.io", Kind: "RayCluster", Namespace: "a", Name: "rc"})
	require.NotNil(t, rc)
	var roles []string
	for _, w := range inv.Workloads() {
		if w.Kind == "RayCluster" {
			roles = append(roles, w.Role)
		}
	}
	assert.Equal(t, []string{"head"}, roles, "the RayCluster's pods are derived")
	g := inv.Get(governance.Key{Group: "gateway.networking.k8s.io", Kind: "ReferenceGrant", Namespace: "b", Name: "from-a"})
	require.NotNil(t, g)
	assert.Equal(t, "v1", g.GVK.Version, "the first version listed is read")

	// A Gateway API install that serves ReferenceGrant in v1beta1 only.
	var old []clustertest.Resource
	for _, r := range resources {
		if !(r.Resource == "referencegrants" && r.Version == "v1") {
			old = append(old, r)
		}
	}
	srv = clustertest.New(t, clustertest.Config{Resources: old})
	inv, err, _ = load(t, srv.Kubeconfig(t), cluster.Options{})
	require.NoError(t, err)
	g = inv.Get(governance.Key{Group: "gateway.networking.k8s.io", Kind: "ReferenceGrant", Namespace: "b", Name: "from-a"})
	require.NotNil(t, g)
	assert.Equal(t, "v1beta1", g.GVK.Version)
}

// TestOtherListErrorsFail: a 500 on a list is an error naming the kind.
func TestOtherListErrorsFail(t *testing.T) {
	srv := clustertest.New(t, clustertest.Config{Resources: clustertest.With(clustertest.StandardResources(), "configmaps",
		func(r *clustertest.Resource) { r.Status = http.StatusInternalServerError })})
	_, err, _ := load(t, srv.Kubeconfig(t), cluster.Options{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "listing configmaps at "+srv.URL)
}

// bound is how long a read against a server that never answers may take
// with a 1 s request timeout: generous, so that a loaded machine does not
// make the test flaky, and far below "forever".
const bound = 20 * time.Second

func TestSilentServerTimesOut(t *testing.T) {
	_, err, took := load(t, clustertest.WriteKubeconfig(t, clustertest.Silent(t)), cluster.Options{Timeout: time.Second})
	require.Error(t, err)
	assert.Less(t, took, bound)
	assert.Contains(t, err.Error(), "discovery at ")
}

func TestHangingDiscoveryTimesOut(t *testing.T) {
	srv := clustertest.New(t, clustertest.Config{Resources: clustertest.StandardResources(), DiscoveryHang: true})
	_, err, took := load(t, srv.Kubeconfig(t), cluster.Options{Timeout: time.Second})
	require.Error(t, err)
	assert.Less(t, took, bound)
}

func TestHangingListTimesOut(t *testing.T) {
	srv := clustertest.New(t, clustertest.Config{Resources: clustertest.With(clustertest.StandardResources(), "pods",
		func(r *clustertest.Resource) { r.Hang = true })})
	_, err, took := load(t, srv.Kubeconfig(t), cluster.Options{Timeout: time.Second})
	require.Error(t, err)
	assert.Less(t, took, bound)
	assert.Contains(t, err.Error(), "listing pods")
}

// TestDeadline: with no per-request timeout, the overall deadline still
// ends the read.
func TestDeadline(t *testing.T) {
	srv := clustertest.New(t, clustertest.Config{Resources: clustertest.With(clustertest.StandardResources(), "pods",
		func(r *clustertest.Resource) { r.Hang = true })})
	_, err, took := load(t, srv.Kubeconfig(t), cluster.Options{Timeout: -1, Deadline: 2 * time.Second})
	require.Error(t, err)
	assert.True(t, errors.Is(err, context.DeadlineExceeded), "%v", err)
	assert.Less(t, took, bound)
}
