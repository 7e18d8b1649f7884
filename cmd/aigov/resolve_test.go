package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

const multitenant = "../../examples/multitenant"

// A bare resource resolves to its group as kubectl resolves it: the answer
// for "deployments" is the answer for "deployments.apps".
func TestRBACCanIResolvesBareResourceLikeKubectl(t *testing.T) {
	for _, res := range []string{"deployments.apps", "deployments", "deployment", "deploy", "Deployment"} {
		t.Run(res, func(t *testing.T) {
			code, out, stderr := aigov(t, "", "rbac", "can-i", "create", res, "-n", "nlp-team", "--as", "bob", "--as-group", "nlp-engineers", "-f", multitenant)
			assert.Equal(t, 0, code, stderr)
			assert.Equal(t, "yes\n", out)
			assert.Empty(t, stderr)
		})
	}
	// Core resources stay core.
	code, out, stderr := aigov(t, "", "rbac", "can-i", "create", "deployments.extensions", "-n", "nlp-team", "--as", "bob", "--as-group", "nlp-engineers", "-f", multitenant)
	assert.Equal(t, 1, code, stderr)
	assert.Equal(t, "no\n", out)
}

func TestRBACCanIExplainNamesTheGroup(t *testing.T) {
	code, out, stderr := aigov(t, "", "rbac", "can-i", "create", "deploy", "-n", "nlp-team", "--as", "bob", "--as-group", "nlp-engineers", "-f", multitenant, "--explain")
	assert.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "request:  create deployments.apps in namespace \"nlp-team\"\n")
	assert.Contains(t, out, `resource: "deploy" is the short name of deployments.apps: the group that serves it in Kubernetes v1.37.2 (apps/v1), as kubectl resolves it`)

	code, out, stderr = aigov(t, "", "rbac", "can-i", "get", "deployments.apps", "-n", "nlp-team", "--as", "bob", "--as-group", "nlp-engineers", "-f", multitenant, "--explain")
	assert.Equal(t, 0, code, stderr)
	assert.Contains(t, out, `resource: "deployments.apps" is taken as written: resource "deployments" in group "apps"`)
}

func TestRBACWhoCanResolvesBareResource(t *testing.T) {
	var outs []string
	for _, res := range []string{"deployments", "deployments.apps"} {
		code, out, stderr := aigov(t, "", "rbac", "who-can", "get", res, "-n", "nlp-team", "-f", multitenant)
		assert.Equal(t, 0, code, stderr)
		assert.Contains(t, out, "platform-admins")
		assert.Contains(t, out, "nlp-engineers")
		outs = append(outs, out)
	}
	assert.Equal(t, outs[1], outs[0], "who-can deployments differs from who-can deployments.apps")
}

func TestRBACUnknownResourceWarnsAndStaysCore(t *testing.T) {
	code, out, stderr := aigov(t, "", "rbac", "can-i", "get", "deploymnets", "-n", "nlp-team", "--as", "bob", "--as-group", "nlp-engineers", "-f", multitenant, "--explain")
	assert.Equal(t, 1, code)
	assert.True(t, strings.HasPrefix(out, "no\n"), out)
	assert.Contains(t, out, "request:  get deploymnets in namespace \"nlp-team\"\n")
	assert.Contains(t, stderr, `Warning: the server doesn't have a resource type 'deploymnets'`)
	assert.Contains(t, stderr, `did you mean "deployments"?`)

	// who-can warns too.
	_, _, stderr = aigov(t, "", "rbac", "who-can", "get", "secretz", "-n", "nlp-team", "-f", multitenant)
	assert.Contains(t, stderr, `Warning: the server doesn't have a resource type 'secretz'`)
	assert.Contains(t, stderr, `did you mean "secrets"?`)
}

func TestRBACImpersonationTargetsAreCoreWithoutWarning(t *testing.T) {
	for _, res := range []string{"users", "groups", "uids"} {
		code, out, stderr := aigov(t, "", "rbac", "can-i", "impersonate", res, "--as", "root", "--as-group", "system:masters", "-f", multitenant, "--explain")
		assert.Equal(t, 0, code, stderr)
		assert.Empty(t, stderr)
		assert.Contains(t, out, "request:  impersonate "+res+" ")
		assert.Contains(t, out, "exists only for authorization")
	}
}

// Resources of the CustomResourceDefinitions in the inputs resolve too.
func TestRBACResolvesCustomResourcesOfTheInputs(t *testing.T) {
	const input = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: inferenceservices.serving.kserve.io}
spec:
  group: serving.kserve.io
  scope: Namespaced
  names: {plural: inferenceservices, singular: inferenceservice, kind: InferenceService, shortNames: [isvc]}
  versions: [{name: v1beta1, served: true, storage: true}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: isvc-reader, namespace: llm}
rules: [{apiGroups: [serving.kserve.io], resources: [inferenceservices], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: isvc-reader, namespace: llm}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: isvc-reader}
subjects: [{kind: User, name: carol, apiGroup: rbac.authorization.k8s.io}]
`
	for _, res := range []string{"inferenceservices", "isvc", "inferenceservice", "inferenceservices.serving.kserve.io"} {
		code, out, stderr := aigov(t, input, "rbac", "can-i", "get", res, "-n", "llm", "--as", "carol", "-f", "-")
		assert.Equal(t, 0, code, res+": "+stderr)
		assert.Equal(t, "yes\n", out, res)
		assert.Empty(t, stderr, res)
	}
	code, out, _ := aigov(t, input, "rbac", "can-i", "get", "isvc", "-n", "llm", "--as", "carol", "-f", "-", "--explain")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, `resource: "isvc" is the short name of inferenceservices.serving.kserve.io, served by the CustomResourceDefinition inferenceservices.serving.kserve.io in the inputs`)
}
