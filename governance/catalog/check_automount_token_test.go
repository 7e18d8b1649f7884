package catalog

import "testing"

func TestAutomountToken(t *testing.T) {
	c := mustNew(t, NewAutomountToken, "")
	runCases(t, c, []checkCase{
		{name: "false passes", manifest: podManifest("Pod", "p", "", "{automountServiceAccountToken: false, containers: [{name: a, image: x}]}")},
		{name: "false in a StatefulSet passes", manifest: podManifest("StatefulSet", "db", "", "{automountServiceAccountToken: false, containers: [{name: a, image: x}]}")},
		{name: "absent pod", manifest: podManifest("Pod", "p", "", "{containers: [{name: a, image: x}]}"),
			want: []string{`Pod/p spec.automountServiceAccountToken: automountServiceAccountToken is not set: the service account token is mounted into the pod`}},
		{name: "true Job", manifest: podManifest("Job", "train", "", "{automountServiceAccountToken: true, containers: [{name: a, image: x}]}"),
			want: []string{`Job/train spec.template.spec.automountServiceAccountToken: automountServiceAccountToken is true: the service account token is mounted into the pod`}},
		{name: "absent CronJob", manifest: podManifest("CronJob", "cj", "", "{containers: [{name: a, image: x}]}"),
			want: []string{`CronJob/cj spec.jobTemplate.spec.template.spec.automountServiceAccountToken: automountServiceAccountToken is not set: the service account token is mounted into the pod`}},
		{name: "service account opt-out is not consulted", manifest: "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: default, namespace: ml}\nautomountServiceAccountToken: false\n---\n" +
			podManifest("Deployment", "d", "", "{containers: [{name: a, image: x}]}"),
			want: []string{`Deployment/d spec.template.spec.automountServiceAccountToken: automountServiceAccountToken is not set: the service account token is mounted into the pod`}},
	})
}

func TestAutomountTokenParams(t *testing.T) { runParamCases(t, NewAutomountToken, noParamCases) }
