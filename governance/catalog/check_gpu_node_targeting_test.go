package catalog

import "testing"

func TestGPUNodeTargeting(t *testing.T) {
	c := mustNew(t, NewGPUNodeTargeting, "")
	gpu := "containers: [{name: a, image: x, resources: {limits: {nvidia.com/gpu: 1}}}]"
	runCases(t, c, []checkCase{
		{name: "toleration", manifest: podManifest("Deployment", "d", "", "{tolerations: [{key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}], "+gpu+"}")},
		{name: "tolerates everything", manifest: podManifest("Pod", "p", "", "{tolerations: [{operator: Exists}], "+gpu+"}")},
		{name: "node selector", manifest: podManifest("Job", "j", "", "{restartPolicy: Never, nodeSelector: {cloud.google.com/gke-accelerator: nvidia-l4}, "+gpu+"}")},
		{name: "required affinity", manifest: podManifest("Pod", "p", "", "{affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: feature.node.kubernetes.io/pci-10de.present, operator: In, values: ['true']}]}]}}}, "+gpu+"}")},
		{name: "no GPU, no toleration", manifest: podManifest("Deployment", "web", "", "{containers: [{name: web, image: nginx}]}")},
		{name: "GPU untargeted", manifest: podManifest("Deployment", "d", "", "{nodeSelector: {kubernetes.io/os: linux}, "+gpu+"}"),
			want: []string{`Deployment/d spec.template.spec.tolerations: pod requests nvidia.com/gpu (spec.template.spec.containers[0].resources.limits[nvidia.com/gpu]) but neither tolerates a GPU taint nor selects GPU nodes`}},
		{name: "affinity that excludes GPU nodes", manifest: podManifest("Pod", "p", "", "{affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: nvidia.com/gpu.present, operator: DoesNotExist}]}]}}}, "+gpu+"}"),
			want: []string{`Pod/p spec.tolerations: pod requests nvidia.com/gpu (spec.containers[0].resources.limits[nvidia.com/gpu]) but neither tolerates a GPU taint nor selects GPU nodes`}},
		{name: "non-GPU pod tolerating GPU taints", manifest: podManifest("DaemonSet", "exporter", "", "{tolerations: [{operator: Exists}, {key: amd.com/gpu, operator: Exists}, {key: nvidia.com/gpu, operator: Exists}], containers: [{name: web, image: x}]}"),
			want: []string{
				`DaemonSet/exporter spec.template.spec.tolerations[1]: pod requests no GPU but tolerates the GPU taint "amd.com/gpu"`,
				`DaemonSet/exporter spec.template.spec.tolerations[2]: pod requests no GPU but tolerates the GPU taint "nvidia.com/gpu"`,
			}},
	})
	runParamCases(t, NewGPUNodeTargeting, noParamCases)
}
