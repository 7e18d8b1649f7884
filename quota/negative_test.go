package quota_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	resourcev1 "k8s.io/api/resource/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/aigov/aigov/quota"
)

// negativeState is a 4-GPU quota in namespace team whose inventory holds
// objects with negative quantities, each of which the apiserver refuses:
// a manifest Pod, a Deployment template, a Pod read back from a cluster,
// a ResourceClaim and a PVC. None may lower the usage.
const negativeState = `
apiVersion: v1
kind: ResourceQuota
metadata: {name: gpus, namespace: team}
spec:
  hard: {requests.nvidia.com/gpu: "4", pods: "10", requests.cpu: "4", count/resourceclaims.resource.k8s.io: "5", gpu.deviceclass.resource.k8s.io/devices: "4", requests.storage: 10Gi, persistentvolumeclaims: "5"}
---
apiVersion: v1
kind: Pod
metadata: {name: neg, namespace: team}
spec:
  containers: [{name: c, image: x, resources: {limits: {nvidia.com/gpu: "-2"}}}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: negdep, namespace: team}
spec:
  replicas: 3
  selector: {matchLabels: {app: negdep}}
  template:
    metadata: {labels: {app: negdep}}
    spec:
      containers: [{name: c, image: x, resources: {requests: {cpu: "-1"}}}]
---
apiVersion: v1
kind: Pod
metadata: {name: stored, namespace: team, uid: "9"}
spec:
  initContainers: [{name: i, image: x, resources: {limits: {nvidia.com/gpu: "-8"}, requests: {nvidia.com/gpu: "-8"}}}]
  containers: [{name: c, image: x}]
status: {phase: Running}
---
apiVersion: resource.k8s.io/v1
kind: ResourceClaim
metadata: {name: negclaim, namespace: team}
spec:
  devices:
    requests:
    - {name: r, exactly: {deviceClassName: gpu, allocationMode: ExactCount, count: -3}}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: negpvc, namespace: team}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: -5Gi}}
---
apiVersion: v1
kind: Pod
metadata: {name: one, namespace: team}
spec:
  containers: [{name: c, image: x, resources: {limits: {nvidia.com/gpu: "1", cpu: "1"}}}]
`

func TestNegativeQuantitiesAreNotCharged(t *testing.T) {
	l := ledgerOf(t, negativeState)
	st := l.Status()
	require.Len(t, st, 1)
	used := quota.Strings(st[0].Used)
	assert.Equal(t, map[string]string{
		"requests.nvidia.com/gpu": "1", "pods": "1", "requests.cpu": "1",
		"count/resourceclaims.resource.k8s.io": "0", "gpu.deviceclass.resource.k8s.io/devices": "0",
		"requests.storage": "0", "persistentvolumeclaims": "0",
	}, used, "only pod one is charged")
}

func TestNegativeAdmit(t *testing.T) {
	l := ledgerOf(t, negativeState)
	for _, tc := range []struct {
		name, pod string
		admitted  bool
		stage     quota.Stage
		message   string
	}{
		{"5 GPUs into a 4-GPU quota with a negative pod in the inventory", `{containers: [{name: a, image: x, resources: {requests: {cpu: 100m}, limits: {nvidia.com/gpu: "5"}}}]}`,
			false, quota.StageResourceQuota, `pods "p" is forbidden: exceeded quota: gpus, requested: requests.nvidia.com/gpu=5, used: requests.nvidia.com/gpu=1, limited: requests.nvidia.com/gpu=4`},
		{"4 GPUs: 1 used, 3 left", `{containers: [{name: a, image: x, resources: {requests: {cpu: 100m}, limits: {nvidia.com/gpu: "4"}}}]}`,
			false, quota.StageResourceQuota, `pods "p" is forbidden: exceeded quota: gpus, requested: requests.nvidia.com/gpu=4, used: requests.nvidia.com/gpu=1, limited: requests.nvidia.com/gpu=4`},
		{"3 GPUs fit", `{containers: [{name: a, image: x, resources: {requests: {cpu: 100m}, limits: {nvidia.com/gpu: "3"}}}]}`, true, "", ""},
		{"negative container limit", `{containers: [{name: a, image: x, resources: {limits: {nvidia.com/gpu: "-2"}}}]}`,
			false, quota.StageValidation, `Pod "p" is invalid: [spec.containers[0].resources.limits[nvidia.com/gpu]: Invalid value: "-2": must be greater than or equal to 0, spec.containers[0].resources.requests[nvidia.com/gpu]: Invalid value: "-2": must be greater than or equal to 0]`},
		{"negative init container request", `{initContainers: [{name: i, image: x, resources: {requests: {cpu: "-100m"}}}], containers: [{name: a, image: x}]}`,
			false, quota.StageValidation, `Pod "p" is invalid: spec.initContainers[0].resources.requests[cpu]: Invalid value: "-100m": must be greater than or equal to 0`},
		{"negative pod-level request", `{resources: {requests: {cpu: "-1"}, limits: {cpu: "1"}}, containers: [{name: a, image: x}]}`,
			false, quota.StageValidation, `Pod "p" is invalid: spec.resources.requests[cpu]: Invalid value: "-1": must be greater than or equal to 0`},
		{"negative pod-level limit", `{resources: {requests: {memory: 1Gi}, limits: {memory: "-1Gi"}}, containers: [{name: a, image: x}]}`,
			false, quota.StageValidation, `Pod "p" is invalid: [spec.resources.limits[memory]: Invalid value: "-1Gi": must be greater than or equal to 0, spec.resources.requests: Invalid value: "1Gi": must be less than or equal to memory limit of -1Gi]`},
		{"pod-level GPUs are not supported", `{resources: {limits: {nvidia.com/gpu: "1"}, requests: {nvidia.com/gpu: "1"}}, containers: [{name: a, image: x}]}`,
			false, quota.StageValidation, `Pod "p" is invalid: [spec.resources.limits[nvidia.com/gpu]: Unsupported value: "nvidia.com/gpu": supported values: "cpu", "hugepages-", "memory", spec.resources.requests[nvidia.com/gpu]: Unsupported value: "nvidia.com/gpu": supported values: "cpu", "hugepages-", "memory"]`},
		{"negative overhead without a RuntimeClass: validation first", `{overhead: {cpu: "-1"}, containers: [{name: a, image: x}]}`,
			false, quota.StageValidation, `Pod "p" is invalid: spec.overhead.limits[cpu]: Invalid value: "-1": must be greater than or equal to 0`},
		{"overhead without a RuntimeClass", `{overhead: {cpu: "1"}, containers: [{name: a, image: x}]}`,
			false, quota.StageValidation, `pods "p" is forbidden: pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := l.Admit(podFrom(t, tc.pod))
			assert.Equal(t, tc.admitted, res.Admitted, res.Message)
			assert.Equal(t, tc.stage, res.Stage)
			assert.Equal(t, tc.message, res.Message)
		})
	}
}

func TestNegativeFit(t *testing.T) {
	l := ledgerOf(t, negativeState)
	for _, tc := range []struct {
		name, pod string
		fit       int64
		binding   []string
	}{
		{"one GPU: 3 left, not 3 + the negative pods' 10", `{containers: [{name: a, image: x, resources: {requests: {cpu: 100m}, limits: {nvidia.com/gpu: "1"}}}]}`, 3, []string{"requests.nvidia.com/gpu"}},
		{"five GPUs: none", `{containers: [{name: a, image: x, resources: {requests: {cpu: 100m}, limits: {nvidia.com/gpu: "5"}}}]}`, 0, []string{"requests.nvidia.com/gpu"}},
		{"a negative pod fits nowhere, never unboundedly", `{containers: [{name: a, image: x, resources: {limits: {nvidia.com/gpu: "-1"}}}]}`, 0, nil},
		{"a negative pod-level request fits nowhere", `{resources: {requests: {cpu: "-1"}, limits: {cpu: "1"}}, containers: [{name: a, image: x}]}`, 0, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fit := l.Fit(podFrom(t, tc.pod))
			assert.Equal(t, tc.fit, fit.Fit)
			if tc.binding == nil {
				assert.Empty(t, fit.BindingKeys())
				assert.Equal(t, quota.StageValidation, fit.Admission.Stage)
			} else {
				assert.Equal(t, tc.binding, fit.BindingKeys())
			}
		})
	}
}

func TestNegativeGPUs(t *testing.T) {
	rep := ledgerOf(t, negativeState).GPUs()
	require.Len(t, rep.Teams, 1)
	var got []quota.GPUUsage
	for _, r := range rep.Teams[0].Resources {
		if r.Resource == "nvidia.com/gpu" {
			got = append(got, r)
		}
	}
	assert.Equal(t, []quota.GPUUsage{{Resource: "nvidia.com/gpu", Quota: "4", Used: "1", Free: "3", Requested: "1"}}, got)
}

// A quota read from a cluster whose status the apiserver could not hold
// (negative used) is charged from the inventory instead.
func TestNegativeQuotaStatusIgnored(t *testing.T) {
	l := ledgerOf(t, `
apiVersion: v1
kind: ResourceQuota
metadata: {name: gpus, namespace: team, uid: q1}
spec: {hard: {requests.nvidia.com/gpu: "4"}}
status: {hard: {requests.nvidia.com/gpu: "4"}, used: {requests.nvidia.com/gpu: "-6"}}
---
apiVersion: v1
kind: Pod
metadata: {name: one, namespace: team, uid: p1}
spec:
  containers: [{name: c, image: x, resources: {limits: {nvidia.com/gpu: "2"}, requests: {nvidia.com/gpu: "2"}}}]
status: {phase: Running}
`)
	st := l.Status()
	require.Len(t, st, 1)
	assert.Equal(t, "computed", st[0].Source)
	assert.Equal(t, map[string]string{"requests.nvidia.com/gpu": "2"}, quota.Strings(st[0].Used))
	res := l.Admit(podFrom(t, `{containers: [{name: a, image: x, resources: {requests: {cpu: 100m}, limits: {nvidia.com/gpu: "3"}}}]}`))
	assert.False(t, res.Admitted)
	assert.Equal(t, quota.StageResourceQuota, res.Stage)
}

// A negative ResourceQuota hard value is refused: the quota is left out of
// admission, as every refused quota is.
func TestNegativeQuotaHardRefused(t *testing.T) {
	l := ledgerOf(t, `
apiVersion: v1
kind: ResourceQuota
metadata: {name: gpus, namespace: team}
spec: {hard: {requests.nvidia.com/gpu: "-1"}}
`)
	assert.Empty(t, l.Status())
	rq := &corev1.ResourceQuota{ObjectMeta: metav1.ObjectMeta{Name: "gpus"}, Spec: corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{"requests.nvidia.com/gpu": resource.MustParse("-1")}}}
	assert.Equal(t, `ResourceQuota "gpus" is invalid: spec.hard[requests.nvidia.com/gpu]: Invalid value: "-1": must be greater than or equal to 0`, quota.RefusalMessage(rq))
	res := l.Admit(podFrom(t, `{containers: [{name: a, image: x, resources: {limits: {nvidia.com/gpu: "8"}}}]}`))
	assert.True(t, res.Admitted, res.Message)
	assert.Empty(t, res.Quotas)
}

// A LimitRange with a negative default is stored; a manifest pod that
// takes the default is refused, so it is not charged, and Admit refuses
// it at validation.
func TestNegativeLimitRangeDefault(t *testing.T) {
	l := ledgerOf(t, `
apiVersion: v1
kind: LimitRange
metadata: {name: lr, namespace: team}
spec:
  limits:
  - {type: Container, defaultRequest: {cpu: "-500m"}}
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: cpu, namespace: team}
spec: {hard: {requests.cpu: "2"}}
---
apiVersion: v1
kind: Pod
metadata: {name: takes-default, namespace: team}
spec:
  containers: [{name: c, image: x}]
---
apiVersion: v1
kind: Pod
metadata: {name: states-cpu, namespace: team}
spec:
  containers: [{name: c, image: x, resources: {requests: {cpu: "1"}}}]
`)
	st := l.Status()
	require.Len(t, st, 1)
	assert.Equal(t, map[string]string{"requests.cpu": "1"}, quota.Strings(st[0].Used))
	res := l.Admit(podFrom(t, `{containers: [{name: a, image: x}]}`))
	assert.Equal(t, quota.StageValidation, res.Stage)
	assert.Equal(t, `Pod "p" is invalid: spec.containers[0].resources.requests[cpu]: Invalid value: "-500m": must be greater than or equal to 0`, res.Message)
	res = l.Admit(podFrom(t, `{containers: [{name: a, image: x, resources: {requests: {cpu: "1"}}}]}`))
	assert.True(t, res.Admitted, res.Message)
}

func TestNegativeAdmitObject(t *testing.T) {
	l := ledgerOf(t, negativeState)
	exact := func(count int64, mode resourcev1.DeviceAllocationMode) *resourcev1.ResourceClaim {
		return &resourcev1.ResourceClaim{ObjectMeta: metav1.ObjectMeta{Name: "c", Namespace: "team"},
			Spec: resourcev1.ResourceClaimSpec{Devices: resourcev1.DeviceClaim{Requests: []resourcev1.DeviceRequest{{Name: "r",
				Exactly: &resourcev1.ExactDeviceRequest{DeviceClassName: "gpu", AllocationMode: mode, Count: count}}}}}}
	}
	alt := exact(0, "")
	alt.Spec.Devices.Requests[0].Exactly = nil
	alt.Spec.Devices.Requests[0].FirstAvailable = []resourcev1.DeviceSubRequest{
		{Name: "a", DeviceClassName: "gpu", Count: 2}, {Name: "b", DeviceClassName: "gpu", Count: -1}}
	pvc := func(storage string) *corev1.PersistentVolumeClaim {
		return &corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Name: "v", Namespace: "team"},
			Spec: corev1.PersistentVolumeClaimSpec{AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
				Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse(storage)}}}}
	}
	for _, tc := range []struct {
		name     string
		obj      interface{ GetName() string }
		admitted bool
		stage    quota.Stage
		message  string
	}{
		{"negative exact count", exact(-3, resourcev1.DeviceAllocationModeExactCount), false, quota.StageValidation,
			`ResourceClaim.resource.k8s.io "c" is invalid: spec.devices.requests[0].exactly.count: Invalid value: -3: must be greater than zero`},
		{"negative count, mode defaulted", exact(-1, ""), false, quota.StageValidation,
			`ResourceClaim.resource.k8s.io "c" is invalid: spec.devices.requests[0].exactly.count: Invalid value: -1: must be greater than zero`},
		{"count with All", exact(-2, resourcev1.DeviceAllocationModeAll), false, quota.StageValidation,
			`ResourceClaim.resource.k8s.io "c" is invalid: spec.devices.requests[0].exactly.count: Invalid value: -2: must not be specified when allocationMode is 'All'`},
		{"negative alternative", alt, false, quota.StageValidation,
			`ResourceClaim.resource.k8s.io "c" is invalid: spec.devices.requests[0].firstAvailable[1].count: Invalid value: -1: must be greater than zero`},
		{"4 devices fit", exact(4, resourcev1.DeviceAllocationModeExactCount), true, "", ""},
		{"5 devices do not: the negative claim did not lower the use", exact(5, resourcev1.DeviceAllocationModeExactCount), false, quota.StageResourceQuota,
			`resourceclaims.resource.k8s.io "c" is forbidden: exceeded quota: gpus, requested: gpu.deviceclass.resource.k8s.io/devices=5, used: gpu.deviceclass.resource.k8s.io/devices=0, limited: gpu.deviceclass.resource.k8s.io/devices=4`},
		{"negative storage", pvc("-1Gi"), false, quota.StageValidation,
			`PersistentVolumeClaim "v" is invalid: spec.resources[storage]: Invalid value: "-1Gi": must be greater than zero`},
		{"zero storage", pvc("0"), false, quota.StageValidation,
			`PersistentVolumeClaim "v" is invalid: spec.resources[storage]: Invalid value: "0": must be greater than zero`},
		{"10Gi fit: the negative PVC did not lower the use", pvc("10Gi"), true, "", ""},
		{"11Gi do not", pvc("11Gi"), false, quota.StageResourceQuota,
			`persistentvolumeclaims "v" is forbidden: exceeded quota: gpus, requested: requests.storage=11Gi, used: requests.storage=0, limited: requests.storage=10Gi`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var res quota.Result
			switch o := tc.obj.(type) {
			case *resourcev1.ResourceClaim:
				res = l.AdmitObject(o)
			case *corev1.PersistentVolumeClaim:
				res = l.AdmitObject(o)
			}
			assert.Equal(t, tc.admitted, res.Admitted, res.Message)
			assert.Equal(t, tc.stage, res.Stage)
			assert.Equal(t, tc.message, res.Message)
		})
	}
}

func TestClaimUsageNeverNegative(t *testing.T) {
	c := claim("c", "gpu", -3)
	assert.Equal(t, map[string]string{"count/resourceclaims.resource.k8s.io": "1", "gpu.deviceclass.resource.k8s.io/devices": "0"}, quota.Strings(quota.ClaimUsage(c)))
}

func TestInvalidResourceQuantity(t *testing.T) {
	runLintCases(t, quota.InvalidResourceQuantity(), []lintCase{
		{name: "pass: non-negative", manifest: lintDeploy(`{limits: {nvidia.com/gpu: 2, cpu: "0"}}`)},
		{name: "negative GPU limit in a Deployment", manifest: lintDeploy(`{limits: {nvidia.com/gpu: -2}}`), want: []string{
			`Deployment/train spec.template.spec.containers[0].resources.limits[nvidia.com/gpu]: Deployment/train: container t limits[nvidia.com/gpu] is -2; the apiserver refuses the Deployment: spec.template.spec.containers[0].resources.limits[nvidia.com/gpu]: Invalid value: "-2": must be greater than or equal to 0`,
		}},
		{name: "negative init container request in a Pod", manifest: lintPod(`{requests: {memory: -1Gi}}`), want: []string{
			`Pod/p spec.initContainers[0].resources.requests[memory]: Pod/p: init container init requests[memory] is -1Gi; the apiserver refuses the Pod: spec.initContainers[0].resources.requests[memory]: Invalid value: "-1Gi": must be greater than or equal to 0`,
		}},
		{name: "negative pod-level request and overhead", manifest: "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: ml}\nspec:\n  resources: {requests: {cpu: \"-1\"}}\n  overhead: {memory: -1Mi}\n  containers: [{name: c, image: x}]\n", want: []string{
			`Pod/p spec.overhead.limits[memory]: Pod/p: overhead limits[memory] is -1Mi; the apiserver refuses the Pod: spec.overhead.limits[memory]: Invalid value: "-1Mi": must be greater than or equal to 0`,
			`Pod/p spec.resources.requests[cpu]: Pod/p: pod-level resources requests[cpu] is -1; the apiserver refuses the Pod: spec.resources.requests[cpu]: Invalid value: "-1": must be greater than or equal to 0`,
		}},
		{name: "negative claim count", manifest: "apiVersion: resource.k8s.io/v1\nkind: ResourceClaim\nmetadata: {name: c, namespace: ml}\nspec:\n  devices:\n    requests: [{name: r, exactly: {deviceClassName: gpu, count: -1}}]\n", want: []string{
			`ResourceClaim/c spec.devices.requests[0].exactly.count: ResourceClaim/c: exactly.count is -1; the apiserver refuses the object: spec.devices.requests[0].exactly.count: Invalid value: -1: must be greater than zero`,
		}},
		{name: "negative claim template count", manifest: "apiVersion: resource.k8s.io/v1\nkind: ResourceClaimTemplate\nmetadata: {name: t, namespace: ml}\nspec:\n  spec:\n    devices:\n      requests: [{name: r, firstAvailable: [{name: a, deviceClassName: gpu, count: -4}]}]\n", want: []string{
			`ResourceClaimTemplate/t spec.spec.devices.requests[0].firstAvailable[0].count: ResourceClaimTemplate/t: firstAvailable[0].count is -4; the apiserver refuses the object: spec.spec.devices.requests[0].firstAvailable[0].count: Invalid value: -4: must be greater than zero`,
		}},
		{name: "negative PVC storage", manifest: "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: v, namespace: ml}\nspec:\n  accessModes: [ReadWriteOnce]\n  resources: {requests: {storage: -1Gi}}\n", want: []string{
			`PersistentVolumeClaim/v spec.resources[storage]: PersistentVolumeClaim/v: resources[storage] is -1Gi; the apiserver refuses the object: spec.resources[storage]: Invalid value: "-1Gi": must be greater than zero`,
		}},
		{name: "pass: PVC without storage is not a quantity", manifest: "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: v, namespace: ml}\nspec:\n  accessModes: [ReadWriteOnce]\n"},
		{name: "pass: a negative PVC min constrains nothing", manifest: lintLimitRange(`{type: PersistentVolumeClaim, min: {storage: -1Gi}}`)},
		{name: "a negative Container min is the defaultRequest (API default)", manifest: lintLimitRange(`{type: Container, min: {cpu: "-1"}}`), want: []string{
			`LimitRange/lr spec.limits[0].defaultRequest[cpu]: LimitRange/lr: Container defaultRequest cpu is -1: the apiserver stores the LimitRange, but refuses every pod with a container that does not state cpu: it gets the negative defaultRequest (must be greater than or equal to 0)`,
		}},
		{name: "negative LimitRange defaultRequest", manifest: lintLimitRange(`{type: Container, defaultRequest: {cpu: "-500m"}}`), want: []string{
			`LimitRange/lr spec.limits[0].defaultRequest[cpu]: LimitRange/lr: Container defaultRequest cpu is -500m: the apiserver stores the LimitRange, but refuses every pod with a container that does not state cpu: it gets the negative defaultRequest (must be greater than or equal to 0)`,
		}},
		{name: "negative LimitRange max and ratio", manifest: lintLimitRange(`{type: Pod, max: {nvidia.com/gpu: "-1"}, maxLimitRequestRatio: {cpu: "-2"}}`), want: []string{
			`LimitRange/lr spec.limits[0].maxLimitRequestRatio[cpu]: LimitRange/lr: maxLimitRequestRatio cpu is -2; the apiserver refuses the object: spec.limits[0].maxLimitRequestRatio[cpu]: Invalid value: "-2": ratio -2 is less than 1`,
			`LimitRange/lr spec.limits[0].max[nvidia.com/gpu]: LimitRange/lr: Pod max nvidia.com/gpu is -1: the apiserver stores the LimitRange, but refuses every pod of the namespace: no nvidia.com/gpu, stated or defaulted, is at most -1`,
		}},
	})
}
