package quota

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// ValidatePodResources returns the pod validation errors about container
// resources the apiserver reports after defaulting and mutating
// admission: resource names, negative and fractional quantities (extended
// resources are whole numbers), request above limit, and for extended
// resources and hugepages a limit that must exist and equal the request.
// Other pod fields are assumed valid.
func ValidatePodResources(pod *corev1.Pod) field.ErrorList {
	var errs field.ErrorList
	spec := field.NewPath("spec")
	for i := range pod.Spec.Containers {
		errs = append(errs, validateRequirements(&pod.Spec.Containers[i].Resources, spec.Child("containers").Index(i).Child("resources"))...)
	}
	for i := range pod.Spec.InitContainers {
		errs = append(errs, validateRequirements(&pod.Spec.InitContainers[i].Resources, spec.Child("initContainers").Index(i).Child("resources"))...)
	}
	return errs
}

func validateRequirements(r *corev1.ResourceRequirements, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	limPath, reqPath := p.Child("limits"), p.Child("requests")
	cpuOrMem, huge := false, false
	for _, k := range sortedKeys(r.Limits) {
		fp := limPath.Key(string(k))
		errs = append(errs, validateContainerResourceName(k, fp)...)
		errs = append(errs, validateQuantity(k, r.Limits[k], fp)...)
		huge = huge || isHugePages(k)
		cpuOrMem = cpuOrMem || k == corev1.ResourceCPU || k == corev1.ResourceMemory
	}
	for _, k := range sortedKeys(r.Requests) {
		q := r.Requests[k]
		fp := reqPath.Key(string(k))
		errs = append(errs, validateContainerResourceName(k, fp)...)
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

// invalidPodMessage is the apiserver's text for a pod refused by validation.
func invalidPodMessage(pod *corev1.Pod, errs field.ErrorList) string {
	return invalidMessage("Pod", pod.Name, errs)
}
