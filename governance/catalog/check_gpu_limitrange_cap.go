// gpu-limitrange-cap requires a per-container cap on GPUs wherever GPUs
// are used: every namespace with a workload whose containers request or
// limit a GPU resource (nvidia.com/gpu, amd.com/gpu, any */gpu or
// nvidia.com/* resource) must hold a LimitRange with a limits[] item of
// type Container whose max names that resource. Without it a single pod
// of the team can take a whole node's GPUs within the namespace quota
// (LimitRanger admission rejects containers above max). One finding per
// namespace and resource, on the Namespace (else the first workload),
// naming the workloads that use it.

package catalog

import (
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/aigov/aigov/governance"
)

// IDGPULimitRangeCap is the catalog ID of the gpu-limitrange-cap check.
const IDGPULimitRangeCap = "gpu-limitrange-cap"

func gpuLimitRangeCapDefinition() governance.Definition {
	return governance.Definition{
		ID:          IDGPULimitRangeCap,
		Description: "Namespaces running GPU workloads have a LimitRange max for the GPU resource per container.",
		Severity:    governance.SeverityMedium,
		Kinds:       []string{"Namespaces running GPU workloads (inventory: LimitRanges)"},
		New:         NewGPULimitRangeCap,
	}
}

// NewGPULimitRangeCap builds the gpu-limitrange-cap check. It takes no
// parameters.
func NewGPULimitRangeCap(params any) (governance.Check, error) {
	if err := noParams(params); err != nil {
		return governance.Check{}, err
	}
	d := gpuLimitRangeCapDefinition()
	return governance.Check{
		ID: d.ID, Description: d.Description, Severity: d.Severity,
		Remediation: "add a LimitRange item {type: Container, max: {<gpu resource>: N}} to the namespace, N the most GPUs one container may use",
		Inventory: func(pass *governance.Pass) []governance.Finding {
			inv := pass.Inventory
			capped := map[[2]string]bool{}
			for _, lr := range governance.Typed[*corev1.LimitRange](inv) {
				for _, item := range lr.Spec.Limits {
					if item.Type != corev1.LimitTypeContainer {
						continue
					}
					for r := range item.Max {
						capped[[2]string{lr.Namespace, string(r)}] = true
					}
				}
			}
			type use struct {
				first     governance.Workload
				workloads []string
			}
			uses := map[[2]string]*use{}
			var order [][2]string
			for _, w := range inv.Workloads() {
				if w.Pod == nil {
					continue
				}
				for _, r := range gpuResources(&w.Pod.Spec) {
					k := [2]string{w.Namespace, r}
					if capped[k] {
						continue
					}
					u, ok := uses[k]
					if !ok {
						u = &use{first: w}
						uses[k] = u
						order = append(order, k)
					}
					u.workloads = append(u.workloads, w.Kind+"/"+w.Name)
				}
			}
			var out []governance.Finding
			for _, k := range order {
				u := uses[k]
				ref := u.first.Object.Ref()
				if o := inv.Get(governance.Key{Kind: "Namespace", Name: k[0]}); o != nil {
					ref = o.Ref()
				}
				out = append(out, governance.Finding{Object: ref,
					Message: fmt.Sprintf("namespace %s runs %s asking for %s, and no LimitRange caps %s per container (limits[type=Container].max)",
						k[0], joinLimited(u.workloads, 5), k[1], k[1])})
			}
			return out
		},
	}, nil
}

// gpuResources lists the GPU resources the regular and init containers
// request or limit (non-zero), sorted.
func gpuResources(spec *corev1.PodSpec) []string {
	var out []string
	for _, cs := range [][]corev1.Container{spec.InitContainers, spec.Containers} {
		for _, c := range cs {
			for _, l := range []corev1.ResourceList{c.Resources.Requests, c.Resources.Limits} {
				for n, q := range l {
					if IsGPUResource(n) && !q.IsZero() && !slices.Contains(out, string(n)) {
						out = append(out, string(n))
					}
				}
			}
		}
	}
	slices.Sort(out)
	return out
}

// joinLimited joins at most n items.
func joinLimited(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:n], ", "), len(items)-n)
}
