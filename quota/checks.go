package quota

import (
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/aigov/aigov/governance"
)

var resourceQuotaKind = schema.GroupKind{Kind: "ResourceQuota"}

// Checks returns the quota checks as governance definitions (fresh values
// each call): ResourceQuota keys the apiserver refuses or never enforces,
// GPU workloads no quota caps, LimitRange pitfalls and negative
// quantities. They run in Go only: no ValidatingAdmissionPolicy can see a
// whole namespace. None takes parameters.
func Checks() []governance.Definition {
	return []governance.Definition{QuotaInvalidKey(), QuotaInertKey(), GPUWithoutQuota(),
		GPURequestLimitMismatch(), GPUAboveLimitRangeMax(), LimitRangeMaxBecomesDefault(), InvalidResourceQuantity()}
}

// definition is the Definition of a check without parameters: the ID,
// description and severity are those of the check build returns, kinds
// name what it judges (for people).
func definition(build func() governance.Check, kinds ...string) governance.Definition {
	c := build()
	return governance.Definition{
		ID: c.ID, Description: c.Description, Severity: c.Severity, Kinds: kinds, Requires: c.Requires,
		VAP: c.Admission != nil,
		New: func(params any) (governance.Check, error) {
			if err := governance.NoParams(params); err != nil {
				return governance.Check{}, err
			}
			return build(), nil
		},
	}
}
