package quota_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/aigov/aigov/quota"
)

func TestClassifyKey(t *testing.T) {
	for _, tc := range []struct {
		key   string
		class quota.KeyClass
		fix   string
	}{
		{"requests.nvidia.com/gpu", quota.KeyEnforced, ""},
		{"requests.nvidia.com/mig-1g.10gb", quota.KeyEnforced, ""},
		{"requests.amd.com/gpu", quota.KeyEnforced, ""},
		{"requests.deviceclass.resource.kubernetes.io/gpu.example.com", quota.KeyEnforced, ""},
		{"gpu.example.com.deviceclass.resource.k8s.io/devices", quota.KeyEnforced, ""},
		{"fast.storageclass.storage.k8s.io/requests.storage", quota.KeyEnforced, ""},
		{"fast.storageclass.storage.k8s.io/persistentvolumeclaims", quota.KeyEnforced, ""},
		{"count/deployments.apps", quota.KeyEnforced, ""},
		{"cpu", quota.KeyEnforced, ""},
		{"limits.memory", quota.KeyEnforced, ""},
		{"requests.hugepages-2Mi", quota.KeyEnforced, ""},
		{"pods", quota.KeyEnforced, ""},
		{"services.loadbalancers", quota.KeyEnforced, ""},
		{"nvidia.com/gpu", quota.KeyInert, "requests.nvidia.com/gpu"},
		{"limits.nvidia.com/gpu", quota.KeyInert, "requests.nvidia.com/gpu"},
		{"amd.com/gpu", quota.KeyInert, "requests.amd.com/gpu"},
		{"fast.storageclass.storage.k8s.io/limits.storage", quota.KeyInert, ""},
		// DRAExtendedResource: the implicit name is limited as a request
		// only; a DeviceClass's extendedResourceName is an extended name.
		{"deviceclass.resource.kubernetes.io/gpu", quota.KeyInert, "requests.deviceclass.resource.kubernetes.io/gpu"},
		{"limits.deviceclass.resource.kubernetes.io/gpu", quota.KeyInert, "requests.deviceclass.resource.kubernetes.io/gpu"},
		{"requests.deviceclass.resource.kubernetes.io/" + strings.Repeat("g", 64), quota.KeyInvalid, ""},
		{"requests.example.com/dra-gpu", quota.KeyEnforced, ""},
		{"limits.gpu", quota.KeyInvalid, "requests.nvidia.com/gpu"},
		{"gpu", quota.KeyInvalid, "requests.nvidia.com/gpu"},
		{"requests.gpu", quota.KeyInvalid, "requests.nvidia.com/gpu"},
		{"storage", quota.KeyInvalid, ""},
		{"limits.ephemeral", quota.KeyInvalid, ""},
		{"bad key!", quota.KeyInvalid, ""},
	} {
		t.Run(tc.key, func(t *testing.T) {
			class, _, fix := quota.ClassifyKey(corev1.ResourceName(tc.key))
			assert.Equal(t, tc.class, class)
			assert.Equal(t, tc.fix, fix)
		})
	}
}

func TestRefusalMessage(t *testing.T) {
	q := resource.MustParse
	for _, tc := range []struct {
		name string
		spec corev1.ResourceQuotaSpec
		want string
	}{
		{"valid gpu key", corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{"requests.nvidia.com/gpu": q("4")}}, ""},
		{"inert key stored", corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{"nvidia.com/gpu": q("4")}}, ""},
		{"limits.gpu", corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{"limits.gpu": q("4")}},
			`ResourceQuota "rq" is invalid: [spec.hard[limits.gpu]: Invalid value: "limits.gpu": must be a standard resource type or fully qualified, spec.hard[limits.gpu]: Invalid value: "limits.gpu": must be a standard resource for quota]`},
		{"fractional extended", corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{"nvidia.com/gpu": q("500m")}},
			`ResourceQuota "rq" is invalid: spec.hard[nvidia.com/gpu]: Invalid value: "500m": must be an integer`},
		{"negative", corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{"cpu": q("-1")}},
			`ResourceQuota "rq" is invalid: spec.hard[cpu]: Invalid value: "-1": must be greater than or equal to 0`},
		{"best effort with cpu", corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{"cpu": q("1")}, Scopes: []corev1.ResourceQuotaScope{"BestEffort"}},
			`ResourceQuota "rq" is invalid: spec.scopes: Invalid value: ["BestEffort"]: unsupported scope applied to resource`},
		{"gpu under BestEffort is allowed", corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{"requests.nvidia.com/gpu": q("1")}, Scopes: []corev1.ResourceQuotaScope{"BestEffort"}}, ""},
		{"conflicting", corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{"pods": q("1")}, Scopes: []corev1.ResourceQuotaScope{"Terminating", "NotTerminating"}},
			`ResourceQuota "rq" is invalid: spec.scopes: Invalid value: ["Terminating","NotTerminating"]: conflicting scopes`},
		{"In without values", corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{"pods": q("1")}, ScopeSelector: &corev1.ScopeSelector{MatchExpressions: []corev1.ScopedResourceSelectorRequirement{{ScopeName: "PriorityClass", Operator: "In"}}}},
			"ResourceQuota \"rq\" is invalid: spec.scopeSelector.matchExpressions.values: Required value: must be at least one value when `operator` is 'In' or 'NotIn' for scope selector"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rq := &corev1.ResourceQuota{ObjectMeta: metav1.ObjectMeta{Name: "rq"}, Spec: tc.spec}
			assert.Equal(t, tc.want, quota.RefusalMessage(rq))
		})
	}
}
