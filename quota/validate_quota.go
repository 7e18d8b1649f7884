package quota

import (
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// ValidateQuota returns the errors for which the kube-apiserver refuses to
// store a ResourceQuota's spec (keys, quantities, scopes and scope
// selector), with the apiserver's paths and texts. Errors of one map are
// sorted by key; the apiserver lists them in map order.
func ValidateQuota(rq *corev1.ResourceQuota) field.ErrorList {
	spec := field.NewPath("spec")
	var errs field.ErrorList
	for _, k := range sortedKeys(rq.Spec.Hard) {
		p := spec.Child("hard").Key(string(k))
		errs = append(errs, validateQuotaKey(k, p)...)
		errs = append(errs, validateQuantity(k, rq.Spec.Hard[k], p)...)
	}
	errs = append(errs, validateScopes(&rq.Spec, spec)...)
	if rq.Spec.ScopeSelector != nil {
		errs = append(errs, validateScopeSelector(&rq.Spec, spec.Child("scopeSelector"))...)
	}
	return errs
}

// RefusalMessage is the apiserver's message when it refuses to store a
// ResourceQuota, or "" when it would store it.
func RefusalMessage(rq *corev1.ResourceQuota) string {
	errs := ValidateQuota(rq)
	if len(errs) == 0 {
		return ""
	}
	return invalidMessage("ResourceQuota", rq.Name, errs)
}

func invalidMessage(kind, name string, errs field.ErrorList) string {
	return kind + " " + quote(name) + " is invalid: " + errs.ToAggregate().Error()
}

// qualifiedNameErrors is the apiserver's qualified-name check of a resource
// name k, as errors at p.
func qualifiedNameErrors(k corev1.ResourceName, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, msg := range validation.IsQualifiedName(string(k)) {
		errs = append(errs, field.Invalid(p, k, msg))
	}
	return errs
}

func validateQuotaKey(k corev1.ResourceName, p *field.Path) field.ErrorList {
	errs := qualifiedNameErrors(k, p)
	if len(errs) > 0 {
		return errs
	}
	if strings.Contains(string(k), "/") {
		return nil
	}
	if !isStandardResourceName(k) {
		errs = append(errs, field.Invalid(p, k, "must be a standard resource type or fully qualified"))
	}
	if !isStandardQuotaKey(k) {
		errs = append(errs, field.Invalid(p, k, "must be a standard resource for quota"))
	}
	return errs
}

// negativeDetail is the apiserver's text for a negative quantity
// (ValidateNonnegativeQuantity).
const negativeDetail = "must be greater than or equal to 0"

func validateQuantity(k corev1.ResourceName, q resource.Quantity, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if q.Sign() < 0 {
		errs = append(errs, field.Invalid(p, q.String(), negativeDetail))
	}
	if isIntegerKey(k) && q.MilliValue()%1000 != 0 {
		errs = append(errs, field.Invalid(p, q, "must be an integer"))
	}
	return errs
}

var standardScopes = map[corev1.ResourceQuotaScope]bool{
	corev1.ResourceQuotaScopeTerminating: true, corev1.ResourceQuotaScopeNotTerminating: true,
	corev1.ResourceQuotaScopeBestEffort: true, corev1.ResourceQuotaScopeNotBestEffort: true,
	corev1.ResourceQuotaScopePriorityClass: true, corev1.ResourceQuotaScopeVolumeAttributesClass: true,
	corev1.ResourceQuotaScopeCrossNamespacePodAffinity: true,
}

// scopeAllowsKey is IsResourceQuotaScopeValidForResource for standard keys.
func scopeAllowsKey(scope corev1.ResourceQuotaScope, k corev1.ResourceName) bool {
	compute := k == corev1.ResourcePods || k == corev1.ResourceCPU || k == corev1.ResourceMemory ||
		k == corev1.ResourceLimitsCPU || k == corev1.ResourceLimitsMemory ||
		k == corev1.ResourceRequestsCPU || k == corev1.ResourceRequestsMemory
	switch scope {
	case corev1.ResourceQuotaScopeTerminating, corev1.ResourceQuotaScopeNotTerminating,
		corev1.ResourceQuotaScopeNotBestEffort, corev1.ResourceQuotaScopePriorityClass,
		corev1.ResourceQuotaScopeCrossNamespacePodAffinity:
		return compute
	case corev1.ResourceQuotaScopeBestEffort:
		return k == corev1.ResourcePods
	case corev1.ResourceQuotaScopeVolumeAttributesClass:
		return k == corev1.ResourcePersistentVolumeClaims || k == corev1.ResourceRequestsStorage
	}
	return true
}

// scopeRejectsSomeKey reports whether a standard key of hard is not allowed
// under scope, once per offending key.
func scopeKeyErrors(scope corev1.ResourceQuotaScope, hard corev1.ResourceList) int {
	n := 0
	for _, k := range sortedKeys(hard) {
		if isStandardQuotaKey(k) && !scopeAllowsKey(scope, k) {
			n++
		}
	}
	return n
}

func validateScopes(spec *corev1.ResourceQuotaSpec, fld *field.Path) field.ErrorList {
	if len(spec.Scopes) == 0 {
		return nil
	}
	p := fld.Child("scopes")
	var errs field.ErrorList
	seen := map[corev1.ResourceQuotaScope]bool{}
	for _, s := range spec.Scopes {
		if !standardScopes[s] {
			errs = append(errs, field.Invalid(p, spec.Scopes, "unsupported scope"))
		}
		for range scopeKeyErrors(s, spec.Hard) {
			errs = append(errs, field.Invalid(p, spec.Scopes, "unsupported scope applied to resource"))
		}
		seen[s] = true
	}
	return append(errs, conflictErrors(seen, p, spec.Scopes)...)
}

func conflictErrors(seen map[corev1.ResourceQuotaScope]bool, p *field.Path, value any) field.ErrorList {
	var errs field.ErrorList
	if seen[corev1.ResourceQuotaScopeBestEffort] && seen[corev1.ResourceQuotaScopeNotBestEffort] {
		errs = append(errs, field.Invalid(p, value, "conflicting scopes"))
	}
	if seen[corev1.ResourceQuotaScopeTerminating] && seen[corev1.ResourceQuotaScopeNotTerminating] {
		errs = append(errs, field.Invalid(p, value, "conflicting scopes"))
	}
	return errs
}

func validateScopeSelector(spec *corev1.ResourceQuotaSpec, fld *field.Path) field.ErrorList {
	p := fld.Child("matchExpressions")
	var errs field.ErrorList
	seen := map[corev1.ResourceQuotaScope]bool{}
	for _, req := range spec.ScopeSelector.MatchExpressions {
		if !standardScopes[req.ScopeName] {
			errs = append(errs, field.Invalid(p.Child("scopeName"), req.ScopeName, "unsupported scope"))
		}
		for range scopeKeyErrors(req.ScopeName, spec.Hard) {
			errs = append(errs, field.Invalid(p, spec.ScopeSelector, "unsupported scope applied to resource"))
		}
		errs = append(errs, validateOperator(req, p)...)
		seen[req.ScopeName] = true
	}
	// The apiserver reports spec.scopes here, not the selector.
	return append(errs, conflictErrors(seen, p, spec.Scopes)...)
}

func validateOperator(req corev1.ScopedResourceSelectorRequirement, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	switch req.ScopeName {
	case corev1.ResourceQuotaScopeBestEffort, corev1.ResourceQuotaScopeNotBestEffort,
		corev1.ResourceQuotaScopeTerminating, corev1.ResourceQuotaScopeNotTerminating,
		corev1.ResourceQuotaScopeCrossNamespacePodAffinity:
		if req.Operator != corev1.ScopeSelectorOpExists {
			errs = append(errs, field.Invalid(p.Child("operator"), req.Operator,
				"must be 'Exists' when scope is any of ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, ResourceQuotaScopeNotBestEffort or ResourceQuotaScopeCrossNamespacePodAffinity"))
		}
	}
	switch req.Operator {
	case corev1.ScopeSelectorOpIn, corev1.ScopeSelectorOpNotIn:
		if len(req.Values) == 0 {
			errs = append(errs, field.Required(p.Child("values"),
				"must be at least one value when `operator` is 'In' or 'NotIn' for scope selector"))
		}
	case corev1.ScopeSelectorOpExists, corev1.ScopeSelectorOpDoesNotExist:
		if len(req.Values) != 0 {
			errs = append(errs, field.Invalid(p.Child("values"), req.Values,
				"must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector"))
		}
	default:
		errs = append(errs, field.Invalid(p.Child("operator"), req.Operator, "not a valid selector operator"))
	}
	return errs
}

func sortedKeys(l corev1.ResourceList) []corev1.ResourceName {
	out := make([]corev1.ResourceName, 0, len(l))
	for k := range l {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
