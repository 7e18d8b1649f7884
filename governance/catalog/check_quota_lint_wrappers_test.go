package catalog

import "testing"

func TestQuotaLintWrappers(t *testing.T) {
	lr := func(item string) string {
		return "apiVersion: v1\nkind: LimitRange\nmetadata: {name: lr, namespace: ml}\nspec: {limits: [" + item + "]}\n"
	}
	gpu := func(resources string) string {
		return podManifest("Deployment", "train", "", "{containers: [{name: t, image: pytorch, resources: "+resources+"}]}")
	}
	runContainsCases(t, mustNew(t, NewGPURequestLimitMismatch, ""), []containsCase{
		{name: "pass: limit only", manifest: gpu("{limits: {nvidia.com/gpu: 2}}")},
		{name: "pass: equal", manifest: gpu("{requests: {nvidia.com/gpu: 2}, limits: {nvidia.com/gpu: 2}}")},
		{name: "fail", manifest: gpu("{requests: {nvidia.com/gpu: 1}, limits: {nvidia.com/gpu: 2}}"),
			want: []string{"Deployment/train spec.template.spec.containers[0].resources.requests[nvidia.com/gpu]: Deployment/train: container t: nvidia.com/gpu request 1 differs from its limit"}},
	})
	runContainsCases(t, mustNew(t, NewGPUAboveLimitRangeMax, ""), []containsCase{
		{name: "pass: at max", manifest: join(gpu("{limits: {nvidia.com/gpu: 1}}"), lr("{type: Container, default: {nvidia.com/gpu: 0}, max: {nvidia.com/gpu: 1}}"))},
		{name: "pass: no LimitRange", manifest: gpu("{limits: {nvidia.com/gpu: 8}}")},
		{name: "fail", manifest: join(gpu("{limits: {nvidia.com/gpu: 2}}"), lr("{type: Container, default: {nvidia.com/gpu: 0}, max: {nvidia.com/gpu: 1}}")),
			want: []string{"Deployment/train spec.template.spec.containers[0].resources.limits[nvidia.com/gpu]: Deployment/train: container t asks for 2 nvidia.com/gpu, above the max of LimitRange lr"}},
	})
	runContainsCases(t, mustNew(t, NewLimitRangeMaxBecomesDefault, ""), []containsCase{
		{name: "pass: default below max", manifest: lr("{type: Container, default: {nvidia.com/gpu: 0}, max: {nvidia.com/gpu: 1}}")},
		{name: "pass: PVC max", manifest: lr("{type: PersistentVolumeClaim, max: {storage: 1Gi}}")},
		{name: "fail", manifest: lr("{type: Container, max: {nvidia.com/gpu: 4}}"),
			want: []string{"LimitRange/lr spec.limits[0].max[nvidia.com/gpu]: max nvidia.com/gpu 4 is also the default limit"}},
	})
	for _, fn := range []func(){
		func() { runParamCases(t, NewGPURequestLimitMismatch, noParamCases) },
		func() { runParamCases(t, NewGPUAboveLimitRangeMax, noParamCases) },
		func() { runParamCases(t, NewLimitRangeMaxBecomesDefault, noParamCases) },
	} {
		fn()
	}
}
