package governance

import "strings"

// kserveModelFields are the InferenceService predictor's fields that hold
// its model container: model and the framework shorthands the defaulting
// webhook rewrites into it (internal/operator kserve.go).
var kserveModelFields = []string{"model", "sklearn", "tensorflow", "xgboost", "pytorch", "triton", "onnx", "huggingface", "pmml", "lightgbm", "paddle"}

// CELModelContainer is the CEL list a WithOperatorModels mapping returns
// to judge model container m: one container named as KServe names it
// (kserve-container when unnamed) with fields, each `"key": dyn(value)`
// (dyn: the apiserver's CEL wants one value type in a map literal).
func CELModelContainer(fields ...string) string {
	return `[{"name": dyn(m.?name.orValue("kserve-container"))` + strings.Join(append([]string{""}, fields...), `, `) + `}]`
}

// WithOperatorModels is WithOperators, and the operators' policy also
// judges the container an InferenceService writes outside its pod specs:
// its predictor's model (or framework shorthand). The Go checks judge the
// model as a container of the predictor on the fields it writes, the rest
// (an image, a limit, a probe it leaves out) coming from the
// ServingRuntime, which has its own policy. judge is the CEL expression
// that maps the model container m to what the check's validations read of
// it: CELModelContainer with the fields it writes (absent ones given a
// value that passes), or [] when nothing of it can be judged. The
// containers judged join VarPodSpecs (so VarPodContainers and
// VarPodContainersAndInit) as pod specs of their own holding the
// predictor's securityContext and hostUsers, which judge a container;
// they stay out of VarPodFieldSpecs, having no other pod field.
func WithOperatorModels(a *Admission, judge string) *Admission {
	WithOperators(a)
	var models []string
	for _, f := range kserveModelFields {
		models = append(models, celOptional("spec.predictor."+f))
	}
	specs := `(` + strings.Join(models, ` + `) + `).map(m, ` + judge + `).filter(l, l.size() > 0).map(l, ` +
		`{"securityContext": dyn(object.spec.predictor.?securityContext.orValue({})), ` +
		`"hostUsers": dyn(object.spec.predictor.?hostUsers.orValue(true)), "containers": dyn(l)})`
	var isvc string
	for _, t := range operatorTemplateTable() {
		if t.kind == "InferenceService" {
			isvc = t.podSpecs
		}
	}
	for i, v := range a.Operators.Variables {
		switch v.Name {
		case VarPodSpecs:
			v.Expression = `(` + v.Expression + `) + (object.kind == "InferenceService" ? ` + specs + ` : [])`
		case VarPodFieldSpecs:
			v.Expression = `object.kind == "InferenceService" ? (` + isvc + `) : (` + v.Expression + `)`
		}
		a.Operators.Variables[i] = v
	}
	return a
}
