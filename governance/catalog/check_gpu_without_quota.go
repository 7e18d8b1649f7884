// gpu-without-quota wraps quota.GPUWithoutQuota() as a catalog check: a
// namespace running GPU workloads without an enforced requests.<gpu
// resource> ResourceQuota key (invalid and inert keys do not count), or
// holding DRA ResourceClaims for GPU-class devices without a key that caps
// the class, or workloads whose pods take GPU-class devices through a
// ResourceClaimTemplate of the input without such a key (one finding per
// workload and class), so the team can take every GPU of the cluster. The
// evaluation is package quota's; the catalog adds the definition, controls
// and the Default set.

package catalog

import (
	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/quota"
)

// IDGPUWithoutQuota is the catalog ID of the gpu-without-quota check.
const IDGPUWithoutQuota = "gpu-without-quota"

func gPUWithoutQuotaDefinition() governance.Definition {
	c := quota.GPUWithoutQuota()
	return governance.Definition{
		ID: IDGPUWithoutQuota, Description: c.Description, Severity: c.Severity,
		Kinds: []string{"Namespaces running GPU workloads (inventory: ResourceQuotas)"},
		New:   NewGPUWithoutQuota,
	}
}

// NewGPUWithoutQuota builds the gpu-without-quota check (quota.GPUWithoutQuota). It takes no parameters.
func NewGPUWithoutQuota(params any) (governance.Check, error) {
	if err := noParams(params); err != nil {
		return governance.Check{}, err
	}
	return quota.GPUWithoutQuota(), nil
}
