// cross-team-reachability denies network paths between teams: no pod of a
// namespace labelled team=A may reach (by the reachability graph of
// netpol, on any port) a pod of a namespace labelled team=B, unless the
// pair "A->B" is allowed by the allowed parameter. Namespaces without the
// team label take part in no pair (the platform's shared services are
// judged by the other network checks). One finding per allowed
// connection, on the destination workload, naming the source, the ports
// and the rules that allow it.

package catalog

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/labels"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/netpol"
)

// IDCrossTeamReachability is the catalog ID of the cross-team-reachability check.
const IDCrossTeamReachability = "cross-team-reachability"

// CrossTeamReachabilityParams are the parameters of cross-team-reachability.
type CrossTeamReachabilityParams struct {
	// TeamLabel is the namespace label naming the team (default
	// governance.TeamLabel, "team").
	TeamLabel string `json:"teamLabel,omitempty"`
	// Allowed lists the permitted "SOURCE->DESTINATION" team pairs.
	Allowed []string `json:"allowed,omitempty"`
	// Shared is a label selector of shared namespaces, exempt as source
	// and destination (default "isolation-level=shared"; "" exempts none).
	Shared *string `json:"shared,omitempty"`
}

func crossTeamReachabilityDefinition() governance.Definition {
	return governance.Definition{
		ID:          IDCrossTeamReachability,
		Description: "No pod of one team's namespace reaches a pod of another team's namespace, except allowed team pairs.",
		Severity:    governance.SeverityHigh,
		Kinds:       []string{"pods of namespaces with a team label (inventory: network policies)"},
		Params: []governance.Param{
			{Name: "teamLabel", Type: "string", Default: governance.TeamLabel, Description: "namespace label whose value names the team"},
			{Name: "allowed", Type: "[]string", Description: `permitted "SOURCE->DESTINATION" team pairs, e.g. "platform->nlp"`},
			{Name: "shared", Type: "string", Default: "isolation-level=shared",
				Description: `label selector of shared platform namespaces, exempt as source and destination ("" for none)`},
		},
		Requires: []governance.FactRef{netpol.GraphFact, netEdgesFact},
		New:      NewCrossTeamReachability,
	}
}

// NewCrossTeamReachability builds the cross-team-reachability check.
func NewCrossTeamReachability(params any) (governance.Check, error) {
	p := CrossTeamReachabilityParams{TeamLabel: governance.TeamLabel}
	if err := decodeParams(params, &p); err != nil {
		return governance.Check{}, err
	}
	if err := validateLabelKey("teamLabel", p.TeamLabel); err != nil {
		return governance.Check{}, err
	}
	sharedText := "isolation-level=shared"
	if p.Shared != nil {
		sharedText = *p.Shared
	}
	shared := labels.Nothing()
	if sharedText != "" {
		sel, err := labels.Parse(sharedText)
		if err != nil {
			return governance.Check{}, fmt.Errorf("shared: %w", err)
		}
		shared = sel
	}
	allowed := map[[2]string]bool{}
	for i, a := range p.Allowed {
		src, dst, ok := strings.Cut(a, "->")
		src, dst = strings.TrimSpace(src), strings.TrimSpace(dst)
		if !ok || src == "" || dst == "" {
			return governance.Check{}, fmt.Errorf("allowed[%d] %q is not SOURCE->DESTINATION", i, a)
		}
		allowed[[2]string{src, dst}] = true
	}
	d := crossTeamReachabilityDefinition()
	return governance.Check{
		ID: d.ID, Description: d.Description, Severity: d.Severity, Requires: d.Requires,
		Remediation: "restrict the destination's ingress and the source's egress NetworkPolicies to the namespaces of the same team, or allow the team pair explicitly",
		Inventory: func(pass *governance.Pass) []governance.Finding {
			inv := pass.Inventory
			g := netpol.GraphFact.Of(pass)
			teams := map[string]string{}
			team := func(ns string) string {
				t, ok := teams[ns]
				if !ok {
					l := namespaceLabelsOf(inv, ns)
					if !shared.Matches(labels.Set(l)) {
						t = l[p.TeamLabel]
					}
					teams[ns] = t
				}
				return t
			}
			refs := workloadRefs(inv)
			var out []governance.Finding
			for _, e := range netEdgesFact.Of(pass) {
				if e.src.Kind == netpol.ExternalEndpoint || e.dst.Kind == netpol.ExternalEndpoint || e.src.Namespace == e.dst.Namespace {
					continue
				}
				st, dt := team(e.src.Namespace), team(e.dst.Namespace)
				if st == "" || dt == "" || st == dt || allowed[[2]string{st, dt}] {
					continue
				}
				ref, ok := refs[e.dst.Namespace+"/"+e.dst.Workload]
				if !ok {
					continue
				}
				out = append(out, governance.Finding{Object: ref,
					Message: fmt.Sprintf("%s of team %s is reachable from %s of team %s on %s; %s",
						e.dst.Name, dt, describeEndpoint(e.src), st, e.ports, why(g, e))})
			}
			return out
		},
	}, nil
}

// workloadRefs maps "namespace/Kind/name" to the workload's ObjectRef.
func workloadRefs(inv *governance.Inventory) map[string]governance.ObjectRef {
	out := map[string]governance.ObjectRef{}
	for _, w := range inv.Workloads() {
		out[w.Namespace+"/"+w.ID()] = w.Object.Ref()
	}
	return out
}
