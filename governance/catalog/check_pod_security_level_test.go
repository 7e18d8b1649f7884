package catalog

import "testing"

func TestPodSecurityLevel(t *testing.T) {
	c := mustNew(t, NewPodSecurityLevel, "")
	restrictedPod := "{securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}, containers: [{name: a, image: x, securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}}]}"
	plainPod := "{containers: [{name: a, image: x}]}"
	privileged := "{containers: [{name: a, image: x, securityContext: {privileged: true}}]}"
	runCases(t, c, []checkCase{
		{name: "baseline namespace, plain pod", manifest: nsManifest("ml", "{pod-security.kubernetes.io/enforce: baseline}") + "---\n" + podManifest("Deployment", "d", "", plainPod)},
		{name: "restricted namespace, restricted pod", manifest: nsManifest("ml", "{pod-security.kubernetes.io/enforce: restricted}") + "---\n" + podManifest("Pod", "p", "", restrictedPod)},
		{name: "restricted namespace, plain pod", manifest: nsManifest("ml", "{pod-security.kubernetes.io/enforce: restricted, pod-security.kubernetes.io/enforce-version: v1.30}") + "---\n" + podManifest("Pod", "p", "", plainPod),
			want: []string{
				`Pod/p spec.containers[*].securityContext.allowPrivilegeEscalation: Pod "p" violates PodSecurity "restricted:v1.30": allowPrivilegeEscalation != false (container "a" must set securityContext.allowPrivilegeEscalation=false)`,
				`Pod/p spec.containers[*].securityContext.capabilities.drop: Pod "p" violates PodSecurity "restricted:v1.30": unrestricted capabilities (container "a" must set securityContext.capabilities.drop=["ALL"])`,
				`Pod/p spec.securityContext.runAsNonRoot: Pod "p" violates PodSecurity "restricted:v1.30": runAsNonRoot != true (pod or container "a" must set securityContext.runAsNonRoot=true)`,
				`Pod/p spec.securityContext.seccompProfile: Pod "p" violates PodSecurity "restricted:v1.30": seccompProfile (pod or container "a" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")`,
			}},
		{name: "no namespace: default level", manifest: podManifest("CronJob", "cj", "", "{hostNetwork: true, containers: [{name: a, image: x}]}"),
			want: []string{`CronJob/cj spec.jobTemplate.spec.template.spec.hostNetwork: CronJob "cj" violates PodSecurity "baseline:latest": host namespaces (hostNetwork=true); namespace "ml" is not in the input: the policy default applies`}},
		{name: "privileged namespace raised to the minimum", manifest: nsManifest("ml", "{pod-security.kubernetes.io/enforce: privileged}") + "---\n" + podManifest("Job", "j", "", privileged),
			want: []string{`Job/j spec.template.spec.containers[*].securityContext.privileged: Job "j" violates PodSecurity "baseline:latest": privileged (container "a" must not set securityContext.privileged=true); namespace "ml" enforces privileged, below the minimum baseline`}},
		{name: "invalid label means restricted", manifest: nsManifest("ml", "{pod-security.kubernetes.io/enforce: strict}") + "---\n" + podManifest("Pod", "p", "", "{securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}, containers: [{name: a, image: x, securityContext: {capabilities: {drop: [ALL]}}}]}"),
			want: []string{`Pod/p spec.containers[*].securityContext.allowPrivilegeEscalation: Pod "p" violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "a" must set securityContext.allowPrivilegeEscalation=false); namespace "ml" has invalid Pod Security labels (metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "strict": must be one of privileged, baseline, restricted), evaluated as the apiserver does`}},
	})

	exact := mustNew(t, NewPodSecurityLevel, `{"level": "restricted", "minimumLevel": "privileged"}`)
	runCases(t, exact, []checkCase{
		{name: "privileged label followed exactly", manifest: nsManifest("ml", "{pod-security.kubernetes.io/enforce: privileged}") + "---\n" + podManifest("Pod", "p", "", privileged)},
		{name: "restricted default", manifest: podManifest("Pod", "p", "", "{securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}, containers: [{name: a, image: x, securityContext: {allowPrivilegeEscalation: false}}]}"),
			want: []string{`Pod/p spec.containers[*].securityContext.capabilities.drop: Pod "p" violates PodSecurity "restricted:latest": unrestricted capabilities (container "a" must set securityContext.capabilities.drop=["ALL"]); namespace "ml" is not in the input: the policy default applies`}},
	})
}

func TestPodSecurityLevelParams(t *testing.T) {
	runParamCases(t, NewPodSecurityLevel, []paramCase{
		{"", ""},
		{`{"level": "restricted"}`, ""},
		{`{"level": "strict"}`, "level: "},
		{`{"minimumLevel": "Baseline"}`, "minimumLevel: "},
		{`{"version": "v1.30"}`, `unknown field "version"`},
	})
}
