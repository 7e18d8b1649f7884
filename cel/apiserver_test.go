package cel

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"github.com/aigov/aigov/internal/testenv"
)

// serverVerdict creates (dry run) the request of a case in namespace ns
// and reports whether a ValidatingAdmissionPolicy denied it. Any other
// error fails the test: the corpus holds only objects the apiserver
// accepts.
func serverVerdict(ctx context.Context, t *testing.T, dyn dynamic.Interface, ns, label string, lc loadedCase) (bool, string) {
	t.Helper()
	u := &unstructured.Unstructured{Object: deepCopyMap(lc.request)}
	gvk := lc.obj.GVK
	gvr := guessResource(gvk)
	var ri dynamic.ResourceInterface = dyn.Resource(gvr)
	if gvk.Kind != "Namespace" {
		u.SetNamespace(ns)
		ri = dyn.Resource(gvr).Namespace(ns)
	} else {
		labels := u.GetLabels()
		if labels == nil {
			labels = map[string]string{}
		}
		labels[diffNamespaceLabel] = label
		u.SetLabels(labels)
	}
	var err error
	for attempt := 0; ; attempt++ {
		if lc.old != nil {
			var cur *unstructured.Unstructured
			cur, err = ri.Get(ctx, u.GetName(), metav1.GetOptions{})
			if err != nil {
				t.Fatalf("%s: get: %v", lc.name, err)
			}
			eph, _, _ := unstructured.NestedSlice(u.Object, "spec", "ephemeralContainers")
			if err := unstructured.SetNestedSlice(cur.Object, eph, "spec", "ephemeralContainers"); err != nil {
				t.Fatal(err)
			}
			_, err = ri.Update(ctx, cur, metav1.UpdateOptions{DryRun: []string{metav1.DryRunAll}}, "ephemeralcontainers")
		} else {
			_, err = ri.Create(ctx, u, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		}
		// The ServiceAccount controller may not have created "default" yet.
		if err != nil && strings.Contains(err.Error(), "service account") && !strings.Contains(err.Error(), "ValidatingAdmissionPolicy") && attempt < 50 {
			time.Sleep(100 * time.Millisecond)
			continue
		}
		break
	}
	if err == nil {
		return false, ""
	}
	if strings.Contains(err.Error(), "ValidatingAdmissionPolicy") {
		return true, err.Error()
	}
	t.Fatalf("%s: the apiserver refused the object for another reason: %v", lc.name, err)
	return false, ""
}

// corpusServiceAccounts returns "default" and the ServiceAccounts the Pods
// of the cases run as.
func corpusServiceAccounts(cases []diffCase) []string {
	out := []string{"default"}
	for _, c := range cases {
		if c.manifest["kind"] != "Pod" {
			continue
		}
		for _, field := range []string{"serviceAccountName", "serviceAccount"} {
			sa, _, _ := unstructured.NestedString(c.manifest, "spec", field)
			if sa != "" && !slices.Contains(out, sa) {
				out = append(out, sa)
			}
		}
	}
	return out
}

// TestDifferentialAPIServer applies every generated policy and binding to a
// real kube-apiserver v1.37.2 and checks that it denies exactly the objects
// the Go check reports and the in-process evaluation denies.
func TestDifferentialAPIServer(t *testing.T) {
	env := testenv.Shared(t)
	cs, dyn := env.Client(t), env.Dynamic(t)
	comp, loader := diffSetup(t)
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	// The AI operators' resources of the corpus are created through their
	// CRDs, as a cluster running the operators serves them.
	if _, err := env.InstallAICRDs(ctx); err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, dc := range corpus(t) {
		label := diffLabel(dc.entry)
		t.Run(label, func(t *testing.T) {
			// One namespace per set of namespace labels the cases ask for.
			namespaces := map[string]string{}
			nsOf := func(c diffCase) string {
				key := fmt.Sprint(c.namespaceLabels) // fmt sorts map keys
				if ns, ok := namespaces[key]; ok {
					return ns
				}
				ns := env.CreateNamespace(t, "vap-"+label, map[string]string{diffNamespaceLabel: label}, c.namespaceLabels)
				// The ServiceAccount admission plugin refuses a Pod whose
				// ServiceAccount does not exist.
				for _, sa := range corpusServiceAccounts(dc.cases) {
					if _, err := cs.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: sa}}, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
						t.Fatal(err)
					}
				}
				namespaces[key] = ns
				return ns
			}
			entry := diffEntry(dc.entry, label)
			gs, adm := entryPolicies(t, comp, "diff", entry), entryAdmission(t, comp, "diff", entry)
			check := newGoCheck(t, dc.entry)
			cases := make([]loadedCase, len(dc.cases))
			for i, c := range dc.cases {
				cases[i] = loadCase(t, loader, c)
				if cases[i].old != nil { // the Pod an ephemeral update targets
					u := &unstructured.Unstructured{Object: deepCopyMap(c.manifest)}
					if _, err := dyn.Resource(schema.GroupVersionResource{Version: "v1", Resource: "pods"}).Namespace(nsOf(c)).Create(ctx, u, metav1.CreateOptions{}); err != nil {
						t.Fatalf("%s: creating the base pod: %v", c.name, err)
					}
				}
			}
			vapClient := cs.AdmissionregistrationV1()
			for _, g := range gs {
				if _, err := vapClient.ValidatingAdmissionPolicies().Create(ctx, g.Policy, metav1.CreateOptions{}); err != nil {
					t.Fatalf("creating the policy %s: %v", g.Policy.Name, err)
				}
				if _, err := vapClient.ValidatingAdmissionPolicyBindings().Create(ctx, g.Binding, metav1.CreateOptions{}); err != nil {
					t.Fatalf("creating the binding %s: %v", g.Binding.Name, err)
				}
				t.Cleanup(func() {
					_ = vapClient.ValidatingAdmissionPolicyBindings().Delete(context.Background(), g.Binding.Name, metav1.DeleteOptions{})
					_ = vapClient.ValidatingAdmissionPolicies().Delete(context.Background(), g.Policy.Name, metav1.DeleteOptions{})
				})
			}
			// Wait for the policies to take effect: poll with a known-bad
			// object of each policy (a built-in kind, and a custom
			// resource for the operators' policy).
			// The namespace the loader gave the objects, as each case's
			// namespace is labelled.
			nsObj := func(c diffCase) *corev1.Namespace { return caseNamespace("difftest", label, c) }
			var bad []*loadedCase
			for _, operators := range []bool{false, true} {
				for i := range cases {
					isOperator := slices.Contains(operatorKinds, cases[i].obj.GVK.Kind)
					if d, _ := goVerdict(check, cases[i].obj, namespaceObject(t, loader, nsObj(cases[i].diffCase))); d && cases[i].old == nil && isOperator == operators {
						bad = append(bad, &cases[i])
						break
					}
				}
			}
			if len(bad) != len(gs) {
				t.Fatalf("%d failing objects to wait with for %d policies", len(bad), len(gs))
			}
			deadline := time.Now().Add(30 * time.Second)
			for _, b := range bad {
				for {
					if d, _ := serverVerdict(ctx, t, dyn, nsOf(b.diffCase), label, *b); d {
						break
					}
					if time.Now().After(deadline) {
						t.Fatalf("policy not in effect after 30s (object %s still admitted)", b.name)
					}
					time.Sleep(200 * time.Millisecond)
				}
			}
			for _, lc := range cases {
				want, violations := goVerdict(check, lc.obj, namespaceObject(t, loader, nsObj(lc.diffCase)))
				req := Request{Object: lc.obj.Obj, Namespaces: []*corev1.Namespace{nsObj(lc.diffCase)}}
				if lc.old != nil {
					req.Operation, req.OldObject, req.Subresource, req.Resource = OperationUpdate, lc.old.Obj, "ephemeralcontainers", "pods"
				}
				if lc.obj.GVK.Kind == "Namespace" {
					req.Namespaces = nil
					lc.obj.Obj.(*corev1.Namespace).Labels[diffNamespaceLabel] = label
				}
				resp, err := adm.Admit(ctx, req)
				if err != nil {
					t.Fatal(err)
				}
				server, msg := serverVerdict(ctx, t, dyn, nsOf(lc.diffCase), label, lc)
				if want != server || want == resp.Allowed {
					t.Errorf("%s: disagreement: Go denies=%v %v; in-process denies=%v (%s); apiserver denies=%v (%s)",
						lc.name, want, violations, !resp.Allowed, resp.Message, server, msg)
				}
			}
			total += len(cases)
		})
	}
	t.Logf("%d objects: Go check, in-process VAP and kube-apiserver agree", total)
}
