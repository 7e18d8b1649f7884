package cel

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
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
	_, err := ri.Create(ctx, u, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
	if err == nil {
		return false, false, ""
	}
	return true, strings.Contains(err.Error(), "ValidatingAdmissionPolicy"), err.Error()
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
	cs, dyn := env.Client(t), env.Dynamic(t)
	comp, loader := diffSetup(t)
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	if _, err := env.InstallCRDs(ctx, "testdata/kyverno-crds"); err != nil {
		t.Fatal(err)
	}
	type run struct {
		dc       diffCheck
		disagree bool
	}
	var runs []run
	for _, dc := range item1Corpus(t) {
		runs = append(runs, run{dc, false})
	}
	for _, dc := range item1Disagreements(t) {
		runs = append(runs, run{dc, true})
	}
	for i, r := range runs {
		label := diffLabel(r.dc.entry)
		name := label
		if r.disagree {
			name += "-disagreements-" + string(rune('a'+i))
		}
		t.Run(name, func(t *testing.T) {
			ns := env.CreateNamespace(t, "vap1-"+strings.TrimPrefix(label, "secret-"), map[string]string{diffNamespaceLabel: label})
			gs, err := comp.GenerateEntry("item1", diffEntry(r.dc.entry, label), testDefinitions())
			if err != nil {
				t.Fatal(err)
			}
			for j := range gs {
				// Each run binds its own policy: a name per run.
				gs[j].Policy.Name += "-" + strings.ToLower(strings.ReplaceAll(name, label, "r"))
				gs[j].Binding.Name, gs[j].Binding.Spec.PolicyName = gs[j].Policy.Name, gs[j].Policy.Name
			}
			adm, err := NewAdmission(Policies(gs))
			if err != nil {
				t.Fatal(err)
			}
			vap := cs.AdmissionregistrationV1()
			for _, g := range gs {
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
			}
			check := newGoCheck(t, r.dc.entry)
			quota := r.dc.entry.ID == "quota-invalid-key"
			cases := make([]loadedCase, len(r.dc.cases))
			for j, c := range r.dc.cases {
				cases[j] = loadCase(t, loader, c)
			}
			nsObj := namespaceObject(t, loader, diffNamespace("difftest", label))
			// Wait for the policy to take effect on an object the Go check
			// denies (none for quota-invalid-key and the disagreements).
			if !quota && !r.disagree {
				var bad *loadedCase
				for j := range cases {
					if d, _ := goVerdict(check, cases[j].obj, nsObj); d {
						bad = &cases[j]
						break
					}
				}
				if bad == nil {
					t.Fatal("no failing object to wait with")
				}
				deadline := time.Now().Add(30 * time.Second)
				for {
					if _, byPolicy, _ := item1ServerVerdict(ctx, t, dyn, ns, *bad); byPolicy {
						break
					}
					if time.Now().After(deadline) {
						t.Fatalf("policy not in effect after 30s (object %s still admitted)", bad.name)
					}
					time.Sleep(200 * time.Millisecond)
				}
			}
			for _, lc := range cases {
				goDenies, why := goVerdict(check, lc.obj, nsObj)
				resp, err := adm.Admit(ctx, Request{Object: lc.obj.Obj, Namespaces: []*corev1.Namespace{diffNamespace("difftest", label)}})
				if err != nil {
					t.Fatal(err)
				}
				refused, byPolicy, msg := item1ServerVerdict(ctx, t, dyn, ns, lc)
				switch {
				case r.disagree:
					if !goDenies || !resp.Allowed || refused {
						t.Errorf("%s: want Go alone to deny: Go denies=%v %v; in-process denies=%v (%s); apiserver refuses=%v (%s)", lc.name, goDenies, why, !resp.Allowed, resp.Message, refused, msg)
					}
				case quota:
					if goDenies != !resp.Allowed || goDenies != refused || byPolicy {
						t.Errorf("%s: Go denies=%v %v; in-process denies=%v (%s); apiserver refuses=%v (by a policy %v: %s), want its validation to refuse what Go denies",
							lc.name, goDenies, why, !resp.Allowed, resp.Message, refused, byPolicy, msg)
					}
				default:
					if refused && !byPolicy {
						t.Fatalf("%s: the apiserver refused the object for another reason: %s", lc.name, msg)
					}
					if goDenies != refused || goDenies == resp.Allowed {
						t.Errorf("%s: disagreement: Go denies=%v %v; in-process denies=%v (%s); apiserver denies=%v (%s)", lc.name, goDenies, why, !resp.Allowed, resp.Message, refused, msg)
					}
				}
			}
		})
	}
}
