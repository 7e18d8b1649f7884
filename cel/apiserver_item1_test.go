package cel

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"

	"github.com/aigov/aigov/internal/testenv"
)

// item1ClusterScoped are the cluster-scoped kinds of the item-1 corpus.
var item1ClusterScoped = []string{"ClusterRole", "ClusterPolicy"}

// item1ServerVerdict creates (dry run) a case's object, in namespace ns
// unless its kind is cluster-scoped, and reports whether the apiserver
// refused it and whether a ValidatingAdmissionPolicy did.
func item1ServerVerdict(ctx context.Context, t *testing.T, dyn dynamic.Interface, ns string, lc loadedCase) (refused, byPolicy bool, msg string) {
	t.Helper()
	u := &unstructured.Unstructured{Object: deepCopyMap(lc.request)}
	var ri dynamic.ResourceInterface = dyn.Resource(guessResource(lc.obj.GVK))
	if !slices.Contains(item1ClusterScoped, lc.obj.GVK.Kind) {
		u.SetNamespace(ns)
		ri = dyn.Resource(guessResource(lc.obj.GVK)).Namespace(ns)
	}
	for attempt := 0; ; attempt++ {
		_, err := ri.Create(ctx, u, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		if err == nil {
			return false, false, ""
		}
		byPolicy := strings.Contains(err.Error(), "ValidatingAdmissionPolicy")
		// The ServiceAccount admission plugin may not see the namespace's
		// "default" yet.
		if !byPolicy && strings.Contains(err.Error(), "service account") && attempt < 50 {
			time.Sleep(100 * time.Millisecond)
			continue
		}
		return true, byPolicy, err.Error()
	}
}

// TestItem1APIServer applies the policy of each of the six checks to a
// real kube-apiserver v1.37.2 (which accepts it) and checks that it
// denies exactly the objects the Go check reports and the in-process
// evaluation denies, and admits the documented disagreements. The
// apiserver's own validation refuses every quota quota-invalid-key
// reports before admission policies run: there the policy is proven on
// the in-process evaluation, and the apiserver must refuse the same
// quotas for that reason.
func TestItem1APIServer(t *testing.T) {
	env := testenv.Shared(t)
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	if _, err := env.InstallCRDs(ctx, "testdata/kyverno-crds"); err != nil {
		t.Fatal(err)
	}
	runThreeWay(ctx, t, env, threeWayConfig{
		set:           "item1",
		corpus:        item1Corpus(t),
		disagreements: item1Disagreements(t),
		namespace:     func(label string) string { return "vap1-" + strings.TrimPrefix(label, "secret-") },
		// The apiserver's validation refuses what quota-invalid-key
		// denies, and admits what it passes.
		serverRefuses: func(checkID, _ string, goDenies bool) bool { return checkID == "quota-invalid-key" && goDenies },
	})
}
