package live

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	fakediscovery "k8s.io/client-go/discovery/fake"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	"k8s.io/client-go/rest"
	clienttesting "k8s.io/client-go/testing"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/policyset"
)

// TestReconcileSchedules drives reconcile with a fake discovery and a fake
// dynamic client whose lists of Secrets are forbidden until the test allows
// them: a degraded kind is re-probed only when due and stays degraded
// (with its backoff doubled) while forbidden; one not due keeps its
// degradation; kinds served for the first time are watched after a full
// discovery; a kind allowed later is watched and its degradation clears.
func TestReconcileSchedules(t *testing.T) {
	rules, err := policyset.Rules("")
	require.NoError(t, err)
	s, err := New(Options{Config: &rest.Config{Host: "https://reconcile.invalid"}, Rules: rules,
		ReprobeMin: time.Second, ReprobeMax: 4 * time.Second})
	require.NoError(t, err)
	gvr := func(group, resource string) schema.GroupVersionResource {
		version := "v1"
		return schema.GroupVersionResource{Group: group, Version: version, Resource: resource}
	}
	namespaces, secrets, configMaps, widgets := gvr("", "namespaces"), gvr("", "secrets"), gvr("", "configmaps"), gvr("example.com", "widgets")
	s.wanted = []schema.GroupVersionResource{namespaces, secrets, configMaps, widgets}

	client := dynamicfake.NewSimpleDynamicClientWithCustomListKinds(k8sruntime.NewScheme(), map[schema.GroupVersionResource]string{
		namespaces: "NamespaceList", secrets: "SecretList", configMaps: "ConfigMapList", widgets: "WidgetList"})
	var secretsForbidden atomic.Bool
	secretsForbidden.Store(true)
	// listed are the resources listed, by probes and informers.
	var (
		mu     sync.Mutex
		listed []string
	)
	probed := func() []string {
		mu.Lock()
		defer mu.Unlock()
		out := listed
		listed = nil
		return out
	}
	client.PrependReactor("list", "*", func(a clienttesting.Action) (bool, k8sruntime.Object, error) {
		r := a.GetResource().GroupResource()
		mu.Lock()
		listed = append(listed, r.String())
		mu.Unlock()
		if r.Resource == "configmaps" || (r.Resource == "secrets" && secretsForbidden.Load()) {
			return true, nil, apierrors.NewForbidden(r, "", nil)
		}
		return false, nil, nil
	})
	s.dynamic = client
	dc := &fakediscovery.FakeDiscovery{Fake: &clienttesting.Fake{Resources: []*metav1.APIResourceList{
		{GroupVersion: "v1", APIResources: []metav1.APIResource{{Name: "namespaces"}, {Name: "secrets", Namespaced: true}, {Name: "configmaps", Namespaced: true}}},
		{GroupVersion: "example.com/v1", APIResources: []metav1.APIResource{{Name: "widgets", Namespaced: true}}},
	}}}

	now := time.Now()
	s.degraded = []governance.Degradation{{Resource: "configmaps", Reason: readForbidden}, {Resource: "secrets", Reason: readForbidden}}
	s.retry["configmaps"] = &backoff{delay: time.Second, next: now.Add(time.Hour)}
	s.retry["secrets"] = &backoff{delay: time.Second, next: now.Add(-time.Millisecond)}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	watchedNames := func() []string {
		ws, _ := s.resources()
		var out []string
		for _, w := range ws {
			out = append(out, w.name())
		}
		slices.Sort(out)
		return out
	}
	waitWatched := func(want ...string) {
		t.Helper()
		require.Eventually(t, func() bool { return slices.Equal(watchedNames(), want) }, 10*time.Second, 10*time.Millisecond,
			"watched %v, want %v", watchedNames(), want)
	}

	s.reconcile(ctx, dc, now, true)
	_, degraded := s.resources()
	assert.Equal(t, []governance.Degradation{{Resource: "configmaps", Reason: readForbidden}, {Resource: "secrets", Reason: readForbidden}}, degraded)
	first := probed()
	assert.NotContains(t, first, "configmaps", "not due")
	assert.Contains(t, first, "secrets")
	s.resMu.Lock()
	assert.Equal(t, 2*time.Second, s.retry["secrets"].delay, "doubled")
	assert.Equal(t, now.Add(2*time.Second), s.retry["secrets"].next)
	assert.Equal(t, now.Add(time.Hour), s.retry["configmaps"].next, "untouched")
	s.resMu.Unlock()
	waitWatched("namespaces", "widgets.example.com")

	// Not due: nothing is probed, nothing changes.
	probed()
	s.reconcile(ctx, dc, now.Add(time.Second), false)
	assert.Empty(t, probed())
	_, degraded = s.resources()
	assert.Len(t, degraded, 2)

	// Allowed and due: watched, the degradation gone, its backoff dropped.
	secretsForbidden.Store(false)
	s.reconcile(ctx, dc, now.Add(2*time.Second), false)
	waitWatched("namespaces", "secrets", "widgets.example.com")
	_, degraded = s.resources()
	assert.Equal(t, []governance.Degradation{{Resource: "configmaps", Reason: readForbidden}}, degraded)
	s.resMu.Lock()
	assert.NotContains(t, s.retry, "secrets")
	s.resMu.Unlock()
	s.metrics.mu.Lock()
	assert.Equal(t, map[string]uint64{"degraded": 1, "readable": 3}, s.metrics.reprobes)
	s.metrics.mu.Unlock()

	// The backoff stops doubling at ReprobeMax.
	for range 5 {
		s.postpone(now.Add(time.Hour), []string{"configmaps"})
	}
	s.resMu.Lock()
	assert.Equal(t, 4*time.Second, s.retry["configmaps"].delay)
	s.resMu.Unlock()
}
