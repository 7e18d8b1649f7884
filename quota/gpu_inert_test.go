package quota_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/quota"
)

// multitenantLedger is the ledger of examples/multitenant, whose cv-team
// has the inert key nvidia.com/gpu: "12" (cv-compute) and a Terminating
// scoped requests.nvidia.com/gpu: "4" (cv-batch-gpu).
func multitenantLedger(t *testing.T) *quota.Ledger {
	t.Helper()
	loader, err := governance.NewLoader()
	require.NoError(t, err)
	inv, err := loader.Load("../examples/multitenant")
	require.NoError(t, err)
	l, err := quota.NewLedger(inv, quota.Options{Now: time.Unix(0, 0)})
	require.NoError(t, err)
	return l
}

// TestGPUReportInertKeyMultitenant: cv's 8-GPU notebook pod (outside the
// Terminating scope) is admitted, and the GPU report says why: the
// unscoped key is inert, the cap of 4 is scoped.
func TestGPUReportInertKeyMultitenant(t *testing.T) {
	l := multitenantLedger(t)
	pod := &corev1.Pod{}
	pod.Name, pod.Namespace = "notebook-8gpu", "cv-team"
	pod.Spec.Containers = []corev1.Container{{Name: "lab", Image: "nvcr.io/nvidia/pytorch:24.01-py3",
		Resources: corev1.ResourceRequirements{Limits: corev1.ResourceList{
			"nvidia.com/gpu": resource.MustParse("8"), corev1.ResourceCPU: resource.MustParse("2"), corev1.ResourceMemory: resource.MustParse("8Gi")}}}}
	res := l.Admit(pod)
	require.True(t, res.Admitted, res.Message)

	rep := l.GPUs()
	var cv *quota.GPUUsage
	for i, tm := range rep.Teams {
		if tm.Team == "cv" {
			cv = &rep.Teams[i].Resources[0]
		}
	}
	require.NotNil(t, cv)
	assert.Equal(t, "nvidia.com/gpu", cv.Resource)
	assert.Equal(t, []quota.GPUQuotaKey{{Namespace: "cv-team", Quota: "cv-compute", Key: "nvidia.com/gpu", Hard: "12", Enforced: false}}, cv.InertKeys)
	assert.Equal(t, []quota.GPUQuotaKey{{Namespace: "cv-team", Quota: "cv-batch-gpu", Key: "requests.nvidia.com/gpu", Hard: "4", Enforced: true, Scopes: []string{"Terminating"}}}, cv.ScopedCaps)
	assert.Equal(t, "4", cv.Quota, "the scoped cap stays the quota; the inert 12 is never added")
	assert.Equal(t, "10", rep.QuotaTotal["nvidia.com/gpu"], "cv 4 + nlp 6 + platform 0: the inert key is not counted")

	data, err := json.Marshal(quota.NewGPUDocument(rep))
	require.NoError(t, err)
	assert.Contains(t, string(data), `"inertKeys":[{"namespace":"cv-team","quota":"cv-compute","key":"nvidia.com/gpu","hard":"12","enforced":false}]`)
}

// TestGPUReportInertOnlyNamespaceUncapped: a namespace whose only GPU key
// is inert has no GPU quota, even without GPU pods: it is uncapped, the
// team's quota is none, and the key is listed as inert.
func TestGPUReportInertOnlyNamespaceUncapped(t *testing.T) {
	rep := gpuReport(t, `
apiVersion: v1
kind: Namespace
metadata: {name: a, labels: {team: t}}
---
apiVersion: v1
kind: Namespace
metadata: {name: b, labels: {team: t}}
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: real, namespace: a}
spec: {hard: {requests.nvidia.com/gpu: "4"}}
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: fake, namespace: b}
spec: {hard: {limits.nvidia.com/gpu: "2", nvidia.com/gpu: "2"}}
`)
	require.Len(t, rep.Teams, 1)
	r := rep.Teams[0].Resources
	require.Len(t, r, 1)
	assert.Equal(t, "", r[0].Quota, "b is uncapped, so the team is")
	assert.Equal(t, []string{"b"}, r[0].Uncapped)
	assert.Equal(t, []quota.GPUQuotaKey{
		{Namespace: "b", Quota: "fake", Key: "limits.nvidia.com/gpu", Hard: "2"},
		{Namespace: "b", Quota: "fake", Key: "nvidia.com/gpu", Hard: "2"},
	}, r[0].InertKeys)
	assert.Empty(t, r[0].ScopedCaps)
	assert.Empty(t, rep.QuotaTotal)
}

// TestStatusNotEnforced: quota status lists the inert keys of each quota,
// in Go and in JSON; enforced keys are not listed.
func TestStatusNotEnforced(t *testing.T) {
	l := multitenantLedger(t)
	got := map[string][]corev1.ResourceName{}
	for _, s := range l.Status() {
		got[s.Namespace+"/"+s.Name] = s.NotEnforced
	}
	assert.Equal(t, []corev1.ResourceName{"nvidia.com/gpu"}, got["cv-team/cv-compute"])
	assert.Nil(t, got["cv-team/cv-batch-gpu"])
	assert.Nil(t, got["nlp-team/nlp-compute"])

	data, err := json.Marshal(l.StatusDocument())
	require.NoError(t, err)
	var doc struct {
		Quotas []struct {
			Name        string            `json:"name"`
			Hard        map[string]string `json:"hard"`
			NotEnforced []string          `json:"notEnforced"`
		} `json:"quotas"`
	}
	require.NoError(t, json.Unmarshal(data, &doc))
	seen := 0
	for _, q := range doc.Quotas {
		switch q.Name {
		case "cv-compute":
			seen++
			assert.Equal(t, []string{"nvidia.com/gpu"}, q.NotEnforced)
			assert.Equal(t, "12", q.Hard["nvidia.com/gpu"], "hard keeps the inert key")
		case "nlp-compute":
			seen++
			assert.Nil(t, q.NotEnforced)
		}
	}
	assert.Equal(t, 2, seen)
}
