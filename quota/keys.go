package quota

import (
	"strings"

	corev1 "k8s.io/api/core/v1"
	resourcev1 "k8s.io/api/resource/v1"
	"k8s.io/apimachinery/pkg/util/validation"
)

// KeyClass says what the kube-apiserver does with a ResourceQuota key.
type KeyClass string

const (
	// KeyEnforced keys are tracked by a quota evaluator and enforced.
	KeyEnforced KeyClass = "enforced"
	// KeyInert keys are stored but no evaluator ever tracks them: the quota
	// looks like a cap and caps nothing (e.g. nvidia.com/gpu).
	KeyInert KeyClass = "inert"
	// KeyInvalid keys make the apiserver refuse the whole ResourceQuota
	// (e.g. limits.gpu), which leaves the namespace uncapped.
	KeyInvalid KeyClass = "invalid"
)

// Quota key prefixes and suffixes of k8s.io/api v0.37.2.
const (
	requestsPrefix       = corev1.DefaultResourceRequestsPrefix // "requests."
	limitsPrefix         = "limits."
	countPrefix          = "count/"
	hugePagesPrefix      = corev1.ResourceHugePagesPrefix
	requestsHugePages    = corev1.ResourceRequestsHugePagesPrefix
	storageClassInfix    = ".storageclass.storage.k8s.io/"
	deviceClassSuffix    = corev1.ResourceClaimsPerClass                 // ".deviceclass.resource.k8s.io/devices"
	implicitDeviceClass  = corev1.ResourceImplicitExtendedClaimsPerClass // "requests.deviceclass.resource.kubernetes.io/"
	kubernetesIOInfix    = corev1.ResourceDefaultNamespacePrefix         // "kubernetes.io/"
	podCountKey          = corev1.ResourceName("count/pods")
	resourceClaimCount   = corev1.ResourceName("count/resourceclaims.resource.k8s.io")
	draMaxAllocatedCount = resourcev1.AllocationResultsMaxSize
)

// standardQuotaKeys are the slash-less keys a ResourceQuota may hold
// (IsStandardQuotaResourceName in k8s.io/kubernetes pkg/apis/core/helper),
// hugepages aside.
var standardQuotaKeys = map[corev1.ResourceName]bool{
	corev1.ResourceCPU: true, corev1.ResourceMemory: true, corev1.ResourceEphemeralStorage: true,
	corev1.ResourceRequestsCPU: true, corev1.ResourceRequestsMemory: true,
	corev1.ResourceRequestsStorage: true, corev1.ResourceRequestsEphemeralStorage: true,
	corev1.ResourceLimitsCPU: true, corev1.ResourceLimitsMemory: true, corev1.ResourceLimitsEphemeralStorage: true,
	corev1.ResourcePods: true, corev1.ResourceQuotas: true, corev1.ResourceServices: true,
	corev1.ResourceReplicationControllers: true, corev1.ResourceSecrets: true,
	corev1.ResourcePersistentVolumeClaims: true, corev1.ResourceConfigMaps: true,
	corev1.ResourceServicesNodePorts: true, corev1.ResourceServicesLoadBalancers: true,
}

// integerKeys must hold whole numbers (IsIntegerResourceName), besides
// extended resource names.
var integerKeys = map[corev1.ResourceName]bool{
	corev1.ResourcePods: true, corev1.ResourceQuotas: true, corev1.ResourceServices: true,
	corev1.ResourceReplicationControllers: true, corev1.ResourceSecrets: true,
	corev1.ResourceConfigMaps: true, corev1.ResourcePersistentVolumeClaims: true,
	corev1.ResourceServicesNodePorts: true, corev1.ResourceServicesLoadBalancers: true,
}

// podKeys are the pod evaluator's fixed keys.
var podKeys = map[corev1.ResourceName]bool{
	podCountKey: true, corev1.ResourceCPU: true, corev1.ResourceMemory: true,
	corev1.ResourceEphemeralStorage: true, corev1.ResourceRequestsCPU: true,
	corev1.ResourceRequestsMemory: true, corev1.ResourceRequestsEphemeralStorage: true,
	corev1.ResourceLimitsCPU: true, corev1.ResourceLimitsMemory: true,
	corev1.ResourceLimitsEphemeralStorage: true, corev1.ResourcePods: true,
}

// mustSpecifyKeys force every container to state a value when a matching
// quota tracks them (the pod evaluator's Constraints).
var mustSpecifyKeys = []corev1.ResourceName{
	corev1.ResourceCPU, corev1.ResourceLimitsCPU, corev1.ResourceLimitsMemory,
	corev1.ResourceMemory, corev1.ResourceRequestsCPU, corev1.ResourceRequestsMemory,
}

func isStandardQuotaKey(k corev1.ResourceName) bool {
	s := string(k)
	return standardQuotaKeys[k] || strings.HasPrefix(s, hugePagesPrefix) || strings.HasPrefix(s, requestsHugePages)
}

// isNative: no slash, or in the kubernetes.io namespace.
func isNative(k corev1.ResourceName) bool {
	s := string(k)
	return !strings.Contains(s, "/") || strings.Contains(s, kubernetesIOInfix)
}

// isExtended is an extended resource name as containers use it
// (nvidia.com/gpu): not native, not "requests."-prefixed, and a qualified
// name once prefixed with "requests.".
func isExtended(k corev1.ResourceName) bool {
	if isNative(k) || strings.HasPrefix(string(k), requestsPrefix) {
		return false
	}
	return len(validation.IsQualifiedName(requestsPrefix+string(k))) == 0
}

// isHugePages is a container hugepages resource name.
func isHugePages(k corev1.ResourceName) bool { return strings.HasPrefix(string(k), hugePagesPrefix) }

// overcommitAllowed: requests may differ from limits (native, not hugepages).
func overcommitAllowed(k corev1.ResourceName) bool { return isNative(k) && !isHugePages(k) }

// isIntegerKey says the quantity must be whole.
func isIntegerKey(k corev1.ResourceName) bool { return integerKeys[k] || isExtended(k) }

// isDRAExtended is a container resource that quota charges as
// requests.<name>: extended resources and implicit device-class names.
func isDRAExtended(k corev1.ResourceName) bool {
	return isExtended(k) || strings.HasPrefix(string(k), resourcev1.ResourceDeviceClassPrefix)
}

// isPodQuotaKey says whether the pod evaluator tracks a quota key.
func isPodQuotaKey(k corev1.ResourceName) bool {
	s := string(k)
	if podKeys[k] || strings.HasPrefix(s, hugePagesPrefix) || strings.HasPrefix(s, requestsHugePages) {
		return true
	}
	return isExtendedQuotaKey(k)
}

// isExtendedQuotaKey is "requests.<extended>" or the implicit DRA
// device-class form.
func isExtendedQuotaKey(k corev1.ResourceName) bool {
	s := string(k)
	if !strings.HasPrefix(s, requestsPrefix) {
		return false
	}
	return !isNative(k) || strings.HasPrefix(s, implicitDeviceClass)
}

// ClassifyKey says whether the apiserver refuses a ResourceQuota holding the
// key, stores it without ever enforcing it, or enforces it; for invalid and
// inert keys it also says why and, where one exists, the key meant.
func ClassifyKey(k corev1.ResourceName) (class KeyClass, reason, fix string) {
	s := string(k)
	if msgs := validation.IsQualifiedName(s); len(msgs) > 0 {
		return KeyInvalid, strings.Join(msgs, "; "), ""
	}
	if !strings.Contains(s, "/") {
		if isStandardQuotaKey(k) {
			return KeyEnforced, "", ""
		}
		return KeyInvalid, "must be a standard resource for quota", suggestKey(s)
	}
	switch {
	case isExtendedQuotaKey(k), strings.HasPrefix(s, countPrefix),
		strings.HasSuffix(s, deviceClassSuffix),
		isStorageClassKey(s):
		return KeyEnforced, "", ""
	}
	return KeyInert, "no quota evaluator tracks this key; extended resources are limited only as requests.<name>", suggestKey(s)
}

func isStorageClassKey(s string) bool {
	i := strings.Index(s, storageClassInfix)
	if i <= 0 {
		return false
	}
	rest := s[i+len(storageClassInfix):]
	return rest == string(corev1.ResourceRequestsStorage) || rest == string(corev1.ResourcePersistentVolumeClaims)
}

// suggestKey proposes the key a tutorial most likely meant.
func suggestKey(s string) string {
	base := strings.TrimPrefix(strings.TrimPrefix(s, limitsPrefix), requestsPrefix)
	switch {
	case base == "gpu" || base == "gpus" || base == "nvidia.com/gpus":
		return "requests.nvidia.com/gpu"
	case strings.HasPrefix(base, resourcev1.ResourceDeviceClassPrefix):
		// An implicit DRA extended resource: quota limits it as a request.
		return requestsPrefix + base
	case strings.Contains(base, storageClassInfix), strings.Contains(base, ".deviceclass."):
		return ""
	case isExtended(corev1.ResourceName(base)):
		return requestsPrefix + base
	}
	return ""
}
