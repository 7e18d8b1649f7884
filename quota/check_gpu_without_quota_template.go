package quota

import (
	"cmp"
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"
	resourcev1 "k8s.io/api/resource/v1"

	"github.com/aigov/aigov/governance"
)

// GPUs a workload takes through ResourceClaimTemplates, for
// gpu-without-quota. Manifests in git rarely hold ResourceClaims: the
// resourceclaim controller makes one per pod from the template its
// spec.resourceClaims[].resourceClaimTemplateName names, only once the pod
// runs. Quota then charges that claim like any other (ClaimUsage of the
// template's spec.spec), so the keys that cap it are those of a user's
// claim (capsClaims); reading the template's spec the same way tells the
// uncapped GPU classes before the claims exist.

// templateKey names a ResourceClaimTemplate within the inventory.
type templateKey struct{ namespace, name string }

// templateGPUClasses maps each ResourceClaimTemplate (resource.k8s.io/v1)
// of the inventory to the GPU device classes a claim made from it is
// charged for, sorted (none for a template of other classes). Computed
// once per run: many workloads may share one template.
func templateGPUClasses(inv *governance.Inventory, gc gpuClasses) map[templateKey][]string {
	out := map[templateKey][]string{}
	for _, t := range governance.Typed[*resourcev1.ResourceClaimTemplate](inv) {
		ns := t.Namespace
		if ns == "" {
			ns = "default"
		}
		out[templateKey{ns, t.Name}] = claimGPUClasses(&resourcev1.ResourceClaim{Spec: t.Spec.Spec}, gc)
	}
	return out
}

// templateUse is a GPU device class a workload takes through a template:
// the first spec.resourceClaims entry (index) naming a template that asks
// for the class.
type templateUse struct {
	class, template string
	index           int
}

// templateUses are the workload's template uses, one per GPU class,
// sorted by class. A template absent from the inventory is skipped: its
// classes are unknown. So is an entry whose claim the controller already
// made and the inventory holds (a pod read back from a cluster): that
// claim is reported itself. Entries naming a ResourceClaim
// (resourceClaimName) are the claim's, never the workload's.
func (l *Ledger) templateUses(w governance.Workload, templates map[templateKey][]string) []templateUse {
	var out []templateUse
	seen := map[string]bool{}
	for i, pc := range w.Pod.Spec.ResourceClaims {
		if pc.ResourceClaimTemplateName == nil || l.madeClaimListed(w.Pod, w.Namespace, pc.Name) {
			continue
		}
		name := *pc.ResourceClaimTemplateName
		for _, class := range templates[templateKey{w.Namespace, name}] {
			if !seen[class] {
				seen[class] = true
				out = append(out, templateUse{class: class, template: name, index: i})
			}
		}
	}
	slices.SortFunc(out, func(a, b templateUse) int { return cmp.Compare(a.class, b.class) })
	return out
}

// madeClaimListed says that the pod's status names the ResourceClaim made
// for its entry and that claim is in the inventory.
func (l *Ledger) madeClaimListed(pod *corev1.Pod, namespace, entry string) bool {
	for _, st := range pod.Status.ResourceClaimStatuses {
		if st.Name != entry || st.ResourceClaimName == nil {
			continue
		}
		return slices.ContainsFunc(l.claims[namespace], func(c *resourcev1.ResourceClaim) bool {
			return c.Name == *st.ResourceClaimName
		})
	}
	return false
}

// uncappedTemplateFindings: one finding per workload of workloads (the
// namespace's) and GPU device class it takes through
// ResourceClaimTemplates that no quota caps, on the first template
// reference asking for the class.
func (l *Ledger) uncappedTemplateFindings(ns *namespaceState, workloads []*governance.Workload, templates map[templateKey][]string, kueue kueueIndex) []governance.Finding {
	var out []governance.Finding
	for _, w := range workloads {
		lq := kueueQueueOf(*w)
		for _, u := range l.templateUses(*w, templates) {
			if l.capsClaims(ns, u.class) {
				continue
			}
			out = append(out, governance.Finding{
				Object: w.Object.Ref(),
				Path:   fmt.Sprintf("%s.resourceClaims[%d].resourceClaimTemplateName", w.SpecPath, u.index),
				Message: fmt.Sprintf("namespace %s runs %s/%s asking for devices of GPU DeviceClass %s through ResourceClaimTemplate/%s, and no ResourceQuota caps %s there%s",
					ns.name, w.Kind, w.Name, u.class, u.template, deviceClassKey(u.class), kueueClaimNote(kueue, w.Namespace, lq)),
			})
		}
	}
	return out
}

// kueueClaimNote names the Kueue LocalQueue of a workload whose GPUs come
// through ResourceClaimTemplates when that LocalQueue is not in the input.
// Such GPUs stay reported even with the LocalQueue present: Kueue counts
// devices only under the resource names its Configuration's
// deviceClassMappings give them, and that configuration is not part of
// the inventory.
func kueueClaimNote(k kueueIndex, ns, lq string) string {
	if lq == "" || k.hasLocalQueue(ns, lq) {
		return ""
	}
	return fmt.Sprintf(" (managed by Kueue LocalQueue %s, not in the input)", lq)
}
