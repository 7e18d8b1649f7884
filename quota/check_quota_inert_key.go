package quota

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/aigov/aigov/governance"
)

// QuotaInertKey (quota-inert-key) reports a ResourceQuota key the
// apiserver stores but no quota evaluator tracks: nvidia.com/gpu or
// limits.nvidia.com/gpu instead of requests.nvidia.com/gpu. The quota
// looks like a cap in `kubectl get quota` and caps nothing; status.used
// never gets an entry for the key.
func QuotaInertKey() governance.Definition {
	return definition(newQuotaInertKey, "ResourceQuotas")
}

func newQuotaInertKey() governance.Check {
	return governance.Check{
		ID:          "quota-inert-key",
		Description: "ResourceQuota key that is stored but never enforced",
		Severity:    governance.SeverityHigh,
		Remediation: "extended resources are limited only as requests.<name>, e.g. requests.nvidia.com/gpu",
		Kinds:       []schema.GroupKind{resourceQuotaKind},
		Object: func(o *governance.Object) []governance.Violation {
			rq, ok := o.Obj.(*corev1.ResourceQuota)
			if !ok || len(ValidateQuota(rq)) > 0 {
				return nil
			}
			var out []governance.Violation
			for _, k := range sortedKeys(rq.Spec.Hard) {
				class, reason, fix := ClassifyKey(k)
				if class != KeyInert {
					continue
				}
				msg := fmt.Sprintf("key %s is never enforced: %s", k, reason)
				if fix != "" {
					msg += fmt.Sprintf(" (use %s)", fix)
				}
				out = append(out, governance.Violation{Path: "spec.hard[" + string(k) + "]", Message: msg})
			}
			return out
		},
	}
}
