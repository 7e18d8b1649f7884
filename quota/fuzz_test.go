package quota_test

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/quota"
)

// FuzzQuotaKey: a key is classified invalid exactly when a quota holding
// it (with a whole quantity) is refused for that key.
func FuzzQuotaKey(f *testing.F) {
	for _, s := range []string{"limits.gpu", "nvidia.com/gpu", "requests.nvidia.com/gpu", "count/pods", "storage", "a/b/c", "", "hugepages-2Mi"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, key string) {
		k := corev1.ResourceName(key)
		class, _, _ := quota.ClassifyKey(k)
		rq := &corev1.ResourceQuota{ObjectMeta: metav1.ObjectMeta{Name: "q"}, Spec: corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{k: resource.MustParse("1")}}}
		refused := quota.RefusalMessage(rq) != ""
		if refused != (class == quota.KeyInvalid) {
			t.Fatalf("key %q: class %s but refused=%v (%s)", key, class, refused, quota.RefusalMessage(rq))
		}
	})
}

// FuzzAdmit: any quantities give a verdict without panicking, and an
// admitted pod never leaves a matching quota above hard.
func FuzzAdmit(f *testing.F) {
	f.Add("500m", "1", "1", "2", "4")
	f.Add("1.5", "", "2", "1", "0")
	f.Add("-1", "1e3", "1", "1", "1")
	f.Fuzz(func(t *testing.T, reqCPU, limCPU, gpus, hardCPU, hardGPU string) {
		list := func(pairs ...string) corev1.ResourceList {
			out := corev1.ResourceList{}
			for i := 0; i+1 < len(pairs); i += 2 {
				if v, err := resource.ParseQuantity(pairs[i+1]); err == nil {
					out[corev1.ResourceName(pairs[i])] = v
				}
			}
			return out
		}
		rq := &corev1.ResourceQuota{ObjectMeta: metav1.ObjectMeta{Name: "q", Namespace: "ns"},
			Spec: corev1.ResourceQuotaSpec{Hard: list("requests.cpu", hardCPU, "requests.nvidia.com/gpu", hardGPU)}}
		inv, err := governance.NewInventory([]*governance.Object{{Obj: rq, GVK: corev1.SchemeGroupVersion.WithKind("ResourceQuota"), Typed: true}})
		if err != nil {
			t.Fatal(err)
		}
		l, err := quota.NewLedger(inv, quota.Options{Now: time.Unix(0, 0)})
		if err != nil {
			t.Fatal(err)
		}
		pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns"}, Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c",
			Resources: corev1.ResourceRequirements{Requests: list("cpu", reqCPU), Limits: list("cpu", limCPU, "nvidia.com/gpu", gpus)}}}}}
		res := l.Admit(pod)
		if !res.Admitted {
			if res.Message == "" {
				t.Fatal("rejected without a message")
			}
			return
		}
		for _, d := range res.Quotas {
			if !d.Matches {
				continue
			}
			for k, h := range d.Hard {
				charge := res.Usage[k]
				if u := d.UsedAfter[k]; u.Cmp(h) > 0 && charge.Sign() != 0 {
					t.Fatalf("admitted above hard: %s used %s hard %s", k, u.String(), h.String())
				}
			}
		}
		fit := l.Fit(pod)
		if fit.Fit == 0 {
			t.Fatalf("admitted pod has fit 0: %v", fit.BindingKeys())
		}
	})
}
