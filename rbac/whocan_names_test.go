package rbac_test

import (
	"maps"
	"reflect"
	"slices"
	"testing"

	"github.com/aigov/aigov/rbac"
)

// TestListedNames: the names listed are those of rules matching the
// request but for its name (a Role of the namespace, a ClusterRole bound
// cluster-wide), not those of rules for other verbs, resources or
// namespaces; and WhoCan gives every name outside them one answer, while
// a listed name gets its own.
func TestListedNames(t *testing.T) {
	g := loadYAML(t, `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: named, namespace: ml}
rules:
- {verbs: [get], apiGroups: [""], resources: [secrets], resourceNames: [hf-token, openai-key]}
- {verbs: [list], apiGroups: [""], resources: [secrets], resourceNames: [other-verb]}
- {verbs: [get], apiGroups: [""], resources: [configmaps], resourceNames: [other-resource]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: named, namespace: ml}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: named}
subjects: [{kind: ServiceAccount, name: reader}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: elsewhere, namespace: web}
rules:
- {verbs: [get], apiGroups: [""], resources: [secrets], resourceNames: [other-namespace]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: elsewhere, namespace: web}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: elsewhere}
subjects: [{kind: ServiceAccount, name: reader}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: cluster-named}
rules:
- {verbs: ["*"], apiGroups: [""], resources: [secrets], resourceNames: [tls-cert]}
- {verbs: [get], apiGroups: [""], resources: [secrets]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: cluster-named}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-named}
subjects: [{kind: User, name: ops}]
`)
	a := rbac.Attributes{Verb: "get", Namespace: "ml", Resource: "secrets"}
	got := slices.Sorted(maps.Keys(g.ListedNames(a)))
	if want := []string{"hf-token", "openai-key", "tls-cert"}; !slices.Equal(got, want) {
		t.Fatalf("ListedNames = %q, want %q", got, want)
	}
	ask := func(name string) []rbac.SubjectAccess {
		b := a
		b.Name = name
		return g.WhoCan(b)
	}
	unlisted := ask("db-password")
	for _, name := range []string{"other-verb", "other-resource", "other-namespace", "x"} {
		if got := ask(name); !reflect.DeepEqual(got, unlisted) {
			t.Errorf("WhoCan for unlisted %s = %+v, want the answer of every unlisted name %+v", name, got, unlisted)
		}
	}
	for _, name := range got {
		if reflect.DeepEqual(ask(name), unlisted) {
			t.Errorf("WhoCan for listed %s is that of an unlisted name: the name should matter", name)
		}
	}
	if names := g.ListedNames(rbac.Attributes{Verb: "get", Path: "/metrics"}); names != nil {
		t.Errorf("ListedNames of a non-resource request = %v, want nil", names)
	}
}
