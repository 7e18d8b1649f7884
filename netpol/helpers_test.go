package netpol

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	anp "sigs.k8s.io/network-policy-api/apis/v1alpha1"
	cnpv1alpha2 "sigs.k8s.io/network-policy-api/apis/v1alpha2"
	cnp "sigs.k8s.io/network-policy-api/apis/v1beta1"
	"sigs.k8s.io/yaml"

	"github.com/aigov/aigov/governance"
)

// typed wraps API objects for governance.NewInventory.
func typed(t testing.TB, objs ...runtime.Object) *governance.Inventory {
	t.Helper()
	var out []*governance.Object
	for _, o := range objs {
		gvk, ok := gvkOf(o)
		if !ok {
			t.Fatalf("typed: unsupported %T", o)
		}
		out = append(out, &governance.Object{Obj: o, GVK: gvk, Typed: true})
	}
	inv, err := governance.NewInventory(out)
	require.NoError(t, err)
	return inv
}

// gvkOf names the kinds the tests build as Go values.
func gvkOf(o runtime.Object) (schema.GroupVersionKind, bool) {
	switch o.(type) {
	case *corev1.Pod:
		return corev1.SchemeGroupVersion.WithKind("Pod"), true
	case *corev1.Namespace:
		return corev1.SchemeGroupVersion.WithKind("Namespace"), true
	case *networkingv1.NetworkPolicy:
		return networkingv1.SchemeGroupVersion.WithKind("NetworkPolicy"), true
	case *anp.AdminNetworkPolicy:
		return anp.SchemeGroupVersion.WithKind("AdminNetworkPolicy"), true
	case *anp.BaselineAdminNetworkPolicy:
		return anp.SchemeGroupVersion.WithKind("BaselineAdminNetworkPolicy"), true
	case *cnp.ClusterNetworkPolicy:
		return cnp.SchemeGroupVersion.WithKind("ClusterNetworkPolicy"), true
	case *cnpv1alpha2.ClusterNetworkPolicy:
		return cnpv1alpha2.SchemeGroupVersion.WithKind("ClusterNetworkPolicy"), true
	}
	return schema.GroupVersionKind{}, false
}

// toYAML renders objects as a multi-document YAML stream with apiVersion
// and kind, as a user would write them.
func toYAML(t testing.TB, objs ...runtime.Object) []byte {
	t.Helper()
	var b strings.Builder
	for _, o := range objs {
		gvk, ok := gvkOf(o)
		if !ok {
			t.Fatalf("toYAML: unsupported %T", o)
		}
		body, err := yaml.Marshal(o)
		require.NoError(t, err)
		fmt.Fprintf(&b, "---\napiVersion: %s\nkind: %s\n%s", gvk.GroupVersion(), gvk.Kind, body)
	}
	return []byte(b.String())
}

// load decodes YAML through the project's loader (defaults applied).
func load(t testing.TB, docs ...string) *governance.Inventory {
	t.Helper()
	l, err := governance.NewLoader()
	require.NoError(t, err)
	inv, err := l.LoadBytes("test.yaml", []byte(strings.Join(docs, "\n---\n")))
	require.NoError(t, err)
	return inv
}

// modelPod is a pod of the upstream e2e model: label pod=NAME, ports 80
// and 81 on TCP, UDP and SCTP named serve-PORT-PROTO.
func modelPod(ns, name, ip string, extra map[string]string) *corev1.Pod {
	lbl := map[string]string{"pod": name}
	for k, v := range extra {
		lbl[k] = v
	}
	var ports []corev1.ContainerPort
	for _, proto := range protocols {
		for _, p := range []int32{80, 81} {
			ports = append(ports, corev1.ContainerPort{Name: fmt.Sprintf("serve-%d-%s", p, strings.ToLower(string(proto))), ContainerPort: p, Protocol: proto})
		}
	}
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: lbl},
		Spec:   corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "agnhost", Ports: ports}}},
		Status: corev1.PodStatus{PodIP: ip, PodIPs: []corev1.PodIP{{IP: ip}}}}
}

func mustLookup(t testing.TB, g *Graph, name string) *Endpoint {
	t.Helper()
	e, ok := g.Lookup(name)
	require.True(t, ok, "endpoint %s", name)
	return e
}
