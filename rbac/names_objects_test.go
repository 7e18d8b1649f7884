package rbac_test

import (
	"testing"

	"github.com/aigov/aigov/rbac"
)

// NamesObjects is true exactly when a grant for the request (name aside) is
// limited by resourceNames, in the request's namespace or cluster-wide; and
// then, and only then, WhoCan by name can differ from WhoCan without one.
func TestNamesObjects(t *testing.T) {
	g := loadYAML(t, `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: one-deploy, namespace: ml}
rules:
- {apiGroups: [apps], resources: [deployments], resourceNames: [train], verbs: [patch]}
- {apiGroups: [apps], resources: [deployments], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: one-deploy, namespace: ml}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: one-deploy}
subjects: [{kind: User, name: pat, apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: one-cm}
rules:
- {apiGroups: [""], resources: [configmaps], resourceNames: [cfg], verbs: [update]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: one-cm}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: one-cm}
subjects: [{kind: User, name: cy, apiGroup: rbac.authorization.k8s.io}]
`)
	for _, c := range []struct {
		a    rbac.Attributes
		want bool
	}{
		{rbac.Attributes{Verb: "patch", Namespace: "ml", APIGroup: "apps", Resource: "deployments"}, true},
		{rbac.Attributes{Verb: "get", Namespace: "ml", APIGroup: "apps", Resource: "deployments"}, false},
		{rbac.Attributes{Verb: "patch", Namespace: "web", APIGroup: "apps", Resource: "deployments"}, false},
		{rbac.Attributes{Verb: "patch", Namespace: "ml", APIGroup: "apps", Resource: "statefulsets"}, false},
		{rbac.Attributes{Verb: "update", Namespace: "any", Resource: "configmaps"}, true},
		{rbac.Attributes{Verb: "update", Resource: "configmaps"}, true},
		{rbac.Attributes{Verb: "get", Path: "/healthz"}, false},
	} {
		if got := g.NamesObjects(c.a); got != c.want {
			t.Errorf("%+v: NamesObjects %v, want %v", c.a, got, c.want)
		}
		named := c.a
		named.Name = "train"
		if c.a.Path == "" && !c.want && len(g.WhoCan(named)) != len(g.WhoCan(c.a)) {
			t.Errorf("%+v: no named grant, yet WhoCan by name differs", c.a)
		}
	}
}
