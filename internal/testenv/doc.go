// Package testenv runs a real Kubernetes control plane — etcd,
// kube-apiserver and kube-controller-manager of the release aigov is pinned to
// — on loopback, for differential tests: an aigov verdict is compared with
// what the apiserver itself answers (SubjectAccessReview, quota and
// LimitRanger admission, ValidatingAdmissionPolicy admission, RBAC
// aggregation).
//
// The three binaries are built from the nested Go module in
// internal/testenv/apiserver (k8s.io/kubernetes and go.etcd.io/etcd/server,
// kept out of the root module) the first time they are needed, and cached
// under os.UserCacheDir()/aigov/testenv/<version>-<hash>/ (override with
// AIGOV_TESTENV_CACHE). The hash covers the nested go.mod, go.sum and main
// files, the Go version and the build settings, so a version bump rebuilds.
// Test binaries running in parallel build once: the others wait on a file
// lock. A cold build takes several minutes (about 12 on two cores); later
// starts take seconds. `go run ./internal/testenv/prebuild` builds ahead, so
// that CI's cold build does not count against a test binary's -timeout.
//
// kube-controller-manager runs the clusterrole-aggregation, serviceaccount,
// serviceaccount-token, resourcequota, namespace and garbage-collector
// controllers, so aggregated ClusterRoles are materialized, namespaces get
// their "default" ServiceAccount and ResourceQuota status is computed. There
// is no scheduler and no kubelet: pods stay Pending.
//
// One control plane is shared by all tests of a test binary:
//
//	func TestMain(m *testing.M) { testenv.RunMain(m) }
//
//	func TestCanI(t *testing.T) {
//		env := testenv.Shared(t)
//		ns := env.CreateNamespace(t, "rbac")
//		if _, err := env.ApplyDir(ctx, "testdata/rbac", testenv.WithNamespace(ns)); err != nil {
//			t.Fatal(err)
//		}
//		cs := env.Client(t)
//		// ... ask cs.AuthorizationV1().SubjectAccessReviews() and compare.
//	}
//
// The apiserver serves built-in kinds only. Env.InstallAICRDs installs the
// CustomResourceDefinitions of the AI operators and of the Gateway API that
// aigov reads (crds/, with their provenance in crds/README.md), and
// Env.InstallCRDs those of a folder; both wait until discovery serves them.
//
// A test that needs the control plane fails, with the reason, when it cannot
// be built or started. Outside CI (CI is not "true") a developer may set
// AIGOV_SKIP_APISERVER=1 to skip those tests instead. AIGOV_TESTENV_KEEP=1
// keeps the data directory (process logs, certificates, kubeconfig) after
// Stop for debugging.
//
// Start can also be called directly for a private control plane; call
// Env.Stop when done.
package testenv
