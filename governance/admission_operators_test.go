package governance

import (
	"slices"
	"strings"
	"testing"
)

// TestOperatorTemplateTableCoversTheOperatorKinds: every AI operator kind
// whose resources hold pod templates has its CEL paths, and only those;
// a TrainJob (its pods come from its runtime) has none.
func TestOperatorTemplateTableCoversTheOperatorKinds(t *testing.T) {
	var kinds []string
	for _, gk := range OperatorKinds() {
		kinds = append(kinds, gk.Kind)
	}
	table := map[string]bool{}
	for _, e := range operatorTemplateTable() {
		if !slices.Contains(kinds, e.kind) {
			t.Errorf("%s: not an operator kind", e.kind)
		}
		if table[e.kind] {
			t.Errorf("%s: listed twice", e.kind)
		}
		table[e.kind] = e.partial
	}
	for _, k := range kinds {
		if _, ok := table[k]; !ok && k != "TrainJob" {
			t.Errorf("%s: no pod template paths", k)
		}
	}
	if _, ok := table["TrainJob"]; ok {
		t.Error("TrainJob holds no template, yet has paths")
	}
	for _, k := range []string{"ServingRuntime", "ClusterServingRuntime"} {
		if !table[k] {
			t.Errorf("%s: not partial", k)
		}
	}
}

func TestOperatorAdmissionRules(t *testing.T) {
	var resources []string
	for _, r := range OperatorAdmissionRules() {
		for _, res := range r.Resources {
			resources = append(resources, strings.Join(r.APIGroups, ",")+"/"+strings.Join(r.APIVersions, ",")+"/"+res)
		}
	}
	for _, want := range []string{"ray.io/v1/rayclusters", "kubeflow.org/v1/pytorchjobs", "kubeflow.org/v2beta1/mpijobs",
		"kubeflow.org/v1,v1alpha1,v1beta1/notebooks", "trainer.kubeflow.org/v1alpha1/clustertrainingruntimes",
		"serving.kserve.io/v1alpha1,v1alpha2/llminferenceservices", "leaderworkerset.x-k8s.io/v1/leaderworkersets"} {
		if !slices.Contains(resources, want) {
			t.Errorf("no rule for %s in %v", want, resources)
		}
	}
	if slices.ContainsFunc(resources, func(r string) bool { return strings.HasSuffix(r, "/trainjobs") }) {
		t.Errorf("trainjobs matched: %v", resources)
	}
}

// TestWithOperatorsReplacesThePodSpecs: the operators' form keeps the
// validations and variable names and reads the pod specs by kind.
func TestWithOperatorsReplacesThePodSpecs(t *testing.T) {
	a := &Admission{Rules: PodAdmissionRules(), Variables: append(PodSpecsAdmissionVariables(), PodFieldSpecsVariable())}
	WithOperators(a)
	op := a.Operators
	if op == nil || len(op.Variables) != len(a.Variables) {
		t.Fatalf("operators form %+v", op)
	}
	for i, v := range op.Variables {
		if v.Name != a.Variables[i].Name {
			t.Errorf("variable %d: %s, want %s", i, v.Name, a.Variables[i].Name)
		}
		switch v.Name {
		case VarPodSpecs:
			if !strings.Contains(v.Expression, `object.kind == "RayCluster"`) || !strings.Contains(v.Expression, "workerGroupSpecs") {
				t.Errorf("podSpecs: %s", v.Expression)
			}
		case VarPodFieldSpecs:
			if !strings.HasPrefix(v.Expression, `object.kind in ["ServingRuntime", "ClusterServingRuntime"] ? []`) {
				t.Errorf("podFieldSpecs: %s", v.Expression)
			}
		default:
			if v.Expression != a.Variables[i].Expression {
				t.Errorf("%s changed: %s", v.Name, v.Expression)
			}
		}
	}
}
