package catalog

import "testing"

func TestGPULimitRangeCap(t *testing.T) {
	gpu := podManifest("Deployment", "train", "", "{containers: [{name: t, image: pytorch, resources: {limits: {nvidia.com/gpu: 2}}}]}")
	cpu := podManifest("Deployment", "web", "", "{containers: [{name: w, image: nginx}]}")
	lr := func(item string) string {
		return "apiVersion: v1\nkind: LimitRange\nmetadata: {name: caps, namespace: ml}\nspec: {limits: [" + item + "]}\n"
	}
	c := mustNew(t, NewGPULimitRangeCap, "")
	runContainsCases(t, c, []containsCase{
		{name: "pass: capped", manifest: join(gpu, lr("{type: Container, max: {nvidia.com/gpu: 2}, default: {nvidia.com/gpu: 0}, defaultRequest: {nvidia.com/gpu: 0}}"))},
		{name: "pass: no GPU workloads", manifest: cpu},
		{name: "fail: no LimitRange", manifest: join(nsManifest("ml", "{}"), gpu, cpu), want: []string{
			"Namespace/ml : namespace ml runs Deployment/train asking for nvidia.com/gpu, and no LimitRange caps nvidia.com/gpu per container (limits[type=Container].max)",
		}},
		{name: "fail: Pod-type cap only", manifest: join(gpu, lr("{type: Pod, max: {nvidia.com/gpu: 2}}")), want: []string{
			"Deployment/train : namespace ml runs Deployment/train asking for nvidia.com/gpu",
		}},
	})
	runParamCases(t, NewGPULimitRangeCap, noParamCases)
}
