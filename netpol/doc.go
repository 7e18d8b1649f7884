// Package netpol answers which pod (or IP) may open a connection to which
// pod, on which ports and protocols, and why: NetworkPolicy v1 plus the admin
// network policy tiers, a reachability graph, explanations, diffs and
// isolation assertions.
//
// The analyzer is being built (see the project's open issues); today the
// package holds only this documentation.
package netpol
