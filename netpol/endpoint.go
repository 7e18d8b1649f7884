package netpol

import (
	"net/netip"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/aigov/aigov/governance"
)

// EndpointKind says what an endpoint stands for.
type EndpointKind string

const (
	// PodEndpoint is a workload's pods (one representative for all
	// replicas) or a single pod.
	PodEndpoint EndpointKind = "Pod"
	// HostNetworkEndpoint is a hostNetwork workload. aigov assumes it uses
	// its node's IP: pod selectors never select it and no policy isolates
	// it; only ipBlocks containing its IPs (from status) match it.
	HostNetworkEndpoint EndpointKind = "HostNetwork"
	// ExternalEndpoint is a set of IP ranges outside the pods: the
	// disjoint ranges cut from every ipBlock, and the rest of the internet.
	ExternalEndpoint EndpointKind = "External"
)

// HostNetworkAssumption is stated in every output that contains a
// hostNetwork endpoint.
const HostNetworkAssumption = "hostNetwork pods are treated as their node's IP: no pod selector selects them and no policy isolates them; only ipBlocks containing their IPs match them"

// Endpoint is one node of the reachability graph.
type Endpoint struct {
	// Name is "namespace/name" for pods (the workload's name, or the pod's
	// name when a workload's pods have to be told apart by their IPs) and
	// the comma-separated ranges for external endpoints.
	Name      string
	Kind      EndpointKind
	Namespace string
	// Workload is "Kind/name" of the object that runs the pods, with the
	// role in brackets for one of several pod kinds of a custom resource
	// ("RayCluster/rc[head]").
	Workload string
	Labels   map[string]string
	// Replicas is how many pods the endpoint stands for; pairs of an
	// endpoint with itself are listed when it is more than 1.
	Replicas int32
	IPs      []netip.Addr
	// Ranges are the external address ranges (CIDR or "lo-hi").
	Ranges []string

	id       int
	nsLabels labels.Set
	ports    []corev1.ContainerPort
	ranges   []ipRange
	probe    bool // synthetic endpoint used for exposure, never listed
}

// ID is the endpoint's index in Graph.Endpoints.
func (e *Endpoint) ID() int { return e.id }

func (e *Endpoint) selectable() bool { return e.Kind == PodEndpoint }

// hasIPIn reports whether the endpoint has an address in p.
func (e *Endpoint) addrs() []netip.Addr {
	if e.Kind == ExternalEndpoint {
		out := make([]netip.Addr, len(e.ranges))
		for i, r := range e.ranges {
			out[i] = r.lo
		}
		return out
	}
	return e.IPs
}

// podInfo is one pod of a workload as the inventory shows it.
type podInfo struct {
	name string
	ips  []netip.Addr
}

func podIPs(p *corev1.Pod) []netip.Addr {
	var out []netip.Addr
	add := func(s string) {
		if a, err := netip.ParseAddr(s); err == nil {
			a = a.Unmap()
			for _, x := range out {
				if x == a {
					return
				}
			}
			out = append(out, a)
		}
	}
	for _, ip := range p.Status.PodIPs {
		add(ip.IP)
	}
	add(p.Status.PodIP)
	if p.Spec.HostNetwork {
		for _, ip := range p.Status.HostIPs {
			add(ip.IP)
		}
		add(p.Status.HostIP)
	}
	return out
}

func namespaceLabels(inv *governance.Inventory) map[string]labels.Set {
	out := map[string]labels.Set{}
	for _, ns := range governance.Typed[*corev1.Namespace](inv) {
		out[ns.Name] = nsLabelSet(ns.Name, ns.Labels)
	}
	return out
}

// nsLabelSet adds kubernetes.io/metadata.name, which the apiserver sets on
// every namespace.
func nsLabelSet(name string, l map[string]string) labels.Set {
	s := labels.Set{}
	for k, v := range l {
		s[k] = v
	}
	s[corev1.LabelMetadataName] = name
	return s
}

// workloadKey names a workload as owner references do.
func workloadKey(ns, kind, name string) string { return ns + "/" + kind + "/" + name }

// podsByWorkload maps each workload to the Pods of the inventory it runs,
// following owner references through ReplicaSets and Jobs: the Pods of
// every namespace that in admits (nil: all).
func podsByWorkload(inv *governance.Inventory, in func(namespace string) bool) map[string][]podInfo {
	out := map[string][]podInfo{}
	for _, o := range inv.OfKind(schema.GroupKind{Kind: "Pod"}) {
		p, ok := o.Obj.(*corev1.Pod)
		if !ok || in != nil && !in(p.Namespace) {
			continue
		}
		key := workloadKey(p.Namespace, "Pod", p.Name)
		for depth, kind, name := 0, "Pod", p.Name; depth < 3; depth++ {
			owner, ok := controllerOf(inv, p.Namespace, kind, name)
			if !ok {
				break
			}
			kind, name = owner[0], owner[1]
			key = workloadKey(p.Namespace, kind, name)
		}
		if key == workloadKey(p.Namespace, "Pod", p.Name) {
			if d, ok := deploymentOfMissingReplicaSet(inv, p); ok {
				key = workloadKey(p.Namespace, "Deployment", d)
			}
		}
		out[key] = append(out[key], podInfo{name: p.Name, ips: podIPs(p)})
	}
	return out
}

// deploymentOfMissingReplicaSet attributes a Pod owned by a ReplicaSet
// that is not in the inventory to the Deployment whose name plus "-" is a
// prefix of the ReplicaSet's name (the name the Deployment controller
// gives its ReplicaSets). Such a Pod is not an endpoint of its own.
func deploymentOfMissingReplicaSet(inv *governance.Inventory, p *corev1.Pod) (string, bool) {
	for _, ref := range p.OwnerReferences {
		if ref.Kind != "ReplicaSet" {
			continue
		}
		name := ref.Name
		for i := strings.LastIndexByte(name, '-'); i > 0; i = strings.LastIndexByte(name[:i], '-') {
			if inv.Get(governance.Key{Group: "apps", Kind: "Deployment", Namespace: p.Namespace, Name: name[:i]}) != nil {
				return name[:i], true
			}
		}
	}
	return "", false
}

var ownerGroups = map[string]string{
	"Deployment": "apps", "ReplicaSet": "apps", "StatefulSet": "apps", "DaemonSet": "apps",
	"Job": "batch", "CronJob": "batch", "ReplicationController": "",
}

// controllerOf returns the kind and name of the in-inventory controller
// owning the object, if any.
func controllerOf(inv *governance.Inventory, ns, kind, name string) ([2]string, bool) {
	o := inv.Get(governance.Key{Group: groupOfKind(kind), Kind: kind, Namespace: ns, Name: name})
	if o == nil {
		return [2]string{}, false
	}
	for _, ref := range o.Meta().GetOwnerReferences() {
		group, known := ownerGroups[ref.Kind]
		if !known || inv.Get(governance.Key{Group: group, Kind: ref.Kind, Namespace: ns, Name: ref.Name}) == nil {
			continue
		}
		return [2]string{ref.Kind, ref.Name}, true
	}
	return [2]string{}, false
}

func groupOfKind(kind string) string {
	if kind == "Pod" {
		return ""
	}
	return ownerGroups[kind]
}

// containerPorts are the ports named ports resolve against: regular
// containers and restartable (sidecar) init containers.
func containerPorts(spec *corev1.PodSpec) []corev1.ContainerPort {
	var out []corev1.ContainerPort
	for _, c := range spec.InitContainers {
		if c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways {
			out = append(out, normalizePorts(c.Ports)...)
		}
	}
	for _, c := range spec.Containers {
		out = append(out, normalizePorts(c.Ports)...)
	}
	return out
}

func normalizePorts(ps []corev1.ContainerPort) []corev1.ContainerPort {
	out := make([]corev1.ContainerPort, len(ps))
	for i, p := range ps {
		if p.Protocol == "" {
			p.Protocol = corev1.ProtocolTCP
		}
		out[i] = p
	}
	return out
}

// podEndpoints builds the pod and hostNetwork endpoints. When ipBlocks
// match pod IPs and a workload's pods fall into different address ranges of
// the cut, each pod becomes its own endpoint. Only the workloads of the
// namespaces in admits are made (nil: all); endpoint names are unique per
// namespace, so those of the others are not needed to name them.
func podEndpoints(inv *governance.Inventory, cut []ipRange, splitByIP bool, in func(namespace string) bool) []*Endpoint {
	nsl := namespaceLabels(inv)
	pods := podsByWorkload(inv, in)
	var out []*Endpoint
	for _, w := range inv.Workloads() {
		if in != nil && !in(w.Namespace) {
			continue
		}
		if pod, isPod := w.Object.Obj.(*corev1.Pod); isPod {
			if _, owned := deploymentOfMissingReplicaSet(inv, pod); owned {
				continue
			}
		}
		nsLabels, ok := nsl[w.Namespace]
		if !ok {
			nsLabels = nsLabelSet(w.Namespace, nil)
		}
		role := strings.TrimPrefix(w.ID(), w.Kind+"/"+w.Name) // "[role]" for one of several pod kinds of a custom resource
		base := Endpoint{Kind: PodEndpoint, Namespace: w.Namespace, Workload: w.ID(),
			Labels: w.Pod.Labels, Replicas: max(w.Replicas, 1), nsLabels: nsLabels, ports: containerPorts(&w.Pod.Spec)}
		if w.Pod.Spec.HostNetwork {
			base.Kind = HostNetworkEndpoint
		}
		members := pods[workloadKey(w.Namespace, w.Kind, w.Name)]
		groups := groupByAtoms(members, cut)
		if len(groups) <= 1 || !splitByIP {
			e := base
			e.Name = w.Namespace + "/" + w.Name + role
			for _, m := range members {
				e.IPs = appendAddrs(e.IPs, m.ips)
			}
			out = append(out, &e)
			continue
		}
		for _, m := range members {
			e := base
			e.Name, e.Replicas, e.IPs = w.Namespace+"/"+m.name, 1, m.ips
			out = append(out, &e)
		}
	}
	return uniqueNames(out)
}

func appendAddrs(dst, src []netip.Addr) []netip.Addr {
	for _, a := range src {
		dup := false
		for _, b := range dst {
			dup = dup || a == b
		}
		if !dup {
			dst = append(dst, a)
		}
	}
	return dst
}

// groupByAtoms groups pods by the cut ranges their IPs fall in.
func groupByAtoms(members []podInfo, cut []ipRange) map[string]bool {
	groups := map[string]bool{}
	for _, m := range members {
		var sig []string
		for _, a := range m.ips {
			for i, r := range cut {
				if r.contains(a) {
					sig = append(sig, string(rune(i)))
				}
			}
		}
		sort.Strings(sig)
		groups[strings.Join(sig, ",")] = true
	}
	return groups
}

func uniqueNames(es []*Endpoint) []*Endpoint {
	seen := map[string]int{}
	for _, e := range es {
		seen[e.Name]++
	}
	for _, e := range es {
		if seen[e.Name] > 1 {
			e.Name = e.Namespace + "/" + strings.ToLower(strings.Replace(e.Workload, "/", ".", 1))
		}
	}
	return es
}

// externalEndpoints merges the cut ranges that every ipBlock treats alike
// into one endpoint each.
func externalEndpoints(cut []ipRange, prefixes []netip.Prefix) []*Endpoint {
	bySig := map[string]*Endpoint{}
	var out []*Endpoint
	for _, r := range cut {
		var sig strings.Builder
		for _, p := range prefixes {
			if p.Contains(r.lo) {
				sig.WriteByte('1')
			} else {
				sig.WriteByte('0')
			}
		}
		sig.WriteByte(map[bool]byte{true: '6', false: '4'}[r.lo.Is6()])
		e, ok := bySig[sig.String()]
		if !ok {
			e = &Endpoint{Kind: ExternalEndpoint}
			bySig[sig.String()] = e
			out = append(out, e)
		}
		e.ranges = append(e.ranges, r)
		e.Ranges = append(e.Ranges, r.String())
	}
	for _, e := range out {
		e.Name = strings.Join(e.Ranges, ",")
	}
	return out
}
