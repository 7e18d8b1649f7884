package cel

import (
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"

	"github.com/aigov/aigov/governance"
)

// mutatingCatalogEntries are the entries of every check with safe
// defaults, parameters included where they change the mutation.
var mutatingCatalogEntries = []governance.PolicyEntry{
	{ID: "automount-token"},
	{ID: "pod-security-level"},
	{ID: "run-as-non-root"},
	runAsNonRootImagesEntry,
	{ID: "required-labels", Params: json.RawMessage(`{"labels": [{"key": "team", "allowedRegex": "[a-z]+"}]}`)},
	{ID: "gpu-node-targeting"},
}

// TestEstimateMutatingCostOfCatalog: every mutating policy the catalog
// generates is estimated expression by expression, Total the highest
// mutation and each mutation above the runtime budget named in a warning.
// (Most are: a worst-case 3 MiB object of tiny containers, as for the
// validating policies without size guards; the operators' ones, over
// kinds of no known schema, are often unbounded.)
func TestEstimateMutatingCostOfCatalog(t *testing.T) {
	comp, err := NewCompiler("1.36")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range mutatingCatalogEntries {
		gs, err := comp.GenerateMutating(&governance.Policy{Name: "c", Entries: []governance.PolicyEntry{e}}, testDefinitions())
		if err != nil || len(gs) == 0 {
			t.Fatalf("%s: %v (%d policies)", e.ID, err, len(gs))
		}
		for _, g := range gs {
			r := g.Cost
			spec := g.Policy.Spec
			if len(r.Expressions) != len(spec.Variables)+len(spec.Mutations) {
				t.Errorf("%s: %d estimates for %d variables and %d mutations: %+v", g.Policy.Name, len(r.Expressions), len(spec.Variables), len(spec.Mutations), r.Expressions)
				continue
			}
			var highest uint64
			for i, x := range r.Expressions {
				// The team label's policy matches every version ("*") of
				// its kinds: no kind is resolved, as for the apiserver's
				// type checker.
				if x.Max == 0 || (!g.Operators && x.Kind == "" && g.ID != "required-labels") {
					t.Errorf("%s: %s estimated %d against %q", g.Policy.Name, x.Field, x.Max, x.Kind)
				}
				if i < len(spec.Variables) {
					continue
				}
				if !strings.HasPrefix(x.Field, "mutations[") {
					t.Errorf("%s: estimate %d is %s, want a mutation", g.Policy.Name, i, x.Field)
				}
				highest = max(highest, x.Max)
				warned := slices.ContainsFunc(r.Warnings, func(w string) bool {
					return strings.HasPrefix(w, x.Field+":") && strings.Contains(w, "runtime budget")
				})
				if warned != (x.Max > RuntimeCostBudget) {
					t.Errorf("%s: %s estimated %d, budget warning %v: %q", g.Policy.Name, x.Field, x.Max, warned, r.Warnings)
				}
			}
			if r.Total != highest {
				t.Errorf("%s: total %d, highest mutation %d", g.Policy.Name, r.Total, highest)
			}
			if again := comp.EstimateMutatingCost(&g.Policy.Spec); again.Total != r.Total {
				t.Errorf("%s: a second estimate %d, first %d", g.Policy.Name, again.Total, r.Total)
			}
			t.Logf("%s: total %d", g.Policy.Name, r.Total)
		}
	}
}

func podMutatingSpec(vars []admissionregistrationv1.Variable, ms ...admissionregistrationv1.Mutation) *admissionregistrationv1.MutatingAdmissionPolicySpec {
	return &admissionregistrationv1.MutatingAdmissionPolicySpec{
		MatchConstraints: &admissionregistrationv1.MatchResources{ResourceRules: []admissionregistrationv1.NamedRuleWithOperations{governance.AdmissionRule([]string{""}, []string{"v1"}, []string{"pods"})}},
		Variables:        vars,
		Mutations:        ms,
	}
}

func jsonPatchMutation(expr string) admissionregistrationv1.Mutation {
	return admissionregistrationv1.Mutation{PatchType: admissionregistrationv1.PatchTypeJSONPatch, JSONPatch: &admissionregistrationv1.JSONPatch{Expression: expr}}
}

// TestEstimateMutatingCostPatchTypes: the patch types (JSONPatch{...},
// Object{...}, jsonpatch.escapeKey) compile in the estimation
// environment, the variables a mutation reads are charged to it, each
// mutation is held to the runtime budget on its own, and the validating
// policies' environment knows no patch types.
func TestEstimateMutatingCostPatchTypes(t *testing.T) {
	comp, err := NewCompiler("1.36")
	if err != nil {
		t.Fatal(err)
	}
	cheap := jsonPatchMutation(`[JSONPatch{op: "add", path: "/metadata/labels/" + jsonpatch.escapeKey("a/b"), value: "x"}]`)
	apply := admissionregistrationv1.Mutation{PatchType: admissionregistrationv1.PatchTypeApplyConfiguration,
		ApplyConfiguration: &admissionregistrationv1.ApplyConfiguration{Expression: `Object{spec: Object.spec{automountServiceAccountToken: false}}`}}
	nested := jsonPatchMutation(`object.spec.containers.all(a, object.spec.containers.all(b, a.name == b.name || a.image != b.image)) ? [] : [JSONPatch{op: "add", path: "/spec/hostIPC", value: false}]`)
	r := comp.EstimateMutatingCost(podMutatingSpec(nil, cheap, apply))
	if len(r.Expressions) != 2 || r.Expressions[0].Field != "mutations[0].jsonPatch.expression" || r.Expressions[1].Field != "mutations[1].applyConfiguration.expression" {
		t.Fatalf("patch types not estimated: %+v", r)
	}
	if r.Expressions[0].Max > 100 || r.Expressions[1].Max > 100 || r.Expressions[0].Kind != "/v1, Kind=Pod" || len(r.Warnings) != 0 {
		t.Errorf("cheap mutations: %+v", r)
	}
	if v := comp.EstimateCost(&admissionregistrationv1.ValidatingAdmissionPolicySpec{Validations: []admissionregistrationv1.Validation{{Expression: `[JSONPatch{op: "add", path: "/x"}].size() == 1`}}}); len(v.Expressions) != 0 {
		t.Errorf("a validation compiled with patch types: %+v", v)
	}

	expensive := comp.EstimateMutatingCost(podMutatingSpec(nil, cheap, nested))
	if len(expensive.Expressions) != 2 || expensive.Expressions[1].Max <= RuntimeCostBudget || expensive.Total != expensive.Expressions[1].Max ||
		len(expensive.Warnings) != 2 || !strings.Contains(expensive.Warnings[1], "mutations[1].jsonPatch.expression") || !strings.Contains(expensive.Warnings[1], "runtime budget") {
		t.Errorf("expensive mutation: %+v", expensive)
	}

	// A variable is charged to the mutation that reads it, not to Total
	// on its own: the mutations run under budgets of their own.
	v := admissionregistrationv1.Variable{Name: "pairs", Expression: `object.spec.containers.map(a, object.spec.containers.map(b, a.name + b.name))`}
	reads := jsonPatchMutation(`variables.pairs.size() > 0 ? [] : [JSONPatch{op: "add", path: "/spec/hostIPC", value: false}]`)
	withVar := comp.EstimateMutatingCost(podMutatingSpec([]admissionregistrationv1.Variable{v}, cheap, reads))
	if len(withVar.Expressions) != 3 || withVar.Expressions[0].Field != "variables[0] (pairs)" ||
		withVar.Expressions[2].Max < withVar.Expressions[0].Max || withVar.Total != withVar.Expressions[2].Max ||
		withVar.Expressions[1].Max > 100 || withVar.Total == math.MaxUint64 {
		t.Errorf("variables: %+v", withVar)
	}
}
