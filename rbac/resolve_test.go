package rbac_test

import (
	"strings"
	"testing"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/rbac"
)

// crds are CustomResourceDefinitions whose names collide with built-in
// ones in the ways kubectl's resolution orders.
const crds = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: inferenceservices.serving.kserve.io}
spec:
  group: serving.kserve.io
  scope: Namespaced
  names: {plural: inferenceservices, singular: inferenceservice, kind: InferenceService, shortNames: [isvc]}
  versions: [{name: v1beta1, served: true, storage: true}]
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.b.example.com}
spec:
  group: b.example.com
  scope: Cluster
  names: {plural: widgets, kind: Widget, shortNames: [po, wdg]}
  versions: [{name: v1, served: true, storage: true}]
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.a.example.com}
spec:
  group: a.example.com
  scope: Namespaced
  names: {plural: widgets, kind: Widget}
  versions: [{name: v1, served: true, storage: true}]
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: deploy.c.example.com}
spec:
  group: c.example.com
  scope: Namespaced
  names: {plural: deploy, kind: Deploy}
  versions: [{name: v1, served: true, storage: true}]
`

func crdInventory(t *testing.T) *governance.Inventory {
	t.Helper()
	l, err := governance.NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	inv, err := l.LoadBytes("crds.yaml", []byte(crds))
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

func TestResolveResource(t *testing.T) {
	inv := crdInventory(t)
	cases := []struct {
		name, arg       string
		inv             *governance.Inventory
		resource, group string
		explain         string // a substring of Explanation
		warning         string // a substring of Warning ("" = none)
	}{
		{name: "bare plural", arg: "deployments", resource: "deployments", group: "apps", explain: `"deployments" is deployments.apps: the group that serves it in Kubernetes v1.37.2 (apps/v1)`},
		{name: "short name", arg: "deploy", resource: "deployments", group: "apps", explain: "short name of deployments.apps"},
		{name: "singular", arg: "deployment", resource: "deployments", group: "apps", explain: "singular of deployments.apps"},
		{name: "kind form", arg: "Deployment", resource: "deployments", group: "apps"},
		{name: "core plural", arg: "pods", resource: "pods", explain: "pods (core group)"},
		{name: "core short", arg: "po", resource: "pods"},
		{name: "service short", arg: "svc", resource: "services"},
		{name: "events: core before events.k8s.io", arg: "events", resource: "events", explain: `"events.k8s.io" also serves it`},
		{name: "ev short name: core", arg: "ev", resource: "events"},
		{name: "hpa", arg: "hpa", resource: "horizontalpodautoscalers", group: "autoscaling"},
		{name: "cronjob singular", arg: "cronjob", resource: "cronjobs", group: "batch"},
		{name: "TYPE.GROUP as written", arg: "pods.apps", resource: "pods", group: "apps", explain: "taken as written"},
		{name: "TYPE.GROUP short name not expanded", arg: "deploy.apps", resource: "deploy", group: "apps"},
		{name: "TYPE.GROUP dotted group", arg: "deployments.v1.apps", resource: "deployments", group: "v1.apps"},
		{name: "wildcard", arg: "*", resource: "*"},
		{name: "CRD plural", arg: "inferenceservices", inv: inv, resource: "inferenceservices", group: "serving.kserve.io", explain: "CustomResourceDefinition inferenceservices.serving.kserve.io"},
		{name: "CRD short name", arg: "isvc", inv: inv, resource: "inferenceservices", group: "serving.kserve.io"},
		{name: "CRD singular defaulted from kind", arg: "widget", inv: inv, resource: "widgets", group: "a.example.com"},
		{name: "CRD groups by name", arg: "widgets", inv: inv, resource: "widgets", group: "a.example.com"},
		{name: "CRD short name after built-in", arg: "po", inv: inv, resource: "pods"},
		{name: "CRD short name of its own", arg: "wdg", inv: inv, resource: "widgets", group: "b.example.com"},
		{name: "CRD plural before built-in short name", arg: "deploy", inv: inv, resource: "deploy", group: "c.example.com"},
		{name: "CRD without inputs", arg: "isvc", resource: "isvc", warning: "the server doesn't have a resource type 'isvc'"},
		{name: "unknown: core with suggestion", arg: "deploymnets", resource: "deploymnets", warning: `the server doesn't have a resource type 'deploymnets' (Kubernetes v1.37.2 and the CustomResourceDefinitions given): it is sent as a resource of the core group; did you mean "deployments"?`},
		{name: "unknown keeps its case", arg: "Gizmos", resource: "Gizmos", warning: "'Gizmos'"},
		{name: "signers: not core", arg: "signers", resource: "signers", warning: `did you mean "signers.certificates.k8s.io"?`},
		{name: "users: core by design", arg: "users", resource: "users", explain: "exists only for authorization"},
		{name: "groups: core by design", arg: "groups", resource: "groups"},
		{name: "uids: core by design", arg: "uids", resource: "uids"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := rbac.ResolveResource(c.inv, c.arg)
			if err != nil {
				t.Fatal(err)
			}
			if r.Resource != c.resource || r.APIGroup != c.group {
				t.Errorf("ResolveResource(%q) = %q in group %q, want %q in group %q", c.arg, r.Resource, r.APIGroup, c.resource, c.group)
			}
			if !strings.Contains(r.Explanation, c.explain) {
				t.Errorf("explanation %q lacks %q", r.Explanation, c.explain)
			}
			if c.warning == "" && r.Warning != "" {
				t.Errorf("unexpected warning %q", r.Warning)
			}
			if !strings.Contains(r.Warning, c.warning) {
				t.Errorf("warning %q lacks %q", r.Warning, c.warning)
			}
		})
	}
}

func TestResolveResourceErrors(t *testing.T) {
	for _, arg := range []string{"", "pods/exec"} {
		if _, err := rbac.ResolveResource(nil, arg); err == nil {
			t.Errorf("ResolveResource(%q) has no error", arg)
		}
	}
}
