package cel

import (
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/internal/testenv"
)

// kyvernoGVR is the resource Kyverno serves ValidatingPolicies as.
var kyvernoGVR = schema.GroupVersionResource{Group: "policies.kyverno.io", Version: "v1", Resource: "validatingpolicies"}

// generateOne generates the policies of one entry, as a policy file of
// that entry would.
func generateOne(t *testing.T, comp *Compiler, e governance.PolicyEntry) ([]Generated, error) {
	t.Helper()
	return comp.Generate(&governance.Policy{Name: "kyverno", Entries: []governance.PolicyEntry{e}}, testDefinitions())
}

// kyvernoOne generates the policies of one entry and returns the Kyverno
// form of the first (the entry's own).
func kyvernoOne(t *testing.T, comp *Compiler, e governance.PolicyEntry) (*KyvernoValidatingPolicy, error) {
	t.Helper()
	gs, err := generateOne(t, comp, e)
	if err != nil {
		t.Fatal(err)
	}
	return KyvernoPolicy(gs[0])
}

// kyvernoCorpus generates the policies of every corpus entry (the
// differential corpus and the item-1 corpus) and their Kyverno
// ValidatingPolicies; labels name the entry of each.
func kyvernoCorpus(t *testing.T, comp *Compiler) (gs []Generated, ks []*KyvernoValidatingPolicy, labels []string) {
	t.Helper()
	for _, dc := range append(append(append(corpus(t), item1Corpus(t)...), secretsRulesCorpus(t)...), lintCorpus(t)...) {
		label := diffLabel(dc.entry)
		entryGs, err := generateOne(t, comp, dc.entry)
		if err != nil {
			t.Fatalf("%s: %v", label, err)
		}
		for _, g := range entryGs {
			k, err := KyvernoPolicy(g)
			if err != nil {
				t.Fatalf("%s: %v", label, err)
			}
			gs, ks, labels = append(gs, g), append(ks, k), append(labels, label+" "+g.Policy.Name)
		}
	}
	return gs, ks, labels
}

// TestKyvernoPolicyCarriesTheVAPsCEL checks, for every corpus entry, that
// the ValidatingPolicy holds exactly the CEL of the generated VAP, under
// the same name, and that the CEL compiles with the environment the VAP
// path uses (CheckSpec at the oldest target and at the newest).
func TestKyvernoPolicyCarriesTheVAPsCEL(t *testing.T) {
	for _, target := range []string{"1.30", "1.37"} {
		comp, err := NewCompiler(target)
		if err != nil {
			t.Fatal(err)
		}
		gs, ks, labels := kyvernoCorpus(t, comp)
		for i, g := range gs {
			k, p, label := ks[i], g.Policy, labels[i]
			if k.APIVersion != "policies.kyverno.io/v1" || k.Kind != "ValidatingPolicy" {
				t.Errorf("%s: %s %s", label, k.APIVersion, k.Kind)
			}
			if k.Name != p.Name || !reflect.DeepEqual(k.Labels, p.Labels) || !reflect.DeepEqual(k.Annotations, p.Annotations) {
				t.Errorf("%s: metadata %+v, want the VAP's %+v", label, k.ObjectMeta, p.ObjectMeta)
			}
			same := reflect.DeepEqual(k.Spec.Variables, p.Spec.Variables) &&
				reflect.DeepEqual(k.Spec.Validations, p.Spec.Validations) &&
				reflect.DeepEqual(k.Spec.MatchConditions, p.Spec.MatchConditions) &&
				reflect.DeepEqual(k.Spec.AuditAnnotations, p.Spec.AuditAnnotations) &&
				reflect.DeepEqual(k.Spec.FailurePolicy, p.Spec.FailurePolicy)
			if !same {
				t.Errorf("%s: the ValidatingPolicy's CEL differs from the VAP's", label)
			}
			if len(k.Spec.Validations) == 0 {
				t.Errorf("%s: no validations", label)
			}
			if !slices.Equal(k.Spec.ValidationActions, g.Binding.Spec.ValidationActions) {
				t.Errorf("%s: validationActions %v, want the binding's %v", label, k.Spec.ValidationActions, g.Binding.Spec.ValidationActions)
			}
			if e := k.Spec.Evaluation; e == nil || e.Mode != "Kubernetes" || e.Admission == nil || !e.Admission.Enabled || e.Background == nil {
				t.Errorf("%s: evaluation %+v", label, e)
			}
			if a := k.Spec.Autogen; a == nil || a.PodControllers == nil || a.PodControllers.Controllers == nil || len(a.PodControllers.Controllers) != 0 {
				t.Errorf("%s: autogen %+v, want podControllers.controllers []", label, a)
			}
			if err := comp.CheckSpec(k.VAPSpec()); err != nil {
				t.Errorf("%s at %s: %v", label, target, err)
			}
		}
	}
	// The compile check can fail: a ValidatingPolicy whose expression the
	// apiserver's environment refuses.
	comp, err := NewCompiler("1.30")
	if err != nil {
		t.Fatal(err)
	}
	_, ks, _ := kyvernoCorpus(t, comp)
	broken := *ks[0]
	broken.Spec.Validations = []admissionregistrationv1.Validation{{Expression: `object.metadata.name.alll()`}}
	if err := comp.CheckSpec(broken.VAPSpec()); err == nil {
		t.Error("an expression that does not compile passed CheckSpec")
	}
}

func TestKyvernoValidationActionsFollowTheEntrysAction(t *testing.T) {
	comp, err := NewCompiler("1.30")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		action governance.Action
		want   admissionregistrationv1.ValidationAction
	}{
		{"", admissionregistrationv1.Deny},
		{governance.ActionDeny, admissionregistrationv1.Deny},
		{governance.ActionWarn, admissionregistrationv1.Warn},
		{governance.ActionAudit, admissionregistrationv1.Audit},
		{"audit", admissionregistrationv1.Audit},
	} {
		k, err := kyvernoOne(t, comp, governance.PolicyEntry{ID: "privileged-container", Action: tt.action})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(k.Spec.ValidationActions, []admissionregistrationv1.ValidationAction{tt.want}) {
			t.Errorf("action %q: validationActions %v, want [%s]", tt.action, k.Spec.ValidationActions, tt.want)
		}
	}
}

// TestKyvernoMatchIsPolicyAndBinding checks that the one matchConstraints
// of a ValidatingPolicy matches what the VAP and its binding match
// together.
func TestKyvernoMatchIsPolicyAndBinding(t *testing.T) {
	comp, err := NewCompiler("1.30")
	if err != nil {
		t.Fatal(err)
	}
	gen := func(t *testing.T, e governance.PolicyEntry) (*KyvernoValidatingPolicy, error) {
		t.Helper()
		return kyvernoOne(t, comp, e)
	}
	podRules, err := gen(t, governance.PolicyEntry{ID: "privileged-container"})
	if err != nil {
		t.Fatal(err)
	}
	team := &metav1.LabelSelector{MatchLabels: map[string]string{"team": "cv"}}

	t.Run("selectors and excluded namespaces", func(t *testing.T) {
		k, err := gen(t, governance.PolicyEntry{ID: "privileged-container", Match: governance.Match{
			NamespaceSelector: team, ObjectSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "x"}},
			ExcludeNamespaces: []string{"kube-system", "infra"},
		}})
		if err != nil {
			t.Fatal(err)
		}
		m := k.Spec.MatchConstraints
		wantNS := &metav1.LabelSelector{MatchLabels: map[string]string{"team": "cv"}, MatchExpressions: []metav1.LabelSelectorRequirement{
			{Key: "kubernetes.io/metadata.name", Operator: metav1.LabelSelectorOpNotIn, Values: []string{"infra", "kube-system"}},
		}}
		if !reflect.DeepEqual(m.NamespaceSelector, wantNS) {
			t.Errorf("namespaceSelector %+v, want %+v", m.NamespaceSelector, wantNS)
		}
		if !reflect.DeepEqual(m.ObjectSelector, &metav1.LabelSelector{MatchLabels: map[string]string{"app": "x"}}) {
			t.Errorf("objectSelector %+v", m.ObjectSelector)
		}
		if want := podRules.Spec.MatchConstraints.ResourceRules; len(want) != len(governance.PodAdmissionRules()) || !reflect.DeepEqual(m.ResourceRules, want) {
			t.Errorf("resourceRules %+v, want the pod rules %+v", m.ResourceRules, want)
		}
		if m.MatchPolicy == nil || *m.MatchPolicy != admissionregistrationv1.Equivalent {
			t.Errorf("matchPolicy %v", m.MatchPolicy)
		}
	})

	t.Run("match.resources narrows the check's rules", func(t *testing.T) {
		k, err := gen(t, governance.PolicyEntry{ID: "privileged-container", Match: governance.Match{Resources: []governance.ResourceRule{
			{APIGroups: []string{"apps", "batch"}, APIVersions: []string{"*"}, Resources: []string{"deployments", "jobs", "ingresses"}},
		}}})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range k.Spec.MatchConstraints.ResourceRules {
			got = append(got, strings.Join(r.APIGroups, ",")+"/"+strings.Join(r.APIVersions, ",")+"/"+strings.Join(r.Resources, ","))
		}
		want := []string{"apps/v1/deployments", "batch/v1/jobs"}
		if !slices.Equal(got, want) {
			t.Errorf("resourceRules %v, want %v", got, want)
		}
	})

	t.Run("match.resources outside the check's rules", func(t *testing.T) {
		_, err := gen(t, governance.PolicyEntry{ID: "privileged-container", Match: governance.Match{Resources: []governance.ResourceRule{
			{APIGroups: []string{"networking.k8s.io"}, APIVersions: []string{"v1"}, Resources: []string{"ingresses"}},
		}}})
		if err == nil || !strings.Contains(err.Error(), "selects none") {
			t.Errorf("error %v, want one saying match.resources selects none of the check's resources", err)
		}
	})

	t.Run("custom-cel: match.resources are the policy's rules", func(t *testing.T) {
		k, err := gen(t, governance.PolicyEntry{ID: IDCustomCEL, Name: "owner", Params: json.RawMessage(`{"expression": "true", "message": "m"}`),
			Match: governance.Match{NamespaceSelector: team, Resources: []governance.ResourceRule{{APIGroups: []string{"batch"}, APIVersions: []string{"v1"}, Resources: []string{"jobs"}}}}})
		if err != nil {
			t.Fatal(err)
		}
		rules := k.Spec.MatchConstraints.ResourceRules
		if len(rules) != 1 || !slices.Equal(rules[0].Resources, []string{"jobs"}) {
			t.Errorf("resourceRules %+v, want batch/v1 jobs", rules)
		}
		if !reflect.DeepEqual(k.Spec.MatchConstraints.NamespaceSelector, team) {
			t.Errorf("namespaceSelector %+v, want %+v", k.Spec.MatchConstraints.NamespaceSelector, team)
		}
	})
}

func TestMeetResources(t *testing.T) {
	tests := []struct {
		a, b, want []string
	}{
		{[]string{"pods"}, []string{"pods"}, []string{"pods"}},
		{[]string{"pods"}, []string{"pods/status"}, nil},
		{[]string{"pods", "pods/ephemeralcontainers"}, []string{"*"}, []string{"pods"}},
		{[]string{"pods", "pods/ephemeralcontainers"}, []string{"*/*"}, []string{"pods", "pods/ephemeralcontainers"}},
		{[]string{"pods/*"}, []string{"pods", "pods/log", "jobs"}, []string{"pods", "pods/log"}},
		{[]string{"*/scale"}, []string{"deployments/*", "pods"}, []string{"deployments/scale"}},
		{[]string{"deployments"}, []string{"jobs"}, nil},
	}
	for _, tt := range tests {
		if got := meetResources(tt.a, tt.b); !slices.Equal(got, tt.want) {
			t.Errorf("meetResources(%v, %v) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestIntersectRule(t *testing.T) {
	ns, cluster := admissionregistrationv1.NamespacedScope, admissionregistrationv1.ClusterScope
	rule := func(ops []admissionregistrationv1.OperationType, groups, versions, resources, names []string, scope *admissionregistrationv1.ScopeType) admissionregistrationv1.NamedRuleWithOperations {
		return admissionregistrationv1.NamedRuleWithOperations{ResourceNames: names, RuleWithOperations: admissionregistrationv1.RuleWithOperations{
			Operations: ops, Rule: admissionregistrationv1.Rule{APIGroups: groups, APIVersions: versions, Resources: resources, Scope: scope},
		}}
	}
	cu := []admissionregistrationv1.OperationType{admissionregistrationv1.Create, admissionregistrationv1.Update}
	all := []admissionregistrationv1.OperationType{admissionregistrationv1.OperationAll}
	del := []admissionregistrationv1.OperationType{admissionregistrationv1.Delete}
	tests := []struct {
		name   string
		a, b   admissionregistrationv1.NamedRuleWithOperations
		want   admissionregistrationv1.NamedRuleWithOperations
		wantOK bool
	}{
		{"wildcards give way", rule(cu, []string{"apps"}, []string{"v1"}, []string{"deployments"}, nil, nil), rule(all, []string{"*"}, []string{"*"}, []string{"*"}, nil, &ns),
			rule(cu, []string{"apps"}, []string{"v1"}, []string{"deployments"}, nil, &ns), true},
		{"disjoint operations", rule(cu, []string{"apps"}, []string{"v1"}, []string{"deployments"}, nil, nil), rule(del, []string{"apps"}, []string{"v1"}, []string{"deployments"}, nil, nil),
			admissionregistrationv1.NamedRuleWithOperations{}, false},
		{"disjoint scopes", rule(cu, []string{""}, []string{"v1"}, []string{"pods"}, nil, &ns), rule(cu, []string{""}, []string{"v1"}, []string{"pods"}, nil, &cluster),
			admissionregistrationv1.NamedRuleWithOperations{}, false},
		{"resource names", rule(cu, []string{""}, []string{"v1"}, []string{"pods"}, []string{"a", "b"}, nil), rule(cu, []string{""}, []string{"v1"}, []string{"pods"}, []string{"b", "c"}, nil),
			rule(cu, []string{""}, []string{"v1"}, []string{"pods"}, []string{"b"}, nil), true},
		{"one side names every resource", rule(cu, []string{""}, []string{"v1"}, []string{"pods"}, nil, nil), rule(cu, []string{""}, []string{"v1"}, []string{"pods"}, []string{"c"}, nil),
			rule(cu, []string{""}, []string{"v1"}, []string{"pods"}, []string{"c"}, nil), true},
		{"disjoint resource names", rule(cu, []string{""}, []string{"v1"}, []string{"pods"}, []string{"a"}, nil), rule(cu, []string{""}, []string{"v1"}, []string{"pods"}, []string{"c"}, nil),
			admissionregistrationv1.NamedRuleWithOperations{}, false},
		{"disjoint groups", rule(cu, []string{"apps"}, []string{"v1"}, []string{"*"}, nil, nil), rule(cu, []string{"batch"}, []string{"v1"}, []string{"*"}, nil, nil),
			admissionregistrationv1.NamedRuleWithOperations{}, false},
	}
	for _, tt := range tests {
		got, ok := intersectRule(tt.a, tt.b)
		if ok != tt.wantOK || (ok && !reflect.DeepEqual(got, tt.want)) {
			t.Errorf("%s: got %+v, %v; want %+v, %v", tt.name, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestAndSelectors(t *testing.T) {
	req := func(k string, op metav1.LabelSelectorOperator, v ...string) metav1.LabelSelectorRequirement {
		return metav1.LabelSelectorRequirement{Key: k, Operator: op, Values: v}
	}
	tests := []struct {
		name string
		a, b *metav1.LabelSelector
		want *metav1.LabelSelector
	}{
		{"both empty", nil, &metav1.LabelSelector{}, &metav1.LabelSelector{}},
		{"labels merge", &metav1.LabelSelector{MatchLabels: map[string]string{"a": "1"}}, &metav1.LabelSelector{MatchLabels: map[string]string{"b": "2"}, MatchExpressions: []metav1.LabelSelectorRequirement{req("c", metav1.LabelSelectorOpExists)}},
			&metav1.LabelSelector{MatchLabels: map[string]string{"a": "1", "b": "2"}, MatchExpressions: []metav1.LabelSelectorRequirement{req("c", metav1.LabelSelectorOpExists)}}},
		{"same key, other value: nothing matches", &metav1.LabelSelector{MatchLabels: map[string]string{"a": "1"}}, &metav1.LabelSelector{MatchLabels: map[string]string{"a": "2"}},
			&metav1.LabelSelector{MatchLabels: map[string]string{"a": "1"}, MatchExpressions: []metav1.LabelSelectorRequirement{req("a", metav1.LabelSelectorOpIn, "2")}}},
	}
	for _, tt := range tests {
		if got := andSelectors(tt.a, tt.b); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

func TestKyvernoBackgroundOnlyWithoutAdmissionVariables(t *testing.T) {
	tests := []struct {
		name       string
		spec       admissionregistrationv1.ValidatingAdmissionPolicySpec
		background bool
	}{
		{"object only", admissionregistrationv1.ValidatingAdmissionPolicySpec{Validations: []admissionregistrationv1.Validation{{Expression: `object.metadata.name != "request"`}}}, true},
		{"request in a validation", admissionregistrationv1.ValidatingAdmissionPolicySpec{Validations: []admissionregistrationv1.Validation{{Expression: `request.userInfo.username != ""`}}}, false},
		{"oldObject in a variable", admissionregistrationv1.ValidatingAdmissionPolicySpec{
			Variables:   []admissionregistrationv1.Variable{{Name: "old", Expression: `oldObject == null`}},
			Validations: []admissionregistrationv1.Validation{{Expression: `variables.old`}},
		}, false},
		{"authorizer in a message expression", admissionregistrationv1.ValidatingAdmissionPolicySpec{Validations: []admissionregistrationv1.Validation{{Expression: `true`, MessageExpression: `string(authorizer.group("").resource("pods").check("get").allowed())`}}}, false},
		{"a field named request", admissionregistrationv1.ValidatingAdmissionPolicySpec{Validations: []admissionregistrationv1.Validation{{Expression: `has(object.spec.request)`}}}, true},
	}
	for _, tt := range tests {
		if got := !readsAdmissionRequest(&tt.spec); got != tt.background {
			t.Errorf("%s: background %v, want %v", tt.name, got, tt.background)
		}
	}
}

func TestKyvernoPolicyRefusesParams(t *testing.T) {
	comp, err := NewCompiler("1.30")
	if err != nil {
		t.Fatal(err)
	}
	gs, err := generateOne(t, comp, governance.PolicyEntry{ID: "privileged-container"})
	if err != nil {
		t.Fatal(err)
	}
	g := gs[0]
	g.Policy.Spec.ParamKind = &admissionregistrationv1.ParamKind{APIVersion: "v1", Kind: "ConfigMap"}
	if _, err := KyvernoPolicy(g); err == nil || !strings.Contains(err.Error(), "params") {
		t.Errorf("error %v, want one about params", err)
	}
}

func TestMarshalKyvernoIsAStreamOfPolicies(t *testing.T) {
	comp, err := NewCompiler("1.30")
	if err != nil {
		t.Fatal(err)
	}
	gs, _, _ := kyvernoCorpus(t, comp)
	data, err := MarshalKyverno(gs)
	if err != nil {
		t.Fatal(err)
	}
	docs := strings.Split(string(data), "---\n")
	if len(docs) != len(gs) {
		t.Fatalf("%d documents, want %d", len(docs), len(gs))
	}
	for i, doc := range docs {
		var m map[string]any
		if err := yaml.Unmarshal([]byte(doc), &m); err != nil {
			t.Fatal(err)
		}
		u := unstructured.Unstructured{Object: m}
		if u.GetKind() != "ValidatingPolicy" || u.GetName() != gs[i].Policy.Name {
			t.Errorf("document %d: %s %s, want ValidatingPolicy %s", i, u.GetKind(), u.GetName(), gs[i].Policy.Name)
		}
		if _, found := m["status"]; found {
			t.Errorf("document %d has a status", i)
		}
		if _, found, _ := unstructured.NestedFieldNoCopy(m, "metadata", "creationTimestamp"); found {
			t.Errorf("document %d has a creationTimestamp", i)
		}
	}
}

// TestKyvernoPoliciesOnAPIServer installs Kyverno's published
// ValidatingPolicy CRD (testdata/kyverno) into a real kube-apiserver and
// creates every generated ValidatingPolicy with strict field validation:
// the apiserver checks each document against the CRD's structural schema
// and refuses unknown fields. Deliberately broken documents must be
// refused, so that the check can fail. One policy is created for real and
// read back unchanged.
func TestKyvernoPoliciesOnAPIServer(t *testing.T) {
	env := testenv.Shared(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if _, err := env.InstallCRDs(ctx, "testdata/kyverno"); err != nil {
		t.Fatal(err)
	}
	ri := env.Dynamic(t).Resource(kyvernoGVR)
	comp, err := NewCompiler("1.30")
	if err != nil {
		t.Fatal(err)
	}
	gs, _, _ := kyvernoCorpus(t, comp)
	data, err := MarshalKyverno(gs)
	if err != nil {
		t.Fatal(err)
	}
	docs, err := testenv.DecodeManifests(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != len(gs) {
		t.Fatalf("%d documents, want %d", len(docs), len(gs))
	}
	strict := metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}, FieldValidation: metav1.FieldValidationStrict}
	for _, doc := range docs {
		if _, err := ri.Create(ctx, doc, strict); err != nil {
			t.Errorf("%s: the apiserver refused it: %v", doc.GetName(), err)
		}
	}

	// Created for real and read back: the apiserver keeps every field as
	// written (nothing pruned), adding only defaults of its own.
	created, err := ri.Create(ctx, docs[0].DeepCopy(), metav1.CreateOptions{FieldValidation: metav1.FieldValidationStrict})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ri.Delete(context.Background(), created.GetName(), metav1.DeleteOptions{}) })
	got, err := ri.Get(ctx, created.GetName(), metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got.GetAPIVersion() != "policies.kyverno.io/v1" {
		t.Errorf("read back as %s", got.GetAPIVersion())
	}
	wantSpec, _, _ := unstructured.NestedMap(docs[0].Object, "spec")
	gotSpec, _, _ := unstructured.NestedMap(got.Object, "spec")
	if !reflect.DeepEqual(gotSpec, wantSpec) {
		t.Errorf("spec read back differs:\n got %v\nwant %v", gotSpec, wantSpec)
	}

	broken := []struct {
		name  string
		edit  func(u *unstructured.Unstructured) error
		field string
	}{
		{"unknown action", func(u *unstructured.Unstructured) error {
			return unstructured.SetNestedStringSlice(u.Object, []string{"Block"}, "spec", "validationActions")
		}, "spec.validationActions"},
		{"paramKind (a VAP field)", func(u *unstructured.Unstructured) error {
			return unstructured.SetNestedMap(u.Object, map[string]any{"apiVersion": "v1", "kind": "ConfigMap"}, "spec", "paramKind")
		}, "spec.paramKind"},
		{"unknown failure policy", func(u *unstructured.Unstructured) error {
			return unstructured.SetNestedField(u.Object, "Never", "spec", "failurePolicy")
		}, "spec.failurePolicy"},
		{"variable without an expression", func(u *unstructured.Unstructured) error {
			return unstructured.SetNestedSlice(u.Object, []any{map[string]any{"name": "x"}}, "spec", "variables")
		}, "spec.variables[0].expression"},
		{"evaluation.admission.enabled as a string", func(u *unstructured.Unstructured) error {
			return unstructured.SetNestedField(u.Object, "yes", "spec", "evaluation", "admission", "enabled")
		}, "spec.evaluation.admission.enabled"},
	}
	for _, b := range broken {
		u := docs[0].DeepCopy()
		u.SetName(u.GetName() + "-broken")
		if err := b.edit(u); err != nil {
			t.Fatal(err)
		}
		_, err := ri.Create(ctx, u, strict)
		switch {
		case err == nil:
			t.Errorf("%s: accepted", b.name)
		case !apierrors.IsInvalid(err) && !apierrors.IsBadRequest(err):
			t.Errorf("%s: refused for another reason: %v", b.name, err)
		case !strings.Contains(err.Error(), b.field):
			t.Errorf("%s: %v, want an error naming %s", b.name, err, b.field)
		}
	}
}
