package secrets

import "testing"

func TestEnvReference(t *testing.T) {
	runObjectCases(t, IDEnvReference, []objectCase{
		{"secretKeyRef and envFrom", OriginSource, deploymentYAML("      initContainers: [{name: i, image: i, envFrom: [{configMapRef: {name: c}}, {secretRef: {name: s}}]}]\n      containers: [{name: c, image: i, env: [{name: A, value: x}, {name: K, valueFrom: {secretKeyRef: {name: s, key: k}}}]}]\n"),
			"spec.template.spec.containers[0].env[1].valueFrom.secretKeyRef,spec.template.spec.initContainers[0].envFrom[1].secretRef"},
		{"configmap only", OriginSource, deploymentYAML("      containers: [{name: c, image: i, env: [{name: K, valueFrom: {configMapKeyRef: {name: c, key: k}}}]}]\n"), ""},
	})
}
