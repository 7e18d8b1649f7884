package cel

import (
	"context"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/dynamic"

	"github.com/aigov/aigov/internal/testenv"
)

// lintServerVerdict is item1ServerVerdict for the run whose policy is
// named policy: while a policy of an earlier run (deleted, but still
// loaded) refuses the object, it asks again, for up to 30 seconds.
func lintServerVerdict(ctx context.Context, t *testing.T, dyn dynamic.Interface, ns, policy string, lc loadedCase) (refused, byPolicy bool, msg string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		refused, byPolicy, msg = item1ServerVerdict(ctx, t, dyn, ns, lc)
		if !byPolicy || strings.Contains(msg, "'"+policy+"'") {
			return refused, byPolicy, msg
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: still refused by another run's policy after 30s: %s", lc.name, msg)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestLintAPIServer applies the policy of each of the six lint checks to
// a real kube-apiserver v1.37.2 (which accepts it) and checks, case by
// case, that the Go check, the in-process evaluation and the apiserver
// agree: the apiserver refuses, by the policy, exactly what the Go check
// denies, but for the objects its own validation refuses before
// admission policies run (lintServerRefuses: empty rules, misplaced
// nonResourceURLs, negative pod, template, claim and PVC quantities),
// which it must refuse for that reason; the objects beyond the size
// guards are admitted by the policy.
func TestLintAPIServer(t *testing.T) {
	env := testenv.Shared(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	runThreeWay(ctx, t, env, threeWayConfig{
		set:           "lint",
		corpus:        lintCorpus(t),
		disagreements: lintDisagreements(t),
		namespace:     func(label string) string { return "vapl-" + strings.TrimPrefix(label, "rbac-") },
		ownPolicy:     true,
		serverRefuses: func(_, caseName string, _ bool) bool { return lintServerRefuses[caseName] },
	})
}

// TestAuditPolicyNotServed pins audit-policy-lint's "no VAP" note: the
// kube-apiserver serves no audit.k8s.io API group, so no request for an
// audit Policy reaches admission (the policy is a file it reads at
// start).
func TestAuditPolicyNotServed(t *testing.T) {
	env := testenv.Shared(t)
	cs := env.Client(t)
	groups, err := cs.Discovery().ServerGroups()
	if err != nil {
		t.Fatal(err)
	}
	if len(groups.Groups) < 10 {
		t.Fatalf("discovery lists %d groups: not the kube-apiserver's", len(groups.Groups))
	}
	for _, g := range groups.Groups {
		if g.Name == "audit.k8s.io" {
			t.Fatalf("the apiserver serves audit.k8s.io (%v): audit-policy-lint's note is wrong", g.Versions)
		}
	}
	_, err = cs.Discovery().ServerResourcesForGroupVersion("audit.k8s.io/v1")
	if !apierrors.IsNotFound(err) {
		t.Fatalf("resources of audit.k8s.io/v1: %v, want not found", err)
	}
}
