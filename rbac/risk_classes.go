package rbac

import "github.com/aigov/aigov/governance"

// probe is one kind of request a risk class is about: any of Verbs on
// Resource[/Subresource] in Group. AnySubresource matches a grant on any
// subresource of Resource (userextras/KEY). Name, when set, is the one
// object that matters (aws-auth); otherwise any name, and a grant limited
// by resourceNames is reported as name-restricted. Cluster marks a
// cluster-scoped resource: RoleBindings cannot grant it.
type probe struct {
	Verbs          []string
	Group          string
	Resource       string
	Subresource    string
	AnySubresource bool
	Name           string
	Namespace      string
	Cluster        bool
}

// RiskClass is a dangerous permission class. A subject holds it in a scope
// when, for every entry of AllOf, its grants allow at least one request of
// that entry.
type RiskClass struct {
	ID          string
	Severity    governance.Severity
	Description string
	allOf       [][]probe
}

var (
	writeVerbs  = []string{"create", "update", "patch"}
	readVerbs   = []string{"get", "list", "watch"}
	anyVerbs    = []string{"get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"}
	rbacGroup   = "rbac.authorization.k8s.io"
	authnGroup  = "authentication.k8s.io"
	constrained = []string{"impersonate:user-info", "impersonate:serviceaccount", "impersonate:arbitrary-node", "impersonate:associated-node"}
)

func p(verbs []string, group, resource string, cluster bool) probe {
	return probe{Verbs: verbs, Group: group, Resource: resource, Cluster: cluster}
}

func ps(verbs []string, group, resource, sub string, cluster bool) probe {
	return probe{Verbs: verbs, Group: group, Resource: resource, Subresource: sub, Cluster: cluster}
}

func anyOf(probes ...probe) [][]probe { return [][]probe{probes} }

// RiskClasses returns the dangerous permission classes aigov reports
// (fresh values; the caller may filter them). WILDCARD_ADMIN,
// BROAD_SUBJECT_BINDING and SYSTEM_MASTERS are decided on rules and
// bindings directly; the rest by the requests they describe.
func RiskClasses() []RiskClass {
	return []RiskClass{
		{ID: "WILDCARD_ADMIN", Severity: governance.SeverityCritical, Description: "every verb on every resource of every API group"},
		{ID: "RBAC_BIND", Severity: governance.SeverityCritical, Description: "bind roles it does not hold (e.g. cluster-admin) to anyone",
			allOf: anyOf(p([]string{"bind"}, rbacGroup, "clusterroles", true), p([]string{"bind"}, rbacGroup, "roles", false), p([]string{"bind"}, rbacGroup, "clusterroles", false))},
		{ID: "RBAC_ESCALATE", Severity: governance.SeverityCritical, Description: "write rules it does not hold into roles",
			allOf: anyOf(p([]string{"escalate"}, rbacGroup, "clusterroles", true), p([]string{"escalate"}, rbacGroup, "roles", false))},
		{ID: "RBAC_BINDING_WRITE", Severity: governance.SeverityMedium, Description: "create or change role bindings (hand out roles it holds or may bind)",
			allOf: anyOf(p(writeVerbs, rbacGroup, "rolebindings", false), p(writeVerbs, rbacGroup, "clusterrolebindings", true))},
		{ID: "RBAC_ROLE_WRITE", Severity: governance.SeverityMedium, Description: "create or change roles; a labelled ClusterRole widens aggregated roles",
			allOf: anyOf(p(writeVerbs, rbacGroup, "roles", false), p(writeVerbs, rbacGroup, "clusterroles", true))},
		{ID: "IMPERSONATE", Severity: governance.SeverityCritical, Description: "act as another user, group or service account",
			allOf: anyOf(
				p([]string{"impersonate"}, "", "users", true), p([]string{"impersonate"}, "", "groups", true),
				p([]string{"impersonate"}, "", "serviceaccounts", false), p([]string{"impersonate"}, authnGroup, "uids", true),
				probe{Verbs: []string{"impersonate"}, Group: authnGroup, Resource: "userextras", AnySubresource: true, Cluster: true},
				p(constrained, authnGroup, "users", true), p(constrained, authnGroup, "groups", true),
				p(constrained, authnGroup, "nodes", true), p(constrained, authnGroup, "serviceaccounts", false))},
		{ID: "SECRETS_READ", Severity: governance.SeverityHigh, Description: "read secrets (list and watch return their contents)",
			allOf: anyOf(p(readVerbs, "", "secrets", false))},
		{ID: "SA_TOKEN_MINT", Severity: governance.SeverityHigh, Description: "mint tokens for service accounts",
			allOf: anyOf(ps([]string{"create"}, "", "serviceaccounts", "token", false))},
		{ID: "SECRET_TOKEN_MINT", Severity: governance.SeverityHigh, Description: "create or change secrets (a legacy token secret for a powerful service account)",
			allOf: anyOf(p(writeVerbs, "", "secrets", false))},
		{ID: "POD_CREATE", Severity: governance.SeverityHigh, Description: "create pods: run as any service account of the namespace, mount its secrets",
			allOf: anyOf(p([]string{"create"}, "", "pods", false))},
		{ID: "WORKLOAD_WRITE", Severity: governance.SeverityHigh, Description: "create or change pod controllers (as POD_CREATE, through a controller)",
			allOf: anyOf(p(writeVerbs, "apps", "deployments", false), p(writeVerbs, "apps", "daemonsets", false), p(writeVerbs, "apps", "statefulsets", false),
				p(writeVerbs, "apps", "replicasets", false), p(writeVerbs, "", "replicationcontrollers", false), p(writeVerbs, "batch", "jobs", false), p(writeVerbs, "batch", "cronjobs", false))},
		{ID: "POD_EXEC_ATTACH", Severity: governance.SeverityHigh, Description: "run commands in running pods (create pods/exec or pods/attach; get suffices before 1.35)",
			allOf: anyOf(ps([]string{"create"}, "", "pods", "exec", false), ps([]string{"create"}, "", "pods", "attach", false))},
		{ID: "POD_EPHEMERAL", Severity: governance.SeverityHigh, Description: "inject ephemeral (debug) containers into running pods",
			allOf: anyOf(ps([]string{"update", "patch"}, "", "pods", "ephemeralcontainers", false))},
		{ID: "POD_UPDATE", Severity: governance.SeverityMedium, Description: "change running pods (image, labels)",
			allOf: anyOf(p([]string{"update", "patch"}, "", "pods", false))},
		{ID: "NODES_PROXY", Severity: governance.SeverityCritical, Description: "the kubelet API through nodes/proxy: exec in any pod of the node, bypassing audit and admission (get is enough)",
			allOf: anyOf(ps(anyVerbs, "", "nodes", "proxy", true))},
		{ID: "CSR_APPROVE", Severity: governance.SeverityCritical, Description: "approve certificate signing requests: mint client certificates for any identity",
			allOf: [][]probe{{ps([]string{"update", "patch"}, "certificates.k8s.io", "certificatesigningrequests", "approval", true)}, {p([]string{"approve"}, "certificates.k8s.io", "signers", true)}}},
		{ID: "CSR_SIGN", Severity: governance.SeverityCritical, Description: "sign certificate signing requests without an approval step",
			allOf: [][]probe{{ps([]string{"update", "patch"}, "certificates.k8s.io", "certificatesigningrequests", "status", true)}, {p([]string{"sign"}, "certificates.k8s.io", "signers", true)}}},
		{ID: "WEBHOOK_WRITE", Severity: governance.SeverityHigh, Description: "change admission webhooks or policies: read or mutate every object, switch off guardrails",
			allOf: anyOf(p(writeVerbs, "admissionregistration.k8s.io", "mutatingwebhookconfigurations", true), p(writeVerbs, "admissionregistration.k8s.io", "validatingwebhookconfigurations", true),
				p(writeVerbs, "admissionregistration.k8s.io", "validatingadmissionpolicies", true), p(writeVerbs, "admissionregistration.k8s.io", "validatingadmissionpolicybindings", true),
				p(writeVerbs, "admissionregistration.k8s.io", "mutatingadmissionpolicies", true), p(writeVerbs, "admissionregistration.k8s.io", "mutatingadmissionpolicybindings", true))},
		{ID: "NODE_WRITE", Severity: governance.SeverityMedium, Description: "change, taint or delete nodes to move powerful pods",
			allOf: anyOf(p([]string{"update", "patch", "delete"}, "", "nodes", true))},
		{ID: "PORTFORWARD", Severity: governance.SeverityMedium, Description: "tunnel to pod ports around NetworkPolicy",
			allOf: anyOf(ps([]string{"create"}, "", "pods", "portforward", false))},
		{ID: "PV_CREATE", Severity: governance.SeverityMedium, Description: "create persistent volumes (hostPath exposes the node filesystem)",
			allOf: anyOf(p([]string{"create"}, "", "persistentvolumes", true))},
		{ID: "BROAD_SUBJECT_BINDING", Severity: governance.SeverityHigh, Description: "a binding to everyone, every authenticated user or every service account"},
		{ID: "SYSTEM_MASTERS", Severity: governance.SeverityCritical, Description: "a binding to system:masters, the superuser group RBAC cannot revoke"},
		{ID: "EKS_AWS_AUTH", Severity: governance.SeverityCritical, Description: "change kube-system/aws-auth: map any IAM principal to cluster-admin on EKS",
			allOf: anyOf(probe{Verbs: []string{"update", "patch"}, Resource: "configmaps", Name: "aws-auth", Namespace: "kube-system"})},
		{ID: "STATUS_SPOOF", Severity: governance.SeverityMedium, Description: "write services/status or pods/status (CVE-2020-8554 traffic capture, label spoofing)",
			allOf: anyOf(ps([]string{"update", "patch"}, "", "services", "status", false), ps([]string{"update", "patch"}, "", "pods", "status", false))},
		{ID: "NETWORK_WRITE", Severity: governance.SeverityLow, Description: "open or redirect traffic: NetworkPolicies, Services, endpoints, Ingresses, Gateway API",
			allOf: anyOf(p(writeVerbs, "networking.k8s.io", "networkpolicies", false), p(writeVerbs, "", "services", false), p(writeVerbs, "", "endpoints", false),
				p(writeVerbs, "discovery.k8s.io", "endpointslices", false), p(writeVerbs, "networking.k8s.io", "ingresses", false),
				p(writeVerbs, "gateway.networking.k8s.io", "gateways", false), p(writeVerbs, "gateway.networking.k8s.io", "httproutes", false))},
		{ID: "EXTENSION_WRITE", Severity: governance.SeverityHigh, Description: "register CRDs or aggregated API servers",
			allOf: anyOf(p(writeVerbs, "apiextensions.k8s.io", "customresourcedefinitions", true), p(writeVerbs, "apiregistration.k8s.io", "apiservices", true))},
		{ID: "DRA_DRIVER_WRITE", Severity: governance.SeverityHigh, Description: "forge or steal device (GPU) allocations through DRA driver status, claim bindings, device classes or resource slices",
			allOf: anyOf(ps([]string{"associated-node:update", "arbitrary-node:update"}, "resource.k8s.io", "resourceclaims", "driver", false),
				ps([]string{"update", "patch"}, "resource.k8s.io", "resourceclaims", "binding", false),
				p(writeVerbs, "resource.k8s.io", "deviceclasses", true), p(writeVerbs, "resource.k8s.io", "resourceslices", true))},
		{ID: "NODE_CAPACITY_SPOOF", Severity: governance.SeverityHigh, Description: "write nodes/status: advertise fake nvidia.com/gpu capacity",
			allOf: anyOf(ps([]string{"update", "patch"}, "", "nodes", "status", true))},
		{ID: "QUOTA_WRITE", Severity: governance.SeverityMedium, Description: "change ResourceQuotas or LimitRanges: bypass GPU quota",
			allOf: anyOf(p([]string{"create", "update", "patch", "delete"}, "", "resourcequotas", false), p([]string{"create", "update", "patch", "delete"}, "", "limitranges", false))},
		{ID: "PRIORITYCLASS_WRITE", Severity: governance.SeverityMedium, Description: "create PriorityClasses (globalDefault) to preempt others' GPU jobs",
			allOf: anyOf(p(writeVerbs, "scheduling.k8s.io", "priorityclasses", true))},
	}
}
