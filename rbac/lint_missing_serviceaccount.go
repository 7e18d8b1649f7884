package rbac

import (
	"fmt"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/aigov/aigov/governance"
)

// lintMissingServiceAccount: a binding subject that is a service account
// (kind ServiceAccount, or a User spelled system:serviceaccount:NS:NAME)
// which is not in the inventory — a stale grant, or one waiting for whoever
// creates an account of that name. The "default" account, which the
// controller creates in every namespace, is never reported. A
// ServiceAccount subject of a ClusterRoleBinding without a namespace never
// matches anyone and is reported too.
func lintMissingServiceAccount() LintRule {
	return LintRule{
		ID:          "rbac-missing-serviceaccount",
		Severity:    governance.SeverityLow,
		Description: "a binding names a service account that is not in the inventory",
		Remediation: "remove the subject, or include the ServiceAccount in the manifests",
		check: func(ctx *lintContext, lr *LintRule) []governance.Finding {
			var out []governance.Finding
			for _, b := range ctx.bindings {
				for i, s := range b.subjects {
					path := fmt.Sprintf("subjects[%d]", i)
					if s.Kind == rbacv1.ServiceAccountKind && s.Namespace == "" && b.ref.Namespace == "" {
						out = append(out, lr.finding(b.obj, path, "%s: ServiceAccount %q has no namespace and never matches anyone", b.ref, s.Name))
						continue
					}
					n, ok := normalizeSubject(s, b.ref.Namespace)
					if !ok || n.Kind != rbacv1.ServiceAccountKind || n.Name == "default" {
						continue
					}
					if !ctx.g.serviceAccounts[Ref{Kind: "ServiceAccount", Namespace: n.Namespace, Name: n.Name}] {
						out = append(out, lr.finding(b.obj, path, "%s: ServiceAccount %s/%s is not in the inventory", b.ref, n.Namespace, n.Name))
					}
				}
			}
			return out
		},
	}
}
