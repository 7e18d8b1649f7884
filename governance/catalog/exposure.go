package catalog

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/report"
	"github.com/aigov/aigov/netpol"
	"github.com/aigov/aigov/rbac"
	"github.com/aigov/aigov/secrets"
)

// The kinds of asset an Exposure is about (report.Exposure.Asset).
const (
	ExposureModelServer    = "model-server"
	ExposureVectorDatabase = "vector-database"
	ExposureModelStore     = "model-store"
	ExposureProviderKey    = "provider-key"
)

// Exposures returns the exposure of every model server reached from
// outside through a Gateway, vector database, model store and
// provider-key Secret of inv, in that order, each sorted by namespace
// and name. Network paths come from netpol (WhoCanReach on the pods'
// declared ports, any port when none is declared) and from the Gateway
// API route graph (a listener, the HTTPRoute it accepts, the backendRef's
// Service or InferencePool selecting the pods: "Gateway infra/gw listener
// https (HTTPRoute ml/chat spec.rules[0].backendRefs[0] -> InferencePool
// ml/llama)"); access from rbac (pods/exec, pods/attach, pods/portforward
// and pod creation in the asset's namespace) and secrets.Exposure (Secret
// read).
func Exposures(inv *governance.Inventory) []report.Exposure {
	return ExposuresOf(governance.NewPass(inv))
}

// ExposuresRequire are the facts ExposuresOf reads.
var ExposuresRequire = []governance.FactRef{netpol.GraphFact, rbac.GraphFact, secrets.ExposureFact,
	ClassificationFact, workloadEndpointsFact, gatewayRoutesFact}

// ExposuresOf is Exposures of the pass's inventory, reading the facts the
// pass has computed (the graphs, the classification and the secret
// exposure a run of the catalog's checks built) and computing the others
// (ExposuresRequire).
func ExposuresOf(pass *governance.Pass) []report.Exposure {
	inv := pass.Inventory
	g := netpol.GraphFact.Of(pass)
	rg := rbac.GraphFact.Of(pass)
	byWorkload := workloadEndpointsFact.Of(pass)
	var out []report.Exposure

	podAccess := func(ns string) []string {
		acc := newAccessSet()
		reqs := []struct{ way, sub string }{{"exec", "exec"}, {"attach", "attach"}, {"port-forward", "portforward"}, {"create-pods", ""}}
		for _, r := range reqs {
			for _, s := range rg.WhoCan(rbac.Attributes{Verb: "create", Namespace: ns, Resource: "pods", Subresource: r.sub}) {
				if !s.Superuser {
					acc.add(s.Subject, r.way)
				}
			}
		}
		return acc.list()
	}
	var sources *sourceWorkloads // built on first use
	// network lists what reaches the endpoints eps, each source with its
	// ports: an external range by itself, pods aggregated by workload,
	// namespace and team where all of them reach eps on the same ports
	// (sourceList).
	network := func(eps []*netpol.Endpoint) []string {
		ports := map[*netpol.Endpoint]netpol.PortSet{}
		var order []*netpol.Endpoint
		for _, dst := range eps {
			for _, src := range g.Endpoints() {
				if slices.Contains(eps, src) {
					continue
				}
				if ps := g.Connections(src, dst); !ps.IsEmpty() {
					if _, seen := ports[src]; !seen {
						order = append(order, src)
					}
					ports[src] = ports[src].Union(ps)
				}
			}
		}
		var names []string
		byWorkload := map[string]netpol.PortSet{}
		for _, src := range order {
			if src.Kind == netpol.ExternalEndpoint {
				names = append(names, fmt.Sprintf("%s %s", describeEndpoint(src), ports[src]))
				continue
			}
			byWorkload[sourceKey(src)] = byWorkload[sourceKey(src)].Union(ports[src])
		}
		byPorts := map[string]*sourceList{}
		for _, src := range order {
			if src.Kind == netpol.ExternalEndpoint {
				continue
			}
			ps := byWorkload[sourceKey(src)].String()
			if byPorts[ps] == nil {
				byPorts[ps] = newSourceList()
			}
			byPorts[ps].add(src)
		}
		if len(byPorts) > 0 && sources == nil {
			sources = newSourceWorkloads(g, inv.TeamOf)
		}
		for ps, l := range byPorts {
			for _, d := range l.describe(sources, nil) {
				names = append(names, d+" "+ps)
			}
		}
		sort.Strings(names)
		return names
	}

	viaGateway := gatewayWays(gatewayRoutesFact.Of(pass))
	cws := ClassificationFact.Of(pass)
	// Model servers: inference servers some Gateway listener reaches. The
	// pod kinds of one custom resource make one row.
	served := map[*governance.Object]int{}
	for _, cw := range cws {
		w := cw.Workload
		ways := viaGateway[workloadKey(w)]
		if cw.Classification.Class != ClassInferenceServer || len(ways) == 0 {
			continue
		}
		if i, seen := served[w.Object]; seen {
			out[i].Network = mergeSorted(out[i].Network, network(endpointsOf(byWorkload, w)), ways)
			continue
		}
		served[w.Object] = len(out)
		out = append(out, report.Exposure{Asset: ExposureModelServer, Object: w.Object.Ref(),
			Network: mergeSorted(network(endpointsOf(byWorkload, w)), ways), Access: podAccess(w.Namespace)})
	}
	for _, cw := range cws {
		if cw.Classification.Class != ClassVectorDatabase {
			continue
		}
		w := cw.Workload
		out = append(out, report.Exposure{Asset: ExposureVectorDatabase, Object: w.Object.Ref(), UsedBy: nil,
			Network: mergeSorted(network(endpointsOf(byWorkload, w)), viaGateway[workloadKey(w)]), Access: podAccess(w.Namespace)})
	}

	// Model stores: PVCs mounted by AI workloads other than vector databases.
	mounts := map[[2]string][]governance.Workload{}
	for _, cw := range cws {
		w, class := cw.Workload, cw.Classification.Class
		if class == ClassNone || class == ClassVectorDatabase || w.Pod == nil {
			continue
		}
		for _, v := range w.Pod.Spec.Volumes {
			if v.PersistentVolumeClaim != nil {
				k := [2]string{w.Namespace, v.PersistentVolumeClaim.ClaimName}
				mounts[k] = append(mounts[k], w)
			}
		}
	}
	for _, pvc := range governance.Typed[*corev1.PersistentVolumeClaim](inv) {
		users := mounts[[2]string{pvc.Namespace, pvc.Name}]
		if len(users) == 0 {
			continue
		}
		o := inv.Get(governance.Key{Kind: "PersistentVolumeClaim", Namespace: pvc.Namespace, Name: pvc.Name})
		var used, ways []string
		var eps []*netpol.Endpoint
		for _, u := range users {
			used = append(used, u.Kind+"/"+u.Name)
			eps = append(eps, endpointsOf(byWorkload, u)...)
			ways = append(ways, viaGateway[workloadKey(u)]...)
		}
		out = append(out, report.Exposure{Asset: ExposureModelStore, Object: o.Ref(), UsedBy: used,
			Network: mergeSorted(network(eps), ways), Access: podAccess(pvc.Namespace)})
	}

	keys := ProviderKeySecrets(inv)
	for _, e := range secrets.ExposureFact.Of(pass) {
		if _, ok := keys[[2]string{e.Namespace, e.Name}]; !ok {
			continue
		}
		o := inv.Get(governance.Key{Kind: "Secret", Namespace: e.Namespace, Name: e.Name})
		acc := newAccessSet()
		for _, a := range e.Access {
			if a.Superuser {
				continue
			}
			way := a.Via
			if a.Via == secrets.ViaExec {
				way = "exec into " + a.Workload
			}
			acc.add(a.Subject, way)
		}
		out = append(out, report.Exposure{Asset: ExposureProviderKey, Object: o.Ref(), UsedBy: e.UsedBy, Access: acc.list()})
	}
	return out
}

// accessSet collects subjects and the ways they get in, in first-seen
// order.
type accessSet struct {
	order []string
	ways  map[string][]string
}

func newAccessSet() *accessSet { return &accessSet{ways: map[string][]string{}} }

func (a *accessSet) add(s rbacv1.Subject, way string) {
	k := governance.DisplayName(s.Kind, s.Namespace, s.Name) // Group/g, ServiceAccount/ns/sa
	if _, ok := a.ways[k]; !ok {
		a.order = append(a.order, k)
	}
	if !slices.Contains(a.ways[k], way) {
		a.ways[k] = append(a.ways[k], way)
	}
}

func (a *accessSet) list() []string {
	out := make([]string, 0, len(a.order))
	for _, k := range a.order {
		out = append(out, k+" ("+strings.Join(a.ways[k], ", ")+")")
	}
	sort.Strings(out)
	return out
}

// gatewayWays maps each workload (workloadKey) that an HTTPRoute attached
// to a Gateway reaches to the ways in, one per listener and backendRef:
// "Gateway infra/gw listener https (HTTPRoute ml/chat
// spec.rules[0].backendRefs[0] -> InferencePool ml/llama)".
func gatewayWays(g *gatewayRoutes) map[string][]string {
	out := map[string][]string{}
	for _, r := range g.routes {
		for _, b := range r.backends {
			for _, l := range r.listeners {
				way := fmt.Sprintf("Gateway %s/%s listener %s (HTTPRoute %s/%s %s -> %s)", l.gateway.Namespace(), l.gateway.Name(), l.name,
					r.object.Namespace(), r.object.Name(), b.path, b.targetName())
				for _, cw := range b.workloads {
					k := workloadKey(cw.Workload)
					out[k] = append(out[k], way)
				}
			}
		}
	}
	return out
}

// mergeSorted returns the entries of lists, sorted, each once.
func mergeSorted(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}
