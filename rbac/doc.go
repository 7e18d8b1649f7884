// Package rbac answers who can do what in a cluster, and why, with the
// kube-apiserver's own semantics: the RBAC authorizer's rule matching
// (verbs, API groups, "*/subresource", resourceNames, non-resource URL
// prefixes), its resolver walk (every ClusterRoleBinding, the RoleBindings
// of the request namespace, roles resolved in the binding's namespace,
// missing roles granting nothing), the identities the apiserver builds for
// service accounts and impersonation, system:masters as a superuser, and
// ClusterRole aggregation computed offline as the controller would.
//
// A Graph is built once from an inventory and answers in both directions:
// Can (with the binding → role → rule provenance and the apiserver's reason
// text), Grants, WhoCan, Effective (an identity's permissions, compacted)
// and Risks (subjects holding dangerous permission classes). Only the
// objects given are used: no bootstrap roles are assumed.
//
//	inv, _ := loader.Load("rbac/")
//	g := rbac.New(inv)
//	d := g.Can(rbac.ServiceAccount("llm", "inference"),
//		rbac.Attributes{Verb: "get", Namespace: "llm", Resource: "secrets", Name: "openai-key"})
//	fmt.Println(d.Allowed, d.Reason)
//
// Beyond queries: Lint (hygiene rules, one file per rule: missing roles and
// service accounts, resources and verbs the built-in API never serves,
// resourceNames that cannot match, empty and invalid rules); CanBind and
// CanWriteRole (the escalation-prevention checks, with component-helpers'
// Covers) and EscalationPaths (shortest chains to cluster-admin power);
// ScanAuditLog/ReadAuditLogs (audit.k8s.io/v1 Events, streaming), Unused
// (grants never exercised) and Generate (least-privilege roles from observed
// requests); Diff (access an after-state adds, a CI gate).
//
// Answers are proved equal to the real kube-apiserver's SubjectAccessReview
// by randomized differential tests (see differential_test.go).
package rbac
