// gpu-request-limit-mismatch wraps quota.GPURequestLimitMismatch() as a
// catalog check: a container whose GPU request differs from its GPU limit
// (or requests a GPU without a limit), judged after the API default and the
// namespace LimitRange defaults as the apiserver validates it. Extended
// resources cannot be overcommitted, so the apiserver rejects the pod and a
// controller never gets one. The evaluation is package quota's; the
// catalog adds the definition, controls and the Default set.

package catalog

import (
	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/quota"
)

// IDGPURequestLimitMismatch is the catalog ID of the gpu-request-limit-mismatch check.
const IDGPURequestLimitMismatch = "gpu-request-limit-mismatch"

func gpuRequestLimitMismatchDefinition() governance.Definition {
	c := quota.GPURequestLimitMismatch()
	return governance.Definition{
		ID: IDGPURequestLimitMismatch, Description: c.Description, Severity: c.Severity,
		Kinds: []string{PodsAndWorkloads + " (inventory: LimitRanges)"},
		New:   NewGPURequestLimitMismatch,
	}
}

// NewGPURequestLimitMismatch builds the gpu-request-limit-mismatch check (quota.GPURequestLimitMismatch). It takes no parameters.
func NewGPURequestLimitMismatch(params any) (governance.Check, error) {
	if err := noParams(params); err != nil {
		return governance.Check{}, err
	}
	return quota.GPURequestLimitMismatch(), nil
}
