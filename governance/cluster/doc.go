// Package cluster loads a governance.Inventory from a live cluster with
// client-go: every kind the analyzers read, across all namespaces. Kinds the
// caller may not list are reported as inventory warnings naming the kind,
// never left out silently.
//
//	inv, err := cluster.Load(ctx, cluster.Options{Kubeconfig: path, Context: "prod"})
//
// It is its own package so that importing governance does not pull in
// client-go.
package cluster
