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
//
// # DRA devices requested as extended resources
//
// DRAExtendedResource is GA and locked on in v1.37 (k8s.io/kubernetes
// v1.37.2 pkg/features/kube_features.go), so the apiserver and the quota
// controller always account for it; nothing needs enabling. A pod may ask
// for DRA devices in resources.requests under the name a DeviceClass sets
// in spec.extendedResourceName (example.com/gpu) or under the implicit
// name deviceclass.resource.kubernetes.io/<class> of any class; the
// scheduler then creates a ResourceClaim for the pod, annotated
// resource.kubernetes.io/extended-resource-claim: "true" and controlled
// by it. Quota charges (pkg/quota/v1/evaluator/core):
//
//   - the pod (pods.go, podComputeUsageHelper, schedutil.IsDRAExtendedResourceName):
//     requests.<name> for either form, whatever the DeviceClasses;
//     requests.deviceclass.resource.kubernetes.io/<class> is a pod key
//     (isExtendedResourceNameForQuota), so it is enforced for pods even
//     when the class does not exist; the pod is never charged
//     <class>.deviceclass.resource.k8s.io/devices;
//   - a ResourceClaim (resource_claims.go, Usage and
//     addExtendedResourceQuota): count/resourceclaims.resource.k8s.io and
//     <class>.deviceclass.resource.k8s.io/devices from its spec, and the
//     same per-class count again as
//     requests.deviceclass.resource.kubernetes.io/<class> (whether or not
//     the class exists) and, when the class has an extendedResourceName,
//     as requests.<that name>; for a claim the scheduler made for a pod
//     (getVerifiedPodUsage: the annotation, a controller reference to the
//     stored v1 Pod with that UID, and the pod's
//     status.extendedResourceClaimStatus naming the claim or, naming none,
//     the claim being the pod's first such claim by creation time then
//     name), minus what the pod is charged for the same key, and only
//     what stays above zero. The owning pod's usage is computed with the
//     Ledger's clock where upstream uses the wall clock.
//
// Which quotas a claim counts against (MatchingResources) depends on the
// DeviceClasses: besides the count and per-class device keys, the claim
// evaluator tracks requests.deviceclass.resource.kubernetes.io/<class>
// when the class exists and requests.<name> when some class maps that
// name. Admission masks a matching quota's charge with all of its hard
// keys, and the quota controller adds each evaluator's full usage before
// masking with the keys any evaluator tracks, so once a quota tracks one
// claim key, claims count toward its requests.* keys too; a quota whose
// only key is the implicit name of a missing class counts pods alone.
// Quotas with scopes never count claims. A Ledger reads
// resource.k8s.io/v1 DeviceClasses and ResourceClaims from the inventory;
// ClaimUsage alone is the spec-only part.
//
// # GPUs through DRA ResourceClaims
//
// The GPU report (GPUs) and gpu-without-quota count the devices that
// ResourceClaims take of GPU DeviceClasses (IsGPUDeviceClass), under the
// per-class quota key <class>.deviceclass.resource.k8s.io/devices, and
// take a class's capacity from the inventory's ResourceSlices when the
// class selects on its driver alone (else the capacity is unknown).
//
// Manifests rarely hold the claims pods get from ResourceClaimTemplates:
// the cluster makes them when the pods run. The GPU report charges a
// template nothing, as quota does, but gpu-without-quota also reports
// each workload whose pod spec names (resourceClaimTemplateName) a
// ResourceClaimTemplate of the inventory asking for an uncapped GPU
// class, the template's spec.spec read as a claim's. A template absent
// from the inventory is not reported: its classes are unknown.
package quota
