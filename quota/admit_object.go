package quota

import (
	"strings"

	corev1 "k8s.io/api/core/v1"
	resourcev1 "k8s.io/api/resource/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// AdmitObject decides the creation of an object other than a Pod as the
// kube-apiserver would: validation of a ResourceClaim's device counts and
// of a PersistentVolumeClaim's storage request (ValidateClaimCounts,
// ValidatePVCStorage; other fields are assumed valid), LimitRanger's
// min/max for a PersistentVolumeClaim,
// then ResourceQuota with the evaluator of the object's kind
// (ResourceClaims per device class, PVC storage and storage classes,
// Services and their node ports and load balancers, object counts).
// Result.Pod and Result.Effective are empty. Quotas with scopes never
// match these objects (VolumeAttributesClass scopes are not modelled).
// The object's group and kind come from its Go type for the core kinds,
// PersistentVolumeClaim, Service, ConfigMap, Secret, ReplicationController
// and resource.k8s.io ResourceClaim, else from its TypeMeta.
func (l *Ledger) AdmitObject(obj runtime.Object) Result {
	gk := groupKindOf(obj)
	m, err := meta.Accessor(obj)
	if err != nil {
		return Result{Stage: StageValidation, Message: err.Error()}
	}
	ns := l.lookup(m.GetNamespace())
	resourceName := strings.TrimPrefix(string(countKeyOf(gk.Group, gk.Kind)), countPrefix)
	res := Result{Usage: l.objectChargeAt(gk, obj)}
	if msg := objectRefusal(obj); msg != "" {
		res.Quotas = l.objectDecisions(ns, gk)
		return res.reject(StageValidation, msg)
	}
	if gk.Group == "" && gk.Kind == "PersistentVolumeClaim" {
		if pvc, ok := obj.(*corev1.PersistentVolumeClaim); ok {
			res.Usage = pvcUsage(pvc)
			if msg := ValidatePVC(ns.limitRanges, pvc); msg != "" {
				res.Quotas = l.objectDecisions(ns, gk)
				return res.reject(StageLimitRanger, msg)
			}
		}
	}
	res.Quotas = l.objectDecisions(ns, gk)
	return checkQuotas(ns, res, charge{usage: res.Usage}, resourceName, m.GetName(), func(q *quotaState) ([]corev1.ResourceName, string) {
		return l.objectMatchingKeys(gk, q.hardKeys), ""
	})
}

// objectRefusal is the apiserver's validation message for a
// ResourceClaim's device counts or a PersistentVolumeClaim's storage
// request, or "".
func objectRefusal(obj runtime.Object) string {
	switch o := obj.(type) {
	case *resourcev1.ResourceClaim:
		return claimRefusal(o)
	case *corev1.PersistentVolumeClaim:
		return pvcRefusal(o)
	}
	return ""
}

func groupKindOf(obj runtime.Object) schema.GroupKind {
	switch obj.(type) {
	case *corev1.PersistentVolumeClaim:
		return schema.GroupKind{Kind: "PersistentVolumeClaim"}
	case *corev1.Service:
		return schema.GroupKind{Kind: "Service"}
	case *corev1.ConfigMap:
		return schema.GroupKind{Kind: "ConfigMap"}
	case *corev1.Secret:
		return schema.GroupKind{Kind: "Secret"}
	case *corev1.ReplicationController:
		return schema.GroupKind{Kind: "ReplicationController"}
	case *resourcev1.ResourceClaim:
		return schema.GroupKind{Group: resourcev1.GroupName, Kind: "ResourceClaim"}
	}
	return obj.GetObjectKind().GroupVersionKind().GroupKind()
}

// objectChargeAt is what quota charges obj of kind gk if created now.
func (l *Ledger) objectChargeAt(gk schema.GroupKind, obj runtime.Object) corev1.ResourceList {
	if claim, ok := obj.(*resourcev1.ResourceClaim); ok {
		return l.claimUsage(claim, l.now)
	}
	return objectCharge(gk.Group, gk.Kind, obj)
}

// objectDecisions are the quotas' states before admitting an object of
// kind gk: a quota matches when it has no scopes and tracks one of the
// kind's keys.
func (l *Ledger) objectDecisions(ns *namespaceState, gk schema.GroupKind) []QuotaDecision {
	out := make([]QuotaDecision, len(ns.quotas))
	for i, q := range ns.quotas {
		out[i] = QuotaDecision{Name: q.rq.Name, Matches: len(q.selectors) == 0 && len(l.objectMatchingKeys(gk, q.hardKeys)) > 0,
			Hard: q.hardView, UsedBefore: q.usedView}
	}
	return out
}

// objectMatchingKeys are the keys the evaluator of kind gk tracks
// (MatchingResources).
func (l *Ledger) objectMatchingKeys(gk schema.GroupKind, keys []corev1.ResourceName) []corev1.ResourceName {
	if gk.Group == resourcev1.GroupName && gk.Kind == "ResourceClaim" {
		return l.classes.claimKeys(keys)
	}
	count := countKeyOf(gk.Group, gk.Kind)
	var out []corev1.ResourceName
	for _, k := range keys {
		s := string(k)
		match := k == count
		if gk.Group == "" {
			switch gk.Kind {
			case "Service":
				match = match || k == corev1.ResourceServices || k == corev1.ResourceServicesLoadBalancers || k == corev1.ResourceServicesNodePorts
			case "PersistentVolumeClaim":
				match = match || k == corev1.ResourcePersistentVolumeClaims || k == corev1.ResourceRequestsStorage || isStorageClassKey(s)
			case "ConfigMap", "Secret", "ReplicationController", "ResourceQuota":
				match = match || s == resourceOfKind[gk.Kind]
			}
		}
		if match {
			out = append(out, k)
		}
	}
	return out
}
