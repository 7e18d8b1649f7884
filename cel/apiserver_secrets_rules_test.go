package cel

import (
	"context"
	"strings"
	"testing"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/aigov/aigov/internal/testenv"
)

// TestSecretsRulesAPIServer applies the policies of the secrets object
// rules to a real kube-apiserver v1.37.2 (which accepts them) and checks
// that each denies exactly the objects the Go check reports and the
// in-process evaluation denies, and admits the documented disagreements.
// secret-type-keys-missing is refused by the apiserver's own validation
// (ValidateSecret, "Required value") before admission policies run: the
// apiserver must refuse, not by a policy, exactly the Secrets the Go
// check reports, and accept the others.
func TestSecretsRulesAPIServer(t *testing.T) {
	env := testenv.Shared(t)
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	runThreeWay(ctx, t, env, threeWayConfig{
		set:           "secrets",
		corpus:        secretsRulesCorpus(t),
		disagreements: secretsRulesDisagreements(t),
		namespace:     func(label string) string { return "vaps-" + strings.TrimPrefix(label, "secret-") },
		serverRefuses: func(checkID, _ string, goDenies bool) bool { return checkID == "secret-type-keys-missing" && goDenies },
		serverRefusal: "Required value",
	})
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
