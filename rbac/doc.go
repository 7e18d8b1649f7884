// Package rbac answers who can do what in a cluster, and why: authorizer-exact
// rule matching, ClusterRole aggregation, can-i and who-can with provenance,
// risky grants, unused grants from audit logs and least-privilege role
// generation.
//
// The analyzer is being built (see the project's open issues); today the
// package holds only this documentation.
package rbac
