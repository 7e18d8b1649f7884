package rbac

import rbacv1 "k8s.io/api/rbac/v1"

// Unneeded is the other half of Generate's diff: the grants bound to the
// subject itself today (ClusterRoleBindings and RoleBindings naming it, by
// rule of their roles) that the log's requests do not need — rules never
// exercised, and used rules with verbs or resourceNames never used (see
// Unused). Grants the subject holds through a group are shared with the
// group's other members and not listed. Sorted as Unused.
func (g *Graph) Unneeded(log *AuditLog, subject rbacv1.Subject) []GrantUsage {
	want, ok := normalizeSubject(subject, subject.Namespace)
	if !ok {
		return nil
	}
	var out []GrantUsage
	for _, u := range g.Unused(log) {
		if u.Subject == want {
			out = append(out, u)
		}
	}
	return out
}
