// gpu-above-limitrange-max wraps quota.GPUAboveLimitRangeMax() as a catalog
// check: a container asking for more of a GPU resource than the Container
// max of a LimitRange in its namespace, which LimitRanger admission
// rejects. Unlike gpu-per-container-max (a policy maximum given as a
// parameter) it reads the max the namespace itself declares. The
// evaluation is package quota's; the catalog adds the definition,
// controls and the Default set.

package catalog

import (
	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/quota"
)

// IDGPUAboveLimitRangeMax is the catalog ID of the gpu-above-limitrange-max check.
const IDGPUAboveLimitRangeMax = "gpu-above-limitrange-max"

func gpuAboveLimitRangeMaxDefinition() governance.Definition {
	c := quota.GPUAboveLimitRangeMax()
	return governance.Definition{
		ID: IDGPUAboveLimitRangeMax, Description: c.Description, Severity: c.Severity,
		Kinds: []string{PodsAndWorkloads + " (inventory: LimitRanges)"},
		New:   NewGPUAboveLimitRangeMax,
	}
}

// NewGPUAboveLimitRangeMax builds the gpu-above-limitrange-max check (quota.GPUAboveLimitRangeMax). It takes no parameters.
func NewGPUAboveLimitRangeMax(params any) (governance.Check, error) {
	if err := noParams(params); err != nil {
		return governance.Check{}, err
	}
	return quota.GPUAboveLimitRangeMax(), nil
}
