// Package gen generates synthetic Kubernetes clusters for benchmarks and
// scale tests: a deterministic multi-tenant AI platform of any size, as
// typed k8s.io/api objects or as the multi-document YAML a user would feed
// to aigov.
//
// The same Options and Seed always give the same bytes, so benchmark figures
// of different packages (loading, RBAC, NetworkPolicy, quota) are measured on
// the same inputs. A cluster has:
//
//   - per namespace ("team-000", …): the Namespace (labels team,
//     platform.aigov.dev/managed, pod-security), a ResourceQuota (CPU,
//     memory, GPUs, pods), a LimitRange, a Role and RoleBinding for the
//     team, and a default-deny NetworkPolicy;
//   - per workload (kinds cycling through Options.WorkloadKinds): the
//     controller object with its pod template (some requesting GPUs), a
//     ServiceAccount, a ConfigMap, a Secret, a NetworkPolicy that admits
//     the previous workload of the namespace (a call chain such as
//     rag-api → llm-service → vector-db) and DNS egress, a Service for
//     long-running kinds, and Options.PodsPerWorkload Pods as the
//     controller would create them (owner references, status.podIPs);
//   - cluster-wide: Options.ClusterRoles ClusterRoles, each with a
//     ClusterRoleBinding, cycling through read-only, secret-reading,
//     pods/exec and wildcard rules.
//
// With Options.CRFraction, that share of each namespace's workloads are
// custom resources of the AI operators instead (RayCluster, PyTorchJob,
// LeaderWorkerSet, JobSet, InferenceService with its namespace's
// ServingRuntime), written as a cluster dump holds them: the resource, the
// StatefulSets, Jobs, Deployments, ReplicaSets, Services and Pods its
// operator creates, with the operator's labels and owner references; one
// mistake per namespace is planted in them (PlantedProblems). PlatformCR
// is Platform with a third of the workloads such resources.
//
// Typical use in a benchmark:
//
//	opts := gen.Options{Seed: 1, Namespaces: 50, WorkloadsPerNamespace: 20, PodsPerWorkload: 3, GPUFraction: 0.3}
//	data := gen.Cluster(opts)                 // multi-document YAML
//	objs := gen.Generate(opts).Objects         // or the typed objects
//	n := opts.ObjectCount()                    // len(objs), without generating
package gen
