package catalog

import (
	"fmt"
	"testing"
)

func TestContainerLimits(t *testing.T) {
	bare := mustNew(t, NewContainerLimits, "")
	limits := func(cpu, mem string) string {
		return podManifest("Pod", "p", "", fmt.Sprintf("{containers: [{name: a, image: x, resources: {limits: {cpu: '%s', memory: '%s'}}}]}", cpu, mem))
	}
	runCases(t, bare, []checkCase{
		{name: "both set", manifest: limits("2", "4Gi")},
		{name: "no resources", manifest: podManifest("Pod", "p", "", "{containers: [{name: a, image: x}]}"),
			want: []string{
				`Pod/p spec.containers[0].resources.limits[cpu]: container "a" has no cpu limit`,
				`Pod/p spec.containers[0].resources.limits[memory]: container "a" has no memory limit`,
			}},
		{name: "requests are not limits", manifest: podManifest("Deployment", "d", "", "{containers: [{name: a, image: x, resources: {requests: {cpu: 1, memory: 1Gi}, limits: {memory: 1Gi}}}]}"),
			want: []string{`Deployment/d spec.template.spec.containers[0].resources.limits[cpu]: container "a" has no cpu limit`}},
		{name: "init container checked, ephemeral exempt", manifest: podManifest("Job", "j", "",
			"{initContainers: [{name: dl, image: x, resources: {limits: {cpu: 1}}}], containers: [{name: a, image: x, resources: {limits: {cpu: 1, memory: 1Gi}}}], ephemeralContainers: [{name: e, image: x}]}"),
			want: []string{`Job/j spec.template.spec.initContainers[0].resources.limits[memory]: init container "dl" has no memory limit`}},
		{name: "CronJob", manifest: podManifest("CronJob", "cj", "", "{containers: [{name: a, image: x, resources: {limits: {memory: 1Gi}}}]}"),
			want: []string{`CronJob/cj spec.jobTemplate.spec.template.spec.containers[0].resources.limits[cpu]: container "a" has no cpu limit`}},
	})

	capped := mustNew(t, NewContainerLimits, `{"cpu": "2", "memory": "4G"}`)
	runCases(t, capped, []checkCase{
		{name: "2000m equals 2", manifest: limits("2000m", "4G")},
		{name: "below", manifest: limits("500m", "3900M")},
		{name: "2001m above 2", manifest: limits("2001m", "1Gi"),
			want: []string{`Pod/p spec.containers[0].resources.limits[cpu]: container "a": cpu limit 2001m is above the maximum of 2`}},
		{name: "4Gi above 4G", manifest: limits("1", "4Gi"),
			want: []string{`Pod/p spec.containers[0].resources.limits[memory]: container "a": memory limit 4Gi is above the maximum of 4G`}},
		{name: "both above in a DaemonSet", manifest: podManifest("DaemonSet", "ds", "", "{containers: [{name: a, image: x, resources: {limits: {cpu: 3, memory: 8Gi}}}]}"),
			want: []string{
				`DaemonSet/ds spec.template.spec.containers[0].resources.limits[cpu]: container "a": cpu limit 3 is above the maximum of 2`,
				`DaemonSet/ds spec.template.spec.containers[0].resources.limits[memory]: container "a": memory limit 8Gi is above the maximum of 4G`,
			}},
		{name: "missing and above", manifest: podManifest("ReplicationController", "rc", "", "{containers: [{name: a, image: x, resources: {limits: {cpu: 4}}}]}"),
			want: []string{
				`ReplicationController/rc spec.template.spec.containers[0].resources.limits[cpu]: container "a": cpu limit 4 is above the maximum of 2`,
				`ReplicationController/rc spec.template.spec.containers[0].resources.limits[memory]: container "a" has no memory limit`,
			}},
	})

	gi := mustNew(t, NewContainerLimits, `{"memory": "4Gi"}`)
	runCases(t, gi, []checkCase{
		{name: "4G below 4Gi", manifest: limits("64", "4G")},
		{name: "4096Mi equals 4Gi", manifest: limits("1", "4096Mi")},
	})
}

func TestContainerLimitsParams(t *testing.T) {
	runParamCases(t, NewContainerLimits, []paramCase{
		{"", ""},
		{`{}`, ""},
		{`{"cpu": "2"}`, ""},
		{`{"cpu": 2, "memory": "64Gi"}`, ""},
		{`{"cpu": "2 cores"}`, "invalid params"},
		{`{"memory": "lots"}`, "invalid params"},
		{`{"cpu": "-1"}`, "cpu: -1 is negative"},
		{`{"gpu": "1"}`, `unknown field "gpu"`},
		{`{"CPU": "1"}`, `unknown field "CPU"`},
	})
}
