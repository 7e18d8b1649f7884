package rbac

import "github.com/aigov/aigov/governance"

// lintBindingMissingRole: a binding whose roleRef names a Role (in the
// binding's namespace) or ClusterRole that is not in the inventory. The
// authorizer treats it as granting nothing, names it in every denial's
// reason, and whoever later creates a role of that name hands its rules to
// the binding's subjects.
func lintBindingMissingRole() LintRule {
	return LintRule{
		ID:          "rbac-binding-missing-role",
		Severity:    governance.SeverityMedium,
		Description: "a binding refers to a Role or ClusterRole that does not exist",
		Remediation: "delete the binding, or create the role it refers to (whoever creates a role of that name later grants it to the binding's subjects)",
		check: func(ctx *lintContext, lr *LintRule) []governance.Finding {
			var out []governance.Finding
			for _, b := range ctx.bindings {
				if b.role != nil {
					continue
				}
				why := "which does not exist"
				if b.roleRef.Kind != "Role" && b.roleRef.Kind != "ClusterRole" {
					why = "which is not a Role or ClusterRole"
				} else if b.roleRef.Kind == "Role" && b.ref.Namespace == "" {
					why = "but a ClusterRoleBinding can only refer to a ClusterRole"
				}
				out = append(out, lr.finding(b.obj, "roleRef.name", "%s refers to %s, %s: it grants nothing", b.ref, b.roleRef, why))
			}
			return out
		},
	}
}
