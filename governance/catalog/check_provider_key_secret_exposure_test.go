package catalog

import "testing"

func TestProviderKeySecretExposure(t *testing.T) {
	nsA := nsManifest("a-ns", "{team: a}")
	nsB := nsManifest("b-ns", "{team: b}")
	key := "apiVersion: v1\nkind: Secret\nmetadata: {name: openai-api-key, namespace: a-ns}\n"
	plain := "apiVersion: v1\nkind: Secret\nmetadata: {name: db-password, namespace: a-ns}\n"
	readers := func(ns, group string) string {
		return `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: read, namespace: a-ns}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: read, namespace: a-ns}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: read}
subjects: [{kind: Group, name: ` + group + `, apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: home, namespace: ` + ns + `}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{kind: Group, name: ` + group + `, apiGroup: rbac.authorization.k8s.io}]
`
	}
	c := mustNew(t, NewProviderKeySecretExposure, "")
	runContainsCases(t, c, []containsCase{
		{name: "pass: readable by the owning team", manifest: join(nsA, nsB, key, readers("a-ns", "a-devs"))},
		{name: "pass: not a provider key", manifest: join(nsA, nsB, plain, readers("b-ns", "b-devs"))},
		{name: "fail: readable by another team", manifest: join(nsA, nsB, key, readers("b-ns", "b-devs")), want: []string{
			`Secret/openai-api-key : openai provider key Secret a-ns/openai-api-key (owned by team a) is readable by Group/b-devs, outside the owning team (read): RoleBinding/a-ns/read of Role/a-ns/read to Group/b-devs`,
		}},
		{name: "fail: provider from the env variable", manifest: join(nsA, nsB, plain, readers("b-ns", "b-devs"),
			deployIn("a-ns", "gw", "", "{containers: [{name: g, image: litellm, env: [{name: ANTHROPIC_API_KEY, valueFrom: {secretKeyRef: {name: db-password, key: k}}}]}]}")), want: []string{
			`anthropic provider key Secret a-ns/db-password (owned by team a) is readable by Group/b-devs`,
		}},
	})
	allowed := mustNew(t, NewProviderKeySecretExposure, `{"allowedSubjects": ["Group/b-devs"]}`)
	runContainsCases(t, allowed, []containsCase{{name: "pass: allowed subject", manifest: join(nsA, nsB, key, readers("b-ns", "b-devs"))}})
	runParamCases(t, NewProviderKeySecretExposure, []paramCase{
		{"", ""}, {`{"allowedSubjects": ["ServiceAccount/ns/sa", "User/u"]}`, ""},
		{`{"allowedSubjects": ["ServiceAccount/sa"]}`, "is not Group/NAME"},
	})
}
