package quota

import (
	"fmt"
	"sort"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	nodev1 "k8s.io/api/node/v1"
	resourcev1 "k8s.io/api/resource/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/aigov/aigov/governance"
)

// Options configure a Ledger.
type Options struct {
	// Now is the clock for time-dependent rules (a terminating pod's grace
	// period); zero means time.Now().
	Now time.Time
}

// Ledger is the quota state of an inventory, built once: per namespace its
// quotas (hard, used, remaining), LimitRanges and charged pods; plus
// RuntimeClasses, the default PriorityClass and Nodes. It is read-only
// after NewLedger, but for a synchronized cache of what Admit computed
// per pod shape, and safe for concurrent use.
type Ledger struct {
	now             time.Time
	namespaces      map[string]*namespaceState
	names           []string
	runtimeClasses  map[string]*nodev1.RuntimeClass
	defaultPriority string
	nodes           []*corev1.Node
	inv             *governance.Inventory
	usageCache      map[string]corev1.ResourceList
	// nsObjects are the inventory's objects by namespace, built by the
	// first quota that needs them (NewLedger only, like usageCache).
	nsObjects map[string][]*governance.Object
	// nameInfos are the admission checks of the container resource names
	// seen in the inventory (read-only after NewLedger).
	nameInfos map[corev1.ResourceName]nameInfo
	// shapes remember what Admit computed per pod shape.
	shapes *shapeCache
	// classes are the inventory's DeviceClasses as the claim evaluator
	// sees them; claims are the ResourceClaims by namespace.
	classes deviceClasses
	claims  map[string][]*resourcev1.ResourceClaim
}

type namespaceState struct {
	name        string
	labels      map[string]string
	quotas      []*quotaState
	refused     []*corev1.ResourceQuota
	limitRanges []*corev1.LimitRange
	// lrDefaults[i] are limitRanges[i]'s Container defaults (read-only).
	lrDefaults []lrDefaults
	pods       []chargedPod
}

// chargedPod is one pod shape running Replicas times.
type chargedPod struct {
	pod      *corev1.Pod
	replicas int64
	usage    corev1.ResourceList
}

type quotaState struct {
	rq         *corev1.ResourceQuota
	hard       corev1.ResourceList
	used       corev1.ResourceList
	computed   corev1.ResourceList
	fromStatus bool
	podKeys    []corev1.ResourceName
	hardKeys   []corev1.ResourceName
	// Precomputed once (read-only, shared with Results): the scopes as
	// selectors, hard and used with zeros as Admit reports them, and the
	// "must specify" keys among podKeys.
	selectors   []corev1.ScopedResourceSelectorRequirement
	hardView    corev1.ResourceList
	usedView    corev1.ResourceList
	mustSpecify []corev1.ResourceName
	// avail[k] is hard[k] − used[k] for the hard keys, in a form cheap to
	// compare; hardStr and usedStr are their String() forms.
	avail            corev1.ResourceList
	hardStr, usedStr map[corev1.ResourceName]string
}

// NewLedger builds the ledger. Quotas the apiserver would refuse to store
// are kept apart (see Refused) and never enforced.
func NewLedger(inv *governance.Inventory, opts Options) (*Ledger, error) {
	if inv == nil {
		return nil, fmt.Errorf("quota: nil inventory")
	}
	l := &Ledger{now: opts.Now, namespaces: map[string]*namespaceState{}, runtimeClasses: map[string]*nodev1.RuntimeClass{}, inv: inv, usageCache: map[string]corev1.ResourceList{},
		nameInfos: map[corev1.ResourceName]nameInfo{}, shapes: newShapeCache()}
	if l.now.IsZero() {
		l.now = time.Now()
	}
	for _, ns := range governance.Typed[*corev1.Namespace](inv) {
		l.namespace(ns.Name).labels = ns.Labels
	}
	for _, rc := range governance.Typed[*nodev1.RuntimeClass](inv) {
		l.runtimeClasses[rc.Name] = rc
	}
	l.defaultPriority = defaultPriorityClass(governance.Typed[*schedulingv1.PriorityClass](inv))
	l.nodes = governance.Typed[*corev1.Node](inv)
	for _, lr := range governance.Typed[*corev1.LimitRange](inv) {
		ns := l.namespace(lr.Namespace)
		ns.limitRanges = append(ns.limitRanges, DefaultLimitRange(lr))
	}
	for _, ns := range l.namespaces {
		ns.limitRanges = sortLimitRanges(ns.limitRanges)
		ns.lrDefaults = make([]lrDefaults, len(ns.limitRanges))
		for i, lr := range ns.limitRanges {
			ns.lrDefaults[i] = limitRangeDefaults(lr)
			l.noteNames(ns.lrDefaults[i].requests, ns.lrDefaults[i].limits)
		}
	}
	l.chargePods(inv)
	l.classes, l.claims = newDeviceClasses(inv), claimsByNamespace(inv)
	for _, rq := range governance.Typed[*corev1.ResourceQuota](inv) {
		l.addQuota(rq)
	}
	for _, ns := range l.namespaces {
		sort.Slice(ns.quotas, func(i, j int) bool { return ns.quotas[i].rq.Name < ns.quotas[j].rq.Name })
		l.names = append(l.names, ns.name)
	}
	sort.Strings(l.names)
	l.usageCache, l.nsObjects = nil, nil
	return l, nil
}

func (l *Ledger) namespace(name string) *namespaceState {
	if name == "" {
		name = "default"
	}
	ns := l.namespaces[name]
	if ns == nil {
		ns = &namespaceState{name: name}
		l.namespaces[name] = ns
	}
	return ns
}

// chargePods records every pod and every workload without pods in the
// inventory (replicas × its pod). Pods read back from a cluster (they have
// a UID) are taken as stored; pods of manifests and templates first get
// the admission mutations (LimitRange defaults, RuntimeClass overhead).
// Pods the apiserver would never have stored are left out, charged
// nothing, not even count/pods (see storable): a negative request must
// not lower a namespace's usage.
// A workload is represented by pods when a Pod's owner chain reaches it or
// a Pod of its namespace matches its selector.
func (l *Ledger) chargePods(inv *governance.Inventory) {
	pods := governance.Typed[*corev1.Pod](inv)
	owners := ownerChains(inv, pods)
	byNS := map[string][]*corev1.Pod{}
	for _, p := range pods {
		byNS[p.Namespace] = append(byNS[p.Namespace], p)
	}
	listed := map[*corev1.Pod]bool{}
	for _, w := range inv.Workloads() {
		if p, isPod := w.Object.Obj.(*corev1.Pod); isPod {
			listed[p] = true
		} else if owners[workloadKey(w)] || selectsAny(w, byNS[w.Namespace]) {
			continue
		}
		if w.Pod != nil && w.Replicas > 0 {
			l.charge(w.Namespace, w.Pod, int64(w.Replicas))
		}
	}
	for _, p := range pods {
		if !listed[p] {
			l.charge(p.Namespace, p, 1)
		}
	}
}

func (l *Ledger) charge(namespace string, pod *corev1.Pod, replicas int64) {
	ns := l.namespace(namespace)
	if pod.UID == "" && l.needsMutation(ns, pod) {
		pod = pod.DeepCopy()
		pod.Namespace = ns.name
		l.mutate(ns, pod)
	}
	if !l.storable(pod) {
		return
	}
	usage, seen := l.usageOf(pod)
	if !seen {
		l.noteContainerNames(&pod.Spec)
	}
	ns.pods = append(ns.pods, chargedPod{pod: pod, replicas: replicas, usage: usage})
}

// storable says whether the apiserver could hold pod: a pod of a
// manifest or template (no UID) must pass resource validation
// (ValidatePodResources) after the admission mutations, or it is refused
// at creation; a pod read back from a cluster is taken as stored unless a
// quantity is negative, which no apiserver version stores.
func (l *Ledger) storable(pod *corev1.Pod) bool {
	if pod.UID == "" {
		return l.podResourcesValid(pod)
	}
	return !hasNegativeQuantity(pod)
}

// uncharged keys the usage of pods quota does not charge in usageCache
// (shape keys are never empty).
const uncharged = ""

// usageOf memoizes PodUsage over pods with the same resources (the pods of
// one template), by shapeKey: the lists are shared and must not be
// modified. seen says a charged pod with the same resources (so the same
// resource names) came before.
func (l *Ledger) usageOf(pod *corev1.Pod) (usage corev1.ResourceList, seen bool) {
	var buf [512]byte
	key, ok := []byte(uncharged), true
	if Charged(pod, l.now) {
		key, ok = shapeKey(buf[:0], pod)
	}
	if !ok {
		return PodUsage(pod, l.now), false
	}
	if u, hit := l.usageCache[string(key)]; hit {
		return u, len(key) > 0
	}
	u := PodUsage(pod, l.now)
	l.usageCache[string(key)] = u
	return u, false
}

func workloadKey(w governance.Workload) string { return w.Kind + "/" + w.Namespace + "/" + w.Name }

// ownerChains are the workloads (kind/namespace/name) the pods' owner
// references reach, following owners found in the inventory.
func ownerChains(inv *governance.Inventory, pods []*corev1.Pod) map[string]bool {
	out := map[string]bool{}
	for _, p := range pods {
		refs, ns := p.OwnerReferences, p.Namespace
		for depth := 0; depth < 4 && len(refs) > 0; depth++ {
			var next []metav1.OwnerReference
			for _, r := range refs {
				out[r.Kind+"/"+ns+"/"+r.Name] = true
				if o := inv.Get(governance.Key{Group: groupOf(r.APIVersion), Kind: r.Kind, Namespace: ns, Name: r.Name}); o != nil {
					next = append(next, o.Meta().GetOwnerReferences()...)
				}
			}
			refs = next
		}
	}
	return out
}

func groupOf(apiVersion string) string {
	if i := strings.Index(apiVersion, "/"); i >= 0 {
		return apiVersion[:i]
	}
	return ""
}

// selectsAny says whether a controller's selector matches a Pod of its
// namespace.
func selectsAny(w governance.Workload, pods []*corev1.Pod) bool {
	var sel *metav1.LabelSelector
	switch o := w.Object.Obj.(type) {
	case *appsv1.Deployment:
		sel = o.Spec.Selector
	case *appsv1.StatefulSet:
		sel = o.Spec.Selector
	case *appsv1.ReplicaSet:
		sel = o.Spec.Selector
	case *appsv1.DaemonSet:
		sel = o.Spec.Selector
	}
	if sel == nil {
		return false
	}
	s, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil || s.Empty() {
		return false
	}
	for _, p := range pods {
		if s.Matches(labels.Set(p.Labels)) {
			return true
		}
	}
	return false
}

// mutate applies the admission mutations that do not fail.
func (l *Ledger) mutate(ns *namespaceState, pod *corev1.Pod) {
	governance.CopyLimitsToRequests(&pod.Spec)
	for _, d := range ns.lrDefaults {
		d.apply(pod)
	}
	if pod.Spec.PriorityClassName == "" && l.defaultPriority != "" {
		pod.Spec.PriorityClassName = l.defaultPriority
	}
	if name := pod.Spec.RuntimeClassName; name != nil && pod.Spec.Overhead == nil {
		if rc := l.runtimeClasses[*name]; rc != nil && rc.Overhead != nil {
			pod.Spec.Overhead = rc.Overhead.PodFixed.DeepCopy()
		}
	}
}

func (l *Ledger) addQuota(rq *corev1.ResourceQuota) {
	ns := l.namespace(rq.Namespace)
	if len(ValidateQuota(rq)) > 0 {
		ns.refused = append(ns.refused, rq)
		return
	}
	q := &quotaState{rq: rq, hard: rq.Spec.Hard}
	if len(rq.Status.Hard) > 0 && statusValid(rq) {
		q.hard, q.used, q.fromStatus = rq.Status.Hard, rq.Status.Used, true
	}
	q.podKeys = podMatchingKeys(q.hard)
	q.hardKeys = sortedKeys(q.hard)
	q.computed = l.computeUsed(ns, rq, q.hard)
	if !q.fromStatus {
		q.used = q.computed
	}
	q.selectors = selectors(rq)
	q.hardView = q.hard.DeepCopy()
	q.usedView = withZeros(q.used, q.hard)
	q.avail = make(corev1.ResourceList, len(q.hard))
	q.hardStr, q.usedStr = make(map[corev1.ResourceName]string, len(q.hard)), make(map[corev1.ResourceName]string, len(q.used))
	for k, v := range q.hard {
		q.hardStr[k] = v.String()
		a := v.DeepCopy()
		if u, ok := q.used[k]; ok {
			a.Sub(u)
		}
		q.avail[k] = cmpForm(a)
	}
	for k, v := range q.used {
		q.usedStr[k] = v.String()
	}
	for _, k := range q.podKeys {
		for _, m := range mustSpecifyKeys {
			if k == m {
				q.mustSpecify = append(q.mustSpecify, k)
			}
		}
	}
	ns.quotas = append(ns.quotas, q)
}

// statusValid says whether the apiserver could hold the quota's status
// (ValidateResourceQuotaStatusUpdate: keys and quantities of status.hard
// and status.used). A status it could not hold, a negative used above
// all, is not the cluster's: the quota is charged from the inventory.
func statusValid(rq *corev1.ResourceQuota) bool {
	for _, l := range []corev1.ResourceList{rq.Status.Hard, rq.Status.Used} {
		for k, v := range l {
			if len(validateQuotaKey(k, namePath)) > 0 || len(validateQuantity(k, v, namePath)) > 0 {
				return false
			}
		}
	}
	return true
}

// computeUsed sums, for every key of hard, the usage of the namespace's
// objects that the quota's scopes select (zero when none).
func (l *Ledger) computeUsed(ns *namespaceState, rq *corev1.ResourceQuota, hard corev1.ResourceList) corev1.ResourceList {
	used := corev1.ResourceList{}
	for k := range hard {
		used[k] = zeroLike(k)
	}
	keys := podMatchingKeys(hard)
	for _, p := range ns.pods {
		if !MatchesScopes(rq, p.pod) {
			continue
		}
		for _, k := range keys {
			if v, ok := p.usage[k]; ok {
				addTimes(used, k, v, p.replicas)
			}
		}
	}
	if len(selectors(rq)) == 0 {
		addInto(used, l.objectUsage(ns.name, hard))
	}
	return used
}

// addTimes adds v×n to l[k].
func addTimes(l corev1.ResourceList, k corev1.ResourceName, v resource.Quantity, n int64) {
	prod := v.DeepCopy()
	prod.Mul(n)
	cur := l[k]
	cur.Add(prod)
	l[k] = cur
}

// zeroLike is a zero quantity in the format the apiserver uses for the key.
func zeroLike(k corev1.ResourceName) resource.Quantity {
	switch k {
	case corev1.ResourceMemory, corev1.ResourceRequestsMemory, corev1.ResourceLimitsMemory,
		corev1.ResourceEphemeralStorage, corev1.ResourceRequestsEphemeralStorage,
		corev1.ResourceLimitsEphemeralStorage, corev1.ResourceRequestsStorage:
		return *resource.NewQuantity(0, resource.BinarySI)
	}
	return *resource.NewQuantity(0, resource.DecimalSI)
}

// defaultPriorityClass names the class the Priority admission plugin gives
// a pod that names none: the global default, and of two (which exist only
// after a race, or in manifests the apiserver would refuse in part) the one
// of lowest value, as getDefaultPriorityClass picks it. Between equal values
// the apiserver takes whichever its cache lists first; here the first by
// name.
func defaultPriorityClass(classes []*schedulingv1.PriorityClass) string {
	var best *schedulingv1.PriorityClass
	for _, pc := range classes {
		if !pc.GlobalDefault {
			continue
		}
		if best == nil || pc.Value < best.Value || pc.Value == best.Value && pc.Name < best.Name {
			best = pc
		}
	}
	if best == nil {
		return ""
	}
	return best.Name
}
