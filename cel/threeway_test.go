package cel

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/internal/testenv"
)

// threeWayConfig describes a three-way proof: for every check of a corpus,
// the Go check, the generated policy evaluated in-process and the same
// policy bound on a real kube-apiserver (dry-run creates) must agree.
type threeWayConfig struct {
	// set prefixes the names of the generated policies.
	set string
	// corpus holds the checks whose three verdicts must agree;
	// disagreements the objects the Go check alone must deny (the
	// AdmissionNotes).
	corpus, disagreements []diffCheck
	// namespace names the namespace of the run of the check labelled
	// label.
	namespace func(label string) string
	// ownPolicy says each run generates exactly one policy and only a
	// refusal naming it counts: a policy of an earlier run, deleted but
	// still loaded by the apiserver, is waited out (lintServerVerdict).
	ownPolicy bool
	// serverRefuses reports whether the apiserver's own validation
	// refuses the case of the check before admission policies run (which
	// may depend on whether the Go check denies it). Such a case is
	// denied by Go and the in-process policy and refused by the
	// apiserver, not by the policy.
	serverRefuses func(checkID, caseName string, goDenies bool) bool
	// serverRefusal, when set, must be in the apiserver's message where
	// serverRefuses says its validation refuses.
	serverRefusal string
}

// threeWayRun is one check's corpus, or one set of its disagreements.
type threeWayRun struct {
	dc       diffCheck
	disagree bool
}

// runThreeWay binds, run by run, the policy of each check on the
// apiserver of env (each run its own policy and namespace), waits for it
// to take effect, and compares the three verdicts case by case: on the
// disagreements, Go alone denies (the apiserver's validation refuses the
// case exactly when serverRefuses says so); on what serverRefuses
// names, Go and the in-process policy deny and the apiserver's
// validation refuses; elsewhere the apiserver refuses, by the policy,
// exactly what Go and the in-process policy deny.
func runThreeWay(ctx context.Context, t *testing.T, env *testenv.Env, cfg threeWayConfig) {
	t.Helper()
	cs, dyn := env.Client(t), env.Dynamic(t)
	comp, loader := diffSetup(t)
	var runs []threeWayRun
	for _, dc := range cfg.corpus {
		runs = append(runs, threeWayRun{dc, false})
	}
	for _, dc := range cfg.disagreements {
		runs = append(runs, threeWayRun{dc, true})
	}
	for i, r := range runs {
		label := diffLabel(r.dc.entry)
		name := label
		if r.disagree {
			name += "-disagreements-" + string(rune('a'+i))
		}
		t.Run(name, func(t *testing.T) {
			ns := env.CreateNamespace(t, cfg.namespace(label), map[string]string{diffNamespaceLabel: label})
			// The ServiceAccount admission plugin admits a Pod only once
			// "default" exists.
			if _, err := cs.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default"}}, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
				t.Fatal(err)
			}
			gs := entryPolicies(t, comp, cfg.set, diffEntry(r.dc.entry, label))
			if cfg.ownPolicy && len(gs) != 1 {
				t.Fatalf("%d policies, want 1", len(gs))
			}
			for j := range gs {
				// Each run binds its own policy: a name per run.
				gs[j].Policy.Name += "-" + strings.ToLower(strings.ReplaceAll(name, label, "r"))
				gs[j].Binding.Name, gs[j].Binding.Spec.PolicyName = gs[j].Policy.Name, gs[j].Policy.Name
			}
			// In-process, the policies under their generated names.
			adm := entryAdmission(t, comp, cfg.set, diffEntry(r.dc.entry, label))
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
			cases := make([]loadedCase, len(r.dc.cases))
			for j, c := range r.dc.cases {
				cases[j] = loadCase(t, loader, c)
			}
			nsObj := namespaceObject(t, loader, diffNamespace("difftest", label))
			// Wait for the policy to take effect on an object the Go check
			// denies that only the policy refuses (none for the
			// disagreements, nor for a check whose every denied object the
			// apiserver's validation refuses).
			if !r.disagree {
				var bad *loadedCase
				var validationRefuses bool
				for j := range cases {
					d, _ := goVerdict(check, cases[j].obj, nsObj)
					if !d {
						continue
					}
					if cfg.serverRefuses(r.dc.entry.ID, cases[j].name, true) {
						validationRefuses = true
						continue
					}
					bad = &cases[j]
					break
				}
				if bad == nil && !validationRefuses {
					t.Fatal("no failing object to wait with")
				}
				if bad != nil {
					deadline := time.Now().Add(30 * time.Second)
					for {
						_, byPolicy, msg := item1ServerVerdict(ctx, t, dyn, ns, *bad)
						if byPolicy && (!cfg.ownPolicy || strings.Contains(msg, "'"+gs[0].Policy.Name+"'")) {
							break
						}
						if time.Now().After(deadline) {
							t.Fatalf("policy not in effect after 30s (object %s still admitted)", bad.name)
						}
						time.Sleep(200 * time.Millisecond)
					}
				}
			}
			var byThePolicy int
			for _, lc := range cases {
				goDenies, why := goVerdict(check, lc.obj, nsObj)
				resp, err := adm.Admit(ctx, Request{Object: lc.obj.Obj, Namespaces: []*corev1.Namespace{diffNamespace("difftest", label)}})
				if err != nil {
					t.Fatal(err)
				}
				var refused, byPolicy bool
				var msg string
				if cfg.ownPolicy {
					refused, byPolicy, msg = lintServerVerdict(ctx, t, dyn, ns, gs[0].Policy.Name, lc)
				} else {
					refused, byPolicy, msg = item1ServerVerdict(ctx, t, dyn, ns, lc)
				}
				if strings.Contains(msg, "cost limit exceeded") || strings.Contains(msg, "running out of cost budget") {
					t.Errorf("%s: the policy ran out of cost on the apiserver: %s", lc.name, msg)
				}
				serverRefuses := cfg.serverRefuses(r.dc.entry.ID, lc.name, goDenies)
				if serverRefuses && refused && !strings.Contains(msg, cfg.serverRefusal) {
					t.Errorf("%s: refused for another reason than %q: %s", lc.name, cfg.serverRefusal, msg)
				}
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

// inProcessDifferential proves, check by check of corpus, that the
// generated policy evaluated in-process denies exactly what the Go check
// reports, on a corpus holding passing and failing objects.
func inProcessDifferential(t *testing.T, corpus []diffCheck) {
	t.Helper()
	comp, loader := diffSetup(t)
	for _, dc := range corpus {
		t.Run(diffLabel(dc.entry), func(t *testing.T) {
			var denied, allowed int
			for _, c := range dc.cases {
				goDenies, why, vapDenies, msg := evalItem1(t, comp, loader, dc, c)
				if goDenies != vapDenies {
					t.Errorf("%s: Go check denies=%v %v, in-process VAP denies=%v (%s)", c.name, goDenies, why, vapDenies, msg)
				}
				if goDenies {
					denied++
				} else {
					allowed++
				}
			}
			if denied == 0 || allowed == 0 {
				t.Errorf("corpus must hold passing and failing objects: %d denied, %d allowed", denied, allowed)
			}
		})
	}
}

// inProcessDisagreements proves that the Go check alone, not the policy
// evaluated in-process, denies each object of disagreements.
func inProcessDisagreements(t *testing.T, disagreements []diffCheck) {
	t.Helper()
	comp, loader := diffSetup(t)
	for _, dc := range disagreements {
		for _, c := range dc.cases {
			goDenies, why, vapDenies, msg := evalItem1(t, comp, loader, dc, c)
			if !goDenies || vapDenies {
				t.Errorf("%s %s: Go denies=%v %v, in-process VAP denies=%v (%s); want the Go check alone to deny", dc.entry.ID, c.name, goDenies, why, vapDenies, msg)
			}
		}
	}
}

// denyEntryAdmission generates the policy of check id, denying, and
// loads it for in-process evaluation.
func denyEntryAdmission(t *testing.T, comp *Compiler, id string) (governance.PolicyEntry, *Admission) {
	t.Helper()
	e := governance.PolicyEntry{ID: id, Action: governance.ActionDeny}
	gs, err := comp.GenerateEntry("cost", diffEntry(e, id), testDefinitions())
	if err != nil {
		t.Fatal(err)
	}
	adm, err := NewAdmission(Policies(gs))
	if err != nil {
		t.Fatal(err)
	}
	return e, adm
}

// corpusCostsBounded proves that every check of corpus generates at least
// one policy and that every expression of each has a bounded cost
// estimate, printing each policy's total (go test -v).
func corpusCostsBounded(t *testing.T, corpus []diffCheck) {
	t.Helper()
	comp, _ := diffSetup(t)
	for _, dc := range corpus {
		gs := entryPolicies(t, comp, "p", dc.entry)
		if len(gs) == 0 {
			t.Fatalf("%s: no policy generated", dc.entry.ID)
		}
		for _, g := range gs {
			r := comp.EstimateCost(&g.Policy.Spec)
			for _, e := range r.Expressions {
				if e.Max == math.MaxUint64 {
					t.Errorf("%s: %s unbounded", g.Policy.Name, e.Field)
				}
			}
			t.Logf("%s total %s warnings %q", g.Policy.Name, costString(r.Total), r.Warnings)
		}
	}
}
