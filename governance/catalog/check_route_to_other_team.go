// route-to-other-team denies an HTTPRoute whose backendRef (or request
// mirror) reaches a Service or InferencePool of another team: the route's
// namespace and the backend's namespace both carry a team
// (governance.Inventory.TeamOf) and the teams differ. Such a reference
// works only with a ReferenceGrant of the backend's namespace, and then
// the route's team decides which host names, paths and Gateways lead to
// the other team's model: who may call it, and who pays for it. A
// reference no ReferenceGrant permits reaches nothing (the Gateway
// reports RefNotPermitted) and is not a finding. One finding per
// backendRef, on the HTTPRoute at the reference.

package catalog

import (
	"fmt"

	"github.com/aigov/aigov/governance"
)

// IDRouteToOtherTeam is the catalog ID of the route-to-other-team check.
const IDRouteToOtherTeam = "route-to-other-team"

func routeToOtherTeamDefinition() governance.Definition {
	return governance.Definition{
		ID:          IDRouteToOtherTeam,
		Description: "An HTTPRoute's backendRefs reach only Services and InferencePools of the route's own team.",
		Severity:    governance.SeverityMedium,
		Kinds:       []string{"HTTPRoute (inventory)"},
		Requires:    []governance.FactRef{gatewayRoutesFact},
		New:         NewRouteToOtherTeam,
	}
}

// NewRouteToOtherTeam builds the route-to-other-team check.
func NewRouteToOtherTeam(params any) (governance.Check, error) {
	if err := noParams(params); err != nil {
		return governance.Check{}, err
	}
	d := routeToOtherTeamDefinition()
	return governance.Check{
		ID: d.ID, Description: d.Description, Severity: d.Severity, Requires: d.Requires,
		Remediation: "let the owning team route to its own Service or InferencePool (its own HTTPRoute on the shared Gateway), and remove the ReferenceGrant",
		Inventory: func(pass *governance.Pass) []governance.Finding {
			inv := pass.Inventory
			var out []governance.Finding
			for _, r := range gatewayRoutesFact.Of(pass).routes {
				from := inv.TeamOf(r.object.Namespace())
				if from == "" {
					continue
				}
				for _, b := range r.backends {
					if !b.permitted || !routableKind(b.group, b.kind) {
						continue
					}
					to := inv.TeamOf(b.namespace)
					if to == "" || to == from {
						continue
					}
					msg := fmt.Sprintf("HTTPRoute %q of team %s routes to %s of team %s", r.object.Name(), from, b.targetName(), to)
					if b.grant != nil {
						msg += fmt.Sprintf(" (permitted by ReferenceGrant %s/%s)", b.grant.Namespace(), b.grant.Name())
					}
					out = append(out, governance.Finding{Object: r.object.Ref(), Path: b.path, Message: msg})
				}
			}
			return out
		},
	}, nil
}

// routableKind reports whether a backendRef names a Service or an
// InferencePool.
func routableKind(group, kind string) bool {
	return (group == "" && kind == "Service") || (group == inferenceAPIGroup && kind == "InferencePool")
}
