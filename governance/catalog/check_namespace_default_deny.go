// namespace-default-deny requires every namespace that runs workloads to
// isolate all of its pods: no pod whose ingress (and, unless the egress
// parameter is false, egress) no policy of any tier restricts. It asks
// the reachability graph (netpol.Graph.DefaultDenyCoverage), so an
// AdminNetworkPolicy or BaselineAdminNetworkPolicy that selects the pods
// counts as well as a namespaced default-deny NetworkPolicy, and a policy
// whose podSelector selects nothing does not. One finding per namespace
// and direction, on the Namespace (or, when the inventory does not hold
// it, on its first unprotected workload), naming the unprotected pods.

package catalog

import (
	"fmt"
	"strings"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/netpol"
)

// IDNamespaceDefaultDeny is the catalog ID of the namespace-default-deny check.
const IDNamespaceDefaultDeny = "namespace-default-deny"

// NamespaceDefaultDenyParams are the parameters of namespace-default-deny.
type NamespaceDefaultDenyParams struct {
	// Egress requires egress isolation too (default true).
	Egress *bool `json:"egress,omitempty"`
}

func namespaceDefaultDenyDefinition() governance.Definition {
	return governance.Definition{
		ID:          IDNamespaceDefaultDeny,
		Description: "Every namespace with workloads isolates all its pods: a default-deny for ingress (and egress) by some NetworkPolicy or admin policy.",
		Severity:    governance.SeverityMedium,
		Kinds:       []string{"Namespaces with workloads (inventory: NetworkPolicies, AdminNetworkPolicies, BaselineAdminNetworkPolicies)"},
		Params: []governance.Param{{Name: "egress", Type: "bool", Default: "true",
			Description: "also require egress isolation (pods whose egress no policy restricts are findings)"}},
		Requires: []governance.FactRef{netpol.GraphFact},
		New:      NewNamespaceDefaultDeny,
	}
}

// NewNamespaceDefaultDeny builds the namespace-default-deny check.
func NewNamespaceDefaultDeny(params any) (governance.Check, error) {
	var p NamespaceDefaultDenyParams
	if err := decodeParams(params, &p); err != nil {
		return governance.Check{}, err
	}
	egress := p.Egress == nil || *p.Egress
	d := namespaceDefaultDenyDefinition()
	return governance.Check{
		ID: d.ID, Description: d.Description, Severity: d.Severity, Requires: d.Requires,
		Remediation: "add a NetworkPolicy with podSelector: {} and policyTypes [Ingress, Egress] and no rules to the namespace, then allow each flow the namespace needs",
		Inventory: func(pass *governance.Pass) []governance.Finding {
			inv := pass.Inventory
			g := netpol.GraphFact.Of(pass)
			var out []governance.Finding
			for _, c := range g.DefaultDenyCoverage() {
				for _, dir := range []struct {
					name string
					pods []string
				}{{"ingress", c.IngressUnprotected}, {"egress", c.EgressUnprotected}} {
					if len(dir.pods) == 0 || (dir.name == "egress" && !egress) {
						continue
					}
					out = append(out, governance.Finding{Object: namespaceRef(inv, c.Namespace, dir.pods[0], g),
						Message: fmt.Sprintf("namespace %s has no default-deny %s: no policy restricts the %s of %s",
							c.Namespace, dir.name, dir.name, strings.Join(dir.pods, ", "))})
				}
			}
			return out
		},
	}, nil
}
