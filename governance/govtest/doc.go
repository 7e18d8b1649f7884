// Package govtest holds testify helpers with which a platform repository
// unit-tests its manifests against aigov's checks in `go test`:
//
//	func TestManifestsComply(t *testing.T) {
//		inv := govtest.Load(t, "deploy/")
//		govtest.NoFindings(t, inv) // catalog.Default()
//	}
//
// Load, Findings, NoFindings, HasFinding and NoFinding evaluate checks in Go
// over an inventory (governance.Engine; catalog.Default() unless rules are
// given). The assertions on what a policy file's generated
// ValidatingAdmissionPolicies admit or deny, evaluated in process with the
// kube-apiserver's admission code, and the policy file's rules with
// custom-cel (PolicyRules), are in package cel/celtest.
//
// Helpers fail the test (FailNow) on setup errors — a manifest that does not
// load, a check that cannot be built — and report assertion failures with
// Errorf, returning false, as testify's assert does. They take T, which
// *testing.T satisfies. The package is light to import: besides testify it
// depends on what governance and the catalog depend on (no apiserver beyond
// its API types, no client-go), as a test asserts.
package govtest
