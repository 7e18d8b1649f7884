package catalog_test

import (
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/aigov/aigov/governance/catalog"
)

// minimalParams are valid parameters for the checks that require some;
// every other check is built with its defaults (nil params).
func minimalParams() map[string]any {
	two := resource.MustParse("2")
	return map[string]any{
		catalog.IDAllowedRegistries:  catalog.AllowedRegistriesParams{Registries: []string{"registry.example.com"}},
		catalog.IDRequiredLabels:     catalog.RequiredLabelsParams{Labels: []catalog.LabelRequirement{{Key: "team"}}},
		catalog.IDGPUPerContainerMax: catalog.GPUPerContainerMaxParams{Max: &two},
		catalog.IDServiceType:        []byte(`{"disallowed": ["NodePort"]}`),
		catalog.IDRequiredProbes:     &catalog.RequiredProbesParams{Probes: []string{catalog.ReadinessProbe}},
	}
}

// TestDefinitionVAPIsTruthful: the VAP column of `aigov checks`
// (Definition.VAP) says exactly which checks carry an admission form, and
// every admission form of the catalog matches resources of its own and
// validates something.
func TestDefinitionVAPIsTruthful(t *testing.T) {
	params := minimalParams()
	var vaps []string
	for _, d := range catalog.Definitions() {
		check, err := d.New(params[d.ID])
		if err != nil {
			t.Errorf("%s: %v (a check with required params needs an example in minimalParams)", d.ID, err)
			continue
		}
		if check.Admission != nil && len(check.Admission.Validations) == 0 && len(check.Admission.Mutations) > 0 {
			continue // safe defaults only (pod-security-level): no VAP
		}
		if got := check.Admission != nil; got != d.VAP {
			t.Errorf("%s: Definition.VAP = %v, but the built check has an admission form: %v", d.ID, d.VAP, got)
			continue
		}
		if check.Admission == nil {
			continue
		}
		vaps = append(vaps, d.ID)
		if len(check.Admission.Rules) == 0 || len(check.Admission.Validations) == 0 {
			t.Errorf("%s: admission form with %d rules and %d validations, want both", d.ID, len(check.Admission.Rules), len(check.Admission.Validations))
		}
	}
	want := []string{
		catalog.IDAIWorkloadOwnServiceAccount, catalog.IDAllowedRegistries, catalog.IDAutomountToken, catalog.IDContainerLimits, catalog.IDGPUPerContainerMax,
		catalog.IDGPUNodeTargeting, catalog.IDHostNamespaces, catalog.IDInferenceProbes, catalog.IDLatestTag, catalog.IDModelImageDigest, catalog.IDNamespaceDataClassification, catalog.IDNamespaceTeamLabels,
		catalog.IDPrivilegedContainer, catalog.IDRequiredLabels, catalog.IDRequiredProbes, catalog.IDRunAsNonRoot, "quota-inert-key", catalog.IDSensitiveWorkloadClassification, catalog.IDServiceType, catalog.IDShadowAI,
		catalog.IDKyvernoDeprecatedAction, "quota-invalid-key", "rbac-unknown-resource", "secret-literal-provider-key", "secret-private-key-material", "secret-url-credentials",
		"secret-in-last-applied-annotation", "secret-type-keys-missing", "secret-volume-unused", "secret-literal-sensitive-name",
		"rbac-empty-rule", "rbac-invalid-nonresourceurls", "rbac-resourcenames-verb", "rbac-unknown-verb", "limitrange-max-becomes-default", "invalid-resource-quantity",
	}
	slices.Sort(vaps)
	slices.Sort(want)
	if !slices.Equal(vaps, want) {
		t.Errorf("catalog checks with an admission form:\n got %v\nwant %v (the catalog contract)", vaps, want)
	}
}

// TestAdmissionNotes: the checks issue #17 asked VAPs for whose policy
// decides less than the Go check say what the policy leaves to the scan
// ("VAP ..."), and a note on a check without a VAP says why ("no VAP").
func TestAdmissionNotes(t *testing.T) {
	want := []string{catalog.IDInferenceProbes, catalog.IDModelImageDigest, catalog.IDAIWorkloadOwnServiceAccount, catalog.IDShadowAI,
		catalog.IDSensitiveWorkloadClassification, catalog.IDKyvernoDeprecatedAction, "quota-invalid-key", "rbac-unknown-resource", "secret-literal-provider-key",
		"secret-private-key-material", "secret-url-credentials",
		"encryption-identity-first", "encryption-secrets-not-covered", "secret-data-in-source", "secret-data-invalid-base64",
		"secret-in-last-applied-annotation", "secret-literal-sensitive-name", "secret-stringdata-in-source", "secret-type-keys-missing", "secret-volume-unused",
		"rbac-empty-rule", "rbac-invalid-nonresourceurls", "rbac-resourcenames-verb", "rbac-unknown-verb", "limitrange-max-becomes-default", "invalid-resource-quantity",
		catalog.IDAuditPolicyLint, catalog.IDPodSecurityLevel,
		"rbac-binding-missing-role", "rbac-missing-serviceaccount", "rbac-wildcard-team-grant"}
	var got []string
	for _, d := range catalog.Definitions() {
		if d.AdmissionNote == "" {
			continue
		}
		got = append(got, d.ID)
		if want := map[bool]string{true: "VAP ", false: "no VAP"}[d.VAP]; !strings.HasPrefix(d.AdmissionNote, want) {
			t.Errorf("%s (VAP %v): admission note %q, want it to start with %q", d.ID, d.VAP, d.AdmissionNote, want)
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("checks with an admission note: got %v, want %v", got, want)
	}
	// A check with neither a VAP nor a note must be one that reads other
	// objects, and say so in its kinds: the README's enforcement table
	// gives those the inventory-level note.
	for _, d := range catalog.Definitions() {
		if d.VAP || d.AdmissionNote != "" {
			continue
		}
		if !slices.ContainsFunc(d.Kinds, func(k string) bool { return strings.Contains(k, "(inventory") }) {
			t.Errorf("%s has no VAP and no admission note, and its kinds %q do not say it reads the inventory", d.ID, d.Kinds)
		}
	}
}
