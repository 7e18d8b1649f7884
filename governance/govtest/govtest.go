package govtest

import (
	"context"
	"fmt"
	"strings"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/aigov/aigov/cel"
	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/catalog"
)

// T is what the helpers need of a test: *testing.T and *testing.B satisfy
// it, and so does any testify TestingT with Helper.
type T interface {
	Helper()
	Errorf(format string, args ...any)
	FailNow()
}

// Load reads manifests (files, directories, "-" is not useful in tests)
// the way `aigov check -f` does and fails the test, naming file, document
// and line, when any document does not load.
func Load(t T, paths ...string) *governance.Inventory {
	t.Helper()
	require.NotEmpty(t, paths, "govtest.Load: no paths")
	loader, err := governance.NewLoader()
	require.NoError(t, err)
	inv, err := loader.Load(paths...)
	require.NoError(t, err, "loading %s", strings.Join(paths, ", "))
	return inv
}

// LoadRecursive is Load with sub-directories (kubectl -R).
func LoadRecursive(t T, paths ...string) *governance.Inventory {
	t.Helper()
	loader, err := governance.NewLoader()
	require.NoError(t, err)
	loader.Recursive = true
	inv, err := loader.Load(paths...)
	require.NoError(t, err, "loading %s", strings.Join(paths, ", "))
	return inv
}

// Findings runs rules over inv and returns the sorted findings. Without
// rules it runs catalog.Default(), as `aigov check` does.
func Findings(t T, inv *governance.Inventory, rules ...governance.Rule) []governance.Finding {
	t.Helper()
	if len(rules) == 0 {
		var err error
		rules, err = catalog.Default()
		require.NoError(t, err)
	}
	engine, err := governance.NewEngine(rules...)
	require.NoError(t, err)
	return engine.Run(inv)
}

// NoFindings asserts that rules (default: catalog.Default()) find nothing
// in inv, listing every finding otherwise.
func NoFindings(t T, inv *governance.Inventory, rules ...governance.Rule) bool {
	t.Helper()
	fs := Findings(t, inv, rules...)
	if len(fs) == 0 {
		return true
	}
	return assert.Fail(t, fmt.Sprintf("%d findings, want none", len(fs)), Format(fs))
}

// HasFinding asserts that findings hold one of check (a catalog ID, or
// "custom-cel/NAME" for a named entry) about object, written "Kind/name"
// or "namespace/Kind/name".
func HasFinding(t T, findings []governance.Finding, check, object string) bool {
	t.Helper()
	if len(FindingsOf(findings, check, object)) > 0 {
		return true
	}
	return assert.Fail(t, fmt.Sprintf("no %s finding about %s", check, object), "findings:\n%s", Format(findings))
}

// NoFinding asserts that findings hold nothing of check about object (see
// HasFinding for the forms).
func NoFinding(t T, findings []governance.Finding, check, object string) bool {
	t.Helper()
	got := FindingsOf(findings, check, object)
	if len(got) == 0 {
		return true
	}
	return assert.Fail(t, fmt.Sprintf("unexpected %s finding about %s", check, object), Format(got))
}

// FindingsOf returns the findings of check about object (see HasFinding);
// an empty check or object matches any.
func FindingsOf(findings []governance.Finding, check, object string) []governance.Finding {
	var out []governance.Finding
	for _, f := range findings {
		if check != "" && f.Check != check && f.Check+"/"+f.Name != check {
			continue
		}
		if object != "" && f.Object.String() != object && f.Object.Namespace+"/"+f.Object.String() != object {
			continue
		}
		out = append(out, f)
	}
	return out
}

// Format renders findings one per line, "severity check namespace/Kind/name
// path: message", for failure messages.
func Format(findings []governance.Finding) string {
	var b strings.Builder
	for _, f := range findings {
		check := f.Check
		if f.Name != "" {
			check += "/" + f.Name
		}
		fmt.Fprintf(&b, "%s %s %s/%s %s: %s\n", f.Severity, check, f.Object.Namespace, f.Object, f.Path, f.Message)
	}
	return b.String()
}

// PolicyRules returns the rules of a GovernancePolicy file, with the
// catalog's definitions and custom-cel for the policy's kubernetesVersion,
// exactly as `aigov check --policy` builds them.
func PolicyRules(t T, policyFile string) []governance.Rule {
	t.Helper()
	policy, err := governance.LoadPolicyFile(policyFile)
	require.NoError(t, err)
	custom, err := cel.CustomCELDefinitionFor(policy.KubernetesVersion)
	require.NoError(t, err)
	rules, err := policy.Rules(append(catalog.Definitions(), custom))
	require.NoError(t, err)
	return rules
}

// Admission generates the ValidatingAdmissionPolicies and bindings of a
// GovernancePolicy file for its kubernetesVersion and returns the
// in-process admission that evaluates them with the apiserver's code.
func Admission(t T, policyFile string) *cel.Admission {
	t.Helper()
	policy, err := governance.LoadPolicyFile(policyFile)
	require.NoError(t, err)
	comp, err := cel.NewCompiler(policy.KubernetesVersion)
	require.NoError(t, err)
	gs, err := comp.Generate(policy)
	require.NoError(t, err, "generating the policies of %s", policyFile)
	policies := make([]*admissionregistrationv1.ValidatingAdmissionPolicy, 0, len(gs))
	bindings := make([]*admissionregistrationv1.ValidatingAdmissionPolicyBinding, 0, len(gs))
	for _, g := range gs {
		policies = append(policies, g.Policy)
		bindings = append(bindings, g.Binding)
	}
	adm, err := cel.NewAdmission(policies, bindings)
	require.NoError(t, err)
	return adm
}

// Admit evaluates a CREATE of the object in objectYAML against the
// policies generated from policyFile. objectYAML holds the object as its
// last document; Namespace documents before it are the namespaces the
// request may be in (their labels reach namespaceSelectors; a namespace
// not given is a bare one).
func Admit(t T, policyFile, objectYAML string) cel.Response {
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
func AssertDenies(t T, policyFile, objectYAML string, messageContains ...string) bool {
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
func AssertAdmits(t T, policyFile, objectYAML string) bool {
	t.Helper()
	resp := Admit(t, policyFile, objectYAML)
	return assert.True(t, resp.Allowed, "%s denies the object: %s", policyFile, resp.Message)
}
