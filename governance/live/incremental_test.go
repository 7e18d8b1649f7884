package live

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	dynamicfake "k8s.io/client-go/dynamic/fake"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/policyset"
	"github.com/aigov/aigov/internal/gen"
	"github.com/aigov/aigov/internal/testenv"
)

// diffCluster is the state of the differential test: informers (never
// run: the test writes their caches, as a watch would) over a platform
// with findings of every kind of check, RBAC, network, secrets, gateway
// and quota ones included.
type diffCluster struct {
	t       testing.TB
	ws      []*watched
	byKind  map[schema.GroupKind]*watched
	deleted []*unstructured.Unstructured
	changes map[change]bool
	rng     *rand.Rand
	n       int
}

// diffObjects are examples/multitenant (a team platform with RBAC,
// network policies, secrets, a gateway, Ray, PyTorch) and a small
// generated platform with ReplicaSets, Pods and AI operators' resources
// (whose pods fold into their owners'), as a cluster holds them.
func diffObjects(t *testing.T) []*unstructured.Unstructured {
	t.Helper()
	var data []byte
	files, err := filepath.Glob("../../examples/multitenant/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("examples/multitenant: %v", err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		data = append(append(data, b...), []byte("\n---\n")...)
	}
	data = append(data, gen.Cluster(gen.Options{Seed: 7, Namespaces: 3, WorkloadsPerNamespace: 10, PodsPerWorkload: 2,
		GPUFraction: 0.3, ClusterAdmins: 3, ClusterRoles: 2, ReplicaSets: true, CRFraction: 1.0 / 3})...)
	objs, err := testenv.DecodeManifests(data)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range objs {
		if u.GetNamespace() == "" && !governance.IsClusterScoped(u.GroupVersionKind().GroupKind()) {
			u.SetNamespace("default")
		}
	}
	return objs
}

func newDiffCluster(t testing.TB, objs []*unstructured.Unstructured, seed uint64) *diffCluster {
	t.Helper()
	c := &diffCluster{t: t, byKind: map[schema.GroupKind]*watched{}, changes: map[change]bool{},
		rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	client := dynamicfake.NewSimpleDynamicClient(k8sruntime.NewScheme())
	for _, u := range objs {
		gvk := u.GroupVersionKind()
		w := c.byKind[gvk.GroupKind()]
		if w == nil {
			gvr, _ := meta.UnsafeGuessKindToResource(gvk)
			w = &watched{resource: resource{gvr: gvr, namespaced: !governance.IsClusterScoped(gvk.GroupKind())}}
			if err := newInformer(client, w, func(*watched, any) {}, func(*watched, error) {}); err != nil {
				t.Fatal(err)
			}
			c.byKind[gvk.GroupKind()] = w
			c.ws = append(c.ws, w)
		}
		if err := w.informer.GetStore().Add(u); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// set writes u into its informer's cache and records the change as the
// informer's handler would.
func (c *diffCluster) set(u *unstructured.Unstructured) {
	w := c.byKind[u.GroupVersionKind().GroupKind()]
	if err := w.informer.GetStore().Update(u); err != nil {
		c.t.Fatal(err)
	}
	c.changes[change{gvr: w.name(), namespace: u.GetNamespace(), key: storeKey(u)}] = true
}

func (c *diffCluster) remove(u *unstructured.Unstructured) {
	w := c.byKind[u.GroupVersionKind().GroupKind()]
	if err := w.informer.GetStore().Delete(u); err != nil {
		c.t.Fatal(err)
	}
	c.changes[change{gvr: w.name(), namespace: u.GetNamespace(), key: storeKey(u)}] = true
	c.deleted = append(c.deleted, u)
}

// pick returns a random object of the caches (a copy, to change).
func (c *diffCluster) pick() *unstructured.Unstructured {
	w := c.ws[c.rng.IntN(len(c.ws))]
	items := w.informer.GetStore().List()
	if len(items) == 0 {
		return nil
	}
	slices.SortFunc(items, func(a, b any) int { return strings.Compare(storeKey(a), storeKey(b)) })
	return items[c.rng.IntN(len(items))].(*unstructured.Unstructured).DeepCopy()
}

// containersOf returns the containers of u's pod template or pod spec,
// with the path to set them back; nil when it has none.
func containersOf(u *unstructured.Unstructured) ([]any, []string) {
	for _, path := range [][]string{{"spec", "template", "spec", "containers"}, {"spec", "containers"},
		{"spec", "jobTemplate", "spec", "template", "spec", "containers"}} {
		if cs, ok, _ := unstructured.NestedSlice(u.Object, path...); ok && len(cs) > 0 {
			return cs, path
		}
	}
	return nil, nil
}

var diffImages = []string{"nginx:latest", "vllm/vllm-openai:v0.6.3", "qdrant/qdrant:v1.12.0",
	"registry.example.com/team/app@sha256:" + strings.Repeat("ab", 32), "pytorch/pytorch"}

var diffLabels = [][2]string{{"team", "nlp"}, {"team", "search"}, {"team", ""}, {"app", "vector-db"},
	{"app.kubernetes.io/name", "vllm"}, {"data-classification", "restricted"}, {"pod-security.kubernetes.io/enforce", "restricted"}}

// mutate makes one random change: a label, an exemption, a privileged or
// re-imaged container, a Service made a LoadBalancer, an object deleted,
// one deleted before restored, or a copy under a new name.
func (c *diffCluster) mutate() string {
	c.n++
	switch op := c.rng.IntN(10); {
	case op == 0 && len(c.deleted) > 0:
		i := c.rng.IntN(len(c.deleted))
		u := c.deleted[i]
		c.deleted = slices.Delete(c.deleted, i, i+1)
		c.set(u)
		return "restore " + storeKey(u)
	case op == 1:
		if u := c.pick(); u != nil {
			c.remove(u)
			return "delete " + u.GetKind() + " " + storeKey(u)
		}
	case op == 2:
		if u := c.pick(); u != nil {
			u.SetName(fmt.Sprintf("%s-copy%d", u.GetName(), c.n))
			u.SetUID("")
			c.set(u)
			return "copy to " + u.GetKind() + " " + storeKey(u)
		}
	case op == 3:
		if u := c.pick(); u != nil {
			ann := u.GetAnnotations()
			if ann == nil {
				ann = map[string]string{}
			}
			checks := []string{"privileged-container", "container-limits", "automount-token", "shadow-ai", "cross-team-reachability", "namespace-default-deny"}
			ann[governance.AnnotationExempt] = checks[c.rng.IntN(len(checks))]
			if c.rng.IntN(3) > 0 {
				ann[governance.AnnotationExemptReason] = "differential test"
			} else {
				delete(ann, governance.AnnotationExemptReason)
			}
			u.SetAnnotations(ann)
			c.set(u)
			return "exempt " + u.GetKind() + " " + storeKey(u)
		}
	case op == 4:
		if u := c.pick(); u != nil {
			if u.GetKind() == "Service" {
				_ = unstructured.SetNestedField(u.Object, "LoadBalancer", "spec", "type")
			} else if cs, path := containersOf(u); cs != nil {
				sc := map[string]any{"privileged": true}
				if c.rng.IntN(2) == 0 {
					sc = map[string]any{"allowPrivilegeEscalation": false, "runAsNonRoot": true}
				}
				cs[0].(map[string]any)["securityContext"] = sc
				_ = unstructured.SetNestedSlice(u.Object, cs, path...)
			}
			c.set(u)
			return "securityContext/type " + u.GetKind() + " " + storeKey(u)
		}
	case op == 5:
		if u := c.pick(); u != nil {
			if cs, path := containersOf(u); cs != nil {
				cs[0].(map[string]any)["image"] = diffImages[c.rng.IntN(len(diffImages))]
				_ = unstructured.SetNestedSlice(u.Object, cs, path...)
			}
			c.set(u)
			return "image " + u.GetKind() + " " + storeKey(u)
		}
	default:
		if u := c.pick(); u != nil {
			l := diffLabels[c.rng.IntN(len(diffLabels))]
			labels := u.GetLabels()
			if labels == nil {
				labels = map[string]string{}
			}
			if l[1] == "" {
				delete(labels, l[0])
			} else {
				labels[l[0]] = l[1]
			}
			u.SetLabels(labels)
			c.set(u)
			return "label " + u.GetKind() + " " + storeKey(u)
		}
	}
	return "nothing"
}

// canonical is findings as comparable lines, sorted.
func canonical(t *testing.T, fs []governance.Finding) []string {
	t.Helper()
	out := make([]string, len(fs))
	for i, f := range fs {
		b, err := json.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = string(b)
	}
	slices.Sort(out)
	return out
}

// TestIncrementalEqualsFull is the correctness invariant of incremental
// re-evaluation: after every batch of random changes (labels, exemptions,
// privileged containers, images, LoadBalancer Services, deletions,
// restorations, copies: in namespaces, of cluster-scoped objects, of
// Namespaces, RBAC, network policies, Secrets and operators' resources),
// the findings the evaluator computes from the previous evaluation and
// the changes equal those of a full evaluation of the same caches (a
// fresh decode, the engine's Run), as `aigov check` would run it.
func TestIncrementalEqualsFull(t *testing.T) {
	rules, err := policyset.Rules("")
	if err != nil {
		t.Fatal(err)
	}
	engine, err := governance.NewEngine(rules...)
	if err != nil {
		t.Fatal(err)
	}
	objs := diffObjects(t)
	for _, seed := range []uint64{1, 2, 3} {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			c := newDiffCluster(t, objs, seed)
			decoded, err := newDecodedCache()
			if err != nil {
				t.Fatal(err)
			}
			ev := newEvaluator("https://diff.invalid", engine, newRelevance(engine.Rules()), decoded)
			first, err := ev.run(c.ws, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !first.full {
				t.Fatal("the first evaluation was not a full one")
			}
			compareWithFull(t, engine, c, first, "the first evaluation")
			incremental := 0
			for batch := range 25 {
				var ops []string
				for range 1 + c.rng.IntN(6) {
					ops = append(ops, c.mutate())
				}
				set := c.changes
				c.changes = map[change]bool{}
				got, err := ev.run(c.ws, nil, set)
				if err != nil {
					t.Fatal(err)
				}
				if !got.full {
					incremental++
				}
				compareWithFull(t, engine, c, got, fmt.Sprintf("batch %d (%s)", batch, strings.Join(ops, "; ")))
				if t.Failed() {
					return
				}
			}
			// Only a change of two objects under one key evaluates in
			// full; the batches here have none.
			if incremental != 25 {
				t.Errorf("%d of 25 batches were evaluated incrementally, want all", incremental)
			}
		})
	}
}

// compareWithFull compares an evaluation with a full one of the same
// caches by a fresh decoder and the engine's Run.
func compareWithFull(t *testing.T, engine *governance.Engine, c *diffCluster, got *evaluation, what string) {
	t.Helper()
	decoded, err := newDecodedCache()
	if err != nil {
		t.Fatal(err)
	}
	inv, _, _, _, err := buildInventory("https://diff.invalid", c.ws, nil, decoded)
	if err != nil {
		t.Fatal(err)
	}
	if got.inv.Len() != inv.Len() {
		t.Errorf("%s: the inventory has %d objects, a full read %d", what, got.inv.Len(), inv.Len())
	}
	for i, o := range inv.Objects() {
		if i < got.inv.Len() && got.inv.Objects()[i].Key() != o.Key() {
			t.Errorf("%s: object %d is %v, in a full read %v", what, i, got.inv.Objects()[i].Key(), o.Key())
			break
		}
	}
	want := canonical(t, engine.Run(inv))
	have := canonical(t, got.findings)
	if slices.Equal(have, want) {
		return
	}
	missing, extra := diffLines(want, have)
	t.Errorf("%s: findings differ from a full evaluation (%d vs %d):\nmissing (first 5): %s\nextra (first 5): %s",
		what, len(have), len(want), strings.Join(first(missing, 5), "\n  "), strings.Join(first(extra, 5), "\n  "))
}

func diffLines(want, have []string) (missing, extra []string) {
	count := map[string]int{}
	for _, l := range want {
		count[l]++
	}
	for _, l := range have {
		count[l]--
	}
	for l, n := range count {
		for ; n > 0; n-- {
			missing = append(missing, l)
		}
		for ; n < 0; n++ {
			extra = append(extra, l)
		}
	}
	slices.Sort(missing)
	slices.Sort(extra)
	return missing, extra
}

func first(s []string, n int) []string { return s[:min(n, len(s))] }

// BenchmarkIncremental10k is one evaluation after one change on the soak's
// 10,000-pod platform (gen.Platform(10000)), without informers or writes:
// a Deployment's container made privileged or not, which touches the
// object checks of its namespace and, since checks and facts read
// workloads, the inventory checks that read them. full-ms is a full
// evaluation of the same caches, for comparison.
func BenchmarkIncremental10k(b *testing.B) {
	rules, err := policyset.Rules("")
	if err != nil {
		b.Fatal(err)
	}
	engine, err := governance.NewEngine(rules...)
	if err != nil {
		b.Fatal(err)
	}
	objs, err := testenv.DecodeManifests(gen.Cluster(gen.Platform(10000)))
	if err != nil {
		b.Fatal(err)
	}
	c := newDiffCluster(b, objs, 1)
	var deployments []*unstructured.Unstructured
	for _, u := range objs {
		if u.GetKind() == "Deployment" {
			deployments = append(deployments, u)
		}
	}
	decoded, err := newDecodedCache()
	if err != nil {
		b.Fatal(err)
	}
	ev := newEvaluator("https://bench.invalid", engine, newRelevance(engine.Rules()), decoded)
	start := time.Now()
	if _, err := ev.run(c.ws, nil, nil); err != nil {
		b.Fatal(err)
	}
	full := time.Since(start)
	n := 0
	for b.Loop() {
		u := deployments[(n*37)%len(deployments)].DeepCopy()
		cs, path := containersOf(u)
		cs[0].(map[string]any)["securityContext"] = map[string]any{"privileged": n%2 == 0}
		_ = unstructured.SetNestedSlice(u.Object, cs, path...)
		deployments[(n*37)%len(deployments)] = u
		c.set(u)
		set := c.changes
		c.changes = map[change]bool{}
		got, err := ev.run(c.ws, nil, set)
		if err != nil || got.full {
			b.Fatalf("evaluation: full %v, err %v", got != nil && got.full, err)
		}
		n++
	}
	b.ReportMetric(float64(full.Milliseconds()), "full-ms")
}
