// Package live keeps governance findings current for a running cluster: the
// library behind `aigov serve`.
//
//	err := live.Run(ctx, live.Options{Config: cfg, Rules: rules,
//		Reports: live.ReportsOpenReports, HealthAddr: ":8081", MetricsAddr: ":8080"})
//
// A Server watches every kind governance/cluster reads (cluster.
// DefaultResources plus Options.Extra) with client-go informers. What the
// server's discovery does not list is not served and is skipped; a kind it
// lists that the service account may not list or watch is a degradation:
// in every evaluation's Inventory.Degraded and Warnings, in the cluster-wide
// report as an "error" result, and in the aigov_resource_degraded metric —
// never a silent gap. The same holds for a kind whose watch becomes
// forbidden after the start. A degraded kind is probed again with
// exponential backoff (Options.ReprobeMin to ReprobeMax); when it becomes
// readable its informer starts and, once synced, the degradation clears.
// Discovery is asked again every Options.Rediscover, so that the kinds of
// CRDs installed after the start (the AI operators', Gateway API's) are
// watched without a restart.
//
// After the first full sync of every informer the server is ready
// (/readyz). From then on every change marks the evaluation dirty; after a
// quiet period (Options.Debounce) or at the latest Options.MaxDelay after
// the first unevaluated change, the server re-evaluates and publishes the
// findings. The first evaluation (and any after the watched set changed)
// builds a governance.Inventory from the informer caches exactly as
// cluster.Load builds it from lists and evaluates everything; the others
// apply the changed objects to the last inventory and re-run only what
// they touch (see incremental.go). Either way the set of findings is the
// one `aigov check --kubeconfig` computes on the same state
// (TestIncrementalEqualsFull, and the e2e tests against an apiserver).
//
// Reports: with Options.Reports set, the leader (every server when leader
// election is off) writes one OpenReports Report named "aigov" per
// namespace with findings and one ClusterReport "aigov" for cluster-scoped
// objects (or wgpolicyk8s.io/v1alpha2 PolicyReports, named as `aigov check
// -o report` names them). A report holds one result per (check, policy
// entry, object); it is written with server-side apply (field manager
// "aigov"), only when its content changed, at a bounded rate, and deleted
// when its namespace has no finding left. A new leader lists the reports
// aigov wrote before and deletes those no longer wanted, so a restart
// rewrites reports and never duplicates them.
//
// Metrics are Prometheus text exposition (see Server.Handler, /metrics).
package live
