package cel

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/internal/golden"
)

// TestGoldenPolicies pins the generated policy and binding of every corpus
// entry (testdata/golden/<entry>.yaml; go test -run TestGoldenPolicies -update).
func TestGoldenPolicies(t *testing.T) {
	comp, err := NewCompiler("")
	if err != nil {
		t.Fatal(err)
	}
	for _, dc := range corpus(t) {
		label := diffLabel(dc.entry)
		t.Run(label, func(t *testing.T) {
			gs, err := comp.GenerateEntry("golden", dc.entry, testDefinitions())
			if err != nil {
				t.Fatal(err)
			}
			got, err := Marshal(gs)
			if err != nil {
				t.Fatal(err)
			}
			golden.Assert(t, filepath.Join("testdata", "golden", label+".yaml"), got)
		})
	}
}

// TestGeneratedPoliciesCompileOnEveryTarget compiles every generated policy
// for 1.30 and for 1.37 (NewExpressions).
func TestGeneratedPoliciesCompileOnEveryTarget(t *testing.T) {
	for _, v := range []string{"1.30", "1.37"} {
		comp, err := NewCompiler(v)
		if err != nil {
			t.Fatal(err)
		}
		for _, dc := range corpus(t) {
			for _, g := range entryPolicies(t, comp, "p", dc.entry) {
				if err := compileValidator(newEnvCache(), g.Policy).CompileError(); err != nil {
					t.Errorf("%s: StoredExpressions: %v", g.Policy.Name, err)
				}
			}
		}
	}
}

func TestCompileNamesTheVersionARuleNeeds(t *testing.T) {
	tests := []struct {
		expr, target, needs string
	}{
		{`isSemver(object.metadata.name)`, "1.30", "1.33"},
		{`format.dns1123Label().validate(object.metadata.name).hasValue()`, "1.30", "1.31"},
		{`[3, 1].sort() == [1, 3]`, "1.33", "1.34"},
		{`object.metadata.labels.all(k, v, v != "")`, "1.31", "1.32"},
		{`isSemver(object.metadata.name)`, "1.33", ""},
		{`ip("10.0.0.1").family() == 4`, "1.30", ""},
		{`object.metadata.name.alll()`, "1.30", "never"},
	}
	for _, tt := range tests {
		comp, err := NewCompiler(tt.target)
		if err != nil {
			t.Fatal(err)
		}
		_, err = comp.Compile(Rule{Name: "r", Expression: tt.expr})
		var ee *ExpressionError
		switch {
		case tt.needs == "":
			if err != nil {
				t.Errorf("%s at %s: %v", tt.expr, tt.target, err)
			}
		case !errors.As(err, &ee):
			t.Errorf("%s at %s: error %v, want an ExpressionError", tt.expr, tt.target, err)
		case tt.needs == "never" && ee.Needs != "":
			t.Errorf("%s: needs %q, want a plain error", tt.expr, ee.Needs)
		case tt.needs != "never" && (ee.Needs != tt.needs || !strings.Contains(err.Error(), `rule "r"`)):
			t.Errorf("%s at %s: %v, want needs %s", tt.expr, tt.target, err, tt.needs)
		}
	}
	if _, err := NewCompiler("1.29"); err == nil {
		t.Error("1.29 accepted: VAP v1 needs 1.30")
	}
}

func TestRuleOnTypedAndUnstructuredObjects(t *testing.T) {
	comp, err := NewCompiler("1.30")
	if err != nil {
		t.Fatal(err)
	}
	gpu := func(q string) *corev1.Pod {
		return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns"}, Spec: corev1.PodSpec{Containers: []corev1.Container{{
			Name: "c", Image: "x", Resources: corev1.ResourceRequirements{Limits: corev1.ResourceList{"nvidia.com/gpu": resource.MustParse(q)}},
		}}}}
	}
	cases := []struct {
		name    string
		rule    Rule
		pod     *corev1.Pod
		u       *unstructured.Unstructured
		allowed bool
		message string
	}{
		{"quantity ok", Rule{Expression: `object.spec.containers.all(c, quantity(c.resources.limits["nvidia.com/gpu"]).compareTo(quantity("2")) <= 0)`}, gpu("2000m"), nil, true, ""},
		{"quantity over", Rule{Expression: `object.spec.containers.all(c, quantity(c.resources.limits["nvidia.com/gpu"]).compareTo(quantity("2")) <= 0)`, Message: "too many GPUs"}, gpu("3"), nil, false, "too many GPUs"},
		{"string compare is a runtime error", Rule{Expression: `object.spec.containers.all(c, c.resources.limits["nvidia.com/gpu"] > 1)`}, gpu("3"), nil, false, "no such overload"},
		{"error ignored", Rule{Expression: `object.spec.containers.all(c, c.resources.limits["nvidia.com/gpu"] > 1)`, FailurePolicy: "Ignore"}, gpu("3"), nil, true, ""},
		{"messageExpression", Rule{Expression: `false`, MessageExpression: `"pod " + object.metadata.name + " in " + namespaceObject.metadata.name`}, gpu("1"), nil, false, "pod p in ns"},
		{"multi-line messageExpression falls back", Rule{Expression: `false`, Message: "fallback", MessageExpression: `"a\nb"`}, gpu("1"), nil, false, "fallback"},
		{"unstructured CRD", Rule{Expression: `object.spec.replicas <= 2`, Message: "too many replicas"}, nil,
			&unstructured.Unstructured{Object: map[string]any{"apiVersion": "serving.kserve.io/v1beta1", "kind": "InferenceService",
				"metadata": map[string]any{"name": "m", "namespace": "ns"}, "spec": map[string]any{"replicas": int64(3)}}}, false, "too many replicas"},
		{"cost limit", Rule{Expression: `[1,2,3,4,5,6,7,8,9,10].all(a, [1,2,3,4,5,6,7,8,9,10].all(b, [1,2,3,4,5,6,7,8,9,10].all(c, [1,2,3,4,5,6,7,8,9,10].all(d, [1,2,3,4,5,6,7,8,9,10].all(e, [1,2,3,4,5,6,7,8,9,10].all(f, true))))))`}, gpu("1"), nil, false, "cost"},
	}
	for _, c := range cases {
		prog, err := comp.Compile(c.rule)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var r Result
		if c.u != nil {
			r = prog.Evaluate(context.Background(), c.u, Input{})
		} else {
			r = prog.Evaluate(context.Background(), c.pod, Input{})
		}
		if r.Allowed != c.allowed || !strings.Contains(r.Message, c.message) {
			t.Errorf("%s: allowed=%v message=%q error=%q, want %v %q", c.name, r.Allowed, r.Message, r.Error, c.allowed, c.message)
		}
	}
}

func TestCustomCELParams(t *testing.T) {
	def := CustomCELDefinition()
	for _, bad := range []string{``, `{}`, `{"expression": "true", "extra": 1}`, `{"expression": "1 + 1"}`, `{"expression": "true", "failurePolicy": "Maybe"}`, `{"expression": "true", "message": "a\nb"}`} {
		if _, err := def.New([]byte(bad)); err == nil {
			t.Errorf("params %s accepted", bad)
		}
	}
	check, err := def.New([]byte(`{"expression": "object.metadata.name.startsWith('ml-')", "message": "names start with ml-"}`))
	if err != nil {
		t.Fatal(err)
	}
	l, _ := governance.NewLoader()
	objs, err := l.Decode("x.yaml", []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: ml-a}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if v := check.Object(objs[0]); len(v) != 1 || v[0].Message != "names start with ml-" {
		t.Errorf("web: %v", v)
	}
	if v := check.Object(objs[1]); len(v) != 0 {
		t.Errorf("ml-a: %v", v)
	}
}
