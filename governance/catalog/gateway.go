// The Gateway API route graph: which workloads traffic from outside the
// cluster reaches through a Gateway. A Gateway listener accepts an
// HTTPRoute (parentRefs, allowedRoutes, hostnames); the route's
// backendRefs name Services (with a port) or InferencePools, in another
// namespace only when a ReferenceGrant there permits it; the Service's
// selector, or the pool's selector.matchLabels, selects the pods of
// workloads in the target's namespace. inference-exposure, route-to-
// other-team, inference-pool-selects-non-model-servers and the asset
// exposure table read this graph (gatewayRoutesFact).
//
// The semantics follow sigs.k8s.io/gateway-api v1.6.3 — apis/v1/
// gateway_types.go (Listener, AllowedRoutes: namespaces default from Same,
// kinds default to those of the listener's protocol), apis/v1/
// shared_types.go (ParentReference: group gateway.networking.k8s.io and
// kind Gateway by default, sectionName names a listener, port selects
// listeners, the route is attached when one listener accepts it),
// apis/v1/httproute_types.go (Hostnames: route and listener hostnames must
// intersect, "*." is a suffix match; HTTPBackendRef; RequestMirror
// filters), apis/v1/object_reference_types.go (BackendObjectReference:
// group "" and kind Service by default, port required for a Service) and
// apis/v1/referencegrant_types.go — and sigs.k8s.io/gateway-api-inference-
// extension v1.6.2 api/v1/inferencepool_types.go (selector.matchLabels of
// the pool's namespace only, targetPorts).
//
// The objects are custom resources and load unstructured; each is read
// into the few fields the graph needs. One whose fields have the wrong
// types is left out: the apiserver's schema would have rejected it.
// Cross-namespace attachment of a route to a Gateway is governed by the
// listener's allowedRoutes, never by a ReferenceGrant.

package catalog

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/aigov/aigov/governance"
)

// The API groups of the Gateway API and of its Inference Extension.
const (
	gatewayAPIGroup   = "gateway.networking.k8s.io"
	inferenceAPIGroup = "inference.networking.k8s.io"
)

// gatewayRoutes is the route graph of an inventory.
type gatewayRoutes struct {
	// routes are the HTTPRoutes of the inventory, in inventory order.
	routes []*httpRoute
	// pools are the InferencePools of the inventory, in inventory order,
	// with the workloads they select.
	pools []*inferencePool
}

// httpRoute is an HTTPRoute with the listeners that accept it and where
// its backendRefs lead.
type httpRoute struct {
	object *governance.Object
	// listeners are the Gateway listeners the route is attached to.
	listeners []routeListener
	// backends are the route's backendRefs and request mirrors, in
	// document order.
	backends []routeBackend
}

// attached reports whether some Gateway listener accepts the route.
func (r *httpRoute) attached() bool { return len(r.listeners) > 0 }

// routeListener is one Gateway listener that accepts a route.
type routeListener struct {
	gateway *governance.Object
	name    string
	port    int32
}

// routeBackend is one backendRef of a route, resolved.
type routeBackend struct {
	// path is the field path of the reference in the route,
	// "spec.rules[0].backendRefs[1]".
	path string
	// group and kind of the referent, defaults applied ("" and Service).
	group, kind     string
	namespace, name string
	// port is the Service port the reference names (0 when absent).
	port int32
	// target is the Service or InferencePool, nil when the inventory does
	// not hold it.
	target *governance.Object
	// grant is the ReferenceGrant that permits a reference to another
	// namespace (nil for the route's own namespace, or when none does).
	grant *governance.Object
	// permitted is true for the route's own namespace, or when a
	// ReferenceGrant of the target namespace permits the reference.
	permitted bool
	// workloads are the workloads whose pods the target selects: empty
	// unless the reference is permitted and resolves.
	workloads []ClassifiedWorkload
	// problem says why the reference leads nowhere ("" when it resolves):
	// "not permitted by a ReferenceGrant", "not in the inventory", ...
	problem string
}

// targetName renders the referent as "Service ml/llm:80" or
// "InferencePool ml/llama".
func (b *routeBackend) targetName() string {
	s := b.kind + " " + b.namespace + "/" + b.name
	if b.port > 0 {
		s += fmt.Sprintf(":%d", b.port)
	}
	return s
}

// inferencePool is an InferencePool with the workloads it selects.
type inferencePool struct {
	object      *governance.Object
	matchLabels map[string]string
	targetPorts []int32
	workloads   []ClassifiedWorkload
}

// The fields of the Gateway API objects the graph reads.
type (
	gatewaySpec struct {
		Spec struct {
			Listeners []gatewayListener `json:"listeners"`
		} `json:"spec"`
	}
	gatewayListener struct {
		Name          string  `json:"name"`
		Hostname      *string `json:"hostname"`
		Port          int32   `json:"port"`
		Protocol      string  `json:"protocol"`
		AllowedRoutes *struct {
			Namespaces *struct {
				From     *string               `json:"from"`
				Selector *metav1.LabelSelector `json:"selector"`
			} `json:"namespaces"`
			Kinds []struct {
				Group *string `json:"group"`
				Kind  string  `json:"kind"`
			} `json:"kinds"`
		} `json:"allowedRoutes"`
	}
	httpRouteSpec struct {
		Spec struct {
			ParentRefs []parentRef     `json:"parentRefs"`
			Hostnames  []string        `json:"hostnames"`
			Rules      []httpRouteRule `json:"rules"`
		} `json:"spec"`
	}
	parentRef struct {
		Group       *string `json:"group"`
		Kind        *string `json:"kind"`
		Namespace   *string `json:"namespace"`
		Name        string  `json:"name"`
		SectionName *string `json:"sectionName"`
		Port        *int32  `json:"port"`
	}
	httpRouteRule struct {
		BackendRefs []struct {
			backendRef
			Filters []routeFilter `json:"filters"`
		} `json:"backendRefs"`
		Filters []routeFilter `json:"filters"`
	}
	routeFilter struct {
		RequestMirror *struct {
			BackendRef backendRef `json:"backendRef"`
		} `json:"requestMirror"`
	}
	backendRef struct {
		Group     *string `json:"group"`
		Kind      *string `json:"kind"`
		Name      string  `json:"name"`
		Namespace *string `json:"namespace"`
		Port      *int32  `json:"port"`
	}
	referenceGrantSpec struct {
		Spec struct {
			From []struct {
				Group     string `json:"group"`
				Kind      string `json:"kind"`
				Namespace string `json:"namespace"`
			} `json:"from"`
			To []struct {
				Group string  `json:"group"`
				Kind  string  `json:"kind"`
				Name  *string `json:"name"`
			} `json:"to"`
		} `json:"spec"`
	}
	inferencePoolSpec struct {
		Spec struct {
			Selector struct {
				MatchLabels map[string]string `json:"matchLabels"`
			} `json:"selector"`
			TargetPorts []struct {
				Number int32 `json:"number"`
			} `json:"targetPorts"`
		} `json:"spec"`
	}
)

// readCR reads the fields of a custom resource into v; false when the
// object is not unstructured or its fields do not have the types v gives
// them.
func readCR(o *governance.Object, v any) bool {
	u, ok := o.Obj.(*unstructured.Unstructured)
	if !ok {
		return false
	}
	b, err := json.Marshal(u.Object)
	if err != nil {
		return false
	}
	return json.Unmarshal(b, v) == nil
}

// gatewayRoutesFact is the route graph of the inventory (gatewayRoutes).
var gatewayRoutesFact = governance.NewFact("catalog.GatewayRoutes", func(p *governance.Pass) *gatewayRoutes {
	return buildGatewayRoutes(p.Inventory, ClassificationFact.Of(p))
}, ClassificationFact)

func buildGatewayRoutes(inv *governance.Inventory, cws []ClassifiedWorkload) *gatewayRoutes {
	out := &gatewayRoutes{}
	byNS := map[string][]ClassifiedWorkload{}
	for _, cw := range cws {
		if cw.Workload.Pod != nil {
			byNS[cw.Workload.Namespace] = append(byNS[cw.Workload.Namespace], cw)
		}
	}
	selectIn := func(ns string, set map[string]string) []ClassifiedWorkload {
		// An empty selector selects nothing here: a Service without one
		// has its endpoints managed by hand, and a pool needs at least one
		// label.
		if len(set) == 0 {
			return nil
		}
		sel := labels.SelectorFromSet(set)
		var ws []ClassifiedWorkload
		for _, cw := range byNS[ns] {
			if sel.Matches(labels.Set(cw.Workload.Pod.Labels)) {
				ws = append(ws, cw)
			}
		}
		return ws
	}

	pools := map[[2]string]*inferencePool{}
	for _, o := range inv.OfKind(schema.GroupKind{Group: inferenceAPIGroup, Kind: "InferencePool"}) {
		var s inferencePoolSpec
		if !readCR(o, &s) {
			continue
		}
		p := &inferencePool{object: o, matchLabels: s.Spec.Selector.MatchLabels,
			workloads: selectIn(o.Namespace(), s.Spec.Selector.MatchLabels)}
		for _, t := range s.Spec.TargetPorts {
			p.targetPorts = append(p.targetPorts, t.Number)
		}
		out.pools = append(out.pools, p)
		pools[[2]string{o.Namespace(), o.Name()}] = p
	}

	for _, o := range inv.OfKind(schema.GroupKind{Group: gatewayAPIGroup, Kind: "HTTPRoute"}) {
		var s httpRouteSpec
		if !readCR(o, &s) {
			continue
		}
		r := &httpRoute{object: o}
		routeNS := o.Namespace()
		nsLabels := namespaceSelectorLabels(inv, routeNS)
		for _, ref := range s.Spec.ParentRefs {
			for _, l := range acceptingListeners(inv, ref, routeNS, nsLabels, s.Spec.Hostnames) {
				// Two parentRefs may name the same listener (one by
				// sectionName, one the whole Gateway).
				if !slices.Contains(r.listeners, l) {
					r.listeners = append(r.listeners, l)
				}
			}
		}
		resolve := func(path string, ref backendRef) {
			b := routeBackend{path: path, group: deref(ref.Group, ""), kind: deref(ref.Kind, "Service"),
				namespace: deref(ref.Namespace, routeNS), name: ref.Name}
			if ref.Port != nil {
				b.port = *ref.Port
			}
			b.permitted = b.namespace == routeNS
			if !b.permitted {
				b.grant = referenceGrantFor(inv, routeNS, b)
				b.permitted = b.grant != nil
			}
			switch {
			case !b.permitted:
				b.problem = "not permitted: no ReferenceGrant in namespace " + b.namespace + " allows it"
			case b.group == "" && b.kind == "Service":
				resolveService(inv, &b, selectIn)
			case b.group == inferenceAPIGroup && b.kind == "InferencePool":
				if p := pools[[2]string{b.namespace, b.name}]; p != nil {
					b.target, b.workloads = p.object, p.workloads
				} else {
					b.problem = "not in the inventory"
				}
			default:
				b.problem = "unsupported kind " + groupKind(b.group, b.kind)
			}
			r.backends = append(r.backends, b)
		}
		mirrors := func(path string, fs []routeFilter) {
			for k, f := range fs {
				if f.RequestMirror != nil {
					resolve(fmt.Sprintf("%s.filters[%d].requestMirror.backendRef", path, k), f.RequestMirror.BackendRef)
				}
			}
		}
		for i, rule := range s.Spec.Rules {
			rulePath := fmt.Sprintf("spec.rules[%d]", i)
			mirrors(rulePath, rule.Filters)
			for j, br := range rule.BackendRefs {
				refPath := fmt.Sprintf("%s.backendRefs[%d]", rulePath, j)
				resolve(refPath, br.backendRef)
				mirrors(refPath, br.Filters)
			}
		}
		out.routes = append(out.routes, r)
	}
	return out
}

// resolveService points b at its Service and the workloads the Service
// selects; an ExternalName Service, or a port the Service does not
// declare, leads nowhere.
func resolveService(inv *governance.Inventory, b *routeBackend, selectIn func(string, map[string]string) []ClassifiedWorkload) {
	o := inv.Get(governance.Key{Kind: "Service", Namespace: b.namespace, Name: b.name})
	var svc *corev1.Service
	if o != nil {
		svc, _ = o.Obj.(*corev1.Service)
	}
	if svc == nil {
		b.problem = "not in the inventory"
		return
	}
	b.target = o
	if svc.Spec.Type == corev1.ServiceTypeExternalName {
		b.problem = "an ExternalName Service selects no pods"
		return
	}
	if b.port == 0 {
		b.problem = "no port (a Service backendRef requires one)"
		return
	}
	declared := false
	for _, p := range svc.Spec.Ports {
		declared = declared || p.Port == b.port
	}
	if !declared {
		b.problem = fmt.Sprintf("the Service has no port %d", b.port)
		return
	}
	b.workloads = selectIn(b.namespace, svc.Spec.Selector)
	if len(b.workloads) == 0 {
		b.problem = "the Service selects no pods of the inventory"
	}
}

// acceptingListeners returns the listeners of the Gateway ref names that
// accept a route of namespace routeNS (whose namespace has labels
// nsLabels) with hostnames.
func acceptingListeners(inv *governance.Inventory, ref parentRef, routeNS string, nsLabels labels.Set, hostnames []string) []routeListener {
	if deref(ref.Group, gatewayAPIGroup) != gatewayAPIGroup || deref(ref.Kind, "Gateway") != "Gateway" {
		return nil // a Service parent is a mesh route, not a way in from outside
	}
	gwNS := deref(ref.Namespace, routeNS)
	o := inv.Get(governance.Key{Group: gatewayAPIGroup, Kind: "Gateway", Namespace: gwNS, Name: ref.Name})
	if o == nil {
		return nil
	}
	var gw gatewaySpec
	if !readCR(o, &gw) {
		return nil
	}
	var out []routeListener
	for _, l := range gw.Spec.Listeners {
		if ref.SectionName != nil && *ref.SectionName != "" && *ref.SectionName != l.Name {
			continue
		}
		if ref.Port != nil && *ref.Port != l.Port {
			continue
		}
		if listenerAllowsHTTPRoute(l, gwNS, routeNS, nsLabels) && listenerHostnameMatches(l, hostnames) {
			out = append(out, routeListener{gateway: o, name: l.Name, port: l.Port})
		}
	}
	return out
}

// listenerAllowsHTTPRoute applies a listener's protocol and allowedRoutes
// to an HTTPRoute of namespace routeNS.
func listenerAllowsHTTPRoute(l gatewayListener, gwNS, routeNS string, nsLabels labels.Set) bool {
	switch l.Protocol {
	case "TLS", "TCP", "UDP":
		// These carry TLSRoutes, TCPRoutes and UDPRoutes; an HTTPRoute
		// listed in kinds is an invalid route kind. Implementation-
		// specific protocols ("example.com/x") may carry HTTP: counted.
		return false
	}
	from := "Same"
	var selector *metav1.LabelSelector
	if ar := l.AllowedRoutes; ar != nil {
		if len(ar.Kinds) > 0 {
			listed := false
			for _, k := range ar.Kinds {
				listed = listed || (k.Kind == "HTTPRoute" && deref(k.Group, gatewayAPIGroup) == gatewayAPIGroup)
			}
			if !listed {
				return false
			}
		}
		if ns := ar.Namespaces; ns != nil {
			from = deref(ns.From, "Same")
			selector = ns.Selector
		}
	}
	switch from {
	case "All":
		return true
	case "Same":
		return routeNS == gwNS
	case "Selector":
		if selector == nil {
			return false
		}
		sel, err := metav1.LabelSelectorAsSelector(selector)
		return err == nil && sel.Matches(nsLabels)
	}
	return false // None, or a value the schema rejects
}

// listenerHostnameMatches reports whether a route with hostnames may
// attach to l: either side without hostnames matches, else one pair must
// intersect.
func listenerHostnameMatches(l gatewayListener, hostnames []string) bool {
	if l.Hostname == nil || *l.Hostname == "" || len(hostnames) == 0 {
		return true
	}
	for _, h := range hostnames {
		if hostnamesIntersect(*l.Hostname, h) {
			return true
		}
	}
	return false
}

// hostnamesIntersect reports whether some host name matches both a and b,
// where a leading "*." matches one or more labels.
func hostnamesIntersect(a, b string) bool {
	a, b = strings.ToLower(a), strings.ToLower(b)
	if a == b {
		return true
	}
	aWild, bWild := strings.HasPrefix(a, "*."), strings.HasPrefix(b, "*.")
	switch {
	case aWild && bWild:
		return strings.HasSuffix(a[1:], b[1:]) || strings.HasSuffix(b[1:], a[1:])
	case aWild:
		return strings.HasSuffix(b, a[1:])
	case bWild:
		return strings.HasSuffix(a, b[1:])
	}
	return false
}

// referenceGrantFor returns a ReferenceGrant of the target namespace that
// lets HTTPRoutes of namespace from refer to b's referent, or nil.
func referenceGrantFor(inv *governance.Inventory, from string, b routeBackend) *governance.Object {
	for _, o := range inv.OfKind(schema.GroupKind{Group: gatewayAPIGroup, Kind: "ReferenceGrant"}) {
		if o.Namespace() != b.namespace {
			continue
		}
		var g referenceGrantSpec
		if !readCR(o, &g) {
			continue
		}
		fromOK := false
		for _, f := range g.Spec.From {
			fromOK = fromOK || (f.Group == gatewayAPIGroup && f.Kind == "HTTPRoute" && f.Namespace == from)
		}
		if !fromOK {
			continue
		}
		for _, t := range g.Spec.To {
			if t.Group == b.group && t.Kind == b.kind && (t.Name == nil || *t.Name == "" || *t.Name == b.name) {
				return o
			}
		}
	}
	return nil
}

// namespaceSelectorLabels are the labels a namespace selector sees: the
// Namespace's labels and kubernetes.io/metadata.name, which the apiserver
// sets on every namespace.
func namespaceSelectorLabels(inv *governance.Inventory, ns string) labels.Set {
	out := labels.Set{}
	for k, v := range namespaceLabelsOf(inv, ns) {
		out[k] = v
	}
	out[corev1.LabelMetadataName] = ns
	return out
}

func deref[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

// groupKind renders "InferencePool.inference.networking.k8s.io", or
// "Service" for the core group.
func groupKind(group, kind string) string {
	if group == "" {
		return kind
	}
	return kind + "." + group
}

// describeListeners names the listeners a route is attached to, by
// Gateway in first-seen order: "Gateway platform/public (listeners http,
// https)".
func describeListeners(ls []routeListener) string {
	var gateways []*governance.Object
	names := map[*governance.Object][]string{}
	for _, l := range ls {
		if _, seen := names[l.gateway]; !seen {
			gateways = append(gateways, l.gateway)
		}
		names[l.gateway] = appendUnique(names[l.gateway], l.name)
	}
	parts := make([]string, len(gateways))
	for i, gw := range gateways {
		n := names[gw]
		parts[i] = fmt.Sprintf("Gateway %s/%s (%s %s)", gw.Namespace(), gw.Name(),
			plural(len(n), "listener", "listeners"), strings.Join(n, ", "))
	}
	return strings.Join(parts, ", ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func appendUnique(s []string, v string) []string {
	if slices.Contains(s, v) {
		return s
	}
	return append(s, v)
}
