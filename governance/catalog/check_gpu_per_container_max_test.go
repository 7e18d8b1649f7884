package catalog

import (
	"testing"
)

func TestGPUPerContainerMax(t *testing.T) {
	c := mustNew(t, NewGPUPerContainerMax, `{"max": 2}`)
	runCases(t, c, []checkCase{
		{name: "no gpu", manifest: podManifest("Pod", "p", "", "{containers: [{name: a, image: x}]}")},
		{name: "at max", manifest: podManifest("Pod", "p", "", "{containers: [{name: a, image: x, resources: {limits: {nvidia.com/gpu: 2}}}]}")},
		{name: "other resource ignored", manifest: podManifest("Pod", "p", "", "{containers: [{name: a, image: x, resources: {limits: {amd.com/gpu: 8}}}]}")},
		// Pods get requests copied from limits when loaded (as the apiserver
		// defaults them); the container still yields one finding.
		{name: "pod limit above", manifest: podManifest("Pod", "p", "", "{containers: [{name: a, image: x, resources: {limits: {nvidia.com/gpu: 4}}}]}"),
			want: []string{`Pod/p spec.containers[0].resources.limits[nvidia.com/gpu]: container "a": nvidia.com/gpu limit 4 is above the maximum of 2`}},
		{name: "template limit above", manifest: podManifest("Deployment", "llm", "", "{containers: [{name: vllm, image: x, resources: {limits: {nvidia.com/gpu: 8}}}]}"),
			want: []string{`Deployment/llm spec.template.spec.containers[0].resources.limits[nvidia.com/gpu]: container "vllm": nvidia.com/gpu limit 8 is above the maximum of 2`}},
		{name: "request above, no limit", manifest: podManifest("Job", "train", "", "{containers: [{name: t, image: x, resources: {requests: {nvidia.com/gpu: 3}}}]}"),
			want: []string{`Job/train spec.template.spec.containers[0].resources.requests[nvidia.com/gpu]: container "t": nvidia.com/gpu request 3 is above the maximum of 2`}},
		{name: "init container, ephemeral exempt", manifest: podManifest("CronJob", "cj", "",
			"{initContainers: [{name: warm, image: x, resources: {limits: {nvidia.com/gpu: 3}}}], containers: [{name: a, image: x, resources: {limits: {nvidia.com/gpu: 1}}}], ephemeralContainers: [{name: e, image: x}]}"),
			want: []string{`CronJob/cj spec.jobTemplate.spec.template.spec.initContainers[0].resources.limits[nvidia.com/gpu]: init container "warm": nvidia.com/gpu limit 3 is above the maximum of 2`}},
	})

	amd := mustNew(t, NewGPUPerContainerMax, `{"resource": "amd.com/gpu", "max": "0"}`)
	runCases(t, amd, []checkCase{
		{name: "absent is 0", manifest: podManifest("StatefulSet", "s", "", "{containers: [{name: a, image: x}]}")},
		{name: "nvidia not counted", manifest: podManifest("StatefulSet", "s", "", "{containers: [{name: a, image: x, resources: {limits: {nvidia.com/gpu: 1}}}]}")},
		{name: "any amd above 0", manifest: podManifest("ReplicaSet", "rs", "", "{containers: [{name: a, image: x, resources: {limits: {amd.com/gpu: 1}}}]}"),
			want: []string{`ReplicaSet/rs spec.template.spec.containers[0].resources.limits[amd.com/gpu]: container "a": amd.com/gpu limit 1 is above the maximum of 0`}},
	})
}

func TestGPUPerContainerMaxParams(t *testing.T) {
	p, err := ParseGPUPerContainerMaxParams([]byte(`{"max": "4"}`))
	if err != nil {
		t.Fatal(err)
	}
	if p.Resource != DefaultGPUResource || p.Max.String() != "4" {
		t.Errorf("parsed %+v", p)
	}
	runParamCases(t, NewGPUPerContainerMax, []paramCase{
		{`{"max": 1}`, ""},
		{`{"max": "1", "resource": "amd.com/gpu"}`, ""},
		{"", "max is required"},
		{`{"resource": "nvidia.com/gpu"}`, "max is required"},
		{`{"max": "one"}`, "invalid params"},
		{`{"max": "-1"}`, "max: -1 is negative"},
		{`{"max": 1, "resource": "not a name!"}`, `resource "not a name!"`},
		{`{"max": 1, "min": 0}`, `unknown field "min"`},
	})
}
