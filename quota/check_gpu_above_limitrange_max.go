package quota

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/aigov/aigov/governance"
)

// GPUAboveLimitRangeMax (gpu-above-limitrange-max) reports a container or
// init container that asks for more of a GPU resource than a LimitRange of
// its namespace allows per Container (spec.limits[] item of type Container,
// max). LimitRanger admission rejects such a pod ("maximum nvidia.com/gpu
// usage per Container is 1, but limit is 2"), so a Deployment or Job that
// asks for it never gets a pod. What the container asks is its stated
// limit, else its request (the API default copies a limit into a missing
// request); with several LimitRanges the smallest max is reported. The
// finding points at the stated field and names the LimitRange.
func GPUAboveLimitRangeMax() governance.Definition {
	return definition(newGPUAboveLimitRangeMax, "pods + workloads (inventory: LimitRanges)")
}

func newGPUAboveLimitRangeMax() governance.Check {
	return governance.Check{
		ID:          "gpu-above-limitrange-max",
		Description: "container asking for more GPUs than its namespace's LimitRange Container max: LimitRanger rejects the pod",
		Severity:    governance.SeverityHigh,
		Remediation: "ask for at most the LimitRange max per container (split the work across pods), or raise the max",
		Requires:    []governance.FactRef{LedgerFact},
		Inventory:   ledgerCheck((*Ledger).gpuAboveMaxFindings),
	}
}

// containerMax is the tightest Container max of a resource in a namespace.
type containerMax struct {
	max        resource.Quantity
	limitRange string
}

func (ns *namespaceState) gpuContainerMax() map[corev1.ResourceName]containerMax {
	out := map[corev1.ResourceName]containerMax{}
	for _, lr := range ns.limitRanges {
		for _, it := range lr.Spec.Limits {
			if it.Type != corev1.LimitTypeContainer {
				continue
			}
			for k, m := range it.Max {
				if cur, ok := out[k]; IsGPUResource(k) && (!ok || m.Cmp(cur.max) < 0) {
					out[k] = containerMax{max: m, limitRange: lr.Name}
				}
			}
		}
	}
	return out
}

func (l *Ledger) gpuAboveMaxFindings() []governance.Finding {
	var out []governance.Finding
	for _, w := range l.inv.Workloads() {
		ns := l.namespaces[w.Namespace]
		if w.Pod == nil || ns == nil {
			continue
		}
		maxes := ns.gpuContainerMax()
		if len(maxes) == 0 {
			continue
		}
		pod := w.Pod.DeepCopy()
		governance.CopyLimitsToRequests(&pod.Spec)
		for _, c := range containersWithPaths(pod, w.SpecPath) {
			for _, k := range sortedKeys(maxList(maxes)) {
				m := maxes[k]
				field, q, ok := "limit", resource.Quantity{}, false
				if q, ok = c.c.Resources.Limits[k]; !ok {
					field = "request"
					q, ok = c.c.Resources.Requests[k]
				}
				if !ok || q.Cmp(m.max) <= 0 {
					continue
				}
				out = append(out, governance.Finding{
					Object: w.Object.Ref(),
					Path:   fmt.Sprintf("%s.resources.%ss[%s]", c.path, field, k),
					Message: fmt.Sprintf("%s/%s: container %s asks for %s %s, above the max of LimitRange %s: maximum %s usage per Container is %s, but %s is %s",
						w.Kind, w.Name, c.c.Name, q.String(), k, m.limitRange, k, m.max.String(), field, q.String()),
				})
			}
		}
	}
	return out
}

func maxList(m map[corev1.ResourceName]containerMax) corev1.ResourceList {
	out := corev1.ResourceList{}
	for k, v := range m {
		out[k] = v.max
	}
	return out
}
