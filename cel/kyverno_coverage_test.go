package cel

import (
	"slices"
	"testing"

	"github.com/aigov/aigov/governance/catalog"
)

// TestKyvernoCorpusCoversEveryVAPCheck checks that the policies the Kyverno
// tests export (kyvernoCorpus: TestKyvernoPolicyCarriesTheVAPsCEL compiles
// them, TestKyvernoPoliciesOnAPIServer creates them on a kube-apiserver
// serving Kyverno's CRD) include one of every catalog check that has a
// ValidatingAdmissionPolicy, so that a check added later is not exported
// untested.
func TestKyvernoCorpusCoversEveryVAPCheck(t *testing.T) {
	comp, err := NewCompiler("1.30")
	if err != nil {
		t.Fatal(err)
	}
	_, ks, _ := kyvernoCorpus(t, comp)
	var exported []string
	for _, k := range ks {
		exported = append(exported, k.Annotations[CheckAnnotation])
	}
	var vap []string
	for _, d := range catalog.Definitions() {
		if d.VAP {
			vap = append(vap, d.ID)
		}
	}
	// The checks of issue #17 item 1 by name, so that the test fails if
	// one of them loses its VAP flag rather than passing vacuously.
	for _, id := range []string{catalog.IDKyvernoDeprecatedAction, "rbac-unknown-resource", catalog.IDQuotaInvalidKey, "secret-literal-provider-key", "secret-url-credentials", "secret-private-key-material",
		"secret-in-last-applied-annotation", "secret-type-keys-missing", "secret-volume-unused", "secret-literal-sensitive-name",
		"rbac-empty-rule", "rbac-invalid-nonresourceurls", "rbac-resourcenames-verb", "rbac-unknown-verb", "limitrange-max-becomes-default", "invalid-resource-quantity"} {
		if !slices.Contains(vap, id) {
			t.Errorf("%s: not a check with a ValidatingAdmissionPolicy", id)
		}
	}
	for _, id := range vap {
		if !slices.Contains(exported, id) {
			t.Errorf("%s: no Kyverno ValidatingPolicy of it in the tests' corpus", id)
		}
	}
}
