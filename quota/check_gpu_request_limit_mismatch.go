package quota

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"

	"github.com/aigov/aigov/governance"
)

// GPURequestLimitMismatch (gpu-request-limit-mismatch) reports a container
// or init container whose GPU request differs from its GPU limit, or that
// requests a GPU without a limit. GPUs are extended resources, which cannot
// be overcommitted: pod validation requires a whole-number limit equal to
// the request ("must be equal to nvidia.com/gpu limit of 2", "Limit must be
// set for non overcommitable resources"), so the apiserver rejects the pod
// and a controller's pods are never created. The container is judged as the
// apiserver validates it: after the API default (a limit without a request
// copies into the request) and after the namespace's LimitRange defaults,
// which may supply a limit that differs from the request (a LimitRange
// `max` without `default` becomes the default limit). The finding points
// at the request field.
func GPURequestLimitMismatch() governance.Definition {
	return definition(newGPURequestLimitMismatch, "pods + workloads (inventory: LimitRanges)")
}

func newGPURequestLimitMismatch() governance.Check {
	return governance.Check{
		ID:          "gpu-request-limit-mismatch",
		Description: "container whose GPU request differs from its limit: the apiserver rejects the pod",
		Severity:    governance.SeverityHigh,
		Remediation: "state GPUs once, as a limit (the request copies from it), or set request and limit to the same whole number",
		Requires:    []governance.FactRef{LedgerFact},
		Inventory:   ledgerCheck((*Ledger).gpuMismatchFindings),
	}
}

// podContainer is one container of a workload's pod with its field path.
type podContainer struct {
	c    *corev1.Container
	path string
}

// containersWithPaths lists a pod's containers and init containers with
// their paths under the workload's pod spec path.
func containersWithPaths(pod *corev1.Pod, specPath string) []podContainer {
	var out []podContainer
	for i := range pod.Spec.Containers {
		out = append(out, podContainer{&pod.Spec.Containers[i], fmt.Sprintf("%s.containers[%d]", specPath, i)})
	}
	for i := range pod.Spec.InitContainers {
		out = append(out, podContainer{&pod.Spec.InitContainers[i], fmt.Sprintf("%s.initContainers[%d]", specPath, i)})
	}
	return out
}

func (l *Ledger) gpuMismatchFindings() []governance.Finding {
	var out []governance.Finding
	for _, w := range l.inv.Workloads() {
		if w.Pod == nil {
			continue
		}
		stated := w.Pod.DeepCopy()
		governance.CopyLimitsToRequests(&stated.Spec)
		admitted := stated.DeepCopy()
		if ns := l.namespaces[w.Namespace]; ns != nil {
			for _, d := range ns.lrDefaults {
				d.apply(admitted)
			}
		}
		before, after := containersWithPaths(stated, w.SpecPath), containersWithPaths(admitted, w.SpecPath)
		for i, c := range after {
			r := c.c.Resources
			for _, k := range sortedKeys(r.Requests) {
				if !IsGPUResource(k) {
					continue
				}
				req := r.Requests[k]
				lim, hasLim := r.Limits[k]
				_, statedLim := before[i].c.Resources.Limits[k]
				_, statedReq := before[i].c.Resources.Requests[k]
				var msg string
				switch {
				case !hasLim && !statedReq:
					msg = fmt.Sprintf("container %s gets %s %s from the namespace's LimitRange defaultRequest and no limit: Limit must be set for non overcommitable resources", c.c.Name, req.String(), k)
				case !hasLim:
					msg = fmt.Sprintf("container %s requests %s %s without a limit: Limit must be set for non overcommitable resources", c.c.Name, req.String(), k)
				case req.Cmp(lim) != 0 && statedLim:
					msg = fmt.Sprintf("container %s: %s request %s differs from its limit: must be equal to %s limit of %s", c.c.Name, k, req.String(), k, lim.String())
				case req.Cmp(lim) != 0:
					msg = fmt.Sprintf("container %s: %s request %s differs from the limit %s the namespace's LimitRange defaults it to: must be equal to %s limit of %s", c.c.Name, k, req.String(), lim.String(), k, lim.String())
				default:
					continue
				}
				out = append(out, governance.Finding{
					Object:  w.Object.Ref(),
					Path:    fmt.Sprintf("%s.resources.requests[%s]", c.path, k),
					Message: fmt.Sprintf("%s/%s: %s; the apiserver rejects the pod", w.Kind, w.Name, msg),
				})
			}
		}
	}
	return out
}
