package quota_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/quota"
)

// runCheck runs one check over a manifest and returns "Object path: message"
// lines.
func runCheck(t *testing.T, c governance.Check, manifest string) []string {
	t.Helper()
	loader, err := governance.NewLoader()
	require.NoError(t, err)
	inv, err := loader.LoadBytes("test.yaml", []byte(manifest))
	require.NoError(t, err)
	eng, err := governance.NewEngine(governance.Rule{Check: c, Action: governance.ActionDeny})
	require.NoError(t, err)
	var out []string
	for _, f := range eng.Run(inv) {
		out = append(out, f.Object.String()+" "+f.Path+": "+f.Message)
	}
	return out
}

func lintDeploy(resources string) string {
	return "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: train, namespace: ml}\nspec:\n  selector: {matchLabels: {app: t}}\n  template:\n    metadata: {labels: {app: t}}\n    spec:\n      containers:\n      - {name: t, image: pytorch, resources: " + resources + "}\n"
}

func lintPod(resources string) string {
	return "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: ml}\nspec:\n  initContainers:\n  - {name: init, image: busybox, resources: " + resources + "}\n  containers:\n  - {name: c, image: busybox}\n"
}

func lintLimitRange(item string) string {
	return "apiVersion: v1\nkind: LimitRange\nmetadata: {name: lr, namespace: ml}\nspec:\n  limits:\n  - " + item + "\n"
}

func joinDocs(docs ...string) string { return strings.Join(docs, "---\n") }

type lintCase struct {
	name, manifest string
	want           []string
}

func runLintCases(t *testing.T, d governance.Definition, cases []lintCase) {
	t.Helper()
	c, err := d.New(nil)
	require.NoError(t, err)
	for _, tc := range cases {
		t.Run(c.ID+"/"+tc.name, func(t *testing.T) {
			got := runCheck(t, c, tc.manifest)
			if len(tc.want) == 0 {
				assert.Empty(t, got)
				return
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestGPURequestLimitMismatch(t *testing.T) {
	runLintCases(t, quota.GPURequestLimitMismatch(), []lintCase{
		{name: "limit only (request copies from it)", manifest: lintDeploy("{limits: {nvidia.com/gpu: 2}}")},
		{name: "request equals limit", manifest: lintDeploy("{requests: {nvidia.com/gpu: 2}, limits: {nvidia.com/gpu: 2}}")},
		{name: "cpu request below limit is fine", manifest: lintDeploy("{requests: {cpu: 1}, limits: {cpu: 2}}")},
		{name: "no GPU at all", manifest: lintDeploy("{}")},
		{name: "request with a LimitRange default equal to it", manifest: joinDocs(lintDeploy("{requests: {nvidia.com/gpu: 1}}"),
			lintLimitRange("{type: Container, default: {nvidia.com/gpu: 1}}"))},
		{name: "request differs from limit", manifest: lintDeploy("{requests: {nvidia.com/gpu: 1}, limits: {nvidia.com/gpu: 2}}"), want: []string{
			"Deployment/train spec.template.spec.containers[0].resources.requests[nvidia.com/gpu]: Deployment/train: container t: nvidia.com/gpu request 1 differs from its limit: must be equal to nvidia.com/gpu limit of 2; the apiserver rejects the pod",
		}},
		{name: "request without limit", manifest: lintDeploy("{requests: {amd.com/gpu: 1}}"), want: []string{
			"Deployment/train spec.template.spec.containers[0].resources.requests[amd.com/gpu]: Deployment/train: container t requests 1 amd.com/gpu without a limit: Limit must be set for non overcommitable resources; the apiserver rejects the pod",
		}},
		{name: "LimitRange max becomes a default limit unlike the request", manifest: joinDocs(lintDeploy("{requests: {nvidia.com/gpu: 1}}"),
			lintLimitRange("{type: Container, max: {nvidia.com/gpu: 4}}")), want: []string{
			"Deployment/train spec.template.spec.containers[0].resources.requests[nvidia.com/gpu]: Deployment/train: container t: nvidia.com/gpu request 1 differs from the limit 4 the namespace's LimitRange defaults it to: must be equal to nvidia.com/gpu limit of 4; the apiserver rejects the pod",
		}},
		{name: "LimitRange defaultRequest without default", manifest: joinDocs(lintDeploy("{}"),
			lintLimitRange("{type: Container, defaultRequest: {nvidia.com/gpu: 1}}")), want: []string{
			"Deployment/train spec.template.spec.containers[0].resources.requests[nvidia.com/gpu]: Deployment/train: container t gets 1 nvidia.com/gpu from the namespace's LimitRange defaultRequest and no limit: Limit must be set for non overcommitable resources; the apiserver rejects the pod",
		}},
		{name: "MIG profile in an init container of a Pod", manifest: lintPod("{requests: {nvidia.com/mig-1g.10gb: 2}, limits: {nvidia.com/mig-1g.10gb: 1}}"), want: []string{
			"Pod/p spec.initContainers[0].resources.requests[nvidia.com/mig-1g.10gb]: Pod/p: container init: nvidia.com/mig-1g.10gb request 2 differs from its limit: must be equal to nvidia.com/mig-1g.10gb limit of 1; the apiserver rejects the pod",
		}},
	})
}

func TestGPUAboveLimitRangeMax(t *testing.T) {
	maxGPU := lintLimitRange("{type: Container, default: {nvidia.com/gpu: 0}, max: {nvidia.com/gpu: 2}}")
	runLintCases(t, quota.GPUAboveLimitRangeMax(), []lintCase{
		{name: "at the max", manifest: joinDocs(lintDeploy("{limits: {nvidia.com/gpu: 2}}"), maxGPU)},
		{name: "no LimitRange", manifest: lintDeploy("{limits: {nvidia.com/gpu: 8}}")},
		{name: "max of another resource", manifest: joinDocs(lintDeploy("{limits: {amd.com/gpu: 8}}"), maxGPU)},
		{name: "Pod-type max is not a Container max", manifest: joinDocs(lintDeploy("{limits: {nvidia.com/gpu: 8}}"),
			lintLimitRange("{type: Pod, max: {nvidia.com/gpu: 2}}"))},
		{name: "LimitRange in another namespace", manifest: joinDocs(lintDeploy("{limits: {nvidia.com/gpu: 8}}"),
			strings.Replace(maxGPU, "namespace: ml", "namespace: other", 1))},
		{name: "limit above the max", manifest: joinDocs(lintDeploy("{limits: {nvidia.com/gpu: 4}}"), maxGPU), want: []string{
			"Deployment/train spec.template.spec.containers[0].resources.limits[nvidia.com/gpu]: Deployment/train: container t asks for 4 nvidia.com/gpu, above the max of LimitRange lr: maximum nvidia.com/gpu usage per Container is 2, but limit is 4",
		}},
		{name: "request only, above the max, init container", manifest: joinDocs(lintPod("{requests: {nvidia.com/gpu: 3}}"), maxGPU), want: []string{
			"Pod/p spec.initContainers[0].resources.requests[nvidia.com/gpu]: Pod/p: container init asks for 3 nvidia.com/gpu, above the max of LimitRange lr: maximum nvidia.com/gpu usage per Container is 2, but request is 3",
		}},
	})
}

func TestLimitRangeMaxBecomesDefault(t *testing.T) {
	runLintCases(t, quota.LimitRangeMaxBecomesDefault(), []lintCase{
		{name: "max with a lower default", manifest: lintLimitRange("{type: Container, default: {nvidia.com/gpu: 0, cpu: 1}, max: {nvidia.com/gpu: 1, cpu: 4}}")},
		{name: "PVC max has no defaulting", manifest: lintLimitRange("{type: PersistentVolumeClaim, max: {storage: 10Gi}}")},
		{name: "Pod max has no defaulting", manifest: lintLimitRange("{type: Pod, max: {cpu: 8}}")},
		{name: "default only", manifest: lintLimitRange("{type: Container, default: {cpu: 1}}")},
		{name: "GPU max alone", manifest: lintLimitRange("{type: Container, max: {nvidia.com/gpu: 4}}"), want: []string{
			"LimitRange/lr spec.limits[0].max[nvidia.com/gpu]: max nvidia.com/gpu 4 is also the default limit (a max without default is copied into default): a container that does not state nvidia.com/gpu gets limit 4 and request 4",
		}},
		{name: "cpu max with defaultRequest, memory defaulted", manifest: lintLimitRange("{type: Container, defaultRequest: {cpu: 100m}, default: {memory: 1Gi}, max: {cpu: 2, memory: 4Gi}}"), want: []string{
			"LimitRange/lr spec.limits[0].max[cpu]: max cpu 2 is also the default limit (a max without default is copied into default): a container that does not state cpu gets limit 2 and request 100m",
		}},
		{name: "second item, default written equal to max", manifest: "apiVersion: v1\nkind: LimitRange\nmetadata: {name: lr, namespace: ml}\nspec:\n  limits:\n  - {type: PersistentVolumeClaim, max: {storage: 1Gi}}\n  - {type: Container, default: {memory: 2Gi}, max: {memory: 2Gi}}\n", want: []string{
			"LimitRange/lr spec.limits[1].max[memory]: max memory 2Gi is also the default limit (a max without default is copied into default): a container that does not state memory gets limit 2Gi and request 2Gi",
		}},
	})
}

func lintClaim(name, request string) string {
	return "apiVersion: resource.k8s.io/v1\nkind: ResourceClaim\nmetadata: {name: " + name + ", namespace: ml}\nspec: {devices: {requests: [" + request + "]}}\n"
}

func lintQuota(hard string) string {
	return "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q, namespace: ml}\nspec: {hard: " + hard + "}\n"
}

func TestGPUWithoutQuota(t *testing.T) {
	gpuClaim := lintClaim("train", "{name: r, exactly: {deviceClassName: gpu.nvidia.com, count: 2}}")
	gpuClass := "apiVersion: resource.k8s.io/v1\nkind: DeviceClass\nmetadata: {name: gpu.nvidia.com}\nspec: {extendedResourceName: nvidia.com/gpu}\n"
	uncapped := func(claim, path, class string) string {
		return "ResourceClaim/" + claim + " " + path + ": namespace ml has ResourceClaim/" + claim + " asking for devices of GPU DeviceClass " + class +
			", and no ResourceQuota caps " + class + ".deviceclass.resource.k8s.io/devices there"
	}
	runLintCases(t, quota.GPUWithoutQuota(), []lintCase{
		{name: "workload with a GPU quota", manifest: joinDocs(lintDeploy("{limits: {nvidia.com/gpu: 1}}"), lintQuota("{requests.nvidia.com/gpu: 4}"))},
		{name: "workload without one", manifest: lintDeploy("{limits: {nvidia.com/gpu: 1}}"), want: []string{
			"Deployment/train spec.template.spec: namespace ml runs Deployment/train asking for nvidia.com/gpu, and no ResourceQuota caps requests.nvidia.com/gpu there",
		}},
		{name: "claim of a GPU class, no quota", manifest: gpuClaim, want: []string{
			uncapped("train", "spec.devices.requests[0].exactly.deviceClassName", "gpu.nvidia.com"),
		}},
		{name: "claim capped by the per-class device key", manifest: joinDocs(gpuClaim, lintQuota("{gpu.nvidia.com.deviceclass.resource.k8s.io/devices: 4}"))},
		{name: "claim capped by the implicit name of an existing class", manifest: joinDocs(gpuClaim, gpuClass,
			lintQuota("{requests.deviceclass.resource.kubernetes.io/gpu.nvidia.com: 4}"))},
		{name: "claim capped by the class's extendedResourceName", manifest: joinDocs(gpuClaim, gpuClass, lintQuota("{requests.nvidia.com/gpu: 4}"))},
		// Without the class, the claim evaluator tracks neither key: the
		// quota counts pods only.
		{name: "implicit name of a missing class caps nothing", manifest: joinDocs(gpuClaim,
			lintQuota("{requests.deviceclass.resource.kubernetes.io/gpu.nvidia.com: 4}")), want: []string{
			uncapped("train", "spec.devices.requests[0].exactly.deviceClassName", "gpu.nvidia.com"),
		}},
		{name: "a scoped quota never counts claims", manifest: joinDocs(gpuClaim,
			"apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q, namespace: ml}\nspec: {hard: {gpu.nvidia.com.deviceclass.resource.k8s.io/devices: 4}, scopes: [NotTerminating]}\n"), want: []string{
			uncapped("train", "spec.devices.requests[0].exactly.deviceClassName", "gpu.nvidia.com"),
		}},
		{name: "quota of another class", manifest: joinDocs(gpuClaim, lintQuota("{mig.nvidia.com.deviceclass.resource.k8s.io/devices: 4}")), want: []string{
			uncapped("train", "spec.devices.requests[0].exactly.deviceClassName", "gpu.nvidia.com"),
		}},
		{name: "quota in another namespace", manifest: joinDocs(gpuClaim,
			strings.Replace(lintQuota("{gpu.nvidia.com.deviceclass.resource.k8s.io/devices: 4}"), "namespace: ml", "namespace: other", 1)), want: []string{
			uncapped("train", "spec.devices.requests[0].exactly.deviceClassName", "gpu.nvidia.com"),
		}},
		{name: "not a GPU class", manifest: lintClaim("c", "{name: r, exactly: {deviceClassName: fpga.example.com}}")},
		{name: "GPU class by its driver selector", manifest: joinDocs(lintClaim("c", "{name: r, exactly: {deviceClassName: accel}}"),
			"apiVersion: resource.k8s.io/v1\nkind: DeviceClass\nmetadata: {name: accel}\nspec: {selectors: [{cel: {expression: 'device.driver == \"gpu.amd.com\"'}}]}\n"), want: []string{
			uncapped("c", "spec.devices.requests[0].exactly.deviceClassName", "accel"),
		}},
		{name: "one finding per class, naming the first claim by name", manifest: joinDocs(gpuClaim,
			lintClaim("validate", "{name: r, exactly: {deviceClassName: gpu.nvidia.com, allocationMode: All}}")), want: []string{
			uncapped("train", "spec.devices.requests[0].exactly.deviceClassName", "gpu.nvidia.com"),
		}},
		{name: "alternatives: each uncapped class", manifest: joinDocs(lintClaim("alt",
			"{name: r, firstAvailable: [{name: a, deviceClassName: gpu.nvidia.com}, {name: b, deviceClassName: mig.nvidia.com, count: 2}]}"),
			lintQuota("{gpu.nvidia.com.deviceclass.resource.k8s.io/devices: 4}")), want: []string{
			uncapped("alt", "spec.devices.requests[0].firstAvailable[1].deviceClassName", "mig.nvidia.com"),
		}},
	})
}

func lintClaimTemplate(name, class string) string {
	return "apiVersion: resource.k8s.io/v1\nkind: ResourceClaimTemplate\nmetadata: {name: " + name + ", namespace: ml}\nspec: {spec: {devices: {requests: [{name: r, exactly: {deviceClassName: " + class + "}}]}}}\n"
}

// lintDeployClaims is a Deployment named name whose pods take the given
// spec.resourceClaims entries.
func lintDeployClaims(name, claims string) string {
	return "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: " + name + ", namespace: ml}\nspec:\n  selector: {matchLabels: {app: " + name + "}}\n  template:\n    metadata: {labels: {app: " + name + "}}\n    spec:\n      resourceClaims: " + claims +
		"\n      containers: [{name: c, image: pytorch, resources: {claims: [{name: gpu}]}}]\n"
}

// GPUs taken through ResourceClaimTemplates: the claims do not exist in
// manifests, so the workloads naming the templates are reported.
func TestGPUWithoutQuotaTemplates(t *testing.T) {
	gpuTemplate := lintClaimTemplate("one-gpu", "gpu.nvidia.com")
	train := lintDeployClaims("train", "[{name: gpu, resourceClaimTemplateName: one-gpu}]")
	uncapped := func(kind, name, path, class string) string {
		return kind + "/" + name + " " + path + ": namespace ml runs " + kind + "/" + name + " asking for devices of GPU DeviceClass " + class +
			" through ResourceClaimTemplate/one-gpu, and no ResourceQuota caps " + class + ".deviceclass.resource.k8s.io/devices there"
	}
	trainFinding := uncapped("Deployment", "train", "spec.template.spec.resourceClaims[0].resourceClaimTemplateName", "gpu.nvidia.com")
	runLintCases(t, quota.GPUWithoutQuota(), []lintCase{
		{name: "Deployment with a GPU template, no quota", manifest: joinDocs(gpuTemplate, train), want: []string{trainFinding}},
		{name: "capped by the per-class device key", manifest: joinDocs(gpuTemplate, train,
			lintQuota("{gpu.nvidia.com.deviceclass.resource.k8s.io/devices: 4}"))},
		{name: "capped by the class's extendedResourceName", manifest: joinDocs(gpuTemplate, train,
			"apiVersion: resource.k8s.io/v1\nkind: DeviceClass\nmetadata: {name: gpu.nvidia.com}\nspec: {extendedResourceName: nvidia.com/gpu}\n",
			lintQuota("{requests.nvidia.com/gpu: 4}"))},
		{name: "a scoped quota never counts claims", manifest: joinDocs(gpuTemplate, train,
			"apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q, namespace: ml}\nspec: {hard: {gpu.nvidia.com.deviceclass.resource.k8s.io/devices: 4}, scopes: [NotTerminating]}\n"),
			want: []string{trainFinding}},
		{name: "template of a non-GPU class", manifest: joinDocs(lintClaimTemplate("one-gpu", "fpga.example.com"), train)},
		// Its classes are unknown.
		{name: "template missing from the inventory", manifest: train},
		{name: "template in another namespace", manifest: joinDocs(strings.Replace(gpuTemplate, "namespace: ml", "namespace: other", 1), train)},
		{name: "two workloads sharing one template", manifest: joinDocs(gpuTemplate, train,
			"apiVersion: batch/v1\nkind: Job\nmetadata: {name: eval, namespace: ml}\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n"+
				"      resourceClaims: [{name: gpu, resourceClaimTemplateName: one-gpu}]\n      containers: [{name: c, image: x, resources: {claims: [{name: gpu}]}}]\n"),
			want: []string{
				trainFinding,
				uncapped("Job", "eval", "spec.template.spec.resourceClaims[0].resourceClaimTemplateName", "gpu.nvidia.com"),
			}},
		{name: "allocationMode All, first reference of the class", manifest: joinDocs(
			"apiVersion: resource.k8s.io/v1\nkind: ResourceClaimTemplate\nmetadata: {name: one-gpu, namespace: ml}\nspec: {spec: {devices: {requests: [{name: r, exactly: {deviceClassName: gpu.nvidia.com, allocationMode: All}}]}}}\n",
			lintDeployClaims("train", "[{name: cpu, resourceClaimTemplateName: absent}, {name: gpu, resourceClaimTemplateName: one-gpu}, {name: more, resourceClaimTemplateName: one-gpu}]")),
			want: []string{uncapped("Deployment", "train", "spec.template.spec.resourceClaims[1].resourceClaimTemplateName", "gpu.nvidia.com")}},
		{name: "firstAvailable alternatives: each uncapped class", manifest: joinDocs(
			"apiVersion: resource.k8s.io/v1\nkind: ResourceClaimTemplate\nmetadata: {name: one-gpu, namespace: ml}\nspec: {spec: {devices: {requests: [{name: r, firstAvailable: [{name: a, deviceClassName: mig.nvidia.com}, {name: b, deviceClassName: gpu.nvidia.com}, {name: c, deviceClassName: fpga.example.com}]}]}}}\n",
			train, lintQuota("{mig.nvidia.com.deviceclass.resource.k8s.io/devices: 4}")),
			want: []string{trainFinding}},
		{name: "bare Pod, spec path", manifest: joinDocs(gpuTemplate,
			"apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: ml}\nspec:\n  resourceClaims: [{name: gpu, resourceClaimTemplateName: one-gpu}]\n  containers: [{name: c, image: x, resources: {claims: [{name: gpu}]}}]\n"),
			want: []string{uncapped("Pod", "p", "spec.resourceClaims[0].resourceClaimTemplateName", "gpu.nvidia.com")}},
		// The claim object is reported; the pod naming it is not.
		{name: "Pod naming a ResourceClaim object", manifest: joinDocs(lintClaim("shared", "{name: r, exactly: {deviceClassName: gpu.nvidia.com}}"),
			"apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: ml}\nspec:\n  resourceClaims: [{name: gpu, resourceClaimName: shared}]\n  containers: [{name: c, image: x, resources: {claims: [{name: gpu}]}}]\n"),
			want: []string{
				"ResourceClaim/shared spec.devices.requests[0].exactly.deviceClassName: namespace ml has ResourceClaim/shared asking for devices of GPU DeviceClass gpu.nvidia.com, and no ResourceQuota caps gpu.nvidia.com.deviceclass.resource.k8s.io/devices there",
			}},
		// A pod read back from a cluster: the claim made from the template
		// is in the inventory and reported itself.
		{name: "Pod whose claim from the template exists", manifest: joinDocs(gpuTemplate, lintClaim("p-gpu-x7k2q", "{name: r, exactly: {deviceClassName: gpu.nvidia.com}}"),
			"apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: ml}\nspec:\n  resourceClaims: [{name: gpu, resourceClaimTemplateName: one-gpu}]\n  containers: [{name: c, image: x, resources: {claims: [{name: gpu}]}}]\n"+
				"status: {resourceClaimStatuses: [{name: gpu, resourceClaimName: p-gpu-x7k2q}]}\n"),
			want: []string{
				"ResourceClaim/p-gpu-x7k2q spec.devices.requests[0].exactly.deviceClassName: namespace ml has ResourceClaim/p-gpu-x7k2q asking for devices of GPU DeviceClass gpu.nvidia.com, and no ResourceQuota caps gpu.nvidia.com.deviceclass.resource.k8s.io/devices there",
			}},
	})
}
