package quota

import (
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/aigov/aigov/governance"
)

var resourceQuotaKind = schema.GroupKind{Kind: "ResourceQuota"}

// Checks returns the quota lint checks (fresh values each call). They run
// in Go only: no ValidatingAdmissionPolicy can see a whole namespace.
func Checks() []governance.Check {
	return []governance.Check{QuotaInvalidKey(), QuotaInertKey(), GPUWithoutQuota(),
		GPURequestLimitMismatch(), GPUAboveLimitRangeMax(), LimitRangeMaxBecomesDefault(), InvalidResourceQuantity()}
}
