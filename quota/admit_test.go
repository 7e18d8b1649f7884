package quota_test

import (
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	corev1 "k8s.io/api/core/v1"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/internal/golden"
	"github.com/aigov/aigov/quota"
)

const namespaceState = `
apiVersion: v1
kind: LimitRange
metadata: {name: lr, namespace: lr}
spec:
  limits:
  - type: Container
    max: {cpu: "2"}
    min: {memory: 64Mi}
    maxLimitRequestRatio: {memory: "4"}
  - type: Pod
    max: {cpu: "3"}
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: compute, namespace: team}
spec:
  hard: {requests.cpu: "4", limits.memory: 4Gi, pods: "3"}
  scopes: [NotBestEffort]
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: gpus, namespace: team}
spec:
  hard: {requests.nvidia.com/gpu: "2"}
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: high, namespace: team}
spec:
  hard: {pods: "1"}
  scopeSelector:
    matchExpressions: [{scopeName: PriorityClass, operator: NotIn, values: [batch]}]
---
apiVersion: node.k8s.io/v1
kind: RuntimeClass
metadata: {name: kata}
handler: kata
overhead: {podFixed: {cpu: 250m, memory: 120Mi}}
---
apiVersion: v1
kind: Pod
metadata: {name: done, namespace: team, uid: "1"}
spec:
  priorityClassName: batch
  containers: [{name: c, image: x, resources: {requests: {cpu: "3", memory: 1Gi}, limits: {cpu: "2", memory: 1Gi}}}]
status: {phase: Succeeded}
---
apiVersion: v1
kind: Pod
metadata: {name: running, namespace: team, uid: "2"}
spec:
  priorityClassName: batch
  containers: [{name: c, image: x, resources: {requests: {cpu: "1", memory: 256Mi, nvidia.com/gpu: "1"}, limits: {cpu: "1", memory: 1Gi, nvidia.com/gpu: "1"}}}]
status: {phase: Running}
`

func ledger(t *testing.T) *quota.Ledger { return ledgerOf(t, namespaceState) }

// ledgerOf builds a Ledger over the objects of state (YAML).
func ledgerOf(t *testing.T, state string) *quota.Ledger {
	t.Helper()
	loader, err := governance.NewLoader()
	require.NoError(t, err)
	inv, err := loader.LoadBytes("state.yaml", []byte(state))
	require.NoError(t, err)
	l, err := quota.NewLedger(inv, quota.Options{Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
	require.NoError(t, err)
	return l
}

func TestAdmit(t *testing.T) {
	l := ledger(t)
	for _, tc := range []struct {
		name, ns, pod string
		admitted      bool
		stage         quota.Stage
		message       string
	}{
		{"max alone becomes the default limit and request", "lr", `{containers: [{name: a, image: x, resources: {requests: {memory: 128Mi}, limits: {memory: 256Mi}}}], priorityClassName: batch}`,
			true, "", ""},
		{"request above the max-derived default limit", "lr", `{containers: [{name: a, image: x, resources: {requests: {cpu: "3", memory: 128Mi}}}], priorityClassName: batch}`,
			false, quota.StageValidation, `Pod "p" is invalid: spec.containers[0].resources.requests: Invalid value: "3": must be less than or equal to cpu limit of 2`},
		{"container min", "lr", `{containers: [{name: a, image: x, resources: {requests: {memory: 32Mi}, limits: {memory: 64Mi}}}], priorityClassName: batch}`,
			false, quota.StageLimitRanger, `pods "p" is forbidden: minimum memory usage per Container is 64Mi, but request is 32Mi`},
		{"ratio", "lr", `{containers: [{name: a, image: x, resources: {requests: {memory: 64Mi}, limits: {memory: 512Mi}}}], priorityClassName: batch}`,
			false, quota.StageLimitRanger, `pods "p" is forbidden: memory max limit to request ratio per Container is 4, but provided ratio is 8.000000`},
		{"pod max over two containers", "lr", `{containers: [{name: a, image: x, resources: {limits: {cpu: "2", memory: 128Mi}}}, {name: b, image: x, resources: {limits: {cpu: "2", memory: 128Mi}}}], priorityClassName: batch}`,
			false, quota.StageLimitRanger, `pods "p" is forbidden: maximum cpu usage per Pod is 3, but limit is 4`},
		{"gpu request without limit", "team", `{containers: [{name: a, image: x, resources: {requests: {nvidia.com/gpu: "1", memory: 128Mi}}}], priorityClassName: batch}`,
			false, quota.StageValidation, `Pod "p" is invalid: spec.containers[0].resources.limits: Required value: Limit must be set for non overcommitable resources`},
		{"fractional gpu", "team", `{containers: [{name: a, image: x, resources: {limits: {nvidia.com/gpu: 500m, memory: 128Mi}}}], priorityClassName: batch}`,
			false, quota.StageValidation, `Pod "p" is invalid: [spec.containers[0].resources.limits[nvidia.com/gpu]: Invalid value: "500m": must be an integer, spec.containers[0].resources.requests[nvidia.com/gpu]: Invalid value: "500m": must be an integer]`},
		{"gpu quota exceeded", "team", `{containers: [{name: a, image: x, resources: {limits: {nvidia.com/gpu: "2"}}}], priorityClassName: batch}`,
			false, quota.StageResourceQuota, `pods "p" is forbidden: exceeded quota: gpus, requested: requests.nvidia.com/gpu=2, used: requests.nvidia.com/gpu=1, limited: requests.nvidia.com/gpu=2`},
		{"NotIn matches a pod without a priority class", "team", `{containers: [{name: a, image: x, resources: {requests: {cpu: 100m}, limits: {memory: 128Mi}}}]}`,
			true, "", ""},
		{"terminal pod is not charged: 1 of 3 pods used, cpu 1 of 4", "team", `{containers: [{name: a, image: x, resources: {requests: {cpu: "1500m", memory: 128Mi}, limits: {memory: 128Mi}}}, {name: b, image: x, resources: {requests: {cpu: "1500m", memory: 128Mi}, limits: {memory: 128Mi}}}], priorityClassName: batch}`,
			true, "", ""},
		{"overhead counts for requests.cpu", "team", `{runtimeClassName: kata, containers: [{name: a, image: x, resources: {requests: {cpu: "1500m", memory: 128Mi}, limits: {memory: 128Mi}}}, {name: b, image: x, resources: {requests: {cpu: "1500m", memory: 128Mi}, limits: {memory: 128Mi}}}], priorityClassName: batch}`,
			false, quota.StageResourceQuota, `pods "p" is forbidden: exceeded quota: compute, requested: requests.cpu=3250m, used: requests.cpu=1, limited: requests.cpu=4`},
		{"unknown runtime class", "team", `{runtimeClassName: gvisor, containers: [{name: a, image: x}]}`,
			false, quota.StageValidation, `pods "p" is forbidden: pod rejected: RuntimeClass "gvisor" not found`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := l.Admit(podIn(t, tc.ns, tc.pod))
			assert.Equal(t, tc.admitted, res.Admitted, res.Message)
			assert.Equal(t, tc.stage, res.Stage)
			assert.Equal(t, tc.message, res.Message)
		})
	}
}

func podFrom(t *testing.T, spec string) *corev1.Pod { return podIn(t, "team", spec) }

func podIn(t *testing.T, ns, spec string) *corev1.Pod {
	t.Helper()
	loader, err := governance.NewLoader()
	require.NoError(t, err)
	objs, err := loader.Decode("pod.yaml", []byte("apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: "+ns+"}\nspec: "+spec+"\n"))
	require.NoError(t, err)
	inv, err := governance.NewInventory(objs)
	require.NoError(t, err)
	return inv.Workloads()[0].Pod
}

func TestPriorityClassNotInMatchesPodsWithoutOne(t *testing.T) {
	res := ledger(t).Admit(podFrom(t, `{containers: [{name: a, image: x, resources: {requests: {cpu: 100m}, limits: {memory: 128Mi}}}]}`))
	require.Len(t, res.Quotas, 3)
	assert.Equal(t, "high", res.Quotas[2].Name)
	assert.True(t, res.Quotas[2].Matches)
	assert.Equal(t, "1", func() string { q := res.Quotas[2].UsedAfter["pods"]; return q.String() }())
}

func TestMustSpecify(t *testing.T) {
	l := ledger(t)
	// A GPU-only pod is BestEffort: NotBestEffort "compute" does not match it,
	// but a memory request makes it Burstable and compute's limits.memory
	// then needs every container to state it.
	res := l.Admit(podFrom(t, `{containers: [{name: a, image: x, resources: {limits: {nvidia.com/gpu: "1"}}}], priorityClassName: batch}`))
	assert.True(t, res.Admitted, res.Message)
	assert.False(t, res.Quotas[0].Matches, "compute: a GPU-only pod is BestEffort")
	res = l.Admit(podFrom(t, `{initContainers: [{name: init, image: x}], containers: [{name: a, image: x, resources: {requests: {memory: 128Mi}}}], priorityClassName: batch}`))
	assert.Equal(t, `pods "p" is forbidden: failed quota: compute: must specify limits.memory for: a,init; requests.cpu for: a,init`, res.Message)
}

func TestFit(t *testing.T) {
	l := ledger(t)
	fit := l.Fit(podFrom(t, `{containers: [{name: a, image: x, resources: {requests: {cpu: "1", memory: 128Mi}, limits: {memory: 512Mi}}}], priorityClassName: batch}`))
	// requests.cpu: (4-1)/1 = 3; limits.memory: (4Gi-1Gi)/512Mi = 6; pods: (3-1)/1 = 2.
	assert.Equal(t, int64(2), fit.Fit)
	assert.Equal(t, []string{"pods"}, fit.BindingKeys())
	fit = l.Fit(podFrom(t, `{containers: [{name: a, image: x, resources: {limits: {nvidia.com/gpu: "2"}}}], priorityClassName: batch}`))
	assert.Equal(t, int64(0), fit.Fit)
	assert.Equal(t, []string{"requests.nvidia.com/gpu"}, fit.BindingKeys())
}

func TestAdmitJSONGolden(t *testing.T) {
	l := ledger(t)
	res := l.Admit(podFrom(t, `{runtimeClassName: kata, initContainers: [{name: init, image: x, resources: {requests: {cpu: "2", memory: 128Mi}, limits: {memory: 128Mi}}}], containers: [{name: a, image: x, resources: {limits: {nvidia.com/gpu: "1", memory: 256Mi}}}], priorityClassName: batch}`))
	got, err := json.MarshalIndent(res, "", "  ")
	require.NoError(t, err)
	golden.Assert(t, filepath.Join("testdata", "admit.golden.json"), append(got, '\n'))
}

// Of two global default PriorityClasses the apiserver gives pods the one of
// lowest value (getDefaultPriorityClass), whatever the names; a quota scoped
// to that class then charges pods that name none.
func TestDefaultPriorityClassIsTheLowestValue(t *testing.T) {
	const state = `
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: a-high}
value: 1000
globalDefault: true
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: z-low}
value: 10
globalDefault: true
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: lowest}
value: 1
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: low-pods, namespace: team}
spec:
  hard: {pods: "5"}
  scopeSelector:
    matchExpressions: [{scopeName: PriorityClass, operator: In, values: [z-low]}]
`
	res := ledgerOf(t, state).Admit(podFrom(t, `{containers: [{name: a, image: x}]}`))
	require.True(t, res.Admitted, res.Message)
	require.Len(t, res.Quotas, 1)
	assert.True(t, res.Quotas[0].Matches, "the pod gets z-low, the global default of lowest value")
}
