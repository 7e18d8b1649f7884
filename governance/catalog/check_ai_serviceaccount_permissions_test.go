package catalog

import "testing"

func TestAIServiceAccountPermissions(t *testing.T) {
	llm := deployIn("ml", "llm", "", `{serviceAccountName: llm, containers: [{name: v, image: vllm/vllm-openai:v1, env: [{name: HF_TOKEN, valueFrom: {secretKeyRef: {name: hf, key: token}}}]}]}`)
	secret := func(name string) string {
		return "apiVersion: v1\nkind: Secret\nmetadata: {name: " + name + ", namespace: ml}\n"
	}
	role := func(rules string) string {
		return `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: llm, namespace: ml}
rules: ` + rules + `
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: llm, namespace: ml}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: llm}
subjects: [{kind: ServiceAccount, name: llm, namespace: ml}]
`
	}
	groupBinding := `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: exec}
rules: [{apiGroups: [""], resources: [pods/exec], verbs: [create]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: all-sas-exec}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: exec}
subjects: [{kind: Group, name: "system:serviceaccounts:ml", apiGroup: rbac.authorization.k8s.io}]
`
	namedSecretForGroup := `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: read-a}
rules: [{apiGroups: [""], resources: [secrets], resourceNames: [a], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ml-sas-read-a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: read-a}
subjects: [{kind: Group, name: "system:serviceaccounts:ml", apiGroup: rbac.authorization.k8s.io}]
`
	c := mustNew(t, NewAIServiceAccountPermissions, "")
	runContainsCases(t, c, []containsCase{
		{name: "pass: reads only its own secret", manifest: join(llm, secret("hf"), secret("other"),
			role(`[{apiGroups: [""], resources: [secrets], resourceNames: [hf], verbs: [get]}, {apiGroups: [""], resources: [configmaps], verbs: [get, list]}]`))},
		{name: "pass: no bindings", manifest: join(llm, secret("hf"))},
		{name: "fail: lists secrets", manifest: join(llm, secret("hf"), role(`[{apiGroups: [""], resources: [secrets], verbs: [list]}]`)), want: []string{
			`Deployment/llm spec.template.spec.serviceAccountName: inference-server Deployment "llm" runs as ServiceAccount ml/llm, which can read every Secret (list secrets in namespace "ml"): RoleBinding/ml/llm of Role/ml/llm to ServiceAccount/ml/llm`,
		}},
		{name: "fail: named secret it does not mount", manifest: join(llm, secret("hf"), secret("db"),
			role(`[{apiGroups: [""], resources: [secrets], resourceNames: [hf, db], verbs: [get]}]`)), want: []string{
			`which can read Secret ml/db, which its pods do not mount`,
		}},
		// The Secrets no rule names share one answer per namespace; a
		// named one has its own, whichever binding names it.
		{name: "fail: named secrets among unnamed ones", manifest: join(llm, secret("hf"), secret("a"), secret("b"), secret("db"),
			role(`[{apiGroups: [""], resources: [secrets], resourceNames: [db], verbs: [get]}]`), namedSecretForGroup), want: []string{
			`which can read Secret ml/a, which its pods do not mount: ClusterRoleBinding/ml-sas-read-a of ClusterRole/read-a to Group/system:serviceaccounts:ml`,
			`which can read Secret ml/db, which its pods do not mount: RoleBinding/ml/llm of Role/ml/llm to ServiceAccount/ml/llm`,
		}},
		{name: "fail: every secret it does not mount", manifest: join(llm, secret("hf"), secret("a"), secret("b"), secret("db"),
			role(`[{apiGroups: [""], resources: [secrets], verbs: [get]}]`), namedSecretForGroup), want: []string{
			`which can read Secret ml/a, which its pods do not mount: ClusterRoleBinding/ml-sas-read-a of ClusterRole/read-a to Group/system:serviceaccounts:ml`,
			`which can read Secret ml/b, which its pods do not mount: RoleBinding/ml/llm`,
			`which can read Secret ml/db, which its pods do not mount: RoleBinding/ml/llm`,
			`which can read every Secret (get secrets in namespace "ml"): RoleBinding/ml/llm`,
		}},
		{name: "fail: exec through a group", manifest: join(llm, groupBinding), want: []string{
			`which can exec into pods (create pods/exec in namespace "ml"): ClusterRoleBinding/all-sas-exec of ClusterRole/exec to Group/system:serviceaccounts:ml`,
		}},
		{name: "fail: creates workloads", manifest: join(llm, role(`[{apiGroups: [batch], resources: [jobs], verbs: [create]}]`)), want: []string{
			`which can create workloads (create jobs.batch in namespace "ml")`,
		}},
	})
	runParamCases(t, NewAIServiceAccountPermissions, []paramCase{{"", ""}, {`{"classes": ["notebook"]}`, ""}, {`{"classes": ["nope"]}`, "unknown AI class"}})
}
