// team-group-risks denies dangerous permission classes to team groups: a
// Group subject of a RoleBinding in a team namespace (a namespace with the
// team label) must hold none of the listed rbac risk classes — by default
// the wildcard and escalation classes (WILDCARD_ADMIN, RBAC_BIND,
// RBAC_ESCALATE, RBAC_ROLE_WRITE, RBAC_BINDING_WRITE, IMPERSONATE,
// SA_TOKEN_MINT, NODES_PROXY, CSR_APPROVE, CSR_SIGN, WEBHOOK_WRITE,
// SYSTEM_MASTERS, EKS_AWS_AUTH) — in any scope. It reads rbac.Graph.Risks,
// so classes are decided by the authorizer's matching (aggregation,
// wildcards, resourceNames), and reports each on the binding of the first
// grant, as `aigov rbac risks` does. Everyone in a team group holds what
// the group holds: a wildcard Role reads every Secret and writes Roles.
//
// WILDCARD_ADMIN is not reported here: a group holds it only through a
// rule with "*" verbs, resources and apiGroups, and every such binding of
// a (non-"system:") group is already rbac-wildcard-team-grant's finding on
// the same binding, which names the subject entry (subjects[i]) and the
// rule — one cause, one finding. rbac-wildcard-team-grant keeps the cause
// because it is the narrower question, runs in `aigov rbac lint` too, and
// covers every group, in a team namespace or not. WILDCARD_ADMIN stays in
// the classes asked for, so that the classes it implies (RBAC_BIND,
// RBAC_ROLE_WRITE, ...) are not reported on a wildcard binding either;
// team-group-risks reports what only it sees: escalation classes granted
// without a full wildcard (bind, escalate, Role and binding writes,
// impersonation, token minting, ...).

package catalog

import (
	"fmt"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/rbac"
)

// IDTeamGroupRisks is the catalog ID of the team-group-risks check.
const IDTeamGroupRisks = "team-group-risks"

// TeamGroupRisksParams are the parameters of team-group-risks.
type TeamGroupRisksParams struct {
	// TeamLabel is the namespace label naming the team (default
	// governance.TeamLabel, "team").
	TeamLabel string `json:"teamLabel,omitempty"`
	// Classes are the rbac risk class IDs team groups must not hold.
	Classes []string `json:"classes,omitempty"`
}

// defaultTeamGroupRiskClasses are the wildcard and escalation classes.
func defaultTeamGroupRiskClasses() []string {
	return []string{"WILDCARD_ADMIN", "RBAC_BIND", "RBAC_ESCALATE", "RBAC_ROLE_WRITE", "RBAC_BINDING_WRITE",
		"IMPERSONATE", "SA_TOKEN_MINT", "NODES_PROXY", "CSR_APPROVE", "CSR_SIGN", "WEBHOOK_WRITE",
		"SYSTEM_MASTERS", "EKS_AWS_AUTH"}
}

func teamGroupRisksDefinition() governance.Definition {
	return governance.Definition{
		ID:          IDTeamGroupRisks,
		Description: "Groups bound in team namespaces hold no escalation RBAC risk class (wildcards: rbac-wildcard-team-grant).",
		Severity:    governance.SeverityHigh,
		Kinds:       []string{"RoleBindings, ClusterRoleBindings of groups bound in team namespaces (inventory: RBAC)"},
		Params: []governance.Param{
			{Name: "teamLabel", Type: "string", Default: governance.TeamLabel, Description: "namespace label that makes a namespace a team namespace"},
			{Name: "classes", Type: "[]string", Default: "wildcard and escalation classes",
				Description: "rbac risk class IDs (aigov rbac risks) that team groups must not hold"},
		},
		Requires: []governance.FactRef{rbac.GraphFact},
		New:      NewTeamGroupRisks,
	}
}

// NewTeamGroupRisks builds the team-group-risks check.
func NewTeamGroupRisks(params any) (governance.Check, error) {
	p := TeamGroupRisksParams{TeamLabel: governance.TeamLabel, Classes: defaultTeamGroupRiskClasses()}
	if err := decodeParams(params, &p); err != nil {
		return governance.Check{}, err
	}
	if err := validateLabelKey("teamLabel", p.TeamLabel); err != nil {
		return governance.Check{}, err
	}
	if err := validateDistinct("classes", p.Classes); err != nil {
		return governance.Check{}, err
	}
	var classes []rbac.RiskClass
	for i, id := range p.Classes {
		found := false
		for _, c := range rbac.RiskClasses() {
			if c.ID == id {
				classes = append(classes, c)
				found = true
			}
		}
		if !found {
			return governance.Check{}, fmt.Errorf("classes[%d]: unknown rbac risk class %q", i, id)
		}
	}
	d := teamGroupRisksDefinition()
	return governance.Check{
		ID: d.ID, Description: d.Description, Severity: d.Severity, Requires: d.Requires,
		Remediation: "bind the team group to a developer Role that lists the resources and verbs it needs (no *, no roles/rolebindings write, no bind/escalate/impersonate)",
		Inventory: func(pass *governance.Pass) []governance.Finding {
			inv := pass.Inventory
			groups := teamGroups(inv, p.TeamLabel)
			if len(groups) == 0 {
				return nil
			}
			var out []governance.Finding
			for _, r := range rbac.GraphFact.Of(pass).Risks(classes) {
				if r.Subject.Kind != rbacv1.GroupKind || !groups[r.Subject.Name] || wildcardTeamGrant(r) {
					continue
				}
				f := r.Finding()
				if o := inv.Get(governance.Key{Group: "rbac.authorization.k8s.io", Kind: f.Object.Kind, Namespace: f.Object.Namespace, Name: f.Object.Name}); o != nil {
					f.Object = o.Ref()
				}
				f.Check, f.Name, f.Remediation = "", "", ""
				scope := "cluster-wide"
				if r.Namespace != "" {
					scope = "in namespace " + r.Namespace
				}
				f.Message = fmt.Sprintf("team group %s holds %s %s: %s", r.Subject.Name, r.Class, scope, r.Message)
				out = append(out, f)
			}
			return out
		},
	}, nil
}

// teamGroups is the set of Group subjects of RoleBindings in namespaces
// carrying the team label.
func teamGroups(inv *governance.Inventory, teamLabel string) map[string]bool {
	out := map[string]bool{}
	for _, rb := range governance.Typed[*rbacv1.RoleBinding](inv) {
		if _, ok := namespaceLabelsOf(inv, rb.Namespace)[teamLabel]; !ok {
			continue
		}
		for _, s := range rb.Subjects {
			if s.Kind == rbacv1.GroupKind {
				out[s.Name] = true
			}
		}
	}
	return out
}

// wildcardTeamGrant reports whether r is a group's WILDCARD_ADMIN, which
// rbac-wildcard-team-grant reports on the same binding (see the file's
// comment); its checkWildcardTeamGrant leaves "system:" groups to the risk
// classes, and so this check keeps them.
func wildcardTeamGrant(r rbac.Risk) bool {
	return r.Class == "WILDCARD_ADMIN" && r.Subject.Kind == rbacv1.GroupKind && !strings.HasPrefix(r.Subject.Name, "system:")
}
