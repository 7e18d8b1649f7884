// ray-dashboard-exposure denies network paths from outside a Ray
// cluster's team to the Ray head's dashboard and job API (TCP 8265) and
// client server (TCP 10001). Neither authenticates: whoever reaches 8265
// submits a job, and whoever reaches 10001 connects a Ray client — both
// run arbitrary code with the head's service account and mounts (the
// "ShadowRay" attacks, CVE-2023-48022). The head is a workload whose pods
// carry ray.io/node-type=head (the label KubeRay puts on the head pod of a
// RayCluster, RayJob or RayService; constants in ray-operator v1.5.0
// controllers/ray/utils/constant.go, where the ports are also
// DefaultDashboardPort and DefaultClientPort, named "dashboard" and
// "client" — a container port of that name moves them). Reachability is
// the netpol graph's (netEdgesFact); a source is outside the team when
// its namespace's team (governance.Inventory.TeamOf, or the namespace
// itself when it has none) differs from the head's, and every external
// address range is. One finding per Ray head, on the workload that runs
// it (the RayCluster), with its sources counted by team and namespace;
// cross-team-reachability still reports each pair of teams' workloads.

package catalog

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/netpol"
)

// IDRayDashboardExposure is the catalog ID of the ray-dashboard-exposure check.
const IDRayDashboardExposure = "ray-dashboard-exposure"

// The labels and default ports of a KubeRay head pod.
const (
	rayNodeTypeLabel     = "ray.io/node-type"
	rayClusterLabel      = "ray.io/cluster"
	rayDashboardPort     = 8265
	rayClientPort        = 10001
	rayDashboardPortName = "dashboard"
	rayClientPortName    = "client"
)

func rayDashboardExposureDefinition() governance.Definition {
	return governance.Definition{
		ID:          IDRayDashboardExposure,
		Description: "The Ray head's dashboard/job API (8265) and client port (10001), which run code without authentication, are reachable only from the Ray cluster's own team.",
		Severity:    governance.SeverityCritical,
		Kinds:       []string{"Ray head pods (inventory: network policies)"},
		Requires:    []governance.FactRef{netpol.GraphFact, netEdgesFact},
		New:         NewRayDashboardExposure,
	}
}

// rayHead is a Ray head workload and what reaches its unauthenticated
// ports from outside its team.
type rayHead struct {
	w       governance.Workload
	cluster string
	team    string
	ports   netpol.PortSet // the dashboard and client ports of its pods
	reached netpol.PortSet // the ones some outside source reaches
	// sources are the outside workloads by team, then namespace
	sources map[string]map[string]map[string]bool
	// external are the outside address ranges that reach it
	external []string
	rules    []string // the ingress rules that allow it, "" = not restricted
}

// NewRayDashboardExposure builds the ray-dashboard-exposure check.
func NewRayDashboardExposure(params any) (governance.Check, error) {
	if err := noParams(params); err != nil {
		return governance.Check{}, err
	}
	d := rayDashboardExposureDefinition()
	return governance.Check{
		ID: d.ID, Description: d.Description, Severity: d.Severity, Requires: d.Requires,
		Remediation: "add a NetworkPolicy selecting the head pods (ray.io/node-type: head) that allows 8265 and 10001 only from the namespaces of the Ray cluster's team, and reach the dashboard through kubectl port-forward or an authenticating proxy",
		Inventory: func(pass *governance.Pass) []governance.Finding {
			inv := pass.Inventory
			g := netpol.GraphFact.Of(pass)
			teamOf := func(ns string) string {
				if t := inv.TeamOf(ns); t != "" {
					return "team " + t
				}
				return "namespace " + ns
			}
			heads := map[string]*rayHead{} // by "namespace/Kind/name[role]", the netpol endpoint's workload
			var order []string
			for _, w := range inv.Workloads() {
				if w.Pod == nil || w.Pod.Labels[rayNodeTypeLabel] != "head" {
					continue
				}
				k := workloadKey(w)
				cluster := w.Pod.Labels[rayClusterLabel]
				if cluster == "" {
					cluster = w.Name
				}
				heads[k] = &rayHead{w: w, cluster: cluster, team: teamOf(w.Namespace), ports: rayHeadPorts(w.Pod),
					sources: map[string]map[string]map[string]bool{}}
				order = append(order, k)
			}
			if len(heads) == 0 {
				return nil
			}
			// A head's endpoints in a class, and, per class edge into
			// them, the sources outside its team: each such pair is a
			// path to the head, explained by the rules of its class pair.
			headsIn := newByClass(g, func(ms []*netpol.Endpoint) []endpointGroup[*rayHead] {
				return groupEndpoints(ms, func(e *netpol.Endpoint) (*rayHead, bool) {
					h := heads[e.Namespace+"/"+e.Workload]
					return h, h != nil && e.Kind != netpol.ExternalEndpoint
				})
			})
			explained := map[*rayHead][]netEdge{} // a pair per class edge, with the ports it reaches
			for _, ce := range netEdgesFact.Of(pass) {
				for _, he := range headsIn.get(ce.ToClass, ce.To) {
					h := he.key
					reached := ce.Ports.Intersect(h.ports)
					if reached.IsEmpty() {
						continue
					}
					var first *netpol.Endpoint
					for _, src := range ce.From {
						if src.Kind == netpol.ExternalEndpoint {
							h.external = append(h.external, src.Name)
						} else {
							team := teamOf(src.Namespace)
							if team == h.team {
								continue
							}
							if h.sources[team] == nil {
								h.sources[team] = map[string]map[string]bool{}
							}
							if h.sources[team][src.Namespace] == nil {
								h.sources[team][src.Namespace] = map[string]bool{}
							}
							name := src.Workload
							if name == "" {
								name = src.Name
							}
							h.sources[team][src.Namespace][name] = true
						}
						if first == nil {
							first = src
						}
					}
					if first != nil {
						h.reached = h.reached.Union(reached)
						explained[h] = append(explained[h], netEdge{src: first, dst: he.eps[0], ports: reached})
					}
				}
			}
			// The rules in the order of the pairs they allow first.
			for h, es := range explained {
				slices.SortFunc(es, compareEdges)
				for _, e := range es {
					port := e.ports.Ranges(corev1.ProtocolTCP)[0].Lo
					rules := g.Allowed(e.src, e.dst, port, corev1.ProtocolTCP).Ingress.Rules
					if len(rules) == 0 {
						h.rules = appendUnique(h.rules, "")
					}
					for _, r := range rules {
						h.rules = appendUnique(h.rules, r.String())
					}
				}
			}
			var out []governance.Finding
			for _, k := range order {
				h := heads[k]
				if h.reached.IsEmpty() {
					continue
				}
				out = append(out, governance.Finding{Object: h.w.Object.Ref(), Message: h.message()})
			}
			return out
		},
	}, nil
}

// rayHeadPorts are the TCP ports of a head pod's dashboard and client
// servers: the container ports named dashboard and client, else the
// defaults.
func rayHeadPorts(pod *corev1.Pod) netpol.PortSet {
	dashboard, client := int32(rayDashboardPort), int32(rayClientPort)
	for _, c := range pod.Spec.Containers {
		for _, p := range c.Ports {
			switch p.Name {
			case rayDashboardPortName:
				dashboard = p.ContainerPort
			case rayClientPortName:
				client = p.ContainerPort
			}
		}
	}
	return netpol.PortsOf(corev1.ProtocolTCP, dashboard, dashboard).Union(netpol.PortsOf(corev1.ProtocolTCP, client, client))
}

func (h *rayHead) message() string {
	var from []string
	teams := make([]string, 0, len(h.sources))
	for t := range h.sources {
		teams = append(teams, t)
	}
	sort.Strings(teams)
	workloads := 0
	for _, t := range teams {
		var nss []string
		for ns, ws := range h.sources[t] {
			nss = append(nss, fmt.Sprintf("%s: %d %s", ns, len(ws), plural(len(ws), "workload", "workloads")))
			workloads += len(ws)
		}
		sort.Strings(nss)
		from = append(from, t+" ("+strings.Join(nss, ", ")+")")
	}
	slices.Sort(h.external)
	h.external = slices.Compact(h.external)
	for _, r := range h.external {
		from = append(from, "external "+r)
	}
	counts := fmt.Sprintf("%d %s", workloads, plural(workloads, "workload", "workloads"))
	if n := len(h.external); n > 0 {
		counts += fmt.Sprintf(" and %d external %s", n, plural(n, "range", "ranges"))
	}
	var rules []string
	unrestricted := false
	for _, r := range h.rules {
		if r == "" {
			unrestricted = true
		} else {
			rules = append(rules, r)
		}
	}
	var why string
	switch {
	case len(rules) == 0:
		why = "no NetworkPolicy restricts ingress to the head"
	case unrestricted:
		why = "ingress allowed by " + strings.Join(rules, ", ") + " and not restricted for the other sources"
	default:
		why = "ingress allowed by " + strings.Join(rules, ", ")
	}
	return fmt.Sprintf("the head of Ray cluster %q (%s) of %s serves its dashboard/job API and client (%s; unauthenticated code execution) to %s outside the team: %s; %s",
		h.cluster, h.w.DisplayName(), h.team, h.reached, counts, strings.Join(from, "; "), why)
}
