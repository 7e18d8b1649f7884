package quota_test

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/internal/gen"
	"github.com/aigov/aigov/quota"
)

// benchInventory is 1,000 namespaces × 10 workloads × 10 pods = 100,000
// pods, each namespace with a ResourceQuota and a LimitRange.
func benchInventory(b *testing.B) *governance.Inventory {
	b.Helper()
	out := gen.Generate(gen.Options{Seed: 1, Namespaces: 1000, WorkloadsPerNamespace: 10, PodsPerWorkload: 10, GPUFraction: 0.3})
	objs := make([]*governance.Object, 0, len(out.Objects))
	for _, o := range out.Objects {
		gvk := o.GetObjectKind().GroupVersionKind()
		if gvk == (schema.GroupVersionKind{}) {
			b.Fatalf("generated object without apiVersion/kind: %T", o)
		}
		objs = append(objs, &governance.Object{Obj: o, GVK: gvk, Typed: true})
	}
	// internal/gen may emit two pods with the same random name suffix;
	// NewInventory keeps the first and reports the rest.
	inv, err := governance.NewInventory(objs)
	if inv == nil {
		b.Fatal(err)
	}
	return inv
}

func benchPod() *corev1.Pod {
	pod := &corev1.Pod{}
	pod.Name, pod.Namespace = "new", "team-500"
	pod.Spec.Containers = []corev1.Container{{Name: "serve", Image: "x", Resources: corev1.ResourceRequirements{
		Limits: corev1.ResourceList{"nvidia.com/gpu": q("1"), corev1.ResourceCPU: q("2"), corev1.ResourceMemory: q("8Gi")}}}}
	governance.CopyLimitsToRequests(&pod.Spec)
	return pod
}

func BenchmarkNewLedger(b *testing.B) {
	inv := benchInventory(b)
	inv.Workloads()
	b.ResetTimer()
	for b.Loop() {
		if _, err := quota.NewLedger(inv, quota.Options{Now: time.Unix(0, 0)}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAdmit(b *testing.B) {
	l, err := quota.NewLedger(benchInventory(b), quota.Options{Now: time.Unix(0, 0)})
	if err != nil {
		b.Fatal(err)
	}
	pod := benchPod()
	if r := l.Admit(pod); len(r.Quotas) != 1 {
		b.Fatalf("want one quota in team-500, got %d", len(r.Quotas))
	}
	b.ResetTimer()
	for b.Loop() {
		l.Admit(pod)
	}
}

func BenchmarkFit(b *testing.B) {
	l, err := quota.NewLedger(benchInventory(b), quota.Options{Now: time.Unix(0, 0)})
	if err != nil {
		b.Fatal(err)
	}
	pod := benchPod()
	b.ResetTimer()
	for b.Loop() {
		l.Fit(pod)
	}
}

// BenchmarkAdmitAdmitted admits (in the first namespace with room for
// it) a small pod that every matching quota accepts: the verdict then
// includes each quota's used-after list.
func BenchmarkAdmitAdmitted(b *testing.B) {
	l, err := quota.NewLedger(benchInventory(b), quota.Options{Now: time.Unix(0, 0)})
	if err != nil {
		b.Fatal(err)
	}
	pod := &corev1.Pod{}
	pod.Name = "small"
	pod.Spec.Containers = []corev1.Container{{Name: "serve", Image: "x", Resources: corev1.ResourceRequirements{
		Limits: corev1.ResourceList{corev1.ResourceCPU: q("100m"), corev1.ResourceMemory: q("128Mi")}}}}
	governance.CopyLimitsToRequests(&pod.Spec)
	for _, ns := range l.Namespaces() {
		pod.Namespace = ns
		if r := l.Admit(pod); r.Admitted && len(r.Quotas) == 1 && r.Quotas[0].Matches {
			b.ResetTimer()
			for b.Loop() {
				l.Admit(pod)
			}
			return
		}
	}
	b.Fatal("no namespace admits the pod")
}
