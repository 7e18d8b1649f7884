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
	"slices"
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
			// A class's pod endpoints in team namespaces, by namespace:
			// team and namespace are what the check judges, so it pairs
			// namespaces of a class edge, not endpoints.
			classNamespaces := newByClass(g, func(ms []*netpol.Endpoint) []endpointGroup[string] {
				return groupEndpoints(ms, func(e *netpol.Endpoint) (string, bool) {
					return e.Namespace, e.Kind != netpol.ExternalEndpoint && team(e.Namespace) != ""
				})
			})
			// The endpoints of a source class that must not reach team
			// dt: the same for every destination of that team the class
			// reaches, so the sources of a path are a few groups.
			type group struct {
				id    int
				parts []endpointGroup[string]
				first *netpol.Endpoint // the lowest in Endpoints order
			}
			type groupKey struct {
				class int
				team  string
			}
			groups := map[groupKey]*group{}
			sourcesFor := func(class int, src []endpointGroup[string], dt string) *group {
				k := groupKey{class, dt}
				grp, ok := groups[k]
				if !ok {
					for _, sn := range src {
						if st := team(sn.key); st == dt || allowed[[2]string{st, dt}] {
							continue
						}
						if grp == nil {
							grp = &group{id: len(groups)}
						}
						grp.parts = append(grp.parts, sn)
						if grp.first == nil || sn.eps[0].ID() < grp.first.ID() {
							grp.first = sn.eps[0]
						}
					}
					groups[k] = grp
				}
				return grp
			}
			// One finding per destination workload and ports; the
			// sources aggregate (sourceList).
			type path struct{ dst, ports string }
			type reach struct {
				ref     governance.ObjectRef
				dstTeam string
				ports   netpol.PortSet
				dsts    map[*netpol.Endpoint]bool
				// sources: each endpoint of a group is the source of
				// an edge to that many of the path's destinations
				sources map[*group]int
				edges   []netEdge // a pair per class edge, for whyAll
				last    int       // the class edge edges ends with
			}
			paths := map[path]*reach{}
			var order []path
			for i, ce := range netEdgesFact.Of(pass) {
				dst := classNamespaces.get(ce.ToClass, ce.To)
				if len(dst) == 0 {
					continue
				}
				src := classNamespaces.get(ce.FromClass, ce.From)
				if len(src) == 0 {
					continue
				}
				ports := ""
				for _, dn := range dst {
					dt := team(dn.key)
					grp := sourcesFor(ce.FromClass, src, dt)
					if grp == nil {
						continue
					}
					if ports == "" {
						ports = ce.Ports.String()
					}
					for _, d := range dn.eps {
						w := dn.key + "/" + d.Workload
						ref, ok := refs[w]
						if !ok {
							continue
						}
						k := path{dst: w, ports: ports}
						r := paths[k]
						if r == nil {
							r = &reach{ref: ref, dstTeam: dt, ports: ce.Ports, dsts: map[*netpol.Endpoint]bool{},
								sources: map[*group]int{}, last: -1}
							paths[k] = r
							order = append(order, k)
						}
						r.dsts[d] = true
						r.sources[grp]++
						if r.last != i {
							// d is the path's first destination in this
							// class edge: its pair with the group's first
							// source is the edge's first pair.
							r.last = i
							r.edges = append(r.edges, netEdge{src: grp.first, dst: d, ports: ce.Ports})
						}
					}
				}
			}
			if len(order) == 0 {
				return nil
			}
			// Matrix's order: paths by their first pair, rules by the
			// pairs that allow them first.
			for _, r := range paths {
				slices.SortFunc(r.edges, compareEdges)
			}
			slices.SortFunc(order, func(a, b path) int { return compareEdges(paths[a].edges[0], paths[b].edges[0]) })
			idx := newSourceWorkloads(g, team)
			ofTeam := func(ns string) string { return " of team " + team(ns) }
			// Paths with the same source groups (each with the same
			// number of edges, as far as sourceList tells them apart)
			// share their description: on a cluster without policies
			// every workload of a team has the same sources.
			type described struct {
				from      []string
				workloads int
			}
			descriptions := map[string]described{}
			describe := func(r *reach) described {
				grps := make([]*group, 0, len(r.sources))
				for grp := range r.sources {
					grps = append(grps, grp)
				}
				slices.SortFunc(grps, func(a, b *group) int { return a.id - b.id })
				var key strings.Builder
				key.WriteString(r.dstTeam)
				for _, grp := range grps {
					fmt.Fprintf(&key, "|%d:%d", grp.id, min(r.sources[grp], 2))
				}
				d, ok := descriptions[key.String()]
				if !ok {
					l := newSourceList()
					for _, grp := range grps {
						for _, part := range grp.parts {
							for _, e := range part.eps {
								l.addEdges(e, min(r.sources[grp], 2))
							}
						}
					}
					d = described{from: l.describe(idx, ofTeam), workloads: l.workloads()}
					descriptions[key.String()] = d
				}
				return d
			}
			out := make([]governance.Finding, 0, len(order))
			for _, k := range order {
				r := paths[k]
				dst := r.edges[0].dst.Name
				if len(r.dsts) > 1 {
					_, name, _ := strings.Cut(r.edges[0].dst.Workload, "/")
					dst = r.edges[0].dst.Namespace + "/" + name
				}
				var msg string
				if d := describe(r); len(d.from) == 1 {
					// One workload, namespace or team.
					msg = fmt.Sprintf("%s of team %s is reachable from %s on %s; %s",
						dst, r.dstTeam, d.from[0], r.ports, whyAll(g, r.edges))
				} else {
					msg = fmt.Sprintf("%s of team %s is reachable from %d workloads on %s: %s; %s",
						dst, r.dstTeam, d.workloads, r.ports, strings.Join(d.from, ", "), whyAll(g, r.edges))
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
