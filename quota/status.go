package quota

import (
	corev1 "k8s.io/api/core/v1"
)

// QuotaStatus is one stored quota of the ledger.
type QuotaStatus struct {
	Namespace string
	Name      string
	// Source is "status" when used comes from the object's status.used
	// (read from a cluster), "computed" when summed from the inventory.
	Source string
	Hard   corev1.ResourceList
	Used   corev1.ResourceList
	// Computed is the usage summed from the inventory's pods and objects,
	// whatever Source is.
	Computed  corev1.ResourceList
	Remaining corev1.ResourceList
	// NotEnforced are the hard keys the apiserver stores but never
	// enforces (ClassifyKey: KeyInert, e.g. nvidia.com/gpu), sorted: they
	// cap nothing, whatever Hard and Remaining say.
	NotEnforced []corev1.ResourceName
}

// Status lists every stored quota, by namespace then name.
func (l *Ledger) Status() []QuotaStatus {
	var out []QuotaStatus
	for _, name := range l.names {
		for _, q := range l.namespaces[name].quotas {
			s := QuotaStatus{Namespace: name, Name: q.rq.Name, Source: "computed", Hard: q.hard,
				Used: withZeros(q.used, q.hard), Computed: withZeros(q.computed, q.hard), Remaining: corev1.ResourceList{}}
			if q.fromStatus {
				s.Source = "status"
			}
			for k, h := range q.hard {
				r := h.DeepCopy()
				r.Sub(s.Used[k])
				s.Remaining[k] = r
			}
			for _, k := range sortedKeys(q.hard) {
				if class, _, _ := ClassifyKey(k); class == KeyInert {
					s.NotEnforced = append(s.NotEnforced, k)
				}
			}
			out = append(out, s)
		}
	}
	return out
}

// Refused lists the ResourceQuotas the apiserver would refuse to store
// (by namespace then name) with its message.
func (l *Ledger) Refused() []RefusedQuota {
	var out []RefusedQuota
	for _, name := range l.names {
		for _, rq := range l.namespaces[name].refused {
			out = append(out, RefusedQuota{Quota: rq, Message: RefusalMessage(rq)})
		}
	}
	return out
}

// RefusedQuota is a quota the apiserver refuses, and why.
type RefusedQuota struct {
	Quota   *corev1.ResourceQuota
	Message string
}

// Namespaces are the namespaces the ledger knows, sorted.
func (l *Ledger) Namespaces() []string { return append([]string(nil), l.names...) }
