package quota

import (
	corev1 "k8s.io/api/core/v1"
	resourcev1 "k8s.io/api/resource/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// The validation of the other objects quota charges, as far as their
// quantities go: a ResourceClaim asking for a negative number of devices
// or a PersistentVolumeClaim asking for negative storage is refused by
// the apiserver, so it is never charged (it would lower the namespace's
// usage) and AdmitObject rejects it at the Validation stage. Other fields
// of these objects are assumed valid.

// ValidateClaimCounts returns the errors of the apiserver's validation of
// a ResourceClaim's device counts (validateDeviceAllocationMode), after the
// API defaults (allocationMode ExactCount, count 1): an exact count must
// be above zero, allocationMode All takes no count, no other mode exists.
func ValidateClaimCounts(claim *resourcev1.ResourceClaim) field.ErrorList {
	return validateDeviceClaimCounts(&claim.Spec, field.NewPath("spec", "devices", "requests"))
}

// ValidateClaimTemplateCounts is ValidateClaimCounts for the claim spec of
// a ResourceClaimTemplate (spec.spec).
func ValidateClaimTemplateCounts(t *resourcev1.ResourceClaimTemplate) field.ErrorList {
	return validateDeviceClaimCounts(&t.Spec.Spec, field.NewPath("spec", "spec", "devices", "requests"))
}

func validateDeviceClaimCounts(spec *resourcev1.ResourceClaimSpec, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i, req := range spec.Devices.Requests {
		rp := p.Index(i)
		switch {
		case len(req.FirstAvailable) > 0 && req.Exactly != nil:
			// Refused for having both; the counts are not looked at.
		case len(req.FirstAvailable) > 0:
			for j, sub := range req.FirstAvailable {
				sp := rp.Child("firstAvailable").Index(j)
				errs = append(errs, validateAllocationMode(sub.AllocationMode, sub.Count, sp)...)
			}
		case req.Exactly != nil:
			errs = append(errs, validateAllocationMode(req.Exactly.AllocationMode, req.Exactly.Count, rp.Child("exactly"))...)
		}
	}
	return errs
}

// validateAllocationMode checks one request's mode and count at p, after
// the API defaults.
func validateAllocationMode(mode resourcev1.DeviceAllocationMode, count int64, p *field.Path) field.ErrorList {
	if mode == "" {
		mode = resourcev1.DeviceAllocationModeExactCount
	}
	if mode == resourcev1.DeviceAllocationModeExactCount && count == 0 {
		count = 1
	}
	switch mode {
	case resourcev1.DeviceAllocationModeAll:
		if count != 0 {
			return field.ErrorList{field.Invalid(p.Child("count"), count, "must not be specified when allocationMode is 'All'")}
		}
	case resourcev1.DeviceAllocationModeExactCount:
		if count <= 0 {
			return field.ErrorList{field.Invalid(p.Child("count"), count, "must be greater than zero")}
		}
	default:
		return field.ErrorList{field.NotSupported(p.Child("allocationMode"), mode,
			[]resourcev1.DeviceAllocationMode{resourcev1.DeviceAllocationModeAll, resourcev1.DeviceAllocationModeExactCount})}
	}
	return nil
}

// ValidatePVCStorage returns the errors of the apiserver's validation of a
// PersistentVolumeClaim's storage request: it must be stated and above
// zero.
func ValidatePVCStorage(pvc *corev1.PersistentVolumeClaim) field.ErrorList {
	p := field.NewPath("spec", "resources").Key(string(corev1.ResourceStorage))
	v, ok := pvc.Spec.Resources.Requests[corev1.ResourceStorage]
	switch {
	case !ok:
		return field.ErrorList{field.Required(p, "")}
	case v.Sign() <= 0:
		return field.ErrorList{field.Invalid(p, v.String(), "must be greater than zero")}
	}
	return nil
}

// claimRefusal is the apiserver's message refusing claim's counts, or "".
func claimRefusal(claim *resourcev1.ResourceClaim) string {
	if errs := ValidateClaimCounts(claim); len(errs) > 0 {
		return invalidMessage("ResourceClaim.resource.k8s.io", claim.Name, errs)
	}
	return ""
}

// pvcRefusal is the apiserver's message refusing pvc's storage request,
// or "".
func pvcRefusal(pvc *corev1.PersistentVolumeClaim) string {
	if errs := ValidatePVCStorage(pvc); len(errs) > 0 {
		return invalidMessage("PersistentVolumeClaim", pvc.Name, errs)
	}
	return ""
}
