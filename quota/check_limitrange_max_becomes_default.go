package quota

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/aigov/aigov/governance"
)

var limitRangeKind = schema.GroupKind{Kind: "LimitRange"}

// LimitRangeMaxBecomesDefault (limitrange-max-becomes-default) reports a
// LimitRange item of type Container whose max for a resource is also its
// default limit. The apiserver's defaulting of the LimitRange object
// (SetDefaults_LimitRangeItem) copies a max without a default into
// default, and default into defaultRequest when that is unset too, so every
// container that does not state the resource silently gets limit (and
// request) = max: a max of 4 nvidia.com/gpu hands 4 GPUs to every
// container that asked for none, and a cpu max becomes every container's
// reservation. The loader applies that defaulting as the apiserver does,
// and a LimitRange read from a cluster holds the copy too, so a missing
// default and one written equal to max look the same here; both mean the
// max is what every silent container gets. The finding points at the max.
func LimitRangeMaxBecomesDefault() governance.Definition {
	return definition(newLimitRangeMaxBecomesDefault, "LimitRanges")
}

func newLimitRangeMaxBecomesDefault() governance.Check {
	return governance.Check{
		ID:          "limitrange-max-becomes-default",
		Description: "LimitRange Container max that is also the default: every container that states nothing gets the max as limit and request",
		Severity:    governance.SeverityMedium,
		Remediation: "set a default (and defaultRequest) below max for every resource with a max, e.g. default nvidia.com/gpu: \"0\" beside max nvidia.com/gpu",
		Kinds:       []schema.GroupKind{limitRangeKind},
		Object: func(o *governance.Object) []governance.Violation {
			lr, ok := o.Obj.(*corev1.LimitRange)
			if !ok {
				return nil
			}
			lr = DefaultLimitRange(lr) // idempotent: the loader has applied it already
			var out []governance.Violation
			for i, it := range lr.Spec.Limits {
				if it.Type != corev1.LimitTypeContainer {
					continue
				}
				for _, k := range sortedKeys(it.Max) {
					m, d := it.Max[k], it.Default[k]
					if d.Cmp(m) != 0 {
						continue
					}
					req := it.DefaultRequest[k]
					out = append(out, governance.Violation{
						Path: fmt.Sprintf("spec.limits[%d].max[%s]", i, k),
						Message: fmt.Sprintf("max %s %s is also the default limit (a max without default is copied into default): a container that does not state %s gets limit %s and request %s",
							k, m.String(), k, m.String(), req.String()),
					})
				}
			}
			return out
		},
	}
}
