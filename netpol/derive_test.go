package netpol

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/aigov/aigov/governance"
)

// fingerprint renders everything a reader of the graph can observe:
// endpoints in order with their classes, the class edges in order, the
// matrix, the verdicts with their explanations on a few ports, exposure,
// coverage, dead policies, notes and warnings.
func fingerprint(t *testing.T, g *Graph) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "classes %d\n", g.Classes())
	for _, e := range g.Endpoints() {
		fmt.Fprintf(&b, "endpoint %d %s %s %s %d %v class %d\n", e.ID(), e.Name, e.Kind, e.Workload, e.Replicas, e.IPs, g.class[e.id])
	}
	for ce := range g.ClassEdges() {
		var from, to []string
		for _, e := range ce.From {
			from = append(from, e.Name)
		}
		for _, e := range ce.To {
			to = append(to, e.Name)
		}
		fmt.Fprintf(&b, "edge %d->%d %v->%v %s\n", ce.FromClass, ce.ToClass, from, to, ce.Ports)
	}
	for _, src := range g.Endpoints() {
		for _, dst := range g.Endpoints() {
			for _, proto := range protocols {
				for _, port := range []int32{80, 82} {
					b.WriteString(g.Allowed(src, dst, port, proto).Explain())
				}
			}
		}
	}
	for _, v := range []any{g.Matrix(), g.Exposure(), g.DefaultDenyCoverage(), g.DeadPolicies(), g.Notes()} {
		js, err := json.Marshal(v)
		require.NoError(t, err)
		b.Write(js)
		b.WriteByte('\n')
	}
	for _, err := range g.Warnings() {
		b.WriteString(err.Error() + "\n")
	}
	return b.String()
}

func typedObject(t *testing.T, o runtime.Object) *governance.Object {
	t.Helper()
	gvk, ok := gvkOf(o)
	require.True(t, ok)
	return &governance.Object{Obj: o, GVK: gvk, Typed: true}
}

// randomChange picks a change of one object of w: a pod's labels, ports
// or IP (an IPv6 one too), a new or removed pod, a new, changed or removed
// NetworkPolicy (ipBlocks among its peers), or a Namespace's labels. It
// returns the key removed, the object added (nil for a removal) and the
// namespace whose objects other than policies changed.
func randomChange(r *rand.Rand, w randomWorld) (governance.Key, runtime.Object, string) {
	labelsOf := func() map[string]string {
		l := map[string]string{}
		for _, k := range []string{"app", "tier"} {
			if r.IntN(3) > 0 {
				l[k] = []string{"a", "b", "c"}[r.IntN(3)]
			}
		}
		return l
	}
	nss := make([]string, 0, len(w.nsLabels))
	for ns := range w.nsLabels {
		nss = append(nss, ns)
	}
	ns := nss[r.IntN(len(nss))]
	switch r.IntN(7) {
	case 0, 1: // a pod changes
		p := w.pods[r.IntN(len(w.pods))].DeepCopy()
		switch r.IntN(4) {
		case 0:
			p.Labels = labelsOf()
		case 1:
			p.Spec.Containers[0].Ports = append(p.Spec.Containers[0].Ports,
				corev1.ContainerPort{Name: []string{"http", "dns", "metrics"}[r.IntN(3)], ContainerPort: 83, Protocol: corev1.ProtocolTCP})
		case 2:
			p.Status.PodIP = fmt.Sprintf("10.%d.%d.%d", r.IntN(3), r.IntN(2), 50+r.IntN(5))
			p.Status.PodIPs = []corev1.PodIP{{IP: p.Status.PodIP}}
		case 3:
			p.Status.PodIPs = append(p.Status.PodIPs, corev1.PodIP{IP: "fd00::1"})
		}
		return governance.Key{Kind: "Pod", Namespace: p.Namespace, Name: p.Name}, p, p.Namespace
	case 2: // a new pod
		p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "new", Labels: labelsOf()},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c"}}}}
		if r.IntN(2) == 0 {
			p.Spec.Containers[0].Ports = []corev1.ContainerPort{{Name: "http", ContainerPort: 84, Protocol: corev1.ProtocolTCP}}
		}
		if r.IntN(2) == 0 {
			p.Status.PodIP = fmt.Sprintf("10.0.%d.%d", r.IntN(2), 60+r.IntN(3))
			p.Status.PodIPs = []corev1.PodIP{{IP: p.Status.PodIP}}
		}
		return governance.Key{Kind: "Pod", Namespace: ns, Name: "new"}, p, ns
	case 3: // a pod goes
		p := w.pods[r.IntN(len(w.pods))]
		return governance.Key{Kind: "Pod", Namespace: p.Namespace, Name: p.Name}, nil, p.Namespace
	case 4: // a new or changed policy
		name := fmt.Sprintf("np%d", r.IntN(len(w.nps)+1))
		np := randomPolicy(r, ns, name, labelsOf)
		return governance.Key{Group: "networking.k8s.io", Kind: "NetworkPolicy", Namespace: ns, Name: name}, np, ns
	case 5: // a policy goes (or none, when there is none)
		if len(w.nps) == 0 {
			return governance.Key{Group: "networking.k8s.io", Kind: "NetworkPolicy", Namespace: ns, Name: "none"}, nil, ns
		}
		np := w.nps[r.IntN(len(w.nps))]
		return governance.Key{Group: "networking.k8s.io", Kind: "NetworkPolicy", Namespace: np.Namespace, Name: np.Name}, nil, np.Namespace
	}
	n := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns, Labels: labelsOf()}}
	return governance.Key{Kind: "Namespace", Name: ns}, n, ""
}

// TestDeriveEqualsBuild: on random worlds and random changes of one
// object, the derived graph is the graph Build makes of the changed
// inventory, in everything a reader observes, and deriving leaves the
// base graph as it was.
func TestDeriveEqualsBuild(t *testing.T) {
	worlds := 600
	if testing.Short() {
		worlds = 200
	}
	r := rand.New(rand.NewPCG(15, 16))
	reused, copiedEndpoints := 0, 0
	for i := 0; i < worlds; i++ {
		w := newRandomWorld(r)
		inv := typed(t, w.objects()...)
		base, err := Build(inv, Options{IgnorePodIPsInIPBlocks: i%5 == 4})
		require.NoError(t, err)
		before := fingerprint(t, base)
		for j := 0; j < 3; j++ {
			key, obj, ns := randomChange(r, w)
			var added *governance.Object
			if obj != nil {
				added = typedObject(t, obj)
			}
			after, err := inv.WithChange(key, added)
			require.NoError(t, err)
			derived, err := base.Derive(after, ns)
			require.NoError(t, err)
			full, err := Build(after, base.opts)
			require.NoError(t, err)
			if readInputs(after).samePolicies(base.inputs) {
				reused++
			}
			if slicesEqualPrefixes(derived, base) {
				copiedEndpoints++
			}
			require.Equal(t, fingerprint(t, full), fingerprint(t, derived), "world %d, change %d: %s (%T)", i, j, key, obj)
		}
		require.Equal(t, before, fingerprint(t, base), "world %d: deriving changed the base graph", i)
	}
	t.Logf("%d of %d derivations reused the compiled policies, %d the other namespaces' endpoints", reused, worlds*3, copiedEndpoints)
	require.Greater(t, reused, worlds, "most changes should leave the policies alone")
	require.Greater(t, copiedEndpoints, worlds, "most changes should leave the address ranges alone")
}

func slicesEqualPrefixes(a, b *Graph) bool {
	if len(a.comp.prefixes) != len(b.comp.prefixes) {
		return false
	}
	for i := range a.comp.prefixes {
		if a.comp.prefixes[i] != b.comp.prefixes[i] {
			return false
		}
	}
	return true
}

// TestDeriveGraphFact: a pass over an inventory registered with
// DeriveGraphFact gets the derived graph, the same as a built one; after
// release the fact builds again.
func TestDeriveGraphFact(t *testing.T) {
	np := &networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Namespace: "a", Name: "deny"},
		Spec: networkingv1.NetworkPolicySpec{PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}}}
	inv := typed(t, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "a"}}, modelPod("a", "x", "10.0.0.1", nil), np)
	base := GraphFact.Of(governance.NewPass(inv))
	after, err := inv.WithChange(governance.Key{Kind: "Pod", Namespace: "a", Name: "y"}, typedObject(t, modelPod("a", "y", "10.0.0.2", nil)))
	require.NoError(t, err)
	release := DeriveGraphFact(after, base, "a")
	derived := GraphFact.Of(governance.NewPass(after))
	require.Equal(t, fingerprint(t, mustBuild(t, after)), fingerprint(t, derived))
	_, registered := derivations.Load(after)
	require.True(t, registered)
	release()
	_, registered = derivations.Load(after)
	require.False(t, registered, "release forgets the inventory")
	mustLookup(t, GraphFact.Of(governance.NewPass(after)), "a/y")
}

func mustBuild(t *testing.T, inv *governance.Inventory) *Graph {
	t.Helper()
	g, err := Build(inv, Options{})
	require.NoError(t, err)
	return g
}

// TestDeriveKeepsSelectorErrors: a policy whose selector does not parse
// is reported by the derived graph as by a built one when another policy
// changes (its parse is taken from the base graph, with its error).
func TestDeriveKeepsSelectorErrors(t *testing.T) {
	bad := &networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Namespace: "a", Name: "bad"},
		Spec: networkingv1.NetworkPolicySpec{PodSelector: metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{
			{Key: "app", Operator: metav1.LabelSelectorOpIn}}}}}
	inv := typed(t, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "a"}}, modelPod("a", "x", "10.0.0.1", nil), bad)
	base := mustBuild(t, inv)
	require.Len(t, base.Warnings(), 1)
	other := &networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Namespace: "a", Name: "other"},
		Spec: networkingv1.NetworkPolicySpec{PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeEgress}}}
	after, err := inv.WithChange(governance.Key{Group: "networking.k8s.io", Kind: "NetworkPolicy", Namespace: "a", Name: "other"}, typedObject(t, other))
	require.NoError(t, err)
	derived, err := base.Derive(after, "a")
	require.NoError(t, err)
	require.Len(t, derived.Warnings(), 1)
	require.Equal(t, base.Warnings()[0].Error(), derived.Warnings()[0].Error())
	require.Equal(t, fingerprint(t, mustBuild(t, after)), fingerprint(t, derived))
}
