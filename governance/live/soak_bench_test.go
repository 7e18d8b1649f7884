package live

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	"k8s.io/client-go/rest"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/policyset"
	"github.com/aigov/aigov/internal/gen"
	"github.com/aigov/aigov/internal/testenv"
)

// soakInterval paces the soak's changes at the 1,000 per minute.
const soakInterval = time.Minute / 1000

// soakChange is one change the soak made: Deployment key got the label
// soak-change=id and a privileged container (or lost it).
type soakChange struct {
	id         int
	key        governance.Key
	privileged bool
	at         time.Time
}

// BenchmarkSoak10k is the soak, in-process: the server's
// informers, change debouncing, evaluation (the default catalog, Debounce
// and MaxDelay at their defaults) and report building run on a 10,000-pod
// platform (gen.Platform(10000): 50 namespaces of 40 Deployments with
// their ReplicaSets, Pods, Services, Secrets and policies) served by
// client-go's fake dynamic client, whose watches feed the informers as an
// apiserver's would. Each iteration is one change at 1,000 per minute: a
// Deployment gets a new label value and its container becomes privileged
// (or stops being), which adds (or removes) its privileged-container
// finding. The apiserver and the report writes are left out: what is
// measured is from the change to the report content that holds it.
//
// Reported: p50 and p99 of that latency (ms); changes whose report never
// reflected them within 30 s of the last change, or reflected them with
// the wrong finding (missed); the live heap after the first evaluation
// and its growth by the end (MB, after a GC); the evaluations and their
// mean duration (ms). The 5 minutes are
// -benchtime=5000x (one change per iteration); the default 1 s makes
// about 17 changes.
func BenchmarkSoak10k(b *testing.B) {
	rules, err := policyset.Rules("")
	if err != nil {
		b.Fatal(err)
	}
	s, err := New(Options{Config: &rest.Config{Host: "https://soak.invalid"}, Rules: rules})
	if err != nil {
		b.Fatal(err)
	}
	objs, err := testenv.DecodeManifests(gen.Cluster(gen.Platform(10000)))
	if err != nil {
		b.Fatal(err)
	}
	client, ws := soakClient(b, objs)
	var deployments []governance.Key
	for _, u := range objs {
		if u.GetKind() == "Deployment" {
			deployments = append(deployments, governance.Key{Group: "apps", Kind: "Deployment", Namespace: u.GetNamespace(), Name: u.GetName()})
		}
	}
	for _, w := range ws {
		if err := newInformer(client, w, s.notify, s.forbidden); err != nil {
			b.Fatal(err)
		}
	}
	s.resMu.Lock()
	s.watched = ws
	s.resMu.Unlock()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, w := range ws {
		go w.informer.RunWithContext(ctx)
	}
	if err := s.waitForSync(ctx); err != nil {
		b.Fatal(err)
	}
	s.changes.take() // the informers' initial adds
	s.evaluate()
	base := s.Snapshot()
	if base == nil {
		b.Fatal("no first evaluation")
	}
	privileged := privilegedDeployments(base.Findings)
	for _, d := range deployments {
		if privileged[d] {
			b.Fatalf("%v is privileged before the soak", d)
		}
	}
	heapStart := liveHeap()

	var (
		mu        sync.Mutex
		pending   []soakChange
		latencies []time.Duration
		wrong     int
	)
	builder := newReportBuilder(s.api, s.opts.MaxResultsPerReport)
	observe := func(snap *Snapshot) {
		if _, err := builder.build(snap.Findings, snap.Degraded, snap.At); err != nil {
			b.Error(err)
			return
		}
		built := time.Now()
		priv := privilegedDeployments(snap.Findings)
		mu.Lock()
		defer mu.Unlock()
		pending = slices.DeleteFunc(pending, func(c soakChange) bool {
			o := snap.inventory.Get(c.key)
			if o == nil {
				return false
			}
			id, err := strconv.Atoi(o.Meta().GetLabels()["soak-change"])
			if err != nil || id < c.id {
				return false // the evaluation predates the change
			}
			if id == c.id {
				latencies = append(latencies, built.Sub(c.at))
				if priv[c.key] != c.privileged {
					wrong++
				}
			}
			return true // reflected, or superseded by a later change
		})
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for s.waitForChanges(ctx) == nil {
			s.evaluate()
			observe(s.Snapshot())
		}
	}()

	state := map[governance.Key]bool{}
	deployGVR := schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}
	tick := time.NewTicker(soakInterval)
	defer tick.Stop()
	n := 0
	for b.Loop() {
		<-tick.C
		key := deployments[(n*37)%len(deployments)]
		state[key] = !state[key]
		ri := client.Resource(deployGVR).Namespace(key.Namespace)
		u, err := ri.Get(ctx, key.Name, metav1.GetOptions{})
		if err != nil {
			b.Fatal(err)
		}
		labels := u.GetLabels()
		labels["soak-change"] = strconv.Itoa(n)
		u.SetLabels(labels)
		setPrivileged(b, u, state[key])
		mu.Lock()
		pending = append(pending, soakChange{id: n, key: key, privileged: state[key], at: time.Now()})
		mu.Unlock()
		if _, err := ri.Update(ctx, u, metav1.UpdateOptions{}); err != nil {
			b.Fatal(err)
		}
		// The fake records every action it served; that log is the
		// test's, not the server's memory.
		client.ClearActions()
		n++
	}
	drained := time.Now().Add(30 * time.Second)
	for {
		mu.Lock()
		left := len(pending)
		mu.Unlock()
		if left == 0 || time.Now().After(drained) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	<-done
	heapEnd := liveHeap()

	mu.Lock()
	defer mu.Unlock()
	slices.Sort(latencies)
	ms := func(q float64) float64 {
		if len(latencies) == 0 {
			return 0
		}
		return float64(latencies[min(len(latencies)-1, int(q*float64(len(latencies))))]) / float64(time.Millisecond)
	}
	b.ReportMetric(ms(0.50), "p50-ms")
	b.ReportMetric(ms(0.99), "p99-ms")
	b.ReportMetric(float64(len(pending)+wrong), "missed")
	b.ReportMetric(float64(heapStart)/(1<<20), "heap-MB")
	b.ReportMetric((float64(heapEnd)-float64(heapStart))/(1<<20), "heap-growth-MB")
	// What the latency is made of: back to back under this load, each
	// change waits for the evaluation running when it came and the next.
	s.metrics.mu.Lock()
	evals, evalSeconds := s.metrics.evalDuration.count, s.metrics.evalDuration.sum
	s.metrics.mu.Unlock()
	b.ReportMetric(float64(evals), "evaluations")
	b.ReportMetric(evalSeconds/float64(evals)*1000, "eval-ms")
	if len(pending)+wrong > 0 {
		b.Errorf("%d of %d changes never reached a report, %d with the wrong finding", len(pending), n, wrong)
	}
}

// soakClient serves objs from client-go's fake dynamic client and returns
// one watched resource per kind among them.
func soakClient(b *testing.B, objs []*unstructured.Unstructured) (*dynamicfake.FakeDynamicClient, []*watched) {
	b.Helper()
	listKinds := map[schema.GroupVersionResource]string{}
	var ws []*watched
	var runtimeObjs []k8sruntime.Object
	for _, u := range objs {
		gvk := u.GroupVersionKind()
		gvr, _ := meta.UnsafeGuessKindToResource(gvk)
		if _, ok := listKinds[gvr]; !ok {
			listKinds[gvr] = gvk.Kind + "List"
			ws = append(ws, &watched{resource: resource{gvr: gvr, namespaced: !governance.IsClusterScoped(gvk.GroupKind())}})
		}
		runtimeObjs = append(runtimeObjs, u)
	}
	return dynamicfake.NewSimpleDynamicClientWithCustomListKinds(k8sruntime.NewScheme(), listKinds, runtimeObjs...), ws
}

func privilegedDeployments(fs []governance.Finding) map[governance.Key]bool {
	out := map[governance.Key]bool{}
	for _, f := range fs {
		if f.Check == "privileged-container" && f.Object.Kind == "Deployment" {
			out[governance.Key{Group: "apps", Kind: "Deployment", Namespace: f.Object.Namespace, Name: f.Object.Name}] = true
		}
	}
	return out
}

// setPrivileged sets or clears privileged on every container of a
// Deployment's pod template.
func setPrivileged(b *testing.B, u *unstructured.Unstructured, privileged bool) {
	b.Helper()
	containers, _, err := unstructured.NestedSlice(u.Object, "spec", "template", "spec", "containers")
	if err != nil || len(containers) == 0 {
		b.Fatalf("%s/%s: no containers (%v)", u.GetNamespace(), u.GetName(), err)
	}
	for _, c := range containers {
		c := c.(map[string]any)
		sc, _ := c["securityContext"].(map[string]any)
		if sc == nil {
			sc = map[string]any{}
			c["securityContext"] = sc
		}
		if privileged {
			// privileged with allowPrivilegeEscalation false is refused
			// by the apiserver; a privileged container escalates.
			sc["privileged"] = true
			delete(sc, "allowPrivilegeEscalation")
		} else {
			delete(sc, "privileged")
			sc["allowPrivilegeEscalation"] = false
		}
	}
	if err := unstructured.SetNestedSlice(u.Object, containers, "spec", "template", "spec", "containers"); err != nil {
		b.Fatal(fmt.Errorf("setting containers: %w", err))
	}
}

// liveHeap is the bytes of live heap objects after a collection (two:
// the first moves sync.Pool contents to the victim cache, the second frees
// them).
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
