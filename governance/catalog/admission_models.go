package catalog

import "github.com/aigov/aigov/governance"

// What the pod checks' operator policies judge of an InferenceService
// predictor's model (governance.WithOperatorModels): the fields the model
// writes, as the Go checks judge it; a field it leaves out comes from its
// ServingRuntime and is given a value that passes (run-as-non-root's
// judge is in its check's file).
var (
	// modelSecurityContext: privileged as written.
	modelSecurityContext = governance.CELModelContainer(`"securityContext": dyn(m.?securityContext.orValue({}))`)
	// modelResources: requests and limits as written.
	modelResources = governance.CELModelContainer(`"resources": dyn(m.?resources.orValue({}))`)
	// modelImage: the image when the model sets one.
	modelImage = `m.?image.hasValue() ? ` + governance.CELModelContainer(`"image": dyn(m.image)`) + ` : []`
	// modelLimits: the cpu and memory limits as written.
	modelLimits = governance.CELModelContainer(`"resources": dyn({"limits": dyn({` +
		`"cpu": dyn(m.?resources.?limits[?"cpu"].orValue("0")), ` +
		`"memory": dyn(m.?resources.?limits[?"memory"].orValue("0"))})})`)
)

// withModels is governance.WithOperatorModels with the judge first, so
// that an admission literal can close the call.
func withModels(judge string, a *governance.Admission) *governance.Admission {
	return governance.WithOperatorModels(a, judge)
}
