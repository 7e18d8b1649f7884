package catalog

import (
	"net/netip"

	"strings"
	"sync"
	"weak"

	corev1 "k8s.io/api/core/v1"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/netpol"
	"github.com/aigov/aigov/rbac"
	"github.com/aigov/aigov/secrets"
)

// analyses shares the analyzer indexes (netpol.Graph, rbac.Graph, the
// secrets scan and exposure, the workload classification) between the
// analyzer-composed checks of one check set, so that each index is built
// once per inventory however many checks read it. Definitions creates one
// per call and hands it to every constructor it lists; a constructor
// called directly (NewVectorDBIsolation, ...) gets its own.
//
// It remembers the indexes of the last inventory only, through a weak
// pointer: it never keeps an inventory alive, and a run over another
// inventory replaces them. It is safe for concurrent use; two runs over
// different inventories at the same time stay correct (each gets indexes
// of its own inventory) but may rebuild them.
type analyses struct {
	mu   sync.Mutex
	inv  weak.Pointer[governance.Inventory]
	last *analysisSet
}

// analysisSet is the indexes of one inventory, each built on first use.
type analysisSet struct {
	netOnce sync.Once
	net     *netpol.Graph
	// byWorkload maps "ns/Kind/name" to the workload's pod endpoints
	// (several when netpol tells its pods apart by IP).
	byWorkload map[string][]*netpol.Endpoint

	edgeOnce sync.Once
	edges    []netEdge

	rbacOnce sync.Once
	rbac     *rbac.Graph

	exposureOnce sync.Once
	exposure     []secrets.SecretExposure

	classOnce sync.Once
	classes   []classifiedWorkload

	scanMu sync.Mutex
	scans  map[secrets.Origin][]secrets.Finding
}

// classifiedWorkload is a workload with its AI classification.
type classifiedWorkload struct {
	w     governance.Workload
	class Classification
}

func newAnalyses() *analyses { return &analyses{} }

// of returns the index set of inv, creating an empty one when inv is not
// the inventory of the last call.
func (a *analyses) of(inv *governance.Inventory) *analysisSet {
	a.mu.Lock()
	defer a.mu.Unlock()
	if p := weak.Make(inv); a.last != nil && p == a.inv {
		return a.last
	}
	a.inv = weak.Make(inv)
	a.last = &analysisSet{scans: map[secrets.Origin][]secrets.Finding{}}
	return a.last
}

// netpolGraph is the reachability graph of inv (Options zero: upstream
// e2e semantics). netpol.Build fails only on a nil inventory.
func (a *analyses) netpolGraph(inv *governance.Inventory) *netpol.Graph {
	s := a.of(inv)
	s.netOnce.Do(func() {
		s.net, _ = netpol.Build(inv, netpol.Options{})
		s.byWorkload = map[string][]*netpol.Endpoint{}
		for _, e := range s.net.Endpoints() {
			if e.Kind != netpol.ExternalEndpoint {
				k := e.Namespace + "/" + e.Workload
				s.byWorkload[k] = append(s.byWorkload[k], e)
			}
		}
	})
	return s.net
}

// netEdge is an allowed connection of the graph, with its endpoints.
type netEdge struct {
	src, dst *netpol.Endpoint
	ports    netpol.PortSet
}

// netEdges is every allowed connection of inv (netpol.Graph.Matrix: pairs
// of an endpoint with itself only for several replicas, never external to
// external), computed once.
func (a *analyses) netEdges(inv *governance.Inventory) []netEdge {
	g := a.netpolGraph(inv)
	s := a.of(inv)
	s.edgeOnce.Do(func() {
		for _, e := range g.Matrix().Edges {
			src, ok1 := g.Lookup(e.From)
			dst, ok2 := g.Lookup(e.To)
			if ok1 && ok2 {
				s.edges = append(s.edges, netEdge{src: src, dst: dst, ports: e.Ports})
			}
		}
	})
	return s.edges
}

// why names the rules that allow the first port of an edge, e.g.
// "egress NetworkPolicy cv-team/allow-all-egress egress[0]; ingress ...".
func why(g *netpol.Graph, e netEdge) string {
	for _, proto := range []corev1.Protocol{corev1.ProtocolTCP, corev1.ProtocolUDP, corev1.ProtocolSCTP} {
		rs := e.ports.Ranges(proto)
		if len(rs) == 0 {
			continue
		}
		v := g.Allowed(e.src, e.dst, rs[0].Lo, proto)
		var parts []string
		for _, d := range []struct {
			dir string
			dec netpol.Decision
		}{{"egress", v.Egress}, {"ingress", v.Ingress}} {
			if len(d.dec.Rules) == 0 {
				parts = append(parts, d.dir+" not restricted")
				continue
			}
			refs := make([]string, len(d.dec.Rules))
			for i, r := range d.dec.Rules {
				refs[i] = r.String()
			}
			parts = append(parts, d.dir+" allowed by "+strings.Join(refs, ", "))
		}
		return strings.Join(parts, "; ")
	}
	return ""
}

// endpointsOf returns the netpol endpoints of a workload's pods.
func (a *analyses) endpointsOf(inv *governance.Inventory, w governance.Workload) []*netpol.Endpoint {
	a.netpolGraph(inv)
	return a.of(inv).byWorkload[w.Namespace+"/"+w.Kind+"/"+w.Name]
}

// rbacGraph is the RBAC graph of inv.
func (a *analyses) rbacGraph(inv *governance.Inventory) *rbac.Graph {
	s := a.of(inv)
	s.rbacOnce.Do(func() { s.rbac = rbac.New(inv) })
	return s.rbac
}

// secretExposure is secrets.Exposure of inv over its RBAC graph.
func (a *analyses) secretExposure(inv *governance.Inventory) []secrets.SecretExposure {
	g := a.rbacGraph(inv)
	s := a.of(inv)
	s.exposureOnce.Do(func() { s.exposure = secrets.Exposure(inv, g) })
	return s.exposure
}

// workloads is every workload of inv with its classification.
func (a *analyses) workloads(inv *governance.Inventory) []classifiedWorkload {
	s := a.of(inv)
	s.classOnce.Do(func() {
		cl := newClassifier()
		for _, w := range inv.Workloads() {
			s.classes = append(s.classes, classifiedWorkload{w: w, class: cl.workload(w)})
		}
	})
	return s.classes
}

// secretsScan runs the scanner's rules over inv once per origin.
func (a *analyses) secretsScan(inv *governance.Inventory, sc *secrets.Scanner, origin secrets.Origin) []secrets.Finding {
	s := a.of(inv)
	s.scanMu.Lock()
	defer s.scanMu.Unlock()
	fs, ok := s.scans[origin]
	if !ok {
		fs = sc.Scan(inv, origin)
		s.scans[origin] = fs
	}
	return fs
}

// specialPrefixes are the address ranges that are not the internet:
// private (RFC 1918, RFC 6598 shared, RFC 4193 unique local), loopback,
// link-local and "this network".
var specialPrefixes = [...]string{
	"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
	"192.168.0.0/16", "::1/128", "::/128", "fc00::/7", "fe80::/10",
}

// isInternet reports whether an external endpoint holds a public address:
// some range of it is not inside one private, loopback or link-local
// prefix.
func isInternet(e *netpol.Endpoint) bool {
	if e.Kind != netpol.ExternalEndpoint {
		return false
	}
	for _, r := range e.Ranges {
		lo, hi, ok := parseRange(r)
		if !ok {
			return true // unknown form: fail closed
		}
		private := false
		for _, s := range specialPrefixes {
			p := netip.MustParsePrefix(s)
			if p.Contains(lo) && p.Contains(hi) {
				private = true
				break
			}
		}
		if !private {
			return true
		}
	}
	return false
}

// parseRange reads netpol's range form: a CIDR or "lo-hi".
func parseRange(r string) (lo, hi netip.Addr, ok bool) {
	if a, b, found := strings.Cut(r, "-"); found {
		l, err1 := netip.ParseAddr(a)
		h, err2 := netip.ParseAddr(b)
		return l, h, err1 == nil && err2 == nil
	}
	p, err := netip.ParsePrefix(r)
	if err != nil {
		return lo, hi, false
	}
	p = p.Masked()
	lo = p.Addr()
	hi = lo
	// The last address: set the host bits.
	b := hi.AsSlice()
	bits := p.Bits()
	for i := range b {
		for j := 0; j < 8; j++ {
			if i*8+j >= bits {
				b[i] |= 1 << (7 - j)
			}
		}
	}
	hi, _ = netip.AddrFromSlice(b)
	return lo, hi, true
}

// namespaceLabelsOf returns the labels of namespace ns (nil when the
// inventory does not hold it).
func namespaceLabelsOf(inv *governance.Inventory, ns string) map[string]string {
	if n := namespaceOf(inv, ns); n != nil {
		return n.Labels
	}
	return nil
}

// namespaceRef is the ObjectRef of namespace ns: the Namespace object
// when the inventory holds it, else the workload of the endpoint named
// endpoint (a namespace is not always in the manifests).
func namespaceRef(inv *governance.Inventory, ns, endpoint string, g *netpol.Graph) governance.ObjectRef {
	if o := inv.Get(governance.Key{Kind: "Namespace", Name: ns}); o != nil {
		return o.Ref()
	}
	if e, ok := g.Lookup(endpoint); ok && e.Workload != "" {
		kind, name, _ := strings.Cut(e.Workload, "/")
		for _, w := range inv.Workloads() {
			if w.Namespace == ns && w.Kind == kind && w.Name == name {
				return w.Object.Ref()
			}
		}
	}
	return governance.ObjectRef{APIVersion: "v1", Kind: "Namespace", Name: ns}
}
