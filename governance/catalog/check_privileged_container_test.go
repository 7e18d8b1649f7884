package catalog

import (
	"fmt"
	"testing"
)

func TestPrivilegedContainer(t *testing.T) {
	c := mustNew(t, NewPrivilegedContainer, "")
	cases := []checkCase{
		{name: "no securityContext", manifest: podManifest("Pod", "p", "", "{containers: [{name: a, image: x}]}")},
		{name: "privileged false", manifest: podManifest("Pod", "p", "", "{containers: [{name: a, image: x, securityContext: {privileged: false}}]}")},
		{name: "other securityContext fields", manifest: podManifest("Pod", "p", "", "{containers: [{name: a, image: x, securityContext: {runAsNonRoot: true}}]}")},
		{name: "pod container", manifest: podManifest("Pod", "p", "", "{containers: [{name: a, image: x}, {name: b, image: x, securityContext: {privileged: true}}]}"),
			want: []string{`Pod/p spec.containers[1].securityContext.privileged: container "b" sets securityContext.privileged: true`}},
		{name: "init container", manifest: podManifest("Pod", "p", "", "{initContainers: [{name: setup, image: x}, {name: chown, image: x, securityContext: {privileged: true}}], containers: [{name: a, image: x}]}"),
			want: []string{`Pod/p spec.initContainers[1].securityContext.privileged: init container "chown" sets securityContext.privileged: true`}},
		{name: "ephemeral container", manifest: podManifest("Pod", "p", "", "{containers: [{name: a, image: x}], ephemeralContainers: [{name: debug, image: busybox, securityContext: {privileged: true}}]}"),
			want: []string{`Pod/p spec.ephemeralContainers[0].securityContext.privileged: ephemeral container "debug" sets securityContext.privileged: true`}},
		{name: "all three lists", manifest: podManifest("Pod", "p", "", "{initContainers: [{name: i, image: x, securityContext: {privileged: true}}], containers: [{name: a, image: x, securityContext: {privileged: true}}], ephemeralContainers: [{name: e, image: x, securityContext: {privileged: true}}]}"),
			want: []string{
				`Pod/p spec.containers[0].securityContext.privileged: container "a" sets securityContext.privileged: true`,
				`Pod/p spec.initContainers[0].securityContext.privileged: init container "i" sets securityContext.privileged: true`,
				`Pod/p spec.ephemeralContainers[0].securityContext.privileged: ephemeral container "e" sets securityContext.privileged: true`,
			}},
		{name: "ReplicationController without template", manifest: "apiVersion: v1\nkind: ReplicationController\nmetadata: {name: rc}\nspec: {replicas: 0}\n"},
		{name: "not a pod", manifest: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata: {privileged: 'true'}\n"},
		// A KServe model is a container written outside the predictor's
		// containers: the finding names its own field.
		{name: "InferenceService model", manifest: "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata: {name: llm, namespace: ml}\n" +
			"spec: {predictor: {model: {modelFormat: {name: huggingface}, securityContext: {privileged: true}}}}\n",
			want: []string{`InferenceService/llm spec.predictor.model.securityContext.privileged: container "kserve-container" sets securityContext.privileged: true`}},
		{name: "RayCluster worker group", manifest: "apiVersion: ray.io/v1\nkind: RayCluster\nmetadata: {name: rc, namespace: ml}\n" +
			"spec: {headGroupSpec: {template: {spec: {containers: [{name: head, image: x}]}}}, workerGroupSpecs: [{groupName: gpu, template: {spec: {containers: [{name: w, image: x, securityContext: {privileged: true}}]}}}]}\n",
			want: []string{`RayCluster/rc spec.workerGroupSpecs[0].template.spec.containers[0].securityContext.privileged: container "w" sets securityContext.privileged: true`}},
	}
	for _, k := range workloadKinds {
		cases = append(cases, checkCase{name: k, manifest: podManifest(k, "w", "", "{containers: [{name: gpu, image: x, securityContext: {privileged: true}}]}"),
			want: []string{fmt.Sprintf(`%s/w %s.containers[0].securityContext.privileged: container "gpu" sets securityContext.privileged: true`, k, specPaths[k])}})
	}
	runCases(t, c, cases)
}

func TestPrivilegedContainerParams(t *testing.T) {
	runParamCases(t, NewPrivilegedContainer, noParamCases)
}
