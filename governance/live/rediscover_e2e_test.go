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

	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "widgets.yaml"), fmt.Appendf(nil, `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.%[1]s}
spec:
  group: %[1]s
  names: {kind: Widget, listKind: WidgetList, plural: widgets, singular: widget}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, x-kubernetes-preserve-unknown-fields: true}
`, group), 0o600))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	_, err := env.InstallCRDs(ctx, dir)
	require.NoError(t, err)
	ns := env.CreateNamespace(t, "widgets")
	_, err = env.ApplyYAML(ctx, fmt.Appendf(nil, "apiVersion: %s/v1\nkind: Widget\nmetadata: {name: w, namespace: %s}\nspec: {size: 1}\n", group, ns))
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
