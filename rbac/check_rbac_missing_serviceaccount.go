package rbac

import (
	"fmt"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/aigov/aigov/governance"
)

// checkMissingServiceAccount (rbac-missing-serviceaccount) finds grants to
// service accounts that do not exist: stale grants, or grants waiting for
// whoever creates an account of that name. It reads the subjects of
// RoleBindings and ClusterRoleBindings and the ServiceAccounts of the
// inventory, and denies a subject that is a service account (kind
// ServiceAccount, or a User spelled system:serviceaccount:NS:NAME) not in
// the inventory, and a ServiceAccount subject of a ClusterRoleBinding
// without a namespace, which never matches anyone. The "default" account,
// which the controller creates in every namespace, is never reported.
func checkMissingServiceAccount() lintCheck {
	return lintCheck{
		id:          "rbac-missing-serviceaccount",
		severity:    governance.SeverityLow,
		description: "a binding names a service account that is not in the inventory",
		remediation: "remove the subject, or include the ServiceAccount in the manifests",
		kinds:       bindingsKinds,
		admissionNote: "no VAP: it reads other objects, the ServiceAccounts the subjects name, which an admission policy cannot look up " +
			"(aigov serve's webhook decides it with the inventory in view)",
		run: func(ctx *lintContext, lc *lintCheck) []governance.Finding {
			var out []governance.Finding
			for _, b := range ctx.bindings {
				for i, s := range b.subjects {
					path := fmt.Sprintf("subjects[%d]", i)
					if s.Kind == rbacv1.ServiceAccountKind && s.Namespace == "" && b.ref.Namespace == "" {
						out = append(out, lc.finding(b.obj, path, "%s: ServiceAccount %q has no namespace and never matches anyone", b.ref, s.Name))
						continue
					}
					n, ok := normalizeSubject(s, b.ref.Namespace)
					if !ok || n.Kind != rbacv1.ServiceAccountKind || n.Name == "default" {
						continue
					}
					if !ctx.g.serviceAccounts[Ref{Kind: "ServiceAccount", Namespace: n.Namespace, Name: n.Name}] {
						out = append(out, lc.finding(b.obj, path, "%s: ServiceAccount %s/%s is not in the inventory", b.ref, n.Namespace, n.Name))
					}
				}
			}
			return out
		},
	}
}
