// Package quota answers how many GPUs, CPUs and bytes each team uses and
// has left, whether the kube-apiserver would admit a new pod (API
// defaults, LimitRange defaults and limits, RuntimeClass overhead,
// ResourceQuota scopes and hard limits, with the apiserver's messages),
// and how many more pods of a shape fit.
//
// A Ledger is built once per inventory. Quotas read from a cluster use
// their status.used; quotas from manifests are charged from the
// inventory's pods and workloads (replicas × the pod the controller would
// create). Keys are classified as the apiserver treats them: invalid
// (the quota is refused: limits.gpu), inert (stored, never enforced:
// nvidia.com/gpu) or enforced (requests.nvidia.com/gpu).
//
//	l, err := quota.NewLedger(inv, quota.Options{})
//	if err != nil { ... }
//	res := l.Admit(pod)   // res.Admitted, res.Stage, res.Message
//	fit := l.Fit(pod)     // fit.Fit more copies; fit.BindingKeys()
//	gpus := l.GPUs()      // per-team GPU quota, used, free
package quota
