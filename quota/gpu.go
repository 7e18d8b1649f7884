package quota

import (
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// IsGPUResource says whether a container resource name is a GPU or a GPU
// slice: nvidia.com/gpu (and .shared), nvidia.com/mig-*, amd.com/gpu,
// gpu.intel.com/*, or any extended resource whose name holds "gpu".
func IsGPUResource(r corev1.ResourceName) bool {
	s := string(r)
	if !isExtended(r) {
		return false
	}
	return strings.HasPrefix(s, "nvidia.com/mig-") || strings.HasPrefix(s, "gpu.intel.com/") || strings.Contains(s, "gpu")
}

// GPUReport is the GPU quota, use and capacity per team.
type GPUReport struct {
	Teams []TeamGPU `json:"teams"`
	// Capacity is the sum of the Nodes' allocatable GPUs, by resource,
	// and for a GPU device class whose selector is a plain
	// device.driver == "X" comparison, the devices driver X publishes in
	// ResourceSlices (when that count is exact; see driverDevices).
	Capacity map[string]string `json:"capacity"`
	// CapacityUnknown are the device-class resources of the rows without
	// a capacity (a class selecting on more than the driver, a class
	// absent from the inventory, or no exact device count): no
	// over-commitment is computed for them.
	CapacityUnknown []string `json:"capacityUnknown,omitempty"`
	// QuotaTotal is the sum of the teams' GPU quotas, by resource.
	QuotaTotal map[string]string `json:"quotaTotal"`
	// Overcommit is QuotaTotal / Capacity per resource with capacity.
	Overcommit map[string]float64 `json:"overcommit"`
	// Kueue is the Kueue view (ClusterQueue nominal quota, borrowing and
	// lending limits per flavor, per team), nil without Kueue objects.
	Kueue *KueueReport `json:"kueue,omitempty"`
}

// TeamGPU is one team's GPUs.
type TeamGPU struct {
	Team       string     `json:"team"`
	Namespaces []string   `json:"namespaces"`
	Resources  []GPUUsage `json:"resources"`
}

// GPUUsage is one GPU resource of a team: a container resource
// (nvidia.com/gpu) or a GPU device class as its quota key
// (gpu.nvidia.com.deviceclass.resource.k8s.io/devices). Quota is "" when
// no enforced quota caps the resource in some namespace of the team that
// uses or names it (Uncapped lists those namespaces).
//
// InertKeys are the keys of the team's stored quotas that name the
// resource but that the apiserver never enforces (nvidia.com/gpu,
// limits.nvidia.com/gpu; see ClassifyKey): they count in neither Quota
// nor QuotaTotal, and a namespace whose only key for the resource is
// inert is uncapped. ScopedCaps are the caps that come from a quota with
// scopes (used only when no unscoped quota has the key): they cap the
// pods in those scopes only, and other pods' GPUs are not capped.
type GPUUsage struct {
	Resource  string `json:"resource"`
	Quota     string `json:"quota,omitempty"`
	Used      string `json:"used"`
	Free      string `json:"free,omitempty"`
	Requested string `json:"requested"`
	// Kueue is the part of the requested GPUs that Kueue-managed
	// workloads ask for: workloads whose kueue.x-k8s.io/queue-name label
	// names a LocalQueue of their namespace present in the inventory
	// (replicas × the pod's GPU requests, from the workloads' templates).
	// Kueue admits them against their ClusterQueue's quota (see the
	// Kueue view). Empty when none.
	Kueue      string        `json:"kueue,omitempty"`
	Uncapped   []string      `json:"uncapped,omitempty"`
	InertKeys  []GPUQuotaKey `json:"inertKeys,omitempty"`
	ScopedCaps []GPUQuotaKey `json:"scopedCaps,omitempty"`
}

// GPUQuotaKey is one key of a stored ResourceQuota in the GPU report.
// Enforced is false for an inert key; Scopes are the quota's scope names
// (spec.scopes, then the scopeSelector's scope names).
type GPUQuotaKey struct {
	Namespace string   `json:"namespace"`
	Quota     string   `json:"quota"`
	Key       string   `json:"key"`
	Hard      string   `json:"hard"`
	Enforced  bool     `json:"enforced"`
	Scopes    []string `json:"scopes,omitempty"`
}

type gpuAcc struct {
	quota, used, requested resource.Quantity
	kueue                  resource.Quantity
	capped                 bool
	uncapped               []string
	inert, scoped          []GPUQuotaKey
}

// GPUs builds the GPU report. A team is the namespace's team
// (governance.Inventory.TeamOf); a namespace of no team is a row of its
// own, named by the namespace. Container GPU resources (IsGPUResource): a namespace's
// cap for a resource is the smallest requests.<resource> among its
// unscoped quotas (scoped ones if none); used is that quota's used;
// requested is summed from the pods. GPU DeviceClasses
// (IsGPUDeviceClass): the resource is the quota key
// <class>.deviceclass.resource.k8s.io/devices, capped by the smallest
// such key among unscoped quotas only (scoped quotas never count
// ResourceClaims), requested summed from the namespace's ResourceClaims
// as quota charges them. Such a row shows only that key: a namespace
// whose claims are capped by another key (the class's implicit or
// mapped extended resource name) is listed as uncapped there.
func (l *Ledger) GPUs() GPUReport {
	gc := newGPUClasses(l.inv)
	kueueManaged := l.kueueGPUs()
	teams := map[string]map[string]*gpuAcc{}
	members := map[string][]string{}
	for _, name := range l.gpuNamespaces() {
		ns := l.lookup(name)
		team := l.teamOf(name)
		for r, acc := range l.namespaceGPUs(ns, gc) {
			if q, ok := kueueManaged[name][r]; ok {
				acc.kueue = q
			}
			if teams[team] == nil {
				teams[team] = map[string]*gpuAcc{}
			}
			t := teams[team][r]
			if t == nil {
				t = &gpuAcc{capped: true}
				teams[team][r] = t
			}
			t.quota.Add(acc.quota)
			t.used.Add(acc.used)
			t.requested.Add(acc.requested)
			t.kueue.Add(acc.kueue)
			if !acc.capped {
				t.capped = false
				t.uncapped = append(t.uncapped, name)
			}
			t.inert = append(t.inert, acc.inert...)
			t.scoped = append(t.scoped, acc.scoped...)
		}
		if teams[team] != nil {
			members[team] = append(members[team], name)
		}
	}
	rep := l.report(teams, members, classCapacity(l.inv, gc))
	rep.Kueue = l.Kueue()
	return rep
}

// kueueGPUs are, per namespace and GPU container resource, the GPUs
// requested by the workloads Kueue manages there (kueueQueueOf naming a
// LocalQueue of the namespace in the inventory): replicas × the pod's
// effective GPU requests.
func (l *Ledger) kueueGPUs() map[string]map[string]resource.Quantity {
	out := map[string]map[string]resource.Quantity{}
	idx := newKueueIndex(l.inv)
	for _, w := range l.inv.Workloads() {
		lq := kueueQueueOf(w)
		if lq == "" || w.Pod == nil || w.Replicas <= 0 || !idx.hasLocalQueue(w.Namespace, lq) {
			continue
		}
		for k, v := range EffectiveResources(w.Pod).Requests {
			if !IsGPUResource(k) {
				continue
			}
			if out[w.Namespace] == nil {
				out[w.Namespace] = map[string]resource.Quantity{}
			}
			q := out[w.Namespace][string(k)]
			addQ(&q, v, int64(w.Replicas))
			out[w.Namespace][string(k)] = q
		}
	}
	return out
}

// namespaceGPUs are the namespace's container GPU resources and GPU
// device classes. A container resource named like a device class key
// (an extended resource no device plugin uses) would give way to the
// class's row.
func (l *Ledger) namespaceGPUs(ns *namespaceState, gc gpuClasses) map[string]*gpuAcc {
	out := ns.gpus()
	for r, acc := range l.claimGPUs(ns, gc) {
		out[r] = acc
	}
	return out
}

// report adds the teams up; capacity starts with the GPU device classes'
// (classCapacity), to which the Nodes' allocatable GPUs are added.
func (l *Ledger) report(teams map[string]map[string]*gpuAcc, members map[string][]string, capacity corev1.ResourceList) GPUReport {
	rep := GPUReport{Teams: []TeamGPU{}, Capacity: map[string]string{}, QuotaTotal: map[string]string{}, Overcommit: map[string]float64{}}
	total := corev1.ResourceList{}
	for _, n := range l.nodes {
		for r, v := range n.Status.Allocatable {
			if IsGPUResource(r) {
				addTimes(capacity, r, v, 1)
			}
		}
	}
	for _, team := range sortedStrings(setOfAcc(teams)) {
		tg := TeamGPU{Team: team, Namespaces: members[team]}
		for _, r := range sortedStrings(setOfRes(teams[team])) {
			a := teams[team][r]
			u := GPUUsage{Resource: r, Used: a.used.String(), Requested: a.requested.String(), Uncapped: a.uncapped,
				InertKeys: a.inert, ScopedCaps: a.scoped}
			if a.kueue.Sign() > 0 {
				u.Kueue = a.kueue.String()
			}
			if a.capped {
				free := a.quota.DeepCopy()
				free.Sub(a.used)
				u.Quota, u.Free = a.quota.String(), free.String()
				addTimes(total, corev1.ResourceName(r), a.quota, 1)
			}
			tg.Resources = append(tg.Resources, u)
		}
		rep.Teams = append(rep.Teams, tg)
	}
	rep.Capacity, rep.QuotaTotal = Strings(capacity), Strings(total)
	rep.CapacityUnknown = unknownCapacity(rep.Teams, capacity)
	for r, c := range capacity {
		if c.Sign() > 0 {
			t := total[r]
			rep.Overcommit[string(r)] = t.AsApproximateFloat64() / c.AsApproximateFloat64()
		}
	}
	return rep
}

// gpus is the namespace's GPU state per resource it caps or uses.
func (ns *namespaceState) gpus() map[string]*gpuAcc {
	out := map[string]*gpuAcc{}
	get := func(r string) *gpuAcc {
		if out[r] == nil {
			out[r] = &gpuAcc{}
		}
		return out[r]
	}
	for _, p := range ns.pods {
		for k, v := range p.usage {
			if r := strings.TrimPrefix(string(k), requestsPrefix); r != string(k) && IsGPUResource(corev1.ResourceName(r)) {
				addQ(&get(r).requested, v, p.replicas)
			}
		}
	}
	for _, q := range ns.capsByResource() {
		a := get(q.resource)
		a.capped, a.quota, a.used = true, q.hard, q.used
		if q.scoped {
			a.scoped = append(a.scoped, q.ref(ns.name, true))
		}
	}
	for _, q := range ns.quotas {
		for _, k := range sortedKeys(q.hard) {
			if r, ok := inertGPUKey(k); ok {
				a, h := get(r), q.hard[k]
				a.inert = append(a.inert, GPUQuotaKey{Namespace: ns.name, Quota: q.rq.Name, Key: string(k), Hard: h.String(), Scopes: scopeNames(q.rq)})
			}
		}
	}
	return out
}

// inertGPUKey says whether a quota key is an inert key (ClassifyKey) of a
// GPU resource, and which: nvidia.com/gpu and limits.nvidia.com/gpu name
// nvidia.com/gpu.
func inertGPUKey(k corev1.ResourceName) (string, bool) {
	if class, _, _ := ClassifyKey(k); class != KeyInert {
		return "", false
	}
	r := strings.TrimPrefix(string(k), limitsPrefix)
	return r, IsGPUResource(corev1.ResourceName(r))
}

// scopeNames are the quota's scopes: spec.scopes, then the names of the
// scopeSelector's expressions.
func scopeNames(rq *corev1.ResourceQuota) []string {
	var out []string
	for _, s := range selectors(rq) {
		out = append(out, string(s.ScopeName))
	}
	return out
}

func addQ(dst *resource.Quantity, v resource.Quantity, n int64) {
	p := v.DeepCopy()
	p.Mul(n)
	dst.Add(p)
}

type gpuCap struct {
	resource   string
	hard, used resource.Quantity
	// key and rq are the capping quota key and quota; scoped says the
	// quota has scopes.
	key    corev1.ResourceName
	rq     *corev1.ResourceQuota
	scoped bool
}

// ref is the cap as a GPUQuotaKey of namespace ns.
func (c gpuCap) ref(ns string, enforced bool) GPUQuotaKey {
	return GPUQuotaKey{Namespace: ns, Quota: c.rq.Name, Key: string(c.key), Hard: c.hard.String(), Enforced: enforced, Scopes: scopeNames(c.rq)}
}

// capsByResource picks, per GPU quota key, the tightest unscoped quota
// (or scoped, when no unscoped quota has the key).
func (ns *namespaceState) capsByResource() []gpuCap {
	return ns.tightestCaps(func(k corev1.ResourceName) (string, bool) {
		r := strings.TrimPrefix(string(k), requestsPrefix)
		return r, r != string(k) && IsGPUResource(corev1.ResourceName(r))
	}, true)
}

// tightestCaps picks, per resource that resourceOf finds in a quota key,
// the smallest hard value among unscoped quotas; with withScoped, among
// scoped ones when no unscoped quota has the key.
func (ns *namespaceState) tightestCaps(resourceOf func(corev1.ResourceName) (string, bool), withScoped bool) []gpuCap {
	best := map[string]gpuCap{}
	bestScoped := map[string]bool{}
	for _, q := range ns.quotas {
		scoped := len(selectors(q.rq)) > 0
		if scoped && !withScoped {
			continue
		}
		for k, h := range q.hard {
			r, ok := resourceOf(k)
			if !ok {
				continue
			}
			cur, seen := best[r]
			better := !seen || (bestScoped[r] && !scoped) || (bestScoped[r] == scoped && h.Cmp(cur.hard) < 0)
			if better {
				best[r], bestScoped[r] = gpuCap{resource: r, hard: h, used: q.used[k], key: k, rq: q.rq, scoped: scoped}, scoped
			}
		}
	}
	out := make([]gpuCap, 0, len(best))
	for _, c := range best {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].resource < out[j].resource })
	return out
}

func setOfAcc(m map[string]map[string]*gpuAcc) map[string]bool {
	out := map[string]bool{}
	for k := range m {
		out[k] = true
	}
	return out
}

func setOfRes(m map[string]*gpuAcc) map[string]bool {
	out := map[string]bool{}
	for k := range m {
		out[k] = true
	}
	return out
}
