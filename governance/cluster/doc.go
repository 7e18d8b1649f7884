// Package cluster loads a governance.Inventory from a live cluster with
// client-go: every kind the analyzers read, across all namespaces.
//
//	inv, err := cluster.Load(ctx, cluster.Options{Kubeconfig: path, Context: "prod",
//		Timeout: time.Minute, Deadline: 10 * time.Minute})
//
// A read never passes for a clean one when it saw nothing. Load asks the
// server's discovery first: a discovery that fails, times out or lists no
// core API is an error. A kind discovery does not list is not served and is
// skipped: so are the AI operators' custom resources and the Gateway API
// kinds (CustomResourceKinds) where their CRDs are not installed, and a
// kind served in several versions is read in one. A kind it lists that cannot be read (403, or 404 although
// discovery lists it) is a degradation, recorded in Inventory.Degraded and
// as a warning in Inventory.Warnings, never left out silently; when none of
// the kinds the caller requires could be read, Load fails with a
// *NothingReadError. Options.Timeout bounds each request and
// Options.Deadline the whole read.
//
// It is its own package so that importing governance does not pull in
// client-go. Package clustertest is a fake API server for tests of programs
// that read clusters.
package cluster
