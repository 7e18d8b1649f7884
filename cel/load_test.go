package cel_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/aigov/aigov/cel"
	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/catalog"
)

func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// policyHeader starts the GovernancePolicy "p" up to its spec.checks.
const policyHeader = "apiVersion: aigov.dev/v1alpha1\nkind: GovernancePolicy\nmetadata: {name: p}\nspec:\n  checks:\n"

// parsePolicy parses the GovernancePolicy "p" whose spec.checks are checks.
func parsePolicy(t *testing.T, checks string) *governance.Policy {
	t.Helper()
	p, err := governance.ParsePolicy("policy.yaml", []byte(policyHeader+checks))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// ownerLabel is a check no catalog has: cel generates it from its
// definition alone.
func ownerLabel() governance.Definition {
	return governance.Definition{
		ID: "owner-label", Description: "ConfigMaps need an owner label.", Severity: governance.SeverityLow,
		Kinds: []string{"ConfigMap"}, VAP: true,
		New: func(params any) (governance.Check, error) {
			if err := governance.NoParams(params); err != nil {
				return governance.Check{}, err
			}
			return governance.Check{
				ID: "owner-label", Severity: governance.SeverityLow,
				Object: func(*governance.Object) []governance.Violation { return nil },
				Admission: &governance.Admission{
					Rules:       []admissionregistrationv1.NamedRuleWithOperations{governance.AdmissionRule([]string{""}, []string{"v1"}, []string{"configmaps"})},
					Validations: []admissionregistrationv1.Validation{{Expression: `"owner" in object.metadata.?labels.orValue({})`, Message: "owner label missing"}},
				},
			}, nil
		},
	}
}

func TestGenerateUsesTheGivenDefinitions(t *testing.T) {
	comp, err := cel.NewCompiler("")
	if err != nil {
		t.Fatal(err)
	}
	policy := parsePolicy(t, `  - id: owner-label
`)
	gs, err := comp.Generate(policy, []governance.Definition{ownerLabel()})
	if err != nil {
		t.Fatal(err)
	}
	if len(gs) != 1 || gs[0].Policy.Name != "aigov-p-owner-label" || gs[0].Policy.Spec.Validations[0].Message != "owner label missing" {
		t.Fatalf("generated %+v", gs)
	}
	adm, err := cel.NewAdmission(cel.Policies(gs))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := adm.Admit(context.Background(), cel.Request{Object: &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "c", Namespace: "n"}}})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Allowed || !strings.Contains(resp.Message, "owner label missing") {
		t.Errorf("a ConfigMap without owner: allowed=%v %q", resp.Allowed, resp.Message)
	}

	// The catalog is not consulted: its checks are unknown here.
	_, err = comp.Generate(parsePolicy(t, `  - id: privileged-container
`), []governance.Definition{ownerLabel()})
	if err == nil || !strings.Contains(err.Error(), `check "privileged-container" has no ValidatingAdmissionPolicy form`) {
		t.Errorf("a check not in defs: %v", err)
	}
}

func TestGenerateRefusesChecksWithoutAdmission(t *testing.T) {
	comp, err := cel.NewCompiler("")
	if err != nil {
		t.Fatal(err)
	}
	_, err = comp.Generate(parsePolicy(t, `  - id: namespace-default-deny
`), catalog.Definitions())
	if err == nil || !strings.Contains(err.Error(), `check "namespace-default-deny" has no ValidatingAdmissionPolicy form`) {
		t.Errorf("an inventory check: %v", err)
	}
}

func TestCustomCELIsTheCompilers(t *testing.T) {
	policy := parsePolicy(t, `  - id: custom-cel
    name: semver
    params: {expression: "isSemver(object.metadata.name)", failurePolicy: Ignore}
    match: {resources: [{apiGroups: [""], apiVersions: [v1], resources: [configmaps]}]}
`)
	// At 1.30 the expression needs 1.33: reported as the expression's
	// error, not as a params error.
	_, err := cel.GeneratePolicy(policy, catalog.Definitions(), "1.30")
	if err == nil || !strings.Contains(err.Error(), `(custom-cel "semver"): validations[0].expression needs Kubernetes 1.33 or newer (target 1.30)`) {
		t.Errorf("1.30: %v", err)
	}
	gs, err := cel.GeneratePolicy(policy, catalog.Definitions(), "1.33")
	if err != nil {
		t.Fatal(err)
	}
	spec := gs[0].Policy.Spec
	if *spec.FailurePolicy != admissionregistrationv1.Ignore || len(spec.MatchConstraints.ResourceRules) != 1 || spec.MatchConstraints.ResourceRules[0].Resources[0] != "configmaps" {
		t.Errorf("custom-cel policy: failurePolicy %s, rules %+v", *spec.FailurePolicy, spec.MatchConstraints.ResourceRules)
	}
	if len(gs[0].Binding.Spec.MatchResources.ResourceRules) != 0 {
		t.Errorf("custom-cel's resources belong in the policy, not the binding: %+v", gs[0].Binding.Spec.MatchResources.ResourceRules)
	}

	// A custom-cel definition in defs (this one compiles for 1.30) does
	// not change the target: the compiler's own is used.
	old, err := cel.CustomCELDefinitionFor("1.30")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cel.GeneratePolicy(policy, append(catalog.Definitions(), old), "1.33"); err != nil {
		t.Errorf("with a 1.30 custom-cel in defs, target 1.33: %v", err)
	}
}

func TestGeneratePolicyVersionError(t *testing.T) {
	policy := parsePolicy(t, `  - id: privileged-container
`)
	_, err := cel.GeneratePolicy(policy, catalog.Definitions(), "1.20")
	var ve *cel.VersionError
	if !errors.As(err, &ve) {
		t.Errorf("1.20: %v, want a *VersionError", err)
	}
	_, err = cel.GeneratePolicy(parsePolicy(t, `  - id: allowed-registries
`), catalog.Definitions(), "")
	if errors.As(err, &ve) || err == nil || !strings.Contains(err.Error(), "policy policy.yaml:\n") || !strings.Contains(err.Error(), "params: registries is required") {
		t.Errorf("missing params: %v", err)
	}
}

// loadChecks are the checks of the policy LoadPolicies loads.
const loadChecks = `  - id: privileged-container
  - id: latest-tag
    action: Warn
`

func TestLoadPolicies(t *testing.T) {
	gov := writeTemp(t, "policy.yaml", policyHeader+loadChecks)
	ps, bs, err := cel.LoadPolicies(gov, catalog.Definitions(), "")
	if err != nil {
		t.Fatal(err)
	}
	// Each pod check has its policy and the one on the AI operators'
	// resources.
	if len(ps) != 4 || len(bs) != 4 || ps[2].Name != "aigov-p-latest-tag" || ps[3].Name != "aigov-p-latest-tag"+cel.OperatorsSuffix || bs[3].Spec.PolicyName != ps[3].Name {
		t.Fatalf("GovernancePolicy: %d policies, %d bindings", len(ps), len(bs))
	}

	// The same policies as YAML load as they are.
	gs, err := cel.GeneratePolicy(parsePolicy(t, loadChecks), catalog.Definitions(), "")
	if err != nil {
		t.Fatal(err)
	}
	data, err := cel.Marshal(gs)
	if err != nil {
		t.Fatal(err)
	}
	ps2, bs2, err := cel.LoadPolicies(writeTemp(t, "vaps.yaml", string(data)), nil, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(ps2) != 4 || len(bs2) != 4 || ps2[0].Name != ps[0].Name || bs2[3].Name != bs[3].Name {
		t.Errorf("VAP YAML: %d policies, %d bindings", len(ps2), len(bs2))
	}

	for name, content := range map[string]string{
		"other kinds": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: n}\n",
		"no policy": `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: b}
spec: {policyName: p, validationActions: [Deny]}
`,
	} {
		if _, _, err := cel.LoadPolicies(writeTemp(t, "x.yaml", content), nil, ""); err == nil {
			t.Errorf("%s: loaded", name)
		}
	}
	if _, _, err := cel.LoadPolicies(filepath.Join(t.TempDir(), "missing.yaml"), nil, ""); err == nil {
		t.Error("a missing file loaded")
	}
}

func TestAdmitInventoryDocument(t *testing.T) {
	ps, bs, err := cel.LoadPolicies(writeTemp(t, "policy.yaml", policyHeader+loadChecks), catalog.Definitions(), "")
	if err != nil {
		t.Fatal(err)
	}
	adm, err := cel.NewAdmission(ps, bs)
	if err != nil {
		t.Fatal(err)
	}
	loader, err := governance.NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	inv, err := loader.LoadBytes("objects.yaml", []byte(`apiVersion: v1
kind: Namespace
metadata: {name: team-a}
---
apiVersion: v1
kind: Pod
metadata: {name: ok, namespace: team-a}
spec: {containers: [{name: app, image: "registry.example.com/app:1.0"}]}
---
apiVersion: v1
kind: Pod
metadata: {name: root, namespace: team-a}
spec: {containers: [{name: app, image: "nginx", securityContext: {privileged: true}}]}
`))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := adm.AdmitInventory(context.Background(), inv)
	if err != nil {
		t.Fatal(err)
	}
	if !doc.Denied() {
		t.Error("Denied() = false")
	}
	data, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	got := string(data)
	for _, want := range []string{
		`{"results":[{"object":"Namespace/team-a","decision":"allow","warnings":[],"messages":[]},`,
		`{"object":"Pod/ok","namespace":"team-a","decision":"allow","warnings":[],"messages":[]},`,
		`{"object":"Pod/root","namespace":"team-a","decision":"deny","warnings":["Validation failed for ValidatingAdmissionPolicy 'aigov-p-latest-tag'`,
		`"messages":["pods \"root\" is forbidden: ValidatingAdmissionPolicy 'aigov-p-privileged-container'`,
		`]}],"schemaVersion":1}`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("document lacks %s:\n%s", want, got)
		}
	}
	if (cel.AdmissionDocument{Results: doc.Results[:2]}).Denied() {
		t.Error("Denied() with only allowed results")
	}
}
