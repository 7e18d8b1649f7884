package secrets

import "testing"

func TestVolumeUnused(t *testing.T) {
	runObjectCases(t, IDVolumeUnused, []objectCase{
		{"unused", OriginSource, deploymentYAML("      volumes: [{name: cfg, configMap: {name: c}}, {name: creds, secret: {secretName: s}}]\n      containers: [{name: c, image: i, volumeMounts: [{name: cfg, mountPath: /c}]}]\n"), "spec.template.spec.volumes[1]"},
		{"mounted by init", OriginSource, deploymentYAML("      volumes: [{name: creds, secret: {secretName: s}}]\n      initContainers: [{name: x, image: i, volumeMounts: [{name: creds, mountPath: /s}]}]\n      containers: [{name: c, image: i}]\n"), ""},
		{"mounted", OriginSource, deploymentYAML("      volumes: [{name: creds, secret: {secretName: s}}]\n      containers: [{name: c, image: i, volumeMounts: [{name: creds, mountPath: /s}]}]\n"), ""},
	})
}
