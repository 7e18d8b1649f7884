package celtest

import (
	"context"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	"github.com/aigov/aigov/cel"
	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/catalog"
	"github.com/aigov/aigov/governance/govtest"
	"github.com/aigov/aigov/governance/policyset"
)

// PolicyRules returns the rules of a GovernancePolicy file, with the
// catalog's definitions and custom-cel for the policy's kubernetesVersion,
// exactly as `aigov check --policy` builds them (policyset.Rules).
func PolicyRules(t govtest.T, policyFile string) []governance.Rule {
	t.Helper()
	require.NotEmpty(t, policyFile, "celtest.PolicyRules: no policy file")
	rules, err := policyset.Rules(policyFile)
	require.NoError(t, err)
	return rules
}

// Admission generates the ValidatingAdmissionPolicies and bindings of a
// GovernancePolicy file (the catalog's checks and custom-cel) for its
// kubernetesVersion and returns the in-process admission that evaluates
// them with the apiserver's code.
func Admission(t govtest.T, policyFile string) *cel.Admission {
	t.Helper()
	policy, err := governance.LoadPolicyFile(policyFile)
	require.NoError(t, err)
	gs, err := cel.GeneratePolicy(policy, catalog.Definitions(), "")
	require.NoError(t, err, "generating the policies of %s", policyFile)
	adm, err := cel.NewAdmission(cel.Policies(gs))
	require.NoError(t, err)
	return adm
}

// Admit evaluates a CREATE of the object in objectYAML against the
// policies generated from policyFile. objectYAML holds the object as its
// last document; Namespace documents before it are the namespaces the
// request may be in (their labels reach namespaceSelectors; a namespace
// not given is a bare one).
func Admit(t govtest.T, policyFile, objectYAML string) cel.Response {
	t.Helper()
	adm := Admission(t, policyFile)
	loader, err := governance.NewLoader()
	require.NoError(t, err)
	objs, err := loader.Decode("objectYAML", []byte(objectYAML))
	require.NoError(t, err)
	require.NotEmpty(t, objs, "objectYAML holds no object")
	var namespaces []*corev1.Namespace
	for _, o := range objs[:len(objs)-1] {
		ns, ok := o.Obj.(*corev1.Namespace)
		require.True(t, ok, "%s: only Namespace documents may precede the object, got %s", o.Source, o.Kind())
		namespaces = append(namespaces, ns)
	}
	resp, err := adm.Admit(context.Background(), cel.Request{Object: objs[len(objs)-1].Obj, Namespaces: namespaces})
	require.NoError(t, err)
	return resp
}

// AssertDenies asserts that the policies generated from policyFile deny a
// CREATE of the object in objectYAML (see Admit), and that the denial
// message contains every one of messageContains.
func AssertDenies(t govtest.T, policyFile, objectYAML string, messageContains ...string) bool {
	t.Helper()
	resp := Admit(t, policyFile, objectYAML)
	if !assert.False(t, resp.Allowed, "%s admits the object (warnings: %q)", policyFile, resp.Warnings) {
		return false
	}
	ok := true
	for _, s := range messageContains {
		ok = assert.Contains(t, resp.Message, s) && ok
	}
	return ok
}

// AssertAdmits asserts that the policies generated from policyFile admit a
// CREATE of the object in objectYAML (see Admit). Warnings do not fail it.
func AssertAdmits(t govtest.T, policyFile, objectYAML string) bool {
	t.Helper()
	resp := Admit(t, policyFile, objectYAML)
	return assert.True(t, resp.Allowed, "%s denies the object: %s", policyFile, resp.Message)
}
