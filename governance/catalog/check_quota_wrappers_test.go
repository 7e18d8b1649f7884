package catalog

import "testing"

func TestQuotaWrappers(t *testing.T) {
	rq := func(key string) string {
		return "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q, namespace: ml}\nspec: {hard: {" + key + ": '4'}}\n"
	}
	gpu := podManifest("Deployment", "train", "", "{containers: [{name: t, image: pytorch, resources: {limits: {nvidia.com/gpu: 2}}}]}")
	runContainsCases(t, mustNew(t, NewQuotaInvalidKey, ""), []containsCase{
		{name: "pass", manifest: rq("requests.nvidia.com/gpu")},
		{name: "fail", manifest: rq("limits.gpu"), want: []string{"ResourceQuota/q spec.hard[limits.gpu]"}},
	})
	runContainsCases(t, mustNew(t, NewQuotaInertKey, ""), []containsCase{
		{name: "pass", manifest: rq("requests.nvidia.com/gpu")},
		{name: "fail", manifest: rq("nvidia.com/gpu"), want: []string{"ResourceQuota/q spec.hard[nvidia.com/gpu]: key nvidia.com/gpu is never enforced"}},
	})
	runContainsCases(t, mustNew(t, NewGPUWithoutQuota, ""), []containsCase{
		{name: "pass", manifest: join(gpu, rq("requests.nvidia.com/gpu"))},
		{name: "fail", manifest: join(gpu, rq("nvidia.com/gpu")), want: []string{"Deployment/train spec.template.spec: namespace ml runs Deployment/train asking for nvidia.com/gpu"}},
	})
	for _, fn := range []func(){
		func() { runParamCases(t, NewQuotaInvalidKey, noParamCases) },
		func() { runParamCases(t, NewQuotaInertKey, noParamCases) },
		func() { runParamCases(t, NewGPUWithoutQuota, noParamCases) },
	} {
		fn()
	}
}
