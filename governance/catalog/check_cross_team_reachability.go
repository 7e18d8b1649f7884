// cross-team-reachability denies network paths between teams: no pod of a
// namespace labelled team=A may reach (by the reachability graph of
// netpol, on any port) a pod of a namespace labelled team=B, unless the
// pair "A->B" is allowed by the allowed parameter. Namespaces without the
// team label take part in no pair (the platform's shared services are
// judged by the other network checks). One finding per destination
// workload and set of ports, on the workload (or custom resource) that
// runs the destination pods, naming its sources and the rules that allow
// them: one source workload by name; several as a list where a
// namespace, or a team, every workload of which reaches the destination
// is one entry with its count ("team cv (all 12 workloads)"), so that
// the findings grow with destinations, not with pairs of pods or
// workloads.

package catalog

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
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
			// One finding per destination workload and ports; the
			// sources aggregate (sourceList).
			type path struct{ dst, ports string }
			type reach struct {
				ref     governance.ObjectRef
				dstTeam string
				ports   netpol.PortSet
				dsts    map[*netpol.Endpoint]bool
				sources *sourceList
				edges   []netEdge
			}
			paths := map[path]*reach{}
			var order []path
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
				k := path{dst: e.dst.Namespace + "/" + e.dst.Workload, ports: e.ports.String()}
				r := paths[k]
				if r == nil {
					r = &reach{ref: ref, dstTeam: dt, ports: e.ports, dsts: map[*netpol.Endpoint]bool{}, sources: newSourceList()}
					paths[k] = r
					order = append(order, k)
				}
				r.dsts[e.dst] = true
				r.sources.add(e.src)
				r.edges = append(r.edges, e)
			}
			if len(order) == 0 {
				return nil
			}
			idx := newSourceWorkloads(g, team)
			ofTeam := func(ns string) string { return " of team " + team(ns) }
			out := make([]governance.Finding, 0, len(order))
			for _, k := range order {
				r := paths[k]
				dst := r.edges[0].dst.Name
				if len(r.dsts) > 1 {
					_, name, _ := strings.Cut(r.edges[0].dst.Workload, "/")
					dst = r.edges[0].dst.Namespace + "/" + name
				}
				var msg string
				if from := r.sources.describe(idx, ofTeam); len(from) == 1 {
					// One workload, namespace or team.
					msg = fmt.Sprintf("%s of team %s is reachable from %s on %s; %s",
						dst, r.dstTeam, from[0], r.ports, whyAll(g, r.edges))
				} else {
					msg = fmt.Sprintf("%s of team %s is reachable from %d workloads on %s: %s; %s",
						dst, r.dstTeam, r.sources.workloads(), r.ports, strings.Join(from, ", "), whyAll(g, r.edges))
				}
				out = append(out, governance.Finding{Object: r.ref, Message: msg})
			}
			return out
		},
	}, nil
}

// whyAll names the rules that allow the first port of each edge, as why
// does for one: per direction the rules of all edges, and "not restricted
// for the other sources" where some edge's direction is not restricted.
func whyAll(g *netpol.Graph, edges []netEdge) string {
	type dir struct {
		rules        []string
		unrestricted bool
	}
	var egress, ingress dir
	found := false
	for _, e := range edges {
		for _, proto := range []corev1.Protocol{corev1.ProtocolTCP, corev1.ProtocolUDP, corev1.ProtocolSCTP} {
			rs := e.ports.Ranges(proto)
			if len(rs) == 0 {
				continue
			}
			found = true
			v := g.Allowed(e.src, e.dst, rs[0].Lo, proto)
			for _, d := range []struct {
				into *dir
				dec  netpol.Decision
			}{{&egress, v.Egress}, {&ingress, v.Ingress}} {
				if len(d.dec.Rules) == 0 {
					d.into.unrestricted = true
				}
				for _, r := range d.dec.Rules {
					d.into.rules = appendUnique(d.into.rules, r.String())
				}
			}
			break
		}
	}
	if !found {
		return ""
	}
	text := func(name string, d dir) string {
		switch {
		case len(d.rules) == 0:
			return name + " not restricted"
		case d.unrestricted:
			return name + " allowed by " + strings.Join(d.rules, ", ") + " and not restricted for the other sources"
		}
		return name + " allowed by " + strings.Join(d.rules, ", ")
	}
	return text("egress", egress) + "; " + text("ingress", ingress)
}

// workloadRefs maps each workloadKey to the workload's ObjectRef.
func workloadRefs(inv *governance.Inventory) map[string]governance.ObjectRef {
	out := map[string]governance.ObjectRef{}
	for _, w := range inv.Workloads() {
		out[workloadKey(w)] = w.Object.Ref()
	}
	return out
}
