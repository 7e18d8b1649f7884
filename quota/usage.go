package quota

import (
	"sort"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"
	resourcehelper "k8s.io/component-helpers/resource"
)

// quotaPodOptions are the pod evaluator's options in v1.37:
// InPlacePodVerticalScaling (status-aware) and PodLevelResources are on.
var quotaPodOptions = resourcehelper.PodResourcesOptions{UseStatusResources: true}

// Charged reports whether quota charges a pod's compute usage at now: not
// when it is Succeeded or Failed, nor when it is terminating past its
// deletion grace period. count/pods is charged either way.
func Charged(pod *corev1.Pod, now time.Time) bool {
	if pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed {
		return false
	}
	if pod.DeletionTimestamp != nil && pod.DeletionGracePeriodSeconds != nil {
		end := pod.DeletionTimestamp.Add(time.Duration(*pod.DeletionGracePeriodSeconds) * time.Second)
		if now.After(end) {
			return false
		}
	}
	return true
}

// PodUsage is what ResourceQuota charges for a pod: count/pods always,
// and when Charged, pods plus the effective requests and limits under
// every key form (cpu and requests.cpu, limits.cpu, hugepages,
// requests.<extended>).
func PodUsage(pod *corev1.Pod, now time.Time) corev1.ResourceList {
	if !Charged(pod, now) {
		return corev1.ResourceList{podCountKey: *resource.NewQuantity(1, resource.DecimalSI)}
	}
	return usageFrom(EffectiveResources(pod), classifyName)
}

// classifyName is what usageFrom needs to know of a resource name.
func classifyName(r corev1.ResourceName) (huge, draExtended bool) {
	return isHugePages(r), isDRAExtended(r)
}

// usageFrom is the usage of a charged pod with these effective resources;
// classify says which names are hugepages and DRA-backed extended
// resources (a Ledger answers from its precomputed name table).
func usageFrom(eff Effective, classify func(corev1.ResourceName) (huge, draExtended bool)) corev1.ResourceList {
	out := computeUsage(eff.Requests, eff.Limits, classify)
	out[podCountKey] = *resource.NewQuantity(1, resource.DecimalSI)
	return out
}

// computeUsage maps requests and limits to quota keys.
func computeUsage(reqs, lims corev1.ResourceList, classify func(corev1.ResourceName) (huge, draExtended bool)) corev1.ResourceList {
	out := make(corev1.ResourceList, 2*len(reqs)+len(lims)+2)
	out[corev1.ResourcePods] = *resource.NewQuantity(1, resource.DecimalSI)
	for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory, corev1.ResourceEphemeralStorage} {
		if q, ok := reqs[r]; ok {
			out[r] = q
			out[requestsPrefix+r] = q
		}
		if q, ok := lims[r]; ok {
			out[limitsPrefix+r] = q
		}
	}
	for r, q := range reqs {
		huge, dra := classify(r)
		if huge {
			out[r] = q
			out[requestsPrefix+r] = q
		}
		if dra {
			out[requestsPrefix+r] = q
		}
	}
	return out
}

// Effective are a pod's effective requests and limits as quota computes
// them (init containers, sidecars, overhead, pod-level resources).
type Effective struct {
	Requests corev1.ResourceList `json:"requests"`
	Limits   corev1.ResourceList `json:"limits"`
}

// EffectiveResources computes them with k8s.io/component-helpers.
func EffectiveResources(pod *corev1.Pod) Effective {
	return Effective{
		Requests: resourcehelper.PodRequests(pod, quotaPodOptions),
		Limits:   resourcehelper.PodLimits(pod, quotaPodOptions),
	}
}

// selectors are the quota's scopes as scope-selector requirements.
func selectors(rq *corev1.ResourceQuota) []corev1.ScopedResourceSelectorRequirement {
	var out []corev1.ScopedResourceSelectorRequirement
	for _, s := range rq.Spec.Scopes {
		out = append(out, corev1.ScopedResourceSelectorRequirement{ScopeName: s, Operator: corev1.ScopeSelectorOpExists})
	}
	if rq.Spec.ScopeSelector != nil {
		out = append(out, rq.Spec.ScopeSelector.MatchExpressions...)
	}
	return out
}

// MatchesScopes reports whether a pod is in every scope of the quota.
func MatchesScopes(rq *corev1.ResourceQuota, pod *corev1.Pod) bool {
	for _, s := range selectors(rq) {
		if !podInScope(s, pod) {
			return false
		}
	}
	return true
}

func podInScope(s corev1.ScopedResourceSelectorRequirement, pod *corev1.Pod) bool {
	switch s.ScopeName {
	case corev1.ResourceQuotaScopeTerminating:
		return isTerminating(pod)
	case corev1.ResourceQuotaScopeNotTerminating:
		return !isTerminating(pod)
	case corev1.ResourceQuotaScopeBestEffort:
		return isBestEffort(pod)
	case corev1.ResourceQuotaScopeNotBestEffort:
		return !isBestEffort(pod)
	case corev1.ResourceQuotaScopePriorityClass:
		if s.Operator == corev1.ScopeSelectorOpExists {
			return pod.Spec.PriorityClassName != ""
		}
		return priorityMatches(s, pod.Spec.PriorityClassName)
	case corev1.ResourceQuotaScopeCrossNamespacePodAffinity:
		return crossNamespaceAffinity(pod)
	}
	return false
}

func isTerminating(pod *corev1.Pod) bool {
	return pod.Spec.ActiveDeadlineSeconds != nil && *pod.Spec.ActiveDeadlineSeconds >= 0
}

// isBestEffort is QoS BestEffort: no container (init included) states a
// cpu or memory request or limit; pod-level cpu/memory count too.
func isBestEffort(pod *corev1.Pod) bool {
	has := func(l corev1.ResourceList) bool {
		for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
			if q, ok := l[r]; ok && q.Sign() != 0 {
				return true
			}
		}
		return false
	}
	if pod.Spec.Resources != nil && (has(pod.Spec.Resources.Requests) || has(pod.Spec.Resources.Limits)) {
		return false
	}
	for _, list := range [][]corev1.Container{pod.Spec.InitContainers, pod.Spec.Containers} {
		for i := range list {
			if has(list[i].Resources.Requests) || has(list[i].Resources.Limits) {
				return false
			}
		}
	}
	return true
}

// priorityMatches evaluates In/NotIn/DoesNotExist as a label selector over
// the one-label set {PriorityClass: name} (empty when the pod has none).
func priorityMatches(s corev1.ScopedResourceSelectorRequirement, name string) bool {
	var op selection.Operator
	switch s.Operator {
	case corev1.ScopeSelectorOpIn:
		op = selection.In
	case corev1.ScopeSelectorOpNotIn:
		op = selection.NotIn
	case corev1.ScopeSelectorOpExists:
		op = selection.Exists
	case corev1.ScopeSelectorOpDoesNotExist:
		op = selection.DoesNotExist
	default:
		return false
	}
	req, err := labels.NewRequirement(string(s.ScopeName), op, s.Values)
	if err != nil {
		return false
	}
	set := labels.Set{}
	if name != "" {
		set[string(s.ScopeName)] = name
	}
	return labels.NewSelector().Add(*req).Matches(set)
}

func crossNamespaceAffinity(pod *corev1.Pod) bool {
	a := pod.Spec.Affinity
	if a == nil {
		return false
	}
	cross := func(t *corev1.PodAffinityTerm) bool { return len(t.Namespaces) > 0 || t.NamespaceSelector != nil }
	var req []corev1.PodAffinityTerm
	var pref []corev1.WeightedPodAffinityTerm
	if a.PodAffinity != nil {
		req = append(req, a.PodAffinity.RequiredDuringSchedulingIgnoredDuringExecution...)
		pref = append(pref, a.PodAffinity.PreferredDuringSchedulingIgnoredDuringExecution...)
	}
	if a.PodAntiAffinity != nil {
		req = append(req, a.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution...)
		pref = append(pref, a.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution...)
	}
	for i := range req {
		if cross(&req[i]) {
			return true
		}
	}
	for i := range pref {
		if cross(&pref[i].PodAffinityTerm) {
			return true
		}
	}
	return false
}

// podMatchingKeys are the keys of hard that the pod evaluator tracks.
func podMatchingKeys(hard corev1.ResourceList) []corev1.ResourceName {
	var out []corev1.ResourceName
	for _, k := range sortedKeys(hard) {
		if isPodQuotaKey(k) {
			out = append(out, k)
		}
	}
	return out
}

func quote(s string) string { return strconv.Quote(s) }

// Strings renders a resource list as key → Quantity.String(), the JSON form.
func Strings(l corev1.ResourceList) map[string]string {
	out := make(map[string]string, len(l))
	for k, v := range l {
		out[string(k)] = v.String()
	}
	return out
}

func sortedStrings(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}
