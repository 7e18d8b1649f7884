package quota

import (
	"strings"

	corev1 "k8s.io/api/core/v1"
	resourcev1 "k8s.io/api/resource/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/aigov/aigov/governance"
)

// ClaimUsage is what ResourceQuota charges for a ResourceClaim at
// creation from its spec alone: count/resourceclaims.resource.k8s.io and,
// per device class, <class>.deviceclass.resource.k8s.io/devices: the
// count of an ExactCount request, 32 (the most devices one claim can be
// allocated) for All, and for a request listing alternatives the largest
// count of each class named among them, every class charged. A Ledger
// (AdmitObject, computed usage) also charges each class's count as
// requests.deviceclass.resource.kubernetes.io/<class> and as requests.<the
// class's extendedResourceName>, which depend on the DeviceClasses and
// the owning pod (DRAExtendedResource; see the package documentation).
func ClaimUsage(claim *resourcev1.ResourceClaim) corev1.ResourceList {
	out := corev1.ResourceList{resourceClaimCount: *resource.NewQuantity(1, resource.DecimalSI)}
	for _, req := range claim.Spec.Devices.Requests {
		switch {
		case len(req.FirstAvailable) > 0:
			most := map[corev1.ResourceName]int64{}
			for _, sub := range req.FirstAvailable {
				k := deviceClassKey(sub.DeviceClassName)
				if n, seen := deviceCount(sub.AllocationMode, sub.Count), most[k]; n > seen {
					most[k] = n
				}
			}
			for k, n := range most {
				addTimes(out, k, *resource.NewQuantity(n, resource.DecimalSI), 1)
			}
		case req.Exactly != nil:
			k := deviceClassKey(req.Exactly.DeviceClassName)
			addTimes(out, k, *resource.NewQuantity(deviceCount(req.Exactly.AllocationMode, req.Exactly.Count), resource.DecimalSI), 1)
		}
	}
	return out
}

func deviceClassKey(class string) corev1.ResourceName {
	return corev1.ResourceName(class + deviceClassSuffix)
}

// deviceCount applies the API defaults (ExactCount, count 1). A negative
// count, which the apiserver refuses (ValidateClaimCounts), counts 0:
// charging it would lower the usage.
func deviceCount(mode resourcev1.DeviceAllocationMode, count int64) int64 {
	switch mode {
	case resourcev1.DeviceAllocationModeAll:
		return draMaxAllocatedCount
	case resourcev1.DeviceAllocationModeExactCount, "":
		if count == 0 {
			return 1
		}
		return max(count, 0)
	}
	return 0
}

// resourceOfKind is the plural resource name of the kinds quota counts.
var resourceOfKind = map[string]string{
	"Pod": "pods", "Service": "services", "Secret": "secrets", "ConfigMap": "configmaps",
	"PersistentVolumeClaim": "persistentvolumeclaims", "ReplicationController": "replicationcontrollers",
	"ResourceQuota": "resourcequotas", "Deployment": "deployments", "StatefulSet": "statefulsets",
	"DaemonSet": "daemonsets", "ReplicaSet": "replicasets", "Job": "jobs", "CronJob": "cronjobs",
	"ResourceClaim": "resourceclaims", "ServiceAccount": "serviceaccounts", "Ingress": "ingresses",
	"NetworkPolicy": "networkpolicies", "Role": "roles", "RoleBinding": "rolebindings",
}

// countKeyOf is the count/<resource>[.<group>] key of a kind.
func countKeyOf(group, kind string) corev1.ResourceName {
	plural, ok := resourceOfKind[kind]
	if !ok {
		plural = strings.ToLower(kind)
		switch {
		case strings.HasSuffix(plural, "y"):
			plural = plural[:len(plural)-1] + "ies"
		case strings.HasSuffix(plural, "s"):
			plural += "es"
		default:
			plural += "s"
		}
	}
	if group != "" {
		plural += "." + group
	}
	return corev1.ResourceName(countPrefix + plural)
}

// objectUsage is the usage of the namespace's non-pod objects for an
// unscoped quota with these hard keys: object counts, services, PVC
// storage for the non-pod keys; ResourceClaims, when the claim evaluator
// tracks a key of the quota, for every key (their DRAExtendedResource
// keys are pod keys too: the quota controller adds up what each evaluator
// finds and masks the sum with the keys any evaluator tracks).
func (l *Ledger) objectUsage(ns string, hard corev1.ResourceList) corev1.ResourceList {
	want := map[corev1.ResourceName]bool{}
	for k := range hard {
		if !isPodQuotaKey(k) {
			want[k] = true
		}
	}
	claims := len(l.classes.claimKeys(sortedKeys(hard))) > 0
	out := corev1.ResourceList{}
	if len(want) == 0 && !claims {
		return out
	}
	for _, o := range l.objectsIn(ns) {
		if !objectStorable(o.Obj) {
			continue
		}
		if claim, ok := o.Obj.(*resourcev1.ResourceClaim); ok {
			if claims {
				addMasked(out, l.claimUsage(claim, claim.CreationTimestamp.Time), hard)
			}
			continue
		}
		for k, v := range objectCharge(o.GVK.Group, o.Kind(), o.Obj) {
			if want[k] {
				addTimes(out, k, v, 1)
			}
		}
	}
	return out
}

// objectsIn are the inventory's objects of namespace ns; the index is
// built once, so that quotas in many namespaces do not each walk the
// whole inventory.
func (l *Ledger) objectsIn(ns string) []*governance.Object {
	if l.nsObjects == nil {
		l.nsObjects = map[string][]*governance.Object{}
		for _, o := range l.inv.Objects() {
			l.nsObjects[o.Namespace()] = append(l.nsObjects[o.Namespace()], o)
		}
	}
	return l.nsObjects[ns]
}

// objectStorable says whether the apiserver could hold a ResourceClaim or
// PersistentVolumeClaim of the inventory as far as quota reads it (the
// device counts, the storage request); one it refuses is never charged.
func objectStorable(obj any) bool {
	switch o := obj.(type) {
	case *resourcev1.ResourceClaim:
		return len(ValidateClaimCounts(o)) == 0
	case *corev1.PersistentVolumeClaim:
		return len(ValidatePVCStorage(o)) == 0
	}
	return true
}

// addMasked adds the entries of usage whose keys hard has to out.
func addMasked(out, usage, hard corev1.ResourceList) {
	for k, v := range usage {
		if _, ok := hard[k]; ok {
			addTimes(out, k, v, 1)
		}
	}
}

// objectCharge is what quota charges for one stored object, pods and
// ResourceClaims (Ledger.claimUsage) aside.
func objectCharge(group, kind string, obj any) corev1.ResourceList {
	one := *resource.NewQuantity(1, resource.DecimalSI)
	out := corev1.ResourceList{countKeyOf(group, kind): one}
	if group == "" {
		switch kind {
		case "Service", "Secret", "ConfigMap", "PersistentVolumeClaim", "ReplicationController", "ResourceQuota":
			out[corev1.ResourceName(resourceOfKind[kind])] = one
		}
	}
	switch o := obj.(type) {
	case *corev1.Service:
		serviceCharge(o, out)
	case *corev1.PersistentVolumeClaim:
		for k, v := range pvcUsage(o) {
			out[k] = v
		}
	}
	return out
}

// claimStorageClass is the storage class quota charges a claim to: the
// beta annotation first, then spec.storageClassName (as the apiserver's
// storage helpers decide; their package imports client-go, which the
// analyzers must not).
func claimStorageClass(pvc *corev1.PersistentVolumeClaim) string {
	if class, ok := pvc.Annotations[corev1.BetaStorageClassAnnotation]; ok {
		return class
	}
	if pvc.Spec.StorageClassName != nil {
		return *pvc.Spec.StorageClassName
	}
	return ""
}

// pvcUsage is the PVC evaluator's usage: the claim counts, its storage
// class (the beta annotation first, then spec.storageClassName) counts, and
// requests.storage is the larger of the request and
// status.allocatedResources, rounded up to whole bytes.
func pvcUsage(pvc *corev1.PersistentVolumeClaim) corev1.ResourceList {
	one := *resource.NewQuantity(1, resource.DecimalSI)
	out := corev1.ResourceList{
		corev1.ResourcePersistentVolumeClaims:   one,
		countKeyOf("", "PersistentVolumeClaim"): one,
	}
	class := claimStorageClass(pvc)
	if class != "" {
		out[corev1.ResourceName(class+storageClassInfix+string(corev1.ResourcePersistentVolumeClaims))] = one
	}
	req, ok := pvc.Spec.Resources.Requests[corev1.ResourceStorage]
	if !ok {
		return out
	}
	storage := roundUpBytes(req)
	if alloc, ok := pvc.Status.AllocatedResources[corev1.ResourceStorage]; ok && alloc.Cmp(storage) > 0 {
		storage = roundUpBytes(alloc)
	}
	out[corev1.ResourceRequestsStorage] = storage
	if class != "" {
		out[corev1.ResourceName(class+storageClassInfix+string(corev1.ResourceRequestsStorage))] = storage
	}
	return out
}

func roundUpBytes(q resource.Quantity) resource.Quantity {
	out := q.DeepCopy()
	if !out.RoundUp(0) {
		return out
	}
	return q
}

func serviceCharge(s *corev1.Service, out corev1.ResourceList) {
	ports := int64(0)
	switch s.Spec.Type {
	case corev1.ServiceTypeNodePort:
		ports = int64(len(s.Spec.Ports))
	case corev1.ServiceTypeLoadBalancer:
		out[corev1.ResourceServicesLoadBalancers] = *resource.NewQuantity(1, resource.DecimalSI)
		if s.Spec.AllocateLoadBalancerNodePorts == nil || *s.Spec.AllocateLoadBalancerNodePorts {
			ports = int64(len(s.Spec.Ports))
		} else {
			// Node ports are not allocated: only explicit ones count.
			for _, p := range s.Spec.Ports {
				if p.NodePort != 0 {
					ports++
				}
			}
		}
	}
	if ports > 0 {
		out[corev1.ResourceServicesNodePorts] = *resource.NewQuantity(ports, resource.DecimalSI)
	}
}
