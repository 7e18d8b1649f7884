package quota

import (
	"fmt"
	"slices"
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
	Pod *corev1.Pod
	// Effective are the pod's effective requests and limits, and Usage is
	// what ResourceQuota charges it. For a charged pod both are shared
	// with the Ledger and with the Results of pods with the same
	// resources, and must not be modified (copy them first); a Ledger
	// that finds them modified stops sharing them.
	Effective Effective
	Usage     corev1.ResourceList
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
	msg, late := l.runtimeClass(p)
	c, valid := l.podCharge(p, &res)
	res.Quotas = ns.decisions(p)
	if msg != "" && !late {
		return res.reject(StageValidation, forbidden("pods", p.Name, msg))
	}
	if !valid {
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
	if msg != "" {
		// RuntimeClass's validating phase runs after LimitRanger's.
		return res.reject(StageValidation, forbidden("pods", p.Name, msg))
	}
	return l.admitQuota(ns, res, c)
}

// podCharge fills res.Effective and res.Usage for the mutated pod p and
// says whether podResourcesValid holds. A charged pod's lists are its
// shape's, shared; an uncharged one is charged count/pods alone.
func (l *Ledger) podCharge(p *corev1.Pod, res *Result) (charge, bool) {
	if !Charged(p, l.now) {
		res.Effective = effectiveResources(p)
		res.Usage = PodUsage(p, l.now)
		return charge{usage: res.Usage}, l.podResourcesValid(p)
	}
	s := l.podShape(p)
	lists := s.lists()
	res.Effective, res.Usage = lists.eff, lists.usage
	return s.charge(res.Usage), s.valid
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

// overheadWithoutRuntimeClass is RuntimeClass admission's refusal of an
// overhead no RuntimeClass defines.
const overheadWithoutRuntimeClass = "pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead"

// runtimeClass applies RuntimeClass admission; it returns the refusal and
// whether it comes from the plugin's validating phase (late: after pod
// validation and LimitRanger) rather than its mutating one.
func (l *Ledger) runtimeClass(p *corev1.Pod) (msg string, late bool) {
	if p.Spec.RuntimeClassName == nil {
		if p.Spec.Overhead != nil {
			return overheadWithoutRuntimeClass, true
		}
		return "", false
	}
	rc := l.runtimeClasses[*p.Spec.RuntimeClassName]
	if rc == nil {
		return fmt.Sprintf("pod rejected: RuntimeClass %q not found", *p.Spec.RuntimeClassName), false
	}
	if rc.Overhead == nil {
		if p.Spec.Overhead != nil {
			return overheadWithoutRuntimeClass, true
		}
		return "", false
	}
	if p.Spec.Overhead != nil {
		if !sameList(p.Spec.Overhead, rc.Overhead.PodFixed) {
			return "pod rejected: Pod's Overhead doesn't match RuntimeClass's defined Overhead", false
		}
		return "", false
	}
	p.Spec.Overhead = rc.Overhead.PodFixed.DeepCopy()
	return "", false
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
func (l *Ledger) admitQuota(ns *namespaceState, res Result, c charge) Result {
	return checkQuotas(ns, res, c, "pods", res.Pod.Name, func(q *quotaState) ([]corev1.ResourceName, string) {
		return q.podKeys, constraints(q.mustSpecify, res.Pod)
	})
}

// charge is what an object is charged (Result.Usage) with, when known,
// its values precomputed in String() form (str) and in cmpForm (cmp).
type charge struct {
	usage corev1.ResourceList
	str   map[corev1.ResourceName]string
	cmp   corev1.ResourceList
}

// compareForm is usage[k] in a form cheap to compare.
func (c charge) compareForm(k corev1.ResourceName) (resource.Quantity, bool) {
	if c.cmp != nil {
		v, ok := c.cmp[k]
		return v, ok
	}
	v, ok := c.usage[k]
	return v, ok
}

// writeRequested writes the "requested: k=v,..." list of an exceeded
// message.
func (c charge) writeRequested(b *strings.Builder, keys []corev1.ResourceName) {
	if c.str != nil {
		writePrettyStrings(b, c.str, keys)
	} else {
		writePrettyKeys(b, c.usage, keys)
	}
}

// checkQuotas is CheckRequest over the quotas whose res.Quotas[i].Matches
// is set, for an object charged c (res.Usage): tracked gives the keys the
// evaluator tracks in quota q and the evaluator's constraint failure (""
// if none).
func checkQuotas(ns *namespaceState, res Result, c charge, resourceName, name string, tracked func(q *quotaState) ([]corev1.ResourceName, string)) Result {
	if failures := constraintFailures(ns, res.Quotas, resourceName, name, tracked); len(failures) > 0 {
		return res.rejectQuota(failures)
	}
	// Exceeded keys first, messages only on failure. Usually one quota
	// fails: its message needs no heap-allocated list.
	var stack [2]string
	failures := stack[:0]
	for i, q := range ns.quotas {
		d := &res.Quotas[i]
		if d.Matches && markExceeded(q, d, c) {
			failures = append(failures, exceededMessage(resourceName, name, q, c, d.Exceeded))
		}
	}
	if len(failures) > 0 {
		return res.rejectQuota(failures)
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

// constraintFailures are the messages of the matching quotas whose
// evaluator constraint fails or whose status lacks a tracked key.
func constraintFailures(ns *namespaceState, decisions []QuotaDecision, resourceName, name string, tracked func(q *quotaState) ([]corev1.ResourceName, string)) []string {
	var failures []string
	for i, q := range ns.quotas {
		if !decisions[i].Matches {
			continue
		}
		keys, msg := tracked(q)
		if msg != "" {
			failures = append(failures, forbidden(resourceName, name, fmt.Sprintf("failed quota: %s: %s", q.rq.Name, msg)))
		} else if statusMissing(q.used, keys) {
			// The apiserver lists every tracked key, not only the missing
			// ones (prettyPrintResourceNames(restrictedResources)).
			failures = append(failures, forbidden(resourceName, name, fmt.Sprintf("status unknown for quota: %s, resources: %s", q.rq.Name, joinSorted(keyStrings(keys), ","))))
		}
	}
	return failures
}

// markExceeded sets d.Exceeded to the hard keys of q the charge exceeds:
// a non-zero charge v with used + v > hard, i.e. v > hard − used (exact
// arithmetic). It says whether there are any.
func markExceeded(q *quotaState, d *QuotaDecision, c charge) bool {
	for i, k := range q.hardKeys {
		v, ok := c.compareForm(k)
		if !ok || v.IsZero() || v.Cmp(q.avail[k]) <= 0 {
			continue
		}
		if d.Exceeded == nil {
			d.Exceeded = make([]corev1.ResourceName, 0, len(q.hardKeys)-i)
		}
		d.Exceeded = append(d.Exceeded, k)
	}
	return len(d.Exceeded) > 0
}

// exceededMessage is CheckRequest's "exceeded quota" refusal by quota q,
// written into one buffer: Admit builds it for every refused pod.
func exceededMessage(resourceName, name string, q *quotaState, c charge, exceeded []corev1.ResourceName) string {
	var b strings.Builder
	b.Grow(len(resourceName) + len(name) + len(q.rq.Name) + 80 + len(exceeded)*(3*maxKeyLen(exceeded)+24))
	writeForbiddenPrefix(&b, resourceName, name)
	b.WriteString("exceeded quota: ")
	b.WriteString(q.rq.Name)
	b.WriteString(", requested: ")
	c.writeRequested(&b, exceeded)
	b.WriteString(", used: ")
	writePrettyStrings(&b, q.usedStr, exceeded)
	b.WriteString(", limited: ")
	writePrettyStrings(&b, q.hardStr, exceeded)
	return b.String()
}

func maxKeyLen(keys []corev1.ResourceName) int {
	n := 0
	for _, k := range keys {
		n = max(n, len(k))
	}
	return n
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

// rejectQuota refuses with the first failure's message; the others are
// the alternatives.
func (r Result) rejectQuota(failures []string) Result {
	r = r.reject(StageResourceQuota, failures[0])
	if len(failures) > 1 {
		r.Alternatives = slices.Clone(failures[1:])
	}
	return r
}

// statusMissing says whether a tracked key has no status.used entry
// (hasUsageStats fails); computed usage always has them.
func statusMissing(used corev1.ResourceList, tracked []corev1.ResourceName) bool {
	for _, k := range tracked {
		if _, ok := used[k]; !ok {
			return true
		}
	}
	return false
}

func keyStrings(keys []corev1.ResourceName) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = string(k)
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
