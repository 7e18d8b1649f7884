package cel

import (
	"math"
	"slices"
	"strings"
	"testing"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/catalog"
)

func podPolicySpec(validation string, vars ...admissionregistrationv1.Variable) *admissionregistrationv1.ValidatingAdmissionPolicySpec {
	return &admissionregistrationv1.ValidatingAdmissionPolicySpec{
		MatchConstraints: &admissionregistrationv1.MatchResources{ResourceRules: []admissionregistrationv1.NamedRuleWithOperations{governance.AdmissionRule([]string{""}, []string{"v1"}, []string{"pods"})}},
		Variables:        vars,
		Validations:      []admissionregistrationv1.Validation{{Expression: validation}},
	}
}

func TestEstimateCostCheapAndExpensive(t *testing.T) {
	comp, err := NewCompiler("1.30")
	if err != nil {
		t.Fatal(err)
	}
	cheap := comp.EstimateCost(podPolicySpec(`object.metadata.name.size() < 64`))
	if len(cheap.Expressions) != 1 || cheap.Expressions[0].Max > 10 || len(cheap.Warnings) != 0 || cheap.Expressions[0].Kind != "/v1, Kind=Pod" {
		t.Errorf("cheap: %+v", cheap)
	}
	// A nested comprehension over every container's env of every container.
	expensive := comp.EstimateCost(podPolicySpec(`object.spec.containers.all(a, object.spec.containers.all(b, a.name == b.name || a.image != b.image))`))
	if len(expensive.Expressions) != 1 || expensive.Expressions[0].Max <= RuntimeCostBudget || len(expensive.Warnings) != 2 {
		t.Errorf("expensive: %+v", expensive)
	}
	for _, w := range expensive.Warnings {
		if !strings.Contains(w, "exceeds") {
			t.Errorf("warning %q", w)
		}
	}
	t.Logf("cheap %d, expensive %d", cheap.Expressions[0].Max, expensive.Expressions[0].Max)
}

// unboundedChecks are the checks whose -operators policy the cost
// estimator cannot bound: the policies of the AI-classification checks
// build each derived pod's labels, images and GPU flags as lists the
// estimator cannot size (it knows no schema of a custom resource),
// although they judge at most 16 derived pods. Their runtime cost at that
// guard, on a resource as large as the guard lets through, is measured
// instead (TestDerivedPodsGuardAndRuntimeCost).
var unboundedChecks = map[string]bool{catalog.IDAIWorkloadOwnServiceAccount: true, catalog.IDShadowAI: true,
	catalog.IDSensitiveWorkloadClassification: true} // TestSensitiveClassificationOperatorsRuntimeCost

func TestEstimateCostOfCatalog(t *testing.T) {
	comp, err := NewCompiler("1.30")
	if err != nil {
		t.Fatal(err)
	}
	for _, dc := range corpus(t) {
		for _, g := range entryPolicies(t, comp, "p", dc.entry) {
			r := comp.EstimateCost(&g.Policy.Spec)
			if len(r.Expressions) == 0 {
				t.Errorf("%s: no estimate", g.Policy.Name)
			}
			for _, e := range r.Expressions {
				if e.Max == math.MaxUint64 && !(unboundedChecks[dc.entry.ID] && strings.HasSuffix(g.Policy.Name, "-operators")) {
					t.Errorf("%s: %s unbounded", g.Policy.Name, e.Field)
				}
				t.Logf("%s %s %s %d", g.Policy.Name, e.Field, e.Kind, e.Max)
			}
			t.Logf("%s total %d warnings %q", g.Policy.Name, r.Total, r.Warnings)
		}
	}
}

func TestProgramEstimatedCost(t *testing.T) {
	comp, err := NewCompiler("1.30")
	if err != nil {
		t.Fatal(err)
	}
	cost := func(expr string) (uint64, uint64) {
		t.Helper()
		p, err := comp.Compile(Rule{Expression: expr})
		if err != nil {
			t.Fatal(err)
		}
		min, max := p.EstimatedCost()
		if min > max {
			t.Errorf("%s: min %d > max %d", expr, min, max)
		}
		if min2, max2 := p.EstimatedCost(); min2 != min || max2 != max {
			t.Errorf("%s: second estimate %d..%d, first %d..%d", expr, min2, max2, min, max)
		}
		t.Logf("%s: %d..%d", expr, min, max)
		return min, max
	}
	if min, max := cost(`true`); min != 0 || max != 0 {
		t.Errorf("true: %d..%d, want 0..0", min, max)
	}
	// A field access and a comparison: a few units.
	if _, max := cost(`object.metadata.name == "a"`); max == 0 || max > 10 {
		t.Errorf("field comparison: max %d", max)
	}
	// A comprehension over containers of an object of no known kind is
	// bounded by the most list items a request holds.
	_, one := cost(`object.spec.containers.all(c, c.name != "")`)
	if one <= 100_000 || one == math.MaxUint64 {
		t.Errorf("one comprehension: max %d, want a bound above 100000", one)
	}
	// Nested over the same list: beyond the per-call limit.
	_, nested := cost(`object.spec.containers.all(a, object.spec.containers.all(b, a.name == b.name || a.image != b.image))`)
	if nested <= PerCallLimit || nested <= one {
		t.Errorf("nested comprehension: max %d, want above %d", nested, PerCallLimit)
	}
	// The estimate of a policy's expression against no kind is the rule's.
	r := comp.EstimateCost(&admissionregistrationv1.ValidatingAdmissionPolicySpec{Validations: []admissionregistrationv1.Validation{{Expression: `object.spec.containers.all(c, c.name != "")`}}})
	if len(r.Expressions) != 1 || r.Expressions[0].Max != one {
		t.Errorf("EstimateCost %+v, Program.EstimatedCost max %d", r, one)
	}
}

// TestEstimateCostReadsOfUnboundedVariables: an expression that reads a
// variable whose estimate is unbounded (through variables.name or
// variables.?name, directly or through another variable) is reported
// unbounded without being inlined, as inlining it reports it; one that
// reads only bounded variables keeps its inlined estimate.
func TestEstimateCostReadsOfUnboundedVariables(t *testing.T) {
	comp, err := NewCompiler("1.30")
	if err != nil {
		t.Fatal(err)
	}
	cs := "object.spec.containers"
	huge := cs + `.map(a, ` + cs + `.map(b, ` + cs + `.map(c, ` + cs + `.map(d, ` + cs + `.map(e, a.name + b.name + c.name + d.name + e.name)))))`
	names := cs + `.map(c, c.name)`
	// Inlined by hand, the reading expression is unbounded too.
	direct := comp.EstimateCost(podPolicySpec(`size(` + huge + `) > 0`))
	if direct.Expressions[0].Max != math.MaxUint64 {
		t.Fatalf("the nested comprehension is bounded (%d): the test needs an unbounded variable", direct.Expressions[0].Max)
	}
	spec := podPolicySpec(`size(variables.huge) > 0`,
		admissionregistrationv1.Variable{Name: "huge", Expression: huge},
		admissionregistrationv1.Variable{Name: "names", Expression: names},
		admissionregistrationv1.Variable{Name: "hugeToo", Expression: `variables.?huge.orValue([])`},
	)
	spec.Validations = append(spec.Validations,
		admissionregistrationv1.Validation{Expression: `size(variables.hugeToo) > 0`},
		admissionregistrationv1.Validation{Expression: `size(variables.names) < 10`})
	r := comp.EstimateCost(spec)
	byField := map[string]uint64{}
	for _, e := range r.Expressions {
		byField[e.Field] = e.Max
	}
	bounded := comp.EstimateCost(podPolicySpec(`size(` + names + `) < 10`)).Expressions[0].Max
	for field, want := range map[string]uint64{
		"variables[0] (huge)": math.MaxUint64, "variables[1] (names)": byField["variables[1] (names)"], "variables[2] (hugeToo)": math.MaxUint64,
		"validations[0].expression": math.MaxUint64, "validations[1].expression": math.MaxUint64, "validations[2].expression": bounded,
	} {
		if got, ok := byField[field]; !ok || got != want {
			t.Errorf("%s: estimate %d (reported %v), want %d", field, got, ok, want)
		}
	}
	if bounded == math.MaxUint64 || r.Total != math.MaxUint64 {
		t.Errorf("bounded validation %d, total %d", bounded, r.Total)
	}
}

func TestVariablesRead(t *testing.T) {
	comp, err := NewCompiler("1.30")
	if err != nil {
		t.Fatal(err)
	}
	env, err := comp.estimationEnv(false, false)
	if err != nil {
		t.Fatal(err)
	}
	a, iss := env.Compile(`variables.a.size() + variables.?b.orValue([]).size() + object.variables.size() + [variables].size() > 0`)
	if iss.Err() != nil {
		t.Fatal(iss.Err())
	}
	if got := variablesRead(a); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("variablesRead = %q, want [a b]", got)
	}
}
