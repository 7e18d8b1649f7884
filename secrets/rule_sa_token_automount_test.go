package secrets

import "testing"

func TestSATokenAutomount(t *testing.T) {
	sa := func(name, automount string) string {
		s := "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: " + name + ", namespace: ml}\n"
		if automount != "" {
			s += "automountServiceAccountToken: " + automount + "\n"
		}
		return s + "---\n"
	}
	pod := func(extra string) string {
		return deploymentYAML(extra + "      containers: [{name: c, image: i}]\n")
	}
	path := "spec.template.spec.automountServiceAccountToken"
	runObjectCases(t, IDSATokenAutomount, []objectCase{
		{"pod true overrides sa false", OriginSource, sa("app", "false") + pod("      serviceAccountName: app\n      automountServiceAccountToken: true\n"), path},
		{"pod false", OriginSource, pod("      automountServiceAccountToken: false\n"), ""},
		{"sa false", OriginSource, sa("app", "false") + pod("      serviceAccountName: app\n"), ""},
		{"default sa false", OriginSource, sa("default", "false") + pod(""), ""},
		{"sa true", OriginSource, sa("app", "true") + pod("      serviceAccountName: app\n"), path},
		{"sa unset", OriginSource, sa("app", "") + pod("      serviceAccountName: app\n"), path},
		{"sa unknown", OriginSource, pod("      serviceAccountName: app\n"), path},
		{"bare pod", OriginCluster, "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: ml}\nspec: {containers: [{name: c, image: i}]}\n", "spec.automountServiceAccountToken"},
		{"cronjob", OriginSource, "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c, namespace: ml}\nspec:\n  schedule: '@daily'\n  jobTemplate: {spec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: i}]}}}}\n", "spec.jobTemplate.spec.template.spec.automountServiceAccountToken"},
	})
}
