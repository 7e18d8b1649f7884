package quota

import (
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// nameInfo is what admission asks about a container resource name; the
// Ledger precomputes it for the names of its inventory (read-only).
type nameInfo struct {
	valid      bool // validateContainerResourceName finds nothing
	integer    bool // isIntegerKey
	overcommit bool // overcommitAllowed
	huge       bool // isHugePages
	// draExtended is isDRAExtended.
	draExtended bool
}

var namePath = field.NewPath("n")

func computeNameInfo(k corev1.ResourceName) nameInfo {
	return nameInfo{
		valid:       len(validateContainerResourceName(k, namePath)) == 0,
		integer:     isIntegerKey(k),
		overcommit:  overcommitAllowed(k),
		huge:        isHugePages(k),
		draExtended: isDRAExtended(k),
	}
}

// nameInfo looks k up in the Ledger's table, computing it when absent.
func (l *Ledger) nameInfo(k corev1.ResourceName) nameInfo {
	if info, ok := l.nameInfos[k]; ok {
		return info
	}
	return computeNameInfo(k)
}

func (l *Ledger) noteNames(lists ...corev1.ResourceList) {
	for _, list := range lists {
		for k := range list {
			if _, ok := l.nameInfos[k]; !ok {
				l.nameInfos[k] = computeNameInfo(k)
			}
		}
	}
}

func (l *Ledger) noteContainerNames(spec *corev1.PodSpec) {
	for i := range spec.Containers {
		l.noteNames(spec.Containers[i].Resources.Requests, spec.Containers[i].Resources.Limits)
	}
	for i := range spec.InitContainers {
		l.noteNames(spec.InitContainers[i].Resources.Requests, spec.InitContainers[i].Resources.Limits)
	}
}

// podResourcesValid says whether ValidatePodResources would find nothing,
// without building field paths or errors (but for pod-level resources,
// which are rare).
func (l *Ledger) podResourcesValid(pod *corev1.Pod) bool {
	if pod.Spec.Resources != nil {
		return len(ValidatePodResources(pod)) == 0
	}
	if pod.Spec.Overhead != nil && !l.requirementsValid(&corev1.ResourceRequirements{Limits: pod.Spec.Overhead}) {
		return false
	}
	for i := range pod.Spec.Containers {
		if !l.requirementsValid(&pod.Spec.Containers[i].Resources) {
			return false
		}
	}
	for i := range pod.Spec.InitContainers {
		if !l.requirementsValid(&pod.Spec.InitContainers[i].Resources) {
			return false
		}
	}
	return true
}

// requirementsValid mirrors validateRequirements returning no errors.
func (l *Ledger) requirementsValid(r *corev1.ResourceRequirements) bool {
	cpuOrMem, huge := false, false
	for k, q := range r.Limits {
		info := l.nameInfo(k)
		if !info.valid || q.Sign() < 0 || (info.integer && q.MilliValue()%1000 != 0) {
			return false
		}
		huge = huge || info.huge
		cpuOrMem = cpuOrMem || k == corev1.ResourceCPU || k == corev1.ResourceMemory
	}
	for k, q := range r.Requests {
		info := l.nameInfo(k)
		if !info.valid || q.Sign() < 0 || (info.integer && q.MilliValue()%1000 != 0) {
			return false
		}
		if lim, ok := r.Limits[k]; ok {
			c := q.Cmp(lim)
			if (c != 0 && !info.overcommit) || c > 0 {
				return false
			}
		} else if !info.overcommit {
			return false
		}
		huge = huge || info.huge
		cpuOrMem = cpuOrMem || k == corev1.ResourceCPU || k == corev1.ResourceMemory
	}
	return !huge || cpuOrMem
}

// needsMutation says whether the admission mutations (API defaults,
// LimitRange defaults, default PriorityClass, RuntimeClass overhead, the
// namespace) would change pod; when not, Admit need not copy it.
func (l *Ledger) needsMutation(ns *namespaceState, pod *corev1.Pod) bool {
	if pod.Namespace != ns.name {
		return true
	}
	if pod.Spec.PriorityClassName == "" && l.defaultPriority != "" {
		return true
	}
	if name := pod.Spec.RuntimeClassName; name != nil && pod.Spec.Overhead == nil {
		if rc := l.runtimeClasses[*name]; rc != nil && rc.Overhead != nil {
			return true
		}
	}
	for _, list := range [][]corev1.Container{pod.Spec.InitContainers, pod.Spec.Containers} {
		for i := range list {
			r := &list[i].Resources
			if missingAny(r.Requests, r.Limits) {
				return true
			}
			for _, d := range ns.lrDefaults {
				if missingAny(r.Limits, d.limits) || missingAny(r.Requests, d.requests) {
					return true
				}
			}
		}
	}
	return false
}

// missingAny says whether a key of src is absent from dst.
func missingAny(dst, src corev1.ResourceList) bool {
	for k := range src {
		if _, ok := dst[k]; !ok {
			return true
		}
	}
	return false
}

// effectiveResources is EffectiveResources, computed directly for the
// common shape (app containers only, no pod-level resources, no status):
// there PodRequests/PodLimits reduce to the containers' sums plus
// overhead, with the same values and representations.
func effectiveResources(pod *corev1.Pod) Effective {
	st := &pod.Status
	if len(pod.Spec.InitContainers) > 0 || pod.Spec.Resources != nil || len(st.ContainerStatuses) > 0 ||
		len(st.InitContainerStatuses) > 0 || len(st.EphemeralContainerStatuses) > 0 || len(st.Conditions) > 0 ||
		st.Resources != nil || st.AllocatedResources != nil || len(st.NodeAllocatableResourceClaimStatuses) > 0 {
		return EffectiveResources(pod)
	}
	n := 0
	for i := range pod.Spec.Containers {
		n = max(n, len(pod.Spec.Containers[i].Resources.Requests), len(pod.Spec.Containers[i].Resources.Limits))
	}
	reqs, lims := make(corev1.ResourceList, n+len(pod.Spec.Overhead)), make(corev1.ResourceList, n)
	for i := range pod.Spec.Containers {
		sumInto(reqs, pod.Spec.Containers[i].Resources.Requests)
		sumInto(lims, pod.Spec.Containers[i].Resources.Limits)
	}
	sumInto(reqs, pod.Spec.Overhead)
	for name, q := range pod.Spec.Overhead {
		if v, ok := lims[name]; ok && !v.IsZero() {
			v.Add(q)
			lims[name] = v
		}
	}
	return Effective{Requests: reqs, Limits: lims}
}

// sumInto is component-helpers' addResourceList.
func sumInto(list, newList corev1.ResourceList) {
	for name, q := range newList {
		if v, ok := list[name]; !ok {
			list[name] = q.DeepCopy()
		} else {
			v.Add(q)
			list[name] = v
		}
	}
}

// writePrettyKeys writes "k=v" pairs (values in Quantity.String() form),
// comma-separated, for the sorted, distinct keys that l holds.
func writePrettyKeys(b *strings.Builder, l corev1.ResourceList, keys []corev1.ResourceName) {
	first := true
	for _, k := range keys {
		if v, ok := l[k]; ok {
			writePair(b, k, v.String(), first)
			first = false
		}
	}
}

// writePrettyStrings is writePrettyKeys over precomputed String() forms.
func writePrettyStrings(b *strings.Builder, strs map[corev1.ResourceName]string, keys []corev1.ResourceName) {
	first := true
	for _, k := range keys {
		if v, ok := strs[k]; ok {
			writePair(b, k, v, first)
			first = false
		}
	}
}

func writePair(b *strings.Builder, k corev1.ResourceName, v string, first bool) {
	if !first {
		b.WriteByte(',')
	}
	b.WriteString(string(k))
	b.WriteByte('=')
	b.WriteString(v)
}

// cmpForm is q as an int64 milli quantity when that is exact (Cmp against
// it then needs no big decimals), else q.
func cmpForm(q resource.Quantity) resource.Quantity {
	if v := q.Value(); v < resource.MaxMilliValue && v > -resource.MaxMilliValue {
		m := *resource.NewMilliQuantity(q.MilliValue(), q.Format)
		// Cmp a copy: against a big-decimal q, Cmp turns its receiver
		// into a big decimal too.
		if probe := m; probe.Cmp(q) == 0 {
			return m
		}
	}
	return q
}

// classifyName answers usageFrom from the Ledger's name table.
func (l *Ledger) classifyName(r corev1.ResourceName) (huge, draExtended bool) {
	info := l.nameInfo(r)
	return info.huge, info.draExtended
}
