package quota

import (
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	resourcev1 "k8s.io/api/resource/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/aigov/aigov/governance"
)

// DRAExtendedResource (GA and locked on in v1.37) lets a pod ask for DRA
// devices as an extended resource: the name a DeviceClass gives in
// spec.extendedResourceName, or deviceclass.resource.kubernetes.io/<class>
// for any class. The scheduler then creates a ResourceClaim for the pod.
// This file is the ResourceClaim evaluator's side of it
// (k8s.io/kubernetes v1.37.2 pkg/quota/v1/evaluator/core/resource_claims.go:
// MatchingResources, addExtendedResourceQuota, getVerifiedPodUsage), which
// reads the DeviceClasses through an extended-resource cache
// (k8s.io/dynamic-resource-allocation deviceclass/extendedresourcecache).
// The pod evaluator's side (requests.<name> for both forms, whatever the
// DeviceClasses) is computeUsage's.

// deviceClasses is what the claim evaluator reads of the inventory's
// DeviceClasses: which exist, and the extendedResourceName of each.
type deviceClasses struct {
	exists map[string]bool
	// extended maps a class to its spec.extendedResourceName.
	extended map[string]corev1.ResourceName
	// mapped are the extendedResourceNames of all classes.
	mapped map[corev1.ResourceName]bool
}

func newDeviceClasses(inv *governance.Inventory) deviceClasses {
	c := deviceClasses{exists: map[string]bool{}, extended: map[string]corev1.ResourceName{}, mapped: map[corev1.ResourceName]bool{}}
	for _, dc := range governance.Typed[*resourcev1.DeviceClass](inv) {
		c.exists[dc.Name] = true
		if name := dc.Spec.ExtendedResourceName; name != nil {
			c.extended[dc.Name] = corev1.ResourceName(*name)
			c.mapped[corev1.ResourceName(*name)] = true
		}
	}
	return c
}

// claimsByNamespace are the inventory's ResourceClaims by namespace,
// but for those whose device counts the apiserver refuses.
func claimsByNamespace(inv *governance.Inventory) map[string][]*resourcev1.ResourceClaim {
	out := map[string][]*resourcev1.ResourceClaim{}
	for _, c := range governance.Typed[*resourcev1.ResourceClaim](inv) {
		if len(ValidateClaimCounts(c)) > 0 {
			continue // refused by the apiserver: never charged
		}
		ns := c.Namespace
		if ns == "" {
			ns = "default"
		}
		out[ns] = append(out[ns], c)
	}
	return out
}

// claimTracks says whether the claim evaluator tracks quota key k
// (MatchingResources): the claim count and per-class device keys always;
// requests.deviceclass.resource.kubernetes.io/<class> when the class
// exists; requests.<name> when a class maps that extended resource name.
// (Upstream asks its cache two questions — does the class map a name, is
// the implicit name of an existing class or a mapped name known — whose
// union for the implicit key is "the class exists".)
func (c deviceClasses) claimTracks(k corev1.ResourceName) bool {
	s := string(k)
	if k == resourceClaimCount || strings.HasSuffix(s, deviceClassSuffix) {
		return true
	}
	if class, ok := strings.CutPrefix(s, implicitDeviceClass); ok {
		return c.exists[class]
	}
	return isExtendedQuotaKey(k) && c.mapped[corev1.ResourceName(strings.TrimPrefix(s, requestsPrefix))]
}

// claimKeys are the keys of a quota the claim evaluator tracks.
func (c deviceClasses) claimKeys(keys []corev1.ResourceName) []corev1.ResourceName {
	var out []corev1.ResourceName
	for _, k := range keys {
		if c.claimTracks(k) {
			out = append(out, k)
		}
	}
	return out
}

// claimUsage is what quota charges claim, created at createdAt:
// ClaimUsage, plus extendedUsage less what the owning pod is charged for
// the same key when the claim is the one the scheduler made for the
// pod's extended resources; keys left at zero or below are not charged
// (addExtendedResourceQuota).
func (l *Ledger) claimUsage(claim *resourcev1.ResourceClaim, createdAt time.Time) corev1.ResourceList {
	out := ClaimUsage(claim)
	pod := l.verifiedPodUsage(claim, createdAt)
	for k, v := range l.extendedUsage(out) {
		if charged, ok := pod[k]; ok {
			v.Sub(charged)
		}
		if v.Sign() > 0 {
			out[k] = v
		}
	}
	return out
}

// extendedUsage charges each device class of a claim's usage its count
// again, as requests.deviceclass.resource.kubernetes.io/<class> and, when
// the class maps an extended resource name, as requests.<name>. Upstream
// collects these in a map, so when two classes of one claim map the same
// name, which count it keeps depends on map order; here the class sorted
// last wins.
func (l *Ledger) extendedUsage(usage corev1.ResourceList) corev1.ResourceList {
	out := corev1.ResourceList{}
	for _, k := range sortedKeys(usage) {
		class, ok := strings.CutSuffix(string(k), deviceClassSuffix)
		if !ok || class == "" {
			continue
		}
		out[corev1.ResourceName(implicitDeviceClass+class)] = usage[k].DeepCopy()
		if name, ok := l.classes.extended[class]; ok {
			out[requestsPrefix+name] = usage[k].DeepCopy()
		}
	}
	return out
}

// verifiedPodUsage is the usage of the pod a claim was made for, when
// quota trusts that link (getVerifiedPodUsage): the claim carries the
// extended-resource-claim annotation and a controller reference to a v1
// Pod stored with that UID, and the pod names the claim in its status or,
// naming none, the claim is the first such claim of the pod (by creation
// time, then name). Else nil.
func (l *Ledger) verifiedPodUsage(claim *resourcev1.ResourceClaim, createdAt time.Time) corev1.ResourceList {
	ref := podOwner(claim)
	if ref == nil {
		return nil
	}
	namespace := l.lookup(claim.Namespace).name
	pod := l.storedPod(namespace, ref.Name, ref.UID)
	if pod == nil {
		return nil
	}
	if st := pod.Status.ExtendedResourceClaimStatus; st != nil {
		if st.ResourceClaimName != claim.Name {
			return nil
		}
	} else if !l.firstClaimOf(namespace, claim, createdAt, pod.UID) {
		return nil
	}
	return PodUsage(pod, l.now)
}

// podOwner is the controller reference of a claim the scheduler made for
// a pod's extended resources, or nil.
func podOwner(claim *resourcev1.ResourceClaim) *metav1.OwnerReference {
	if claim.Annotations[resourcev1.ExtendedResourceClaimAnnotation] != "true" {
		return nil
	}
	ref := metav1.GetControllerOfNoCopy(claim)
	if ref == nil || ref.Kind != "Pod" || ref.APIVersion != "v1" {
		return nil
	}
	return ref
}

// storedPod is the inventory's pod of that namespace, name and UID (pods
// read back from a cluster; manifests have no UID).
func (l *Ledger) storedPod(namespace, name string, uid types.UID) *corev1.Pod {
	if uid == "" {
		return nil
	}
	for _, p := range l.lookup(namespace).pods {
		if p.pod.UID == uid && p.pod.Name == name {
			return p.pod
		}
	}
	return nil
}

// firstClaimOf says that no other stored extended-resource claim of the
// pod was created before claim (createdAt), or at the same time with a
// smaller name.
func (l *Ledger) firstClaimOf(namespace string, claim *resourcev1.ResourceClaim, createdAt time.Time, podUID types.UID) bool {
	return !slices.ContainsFunc(l.claims[namespace], func(other *resourcev1.ResourceClaim) bool {
		ref := podOwner(other)
		if ref == nil || ref.UID != podUID {
			return false
		}
		switch other.CreationTimestamp.Time.Compare(createdAt) {
		case -1:
			return true
		case 0:
			return other.Name < claim.Name
		}
		return false
	})
}
