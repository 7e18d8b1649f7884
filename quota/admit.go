package quota

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	resourcehelper "k8s.io/component-helpers/resource"

	"github.com/aigov/aigov/governance"
)

// Stage is the admission step that decided.
type Stage string

// The stages of Result.Stage; "" when admitted.
const (
	StageValidation    Stage = "Validation"
	StageLimitRanger   Stage = "LimitRanger"
	StageResourceQuota Stage = "ResourceQuota"
)

// Result is the verdict of creating a pod in its namespace.
type Result struct {
	Admitted bool
	Stage    Stage
	// Message is the apiserver's error text ("" when admitted).
	Message string
	// Pod is the pod after API defaults and mutating admission. When
	// admission changes nothing it is the pod given to Admit itself.
	Pod       *corev1.Pod
	Effective Effective
	// Usage is what ResourceQuota charges the pod.
	Usage corev1.ResourceList
	// Quotas are every stored quota of the namespace, by name.
	Quotas []QuotaDecision
	// Alternatives are the other messages the apiserver may give when
	// several quotas fail at once (it walks them in no fixed order).
	Alternatives []string
}

// QuotaDecision is one quota's part in a Result.
type QuotaDecision struct {
	Name    string
	Matches bool
	// Hard, UsedBefore and UsedAfter list every key of the quota's hard;
	// UsedAfter is nil unless the pod is admitted. Hard and UsedBefore (and
	// UsedAfter of a quota the pod does not change) are shared with the
	// Ledger and must not be modified.
	Hard, UsedBefore, UsedAfter corev1.ResourceList
	// Exceeded are the keys this quota refuses.
	Exceeded []corev1.ResourceName
}

// Admit decides the creation of pod as the kube-apiserver would: API
// defaults, LimitRange defaults, default PriorityClass, RuntimeClass
// overhead, validation of container resources, LimitRange min/max/ratio,
// then ResourceQuota (scopes, "must specify", status, hard limits). The
// namespace is pod.Namespace ("default" when empty).
func (l *Ledger) Admit(pod *corev1.Pod) Result {
	ns := l.lookup(pod.Namespace)
	p := pod
	if l.needsMutation(ns, pod) {
		p = pod.DeepCopy()
		p.Namespace = ns.name
		governance.CopyLimitsToRequests(&p.Spec)
		for _, d := range ns.lrDefaults {
			d.apply(p)
		}
		if p.Spec.PriorityClassName == "" && l.defaultPriority != "" {
			p.Spec.PriorityClassName = l.defaultPriority
		}
	}
	res := Result{Pod: p}
	msg := l.runtimeClass(p)
	res.Effective = effectiveResources(p)
	if Charged(p, l.now) {
		res.Usage = usageFrom(res.Effective, l.classifyName)
	} else {
		res.Usage = PodUsage(p, l.now)
	}
	res.Quotas = ns.decisions(p)
	switch {
	case msg != "":
		return res.reject(StageValidation, forbidden("pods", p.Name, msg))
	}
	if !l.podResourcesValid(p) {
		if errs := ValidatePodResources(p); len(errs) > 0 {
			return res.reject(StageValidation, invalidPodMessage(p, errs))
		}
	}
	for _, lr := range ns.limitRanges {
		if !limitRangePasses(lr, p) {
			if errs := validateLimitRange(lr, p); len(errs) > 0 {
				return res.reject(StageLimitRanger, forbidden("pods", p.Name, limitRangeMessage(errs)))
			}
		}
	}
	return l.admitQuota(ns, res)
}

func (l *Ledger) lookup(name string) *namespaceState {
	if name == "" {
		name = "default"
	}
	if ns := l.namespaces[name]; ns != nil {
		return ns
	}
	return &namespaceState{name: name}
}

func (r Result) reject(stage Stage, msg string) Result {
	r.Admitted, r.Stage, r.Message = false, stage, msg
	return r
}

// runtimeClass applies RuntimeClass admission; it returns the refusal.
func (l *Ledger) runtimeClass(p *corev1.Pod) string {
	if p.Spec.RuntimeClassName == nil {
		if p.Spec.Overhead != nil {
			return "pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead"
		}
		return ""
	}
	rc := l.runtimeClasses[*p.Spec.RuntimeClassName]
	if rc == nil {
		return fmt.Sprintf("pod rejected: RuntimeClass %q not found", *p.Spec.RuntimeClassName)
	}
	if rc.Overhead == nil {
		if p.Spec.Overhead != nil {
			return "pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead"
		}
		return ""
	}
	if p.Spec.Overhead != nil {
		if !sameList(p.Spec.Overhead, rc.Overhead.PodFixed) {
			return "pod rejected: Pod's Overhead doesn't match RuntimeClass's defined Overhead"
		}
		return ""
	}
	p.Spec.Overhead = rc.Overhead.PodFixed.DeepCopy()
	return ""
}

func sameList(a, b corev1.ResourceList) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || v.Cmp(w) != 0 {
			return false
		}
	}
	return true
}

// decisions are the quotas' states before admission.
func (ns *namespaceState) decisions(p *corev1.Pod) []QuotaDecision {
	out := make([]QuotaDecision, len(ns.quotas))
	for i, q := range ns.quotas {
		out[i] = QuotaDecision{Name: q.rq.Name, Matches: q.matches(p), Hard: q.hardView, UsedBefore: q.usedView}
	}
	return out
}

func (q *quotaState) matches(p *corev1.Pod) bool {
	if len(q.podKeys) == 0 {
		return false
	}
	for _, s := range q.selectors {
		if !podInScope(s, p) {
			return false
		}
	}
	return true
}

// withZeros lists every key of hard with its value in used (0 if absent).
func withZeros(used, hard corev1.ResourceList) corev1.ResourceList {
	out := corev1.ResourceList{}
	for k := range hard {
		if v, ok := used[k]; ok {
			out[k] = v.DeepCopy()
		} else {
			out[k] = zeroLike(k)
		}
	}
	return out
}

// admitQuota is ResourceQuota admission (CheckRequest) for a pod create.
func (l *Ledger) admitQuota(ns *namespaceState, res Result) Result {
	return checkQuotas(ns, res, "pods", res.Pod.Name, func(q *quotaState) ([]corev1.ResourceName, string) {
		return q.podKeys, constraints(q.mustSpecify, res.Pod)
	})
}

// checkQuotas is CheckRequest over the quotas whose res.Quotas[i].Matches
// is set: tracked gives the keys the evaluator tracks in quota q and the
// evaluator's constraint failure ("" if none).
func checkQuotas(ns *namespaceState, res Result, resourceName, name string, tracked func(q *quotaState) ([]corev1.ResourceName, string)) Result {
	var failures []string
	for i, q := range ns.quotas {
		if !res.Quotas[i].Matches {
			continue
		}
		keys, msg := tracked(q)
		if msg != "" {
			failures = append(failures, fmt.Sprintf("failed quota: %s: %s", q.rq.Name, msg))
		} else if missing := missingStatus(q.used, keys); len(missing) > 0 {
			failures = append(failures, fmt.Sprintf("status unknown for quota: %s, resources: %s", q.rq.Name, joinSorted(missing, ",")))
		}
	}
	if len(failures) > 0 {
		return res.rejectQuota(resourceName, name, failures)
	}
	// Exceeded keys first: what the pod requests (non-zero) of each
	// tracked hard key, against hard − used; messages only on failure.
	for i, q := range ns.quotas {
		d := &res.Quotas[i]
		if !d.Matches {
			continue
		}
		for _, k := range q.hardKeys {
			v, ok := res.Usage[k]
			if !ok || v.IsZero() {
				continue
			}
			// used + v > hard, i.e. v > hard − used (exact arithmetic).
			if v.Cmp(q.avail[k]) > 0 {
				d.Exceeded = append(d.Exceeded, k)
			}
		}
		if len(d.Exceeded) > 0 {
			failures = append(failures, "exceeded quota: "+q.rq.Name+", requested: "+prettyKeys(res.Usage, d.Exceeded)+
				", used: "+prettyStrings(q.usedStr, d.Exceeded)+", limited: "+prettyStrings(q.hardStr, d.Exceeded))
		}
	}
	if len(failures) > 0 {
		return res.rejectQuota(resourceName, name, failures)
	}
	for i, q := range ns.quotas {
		d := &res.Quotas[i]
		if d.Matches {
			d.UsedAfter = usedAfter(q, res.Usage)
		} else {
			d.UsedAfter = d.UsedBefore
		}
	}
	res.Admitted = true
	return res
}

// sumOf is used[k] + v (v alone when used lacks k), without touching used.
func sumOf(used corev1.ResourceList, k corev1.ResourceName, v resource.Quantity) resource.Quantity {
	cur, ok := used[k]
	if !ok {
		return v.DeepCopy()
	}
	cur = cur.DeepCopy()
	cur.Add(v)
	return cur
}

// usedAfter is withZeros(used + the non-zero usage of hard's keys, hard);
// the quota's shared usedView when the pod adds nothing to it.
func usedAfter(q *quotaState, usage corev1.ResourceList) corev1.ResourceList {
	changed := false
	for _, k := range q.hardKeys {
		if v, ok := usage[k]; ok && !v.IsZero() {
			changed = true
			break
		}
	}
	if !changed {
		return q.usedView
	}
	out := make(corev1.ResourceList, len(q.hard))
	for _, k := range q.hardKeys {
		v, requested := usage[k]
		requested = requested && !v.IsZero()
		switch u, ok := q.used[k]; {
		case requested:
			out[k] = sumOf(q.used, k, v)
		case ok:
			out[k] = u.DeepCopy()
		default:
			out[k] = zeroLike(k)
		}
	}
	return out
}

func (r Result) rejectQuota(resourceName, name string, failures []string) Result {
	r = r.reject(StageResourceQuota, forbidden(resourceName, name, failures[0]))
	for _, f := range failures[1:] {
		r.Alternatives = append(r.Alternatives, forbidden(resourceName, name, f))
	}
	return r
}

// missingStatus lists tracked keys without a status.used entry; computed
// usage always has them.
func missingStatus(used corev1.ResourceList, tracked []corev1.ResourceName) []string {
	var out []string
	for _, k := range tracked {
		if _, ok := used[k]; !ok {
			out = append(out, string(k))
		}
	}
	return out
}

// constraints is the "must specify" rule: when a matching quota tracks
// cpu or memory (required, the quota's must-specify keys), every container
// and init container must state it.
func constraints(required []corev1.ResourceName, p *corev1.Pod) string {
	if len(required) == 0 || resourcehelper.IsPodLevelResourcesSet(p) {
		return ""
	}
	var missing map[string][]string
	for _, list := range [][]corev1.Container{p.Spec.Containers, p.Spec.InitContainers} {
		for i := range list {
			r := &list[i].Resources
			for _, k := range required {
				if !statesKey(r, k) {
					if missing == nil {
						missing = map[string][]string{}
					}
					missing[string(k)] = appendUnique(missing[string(k)], list[i].Name)
				}
			}
		}
	}
	if len(missing) == 0 {
		return ""
	}
	var parts []string
	for _, k := range sortedStrings(setOf(missing)) {
		parts = append(parts, k+" for: "+joinSorted(missing[k], ","))
	}
	return "must specify " + strings.Join(parts, "; ")
}

// statesKey says whether a container's resources produce quota key k
// (computeUsage: cpu and requests.cpu from the request, limits.cpu from
// the limit; likewise memory).
func statesKey(r *corev1.ResourceRequirements, k corev1.ResourceName) bool {
	var ok bool
	switch k {
	case corev1.ResourceCPU, corev1.ResourceRequestsCPU:
		_, ok = r.Requests[corev1.ResourceCPU]
	case corev1.ResourceMemory, corev1.ResourceRequestsMemory:
		_, ok = r.Requests[corev1.ResourceMemory]
	case corev1.ResourceLimitsCPU:
		_, ok = r.Limits[corev1.ResourceCPU]
	case corev1.ResourceLimitsMemory:
		_, ok = r.Limits[corev1.ResourceMemory]
	}
	return ok
}

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

func setOf(m map[string][]string) map[string]bool {
	out := make(map[string]bool, len(m))
	for k := range m {
		out[k] = true
	}
	return out
}
