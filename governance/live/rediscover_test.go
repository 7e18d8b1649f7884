package live

import (
	"context"
	"maps"
	"slices"
	"strings"
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

// reconcileServer is a Server for driving reconcile by hand: it wants the
// resources of listKinds (GVR to list kind), which a fake dynamic client
// serves; ReprobeMin 1s, ReprobeMax 4s.
func reconcileServer(t *testing.T, listKinds map[schema.GroupVersionResource]string) (*Server, *dynamicfake.FakeDynamicClient) {
	t.Helper()
	rules, err := policyset.Rules("")
	require.NoError(t, err)
	s, err := New(Options{Config: &rest.Config{Host: "https://reconcile.invalid"}, Rules: rules,
		ReprobeMin: time.Second, ReprobeMax: 4 * time.Second})
	require.NoError(t, err)
	s.wanted = slices.SortedFunc(maps.Keys(listKinds), func(a, b schema.GroupVersionResource) int {
		return strings.Compare(a.String(), b.String())
	})
	client := dynamicfake.NewSimpleDynamicClientWithCustomListKinds(k8sruntime.NewScheme(), listKinds)
	s.dynamic = client
	return s, client
}

// watchedNow is the server's watched resources by name.
func watchedNow(s *Server) map[string]*watched {
	ws, _ := s.resources()
	out := map[string]*watched{}
	for _, w := range ws {
		out[w.name()] = w
	}
	return out
}

// waitWatched waits until the server watches exactly the named resources
// (their informers start in the background).
func waitWatched(t *testing.T, s *Server, want ...string) {
	t.Helper()
	names := func() []string { return slices.Sorted(maps.Keys(watchedNow(s))) }
	require.Eventually(t, func() bool { return slices.Equal(names(), want) }, 10*time.Second, 10*time.Millisecond,
		"watched %v, want %v", names(), want)
}

// TestReconcileSchedules drives reconcile with a fake discovery and a fake
// dynamic client whose lists of Secrets are forbidden until the test allows
// them: a degraded kind is re-probed only when due and stays degraded
// (with its backoff doubled) while forbidden; one not due keeps its
// degradation; kinds served for the first time are watched after a full
// discovery; a kind allowed later is watched and its degradation clears.
func TestReconcileSchedules(t *testing.T) {
	gvr := func(group, resource string) schema.GroupVersionResource {
		version := "v1"
		return schema.GroupVersionResource{Group: group, Version: version, Resource: resource}
	}
	namespaces, secrets, configMaps, widgets := gvr("", "namespaces"), gvr("", "secrets"), gvr("", "configmaps"), gvr("example.com", "widgets")
	s, client := reconcileServer(t, map[schema.GroupVersionResource]string{
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
	waitWatched(t, s, "namespaces", "widgets.example.com")

	// Not due: nothing is probed, nothing changes.
	probed()
	s.reconcile(ctx, dc, now.Add(time.Second), false)
	assert.Empty(t, probed())
	_, degraded = s.resources()
	assert.Len(t, degraded, 2)

	// Allowed and due: watched, the degradation gone, its backoff dropped.
	secretsForbidden.Store(false)
	s.reconcile(ctx, dc, now.Add(2*time.Second), false)
	waitWatched(t, s, "namespaces", "secrets", "widgets.example.com")
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

// TestReconcileUnwatchesUnserved drives reconcile with a fake discovery:
// a watched kind that discovery stops listing (its CRD deleted) is no
// longer watched, its informer stopped, and a change is recorded for the
// evaluation, without a degradation; listed again, it is watched again at
// the next full discovery. A kind whose group's discovery failed is kept.
func TestReconcileUnwatchesUnserved(t *testing.T) {
	namespaces := schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}
	widgets := schema.GroupVersionResource{Group: "example.com", Version: "v1", Resource: "widgets"}
	s, _ := reconcileServer(t, map[schema.GroupVersionResource]string{namespaces: "NamespaceList", widgets: "WidgetList"})
	core := &metav1.APIResourceList{GroupVersion: "v1", APIResources: []metav1.APIResource{{Name: "namespaces"}}}
	widgetList := &metav1.APIResourceList{GroupVersion: "example.com/v1", APIResources: []metav1.APIResource{{Name: "widgets", Namespaced: true}}}
	dc := &fakediscovery.FakeDiscovery{Fake: &clienttesting.Fake{Resources: []*metav1.APIResourceList{core, widgetList}}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	now := time.Now()
	s.reconcile(ctx, dc, now, true)
	waitWatched(t, s, "namespaces", "widgets.example.com")
	w := watchedNow(s)["widgets.example.com"]
	require.NotNil(t, w.stop)
	assert.False(t, w.informer.IsStopped())
	s.changes.take()

	// Its CRD deleted: discovery no longer lists it. Not a full round:
	// what discovery says is acted on in every round.
	dc.Resources = []*metav1.APIResourceList{core}
	s.reconcile(ctx, dc, now.Add(time.Second), false)
	waitWatched(t, s, "namespaces")
	require.Eventually(t, w.informer.IsStopped, 10*time.Second, 10*time.Millisecond, "the informer still runs")
	assert.False(t, watchedNow(s)["namespaces"].informer.IsStopped())
	_, set := s.changes.take()
	assert.True(t, set[change{gvr: "widgets.example.com"}], "no change recorded: %v", set)
	_, degraded := s.resources()
	assert.Empty(t, degraded, "a kind no longer served is not a degradation, as in a one-shot read")

	// Installed again: watched again at the next full discovery.
	dc.Resources = []*metav1.APIResourceList{core, widgetList}
	s.reconcile(ctx, dc, now.Add(2*time.Second), true)
	waitWatched(t, s, "namespaces", "widgets.example.com")

	// A group whose discovery failed says nothing about its kinds: kept.
	s.resMu.Lock()
	gone := s.unwatchUnserved(nil, []governance.Degradation{{Resource: "widgets.example.com", Reason: "discovery of example.com/v1 failed"}})
	s.resMu.Unlock()
	assert.Equal(t, map[string]bool{"namespaces": true}, gone)
	waitWatched(t, s, "widgets.example.com")
}
