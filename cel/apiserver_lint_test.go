package cel

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
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
	cs, dyn := env.Client(t), env.Dynamic(t)
	comp, loader := diffSetup(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	type run struct {
		dc       diffCheck
		disagree bool
	}
	var runs []run
	for _, dc := range lintCorpus(t) {
		runs = append(runs, run{dc, false})
	}
	for _, dc := range lintDisagreements(t) {
		runs = append(runs, run{dc, true})
	}
	for i, r := range runs {
		label := diffLabel(r.dc.entry)
		name := label
		if r.disagree {
			name += "-disagreements-" + string(rune('a'+i))
		}
		t.Run(name, func(t *testing.T) {
			ns := env.CreateNamespace(t, "vapl-"+strings.TrimPrefix(label, "rbac-"), map[string]string{diffNamespaceLabel: label})
			gs, err := comp.GenerateEntry("lint", diffEntry(r.dc.entry, label), testDefinitions())
			if err != nil {
				t.Fatal(err)
			}
			if len(gs) != 1 {
				t.Fatalf("%d policies, want 1", len(gs))
			}
			g := gs[0]
			// Each run binds its own policy: a name per run.
			g.Policy.Name += "-" + strings.ToLower(strings.ReplaceAll(name, label, "r"))
			g.Binding.Name, g.Binding.Spec.PolicyName = g.Policy.Name, g.Policy.Name
			adm, err := NewAdmission(Policies(gs))
			if err != nil {
				t.Fatal(err)
			}
			vap := cs.AdmissionregistrationV1()
			if _, err := vap.ValidatingAdmissionPolicies().Create(ctx, g.Policy, metav1.CreateOptions{}); err != nil {
				t.Fatalf("the apiserver refused the policy %s: %v", g.Policy.Name, err)
			}
			if _, err := vap.ValidatingAdmissionPolicyBindings().Create(ctx, g.Binding, metav1.CreateOptions{}); err != nil {
				t.Fatalf("the apiserver refused the binding %s: %v", g.Binding.Name, err)
			}
			t.Cleanup(func() {
				_ = vap.ValidatingAdmissionPolicyBindings().Delete(context.Background(), g.Binding.Name, metav1.DeleteOptions{})
				_ = vap.ValidatingAdmissionPolicies().Delete(context.Background(), g.Policy.Name, metav1.DeleteOptions{})
			})
			check := newGoCheck(t, r.dc.entry)
			cases := make([]loadedCase, len(r.dc.cases))
			for j, c := range r.dc.cases {
				cases[j] = loadCase(t, loader, c)
			}
			nsObj := namespaceObject(t, loader, diffNamespace("difftest", label))
			// Wait for the policy to take effect on an object the Go check
			// denies that only the policy refuses (none for
			// rbac-invalid-nonresourceurls and the disagreements).
			var bad *loadedCase
			for j := range cases {
				if d, _ := goVerdict(check, cases[j].obj, nsObj); d && !lintServerRefuses[cases[j].name] && !r.disagree {
					bad = &cases[j]
					break
				}
			}
			if bad != nil {
				deadline := time.Now().Add(30 * time.Second)
				for {
					if _, byPolicy, msg := item1ServerVerdict(ctx, t, dyn, ns, *bad); byPolicy && strings.Contains(msg, "'"+g.Policy.Name+"'") {
						break
					}
					if time.Now().After(deadline) {
						t.Fatalf("policy not in effect after 30s (object %s still admitted)", bad.name)
					}
					time.Sleep(200 * time.Millisecond)
				}
			}
			var byThePolicy int
			for _, lc := range cases {
				goDenies, why := goVerdict(check, lc.obj, nsObj)
				resp, err := adm.Admit(ctx, Request{Object: lc.obj.Obj, Namespaces: []*corev1.Namespace{diffNamespace("difftest", label)}})
				if err != nil {
					t.Fatal(err)
				}
				refused, byPolicy, msg := lintServerVerdict(ctx, t, dyn, ns, g.Policy.Name, lc)
				serverRefuses := lintServerRefuses[lc.name]
				switch {
				case r.disagree:
					if !goDenies || !resp.Allowed || refused != serverRefuses || byPolicy {
						t.Errorf("%s: want Go alone to deny (and the apiserver's validation to refuse: %v): Go denies=%v %v; in-process denies=%v (%s); apiserver refuses=%v (by a policy %v: %s)",
							lc.name, serverRefuses, goDenies, why, !resp.Allowed, resp.Message, refused, byPolicy, msg)
					}
				case serverRefuses:
					if !goDenies || resp.Allowed || !refused || byPolicy {
						t.Errorf("%s: want Go and the in-process policy to deny and the apiserver's validation to refuse: Go denies=%v %v; in-process denies=%v (%s); apiserver refuses=%v (by a policy %v: %s)",
							lc.name, goDenies, why, !resp.Allowed, resp.Message, refused, byPolicy, msg)
					}
				default:
					if refused && !byPolicy {
						t.Fatalf("%s: the apiserver refused the object for another reason: %s", lc.name, msg)
					}
					if goDenies != refused || goDenies == resp.Allowed {
						t.Errorf("%s: disagreement: Go denies=%v %v; in-process denies=%v (%s); apiserver denies=%v (%s)", lc.name, goDenies, why, !resp.Allowed, resp.Message, refused, msg)
					}
					if byPolicy {
						byThePolicy++
					}
				}
			}
			t.Logf("%d objects refused by the policy on the apiserver", byThePolicy)
		})
	}
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
