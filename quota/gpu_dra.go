package quota

import (
	"strings"

	corev1 "k8s.io/api/core/v1"
	resourcev1 "k8s.io/api/resource/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/aigov/aigov/governance"
)

// GPUs taken through DRA ResourceClaims, in the GPU report. Each GPU
// device class (IsGPUDeviceClass) is a resource named by its quota key,
// <class>.deviceclass.resource.k8s.io/devices, so the report shows the
// key that caps it. Requested is what quota charges the namespace's
// ResourceClaims for the class (ClaimUsage: the exact count, 32 for
// allocationMode All, the largest count among firstAvailable
// alternatives). A pod's claim made from a ResourceClaimTemplate counts
// once the ResourceClaim object exists (read back from a cluster); the
// template alone charges nothing, as in quota.

// claimGPUs is the namespace's DRA GPU state per device quota key it
// caps or its claims use.
func (l *Ledger) claimGPUs(ns *namespaceState, gc gpuClasses) map[string]*gpuAcc {
	out := map[string]*gpuAcc{}
	get := func(r string) *gpuAcc {
		if out[r] == nil {
			out[r] = &gpuAcc{}
		}
		return out[r]
	}
	for _, c := range l.claims[ns.name] {
		for k, v := range ClaimUsage(c) {
			if _, ok := gc.gpuClassOfKey(k); ok {
				get(string(k)).requested.Add(v)
			}
		}
	}
	for _, q := range ns.deviceCaps(gc) {
		a := get(q.resource)
		a.capped, a.quota, a.used = true, q.hard, q.used
	}
	return out
}

// deviceCaps picks, per GPU device quota key, the tightest unscoped
// quota. Quotas with scopes never count ResourceClaims (the claim
// evaluator matches no scope), so their device keys cap nothing and are
// not used even when no unscoped quota has the key.
func (ns *namespaceState) deviceCaps(gc gpuClasses) []gpuCap {
	return ns.tightestCaps(func(k corev1.ResourceName) (string, bool) {
		if _, ok := gc.gpuClassOfKey(k); ok {
			return string(k), true
		}
		return "", false
	}, false)
}

// claimCapKeys are the quota keys that cap the devices a user's
// ResourceClaim takes of a class: the per-class device key; the class's
// implicit extended resource name when the class exists (else the claim
// evaluator does not track it); requests.<extendedResourceName> when the
// class maps one.
func (l *Ledger) claimCapKeys(class string) []corev1.ResourceName {
	keys := []corev1.ResourceName{deviceClassKey(class)}
	if l.classes.exists[class] {
		keys = append(keys, corev1.ResourceName(implicitDeviceClass+class))
	}
	if name, ok := l.classes.extended[class]; ok {
		keys = append(keys, requestsPrefix+name)
	}
	return keys
}

// capsClaims says whether an unscoped quota of the namespace caps the
// devices claims take of the class.
func (l *Ledger) capsClaims(ns *namespaceState, class string) bool {
	keys := l.claimCapKeys(class)
	for _, q := range ns.quotas {
		if len(selectors(q.rq)) > 0 {
			continue
		}
		for _, k := range keys {
			if _, ok := q.hard[k]; ok {
				return true
			}
		}
	}
	return false
}

// gpuNamespaces are the ledger's namespaces plus those that hold
// ResourceClaims and nothing else the ledger records, sorted.
func (l *Ledger) gpuNamespaces() []string {
	if len(l.claims) == 0 {
		return l.names
	}
	set := map[string]bool{}
	for _, n := range l.names {
		set[n] = true
	}
	for n := range l.claims {
		set[n] = true
	}
	return sortedStrings(set)
}

// classCapacity is, per GPU device quota key, the devices the class can
// allocate, for the classes whose driver is known (classDriver) and
// whose driver's device count is exact (driverDevices). Other classes
// have no capacity: it is unknown, not zero.
func classCapacity(inv *governance.Inventory, gc gpuClasses) corev1.ResourceList {
	out := corev1.ResourceList{}
	devices := driverDevices(governance.Typed[*resourcev1.ResourceSlice](inv))
	for name, dc := range gc.known {
		if !IsGPUDeviceClass(dc) {
			continue
		}
		driver, ok := classDriver(dc)
		if !ok {
			continue
		}
		if n, ok := devices[driver]; ok {
			out[deviceClassKey(name)] = *resource.NewQuantity(n, resource.DecimalSI)
		}
	}
	return out
}

type poolKey struct{ driver, pool string }

// poolState is what the newest generation of one pool holds.
type poolState struct {
	generation, sliceCount, slices, devices int64
	shared                                  bool
}

// driverDevices counts, per driver, the devices its ResourceSlices
// publish, as the scheduler sees them: per pool only the slices of the
// highest generation (older ones are stale). A driver has a count only
// when it is exact: every pool complete (as many slices of that
// generation as resourceSliceCount says) and no device that consumes
// shared counters (partitions of one GPU listed next to the whole GPU)
// or may be allocated more than once. Drivers without slices in the
// inventory have no count.
func driverDevices(slices []*resourcev1.ResourceSlice) map[string]int64 {
	pools := map[poolKey]*poolState{}
	for _, s := range slices {
		k, gen := poolKey{s.Spec.Driver, s.Spec.Pool.Name}, s.Spec.Pool.Generation
		p := pools[k]
		if p == nil || gen > p.generation {
			p = &poolState{generation: gen, sliceCount: s.Spec.Pool.ResourceSliceCount}
			pools[k] = p
		}
		if gen < p.generation {
			continue
		}
		p.slices++
		p.devices += int64(len(s.Spec.Devices))
		p.shared = p.shared || !independentDevices(s.Spec.Devices)
	}
	out, inexact := map[string]int64{}, map[string]bool{}
	for k, p := range pools {
		if p.shared || p.slices != p.sliceCount {
			inexact[k.driver] = true
		}
		out[k.driver] += p.devices
	}
	for d := range inexact {
		delete(out, d)
	}
	return out
}

// independentDevices says that each device is allocated whole and once.
func independentDevices(devices []resourcev1.Device) bool {
	for _, d := range devices {
		if len(d.ConsumesCounters) > 0 || (d.AllowMultipleAllocations != nil && *d.AllowMultipleAllocations) {
			return false
		}
	}
	return true
}

// unknownCapacity are the device-class resources of the report's rows
// that have no capacity.
func unknownCapacity(teams []TeamGPU, capacity corev1.ResourceList) []string {
	set := map[string]bool{}
	for _, t := range teams {
		for _, r := range t.Resources {
			if _, known := capacity[corev1.ResourceName(r.Resource)]; !known && strings.HasSuffix(r.Resource, deviceClassSuffix) {
				set[r.Resource] = true
			}
		}
	}
	if len(set) == 0 {
		return nil
	}
	return sortedStrings(set)
}
