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
	ClassificationFact, workloadEndpointsFact, gatewayRoutesFact, netEdgesFact}

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

	// podAccess lists who may exec, attach, port-forward or create pods in
	// namespace ns. The answer depends on the namespace alone, and a
	// namespace holds many assets: each is asked once.
	accessByNS := map[string][]string{}
	podAccess := func(ns string) []string {
		if list, ok := accessByNS[ns]; ok {
			return slices.Clone(list)
		}
		acc := newAccessSet()
		reqs := []struct{ way, sub string }{{"exec", "exec"}, {"attach", "attach"}, {"port-forward", "portforward"}, {"create-pods", ""}}
		for _, r := range reqs {
			for _, s := range rg.WhoCan(rbac.Attributes{Verb: "create", Namespace: ns, Resource: "pods", Subresource: r.sub}) {
				if !s.Superuser {
					acc.add(s.Subject, r.way)
				}
			}
		}
		list := acc.list()
		accessByNS[ns] = list
		return slices.Clone(list)
	}
	// network lists what reaches the endpoints eps (exposureNetwork).
	var nw *exposureNetwork // built on first use
	network := func(eps []*netpol.Endpoint) []string {
		if nw == nil {
			nw = newExposureNetwork(g, netEdgesFact.Of(pass), byWorkload, inv.TeamOf)
		}
		return nw.sources(eps)
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

// exposureNetwork gathers the network sources of assets by class
// (netEdgesFact): every endpoint of a class reaches an asset's endpoints
// on the same ports, so what reaches a set of destination classes is
// computed once, as source classes with their ports, aggregated by
// workload, namespace and team; an asset then only takes its own pods
// out (a pod is not a source of itself), which changes the description
// of their namespace or team alone. The cost is the class edges and the
// source workloads of each distinct set of destination classes, where
// pairing an asset's pods with every pod of the graph cost pods² on a
// cluster without policies.
type exposureNetwork struct {
	g     *netpol.Graph
	edges []netpol.ClassEdge
	into  map[int][]int // destination class -> indexes of its edges
	// classOf and members map the endpoints of the edges to their class
	// and back.
	classOf    map[*netpol.Endpoint]int
	members    map[int][]*netpol.Endpoint
	byWorkload map[string][]*netpol.Endpoint // workloadEndpointsFact
	bySource   *byClass[[]endpointGroup[string]]
	teamOf     func(ns string) string
	teams      map[string]string       // memoized teamOf
	idx        *sourceWorkloads        // built on first use
	reached    map[string]*reachedFrom // by the destination classes, sorted
}

// reachedFrom is what reaches a set of destination classes, every pod
// of them included.
type reachedFrom struct {
	ports    map[int]netpol.PortSet // source class -> its ports to the destinations
	external []string               // "range ports", one per external endpoint
	sources  map[string]*exposureSource
	units    map[sourceUnit][]string // the sourceKeys of each unit
	lines    map[sourceUnit][]string // each unit's described sources, with ports
}

// exposureSource is a source workload (sourceKey): its pod endpoints
// that reach the destinations, in groups of one class each.
type exposureSource struct {
	namespace string
	groups    [][]*netpol.Endpoint
	ports     netpol.PortSet
	first     *netpol.Endpoint
	endpoints int
}

// sourceUnit is the span sourceList.describe aggregates over: a team (all
// its namespaces) or a namespace without team. The description of a unit
// depends on its own sources only.
type sourceUnit struct{ team, namespace string }

func newExposureNetwork(g *netpol.Graph, edges []netpol.ClassEdge, byWorkload map[string][]*netpol.Endpoint, teamOf func(string) string) *exposureNetwork {
	n := &exposureNetwork{g: g, edges: edges, into: map[int][]int{}, classOf: map[*netpol.Endpoint]int{},
		members: map[int][]*netpol.Endpoint{}, byWorkload: byWorkload, teamOf: teamOf, teams: map[string]string{},
		reached: map[string]*reachedFrom{}}
	for i, ce := range edges {
		n.into[ce.ToClass] = append(n.into[ce.ToClass], i)
		for _, c := range []struct {
			class int
			eps   []*netpol.Endpoint
		}{{ce.FromClass, ce.From}, {ce.ToClass, ce.To}} {
			if _, seen := n.members[c.class]; seen {
				continue
			}
			n.members[c.class] = c.eps
			for _, e := range c.eps {
				n.classOf[e] = c.class
			}
		}
	}
	n.bySource = newByClass(g, func(ms []*netpol.Endpoint) []endpointGroup[string] {
		return groupEndpoints(ms, func(e *netpol.Endpoint) (string, bool) { return sourceKey(e), true })
	})
	return n
}

func (n *exposureNetwork) unit(ns string) sourceUnit {
	t, ok := n.teams[ns]
	if !ok {
		t = n.teamOf(ns)
		n.teams[ns] = t
	}
	if t != "" {
		return sourceUnit{team: t}
	}
	return sourceUnit{namespace: ns}
}

// sources lists what reaches the endpoints eps, each source with its
// ports: an external range by itself, pods aggregated by workload,
// namespace and team where all of them reach eps on the same ports
// (sourceList), the pods of eps left out; sorted.
func (n *exposureNetwork) sources(eps []*netpol.Endpoint) []string {
	var dsts []int
	for _, e := range eps {
		if c, ok := n.classOf[e]; ok && !slices.Contains(dsts, c) {
			dsts = append(dsts, c)
		}
	}
	if len(dsts) == 0 {
		return nil
	}
	slices.Sort(dsts)
	key := fmt.Sprint(dsts)
	r := n.reached[key]
	if r == nil {
		r = n.reach(dsts)
		n.reached[key] = r
	}
	// The workloads of eps lose their pods of eps as sources: their
	// units are described again.
	own := map[*netpol.Endpoint]bool{}
	touched := map[sourceUnit]bool{}
	for _, e := range eps {
		own[e] = true
		if s := r.sources[sourceKey(e)]; s != nil {
			touched[n.unit(s.namespace)] = true
		}
	}
	names := slices.Clone(r.external)
	for u, lines := range r.lines {
		if !touched[u] {
			names = append(names, lines...)
		}
	}
	for u := range touched {
		var ss []*exposureSource
		for _, k := range r.units[u] {
			if s := n.without(r, r.sources[k], own); s.endpoints > 0 {
				ss = append(ss, s)
			}
		}
		names = append(names, n.describe(ss)...)
	}
	sort.Strings(names)
	return names
}

// reach gathers what reaches the destination classes dsts.
func (n *exposureNetwork) reach(dsts []int) *reachedFrom {
	r := &reachedFrom{ports: map[int]netpol.PortSet{}, sources: map[string]*exposureSource{},
		units: map[sourceUnit][]string{}, lines: map[sourceUnit][]string{}}
	var from []int
	for _, dc := range dsts {
		for _, i := range n.into[dc] {
			ce := n.edges[i]
			if _, seen := r.ports[ce.FromClass]; !seen {
				from = append(from, ce.FromClass)
			}
			r.ports[ce.FromClass] = r.ports[ce.FromClass].Union(ce.Ports)
		}
	}
	for _, sc := range from {
		ports := r.ports[sc]
		for _, grp := range n.bySource.get(sc, n.members[sc]) {
			if e := grp.eps[0]; e.Kind == netpol.ExternalEndpoint {
				r.external = append(r.external, fmt.Sprintf("%s %s", describeEndpoint(e), ports))
				continue
			}
			s := r.sources[grp.key]
			if s == nil {
				s = &exposureSource{namespace: grp.eps[0].Namespace, first: grp.eps[0]}
				r.sources[grp.key] = s
				u := n.unit(s.namespace)
				r.units[u] = append(r.units[u], grp.key)
			}
			s.groups = append(s.groups, grp.eps)
			s.ports = s.ports.Union(ports)
			s.endpoints += len(grp.eps)
		}
	}
	for u, keys := range r.units {
		ss := make([]*exposureSource, len(keys))
		for i, k := range keys {
			ss[i] = r.sources[k]
		}
		r.lines[u] = n.describe(ss)
	}
	return r
}

// without is source s without the endpoints own (s itself when none of
// its endpoints is own).
func (n *exposureNetwork) without(r *reachedFrom, s *exposureSource, own map[*netpol.Endpoint]bool) *exposureSource {
	out := &exposureSource{namespace: s.namespace}
	for _, grp := range s.groups {
		ports := r.ports[n.classOf[grp[0]]]
		kept := 0
		for _, e := range grp {
			if own[e] {
				continue
			}
			if out.first == nil {
				out.first = e
			}
			kept++
		}
		if kept > 0 {
			out.ports = out.ports.Union(ports)
			out.endpoints += kept
		}
	}
	if out.endpoints == s.endpoints {
		return s
	}
	return out
}

// describe aggregates sources (sourceList) by their ports: "namespace ml
// (all 3 workloads) TCP/6333", "ml/api (Deployment) TCP/6333".
func (n *exposureNetwork) describe(ss []*exposureSource) []string {
	byPorts := map[string]*sourceList{}
	for _, s := range ss {
		ps := s.ports.String()
		if byPorts[ps] == nil {
			byPorts[ps] = newSourceList()
		}
		byPorts[ps].addEdges(s.first, s.endpoints)
	}
	if len(byPorts) > 0 && n.idx == nil {
		n.idx = newSourceWorkloads(n.g, n.teamOf)
	}
	var out []string
	for ps, l := range byPorts {
		for _, d := range l.describe(n.idx, nil) {
			out = append(out, d+" "+ps)
		}
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
