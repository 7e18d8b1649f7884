package quota

import (
	"fmt"
	"sort"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"

	"github.com/aigov/aigov/governance"
)

// KueueGroup is the API group of Kueue's queue objects.
const KueueGroup = "kueue.x-k8s.io"

var (
	kueueClusterQueueKind   = schema.GroupKind{Group: KueueGroup, Kind: "ClusterQueue"}
	kueueLocalQueueKind     = schema.GroupKind{Group: KueueGroup, Kind: "LocalQueue"}
	kueueResourceFlavorKind = schema.GroupKind{Group: KueueGroup, Kind: "ResourceFlavor"}
)

// KueueReport is the Kueue view of GPU quota, beside the ResourceQuota
// view: Kueue admits workloads against ClusterQueue quota per (flavor,
// resource), which core quota cannot express. It is present in a
// GPUReport only when the inventory holds kueue.x-k8s.io ClusterQueues,
// LocalQueues or ResourceFlavors.
type KueueReport struct {
	// Teams are the teams with a LocalQueue: the LocalQueue's namespace's
	// "team" label, else the namespace.
	Teams []KueueTeam `json:"teams"`
	// ClusterQueues are every ClusterQueue with its GPU quotas.
	ClusterQueues []KueueClusterQueue `json:"clusterQueues"`
}

// KueueTeam is one team's Kueue queues.
type KueueTeam struct {
	Team   string       `json:"team"`
	Queues []KueueQueue `json:"queues"`
}

// KueueQueue is one LocalQueue and the ClusterQueue quota it admits
// against. ClusterQueue quota is shared by every LocalQueue pointing at it
// (SharedWith lists the other teams' namespaces).
type KueueQueue struct {
	Namespace    string `json:"namespace"`
	LocalQueue   string `json:"localQueue"`
	ClusterQueue string `json:"clusterQueue"`
	Cohort       string `json:"cohort,omitempty"`
	// Missing is set when the ClusterQueue is not in the inventory:
	// workloads submitted to the LocalQueue stay pending.
	Missing    bool            `json:"missing,omitempty"`
	SharedWith []string        `json:"sharedWith,omitempty"`
	GPUs       []KueueGPUQuota `json:"gpus"`
}

// KueueClusterQueue is one ClusterQueue's GPU quotas.
type KueueClusterQueue struct {
	Name        string          `json:"name"`
	Cohort      string          `json:"cohort,omitempty"`
	LocalQueues []string        `json:"localQueues"`
	GPUs        []KueueGPUQuota `json:"gpus"`
}

// KueueGPUQuota is the quota of one GPU resource in one flavor of a
// ClusterQueue (spec.resourceGroups[].flavors[].resources[]). Empty
// BorrowingLimit or LendingLimit means unlimited (Kueue's null). Ceiling
// is what the ClusterQueue can admit at most with borrowing: nominal plus
// the smaller of its borrowingLimit and what the other ClusterQueues of the
// cohort can lend of the same flavor and resource (their lendingLimit, else
// their nominal quota); nominal alone without a cohort. Parent cohorts
// (Cohort objects) are not followed.
type KueueGPUQuota struct {
	Flavor         string `json:"flavor"`
	Resource       string `json:"resource"`
	Nominal        string `json:"nominal"`
	BorrowingLimit string `json:"borrowingLimit,omitempty"`
	LendingLimit   string `json:"lendingLimit,omitempty"`
	Ceiling        string `json:"ceiling"`
	// FlavorMissing is set when no ResourceFlavor of that name is in the
	// inventory (Kueue marks the ClusterQueue inactive).
	FlavorMissing bool `json:"flavorMissing,omitempty"`
	// NodeLabels are the ResourceFlavor's spec.nodeLabels (the GPU model
	// or node pool the flavor stands for).
	NodeLabels map[string]string `json:"nodeLabels,omitempty"`
}

type kueueQuota struct {
	flavor, resource   string
	nominal            resource.Quantity
	borrowing, lending *resource.Quantity
}

type kueueCQ struct {
	name, cohort string
	quotas       []kueueQuota
}

// Kueue builds the Kueue report from the inventory, or nil when it holds
// no Kueue objects. Malformed quantities are skipped.
func (l *Ledger) Kueue() *KueueReport {
	return kueueReport(l.inv, l.teamOf)
}

// teamOf is namespace ns's team (governance.Inventory.TeamOf), else, for
// a namespace of no team, its name.
func (l *Ledger) teamOf(ns string) string {
	if t := l.inv.TeamOf(ns); t != "" {
		return t
	}
	return ns
}

func kueueReport(inv *governance.Inventory, teamOf func(string) string) *KueueReport {
	if inv == nil {
		return nil
	}
	cqObjs, lqObjs, rfObjs := inv.OfKind(kueueClusterQueueKind), inv.OfKind(kueueLocalQueueKind), inv.OfKind(kueueResourceFlavorKind)
	if len(cqObjs)+len(lqObjs)+len(rfObjs) == 0 {
		return nil
	}
	flavors := map[string]map[string]string{}
	for _, o := range rfObjs {
		u, ok := o.Obj.(*unstructured.Unstructured)
		if !ok {
			continue
		}
		labels, _, _ := unstructured.NestedStringMap(u.Object, "spec", "nodeLabels")
		flavors[u.GetName()] = labels
	}
	cqs := map[string]*kueueCQ{}
	var cqNames []string
	for _, o := range cqObjs {
		u, ok := o.Obj.(*unstructured.Unstructured)
		if !ok {
			continue
		}
		cq := parseClusterQueue(u)
		cqs[cq.name] = cq
		cqNames = append(cqNames, cq.name)
	}
	sort.Strings(cqNames)
	gpus := func(cq *kueueCQ) []KueueGPUQuota {
		out := []KueueGPUQuota{}
		for _, q := range cq.quotas {
			c := ceiling(cq, q, cqs)
			g := KueueGPUQuota{Flavor: q.flavor, Resource: q.resource, Nominal: q.nominal.String(), Ceiling: c.String()}
			if q.borrowing != nil {
				g.BorrowingLimit = q.borrowing.String()
			}
			if q.lending != nil {
				g.LendingLimit = q.lending.String()
			}
			labels, found := flavors[q.flavor]
			g.FlavorMissing, g.NodeLabels = !found, labels
			out = append(out, g)
		}
		return out
	}

	type lq struct{ ns, name, cq, team string }
	var lqs []lq
	byCQ := map[string][]lq{}
	for _, o := range lqObjs {
		u, ok := o.Obj.(*unstructured.Unstructured)
		if !ok {
			continue
		}
		cq, _, _ := unstructured.NestedString(u.Object, "spec", "clusterQueue")
		q := lq{ns: u.GetNamespace(), name: u.GetName(), cq: cq, team: teamOf(u.GetNamespace())}
		lqs = append(lqs, q)
		byCQ[cq] = append(byCQ[cq], q)
	}
	sort.Slice(lqs, func(i, j int) bool {
		a, b := lqs[i], lqs[j]
		if a.team != b.team {
			return a.team < b.team
		}
		if a.ns != b.ns {
			return a.ns < b.ns
		}
		return a.name < b.name
	})

	rep := &KueueReport{Teams: []KueueTeam{}, ClusterQueues: []KueueClusterQueue{}}
	for _, q := range lqs {
		kq := KueueQueue{Namespace: q.ns, LocalQueue: q.name, ClusterQueue: q.cq, GPUs: []KueueGPUQuota{}}
		if cq := cqs[q.cq]; cq != nil {
			kq.Cohort, kq.GPUs = cq.cohort, gpus(cq)
		} else {
			kq.Missing = true
		}
		shared := map[string]bool{}
		for _, o := range byCQ[q.cq] {
			if o.team != q.team {
				shared[o.ns] = true
			}
		}
		kq.SharedWith = sortedStrings(shared)
		if n := len(rep.Teams); n == 0 || rep.Teams[n-1].Team != q.team {
			rep.Teams = append(rep.Teams, KueueTeam{Team: q.team})
		}
		t := &rep.Teams[len(rep.Teams)-1]
		t.Queues = append(t.Queues, kq)
	}
	for _, name := range cqNames {
		cq := cqs[name]
		c := KueueClusterQueue{Name: name, Cohort: cq.cohort, LocalQueues: []string{}, GPUs: gpus(cq)}
		for _, q := range byCQ[name] {
			c.LocalQueues = append(c.LocalQueues, q.ns+"/"+q.name)
		}
		sort.Strings(c.LocalQueues)
		rep.ClusterQueues = append(rep.ClusterQueues, c)
	}
	return rep
}

// parseClusterQueue reads the GPU quotas of a ClusterQueue, v1beta1
// (spec.cohort) or v1beta2 (spec.cohortName).
func parseClusterQueue(u *unstructured.Unstructured) *kueueCQ {
	cq := &kueueCQ{name: u.GetName()}
	cq.cohort, _, _ = unstructured.NestedString(u.Object, "spec", "cohortName")
	if cq.cohort == "" {
		cq.cohort, _, _ = unstructured.NestedString(u.Object, "spec", "cohort")
	}
	groups, _, _ := unstructured.NestedSlice(u.Object, "spec", "resourceGroups")
	for _, g := range groups {
		gm, _ := g.(map[string]any)
		fls, _, _ := unstructured.NestedSlice(gm, "flavors")
		for _, f := range fls {
			fm, _ := f.(map[string]any)
			flavor, _, _ := unstructured.NestedString(fm, "name")
			rs, _, _ := unstructured.NestedSlice(fm, "resources")
			for _, r := range rs {
				rm, _ := r.(map[string]any)
				name, _, _ := unstructured.NestedString(rm, "name")
				if !IsGPUResource(corev1.ResourceName(name)) {
					continue
				}
				nominal, ok := kueueQuantity(rm["nominalQuota"])
				if !ok {
					continue
				}
				q := kueueQuota{flavor: flavor, resource: name, nominal: nominal}
				if b, ok := kueueQuantity(rm["borrowingLimit"]); ok {
					q.borrowing = &b
				}
				if l, ok := kueueQuantity(rm["lendingLimit"]); ok {
					q.lending = &l
				}
				cq.quotas = append(cq.quotas, q)
			}
		}
	}
	sort.SliceStable(cq.quotas, func(i, j int) bool {
		a, b := cq.quotas[i], cq.quotas[j]
		if a.flavor != b.flavor {
			return a.flavor < b.flavor
		}
		return a.resource < b.resource
	})
	return cq
}

// kueueQuantity reads a quantity field of an unstructured object: a
// string, an integer or a float.
func kueueQuantity(v any) (resource.Quantity, bool) {
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case int64:
		s = strconv.FormatInt(x, 10)
	case float64:
		s = strconv.FormatFloat(x, 'f', -1, 64)
	case nil:
		return resource.Quantity{}, false
	default:
		s = fmt.Sprint(x)
	}
	q, err := resource.ParseQuantity(s)
	return q, err == nil
}

// ceiling is nominal plus what cq can borrow of (flavor, resource) in its
// cohort: the other members' lendable quota, capped by borrowingLimit.
func ceiling(cq *kueueCQ, q kueueQuota, all map[string]*kueueCQ) resource.Quantity {
	out := q.nominal.DeepCopy()
	if cq.cohort == "" {
		return out
	}
	var lendable resource.Quantity
	for _, other := range all {
		if other == cq || other.cohort != cq.cohort {
			continue
		}
		for _, oq := range other.quotas {
			if oq.flavor != q.flavor || oq.resource != q.resource {
				continue
			}
			if oq.lending != nil && oq.lending.Cmp(oq.nominal) < 0 {
				lendable.Add(*oq.lending)
			} else {
				lendable.Add(oq.nominal)
			}
		}
	}
	if q.borrowing != nil && q.borrowing.Cmp(lendable) < 0 {
		lendable = q.borrowing.DeepCopy()
	}
	out.Add(lendable)
	return out
}

// KueueQueueLabel is the label by which a workload asks Kueue to admit it
// through a LocalQueue of its namespace. Kueue v0.17.0 reads it from the
// job object's own metadata.labels only, with no annotation fallback
// (pkg/controller/constants/constants.go QueueLabel,
// pkg/controller/jobframework/interface.go QueueNameForObject); for a
// plain Pod, the pod is that object.
const KueueQueueLabel = "kueue.x-k8s.io/queue-name"

// kueueIndex is what gpu-without-quota and the GPU report need of the
// Kueue objects: LocalQueues by namespace and name, with their
// ClusterQueue, and the ClusterQueues' GPU quotas.
type kueueIndex struct {
	localQueues map[types.NamespacedName]string
	cqs         map[string]*kueueCQ
}

func newKueueIndex(inv *governance.Inventory) kueueIndex {
	k := kueueIndex{localQueues: map[types.NamespacedName]string{}, cqs: map[string]*kueueCQ{}}
	if inv == nil {
		return k
	}
	for _, o := range inv.OfKind(kueueClusterQueueKind) {
		if u, ok := o.Obj.(*unstructured.Unstructured); ok {
			cq := parseClusterQueue(u)
			k.cqs[cq.name] = cq
		}
	}
	for _, o := range inv.OfKind(kueueLocalQueueKind) {
		if u, ok := o.Obj.(*unstructured.Unstructured); ok {
			cq, _, _ := unstructured.NestedString(u.Object, "spec", "clusterQueue")
			k.localQueues[types.NamespacedName{Namespace: u.GetNamespace(), Name: u.GetName()}] = cq
		}
	}
	return k
}

// kueueQueueOf is the LocalQueue a workload names in its queue-name label
// ("" for none). A Pod with a controller owner is its owner's: Kueue
// admits the owning job, whose own labels decide.
func kueueQueueOf(w governance.Workload) string {
	if p, isPod := w.Object.Obj.(*corev1.Pod); isPod && metav1.GetControllerOf(p) != nil {
		return ""
	}
	return w.Labels[KueueQueueLabel]
}

// hasLocalQueue says whether the inventory holds LocalQueue name in ns.
func (k kueueIndex) hasLocalQueue(ns, name string) bool {
	_, ok := k.localQueues[types.NamespacedName{Namespace: ns, Name: name}]
	return ok
}

// caps says whether LocalQueue name of ns admits against a ClusterQueue
// of the inventory with a nominal quota for resource in some flavor:
// Kueue then never admits more of it than the ClusterQueue allows (with
// borrowing, its ceiling).
func (k kueueIndex) caps(ns, name, resource string) bool {
	cqName, ok := k.localQueues[types.NamespacedName{Namespace: ns, Name: name}]
	if !ok {
		return false
	}
	cq := k.cqs[cqName]
	if cq == nil {
		return false
	}
	for _, q := range cq.quotas {
		if q.resource == resource {
			return true
		}
	}
	return false
}
