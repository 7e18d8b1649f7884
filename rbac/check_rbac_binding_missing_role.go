package rbac

import "github.com/aigov/aigov/governance"

// checkBindingMissingRole (rbac-binding-missing-role) finds bindings that
// grant nothing and wait for someone to create the role they name. It
// reads roleRef of RoleBindings and ClusterRoleBindings and the Roles and
// ClusterRoles of the inventory, and denies a binding whose roleRef names a
// Role (in the binding's namespace) or ClusterRole that is not there, a
// roleRef kind that is neither, and a ClusterRoleBinding referring to a
// Role. The authorizer treats such a binding as granting nothing and names
// it in every denial's reason; whoever later creates a role of that name
// hands its rules to the binding's subjects.
func checkBindingMissingRole() lintCheck {
	return lintCheck{
		id:          "rbac-binding-missing-role",
		severity:    governance.SeverityMedium,
		description: "a binding refers to a Role or ClusterRole that does not exist",
		remediation: "delete the binding, or create the role it refers to (whoever creates a role of that name later grants it to the binding's subjects)",
		kinds:       bindingsKinds,
		admissionNote: "no VAP: it reads another object, the Role or ClusterRole the binding refers to, which an admission policy cannot look up " +
			"(aigov serve's webhook decides it with the inventory in view)",
		run: func(ctx *lintContext, lc *lintCheck) []governance.Finding {
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
				out = append(out, lc.finding(b.obj, "roleRef.name", "%s refers to %s, %s: it grants nothing", b.ref, b.roleRef, why))
			}
			return out
		},
	}
}
