// Package celtest holds testify helpers with which a platform repository
// proves, in `go test`, what its aigov policy will make the cluster enforce:
//
//	func TestPolicyDeniesPrivilegedPods(t *testing.T) {
//		celtest.AssertDenies(t, "policy.yaml", privilegedPodYAML, "privileged")
//		celtest.AssertAdmits(t, "policy.yaml", compliantPodYAML)
//	}
//
// Admit, AssertDenies and AssertAdmits generate the policy file's
// ValidatingAdmissionPolicies (cel.GeneratePolicy, from the catalog's
// checks and custom-cel) and evaluate them in process with the
// kube-apiserver's admission code (cel.NewAdmission), so a test proves what
// the cluster will enforce without a cluster. PolicyRules builds the policy
// file's rules for the Go evaluation, custom-cel included, as `aigov check
// --policy` does; run them with governance/govtest's Findings and
// NoFindings.
//
// The helpers behave as governance/govtest's: setup errors (a manifest that
// does not load, a policy that does not compile) fail the test with
// FailNow, assertion failures are reported with Errorf and return false.
// This package imports cel, and so the apiserver's admission code; the Go
// checks' assertions in governance/govtest do not.
package celtest
