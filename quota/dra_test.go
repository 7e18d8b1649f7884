package quota_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	resourcev1 "k8s.io/api/resource/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/quota"
)

// draState: DeviceClass gpu maps example.com/gpu, fpga maps nothing, tpu
// does not exist. Pods read back from a cluster ask for the devices as
// extended resources; claims are a user's, the scheduler's for those pods
// (verified or not), and one for the missing class.
const draState = `
apiVersion: resource.k8s.io/v1
kind: DeviceClass
metadata: {name: gpu}
spec: {extendedResourceName: example.com/gpu}
---
apiVersion: resource.k8s.io/v1
kind: DeviceClass
metadata: {name: fpga}
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: all, namespace: dra}
spec:
  hard:
    requests.example.com/gpu: "10"
    requests.deviceclass.resource.kubernetes.io/gpu: "10"
    requests.deviceclass.resource.kubernetes.io/fpga: "10"
    requests.deviceclass.resource.kubernetes.io/tpu: "10"
    gpu.deviceclass.resource.k8s.io/devices: "10"
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: missing-class, namespace: dra}
spec:
  hard: {requests.deviceclass.resource.kubernetes.io/tpu: "5"}
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: scoped, namespace: dra}
spec:
  hard: {requests.example.com/gpu: "10", gpu.deviceclass.resource.k8s.io/devices: "10"}
  scopes: [NotTerminating]
---
apiVersion: v1
kind: Pod
metadata: {name: p1, namespace: dra, uid: u1}
spec:
  containers: [{name: c, image: x, resources: {limits: {example.com/gpu: "2"}, requests: {example.com/gpu: "2"}}}]
status: {phase: Pending}
---
apiVersion: v1
kind: Pod
metadata: {name: p2, namespace: dra, uid: u2}
spec:
  containers: [{name: c, image: x, resources: {limits: {deviceclass.resource.kubernetes.io/fpga: "1"}, requests: {deviceclass.resource.kubernetes.io/fpga: "1"}}}]
status: {phase: Pending, extendedResourceClaimStatus: {resourceClaimName: p2-claim, requestMappings: []}}
---
apiVersion: v1
kind: Pod
metadata: {name: p3, namespace: dra, uid: u3}
spec:
  containers: [{name: c, image: x, resources: {limits: {deviceclass.resource.kubernetes.io/tpu: "1"}, requests: {deviceclass.resource.kubernetes.io/tpu: "1"}}}]
status: {phase: Pending}
---
apiVersion: resource.k8s.io/v1
kind: ResourceClaim
metadata: {name: user, namespace: dra, creationTimestamp: "2026-01-01T00:00:00Z"}
spec: {devices: {requests: [{name: r, exactly: {deviceClassName: gpu, allocationMode: ExactCount, count: 3}}]}}
---
apiVersion: resource.k8s.io/v1
kind: ResourceClaim
metadata:
  name: p1-a
  namespace: dra
  creationTimestamp: "2026-01-01T00:00:00Z"
  annotations: {resource.kubernetes.io/extended-resource-claim: "true"}
  ownerReferences: [{apiVersion: v1, kind: Pod, name: p1, uid: u1, controller: true}]
spec: {devices: {requests: [{name: r, exactly: {deviceClassName: gpu, allocationMode: ExactCount, count: 2}}]}}
---
apiVersion: resource.k8s.io/v1
kind: ResourceClaim
metadata:
  name: p1-b
  namespace: dra
  creationTimestamp: "2026-01-01T00:01:00Z"
  annotations: {resource.kubernetes.io/extended-resource-claim: "true"}
  ownerReferences: [{apiVersion: v1, kind: Pod, name: p1, uid: u1, controller: true}]
spec: {devices: {requests: [{name: r, exactly: {deviceClassName: gpu, allocationMode: ExactCount, count: 1}}]}}
---
apiVersion: resource.k8s.io/v1
kind: ResourceClaim
metadata:
  name: p2-other
  namespace: dra
  creationTimestamp: "2026-01-01T00:00:00Z"
  annotations: {resource.kubernetes.io/extended-resource-claim: "true"}
  ownerReferences: [{apiVersion: v1, kind: Pod, name: p2, uid: u2, controller: true}]
spec: {devices: {requests: [{name: r, exactly: {deviceClassName: fpga, allocationMode: ExactCount, count: 2}}]}}
---
apiVersion: resource.k8s.io/v1
kind: ResourceClaim
metadata:
  name: p2-claim
  namespace: dra
  creationTimestamp: "2026-01-01T00:05:00Z"
  annotations: {resource.kubernetes.io/extended-resource-claim: "true"}
  ownerReferences: [{apiVersion: v1, kind: Pod, name: p2, uid: u2, controller: true}]
spec: {devices: {requests: [{name: r, exactly: {deviceClassName: fpga, allocationMode: ExactCount, count: 1}}]}}
---
apiVersion: resource.k8s.io/v1
kind: ResourceClaim
metadata:
  name: wrong-uid
  namespace: dra
  creationTimestamp: "2026-01-01T00:00:00Z"
  annotations: {resource.kubernetes.io/extended-resource-claim: "true"}
  ownerReferences: [{apiVersion: v1, kind: Pod, name: p1, uid: other, controller: true}]
spec: {devices: {requests: [{name: r, exactly: {deviceClassName: gpu, allocationMode: ExactCount, count: 1}}]}}
---
apiVersion: resource.k8s.io/v1
kind: ResourceClaim
metadata: {name: tpu-claim, namespace: dra, creationTimestamp: "2026-01-01T00:00:00Z"}
spec: {devices: {requests: [{name: r, exactly: {deviceClassName: tpu, allocationMode: ExactCount, count: 4}}]}}
`

func draLedger(t *testing.T, extra string) *quota.Ledger {
	t.Helper()
	loader, err := governance.NewLoader()
	require.NoError(t, err)
	inv, err := loader.LoadBytes("dra.yaml", []byte(draState+extra))
	require.NoError(t, err)
	l, err := quota.NewLedger(inv, quota.Options{Now: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)})
	require.NoError(t, err)
	return l
}

func statusOf(t *testing.T, l *quota.Ledger, name string) map[string]string {
	t.Helper()
	for _, s := range l.Status() {
		if s.Name == name {
			return quota.Strings(s.Computed)
		}
	}
	t.Fatalf("no quota %s", name)
	return nil
}

// TestDRAExtendedResourceComputed pins what the quota controller sums.
func TestDRAExtendedResourceComputed(t *testing.T) {
	l := draLedger(t, "")
	// Pods: p1 example.com/gpu 2, p2 implicit fpga 1, p3 implicit tpu 1.
	// Claims (devices, implicit, example.com/gpu):
	//   user 3/3/3; p1-a, p1's first, 2/2/2-2=0; p1-b, not first, 1/1/1;
	//   wrong-uid 1/1/1; p2-other, not named by p2, fpga 2; p2-claim,
	//   named, fpga 1-1=0; tpu-claim 4 (the class need not exist).
	assert.Equal(t, map[string]string{
		"requests.example.com/gpu":                         "7",
		"requests.deviceclass.resource.kubernetes.io/gpu":  "7",
		"requests.deviceclass.resource.kubernetes.io/fpga": "3",
		"requests.deviceclass.resource.kubernetes.io/tpu":  "5",
		"gpu.deviceclass.resource.k8s.io/devices":          "7",
	}, statusOf(t, l, "all"))
	// No key of this quota is a claim key (class tpu is missing): the
	// claim evaluator does not run for it, claims count for nothing.
	assert.Equal(t, map[string]string{"requests.deviceclass.resource.kubernetes.io/tpu": "1"}, statusOf(t, l, "missing-class"))
	// Claims never match a quota with scopes.
	assert.Equal(t, map[string]string{"requests.example.com/gpu": "2", "gpu.deviceclass.resource.k8s.io/devices": "0"}, statusOf(t, l, "scoped"))
}

func claim(name, class string, count int64) *resourcev1.ResourceClaim {
	return &resourcev1.ResourceClaim{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "dra"},
		Spec: resourcev1.ResourceClaimSpec{Devices: resourcev1.DeviceClaim{Requests: []resourcev1.DeviceRequest{{Name: "r",
			Exactly: &resourcev1.ExactDeviceRequest{DeviceClassName: class, AllocationMode: resourcev1.DeviceAllocationModeExactCount, Count: count}}}}}}
}

func ownedBy(c *resourcev1.ResourceClaim, pod string, uid string) *resourcev1.ResourceClaim {
	yes := true
	c.Annotations = map[string]string{resourcev1.ExtendedResourceClaimAnnotation: "true"}
	c.OwnerReferences = []metav1.OwnerReference{{APIVersion: "v1", Kind: "Pod", Name: pod, UID: types.UID(uid), Controller: &yes}}
	return c
}

// TestDRAExtendedResourceAdmitClaim pins a claim's charge and verdict.
func TestDRAExtendedResourceAdmitClaim(t *testing.T) {
	const p4 = `
---
apiVersion: v1
kind: Pod
metadata: {name: p4, namespace: dra, uid: u4}
spec:
  containers: [{name: c, image: x, resources: {limits: {example.com/gpu: "1"}, requests: {example.com/gpu: "1"}}}]
status: {phase: Pending}
`
	l := draLedger(t, p4)
	for _, tc := range []struct {
		name    string
		claim   *resourcev1.ResourceClaim
		usage   map[string]string
		matches []string
		message string
	}{
		{"a user's claim is charged the implicit and the mapped name", claim("c", "gpu", 4),
			map[string]string{"count/resourceclaims.resource.k8s.io": "1", "gpu.deviceclass.resource.k8s.io/devices": "4",
				"requests.deviceclass.resource.kubernetes.io/gpu": "4", "requests.example.com/gpu": "4"},
			[]string{"all"},
			`resourceclaims.resource.k8s.io "c" is forbidden: exceeded quota: all, requested: gpu.deviceclass.resource.k8s.io/devices=4,requests.deviceclass.resource.kubernetes.io/gpu=4,requests.example.com/gpu=4, used: gpu.deviceclass.resource.k8s.io/devices=7,requests.deviceclass.resource.kubernetes.io/gpu=7,requests.example.com/gpu=8, limited: gpu.deviceclass.resource.k8s.io/devices=10,requests.deviceclass.resource.kubernetes.io/gpu=10,requests.example.com/gpu=10`},
		{"the first claim of p4 is charged what p4 is not", ownedBy(claim("c", "gpu", 3), "p4", "u4"),
			map[string]string{"count/resourceclaims.resource.k8s.io": "1", "gpu.deviceclass.resource.k8s.io/devices": "3",
				"requests.deviceclass.resource.kubernetes.io/gpu": "3", "requests.example.com/gpu": "2"},
			[]string{"all"}, ""},
		{"p1 has older claims: a new one is not its first", ownedBy(claim("c", "gpu", 2), "p1", "u1"),
			map[string]string{"count/resourceclaims.resource.k8s.io": "1", "gpu.deviceclass.resource.k8s.io/devices": "2",
				"requests.deviceclass.resource.kubernetes.io/gpu": "2", "requests.example.com/gpu": "2"},
			[]string{"all"}, ""},
		{"a class without extendedResourceName: the implicit name only", claim("c", "fpga", 7),
			map[string]string{"count/resourceclaims.resource.k8s.io": "1", "fpga.deviceclass.resource.k8s.io/devices": "7",
				"requests.deviceclass.resource.kubernetes.io/fpga": "7"},
			[]string{"all"}, ""},
		{"p2 names p2-claim: another claim of p2 pays in full", ownedBy(claim("c", "fpga", 8), "p2", "u2"),
			map[string]string{"count/resourceclaims.resource.k8s.io": "1", "fpga.deviceclass.resource.k8s.io/devices": "8",
				"requests.deviceclass.resource.kubernetes.io/fpga": "8"},
			[]string{"all"},
			`resourceclaims.resource.k8s.io "c" is forbidden: exceeded quota: all, requested: requests.deviceclass.resource.kubernetes.io/fpga=8, used: requests.deviceclass.resource.kubernetes.io/fpga=3, limited: requests.deviceclass.resource.kubernetes.io/fpga=10`},
		// "all" tracks claim keys, so it matches any claim and masks the
		// charge with all its hard keys, the implicit name of a missing
		// class included; missing-class tracks no claim key.
		{"a missing class: charged the implicit name all the same", claim("c", "tpu", 6),
			map[string]string{"count/resourceclaims.resource.k8s.io": "1", "tpu.deviceclass.resource.k8s.io/devices": "6",
				"requests.deviceclass.resource.kubernetes.io/tpu": "6"},
			[]string{"all"},
			`resourceclaims.resource.k8s.io "c" is forbidden: exceeded quota: all, requested: requests.deviceclass.resource.kubernetes.io/tpu=6, used: requests.deviceclass.resource.kubernetes.io/tpu=5, limited: requests.deviceclass.resource.kubernetes.io/tpu=10`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := l.AdmitObject(tc.claim)
			assert.Equal(t, tc.usage, quota.Strings(res.Usage))
			var matches []string
			for _, d := range res.Quotas {
				if d.Matches {
					matches = append(matches, d.Name)
				}
			}
			assert.Equal(t, tc.matches, matches)
			assert.Equal(t, tc.message, res.Message)
			assert.Equal(t, tc.message == "", res.Admitted)
		})
	}
}

// TestDRAExtendedResourcePods: a pod is charged requests.<name> for
// either form whatever the DeviceClasses, never the per-class device key.
func TestDRAExtendedResourcePods(t *testing.T) {
	l := draLedger(t, "")
	for _, tc := range []struct {
		name, spec, message string
	}{
		{"mapped name", `{containers: [{name: a, image: x, resources: {limits: {example.com/gpu: "4"}}}]}`,
			`pods "p" is forbidden: exceeded quota: all, requested: requests.example.com/gpu=4, used: requests.example.com/gpu=7, limited: requests.example.com/gpu=10`},
		{"implicit name of a missing class", `{containers: [{name: a, image: x, resources: {limits: {deviceclass.resource.kubernetes.io/tpu: "6"}}}]}`,
			`pods "p" is forbidden: exceeded quota: all, requested: requests.deviceclass.resource.kubernetes.io/tpu=6, used: requests.deviceclass.resource.kubernetes.io/tpu=5, limited: requests.deviceclass.resource.kubernetes.io/tpu=10`},
		{"implicit name, within every quota", `{containers: [{name: a, image: x, resources: {limits: {deviceclass.resource.kubernetes.io/gpu: "3"}}}]}`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := l.Admit(podIn(t, "dra", tc.spec))
			assert.Equal(t, tc.message, res.Message)
			for k := range res.Usage {
				assert.NotContains(t, string(k), ".deviceclass.resource.k8s.io/devices")
			}
		})
	}
	// The missing-class quota fails the tpu pod too.
	res := l.Admit(podIn(t, "dra", `{containers: [{name: a, image: x, resources: {limits: {deviceclass.resource.kubernetes.io/tpu: "6"}}}]}`))
	assert.Equal(t, []string{`pods "p" is forbidden: exceeded quota: missing-class, requested: requests.deviceclass.resource.kubernetes.io/tpu=6, used: requests.deviceclass.resource.kubernetes.io/tpu=1, limited: requests.deviceclass.resource.kubernetes.io/tpu=5`}, res.Alternatives)
}

// TestStatusUnknownListsEveryTrackedKey: with a status lacking one
// tracked key, the apiserver names every key the evaluator tracks.
func TestStatusUnknownListsEveryTrackedKey(t *testing.T) {
	l := draLedger(t, `
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: unsynced, namespace: other}
spec:
  hard: {requests.example.com/gpu: "10", count/resourceclaims.resource.k8s.io: "5", pods: "3"}
status:
  hard: {requests.example.com/gpu: "10", count/resourceclaims.resource.k8s.io: "5", pods: "3"}
  used: {pods: "0"}
`)
	c := claim("c", "gpu", 1)
	c.Namespace = "other"
	assert.Equal(t, `resourceclaims.resource.k8s.io "c" is forbidden: status unknown for quota: unsynced, resources: count/resourceclaims.resource.k8s.io,requests.example.com/gpu`, l.AdmitObject(c).Message)
	res := l.Admit(podIn(t, "other", `{containers: [{name: a, image: x}]}`))
	assert.Equal(t, `pods "p" is forbidden: status unknown for quota: unsynced, resources: pods,requests.example.com/gpu`, res.Message)
}

// TestDRAClaimMatchingKeys: which single-key quotas a claim counts
// against (the claim evaluator's MatchingResources), whatever its class.
func TestDRAClaimMatchingKeys(t *testing.T) {
	keys := map[string]bool{
		"requests.deviceclass.resource.kubernetes.io/gpu":  true,  // the class exists (and maps a name)
		"requests.deviceclass.resource.kubernetes.io/fpga": true,  // the class exists
		"requests.deviceclass.resource.kubernetes.io/tpu":  false, // no such class
		"requests.example.com/gpu":                         true,  // mapped by class gpu
		"requests.example.com/other":                       false, // mapped by no class
		"count/resourceclaims.resource.k8s.io":             true,
		"anything.deviceclass.resource.k8s.io/devices":     true,
		"deviceclass.resource.kubernetes.io/gpu":           false, // inert
		"requests.cpu":                                     false,
	}
	var extra strings.Builder
	i := 0
	for k := range keys {
		fmt.Fprintf(&extra, "\n---\napiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q%d, namespace: match}\nspec: {hard: {%s: \"100\"}}\n", i, k)
		i++
	}
	l := draLedger(t, extra.String())
	for _, class := range []string{"gpu", "fpga", "tpu"} {
		c := claim("c", class, 1)
		c.Namespace = "match"
		res := l.AdmitObject(c)
		require.True(t, res.Admitted, res.Message)
		for _, d := range res.Quotas {
			k := string(keysOf(d.Hard)[0])
			assert.Equal(t, keys[k], d.Matches, "class %s, key %s", class, k)
		}
	}
}

func keysOf(l corev1.ResourceList) []corev1.ResourceName {
	var out []corev1.ResourceName
	for k := range l {
		out = append(out, k)
	}
	return out
}
