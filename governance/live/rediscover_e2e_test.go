package live_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/rest"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/cluster"
	"github.com/aigov/aigov/governance/live"
	"github.com/aigov/aigov/internal/testenv"
)

// sameAsOneShot polls until the server's latest evaluation has what a
// one-shot read with cfg has: as many objects and the same degradations.
func sameAsOneShot(t *testing.T, srv *running, cfg *rest.Config, extra ...schema.GroupVersionResource) {
	t.Helper()
	poll(t, 30*time.Second, "the inventory to equal a one-shot read's", func() (bool, string) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		inv, err := cluster.Load(ctx, cluster.Options{Config: cfg, Extra: extra})
		require.NoError(t, err)
		snap := srv.Snapshot()
		if snap.Objects != inv.Len() || !slices.Equal(snap.Degraded, inv.Degraded) {
			return false, fmt.Sprintf("server: %d objects, degraded %v; one-shot: %d objects, degraded %v",
				snap.Objects, snap.Degraded, inv.Len(), inv.Degraded)
		}
		return true, ""
	})
}

func scrape(t *testing.T, srv *running) string {
	t.Helper()
	w := httptest.NewRecorder()
	srv.Handler().ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	require.Equal(t, http.StatusOK, w.Code)
	return w.Body.String()
}

// TestDegradedKindRecovers runs the server as a user who may not read
// Secrets at all: a reported degradation at the start. When the
// permission is granted, the re-probe finds Secrets readable, starts
// their informer, and the degradation clears — in the evaluation, which
// then equals a one-shot read, and in the metrics — without a restart.
func TestDegradedKindRecovers(t *testing.T) {
	env := testenv.Shared(t)
	user := "aigov-live-secrets-later"
	grantReader(t, env, user, user, "")
	cfg := env.ImpersonatedConfig(user)

	srv := start(t, live.Options{Config: cfg, Reports: live.ReportsNone,
		ReprobeMin: 200 * time.Millisecond, ReprobeMax: time.Second})
	secrets := governance.Degradation{Resource: "secrets", Reason: "forbidden"}
	require.Contains(t, srv.Snapshot().Degraded, secrets)
	before := scrape(t, srv)
	assert.Contains(t, before, `aigov_resource_degraded{resource="secrets",reason="forbidden"} 1`)
	// Re-probes that find it still forbidden keep it degraded.
	poll(t, 10*time.Second, "a re-probe", func() (bool, string) {
		out := scrape(t, srv)
		return !strings.Contains(out, `aigov_resource_reprobes_total{result="degraded"} 0`), out
	})
	require.Contains(t, srv.Snapshot().Degraded, secrets)

	grantReader(t, env, user+"-secrets", user, "- apiGroups: [\"\"]\n  resources: [secrets]\n  verbs: [list, watch]\n")
	took := poll(t, 30*time.Second, "the secrets' degradation to clear", func() (bool, string) {
		return !slices.Contains(srv.Snapshot().Degraded, secrets), fmt.Sprint(srv.Snapshot().Degraded)
	})
	t.Logf("secrets watched %s after the grant", took)
	sameAsOneShot(t, srv, cfg)
	out := scrape(t, srv)
	assert.Contains(t, out, `aigov_informer_synced{resource="secrets"} 1`)
	assert.NotContains(t, out, `aigov_resource_degraded{resource="secrets"`)
	assert.NotContains(t, out, `aigov_resource_reprobes_total{result="readable"} 0`)
}

// installKind installs a namespaced CRD serving gvr (one version, any
// spec) as kind and waits until it is established.
func installKind(ctx context.Context, t *testing.T, env *testenv.Env, gvr schema.GroupVersionResource, kind string) {
	t.Helper()
	singular := strings.ToLower(kind)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, gvr.Resource+".yaml"), fmt.Appendf(nil, `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: %[2]s.%[1]s}
spec:
  group: %[1]s
  names: {kind: %[4]s, listKind: %[4]sList, plural: %[2]s, singular: %[5]s}
  scope: Namespaced
  versions:
  - name: %[3]s
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, x-kubernetes-preserve-unknown-fields: true}
`, gvr.Group, gvr.Resource, gvr.Version, kind, singular), 0o600))
	_, err := env.InstallCRDs(ctx, dir)
	require.NoError(t, err)
}

// TestCRDsInstalledLater: resources whose CRDs are installed after the
// start are found by the discovery re-poll and watched — a kind of the
// test's own (through Options.Extra, so that no other test can have
// installed it first) and the AI operators' kinds — and their objects join
// the inventory.
func TestCRDsInstalledLater(t *testing.T) {
	env := testenv.Shared(t)
	group := fmt.Sprintf("later%d.aigov.test", time.Now().UnixNano())
	widgets := schema.GroupVersionResource{Group: group, Version: "v1", Resource: "widgets"}
	srv := start(t, live.Options{Config: env.Config, Reports: live.ReportsNone, Extra: []schema.GroupVersionResource{widgets},
		Rediscover: 300 * time.Millisecond})
	synced := fmt.Sprintf(`aigov_informer_synced{resource="widgets.%s"} 1`, group)
	require.NotContains(t, scrape(t, srv), "widgets."+group, "not served, so neither watched nor degraded")

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	installKind(ctx, t, env, widgets, "Widget")
	ns := env.CreateNamespace(t, "widgets")
	_, err := env.ApplyYAML(ctx, fmt.Appendf(nil, "apiVersion: %s/v1\nkind: Widget\nmetadata: {name: w, namespace: %s}\nspec: {size: 1}\n", group, ns))
	require.NoError(t, err)
	took := poll(t, 30*time.Second, "the new kind to be watched", func() (bool, string) {
		return strings.Contains(scrape(t, srv), synced), "not watched yet"
	})
	t.Logf("watched %s after its CRD was established", took)
	sameAsOneShot(t, srv, env.Config, widgets)

	_, err = env.InstallAICRDs(ctx)
	require.NoError(t, err)
	poll(t, 30*time.Second, "the operators' kinds to be watched", func() (bool, string) {
		out := scrape(t, srv)
		for _, r := range []string{"rayclusters.ray.io", "inferenceservices.serving.kserve.io", "httproutes.gateway.networking.k8s.io", "inferencepools.inference.networking.k8s.io"} {
			if !strings.Contains(out, fmt.Sprintf(`aigov_informer_synced{resource=%q} 1`, r)) {
				return false, r + " not watched"
			}
		}
		return true, ""
	})
	sameAsOneShot(t, srv, env.Config, widgets)
}

// TestCRDDeletedLater: a kind watched since the start (of the test's own
// CRD, named uniquely so that no other test touches it) whose CRD is then
// deleted is no longer watched — its informer stopped, gone from the
// metrics — and the evaluation that follows equals a one-shot read, which
// skips what discovery does not list.
func TestCRDDeletedLater(t *testing.T) {
	env := testenv.Shared(t)
	group := fmt.Sprintf("deleted%d.aigov.test", time.Now().UnixNano())
	gadgets := schema.GroupVersionResource{Group: group, Version: "v1", Resource: "gadgets"}
	crdName := "gadgets." + group
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	installKind(ctx, t, env, gadgets, "Gadget")
	crds := env.Dynamic(t).Resource(schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"})
	t.Cleanup(func() {
		if err := crds.Delete(context.Background(), crdName, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
			t.Errorf("deleting the CRD: %v", err)
		}
	})
	ns := env.CreateNamespace(t, "gadgets")
	_, err := env.ApplyYAML(ctx, fmt.Appendf(nil, "apiVersion: %s/v1\nkind: Gadget\nmetadata: {name: g, namespace: %s}\nspec: {size: 1}\n", group, ns))
	require.NoError(t, err)

	srv := start(t, live.Options{Config: env.Config, Reports: live.ReportsNone, Extra: []schema.GroupVersionResource{gadgets},
		Rediscover: 300 * time.Millisecond})
	require.Contains(t, scrape(t, srv), fmt.Sprintf(`aigov_informer_synced{resource=%q} 1`, crdName), "watched from the start")
	sameAsOneShot(t, srv, env.Config, gadgets)

	require.NoError(t, crds.Delete(ctx, crdName, metav1.DeleteOptions{}))
	took := poll(t, 30*time.Second, "the deleted kind to be no longer watched", func() (bool, string) {
		return !strings.Contains(scrape(t, srv), crdName), "still in the metrics"
	})
	t.Logf("unwatched %s after the CRD's deletion", took)
	// The one-shot read has no gadget: discovery does not list them.
	sameAsOneShot(t, srv, env.Config, gadgets)
	assert.Empty(t, srv.Snapshot().Degraded, "a kind no longer served is not a degradation")
}
