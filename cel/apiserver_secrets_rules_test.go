package cel

import (
	"context"
	"strings"
	"testing"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"github.com/aigov/aigov/internal/testenv"
)

// secretsRulesServerVerdict creates (dry run) a case's object in ns and
// reports whether the apiserver refused it and whether a
// ValidatingAdmissionPolicy did; it waits for the ServiceAccount
// controller to create "default", which the ServiceAccount admission
// plugin wants before it admits a Pod.
func secretsRulesServerVerdict(ctx context.Context, t *testing.T, dyn dynamic.Interface, ns string, lc loadedCase) (refused, byPolicy bool, msg string) {
	t.Helper()
	for attempt := 0; ; attempt++ {
		refused, byPolicy, msg = item1ServerVerdict(ctx, t, dyn, ns, lc)
		if refused && !byPolicy && strings.Contains(msg, "service account") && attempt < 50 {
			time.Sleep(100 * time.Millisecond)
			continue
		}
		return refused, byPolicy, msg
	}
}

// TestSecretsRulesAPIServer applies the policies of the secrets object
// rules to a real kube-apiserver v1.37.2 (which accepts them) and checks
// that each denies exactly the objects the Go check reports and the
// in-process evaluation denies, and admits the documented disagreements.
// secret-type-keys-missing is refused by the apiserver's own validation
// (ValidateSecret) before admission policies run: the apiserver must
// refuse, not by a policy, exactly the Secrets the Go check reports, and
// accept the others.
func TestSecretsRulesAPIServer(t *testing.T) {
	env := testenv.Shared(t)
	cs, dyn := env.Client(t), env.Dynamic(t)
	comp, loader := diffSetup(t)
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	type run struct {
		dc       diffCheck
		disagree bool
	}
	var runs []run
	for _, dc := range secretsRulesCorpus(t) {
		runs = append(runs, run{dc, false})
	}
	for _, dc := range secretsRulesDisagreements(t) {
		runs = append(runs, run{dc, true})
	}
	for i, r := range runs {
		label := diffLabel(r.dc.entry)
		name := label
		if r.disagree {
			name += "-disagreements-" + string(rune('a'+i))
		}
		t.Run(name, func(t *testing.T) {
			ns := env.CreateNamespace(t, "vaps-"+strings.TrimPrefix(label, "secret-"), map[string]string{diffNamespaceLabel: label})
			if _, err := cs.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default"}}, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
				t.Fatal(err)
			}
			gs, err := comp.GenerateEntry("secrets", diffEntry(r.dc.entry, label), testDefinitions())
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
			refusedByServer := r.dc.entry.ID == "secret-type-keys-missing"
			cases := make([]loadedCase, len(r.dc.cases))
			for j, c := range r.dc.cases {
				cases[j] = loadCase(t, loader, c)
			}
			nsObj := namespaceObject(t, loader, diffNamespace("difftest", label))
			// Wait for the policy to take effect on an object the Go check
			// denies (none reaches it for secret-type-keys-missing and the
			// disagreements).
			if !refusedByServer && !r.disagree {
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
					if _, byPolicy, _ := secretsRulesServerVerdict(ctx, t, dyn, ns, *bad); byPolicy {
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
				refused, byPolicy, msg := secretsRulesServerVerdict(ctx, t, dyn, ns, lc)
				if strings.Contains(msg, "cost limit exceeded") || strings.Contains(msg, "running out of cost budget") {
					t.Errorf("%s: the policy ran out of cost on the apiserver: %s", lc.name, msg)
				}
				switch {
				case r.disagree:
					if !goDenies || !resp.Allowed || refused {
						t.Errorf("%s: want Go alone to deny: Go denies=%v %v; in-process denies=%v (%s); apiserver refuses=%v (%s)", lc.name, goDenies, why, !resp.Allowed, resp.Message, refused, msg)
					}
				case refusedByServer:
					if goDenies != !resp.Allowed || goDenies != refused || byPolicy {
						t.Errorf("%s: Go denies=%v %v; in-process denies=%v (%s); apiserver refuses=%v (by a policy %v: %s), want its validation to refuse what Go denies",
							lc.name, goDenies, why, !resp.Allowed, resp.Message, refused, byPolicy, msg)
					}
					if refused && !strings.Contains(msg, "Required value") {
						t.Errorf("%s: refused for another reason than a missing key: %s", lc.name, msg)
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

// TestSecretsRulesNoVAPReasonsOnAPIServer proves, on a real kube-apiserver
// v1.37.2, the reasons the AdmissionNotes of three secrets rules give for
// having no policy (or, for secret-type-keys-missing, for a policy that
// only repeats the apiserver): a ValidatingAdmissionPolicy that denies a
// Secret with stringData, and any Secret labelled probe, is bound; then
//   - a Secret created with stringData is admitted, and served with the
//     value under data: the policy never sees stringData
//     (secret-stringdata-in-source);
//   - a labelled Secret whose data is not base64 is refused by the
//     request's decoding, not by the policy (secret-data-invalid-base64);
//   - a labelled kubernetes.io/tls Secret without tls.key is refused by
//     the apiserver's validation, not by the policy
//     (secret-type-keys-missing).
func TestSecretsRulesNoVAPReasonsOnAPIServer(t *testing.T) {
	env := testenv.Shared(t)
	cs, dyn := env.Client(t), env.Dynamic(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	const label = "secrets-no-vap-reasons"
	ns := env.CreateNamespace(t, "vaps-reasons", map[string]string{diffNamespaceLabel: label})
	fail := admissionregistrationv1.Fail
	policy := &admissionregistrationv1.ValidatingAdmissionPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: "aigov-test-" + label},
		Spec: admissionregistrationv1.ValidatingAdmissionPolicySpec{
			FailurePolicy: &fail,
			MatchConstraints: &admissionregistrationv1.MatchResources{ResourceRules: []admissionregistrationv1.NamedRuleWithOperations{
				{RuleWithOperations: admissionregistrationv1.RuleWithOperations{
					Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create},
					Rule:       admissionregistrationv1.Rule{APIGroups: []string{""}, APIVersions: []string{"v1"}, Resources: []string{"secrets"}},
				}},
			}},
			Validations: []admissionregistrationv1.Validation{
				{Expression: `!has(object.stringData)`, Message: "the policy saw stringData"},
				{Expression: `!("probe" in object.metadata.?labels.orValue({}))`, Message: "the policy saw the probe"},
			},
		},
	}
	binding := &admissionregistrationv1.ValidatingAdmissionPolicyBinding{
		ObjectMeta: metav1.ObjectMeta{Name: policy.Name},
		Spec: admissionregistrationv1.ValidatingAdmissionPolicyBindingSpec{
			PolicyName:        policy.Name,
			ValidationActions: []admissionregistrationv1.ValidationAction{admissionregistrationv1.Deny},
			MatchResources: &admissionregistrationv1.MatchResources{NamespaceSelector: &metav1.LabelSelector{
				MatchLabels: map[string]string{diffNamespaceLabel: label}}},
		},
	}
	vap := cs.AdmissionregistrationV1()
	if _, err := vap.ValidatingAdmissionPolicies().Create(ctx, policy, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := vap.ValidatingAdmissionPolicyBindings().Create(ctx, binding, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = vap.ValidatingAdmissionPolicyBindings().Delete(context.Background(), binding.Name, metav1.DeleteOptions{})
		_ = vap.ValidatingAdmissionPolicies().Delete(context.Background(), policy.Name, metav1.DeleteOptions{})
	})
	secrets := dyn.Resource(schema.GroupVersionResource{Version: "v1", Resource: "secrets"}).Namespace(ns)
	create := func(name string, labelled bool, fields map[string]any) (*unstructured.Unstructured, error) {
		u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Secret", "metadata": map[string]any{"name": name}}}
		if labelled {
			u.SetLabels(map[string]string{"probe": "yes"})
		}
		for k, v := range fields {
			u.Object[k] = v
		}
		return secrets.Create(ctx, u, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
	}
	// The policy is in effect once it refuses a labelled Secret.
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err := create("probe", true, map[string]any{"type": "Opaque"})
		if err != nil && strings.Contains(err.Error(), "the policy saw the probe") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("policy not in effect after 30s: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}

	value := fakeValue("no-vap-stringdata")
	got, err := create("with-stringdata", false, map[string]any{"type": "Opaque", "stringData": map[string]any{"password": value}})
	if err != nil {
		t.Fatalf("a Secret with stringData was refused (the policy saw stringData?): %v", err)
	}
	if _, has := got.Object["stringData"]; has {
		t.Error("the apiserver served the Secret with stringData")
	}
	if stored, _, _ := unstructured.NestedString(got.Object, "data", "password"); stored != b64(value) {
		t.Error("the stringData value is not under data")
	}

	_, err = create("invalid-base64", true, map[string]any{"type": "Opaque", "data": map[string]any{"password": "not base64!"}})
	if err == nil || !strings.Contains(err.Error(), "illegal base64 data") || strings.Contains(err.Error(), "ValidatingAdmissionPolicy") {
		t.Errorf("a labelled Secret with data that is not base64: %v, want the decoding to refuse it before the policy", err)
	}

	_, err = create("tls-no-key", true, map[string]any{"type": "kubernetes.io/tls", "data": map[string]any{"tls.crt": b64("cert")}})
	if err == nil || !strings.Contains(err.Error(), "data[tls.key]: Required value") || strings.Contains(err.Error(), "ValidatingAdmissionPolicy") {
		t.Errorf("a labelled TLS Secret without tls.key: %v, want the apiserver's validation to refuse it before the policy", err)
	}
}
