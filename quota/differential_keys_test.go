package quota_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/aigov/aigov/internal/testenv"
	"github.com/aigov/aigov/quota"
)

// TestDifferentialQuotaValidation creates ResourceQuotas with random keys,
// quantities and scopes: the apiserver must refuse exactly those
// RefusalMessage refuses, with the same message.
func TestDifferentialQuotaValidation(t *testing.T) {
	env := testenv.Shared(t)
	cs := env.Client(t)
	ns := env.CreateNamespace(t, "quota-keys")
	rnd := rand.New(rand.NewPCG(42, 6))
	keys := []string{"cpu", "limits.gpu", "gpu", "requests.gpu", "nvidia.com/gpu", "limits.nvidia.com/gpu",
		"requests.nvidia.com/gpu", "requests.nvidia.com/mig-1g.10gb", "pods", "count/pods", "storage",
		"requests.storage", "ephemeral-storage", "limits.ephemeral-storage", "hugepages-2Mi",
		"count/deployments.apps", "fast.storageclass.storage.k8s.io/requests.storage", "services", "configmaps"}
	values := []string{"1", "2", "500m", "0", "-2"}
	scopes := []corev1.ResourceQuotaScope{"", "BestEffort", "NotBestEffort", "Terminating", "NotTerminating", "PriorityClass", "CrossNamespacePodAffinity"}
	stored, refused := 0, 0
	for i := 0; i < 80; i++ {
		rq := &corev1.ResourceQuota{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("rq%d", i)}, Spec: corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{}}}
		for j := 0; j < 1+rnd.IntN(2); j++ {
			rq.Spec.Hard[corev1.ResourceName(pick(rnd, keys...))] = q(pick(rnd, values...))
		}
		if s := pick(rnd, scopes...); s != "" {
			rq.Spec.Scopes = []corev1.ResourceQuotaScope{s}
		}
		want := quota.RefusalMessage(rq)
		_, err := cs.CoreV1().ResourceQuotas(ns).Create(context.Background(), rq, metav1.CreateOptions{})
		if err == nil {
			stored++
			if want != "" {
				t.Errorf("%v stored; RefusalMessage %q", rq.Spec, want)
			}
			continue
		}
		refused++
		require.True(t, apierrors.IsInvalid(err), "%v", err)
		if normalize(err.Error()) != normalize(want) {
			t.Errorf("%v\napiserver: %s\nours:      %s", rq.Spec, err, want)
		}
	}
	t.Logf("%d stored, %d refused", stored, refused)
	require.Positive(t, stored)
	require.Positive(t, refused)
}
