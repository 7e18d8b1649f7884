package catalog

import "testing"

func TestInvalidResourceQuantity(t *testing.T) {
	gpu := func(resources string) string {
		return podManifest("Deployment", "train", "", "{containers: [{name: t, image: pytorch, resources: "+resources+"}]}")
	}
	runContainsCases(t, mustNew(t, NewInvalidResourceQuantity, ""), []containsCase{
		{name: "pass", manifest: gpu("{limits: {nvidia.com/gpu: 2}}")},
		{name: "fail: negative GPU limit", manifest: gpu("{limits: {nvidia.com/gpu: -2}}"),
			want: []string{`Deployment/train spec.template.spec.containers[0].resources.limits[nvidia.com/gpu]: Deployment/train: container t limits[nvidia.com/gpu] is -2; the apiserver refuses the Deployment: spec.template.spec.containers[0].resources.limits[nvidia.com/gpu]: Invalid value: "-2": must be greater than or equal to 0`}},
		{name: "fail: negative claim count", manifest: "apiVersion: resource.k8s.io/v1\nkind: ResourceClaim\nmetadata: {name: c, namespace: ml}\nspec:\n  devices:\n    requests: [{name: r, exactly: {deviceClassName: gpu, count: -1}}]\n",
			want: []string{"ResourceClaim/c spec.devices.requests[0].exactly.count: ResourceClaim/c: exactly.count is -1; the apiserver refuses the object"}},
	})
	runParamCases(t, NewInvalidResourceQuantity, noParamCases)
	rules, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rules {
		if r.Check.ID == IDInvalidResourceQuantity {
			return
		}
	}
	t.Errorf("%s is not in the default catalog", IDInvalidResourceQuantity)
}
