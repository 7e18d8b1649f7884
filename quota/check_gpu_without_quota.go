package quota

import (
	"fmt"
	"time"

	"github.com/aigov/aigov/governance"
)

// GPUWithoutQuota (gpu-without-quota) reports a namespace whose pods or
// workloads request GPUs while no stored, enforced ResourceQuota key
// (requests.<gpu resource>) caps that resource there: the team can take
// every GPU of the cluster. Invalid and inert quota keys do not count as
// a cap. The finding names the first workload asking for the resource.
func GPUWithoutQuota() governance.Check {
	return governance.Check{
		ID:          "gpu-without-quota",
		Description: "namespace running GPU workloads without an enforced GPU quota",
		Severity:    governance.SeverityMedium,
		Remediation: "add a ResourceQuota with requests.<gpu resource> (e.g. requests.nvidia.com/gpu) to the namespace",
		Inventory: func(inv *governance.Inventory) []governance.Finding {
			l, err := NewLedger(inv, Options{Now: time.Unix(0, 0)})
			if err != nil {
				return nil
			}
			return l.uncappedGPUFindings()
		},
	}
}

func (l *Ledger) uncappedGPUFindings() []governance.Finding {
	var out []governance.Finding
	for _, name := range l.names {
		ns := l.namespaces[name]
		caps := map[string]bool{}
		for _, c := range ns.capsByResource() {
			caps[c.resource] = true
		}
		reported := map[string]bool{}
		for _, w := range l.inv.Workloads() {
			if w.Namespace != name || w.Pod == nil {
				continue
			}
			for _, r := range gpuResourcesOf(w) {
				if caps[r] || reported[r] {
					continue
				}
				reported[r] = true
				out = append(out, governance.Finding{
					Object:  w.Object.Ref(),
					Path:    w.SpecPath,
					Message: fmt.Sprintf("namespace %s runs %s/%s asking for %s, and no ResourceQuota caps requests.%s there", name, w.Kind, w.Name, r, r),
				})
			}
		}
	}
	return out
}

func gpuResourcesOf(w governance.Workload) []string {
	set := map[string]bool{}
	for k := range EffectiveResources(w.Pod).Requests {
		if IsGPUResource(k) {
			set[string(k)] = true
		}
	}
	for k := range EffectiveResources(w.Pod).Limits {
		if IsGPUResource(k) {
			set[string(k)] = true
		}
	}
	return sortedStrings(set)
}
