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
// Matrix lists pod pairs, which grow with the square of the pods (4
// million for 2,000 pods in one namespace without policies). A question
// about causes (which workloads of another team reach this one) reads
// ClassEdges instead: one edge per pair of classes with the listed
// endpoints of each side, expanded to pairs (ClassEdge.Pairs) only where
// an answer needs them.
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
//
// Against a per-pair evaluator: the nested, test-only module
// netpol/internal/baseline (own go.mod, not part of the root module's
// go test ./...) calls the cyclonus matcher library
// (github.com/mattfenwick/cyclonus v0.5.6, pkg/matcher) on the same
// generated 1,000-pod / 220-policy cluster. TestAgreesWithCyclonus checks
// that both allow exactly the same 1,000 of the 999,000 ordered pod pairs
// on TCP/8000; BenchmarkVsCyclonus times cyclonus's build plus all-pairs
// evaluation for that one port against Build + Matrix over every port:
//
//	cd netpol/internal/baseline
//	go test -run TestAgreesWithCyclonus -v .         # about 30 s
//	go test -run '^$' -bench . -benchtime 1x .       # about 30 s per iteration
//
//	cyclonus, one port, all pairs   29.7 s
//	aigov Build + Matrix, all ports 36 ms       ratio 834x (target: at least 20x)
//
// The CLI wall time, `aigov netpol matrix -f DIR -o json` on the same
// cluster including loading, is BenchmarkNetpolMatrixCLI in cmd/aigov;
// see its comment for figures.
//
// Warnings: policy parts that cannot be compiled (invalid selectors,
// CIDRs, protocols, endPort without a numeric port) or are not modelled
// (admin nodes and domainNames peers) match nothing and are listed by
// Graph.Warnings naming policy and rule; the CLI prints them on stderr.
package netpol
