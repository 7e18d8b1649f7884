package quota

import (
	"math"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// FitResult says how many more copies of a pod shape fit at once.
type FitResult struct {
	// Fit is the minimum over the keys the matching quotas track and the
	// pod is charged a non-zero amount of, of ⌊(hard − used) / charge⌋;
	// -1 when no key bounds it; 0 when the pod cannot be admitted at all.
	Fit int64
	// Binding are the (quota, key) pairs that attain Fit.
	Binding []Binding
	// Admission is Admit's verdict for one copy.
	Admission Result
}

// Binding is one quota key that bounds a fit.
type Binding struct {
	Quota string
	Key   corev1.ResourceName
}

// BindingKeys are the distinct keys of Binding, sorted.
func (f FitResult) BindingKeys() []string {
	set := map[string]bool{}
	for _, b := range f.Binding {
		set[string(b.Key)] = true
	}
	return sortedStrings(set)
}

// Fit computes the headroom of the pod's namespace for the pod's shape.
func (l *Ledger) Fit(pod *corev1.Pod) FitResult {
	res := l.Admit(pod)
	out := FitResult{Fit: -1, Admission: res}
	if !res.Admitted && (res.Stage != StageResourceQuota || !exceededAny(res)) {
		out.Fit = 0
		return out
	}
	ns := l.lookup(res.Pod.Namespace)
	for i, q := range ns.quotas {
		if !res.Quotas[i].Matches {
			continue
		}
		for _, k := range q.hardKeys {
			charge, ok := res.Usage[k]
			if !ok || charge.Sign() <= 0 {
				continue
			}
			n := copies(q.hard[k], q.used[k], charge)
			switch {
			case out.Fit == -1 || n < out.Fit:
				out.Fit, out.Binding = n, []Binding{{Quota: q.rq.Name, Key: k}}
			case n == out.Fit:
				out.Binding = append(out.Binding, Binding{Quota: q.rq.Name, Key: k})
			}
		}
	}
	return out
}

func exceededAny(r Result) bool {
	for _, q := range r.Quotas {
		if len(q.Exceeded) > 0 {
			return true
		}
	}
	return false
}

// copies is ⌊(hard − used) / charge⌋, at least 0.
func copies(hard, used, charge resource.Quantity) int64 {
	avail := hard.DeepCopy()
	avail.Sub(used)
	if avail.Sign() <= 0 {
		return 0
	}
	if avail.Value() < resource.MaxMilliValue && charge.Value() < resource.MaxMilliValue {
		return avail.MilliValue() / charge.MilliValue()
	}
	a, c := avail.AsDec(), charge.AsDec()
	f := math.Floor(decFloat(a.String()) / decFloat(c.String()))
	if f > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(f)
}

func decFloat(s string) float64 {
	q, err := resource.ParseQuantity(s)
	if err != nil {
		return 0
	}
	return q.AsApproximateFloat64()
}
