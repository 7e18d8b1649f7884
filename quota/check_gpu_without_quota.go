package quota

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
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
		Requires:    []governance.FactRef{LedgerFact},
		Inventory:   ledgerCheck((*Ledger).uncappedGPUFindings),
	}
}

func (l *Ledger) uncappedGPUFindings() []governance.Finding {
	var out []governance.Finding
	gc := newGPUClasses(l.inv)
	templates := templateGPUClasses(l.inv, gc)
	kueue := newKueueIndex(l.inv)
	// The workloads with a pod, by namespace in inventory order: each
	// namespace reads its own, not every workload of the inventory.
	byNS := map[string][]*governance.Workload{}
	ws := l.inv.Workloads()
	for i := range ws {
		if ws[i].Pod != nil {
			byNS[ws[i].Namespace] = append(byNS[ws[i].Namespace], &ws[i])
		}
	}
	for _, name := range l.gpuNamespaces() {
		ns := l.lookup(name)
		out = append(out, l.uncappedWorkloadFindings(ns, byNS[name], kueue)...)
		out = append(out, l.uncappedClaimFindings(ns, gc)...)
		out = append(out, l.uncappedTemplateFindings(ns, byNS[name], templates, kueue)...)
	}
	return out
}

// uncappedWorkloadFindings: one finding per GPU resource that workloads,
// the namespace's workloads with a pod, ask for and no quota caps, on the
// first workload asking for it.
func (l *Ledger) uncappedWorkloadFindings(ns *namespaceState, workloads []*governance.Workload, kueue kueueIndex) []governance.Finding {
	var out []governance.Finding
	caps := map[string]bool{}
	for _, c := range ns.capsByResource() {
		caps[c.resource] = true
	}
	reported := map[string]bool{}
	for _, w := range workloads {
		lq := kueueQueueOf(*w)
		for _, r := range gpuResourcesOf(*w) {
			if caps[r] || reported[r] || (lq != "" && kueue.caps(ns.name, lq, r)) {
				continue
			}
			reported[r] = true
			out = append(out, governance.Finding{
				Object:  w.Object.Ref(),
				Path:    w.SpecPath,
				Message: fmt.Sprintf("namespace %s runs %s/%s asking for %s, and no ResourceQuota caps requests.%s there%s", ns.name, w.Kind, w.Name, r, r, kueueNote(kueue, *w, lq, r)),
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
	if !writesGPUResource(&w.Pod.Spec) {
		return nil
	}
	eff := EffectiveResources(w.Pod)
	set := map[string]bool{}
	for k := range eff.Requests {
		if IsGPUResource(k) {
			set[string(k)] = true
		}
	}
	for k := range eff.Limits {
		if IsGPUResource(k) {
			set[string(k)] = true
		}
	}
	return sortedStrings(set)
}

// writesGPUResource reports whether a GPU resource is named anywhere the
// pod's effective requests and limits come from (containers, init
// containers, pod-level resources, overhead): without one, they hold none,
// and the pods of most workloads need not be added up.
func writesGPUResource(spec *corev1.PodSpec) bool {
	has := func(lists ...corev1.ResourceList) bool {
		for _, l := range lists {
			for k := range l {
				if IsGPUResource(k) {
					return true
				}
			}
		}
		return false
	}
	for i := range spec.Containers {
		if has(spec.Containers[i].Resources.Requests, spec.Containers[i].Resources.Limits) {
			return true
		}
	}
	for i := range spec.InitContainers {
		if has(spec.InitContainers[i].Resources.Requests, spec.InitContainers[i].Resources.Limits) {
			return true
		}
	}
	if r := spec.Resources; r != nil && has(r.Requests, r.Limits) {
		return true
	}
	return has(spec.Overhead)
}
