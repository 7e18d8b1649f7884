package catalog

import "testing"

func TestHostNamespaces(t *testing.T) {
	c := mustNew(t, NewHostNamespaces, "")
	runCases(t, c, []checkCase{
		{name: "none", manifest: podManifest("Pod", "p", "", "{containers: [{name: a, image: x}]}")},
		{name: "all false", manifest: podManifest("Pod", "p", "", "{hostNetwork: false, hostPID: false, hostIPC: false, containers: [{name: a, image: x}]}")},
		{name: "hostNetwork pod", manifest: podManifest("Pod", "p", "", "{hostNetwork: true, containers: [{name: a, image: x}]}"),
			want: []string{`Pod/p spec.hostNetwork: the pod shares the node's network namespace (hostNetwork: true)`}},
		{name: "hostPID DaemonSet", manifest: podManifest("DaemonSet", "agent", "", "{hostPID: true, containers: [{name: a, image: x}]}"),
			want: []string{`DaemonSet/agent spec.template.spec.hostPID: the pod shares the node's process ID namespace (hostPID: true)`}},
		{name: "all three CronJob", manifest: podManifest("CronJob", "cj", "", "{hostNetwork: true, hostPID: true, hostIPC: true, containers: [{name: a, image: x}]}"),
			want: []string{
				`CronJob/cj spec.jobTemplate.spec.template.spec.hostIPC: the pod shares the node's IPC namespace (hostIPC: true)`,
				`CronJob/cj spec.jobTemplate.spec.template.spec.hostNetwork: the pod shares the node's network namespace (hostNetwork: true)`,
				`CronJob/cj spec.jobTemplate.spec.template.spec.hostPID: the pod shares the node's process ID namespace (hostPID: true)`,
			}},
		{name: "hostIPC ReplicationController", manifest: podManifest("ReplicationController", "rc", "", "{hostIPC: true, containers: [{name: a, image: x}]}"),
			want: []string{`ReplicationController/rc spec.template.spec.hostIPC: the pod shares the node's IPC namespace (hostIPC: true)`}},
	})
}

func TestHostNamespacesParams(t *testing.T) { runParamCases(t, NewHostNamespaces, noParamCases) }
