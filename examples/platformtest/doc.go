// Package platformtest shows how a platform repository unit-tests its
// manifests and its aigov policy with `go test` and the testify helpers of
// governance/govtest (the Go checks) and cel/celtest (the policy's
// generated ValidatingAdmissionPolicies and its rules with custom-cel). It
// has no code of its own: platform_test.go is the example to copy.
//
//	go test ./examples/platformtest/
//
// The tests assert that
//
//   - the fixed platform (examples/multitenant/fixed) has no findings under
//     the catalog's defaults (catalog.Default, what `aigov check` runs);
//   - the planted privileged training Job of examples/multitenant is found;
//   - policy.yaml, the platform's admission policy, denies a privileged pod
//     and admits a compliant one, evaluated with the kube-apiserver's own
//     ValidatingAdmissionPolicy code (no cluster needed).
//
// In a platform repository the same tests look like:
//
//	func TestManifests(t *testing.T) {
//		govtest.NoFindings(t, govtest.Load(t, "deploy/prod"))
//	}
//
//	func TestPolicy(t *testing.T) {
//		celtest.AssertDenies(t, "policy.yaml", privilegedPod, "privileged")
//		celtest.AssertAdmits(t, "policy.yaml", compliantPod)
//	}
package platformtest
