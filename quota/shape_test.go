package quota_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/quota"
)

// shapeState has namespaces whose quotas and LimitRanges differ, so that
// one pod shape gets different verdicts in each.
const shapeState = `
apiVersion: v1
kind: ResourceQuota
metadata: {name: gpus, namespace: small}
spec:
  hard: {requests.nvidia.com/gpu: "1", requests.cpu: "2"}
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: gpus, namespace: big}
spec:
  hard: {requests.nvidia.com/gpu: "8", requests.cpu: "64"}
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: high-only, namespace: scoped}
spec:
  hard: {pods: "0"}
  scopeSelector:
    matchExpressions: [{scopeName: PriorityClass, operator: In, values: [high]}]
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: besteffort, namespace: scoped}
spec:
  hard: {pods: "0"}
  scopes: [BestEffort]
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: cpu, namespace: must}
spec:
  hard: {limits.cpu: "100"}
---
apiVersion: v1
kind: LimitRange
metadata: {name: lr, namespace: limited}
spec:
  limits:
  - type: Container
    max: {cpu: "1"}
---
apiVersion: node.k8s.io/v1
kind: RuntimeClass
metadata: {name: kata}
handler: kata
overhead: {podFixed: {cpu: 250m}}
`

func shapeLedger(t *testing.T) *quota.Ledger {
	t.Helper()
	loader, err := governance.NewLoader()
	require.NoError(t, err)
	inv, err := loader.LoadBytes("shapes.yaml", []byte(shapeState))
	require.NoError(t, err)
	l, err := quota.NewLedger(inv, quota.Options{Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
	require.NoError(t, err)
	return l
}

// requireSameResult compares everything a caller can see of two Results.
func requireSameResult(t *testing.T, want, got quota.Result, what string) {
	t.Helper()
	require.Equal(t, want.Admitted, got.Admitted, what)
	require.Equal(t, want.Stage, got.Stage, what)
	require.Equal(t, want.Message, got.Message, what)
	require.Equal(t, want.Alternatives, got.Alternatives, what)
	wj, err := json.Marshal(want)
	require.NoError(t, err)
	gj, err := json.Marshal(got)
	require.NoError(t, err)
	require.JSONEq(t, string(wj), string(gj), what)
	require.Equal(t, len(want.Quotas), len(got.Quotas), what)
	for i := range want.Quotas {
		require.Equal(t, want.Quotas[i].Matches, got.Quotas[i].Matches, what)
		require.Equal(t, want.Quotas[i].Exceeded, got.Quotas[i].Exceeded, what)
	}
}

// cold is Admit on a ledger that has admitted nothing before.
func cold(t *testing.T, pod *corev1.Pod) quota.Result {
	t.Helper()
	return shapeLedger(t).Admit(pod.DeepCopy())
}

// TestShapeCacheSameShapeElsewhere: a pod shape cached in one namespace,
// priority class or scope must not carry its verdict into another.
func TestShapeCacheSameShapeElsewhere(t *testing.T) {
	const shape = `{containers: [{name: a, image: x, resources: {limits: {nvidia.com/gpu: "2", cpu: "2"}}}]%s}`
	cases := []struct{ ns, extra, want string }{
		{"small", "", `pods "p" is forbidden: exceeded quota: gpus, requested: requests.nvidia.com/gpu=2, used: requests.nvidia.com/gpu=0, limited: requests.nvidia.com/gpu=1`},
		{"big", "", ""},
		{"scoped", ", priorityClassName: high", `pods "p" is forbidden: exceeded quota: high-only, requested: pods=1, used: pods=0, limited: pods=0`},
		{"scoped", ", priorityClassName: low", ""},
		{"scoped", "", ""},
		{"limited", "", `pods "p" is forbidden: maximum cpu usage per Container is 1, but limit is 2`},
		{"must", "", ""},
		{"big", ", runtimeClassName: kata", ""},
		{"small", "", `pods "p" is forbidden: exceeded quota: gpus, requested: requests.nvidia.com/gpu=2, used: requests.nvidia.com/gpu=0, limited: requests.nvidia.com/gpu=1`},
	}
	warm := shapeLedger(t)
	for round := 0; round < 2; round++ {
		for _, tc := range cases {
			what := fmt.Sprintf("round %d ns %s %s", round, tc.ns, tc.extra)
			pod := podIn(t, tc.ns, fmt.Sprintf(shape, tc.extra))
			got := warm.Admit(pod)
			assert.Equal(t, tc.want, got.Message, what)
			requireSameResult(t, cold(t, pod), got, what)
		}
	}
	// A BestEffort pod of the same (empty) shape in and out of scope.
	be := podIn(t, "scoped", `{containers: [{name: a, image: x}]}`)
	assert.Equal(t, `pods "p" is forbidden: exceeded quota: besteffort, requested: pods=1, used: pods=0, limited: pods=0`, warm.Admit(be).Message)
	assert.True(t, warm.Admit(podIn(t, "free", `{containers: [{name: a, image: x}]}`)).Admitted)
}

// TestShapeCacheMutation: a caller that edits a Result (against its
// contract) changes neither later Results nor the Ledger's verdicts.
func TestShapeCacheMutation(t *testing.T) {
	huge := resource.MustParse("100000000000000000000") // beyond int64: held as a big decimal
	mutations := map[string]func(r *quota.Result){
		"set usage":    func(r *quota.Result) { r.Usage["requests.nvidia.com/gpu"] = resource.MustParse("7") },
		"delete usage": func(r *quota.Result) { delete(r.Usage, "requests.nvidia.com/gpu") },
		"add usage":    func(r *quota.Result) { r.Usage["x.example/y"] = resource.MustParse("1") },
		"format": func(r *quota.Result) {
			v := r.Usage[corev1.ResourceCPU]
			v.Format = resource.BinarySI
			r.Usage[corev1.ResourceCPU] = v
		},
		"requests": func(r *quota.Result) { r.Effective.Requests[corev1.ResourceCPU] = resource.MustParse("9") },
		"limits":   func(r *quota.Result) { delete(r.Effective.Limits, corev1.ResourceCPU) },
		"exceeded": func(r *quota.Result) {
			for i := range r.Quotas {
				r.Quotas[i].Exceeded = append(r.Quotas[i].Exceeded[:0], "pods")
			}
		},
		// Add on a copy of a big-decimal value writes through the decimal
		// it shares with the map.
		"big decimal in place": func(r *quota.Result) { v := r.Usage[corev1.ResourceMemory]; v.Add(huge) },
	}
	specs := []string{
		`{containers: [{name: a, image: x, resources: {limits: {nvidia.com/gpu: "2", cpu: "2"}}}]}`,
		`{containers: [{name: a, image: x, resources: {limits: {nvidia.com/gpu: "1", cpu: 500m, memory: "100000000000000000000"}}}]}`,
	}
	for name, mutate := range mutations {
		for _, ns := range []string{"small", "big"} {
			for _, spec := range specs {
				what := fmt.Sprintf("%s in %s: %s", name, ns, spec)
				l := shapeLedger(t)
				pod := podIn(t, ns, spec)
				first := l.Admit(pod)
				mutate(&first)
				requireSameResult(t, cold(t, pod), l.Admit(pod), what)
				requireSameResult(t, cold(t, pod), l.Admit(podIn(t, ns, spec)), what)
			}
		}
	}
}

// TestShapeCacheRandomPods: random pods (the differential test's
// generator) admitted twice on one ledger give what a fresh ledger gives.
func TestShapeCacheRandomPods(t *testing.T) {
	rnd := rand.New(rand.NewPCG(42, 7))
	var objs []*governance.Object
	for n := 0; n < 6; n++ {
		ns := fmt.Sprintf("ns%d", n)
		if n%3 > 0 {
			lr := randomLimitRange(rnd)
			lr.Name, lr.Namespace = "lr", ns
			objs = append(objs, object(lr, "LimitRange"))
		}
		for i := 0; i < 2; i++ {
			rq := randomQuota(rnd, fmt.Sprintf("q%d", i))
			rq.Namespace = ns
			objs = append(objs, object(rq, "ResourceQuota"))
		}
	}
	newLedger := func() *quota.Ledger {
		inv, err := governance.NewInventory(objs)
		require.NoError(t, err)
		l, err := quota.NewLedger(inv, quota.Options{Now: time.Unix(0, 0)})
		require.NoError(t, err)
		return l
	}
	var pods []*corev1.Pod
	for p := 0; p < 300; p++ {
		pod := randomPod(rnd, fmt.Sprintf("p%d", p))
		pod.Namespace = fmt.Sprintf("ns%d", rnd.IntN(6))
		pods = append(pods, pod)
	}
	warm := newLedger()
	for round := 0; round < 2; round++ {
		for _, pod := range pods {
			what := fmt.Sprintf("round %d %s/%s %s", round, pod.Namespace, pod.Name, podString(pod))
			requireSameResult(t, newLedger().Admit(pod.DeepCopy()), warm.Admit(pod.DeepCopy()), what)
		}
	}
}

// TestShapeCacheConcurrent: Admit from many goroutines (run with -race).
func TestShapeCacheConcurrent(t *testing.T) {
	l := shapeLedger(t)
	specs := []string{
		`{containers: [{name: a, image: x, resources: {limits: {nvidia.com/gpu: "2", cpu: "2"}}}]}`,
		`{containers: [{name: a, image: x, resources: {limits: {nvidia.com/gpu: "1"}}}]}`,
		`{containers: [{name: a, image: x, resources: {requests: {cpu: 100m}}}]}`,
	}
	type job struct {
		pod  *corev1.Pod
		want quota.Result
	}
	var jobs []job
	for _, ns := range []string{"small", "big", "scoped"} {
		for _, spec := range specs {
			pod := podIn(t, ns, spec)
			jobs = append(jobs, job{pod, cold(t, pod)})
		}
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8*len(jobs))
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				j := jobs[(g+i)%len(jobs)]
				if got := l.Admit(j.pod); got.Message != j.want.Message || got.Admitted != j.want.Admitted {
					errs <- fmt.Sprintf("%s: got %q, want %q", j.pod.Namespace, got.Message, j.want.Message)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// TestShapeCacheExactKey: pods whose resources differ only in a detail
// the shape key must see (a format, the container holding a value, a
// request versus a limit, a sidecar, pod-level resources, overhead).
func TestShapeCacheExactKey(t *testing.T) {
	specs := []string{
		`{containers: [{name: a, image: x, resources: {requests: {memory: 1Gi}}}]}`,
		`{containers: [{name: a, image: x, resources: {requests: {memory: "1073741824"}}}]}`,
		`{containers: [{name: a, image: x, resources: {requests: {memory: 1024Mi}}}]}`,
		`{containers: [{name: a, image: x, resources: {requests: {cpu: "1"}}}]}`,
		`{containers: [{name: a, image: x, resources: {requests: {cpu: 1000m}}}]}`,
		`{containers: [{name: a, image: x, resources: {requests: {cpu: "0.5"}}}]}`,
		`{containers: [{name: a, image: x, resources: {requests: {cpu: 500m}}}]}`,
		`{containers: [{name: a, image: x, resources: {limits: {cpu: 500m}}}]}`,
		`{containers: [{name: a, image: x, resources: {requests: {cpu: 500m}, limits: {cpu: "1"}}}]}`,
		`{containers: [{name: a, image: x, resources: {requests: {cpu: "1"}}}, {name: b, image: x, resources: {requests: {cpu: 500m, memory: 1Gi}}}]}`,
		`{containers: [{name: b, image: x, resources: {requests: {cpu: 500m, memory: 1Gi}}}, {name: a, image: x, resources: {requests: {cpu: "1"}}}]}`,
		`{containers: [{name: a, image: x, resources: {requests: {cpu: "1", memory: 1Gi}}}, {name: b, image: x, resources: {requests: {cpu: 500m}}}]}`,
		`{initContainers: [{name: i, image: x, resources: {requests: {cpu: "1"}}}], containers: [{name: a, image: x, resources: {requests: {cpu: "1"}}}]}`,
		`{initContainers: [{name: i, image: x, restartPolicy: Always, resources: {requests: {cpu: "1"}}}], containers: [{name: a, image: x, resources: {requests: {cpu: "1"}}}]}`,
		`{resources: {requests: {cpu: "3"}}, containers: [{name: a, image: x, resources: {requests: {cpu: "1"}}}]}`,
		`{runtimeClassName: kata, containers: [{name: a, image: x, resources: {requests: {cpu: "1"}}}]}`,
		`{containers: [{name: a, image: x, resources: {requests: {cpu: "1", hugepages-2Mi: 4Mi}, limits: {hugepages-2Mi: 4Mi}}}]}`,
		`{containers: [{name: a, image: x, resources: {limits: {nvidia.com/gpu: "1", cpu: "3"}}}]}`,
		`{containers: [{name: a, image: x, resources: {limits: {nvidia.com/gpu: "2", cpu: "3"}}}]}`,
		`{containers: [{name: a, image: x, resources: {limits: {nvidia.com/gpu: "2", cpu: "3"}}}], priorityClassName: high}`,
	}
	warm := shapeLedger(t)
	for round := 0; round < 2; round++ {
		for _, ns := range []string{"small", "big", "scoped"} {
			for _, spec := range specs {
				pod := podIn(t, ns, spec)
				requireSameResult(t, cold(t, pod), warm.Admit(pod), fmt.Sprintf("round %d %s %s", round, ns, spec))
			}
		}
	}
}
