package quota

import (
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// TeamLabel is the namespace label that names a team.
const TeamLabel = "team"

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
	// Capacity is the sum of the Nodes' allocatable GPUs, by resource.
	Capacity map[string]string `json:"capacity"`
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

// GPUUsage is one GPU resource of a team. Quota is "" when no enforced
// quota caps the resource in some namespace of the team that uses it
// (Uncapped lists those namespaces).
type GPUUsage struct {
	Resource  string   `json:"resource"`
	Quota     string   `json:"quota,omitempty"`
	Used      string   `json:"used"`
	Free      string   `json:"free,omitempty"`
	Requested string   `json:"requested"`
	Uncapped  []string `json:"uncapped,omitempty"`
}

type gpuAcc struct {
	quota, used, requested resource.Quantity
	capped                 bool
	uncapped               []string
}

// GPUs builds the GPU report. A team is the namespace's "team" label, else
// the namespace. A namespace's cap for a resource is the smallest
// requests.<resource> among its unscoped quotas (scoped ones if none);
// used is that quota's used; requested is summed from the pods.
func (l *Ledger) GPUs() GPUReport {
	teams := map[string]map[string]*gpuAcc{}
	members := map[string][]string{}
	for _, name := range l.names {
		ns := l.namespaces[name]
		team := ns.labels[TeamLabel]
		if team == "" {
			team = name
		}
		for r, acc := range ns.gpus() {
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
			if !acc.capped {
				t.capped = false
				t.uncapped = append(t.uncapped, name)
			}
		}
		if teams[team] != nil {
			members[team] = append(members[team], name)
		}
	}
	rep := l.report(teams, members)
	rep.Kueue = l.Kueue()
	return rep
}

func (l *Ledger) report(teams map[string]map[string]*gpuAcc, members map[string][]string) GPUReport {
	rep := GPUReport{Teams: []TeamGPU{}, Capacity: map[string]string{}, QuotaTotal: map[string]string{}, Overcommit: map[string]float64{}}
	capacity, total := corev1.ResourceList{}, corev1.ResourceList{}
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
			u := GPUUsage{Resource: r, Used: a.used.String(), Requested: a.requested.String(), Uncapped: a.uncapped}
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
}

// capsByResource picks, per GPU quota key, the tightest unscoped quota
// (or scoped, when no unscoped quota has the key).
func (ns *namespaceState) capsByResource() []gpuCap {
	best := map[string]gpuCap{}
	bestScoped := map[string]bool{}
	for _, q := range ns.quotas {
		scoped := len(selectors(q.rq)) > 0
		for k, h := range q.hard {
			r := strings.TrimPrefix(string(k), requestsPrefix)
			if r == string(k) || !IsGPUResource(corev1.ResourceName(r)) {
				continue
			}
			cur, ok := best[r]
			better := !ok || (bestScoped[r] && !scoped) || (bestScoped[r] == scoped && h.Cmp(cur.hard) < 0)
			if better {
				best[r], bestScoped[r] = gpuCap{resource: r, hard: h, used: q.used[k]}, scoped
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
