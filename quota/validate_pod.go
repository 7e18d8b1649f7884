package quota

import (
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	resourcehelper "k8s.io/component-helpers/resource"
)

// ValidatePodResources returns the pod validation errors about resources
// the apiserver reports after defaulting and mutating admission, in its
// order (containers, init containers, pod-level resources, overhead):
// resource names, negative and fractional quantities (extended resources
// are whole numbers), request above limit, and for extended resources and
// hugepages a limit that must exist and equal the request; for pod-level
// resources (spec.resources) also the supported names (cpu, memory,
// hugepages) and their consistency with the containers'; the overhead is
// validated as container limits. Other pod fields are assumed valid, and
// pod-level resources are taken as given (the apiserver's pod-level
// defaulting is not applied).
func ValidatePodResources(pod *corev1.Pod) field.ErrorList {
	var errs field.ErrorList
	spec := field.NewPath("spec")
	for i := range pod.Spec.Containers {
		errs = append(errs, validateRequirements(&pod.Spec.Containers[i].Resources, spec.Child("containers").Index(i).Child("resources"), validateContainerResourceName)...)
	}
	for i := range pod.Spec.InitContainers {
		errs = append(errs, validateRequirements(&pod.Spec.InitContainers[i].Resources, spec.Child("initContainers").Index(i).Child("resources"), validateContainerResourceName)...)
	}
	errs = append(errs, validatePodLevelResources(pod, spec.Child("resources"))...)
	if pod.Spec.Overhead != nil {
		errs = append(errs, validateRequirements(&corev1.ResourceRequirements{Limits: pod.Spec.Overhead}, spec.Child("overhead"), validateContainerResourceName)...)
	}
	return errs
}

// validatePodLevelResources is the apiserver's validation of
// spec.resources (PodLevelResources, on by default in v1.37).
func validatePodLevelResources(pod *corev1.Pod, p *field.Path) field.ErrorList {
	r := pod.Spec.Resources
	if r == nil {
		return nil
	}
	if pod.Spec.OS != nil && pod.Spec.OS.Name == corev1.Windows {
		return field.ErrorList{field.Forbidden(p, "may not be set for a windows pod")}
	}
	var errs field.ErrorList
	if r.Claims != nil {
		errs = append(errs, field.Forbidden(p.Child("claims"), "claims may not be set for Resources at pod-level"))
	}
	errs = append(errs, validateRequirements(r, p, validatePodResourceName)...)
	return append(errs, podLevelConsistency(pod, p)...)
}

// podLevelConsistency: the pod-level request of a resource is at least
// what the containers request together; a pod-level hugepages limit at
// least the containers' limits together; no container's limit above the
// pod-level one.
func podLevelConsistency(pod *corev1.Pod, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	r := pod.Spec.Resources
	reqs := resourcehelper.AggregateContainerRequests(pod, resourcehelper.PodResourcesOptions{})
	for _, k := range sortedKeys(reqs) {
		podReq, ok := r.Requests[k]
		if agg := reqs[k]; ok && agg.Cmp(podReq) > 0 {
			errs = append(errs, field.Invalid(p.Child("requests").Key(string(k)), podReq.String(), fmt.Sprintf("must be greater than or equal to aggregate container requests of %s", agg.String())))
		}
	}
	lims := resourcehelper.AggregateContainerLimits(pod, resourcehelper.PodResourcesOptions{})
	for _, k := range sortedKeys(lims) {
		podLim, ok := r.Limits[k]
		if agg := lims[k]; ok && isHugePages(k) && agg.Cmp(podLim) > 0 {
			errs = append(errs, field.Invalid(p.Child("limits").Key(string(k)), podLim.String(), fmt.Sprintf("must be greater than or equal to aggregate container limits of %s", agg.String())))
		}
	}
	for i := range pod.Spec.Containers {
		cl := pod.Spec.Containers[i].Resources.Limits
		for _, k := range sortedKeys(cl) {
			podLim, ok := r.Limits[k]
			if lim := cl[k]; ok && lim.Cmp(podLim) > 0 {
				// The apiserver's path, as it writes it.
				errs = append(errs, field.Invalid(p.Child("containers").Index(i).Key(string(k)).Child("limits"), lim.String(), fmt.Sprintf("must be less than or equal to pod limits of %s", podLim.String())))
			}
		}
	}
	return errs
}

// validatePodResourceName is the name check of pod-level resources: a
// valid resource name, and one of cpu, memory, hugepages-*.
func validatePodResourceName(k corev1.ResourceName, p *field.Path) field.ErrorList {
	errs := qualifiedNameErrors(k, p)
	if len(errs) > 0 {
		return errs
	}
	if !strings.Contains(string(k), "/") && !isStandardResourceName(k) {
		return field.ErrorList{field.Invalid(p, k, "must be a standard resource type or fully qualified")}
	}
	if !resourcehelper.IsSupportedPodLevelResource(k) {
		supported := resourcehelper.SupportedPodLevelResources().UnsortedList()
		sort.Slice(supported, func(i, j int) bool { return supported[i] < supported[j] })
		return field.ErrorList{field.NotSupported(p, k, supported)}
	}
	return nil
}

// validateRequirements is the apiserver's validation of one
// ResourceRequirements at p, with validName the check of its names.
func validateRequirements(r *corev1.ResourceRequirements, p *field.Path, validName func(corev1.ResourceName, *field.Path) field.ErrorList) field.ErrorList {
	var errs field.ErrorList
	limPath, reqPath := p.Child("limits"), p.Child("requests")
	cpuOrMem, huge := false, false
	for _, k := range sortedKeys(r.Limits) {
		fp := limPath.Key(string(k))
		errs = append(errs, validName(k, fp)...)
		errs = append(errs, validateQuantity(k, r.Limits[k], fp)...)
		huge = huge || isHugePages(k)
		cpuOrMem = cpuOrMem || k == corev1.ResourceCPU || k == corev1.ResourceMemory
	}
	for _, k := range sortedKeys(r.Requests) {
		q := r.Requests[k]
		fp := reqPath.Key(string(k))
		errs = append(errs, validName(k, fp)...)
		errs = append(errs, validateQuantity(k, q, fp)...)
		if lim, ok := r.Limits[k]; ok {
			if q.Cmp(lim) != 0 && !overcommitAllowed(k) {
				errs = append(errs, field.Invalid(reqPath, q.String(), fmt.Sprintf("must be equal to %s limit of %s", k, lim.String())))
			} else if q.Cmp(lim) > 0 {
				errs = append(errs, field.Invalid(reqPath, q.String(), fmt.Sprintf("must be less than or equal to %s limit of %s", k, lim.String())))
			}
		} else if !overcommitAllowed(k) {
			errs = append(errs, field.Required(limPath, "Limit must be set for non overcommitable resources"))
		}
		huge = huge || isHugePages(k)
		cpuOrMem = cpuOrMem || k == corev1.ResourceCPU || k == corev1.ResourceMemory
	}
	if huge && !cpuOrMem {
		errs = append(errs, field.Forbidden(p, "HugePages require cpu or memory"))
	}
	return errs
}

var standardContainerResources = map[corev1.ResourceName]bool{
	corev1.ResourceCPU: true, corev1.ResourceMemory: true, corev1.ResourceEphemeralStorage: true,
}

func validateContainerResourceName(k corev1.ResourceName, p *field.Path) field.ErrorList {
	errs := qualifiedNameErrors(k, p)
	if len(errs) > 0 {
		return errs
	}
	if !strings.Contains(string(k), "/") {
		if !isStandardResourceName(k) {
			errs = append(errs, field.Invalid(p, k, "must be a standard resource type or fully qualified"))
		}
		if !standardContainerResources[k] && !isHugePages(k) {
			errs = append(errs, field.Invalid(p, k, "must be a standard resource for containers"))
		}
		return errs
	}
	if !isNative(k) && !isExtended(k) {
		errs = append(errs, field.Invalid(p, k, "doesn't follow extended resource name standard"))
	}
	return errs
}

// isStandardResourceName is IsStandardResourceName: the quota names plus
// "storage".
func isStandardResourceName(k corev1.ResourceName) bool {
	return k == corev1.ResourceStorage || isStandardQuotaKey(k)
}

// NegativeQuantities are the errors of ValidatePodResources about
// negative requests, limits and overhead: a pod with one is refused by
// the apiserver, and quota must never charge it (its usage would lower
// the namespace's).
func NegativeQuantities(pod *corev1.Pod) field.ErrorList {
	var out field.ErrorList
	for _, e := range ValidatePodResources(pod) {
		if e.Type == field.ErrorTypeInvalid && e.Detail == negativeDetail {
			out = append(out, e)
		}
	}
	return out
}

// hasNegativeQuantity says whether NegativeQuantities finds any, without
// validating the rest.
func hasNegativeQuantity(pod *corev1.Pod) bool {
	negative := func(r *corev1.ResourceRequirements) bool {
		for _, l := range []corev1.ResourceList{r.Requests, r.Limits} {
			for _, q := range l {
				if q.Sign() < 0 {
					return true
				}
			}
		}
		return false
	}
	for _, list := range [][]corev1.Container{pod.Spec.Containers, pod.Spec.InitContainers} {
		for i := range list {
			if negative(&list[i].Resources) {
				return true
			}
		}
	}
	if r := pod.Spec.Resources; r != nil && negative(r) {
		return true
	}
	return negative(&corev1.ResourceRequirements{Limits: pod.Spec.Overhead})
}

// invalidPodMessage is the apiserver's text for a pod refused by validation.
func invalidPodMessage(pod *corev1.Pod, errs field.ErrorList) string {
	return invalidMessage("Pod", pod.Name, errs)
}
