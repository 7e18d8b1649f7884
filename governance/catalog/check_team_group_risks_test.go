package catalog

import (
	"testing"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/rbac"
)

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
		// rbac-wildcard-team-grant's cause (TestTeamWildcardOneFinding).
		{name: "pass: wildcard of a team group", manifest: join(ns, bound(`[{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]`, "ml-devs"))},
		{name: "fail: wildcard of a system group", manifest: join(ns, bound(`[{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]`, "system:ml")), want: []string{
			"RoleBinding/dev roleRef: team group system:ml holds WILDCARD_ADMIN in namespace ml:",
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

// TestTeamWildcardOneFinding: a team group bound to a wildcard Role is one
// finding, rbac-wildcard-team-grant's on the binding, in the default
// catalog (and in examples/multitenant, where cv-engineers is such a
// group); team-group-risks reports neither WILDCARD_ADMIN nor the classes
// it implies there.
func TestTeamWildcardOneFinding(t *testing.T) {
	ns := nsManifest("ml", "{team: ml}")
	manifest := join(ns, `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: admin, namespace: ml}
rules: [{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: admin, namespace: ml}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: admin}
subjects: [{kind: Group, name: ml-devs, apiGroup: rbac.authorization.k8s.io}]
`)
	engine := defaultEngine(t)
	var got []string
	for _, f := range engine.Run(loadInventory(t, manifest)) {
		if f.Object.Kind == "RoleBinding" {
			got = append(got, f.Check+" "+f.Path)
		}
	}
	if want := "rbac-wildcard-team-grant subjects[0]"; len(got) != 1 || got[0] != want {
		t.Errorf("findings on the binding = %q, want [%q]", got, want)
	}

	// Every WILDCARD_ADMIN of a team group in the example is a
	// rbac-wildcard-team-grant finding on the same binding.
	inv := loadExample(t, ".")
	findings := engine.Run(inv)
	groups := teamGroups(inv, governance.TeamLabel)
	pass := governance.NewPass(inv)
	n := 0
	for _, r := range rbac.GraphFact.Of(pass).Risks(nil) {
		if r.Class != "WILDCARD_ADMIN" || !groups[r.Subject.Name] || !wildcardTeamGrant(r) {
			continue
		}
		n++
		b := r.Grants[0].Binding
		var checks []string
		for _, f := range findings {
			if f.Object.Kind == b.Kind && f.Object.Namespace == b.Namespace && f.Object.Name == b.Name {
				checks = append(checks, f.Check)
			}
		}
		if len(checks) != 1 || checks[0] != "rbac-wildcard-team-grant" {
			t.Errorf("%s: findings %q, want one rbac-wildcard-team-grant", b, checks)
		}
	}
	if n == 0 {
		t.Error("examples/multitenant has no team group with WILDCARD_ADMIN; the test proves nothing")
	}
}
