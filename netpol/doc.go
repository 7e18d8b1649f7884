// Package netpol answers which pod (or IP range) may open a connection to
// which pod, on which ports and protocols, and why, from an inventory's
// NetworkPolicies, AdminNetworkPolicies, BaselineAdminNetworkPolicies and
// ClusterNetworkPolicies (tiers Admin → NetworkPolicy → Baseline → allow).
//
// Build compiles the policies once, groups endpoints into equivalence
// classes (pods no selector and no named port tells apart), and computes
// the allowed port set of every class pair per direction with bitsets over
// classes. Queries then read that table:
//
//	g, err := netpol.Build(inv, netpol.Options{})
//	src, _ := g.Lookup("rag/llm-service")
//	dst, _ := g.Lookup("rag/vector-db")
//	v := g.Allowed(src, dst, 6334, corev1.ProtocolTCP) // v.Allowed, v.Explain()
//	m := g.Matrix()                                     // every allowed pair, all ports
//
// Semantics follow the upstream NetworkPolicy e2e suite: ipBlocks match pod
// IPs from status.podIPs (Options.IgnorePodIPsInIPBlocks turns that off);
// hostNetwork pods are taken as their node's IP (see HostNetworkAssumption).
//
// After Build the graph is read only: queries may run concurrently.
// Reachable is two table reads and two range lookups; Allowed takes its
// yes/no from the same table and then names the deciding rules.
//
// Figures (go test -bench, 2 shared cores, generated clusters from
// internal/gen with 5 pods per workload; 2026-11):
//
//	Reachable, 1,000 pods / 10,000 pods         9 ns / 33 ns per query, 0 allocs
//	Allowed (explained), 1,000 / 10,000 pods    85 ns / 148 ns per query, 0 allocs
//	Build + Matrix, 1,000 pods / 220 policies   17 ms
//	Build + Matrix, 10,000 pods / 2,200 policies 2.0 s, 67 MB allocated
package netpol
