package quota_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	resourcev1 "k8s.io/api/resource/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/quota"
)

func deviceClass(name, ext string, exprs ...string) *resourcev1.DeviceClass {
	dc := &resourcev1.DeviceClass{ObjectMeta: metav1.ObjectMeta{Name: name}}
	for _, e := range exprs {
		dc.Spec.Selectors = append(dc.Spec.Selectors, resourcev1.DeviceSelector{CEL: &resourcev1.CELDeviceSelector{Expression: e}})
	}
	if ext != "" {
		dc.Spec.ExtendedResourceName = &ext
	}
	return dc
}

func TestIsGPUDeviceClass(t *testing.T) {
	for _, tc := range []struct {
		name string
		dc   *resourcev1.DeviceClass
		want bool
	}{
		{"NVIDIA's GPU class, by name", deviceClass("gpu.nvidia.com", ""), true},
		{"MIG slices, by name", deviceClass("mig.nvidia.com", ""), true},
		{"name holds gpu anywhere", deviceClass("vfio.gpu.nvidia.com", ""), true},
		{"mig only as a prefix with a dot", deviceClass("migration.example.com", ""), false},
		{"no GPU in name, selector or extended name", deviceClass("fpga.example.com", "", `device.driver == "fpga.example.com"`), false},
		{"selector compares the driver, double quotes", deviceClass("accel", "", `device.driver == "gpu.example.com"`), true},
		{"selector compares the driver, single quotes, reversed", deviceClass("accel", "", `'gpu.example.com'==device.driver`), true},
		{"the comparison inside a larger expression", deviceClass("large", "", `device.attributes["x"].mem > 40 && device.driver == 'gpu.nvidia.com'`), true},
		{"second selector", deviceClass("accel", "", `device.attributes["x"].model == "a"`, `device.driver == "gpu.amd.com"`), true},
		{"gpu in an attribute, not the driver", deviceClass("accel", "", `device.attributes["gpu.example.com"].model == "a"`), false},
		{"driver compared with !=", deviceClass("accel", "", `device.driver != "gpu.example.com"`), false},
		{"raw CEL string is not read", deviceClass("accel", "", `device.driver == r"gpu.example.com"`), false},
		{"extendedResourceName is a GPU resource", deviceClass("accel", "nvidia.com/gpu"), true},
		{"extendedResourceName is a MIG profile", deviceClass("accel", "nvidia.com/mig-1g.10gb"), true},
		{"extendedResourceName is not a GPU", deviceClass("accel", "example.com/fpga"), false},
		{"a class known by name only (absent from the inventory)", deviceClass("tpu-v5", ""), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, quota.IsGPUDeviceClass(tc.dc))
		})
	}
}

func gpuReport(t *testing.T, manifest string) quota.GPUReport {
	t.Helper()
	loader, err := governance.NewLoader()
	require.NoError(t, err)
	inv, err := loader.LoadBytes("gpu.yaml", []byte(manifest))
	require.NoError(t, err)
	l, err := quota.NewLedger(inv, quota.Options{Now: time.Unix(0, 0)})
	require.NoError(t, err)
	return l.GPUs()
}

// rowsOf renders a report's rows as "team resource quota used free
// requested uncapped".
func rowsOf(rep quota.GPUReport) []string {
	var out []string
	for _, tm := range rep.Teams {
		for _, r := range tm.Resources {
			out = append(out, fmt.Sprintf("%s %s q=%s used=%s free=%s req=%s uncapped=%s", tm.Team, r.Resource, r.Quota, r.Used, r.Free, r.Requested, strings.Join(r.Uncapped, ",")))
		}
	}
	return out
}

// TestGPUReportClaims reads cmd/aigov's DRA example (see its comments).
func TestGPUReportClaims(t *testing.T) {
	loader, err := governance.NewLoader()
	require.NoError(t, err)
	inv, err := loader.Load("../cmd/aigov/testdata/quota/dra-gpu.yaml")
	require.NoError(t, err)
	l, err := quota.NewLedger(inv, quota.Options{Now: time.Unix(0, 0)})
	require.NoError(t, err)
	rep := l.GPUs()
	const (
		example = "gpu.example.com.deviceclass.resource.k8s.io/devices"
		nvidia  = "gpu.nvidia.com.deviceclass.resource.k8s.io/devices"
		mig     = "mig.nvidia.com.deviceclass.resource.k8s.io/devices"
		other   = "gpu.other.com.deviceclass.resource.k8s.io/devices"
	)
	assert.Equal(t, []string{
		// The scoped quota is no cap: claims never count against it.
		"batch " + example + " q= used=0 free= req=2 uncapped=batch",
		// ml-a: the smaller of two unscoped quotas (6), used 2 + 3
		// (firstAvailable: the largest alternative); ml-b: 4, used 1
		// (count defaults to 1).
		"ml " + example + " q=10 used=6 free=4 req=6 uncapped=",
		// Alternatives of two classes charge both.
		"ml " + nvidia + " q= used=0 free= req=1 uncapped=ml-b",
		"ml " + mig + " q= used=0 free= req=2 uncapped=ml-b",
		"ml nvidia.com/gpu q= used=0 free= req=1 uncapped=ml-a",
		// A quota key of a class absent from the inventory: GPU by name;
		// tpu.example.com is not.
		"reserved " + other + " q=3 used=0 free=3 req=0 uncapped=",
		// allocationMode All is charged 32; the ResourceClaimTemplate and
		// its pod charge nothing; fpga.example.com is no GPU class.
		"solo " + example + " q= used=0 free= req=32 uncapped=solo",
	}, rowsOf(rep))
	assert.Equal(t, []string{"ml-a", "ml-b"}, rep.Teams[1].Namespaces)
	assert.Equal(t, map[string]string{example: "6"}, rep.Capacity, "stale generation ignored; attribute selectors give no capacity")
	assert.Equal(t, map[string]string{example: "10", other: "3"}, rep.QuotaTotal)
	assert.InDelta(t, 10.0/6, rep.Overcommit[example], 1e-9)
	assert.Len(t, rep.Overcommit, 1)
	assert.Equal(t, []string{nvidia, other, mig}, rep.CapacityUnknown)
}

// TestGPUReportClaimsFromCluster: a quota read back from a cluster is
// used as its status says.
func TestGPUReportClaimsFromCluster(t *testing.T) {
	rep := gpuReport(t, `
apiVersion: v1
kind: ResourceQuota
metadata: {name: q, namespace: ml}
spec: {hard: {gpu.nvidia.com.deviceclass.resource.k8s.io/devices: "8"}}
status:
  hard: {gpu.nvidia.com.deviceclass.resource.k8s.io/devices: "8"}
  used: {gpu.nvidia.com.deviceclass.resource.k8s.io/devices: "7"}
---
apiVersion: resource.k8s.io/v1
kind: ResourceClaim
metadata: {name: c, namespace: ml}
spec: {devices: {requests: [{name: r, exactly: {deviceClassName: gpu.nvidia.com, count: 2}}]}}
`)
	assert.Equal(t, []string{"ml gpu.nvidia.com.deviceclass.resource.k8s.io/devices q=8 used=7 free=1 req=2 uncapped="}, rowsOf(rep))
}

func slice(name, driver, pool string, gen, count int64, devices string) string {
	return fmt.Sprintf("apiVersion: resource.k8s.io/v1\nkind: ResourceSlice\nmetadata: {name: %s}\nspec: {driver: %s, nodeName: node-1, pool: {name: %s, generation: %d, resourceSliceCount: %d}, devices: %s}\n",
		name, driver, pool, gen, count, devices)
}

func classWith(selectors ...string) string {
	out := "apiVersion: resource.k8s.io/v1\nkind: DeviceClass\nmetadata: {name: gpu.test}\nspec:\n  selectors:\n"
	for _, s := range selectors {
		out += "  - cel: {expression: '" + strings.ReplaceAll(s, "'", "''") + "'}\n"
	}
	return out
}

// TestGPUDeviceClassCapacity: a class's capacity is its driver's devices
// when the class selects on the driver alone and the count is exact.
func TestGPUDeviceClassCapacity(t *testing.T) {
	const key = "gpu.test.deviceclass.resource.k8s.io/devices"
	quotaDoc := "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q, namespace: ml}\nspec: {hard: {" + key + ": \"4\"}}\n"
	two := "[{name: a}, {name: b}]"
	plain := classWith(`device.driver == "gpu.test.com"`)
	for _, tc := range []struct {
		name, manifest, want string // want "" = unknown
	}{
		{"plain comparison, two pools", joinDocs(plain, slice("s1", "gpu.test.com", "p1", 1, 1, two), slice("s2", "gpu.test.com", "p2", 3, 1, "[{name: a}]")), "3"},
		{"reversed, single quotes, spaces", joinDocs(classWith(`  'gpu.test.com'   ==   device.driver `), slice("s1", "gpu.test.com", "p1", 1, 1, two)), "2"},
		{"two selectors naming the same driver", joinDocs(classWith(`device.driver == "gpu.test.com"`, `device.driver == 'gpu.test.com'`), slice("s1", "gpu.test.com", "p1", 1, 1, two)), "2"},
		{"other drivers' devices do not count", joinDocs(plain, slice("s1", "gpu.test.com", "p1", 1, 1, two), slice("s2", "other.com", "p1", 1, 1, two)), "2"},
		{"older generation of a pool is stale", joinDocs(plain, slice("s1", "gpu.test.com", "p1", 1, 1, "[{name: a}, {name: b}, {name: c}]"), slice("s2", "gpu.test.com", "p1", 2, 1, two)), "2"},
		{"pool split over slices", joinDocs(plain, slice("s1", "gpu.test.com", "p1", 1, 2, two), slice("s2", "gpu.test.com", "p1", 1, 2, two)), "4"},
		{"incomplete pool", joinDocs(plain, slice("s1", "gpu.test.com", "p1", 1, 2, two)), ""},
		{"partitions consume shared counters", joinDocs(plain, slice("s1", "gpu.test.com", "p1", 1, 1,
			"[{name: whole, consumesCounters: [{counterSet: gpu-0, counters: {mem: {value: 40Gi}}}]}, {name: half, consumesCounters: [{counterSet: gpu-0, counters: {mem: {value: 20Gi}}}]}]")), ""},
		{"device allocatable more than once", joinDocs(plain, slice("s1", "gpu.test.com", "p1", 1, 1, "[{name: a, allowMultipleAllocations: true}]")), ""},
		{"selector on attributes too", joinDocs(classWith(`device.driver == "gpu.test.com" && device.attributes["gpu.test.com"].type == "gpu"`), slice("s1", "gpu.test.com", "p1", 1, 1, two)), ""},
		{"selectors naming two drivers", joinDocs(classWith(`device.driver == "gpu.test.com"`, `device.driver == "gpu.other.com"`), slice("s1", "gpu.test.com", "p1", 1, 1, two)), ""},
		{"no selector", joinDocs("apiVersion: resource.k8s.io/v1\nkind: DeviceClass\nmetadata: {name: gpu.test}\n", slice("s1", "gpu.test.com", "p1", 1, 1, two)), ""},
		{"no ResourceSlice of the driver: unknown, not 0", plain, ""},
		{"class absent from the inventory", slice("s1", "gpu.test.com", "p1", 1, 1, two), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := gpuReport(t, joinDocs(tc.manifest, quotaDoc))
			if tc.want == "" {
				assert.NotContains(t, rep.Capacity, key)
				assert.NotContains(t, rep.Overcommit, key)
				assert.Equal(t, []string{key}, rep.CapacityUnknown)
				return
			}
			assert.Equal(t, tc.want, rep.Capacity[key])
			assert.Empty(t, rep.CapacityUnknown)
			assert.Contains(t, rep.Overcommit, key)
		})
	}
}
