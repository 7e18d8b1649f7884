// Package govtest holds testify helpers with which a platform repository
// unit-tests its manifests and its aigov policies in `go test`:
//
//	func TestManifestsComply(t *testing.T) {
//		inv := govtest.Load(t, "deploy/")
//		govtest.NoFindings(t, inv) // catalog.Default()
//	}
//
//	func TestPolicyDeniesPrivilegedPods(t *testing.T) {
//		govtest.AssertDenies(t, "policy.yaml", privilegedPodYAML, "privileged")
//		govtest.AssertAdmits(t, "policy.yaml", compliantPodYAML)
//	}
//
// Load, Findings, NoFindings, HasFinding and NoFinding evaluate checks in Go
// over an inventory (governance.Engine; catalog.Default() unless rules are
// given, PolicyRules for a GovernancePolicy file). Admit, AssertDenies and
// AssertAdmits generate the policy file's ValidatingAdmissionPolicies and
// evaluate them in process with the kube-apiserver's admission code
// (cel.NewAdmission), so a test proves what the cluster will enforce.
//
// Helpers fail the test (FailNow) on setup errors — a manifest that does not
// load, a policy that does not compile — and report assertion failures with
// Errorf, returning false, as testify's assert does. They take T, which
// *testing.T satisfies. This package imports testify and cel (and so the
// apiserver's admission code): import it from tests only.
package govtest
