package main

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	yamlutil "k8s.io/apimachinery/pkg/util/yaml"

	"github.com/aigov/aigov/cel"
	"github.com/aigov/aigov/governance"
)

// decodeVAPs decodes a YAML stream strictly into ValidatingAdmissionPolicies
// and bindings; any other kind or an unknown field fails the test.
func decodeVAPs(t *testing.T, data []byte) ([]*admissionregistrationv1.ValidatingAdmissionPolicy, []*admissionregistrationv1.ValidatingAdmissionPolicyBinding) {
	t.Helper()
	objs := decodeAdmission(t, data)
	var (
		policies []*admissionregistrationv1.ValidatingAdmissionPolicy
		bindings []*admissionregistrationv1.ValidatingAdmissionPolicyBinding
	)
	for _, obj := range objs {
		switch o := obj.(type) {
		case *admissionregistrationv1.ValidatingAdmissionPolicy:
			policies = append(policies, o)
		case *admissionregistrationv1.ValidatingAdmissionPolicyBinding:
			bindings = append(bindings, o)
		default:
			t.Fatalf("unexpected %T in output", obj)
		}
	}
	return policies, bindings
}

// decodeAdmission decodes a YAML stream strictly into
// admissionregistration/v1 objects, in order; an unknown field fails the
// test.
func decodeAdmission(t *testing.T, data []byte) []runtime.Object {
	t.Helper()
	scheme := runtime.NewScheme()
	require.NoError(t, admissionregistrationv1.AddToScheme(scheme))
	codecs := serializer.NewCodecFactory(scheme, serializer.EnableStrict)
	dec := codecs.UniversalDeserializer()
	var out []runtime.Object
	r := yamlutil.NewYAMLReader(bufioReader(data))
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		if len(bytes.TrimSpace(doc)) == 0 {
			continue
		}
		obj, _, err := dec.Decode(doc, nil, nil)
		require.NoError(t, err, "document:\n%s", doc)
		out = append(out, obj)
	}
	return out
}

func TestBundledPolicy(t *testing.T) {
	var out, errOut bytes.Buffer
	require.NoError(t, run(nil, &out, &errOut))
	policies, bindings := decodeVAPs(t, out.Bytes())

	policy, err := governance.LoadPolicyFile("policy.yaml")
	require.NoError(t, err)
	// One policy per entry, and one more per pod check: the same check on
	// the AI operators' custom resources (cel.OperatorsSuffix).
	operators := 0
	for _, p := range policies {
		if strings.HasSuffix(p.Name, cel.OperatorsSuffix) {
			operators++
		}
	}
	require.Equal(t, 8, operators, "pod checks of the bundled policy")
	require.Len(t, policies, len(policy.Entries)+operators, "one policy per entry, one more per pod check")
	require.Len(t, bindings, len(policies), "one binding per policy")

	bound := map[string]int{}
	for _, b := range bindings {
		bound[b.Spec.PolicyName]++
		assert.NotEmpty(t, b.Spec.ValidationActions, b.Name)
	}
	names := map[string]bool{}
	for _, p := range policies {
		assert.False(t, names[p.Name], "duplicate policy %s", p.Name)
		names[p.Name] = true
		assert.Equal(t, 1, bound[p.Name], "bindings of %s", p.Name)
		assert.NotEmpty(t, p.Spec.Validations, p.Name)
		assert.Nil(t, p.Spec.ParamKind, "params are inlined: %s", p.Name)
	}
	for name := range bound {
		assert.True(t, names[name], "binding names unknown policy %s", name)
	}
	assert.True(t, names["aigov-ai-platform-privileged-container"], "policies: %v", names)
}

// TestMutating: --mutating appends, after the same validating policies,
// one MutatingAdmissionPolicy and binding per entry with safe defaults;
// the bundled policy targets 1.30, below what they need.
func TestMutating(t *testing.T) {
	var plain, out bytes.Buffer
	require.NoError(t, run([]string{"--kube-version", "1.36"}, &plain, io.Discard))
	require.NoError(t, run([]string{"--mutating", "--kube-version", "1.36"}, &out, io.Discard))
	require.True(t, strings.HasPrefix(out.String(), plain.String()+"---\n"), "--mutating must only append to the validating output")

	var got []string
	for _, obj := range decodeAdmission(t, out.Bytes()[plain.Len():]) {
		switch o := obj.(type) {
		case *admissionregistrationv1.MutatingAdmissionPolicy:
			require.NotEmpty(t, o.Spec.Mutations, o.Name)
			got = append(got, "policy "+o.Name)
		case *admissionregistrationv1.MutatingAdmissionPolicyBinding:
			assert.Equal(t, "true", o.Spec.MatchResources.NamespaceSelector.MatchLabels["platform.aigov.dev/managed"], o.Name)
			got = append(got, "binding "+o.Spec.PolicyName)
		default:
			t.Fatalf("unexpected %T after the validating policies", obj)
		}
	}
	// run-as-non-root, automount-token and gpu-node-targeting, each also
	// on the AI operators' resources, and the workload-team entry of
	// required-labels; not the Namespace-only required-labels entry.
	var want []string
	for _, n := range []string{"run-as-non-root", "run-as-non-root-operators", "automount-token", "automount-token-operators",
		"gpu-node-targeting", "gpu-node-targeting-operators", "required-labels-workload-team"} {
		want = append(want, "policy aigov-ai-platform-"+n, "binding aigov-ai-platform-"+n)
	}
	assert.Equal(t, want, got)

	err := run([]string{"--mutating"}, io.Discard, io.Discard)
	require.True(t, errors.Is(err, errUsage), "got %v", err)
	assert.Contains(t, err.Error(), "1.30")
	assert.Contains(t, err.Error(), "1.36")
}

func TestPolicyFlagAndOutputFile(t *testing.T) {
	dir := t.TempDir()
	policyFile := filepath.Join(dir, "p.yaml")
	require.NoError(t, os.WriteFile(policyFile, []byte(`apiVersion: aigov.dev/v1alpha1
kind: GovernancePolicy
metadata: {name: small}
spec:
  checks:
  - id: privileged-container
  - id: latest-tag
    action: Warn
`), 0o600))
	outFile := filepath.Join(dir, "vaps.yaml")
	require.NoError(t, run([]string{"--policy", policyFile, "--kube-version", "1.33", "--output", outFile}, io.Discard, io.Discard))
	data, err := os.ReadFile(outFile)
	require.NoError(t, err)
	policies, bindings := decodeVAPs(t, data)
	require.Len(t, policies, 4) // each pod check also on the AI operators' resources
	require.Len(t, bindings, 4)
	assert.Equal(t, []admissionregistrationv1.ValidationAction{admissionregistrationv1.Warn}, bindings[3].Spec.ValidationActions)
}

func TestErrors(t *testing.T) {
	err := run([]string{"--nope"}, io.Discard, io.Discard)
	assert.True(t, errors.Is(err, errUsage), "got %v", err)
	err = run([]string{"--kube-version", "1.20"}, io.Discard, io.Discard)
	assert.True(t, errors.Is(err, errUsage), "got %v", err)

	// A rule that needs a newer CEL library than the target is refused,
	// naming the entry.
	policyFile := filepath.Join(t.TempDir(), "p.yaml")
	require.NoError(t, os.WriteFile(policyFile, []byte(`apiVersion: aigov.dev/v1alpha1
kind: GovernancePolicy
metadata: {name: new-cel}
spec:
  kubernetesVersion: "1.30"
  checks:
  - id: custom-cel
    name: semver-names
    params: {expression: "isSemver(object.metadata.name)"}
`), 0o600))
	err = run([]string{"--policy", policyFile}, io.Discard, io.Discard)
	require.Error(t, err)
	assert.True(t, strings.Contains(err.Error(), "semver-names"), "got %v", err)
}

func bufioReader(b []byte) *bufio.Reader { return bufio.NewReader(bytes.NewReader(b)) }
