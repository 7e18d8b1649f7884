package quota_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	resourcev1 "k8s.io/api/resource/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/aigov/aigov/internal/testenv"
	"github.com/aigov/aigov/quota"
)

// TestDifferentialNegativeQuantities creates objects with negative
// quantities on the real apiserver next to a 4-GPU quota: pods (container,
// init container, pod-level and overhead values), ResourceClaims, PVCs,
// ResourceQuotas and a LimitRange with a negative default. Verdicts and
// messages must equal Admit's, AdmitObject's and RefusalMessage's, and the
// usage computed afterwards must equal status.used: nothing negative
// lowers it, so 5 GPUs stay refused.
func TestDifferentialNegativeQuantities(t *testing.T) {
	env := testenv.Shared(t)
	cs := env.Client(t)
	ctx := context.Background()
	cluster := clusterObjects(t, cs)
	ns := env.CreateNamespace(t, "quota-neg")
	_, err := env.WaitForServiceAccount(ctx, ns, "default")
	require.NoError(t, err)
	createQuota(t, cs, ns, &corev1.ResourceQuota{ObjectMeta: metav1.ObjectMeta{Name: "gpus"}, Spec: corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{
		"requests.nvidia.com/gpu": q("4"), corev1.ResourcePods: q("10"), corev1.ResourceRequestsStorage: q("10Gi"),
		"count/resourceclaims.resource.k8s.io": q("5"), "aigov-neg.deviceclass.resource.k8s.io/devices": q("4"),
	}}})

	// Pods, one by one.
	gpuPod := func(gpus string) corev1.PodSpec {
		return corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "registry.example/app:1",
			Resources: corev1.ResourceRequirements{Limits: corev1.ResourceList{gpu: q(gpus)}}}}}
	}
	plain := []corev1.Container{{Name: "c", Image: "registry.example/app:1"}}
	pods := []struct {
		desc string
		spec corev1.PodSpec
	}{
		{"container limit -2 GPUs", gpuPod("-2")},
		{"init container request -100m cpu", corev1.PodSpec{Containers: plain, InitContainers: []corev1.Container{{Name: "i", Image: "registry.example/app:1",
			Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: q("-100m")}}}}}},
		{"pod-level request -1 cpu", corev1.PodSpec{Containers: plain, Resources: &corev1.ResourceRequirements{
			Requests: corev1.ResourceList{corev1.ResourceCPU: q("-1")}, Limits: corev1.ResourceList{corev1.ResourceCPU: q("1")}}}},
		{"pod-level limit -1Gi memory", corev1.PodSpec{Containers: plain, Resources: &corev1.ResourceRequirements{
			Requests: corev1.ResourceList{corev1.ResourceMemory: q("1Gi")}, Limits: corev1.ResourceList{corev1.ResourceMemory: q("-1Gi")}}}},
		{"pod-level request below the containers' and negative", corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "registry.example/app:1",
			Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: q("100m")}, Limits: corev1.ResourceList{corev1.ResourceCPU: q("1")}}}},
			Resources: &corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: q("-1")}, Limits: corev1.ResourceList{corev1.ResourceCPU: q("2")}}}},
		{"pod-level GPUs", corev1.PodSpec{Containers: plain, Resources: &corev1.ResourceRequirements{Limits: corev1.ResourceList{gpu: q("1")}}}},
		{"overhead -1 cpu without a RuntimeClass", corev1.PodSpec{Containers: plain, Overhead: corev1.ResourceList{corev1.ResourceCPU: q("-1")}}},
		{"overhead without a RuntimeClass", corev1.PodSpec{Containers: plain, Overhead: corev1.ResourceList{corev1.ResourceCPU: q("1")}}},
		{"1 GPU", gpuPod("1")},
		{"5 GPUs", gpuPod("5")},
		{"4 GPUs", gpuPod("4")},
		{"3 GPUs", gpuPod("3")},
	}
	compared, admitted := 0, 0
	for i, p := range pods {
		pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("p%d", i), Namespace: ns}, Spec: p.spec}
		want := ledgerFor(t, cs, ns, cluster).Admit(pod)
		created, err := cs.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{})
		compared++
		if err != nil {
			require.True(t, apierrors.IsForbidden(err) || apierrors.IsInvalid(err), "unexpected error %v", err)
			if want.Admitted || !sameMessage(err.Error(), want) {
				t.Errorf("pod %s (%s)\napiserver: %v\nAdmit: admitted=%v %s %q", pod.Name, p.desc, err, want.Admitted, want.Stage, want.Message)
			}
			continue
		}
		admitted++
		if !want.Admitted {
			t.Errorf("pod %s (%s): apiserver admitted it; Admit: %s %q", pod.Name, p.desc, want.Stage, want.Message)
			continue
		}
		compareStored(t, created, want)
		compareUsed(t, ctx, cs, ns, want)
	}
	require.Equal(t, 2, admitted, "1 GPU and 3 GPUs")

	// ResourceClaims and PVCs.
	d := &objectDiff{t: t, cs: cs}
	claim := func(name string, mode resourcev1.DeviceAllocationMode, count int64) *resourcev1.ResourceClaim {
		return &resourcev1.ResourceClaim{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
			Spec: resourcev1.ResourceClaimSpec{Devices: resourcev1.DeviceClaim{Requests: []resourcev1.DeviceRequest{{Name: "r",
				Exactly: &resourcev1.ExactDeviceRequest{DeviceClassName: "aigov-neg", AllocationMode: mode, Count: count}}}}}}
	}
	alt := claim("alt", "", 0)
	alt.Spec.Devices.Requests[0].Exactly = nil
	alt.Spec.Devices.Requests[0].FirstAvailable = []resourcev1.DeviceSubRequest{
		{Name: "a", DeviceClassName: "aigov-neg", Count: 2}, {Name: "b", DeviceClassName: "aigov-neg", Count: -1}}
	for _, c := range []*resourcev1.ResourceClaim{
		claim("neg", resourcev1.DeviceAllocationModeExactCount, -3), claim("neg-default", "", -1),
		claim("all-count", resourcev1.DeviceAllocationModeAll, -2), alt,
		claim("five", resourcev1.DeviceAllocationModeExactCount, 5), claim("four", "", 4),
	} {
		d.run(ns, c.Name, claimString(c), c, func() error {
			_, err := cs.ResourceV1().ResourceClaims(ns).Create(ctx, c, metav1.CreateOptions{})
			return err
		})
	}
	for _, storage := range []string{"-1Gi", "0", "11Gi", "10Gi"} {
		pvc := &corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("v%d", d.compared), Namespace: ns}}
		pvc.Spec.AccessModes = []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce}
		pvc.Spec.Resources.Requests = corev1.ResourceList{corev1.ResourceStorage: q(storage)}
		d.run(ns, pvc.Name, "storage="+storage, pvc, func() error {
			_, err := cs.CoreV1().PersistentVolumeClaims(ns).Create(ctx, pvc, metav1.CreateOptions{})
			return err
		})
	}
	require.Equal(t, 2, d.admitted, "the 4-device claim and the 10Gi PVC")
	// Pods, claims and PVCs read back: computed usage equals status.used.
	d.computed(ns, time.Time{})

	// ResourceQuotas with negative values are refused.
	for i, hard := range []corev1.ResourceList{
		{"requests.nvidia.com/gpu": q("-1")},
		{corev1.ResourceRequestsCPU: q("-500m"), corev1.ResourcePods: q("-2")},
	} {
		rq := &corev1.ResourceQuota{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("neg%d", i)}, Spec: corev1.ResourceQuotaSpec{Hard: hard}}
		want := quota.RefusalMessage(rq)
		require.NotEmpty(t, want)
		_, err := cs.CoreV1().ResourceQuotas(ns).Create(ctx, rq, metav1.CreateOptions{})
		require.Error(t, err)
		require.True(t, apierrors.IsInvalid(err), "%v", err)
		if normalize(err.Error()) != normalize(want) {
			t.Errorf("quota %v\napiserver: %s\nours:      %s", hard, err, want)
		}
	}

	// A LimitRange with a negative default is stored; a pod that takes the
	// default is refused at validation, one that states it is admitted.
	lrNS := env.CreateNamespace(t, "quota-neg-lr")
	_, err = env.WaitForServiceAccount(ctx, lrNS, "default")
	require.NoError(t, err)
	_, err = cs.CoreV1().LimitRanges(lrNS).Create(ctx, &corev1.LimitRange{ObjectMeta: metav1.ObjectMeta{Name: "neg"},
		Spec: corev1.LimitRangeSpec{Limits: []corev1.LimitRangeItem{{Type: corev1.LimitTypeContainer,
			DefaultRequest: corev1.ResourceList{corev1.ResourceMemory: q("-64Mi")}}}}}, metav1.CreateOptions{})
	require.NoError(t, err, "the apiserver stores a LimitRange with a negative defaultRequest")
	for i, spec := range []corev1.PodSpec{
		{Containers: plain},
		{Containers: []corev1.Container{{Name: "c", Image: "registry.example/app:1", Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceMemory: q("64Mi")}}}}},
	} {
		pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("lr%d", i), Namespace: lrNS}, Spec: spec}
		want := ledgerFor(t, cs, lrNS, cluster).Admit(pod)
		_, err := cs.CoreV1().Pods(lrNS).Create(ctx, pod, metav1.CreateOptions{})
		switch {
		case err == nil && !want.Admitted:
			t.Errorf("pod %s: apiserver admitted it; Admit: %s %q", pod.Name, want.Stage, want.Message)
		case err != nil && (want.Admitted || !sameMessage(err.Error(), want)):
			t.Errorf("pod %s\napiserver: %v\nAdmit: admitted=%v %s %q", pod.Name, err, want.Admitted, want.Stage, want.Message)
		}
		if i == 0 {
			require.Error(t, err, "a pod taking the negative default is refused")
		}
	}
	t.Logf("%d pods and %d objects compared", compared, d.compared)
}
