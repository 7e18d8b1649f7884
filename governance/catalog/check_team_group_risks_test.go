package catalog

import "testing"

func TestTeamGroupRisks(t *testing.T) {
	ns := nsManifest("ml", "{team: ml}")
	bound := func(rules, group string) string {
		return `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: dev, namespace: ml}
rules: ` + rules + `
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: dev, namespace: ml}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: dev}
subjects: [{kind: Group, name: ` + group + `, apiGroup: rbac.authorization.k8s.io}]
`
	}
	c := mustNew(t, NewTeamGroupRisks, "")
	runContainsCases(t, c, []containsCase{
		{name: "pass: developer role", manifest: join(ns, bound(`[{apiGroups: [apps], resources: [deployments], verbs: [get, list, create, update]}]`, "ml-devs"))},
		{name: "pass: not a team namespace", manifest: join(nsManifest("ml", "{}"), bound(`[{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]`, "ml-devs"))},
		{name: "fail: wildcard", manifest: join(ns, bound(`[{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]`, "ml-devs")), want: []string{
			"RoleBinding/dev roleRef: team group ml-devs holds WILDCARD_ADMIN in namespace ml:",
		}},
		{name: "fail: role write", manifest: join(ns, bound(`[{apiGroups: [rbac.authorization.k8s.io], resources: [roles], verbs: [create]}]`, "ml-devs")), want: []string{
			"team group ml-devs holds RBAC_ROLE_WRITE in namespace ml",
		}},
	})
	onlyWildcard := mustNew(t, NewTeamGroupRisks, `{"classes": ["WILDCARD_ADMIN"]}`)
	runContainsCases(t, onlyWildcard, []containsCase{
		{name: "pass: class not listed", manifest: join(ns, bound(`[{apiGroups: [rbac.authorization.k8s.io], resources: [roles], verbs: [create]}]`, "ml-devs"))},
	})
	runParamCases(t, NewTeamGroupRisks, []paramCase{
		{"", ""}, {`{"classes": ["SECRETS_READ"], "teamLabel": "owner"}`, ""},
		{`{"classes": ["NOPE"]}`, "unknown rbac risk class"}, {`{"classes": []}`, "at least one"},
	})
}
