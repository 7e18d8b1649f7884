package quota

import (
	"fmt"
	"time"

	resourcev1 "k8s.io/api/resource/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/aigov/aigov/governance"
)

// GPUWithoutQuota (gpu-without-quota) reports a namespace whose pods or
// workloads request GPUs while no stored, enforced ResourceQuota key
// (requests.<gpu resource>) caps that resource there: the team can take
// every GPU of the cluster. Invalid and inert quota keys do not count as
// a cap. The finding names the first workload asking for the resource.
//
// It also reports a namespace whose ResourceClaims ask for devices of a
// GPU DeviceClass (IsGPUDeviceClass) while no unscoped quota has a key
// that caps them: <class>.deviceclass.resource.k8s.io/devices, the
// class's implicit name requests.deviceclass.resource.kubernetes.io/<class>
// (when the class exists), or requests.<its extendedResourceName>. Scoped
// quotas never count claims. That finding names the first such claim by
// name.
//
// Manifests rarely hold the claims pods get from ResourceClaimTemplates
// (the cluster makes them when the pods run), so it also reports each
// workload whose pod spec names, in
// spec.resourceClaims[].resourceClaimTemplateName, a ResourceClaimTemplate
// of the inventory that asks for devices of a GPU DeviceClass no unscoped
// quota caps by the same keys: one finding per workload and class, on the
// first template reference asking for the class. A template absent from
// the inventory is not reported (its classes are unknown); a class absent
// from the inventory goes by its name. An entry naming a ResourceClaim
// (resourceClaimName) counts through that claim, as does, for a pod read
// back from a cluster, the claim its status says was made from the
// template, when the inventory holds it.
//
// A workload Kueue manages (its kueue.x-k8s.io/queue-name label names a
// LocalQueue of its namespace) whose ClusterQueue has a nominal quota for
// the GPU resource is capped by Kueue, not reported; when that
// LocalQueue or its ClusterQueue is not in the input, or the
// ClusterQueue has no quota for the resource, the finding says so.
func GPUWithoutQuota() governance.Definition {
	return definition(newGPUWithoutQuota, "Namespaces running GPU workloads (inventory: ResourceQuotas)")
}

func newGPUWithoutQuota() governance.Check {
	return governance.Check{
		ID:          "gpu-without-quota",
		Description: "namespace running GPU workloads without an enforced GPU quota",
		Severity:    governance.SeverityMedium,
		Remediation: "add a ResourceQuota with requests.<gpu resource> (e.g. requests.nvidia.com/gpu) to the namespace; for GPUs claimed through DRA ResourceClaims or ResourceClaimTemplates, with <class>.deviceclass.resource.k8s.io/devices (e.g. gpu.nvidia.com.deviceclass.resource.k8s.io/devices)",
		Inventory: func(pass *governance.Pass) []governance.Finding {
			inv := pass.Inventory
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
	gc := newGPUClasses(l.inv)
	templates := templateGPUClasses(l.inv, gc)
	for _, name := range l.gpuNamespaces() {
		ns := l.lookup(name)
		out = append(out, l.uncappedWorkloadFindings(ns)...)
		out = append(out, l.uncappedClaimFindings(ns, gc)...)
		out = append(out, l.uncappedTemplateFindings(ns, templates)...)
	}
	return out
}

func (l *Ledger) uncappedWorkloadFindings(ns *namespaceState) []governance.Finding {
	var out []governance.Finding
	caps := map[string]bool{}
	for _, c := range ns.capsByResource() {
		caps[c.resource] = true
	}
	reported := map[string]bool{}
	kueue := newKueueIndex(l.inv)
	for _, w := range l.inv.Workloads() {
		if w.Namespace != ns.name || w.Pod == nil {
			continue
		}
		lq := kueueQueueOf(w)
		for _, r := range gpuResourcesOf(w) {
			if caps[r] || reported[r] || (lq != "" && kueue.caps(ns.name, lq, r)) {
				continue
			}
			reported[r] = true
			out = append(out, governance.Finding{
				Object:  w.Object.Ref(),
				Path:    w.SpecPath,
				Message: fmt.Sprintf("namespace %s runs %s/%s asking for %s, and no ResourceQuota caps requests.%s there%s", ns.name, w.Kind, w.Name, r, r, kueueNote(kueue, w, lq, r)),
			})
		}
	}
	return out
}

// kueueNote tells why the Kueue queue a workload names does not cap
// resource r: its LocalQueue is not in the input (its quota is unknown),
// its ClusterQueue is not, or that ClusterQueue has no quota for r
// (Kueue does not count r then). "" for a workload without a queue.
func kueueNote(k kueueIndex, w governance.Workload, lq, r string) string {
	if lq == "" {
		return ""
	}
	cq, ok := k.localQueues[types.NamespacedName{Namespace: w.Namespace, Name: lq}]
	switch {
	case !ok:
		return fmt.Sprintf(" (managed by Kueue LocalQueue %s, not in the input)", lq)
	case k.cqs[cq] == nil:
		return fmt.Sprintf(" (managed by Kueue LocalQueue %s, whose ClusterQueue %s is not in the input)", lq, cq)
	}
	return fmt.Sprintf(" (managed by Kueue LocalQueue %s, whose ClusterQueue %s has no quota for %s)", lq, cq, r)
}

// uncappedClaimFindings: one finding per GPU device class that the
// namespace's claims ask for and no quota caps.
func (l *Ledger) uncappedClaimFindings(ns *namespaceState, gc gpuClasses) []governance.Finding {
	var out []governance.Finding
	reported := map[string]bool{}
	for _, c := range l.claims[ns.name] {
		for _, class := range claimGPUClasses(c, gc) {
			if reported[class] || l.capsClaims(ns, class) {
				continue
			}
			reported[class] = true
			out = append(out, governance.Finding{
				Object:  l.claimRef(c),
				Path:    classPath(c, class),
				Message: fmt.Sprintf("namespace %s has ResourceClaim/%s asking for devices of GPU DeviceClass %s, and no ResourceQuota caps %s there", ns.name, c.Name, class, deviceClassKey(class)),
			})
		}
	}
	return out
}

// claimGPUClasses are the GPU device classes quota charges a claim for,
// sorted.
func claimGPUClasses(c *resourcev1.ResourceClaim, gc gpuClasses) []string {
	set := map[string]bool{}
	for k, v := range ClaimUsage(c) {
		if class, ok := gc.gpuClassOfKey(k); ok && v.Sign() > 0 {
			set[class] = true
		}
	}
	return sortedStrings(set)
}

// claimRef is the claim's reference with its source (file and line).
func (l *Ledger) claimRef(c *resourcev1.ResourceClaim) governance.ObjectRef {
	key := governance.Key{Group: resourcev1.GroupName, Kind: "ResourceClaim", Namespace: c.Namespace, Name: c.Name}
	if o := l.inv.Get(key); o != nil {
		return o.Ref()
	}
	return governance.ObjectRef{APIVersion: resourcev1.SchemeGroupVersion.String(), Kind: "ResourceClaim", Namespace: c.Namespace, Name: c.Name}
}

// classPath is the first deviceClassName field of the claim naming class.
func classPath(c *resourcev1.ResourceClaim, class string) string {
	for i, req := range c.Spec.Devices.Requests {
		if req.Exactly != nil && req.Exactly.DeviceClassName == class {
			return fmt.Sprintf("spec.devices.requests[%d].exactly.deviceClassName", i)
		}
		for j, sub := range req.FirstAvailable {
			if sub.DeviceClassName == class {
				return fmt.Sprintf("spec.devices.requests[%d].firstAvailable[%d].deviceClassName", i, j)
			}
		}
	}
	return "spec.devices.requests"
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
