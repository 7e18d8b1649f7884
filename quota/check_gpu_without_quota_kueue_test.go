package quota_test

import (
	"testing"

	"github.com/aigov/aigov/quota"
)

// kueueQueues are a LocalQueue "team-q" of namespace ml admitting against
// ClusterQueue cq-name, and the ClusterQueue "gpu-cq" with a nominal quota
// of nvidia.com/gpu (and cpu) in flavor a100; "cpu-cq" has cpu only.
func kueueQueues(cqName string) string {
	return joinDocs(
		"apiVersion: kueue.x-k8s.io/v1beta1\nkind: LocalQueue\nmetadata: {name: team-q, namespace: ml}\nspec: {clusterQueue: "+cqName+"}\n",
		"apiVersion: kueue.x-k8s.io/v1beta1\nkind: ClusterQueue\nmetadata: {name: gpu-cq}\nspec:\n  resourceGroups:\n  - coveredResources: [cpu, nvidia.com/gpu]\n    flavors:\n    - name: a100\n      resources:\n      - {name: cpu, nominalQuota: 64}\n      - {name: nvidia.com/gpu, nominalQuota: 8}\n",
		"apiVersion: kueue.x-k8s.io/v1beta1\nkind: ClusterQueue\nmetadata: {name: cpu-cq}\nspec:\n  resourceGroups:\n  - coveredResources: [cpu]\n    flavors:\n    - name: default\n      resources:\n      - {name: cpu, nominalQuota: 64}\n",
	)
}

// kueuePyTorchJob is a PyTorchJob of two GPU workers whose own labels
// (metadata.labels) carry labels.
func kueuePyTorchJob(labels string) string {
	return "apiVersion: kubeflow.org/v1\nkind: PyTorchJob\nmetadata: {name: ft, namespace: ml, labels: " + labels + "}\nspec:\n  pytorchReplicaSpecs:\n    Worker:\n      replicas: 2\n      template:\n        spec:\n          containers:\n          - {name: pytorch, image: pytorch, resources: {limits: {nvidia.com/gpu: 1}}}\n"
}

// kueueRayCluster is a RayCluster with a GPU worker group.
func kueueRayCluster(labels string) string {
	return "apiVersion: ray.io/v1\nkind: RayCluster\nmetadata: {name: rc, namespace: ml, labels: " + labels + "}\nspec:\n  headGroupSpec:\n    template:\n      spec:\n        containers:\n        - {name: ray-head, image: rayproject/ray}\n  workerGroupSpecs:\n  - groupName: gpu\n    replicas: 1\n    template:\n      spec:\n        containers:\n        - {name: ray-worker, image: rayproject/ray, resources: {limits: {nvidia.com/gpu: 1}}}\n"
}

func TestGPUWithoutQuotaKueue(t *testing.T) {
	const pyTorchFinding = "PyTorchJob/ft spec.pytorchReplicaSpecs[Worker].template.spec: namespace ml runs PyTorchJob/ft asking for nvidia.com/gpu, and no ResourceQuota caps requests.nvidia.com/gpu there"
	const rayFinding = "RayCluster/rc spec.workerGroupSpecs[0].template.spec: namespace ml runs RayCluster/rc asking for nvidia.com/gpu, and no ResourceQuota caps requests.nvidia.com/gpu there"
	queued := "{kueue.x-k8s.io/queue-name: team-q}"
	runLintCases(t, quota.GPUWithoutQuota(), []lintCase{
		{name: "PyTorchJob admitted by a ClusterQueue with a GPU quota", manifest: joinDocs(kueuePyTorchJob(queued), kueueQueues("gpu-cq"))},
		{name: "RayCluster admitted by a ClusterQueue with a GPU quota", manifest: joinDocs(kueueRayCluster(queued), kueueQueues("gpu-cq"))},
		{name: "no queue label", manifest: joinDocs(kueuePyTorchJob("{app: ft}"), kueueQueues("gpu-cq")), want: []string{pyTorchFinding}},
		{name: "LocalQueue not in the input", manifest: kueuePyTorchJob(queued), want: []string{
			pyTorchFinding + " (managed by Kueue LocalQueue team-q, not in the input)",
		}},
		{name: "LocalQueue of another namespace", manifest: joinDocs(kueueRayCluster(queued),
			"apiVersion: kueue.x-k8s.io/v1beta1\nkind: LocalQueue\nmetadata: {name: team-q, namespace: other}\nspec: {clusterQueue: gpu-cq}\n",
			"apiVersion: kueue.x-k8s.io/v1beta1\nkind: ClusterQueue\nmetadata: {name: gpu-cq}\nspec:\n  resourceGroups:\n  - coveredResources: [nvidia.com/gpu]\n    flavors:\n    - name: a100\n      resources:\n      - {name: nvidia.com/gpu, nominalQuota: 8}\n"), want: []string{
			rayFinding + " (managed by Kueue LocalQueue team-q, not in the input)",
		}},
		{name: "ClusterQueue not in the input", manifest: joinDocs(kueueRayCluster(queued), kueueQueues("gone-cq")), want: []string{
			rayFinding + " (managed by Kueue LocalQueue team-q, whose ClusterQueue gone-cq is not in the input)",
		}},
		{name: "ClusterQueue without a GPU quota", manifest: joinDocs(kueuePyTorchJob(queued), kueueQueues("cpu-cq")), want: []string{
			pyTorchFinding + " (managed by Kueue LocalQueue team-q, whose ClusterQueue cpu-cq has no quota for nvidia.com/gpu)",
		}},
		// Kueue reads the label from the object's own metadata, never
		// from the pod template.
		{name: "label on the pod template only", manifest: joinDocs(
			"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: train, namespace: ml}\nspec:\n  selector: {matchLabels: {app: t}}\n  template:\n    metadata: {labels: {app: t, kueue.x-k8s.io/queue-name: team-q}}\n    spec:\n      containers:\n      - {name: t, image: pytorch, resources: {limits: {nvidia.com/gpu: 1}}}\n",
			kueueQueues("gpu-cq")), want: []string{
			"Deployment/train spec.template.spec: namespace ml runs Deployment/train asking for nvidia.com/gpu, and no ResourceQuota caps requests.nvidia.com/gpu there",
		}},
		{name: "plain Pod with the label", manifest: joinDocs(
			"apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: ml, labels: {kueue.x-k8s.io/queue-name: team-q}}\nspec:\n  containers:\n  - {name: c, image: cuda, resources: {limits: {nvidia.com/gpu: 1}}}\n",
			kueueQueues("gpu-cq"))},
		// The Kueue-capped job does not hide an uncapped one of the
		// namespace.
		{name: "capped and uncapped workloads", manifest: joinDocs(kueuePyTorchJob(queued), kueueRayCluster("{app: rc}"), kueueQueues("gpu-cq")), want: []string{rayFinding}},
	})
}

func TestGPUWithoutQuotaTemplatesKueue(t *testing.T) {
	job := "apiVersion: kubeflow.org/v1\nkind: PyTorchJob\nmetadata: {name: ft, namespace: ml, labels: {kueue.x-k8s.io/queue-name: team-q}}\nspec:\n  pytorchReplicaSpecs:\n    Worker:\n      replicas: 1\n      template:\n        spec:\n          resourceClaims:\n          - {name: gpu, resourceClaimTemplateName: gpus}\n          containers:\n          - {name: pytorch, image: pytorch}\n"
	finding := "PyTorchJob/ft spec.pytorchReplicaSpecs[Worker].template.spec.resourceClaims[0].resourceClaimTemplateName: namespace ml runs PyTorchJob/ft asking for devices of GPU DeviceClass gpu.nvidia.com through ResourceClaimTemplate/gpus, and no ResourceQuota caps gpu.nvidia.com.deviceclass.resource.k8s.io/devices there"
	runLintCases(t, quota.GPUWithoutQuota(), []lintCase{
		{name: "LocalQueue not in the input", manifest: joinDocs(job, lintClaimTemplate("gpus", "gpu.nvidia.com")), want: []string{
			finding + " (managed by Kueue LocalQueue team-q, not in the input)",
		}},
		// Kueue counts DRA devices under the names of its Configuration's
		// deviceClassMappings, which the input does not hold.
		{name: "LocalQueue in the input", manifest: joinDocs(job, lintClaimTemplate("gpus", "gpu.nvidia.com"), kueueQueues("gpu-cq")), want: []string{finding}},
	})
}
