package catalog

import (
	"cmp"
	"net/netip"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/report"
	"github.com/aigov/aigov/netpol"
)

// The facts the catalog's checks share (see governance.Fact): besides the
// analyzers' own (netpol.GraphFact, rbac.GraphFact, secrets.ExposureFact,
// secrets.ScanFact), the AI classification of the workloads and assets,
// and two indexes of the reachability graph. Each is a description: the
// values live in the governance.Pass of one run, computed once however
// many checks require them.

// ClassifiedWorkload is a workload of the inventory with its AI
// classification.
type ClassifiedWorkload struct {
	Workload       governance.Workload
	Classification Classification
}

// ClassificationFact is every workload of the inventory (in
// Inventory.Workloads order) with its AI classification (ClassifyWorkload).
var ClassificationFact = governance.NewFact("catalog.Classification", func(p *governance.Pass) []ClassifiedWorkload {
	cl := newClassifier()
	ws := p.Inventory.Workloads()
	out := make([]ClassifiedWorkload, len(ws))
	for i, w := range ws {
		out[i] = ClassifiedWorkload{Workload: w, Classification: cl.workload(w)}
	}
	return out
})

// AssetsFact is the AI asset table of the inventory (AssetTable), built
// from ClassificationFact.
var AssetsFact = governance.NewFact("catalog.Assets", func(p *governance.Pass) []report.Asset {
	return newClassifier().assets(p.Inventory, ClassificationFact.Of(p))
}, ClassificationFact)

// workloadEndpointsFact maps the workloadKey of a workload to the
// netpol endpoints of its pods (several when netpol tells its pods apart
// by IP).
var workloadEndpointsFact = governance.NewFact("catalog.WorkloadEndpoints", func(p *governance.Pass) map[string][]*netpol.Endpoint {
	out := map[string][]*netpol.Endpoint{}
	for _, e := range netpol.GraphFact.Of(p).Endpoints() {
		if e.Kind != netpol.ExternalEndpoint {
			k := e.Namespace + "/" + e.Workload
			out[k] = append(out[k], e)
		}
	}
	return out
}, netpol.GraphFact)

// endpointsOf returns the netpol endpoints of a workload's pods
// (workloadEndpointsFact).
func endpointsOf(byWorkload map[string][]*netpol.Endpoint, w governance.Workload) []*netpol.Endpoint {
	return byWorkload[workloadKey(w)]
}

// workloadKey names one kind of pod of a workload as netpol's endpoints
// do ("namespace/" + Endpoint.Workload): "namespace/Kind/name[role]".
func workloadKey(w governance.Workload) string {
	return w.Namespace + "/" + w.ID()
}

// netEdge is an allowed connection of the graph, with its endpoints.
type netEdge struct {
	src, dst *netpol.Endpoint
	ports    netpol.PortSet
}

// netEdgesFact is every allowed connection of the inventory by class
// (netpol.Graph.ClassEdges): every endpoint of a class edge's From
// reaches every one of its To on its ports, by the same rules. Its size
// is the class pairs, where Matrix's pairs of endpoints are pods² on a
// cluster without policies, so a check narrows each side to the
// endpoints it judges (a namespace, a workload, the internet) before it
// pairs them, and explains one pair for the class pair.
var netEdgesFact = governance.NewFact("catalog.NetEdges", func(p *governance.Pass) []netpol.ClassEdge {
	return slices.Collect(netpol.GraphFact.Of(p).ClassEdges())
}, netpol.GraphFact)

// byClass memoizes, per class of the graph, what a check selects from
// the class's endpoints: a class is the source or destination of many
// class edges.
type byClass[T any] struct {
	done []bool
	val  []T
	of   func(members []*netpol.Endpoint) T
}

func newByClass[T any](g *netpol.Graph, of func(members []*netpol.Endpoint) T) *byClass[T] {
	return &byClass[T]{done: make([]bool, g.Classes()), val: make([]T, g.Classes()), of: of}
}

// get is the selection of class c, whose listed endpoints are members.
func (b *byClass[T]) get(c int, members []*netpol.Endpoint) T {
	if !b.done[c] {
		b.done[c], b.val[c] = true, b.of(members)
	}
	return b.val[c]
}

// endpointGroup is the endpoints of a class that share a key (their
// namespace, the vector database or Ray head they run), in Endpoints
// order.
type endpointGroup[K comparable] struct {
	key K
	eps []*netpol.Endpoint
}

// groupEndpoints groups endpoints by key, in the order of each key's
// first endpoint; key's false leaves an endpoint out.
func groupEndpoints[K comparable](eps []*netpol.Endpoint, key func(*netpol.Endpoint) (K, bool)) []endpointGroup[K] {
	var out []endpointGroup[K]
	at := map[K]int{}
	for _, e := range eps {
		k, ok := key(e)
		if !ok {
			continue
		}
		i, seen := at[k]
		if !seen {
			i = len(out)
			at[k] = i
			out = append(out, endpointGroup[K]{key: k})
		}
		out[i].eps = append(out[i].eps, e)
	}
	return out
}

// compareEdges orders edges as Matrix orders its pairs: by source, then
// destination endpoint. Checks that explain several class pairs in one
// message list their rules in this order.
func compareEdges(a, b netEdge) int {
	if c := cmp.Compare(a.src.ID(), b.src.ID()); c != 0 {
		return c
	}
	return cmp.Compare(a.dst.ID(), b.dst.ID())
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
