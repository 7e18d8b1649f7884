package catalog

import "testing"

func TestRequiredProbes(t *testing.T) {
	c := mustNew(t, NewRequiredProbes, `{"probes": ["readinessProbe", "livenessProbe"]}`)
	probe := "{httpGet: {path: /healthz, port: 8080}}"
	both := "{name: a, image: x, readinessProbe: " + probe + ", livenessProbe: " + probe + "}"
	runCases(t, c, []checkCase{
		{name: "both", manifest: podManifest("Pod", "p", "", "{containers: ["+both+"]}")},
		{name: "init and ephemeral exempt", manifest: podManifest("Pod", "p", "",
			"{initContainers: [{name: i, image: x}, {name: sidecar, image: x, restartPolicy: Always}], containers: ["+both+"], ephemeralContainers: [{name: e, image: x}]}")},
		{name: "none", manifest: podManifest("Deployment", "llm", "", "{containers: [{name: vllm, image: x}]}"),
			want: []string{
				`Deployment/llm spec.template.spec.containers[0].livenessProbe: container "vllm" has no livenessProbe`,
				`Deployment/llm spec.template.spec.containers[0].readinessProbe: container "vllm" has no readinessProbe`,
			}},
		{name: "second container lacks readiness", manifest: podManifest("StatefulSet", "vdb", "",
			"{containers: ["+both+", {name: b, image: x, livenessProbe: "+probe+", startupProbe: "+probe+"}]}"),
			want: []string{`StatefulSet/vdb spec.template.spec.containers[1].readinessProbe: container "b" has no readinessProbe`}},
		{name: "CronJob", manifest: podManifest("CronJob", "cj", "", "{containers: [{name: a, image: x, readinessProbe: "+probe+"}]}"),
			want: []string{`CronJob/cj spec.jobTemplate.spec.template.spec.containers[0].livenessProbe: container "a" has no livenessProbe`}},
	})

	startup := mustNew(t, NewRequiredProbes, `{"probes": ["startupProbe"]}`)
	runCases(t, startup, []checkCase{
		{name: "startup missing", manifest: podManifest("Pod", "p", "", "{containers: ["+both+"]}"),
			want: []string{`Pod/p spec.containers[0].startupProbe: container "a" has no startupProbe`}},
	})
}

func TestRequiredProbesParams(t *testing.T) {
	runParamCases(t, NewRequiredProbes, []paramCase{
		{`{"probes": ["livenessProbe"]}`, ""},
		{`{"probes": ["livenessProbe", "readinessProbe", "startupProbe", "livenessProbe"]}`, ""},
		{"", "probes is required"},
		{`{"probes": []}`, "probes is required"},
		{`{"probes": ["liveness"]}`, `probes[0]: unknown probe "liveness"`},
		{`{"probes": ["livenessProbe"], "containers": "all"}`, `unknown field "containers"`},
	})
}
