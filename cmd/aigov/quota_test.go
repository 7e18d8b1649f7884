package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aigov/aigov/internal/golden"
)

const quotaPlatform = "testdata/quota/platform.yaml"

func TestQuotaAdmitExitCodes(t *testing.T) {
	for _, tc := range []struct {
		object, want string
		code         int
	}{
		{"testdata/quota/pod-one-gpu.yaml", "admitted: vision/infer", 0},
		{"testdata/quota/pod-two-gpus.yaml", `pods "big" is forbidden: exceeded quota: gpus, requested: requests.nvidia.com/gpu=2, used: requests.nvidia.com/gpu=3, limited: requests.nvidia.com/gpu=4`, 1},
		// The LimitRange's max alone becomes the default limit (4), below the request.
		{"testdata/quota/pod-too-much-cpu.yaml", `Pod "hog" is invalid: spec.containers[0].resources.requests: Invalid value: "6": must be less than or equal to cpu limit of 4`, 1},
	} {
		t.Run(tc.object, func(t *testing.T) {
			code, out, stderr := aigov(t, "", "quota", "admit", "-f", quotaPlatform, "--object", tc.object)
			require.Equal(t, tc.code, code, stderr)
			assert.Contains(t, out, tc.want)
		})
	}
}

func TestQuotaAdmitJSONShape(t *testing.T) {
	code, out, stderr := aigov(t, "", "quota", "admit", "-f", quotaPlatform, "--object", "testdata/quota/pod-two-gpus.yaml", "-o", "json")
	require.Equal(t, 1, code, stderr)
	var doc struct {
		SchemaVersion int               `json:"schemaVersion"`
		Admitted      bool              `json:"admitted"`
		Stage         string            `json:"stage"`
		Message       string            `json:"message"`
		Usage         map[string]string `json:"usage"`
		Quotas        map[string]struct {
			Matches    bool              `json:"matches"`
			Hard       map[string]string `json:"hard"`
			UsedBefore map[string]string `json:"usedBefore"`
			UsedAfter  map[string]string `json:"usedAfter"`
		} `json:"quotas"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	assert.Equal(t, 1, doc.SchemaVersion)
	assert.False(t, doc.Admitted)
	assert.Equal(t, "ResourceQuota", doc.Stage)
	assert.Equal(t, "2", doc.Usage["requests.nvidia.com/gpu"])
	g := doc.Quotas["gpus"]
	assert.True(t, g.Matches)
	assert.Equal(t, map[string]string{"pods": "3", "requests.cpu": "6", "requests.nvidia.com/gpu": "3"}, g.UsedBefore)
	assert.Nil(t, g.UsedAfter, "usedAfter only when admitted")
}

func TestQuotaFit(t *testing.T) {
	code, out, stderr := aigov(t, "", "quota", "fit", "-f", quotaPlatform, "--object", "testdata/quota/pod-one-gpu.yaml", "-o", "json")
	require.Equal(t, 0, code, stderr)
	assert.JSONEq(t, `{"schemaVersion":1,"fit":1,"bindingKeys":["requests.nvidia.com/gpu"]}`, out)
}

func TestQuotaStatusReportsRefusedQuota(t *testing.T) {
	code, out, stderr := aigov(t, "", "quota", "status", "-f", quotaPlatform, "--now", "2026-01-01T00:00:00Z")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "vision      gpus   requests.nvidia.com/gpu  4     3     1          computed")
	assert.Contains(t, out, `nlp/tutorial: ResourceQuota "tutorial" is invalid`)
	code, _, stderr = aigov(t, "", "quota", "status", "-f", quotaPlatform, "--now", "yesterday")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "--now")
}

// gpuReportJSON is what tests read of `aigov quota gpu -o json`.
type gpuReportJSON struct {
	Teams []struct {
		Team      string `json:"team"`
		Resources []struct {
			Resource, Quota, Used, Free, Requested string
			Uncapped                               []string
			InertKeys                              []gpuQuotaKeyJSON `json:"inertKeys"`
			ScopedCaps                             []gpuQuotaKeyJSON `json:"scopedCaps"`
		} `json:"resources"`
	} `json:"teams"`
	QuotaTotal      map[string]string  `json:"quotaTotal"`
	Capacity        map[string]string  `json:"capacity"`
	CapacityUnknown []string           `json:"capacityUnknown"`
	Overcommit      map[string]float64 `json:"overcommit"`
}

// gpuQuotaKeyJSON is an entry of inertKeys or scopedCaps.
type gpuQuotaKeyJSON struct {
	Namespace, Quota, Key, Hard string
	Enforced                    *bool
	Scopes                      []string
}

func TestQuotaGPU(t *testing.T) {
	code, out, stderr := aigov(t, "", "quota", "gpu", "-f", quotaPlatform, "-o", "json")
	require.Equal(t, 0, code, stderr)
	var doc gpuReportJSON
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	require.Len(t, doc.Teams, 2)
	assert.Equal(t, "cv", doc.Teams[0].Team)
	// vision is capped at 4, but vision-dev's only GPU key is inert.
	assert.Equal(t, "", doc.Teams[0].Resources[0].Quota, "vision-dev's nvidia.com/gpu caps nothing: cv is uncapped")
	assert.Equal(t, []string{"vision-dev"}, doc.Teams[0].Resources[0].Uncapped)
	assert.Equal(t, "nlp", doc.Teams[1].Team)
	assert.Equal(t, "", doc.Teams[1].Resources[0].Quota, "limits.gpu is refused: nlp is uncapped")
	assert.Equal(t, []string{"nlp"}, doc.Teams[1].Resources[0].Uncapped)
	assert.Equal(t, "8", doc.Capacity["nvidia.com/gpu"])
	assert.Empty(t, doc.QuotaTotal, "no team is capped")
	assert.InDelta(t, 0.0, doc.Overcommit["nvidia.com/gpu"], 1e-9)
}

func TestQuotaUsageErrors(t *testing.T) {
	code, _, stderr := aigov(t, "", "quota", "admit", "-f", quotaPlatform)
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "--object")
	code, _, _ = aigov(t, "", "quota", "status", "-f", quotaPlatform, "-o", "yaml")
	assert.Equal(t, 2, code)
}

func TestQuotaGPUKueue(t *testing.T) {
	const kueue = "testdata/quota/kueue.yaml"
	code, out, stderr := aigov(t, "", "quota", "gpu", "-f", kueue)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "research  ml-research/research  research-cq   gpu-pool  a100    nvidia.com/gpu  8        4                2              12")
	assert.Contains(t, out, "prod      ml-prod/serving       prod-cq       gpu-pool  a100    nvidia.com/gpu  16       unlimited        6              18")

	code, out, stderr = aigov(t, "", "quota", "gpu", "-f", kueue, "-o", "json")
	require.Equal(t, 0, code, stderr)
	var doc struct {
		Kueue struct {
			Teams []struct {
				Team   string `json:"team"`
				Queues []struct {
					ClusterQueue, Cohort string
					GPUs                 []struct{ Flavor, Nominal, BorrowingLimit, LendingLimit, Ceiling string } `json:"gpus"`
				} `json:"queues"`
			} `json:"teams"`
		} `json:"kueue"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	require.Len(t, doc.Kueue.Teams, 2)
	r := doc.Kueue.Teams[1]
	assert.Equal(t, "research", r.Team)
	require.Len(t, r.Queues[0].GPUs, 2)
	assert.Equal(t, "gpu-pool", r.Queues[0].Cohort)
	assert.Equal(t, "4", r.Queues[0].GPUs[0].BorrowingLimit)
	assert.Equal(t, "h100", r.Queues[0].GPUs[1].Flavor)

	code, out, _ = aigov(t, "", "quota", "gpu", "-f", quotaPlatform, "-o", "json")
	require.Equal(t, 0, code)
	assert.NotContains(t, out, `"kueue"`, "no Kueue objects, no kueue section")
}

// TestQuotaGPUClaimsGolden: GPUs taken through DRA ResourceClaims, as
// rows named by the per-class device quota key (see the input's
// comments), in text and JSON.
func TestQuotaGPUClaimsGolden(t *testing.T) {
	for _, format := range []string{"text", "json"} {
		code, out, stderr := aigov(t, "", "quota", "gpu", "-f", "testdata/quota/dra-gpu.yaml", "-o", format)
		require.Equal(t, 0, code, stderr)
		golden.Assert(t, filepath.Join("testdata", "quota", "golden", "gpu-dra."+format), out)
	}
}

func TestQuotaGPUClaimsJSON(t *testing.T) {
	code, out, stderr := aigov(t, "", "quota", "gpu", "-f", "testdata/quota/dra-gpu.yaml", "-o", "json")
	require.Equal(t, 0, code, stderr)
	var doc gpuReportJSON
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	const key = "gpu.example.com.deviceclass.resource.k8s.io/devices"
	require.Equal(t, "ml", doc.Teams[1].Team)
	r := doc.Teams[1].Resources[0]
	assert.Equal(t, key, r.Resource)
	assert.Equal(t, []string{"10", "6", "4", "6"}, []string{r.Quota, r.Used, r.Free, r.Requested})
	assert.Equal(t, "6", doc.Capacity[key])
	assert.Contains(t, doc.CapacityUnknown, "gpu.nvidia.com.deviceclass.resource.k8s.io/devices")

	code, out, _ = aigov(t, "", "quota", "gpu", "-f", quotaPlatform, "-o", "json")
	require.Equal(t, 0, code)
	assert.NotContains(t, out, "capacityUnknown", "no device classes, no capacityUnknown")
}

// TestQuotaNegativeQuantities: a pod asking for -2 GPUs in the input is
// refused by the apiserver, so it must not lower the usage: a 5-GPU pod
// still does not fit a 4-GPU quota, fit counts the 4 GPUs, the negative
// pod itself is refused at validation, and check reports it.
func TestQuotaNegativeQuantities(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
		return p
	}
	platform := write("platform.yaml", `apiVersion: v1
kind: ResourceQuota
metadata: {name: gpus, namespace: team}
spec: {hard: {requests.nvidia.com/gpu: "4"}}
---
apiVersion: v1
kind: Pod
metadata: {name: negative, namespace: team}
spec:
  containers: [{name: c, image: registry.example/app:1, resources: {limits: {nvidia.com/gpu: "-2"}}}]
`)
	pod := func(name, gpus string) string {
		return write(name+".yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: "+name+", namespace: team}\nspec:\n  containers: [{name: c, image: registry.example/app:1, resources: {limits: {nvidia.com/gpu: \""+gpus+"\"}}}]\n")
	}
	code, out, stderr := aigov(t, "", "quota", "admit", "-f", platform, "--object", pod("five", "5"))
	require.Equal(t, 1, code, stderr)
	assert.Contains(t, out, `pods "five" is forbidden: exceeded quota: gpus, requested: requests.nvidia.com/gpu=5, used: requests.nvidia.com/gpu=0, limited: requests.nvidia.com/gpu=4`)

	code, out, stderr = aigov(t, "", "quota", "admit", "-f", platform, "--object", pod("again", "-2"), "-o", "json")
	require.Equal(t, 1, code, stderr)
	var doc struct {
		Admitted bool   `json:"admitted"`
		Stage    string `json:"stage"`
		Message  string `json:"message"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	assert.False(t, doc.Admitted)
	assert.Equal(t, "Validation", doc.Stage)
	assert.Equal(t, `Pod "again" is invalid: [spec.containers[0].resources.limits[nvidia.com/gpu]: Invalid value: "-2": must be greater than or equal to 0, spec.containers[0].resources.requests[nvidia.com/gpu]: Invalid value: "-2": must be greater than or equal to 0]`, doc.Message)

	code, out, stderr = aigov(t, "", "quota", "fit", "-f", platform, "--object", pod("one", "1"), "-o", "json")
	require.Equal(t, 0, code, stderr)
	assert.JSONEq(t, `{"schemaVersion":1,"fit":4,"bindingKeys":["requests.nvidia.com/gpu"]}`, out)
	code, out, stderr = aigov(t, "", "quota", "fit", "-f", platform, "--object", pod("again", "-2"), "-o", "json")
	require.Equal(t, 0, code, stderr)
	assert.JSONEq(t, `{"schemaVersion":1,"fit":0,"bindingKeys":[]}`, out)

	_, out, stderr = aigov(t, "", "check", "-f", platform, "-o", "json")
	var rep jsonReport
	require.NoError(t, json.Unmarshal([]byte(out), &rep), stderr)
	var found []string
	for _, f := range rep.Findings {
		if f.Check == "invalid-resource-quantity" {
			found = append(found, f.Path+": "+f.Severity+": "+f.Message)
		}
	}
	// The API default copies the limit into the request: the apiserver
	// reports both.
	assert.Equal(t, []string{
		`spec.containers[0].resources.limits[nvidia.com/gpu]: high: Pod/negative: container c limits[nvidia.com/gpu] is -2; the apiserver refuses the Pod: spec.containers[0].resources.limits[nvidia.com/gpu]: Invalid value: "-2": must be greater than or equal to 0`,
		`spec.containers[0].resources.requests[nvidia.com/gpu]: high: Pod/negative: container c requests[nvidia.com/gpu] is -2; the apiserver refuses the Pod: spec.containers[0].resources.requests[nvidia.com/gpu]: Invalid value: "-2": must be greater than or equal to 0`,
	}, found)
}

// runQuota runs aigov with args and requires the exit code; it returns
// standard output.
func runQuota(t *testing.T, code int, args ...string) string {
	t.Helper()
	got, out, stderr := aigov(t, "", args...)
	require.Equal(t, code, got, stderr)
	return out
}

// TestQuotaInertKeyMultitenant: examples/multitenant's cv-team has
// nvidia.com/gpu: "12" (inert) and requests.nvidia.com/gpu: "4" for
// Terminating pods only. An 8-GPU notebook pod is admitted, and quota
// gpu and quota status say that the 12 caps nothing and the 4 is scoped.
func TestQuotaInertKeyMultitenant(t *testing.T) {
	const mt = "../../examples/multitenant"
	out := runQuota(t, 0, "quota", "admit", "-f", mt, "--object", "testdata/quota/pod-eight-gpus.yaml")
	assert.Contains(t, out, "admitted: cv-team/notebook-8gpu")
	assert.Contains(t, out, "not enforced (stored, caps nothing): cv-compute nvidia.com/gpu:")

	out = runQuota(t, 0, "quota", "gpu", "-f", mt)
	assert.Contains(t, out, "cv        nvidia.com/gpu  4 (scoped)  4     0     10         -\n")
	assert.Contains(t, out, "cv nvidia.com/gpu: cv-team/cv-compute nvidia.com/gpu=12 is not enforced (stored, caps nothing; use requests.nvidia.com/gpu): not counted as quota\n")
	assert.Contains(t, out, "cv nvidia.com/gpu: cv-team/cv-batch-gpu requests.nvidia.com/gpu=4 has scopes Terminating: it caps only the pods in those scopes")

	out = runQuota(t, 0, "quota", "gpu", "-f", mt, "-o", "json")
	var doc gpuReportJSON
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	require.Equal(t, "cv", doc.Teams[0].Team)
	cv := doc.Teams[0].Resources[0]
	require.Len(t, cv.InertKeys, 1)
	k := cv.InertKeys[0]
	assert.Equal(t, []string{"cv-team", "cv-compute", "nvidia.com/gpu", "12"}, []string{k.Namespace, k.Quota, k.Key, k.Hard})
	require.NotNil(t, k.Enforced, "enforced is always present")
	assert.False(t, *k.Enforced)
	require.Len(t, cv.ScopedCaps, 1)
	assert.Equal(t, []string{"Terminating"}, cv.ScopedCaps[0].Scopes)
	assert.Equal(t, "10", doc.QuotaTotal["nvidia.com/gpu"], "cv 4 + nlp 6: the inert 12 is not counted")

	out = runQuota(t, 0, "quota", "status", "-f", mt)
	assert.Contains(t, out, "cv-team    cv-compute        nvidia.com/gpu           12     0       12         computed  no\n")
	assert.Contains(t, out, "cv-team    cv-batch-gpu      requests.nvidia.com/gpu  4      4       0          computed  yes\n")
	assert.Contains(t, out, "not enforced (stored, caps nothing): cv-team/cv-compute nvidia.com/gpu: ")

	out = runQuota(t, 0, "quota", "status", "-f", mt, "-o", "json")
	var st struct {
		Quotas []struct {
			Name        string   `json:"name"`
			NotEnforced []string `json:"notEnforced"`
		} `json:"quotas"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &st))
	inert := map[string][]string{}
	for _, q := range st.Quotas {
		inert[q.Name] = q.NotEnforced
	}
	assert.Equal(t, map[string][]string{"cv-batch-gpu": nil, "cv-compute": {"nvidia.com/gpu"}, "nlp-compute": nil, "platform-compute": nil}, inert)
}

// TestQuotaInertOnlyNamespace: platform.yaml's vision-dev has only the
// inert nvidia.com/gpu: "2"; an 8-GPU pod there is admitted and quota gpu
// shows cv without a quota, vision-dev uncapped and the inert key.
func TestQuotaInertOnlyNamespace(t *testing.T) {
	out := runQuota(t, 0, "quota", "admit", "-f", quotaPlatform, "--object", "testdata/quota/pod-eight-gpus-inert.yaml")
	assert.Contains(t, out, "admitted: vision-dev/greedy")

	out = runQuota(t, 0, "quota", "gpu", "-f", quotaPlatform)
	assert.Contains(t, out, "cv    nvidia.com/gpu  none   3     -     3          vision-dev\n")
	assert.Contains(t, out, "cv nvidia.com/gpu: vision-dev/inert nvidia.com/gpu=2 is not enforced")
	assert.Contains(t, out, "capacity nvidia.com/gpu: 8, quota total none, over-commitment 0.00\n")
}

// TestQuotaAdmitObjects: --object takes any object quota charges; the
// exit code and JSON shape are those of a pod's admission.
func TestQuotaAdmitObjects(t *testing.T) {
	const mt = "../../examples/multitenant"
	for _, tc := range []struct {
		platform, object, want string
		code                   int
	}{
		{mt, "testdata/quota/pvc-small.yaml", "admitted: PersistentVolumeClaim/nlp-team/scratch", 0},
		{mt, "testdata/quota/pvc-too-big.yaml", `rejected (LimitRanger): persistentvolumeclaims "huge" is forbidden: maximum storage usage per PersistentVolumeClaim is 200Gi, but request is 300Gi`, 1},
		{mt, "testdata/quota/service-lb.yaml", `rejected (ResourceQuota): services "demo" is forbidden: exceeded quota: cv-compute, requested: services.loadbalancers=1,services.nodeports=1`, 1},
		{quotaPlatform, "testdata/quota/claim-gpu.yaml", "admitted: ResourceClaim/vision/two-gpus", 0},
	} {
		t.Run(tc.object, func(t *testing.T) {
			out := runQuota(t, tc.code, "quota", "admit", "-f", tc.platform, "--object", tc.object)
			assert.Contains(t, out, tc.want)
		})
	}

	out := runQuota(t, 0, "quota", "admit", "-f", mt, "--object", "testdata/quota/pvc-small.yaml", "-o", "json")
	var doc struct {
		SchemaVersion int               `json:"schemaVersion"`
		Admitted      bool              `json:"admitted"`
		Stage         *string           `json:"stage"`
		Message       *string           `json:"message"`
		Usage         map[string]string `json:"usage"`
		Quotas        map[string]struct {
			Matches    bool              `json:"matches"`
			UsedBefore map[string]string `json:"usedBefore"`
			UsedAfter  map[string]string `json:"usedAfter"`
		} `json:"quotas"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	assert.Equal(t, 1, doc.SchemaVersion)
	assert.True(t, doc.Admitted)
	require.NotNil(t, doc.Stage)
	assert.Equal(t, "", *doc.Stage)
	assert.Equal(t, map[string]string{"count/persistentvolumeclaims": "1", "persistentvolumeclaims": "1", "requests.storage": "10Gi"}, doc.Usage)
	q := doc.Quotas["nlp-compute"]
	assert.True(t, q.Matches)
	assert.Equal(t, "0", q.UsedBefore["requests.storage"])
	assert.Equal(t, "10Gi", q.UsedAfter["requests.storage"])

	out = runQuota(t, 1, "quota", "admit", "-f", mt, "--object", "testdata/quota/service-lb.yaml", "-o", "json")
	assert.Contains(t, out, `"stage": "ResourceQuota"`)
}

// TestQuotaFitPodsOnly: fit has no counterpart of AdmitObject: another
// kind is a usage error naming the kind, and --help says so.
func TestQuotaFitPodsOnly(t *testing.T) {
	code, _, stderr := aigov(t, "", "quota", "fit", "-f", "../../examples/multitenant", "--object", "testdata/quota/pvc-small.yaml")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "PersistentVolumeClaim is not a Pod or workload; this command takes pods and workloads only")
	code, out, _ := aigov(t, "", "quota", "fit", "--help")
	require.Equal(t, 0, code)
	assert.Contains(t, out, "pods and workloads only")
	assert.Contains(t, out, "aigov quota admit --object")
}

// TestQuotaGPUKueueColumn: with Kueue objects in the input, `quota gpu`
// shows in KUEUE the GPUs of the workloads admitted through a LocalQueue
// of the input (here the PyTorchJob's 2 workers, not the unqueued pod).
func TestQuotaGPUKueueColumn(t *testing.T) {
	manifest := `apiVersion: kubeflow.org/v1
kind: PyTorchJob
metadata: {name: ft, namespace: ml, labels: {kueue.x-k8s.io/queue-name: team-q}}
spec:
  pytorchReplicaSpecs:
    Worker:
      replicas: 2
      template:
        spec:
          containers:
          - {name: pytorch, image: pytorch, resources: {limits: {nvidia.com/gpu: 1}}}
---
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: ml}
spec:
  containers:
  - {name: c, image: cuda, resources: {limits: {nvidia.com/gpu: 1}}}
---
apiVersion: kueue.x-k8s.io/v1beta1
kind: LocalQueue
metadata: {name: team-q, namespace: ml}
spec: {clusterQueue: gpu-cq}
---
apiVersion: kueue.x-k8s.io/v1beta1
kind: ClusterQueue
metadata: {name: gpu-cq}
spec:
  resourceGroups:
  - coveredResources: [nvidia.com/gpu]
    flavors:
    - name: a100
      resources:
      - {name: nvidia.com/gpu, nominalQuota: 8}
`
	path := filepath.Join(t.TempDir(), "kueue-jobs.yaml")
	require.NoError(t, os.WriteFile(path, []byte(manifest), 0o600))

	code, out, stderr := aigov(t, "", "quota", "gpu", "-f", path)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "TEAM  RESOURCE        QUOTA  USED  FREE  REQUESTED  KUEUE  UNCAPPED NAMESPACES\n")
	assert.Contains(t, out, "ml    nvidia.com/gpu  none   0     -     3          2      ml\n")
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "kueue (") {
			break
		}
		assert.LessOrEqual(t, len(line), 100, line)
	}

	code, out, stderr = aigov(t, "", "quota", "gpu", "-f", path, "-o", "json")
	require.Equal(t, 0, code, stderr)
	var doc struct {
		Teams []struct {
			Resources []struct{ Resource, Requested, Kueue string } `json:"resources"`
		} `json:"teams"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	require.Len(t, doc.Teams, 1)
	require.Len(t, doc.Teams[0].Resources, 1)
	assert.Equal(t, "3", doc.Teams[0].Resources[0].Requested)
	assert.Equal(t, "2", doc.Teams[0].Resources[0].Kueue)
}
