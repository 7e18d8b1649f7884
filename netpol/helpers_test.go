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

	"github.com/aigov/aigov/governance"
)

// typed wraps API objects for governance.NewInventory.
func typed(t testing.TB, objs ...runtime.Object) *governance.Inventory {
	t.Helper()
	var out []*governance.Object
	for _, o := range objs {
		var gvk schema.GroupVersionKind
		switch o.(type) {
		case *corev1.Pod:
			gvk = corev1.SchemeGroupVersion.WithKind("Pod")
		case *corev1.Namespace:
			gvk = corev1.SchemeGroupVersion.WithKind("Namespace")
		case *networkingv1.NetworkPolicy:
			gvk = networkingv1.SchemeGroupVersion.WithKind("NetworkPolicy")
		default:
			t.Fatalf("typed: unsupported %T", o)
		}
		out = append(out, &governance.Object{Obj: o, GVK: gvk, Typed: true})
	}
	inv, err := governance.NewInventory(out)
	require.NoError(t, err)
	return inv
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
