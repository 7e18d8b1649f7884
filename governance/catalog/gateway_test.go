package catalog

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aigov/aigov/governance"
)

// The fixtures of the route graph tests: a model server in namespace ml
// behind a Service and an InferencePool, and helpers for Gateways,
// HTTPRoutes and ReferenceGrants.
var (
	gwModelServer = deployIn("ml", "vllm", "serving: llm", "{containers: [{name: v, image: vllm/vllm-openai:v1}]}")
	gwWebFrontEnd = deployIn("ml", "web", "serving: llm", "{containers: [{name: w, image: nginx}]}")
	gwService     = `apiVersion: v1
kind: Service
metadata: {name: llm, namespace: ml}
spec: {selector: {app: vllm}, ports: [{port: 80, targetPort: 8000}]}
`
	gwPool = `apiVersion: inference.networking.k8s.io/v1
kind: InferencePool
metadata: {name: llama, namespace: ml}
spec:
  selector: {matchLabels: {app: vllm}}
  targetPorts: [{number: 8000}]
  endpointPickerRef: {name: llama-epp, port: {number: 9002}}
`
)

// gateway is a Gateway named gw in namespace ns with the given listeners
// (a YAML flow sequence).
func gateway(ns, listeners string) string {
	return fmt.Sprintf(`apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: %s}
spec:
  gatewayClassName: istio
  listeners: %s
`, ns, listeners)
}

// httpRouteManifest is an HTTPRoute named chat in namespace ns; spec holds the
// lines of its spec, indented by two spaces.
func httpRouteManifest(ns, spec string) string {
	return fmt.Sprintf(`apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: chat, namespace: %s}
spec:
%s`, ns, spec)
}

// routeTo is the spec of a route attached to Gateway gwNS/gw (parentRef
// extra fields in parent, e.g. ", sectionName: https") with one backendRef.
func routeTo(gwNS, parent, backend string) string {
	return fmt.Sprintf("  parentRefs: [{name: gw, namespace: %s%s}]\n  rules: [{backendRefs: [%s]}]\n", gwNS, parent, backend)
}

func referenceGrant(ns, from, to string) string {
	return fmt.Sprintf(`apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: {name: allow, namespace: %s}
spec:
  from: [%s]
  to: [%s]
`, ns, from, to)
}

// routeGraph renders the route graph of manifest: per route, the
// listeners it is attached to ("ml/chat -> infra/gw[http]", or
// "ml/chat detached") and per backendRef where it leads ("ml/chat
// spec.rules[0].backendRefs[0] -> Service ml/llm:80: Deployment/vllm", or
// the problem).
func routeGraph(t *testing.T, manifest string) []string {
	t.Helper()
	g := gatewayRoutesFact.Of(governance.NewPass(loadInventory(t, manifest)))
	var out []string
	for _, r := range g.routes {
		name := r.object.Namespace() + "/" + r.object.Name()
		if !r.attached() {
			out = append(out, name+" detached")
		}
		for _, l := range r.listeners {
			out = append(out, fmt.Sprintf("%s -> %s/%s[%s]", name, l.gateway.Namespace(), l.gateway.Name(), l.name))
		}
		for _, b := range r.backends {
			var to []string
			for _, cw := range b.workloads {
				to = append(to, cw.Workload.Kind+"/"+cw.Workload.Name)
			}
			if b.problem != "" {
				to = append(to, b.problem)
			}
			out = append(out, fmt.Sprintf("%s %s -> %s: %s", name, b.path, b.targetName(), strings.Join(to, ", ")))
		}
	}
	return out
}

func TestRouteGraphAttachment(t *testing.T) {
	svcRef := "{name: llm, port: 80}"
	infra := nsManifest("infra", "{}")
	ml := nsManifest("ml", "{gateway-access: 'yes'}")
	httpAll := "[{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}]"
	for _, tc := range []struct {
		name     string
		manifest string
		want     []string
	}{
		{"allowedRoutes default Same: a route of another namespace is not attached",
			join(infra, ml, gwModelServer, gwService, gateway("infra", "[{name: http, port: 80, protocol: HTTP}]"), httpRouteManifest("ml", routeTo("infra", "", svcRef))),
			[]string{"ml/chat detached", "ml/chat spec.rules[0].backendRefs[0] -> Service ml/llm:80: Deployment/vllm"}},
		{"allowedRoutes default Same: a route of the Gateway's namespace is attached",
			join(ml, gwModelServer, gwService, gateway("ml", "[{name: http, port: 80, protocol: HTTP}]"), httpRouteManifest("ml", routeTo("ml", "", svcRef))),
			[]string{"ml/chat -> ml/gw[http]", "ml/chat spec.rules[0].backendRefs[0] -> Service ml/llm:80: Deployment/vllm"}},
		{"parentRef namespace defaults to the route's",
			join(ml, gwModelServer, gwService, gateway("ml", "[{name: http, port: 80, protocol: HTTP}]"),
				httpRouteManifest("ml", "  parentRefs: [{name: gw}]\n  rules: [{backendRefs: [{name: llm, port: 80}]}]\n")),
			[]string{"ml/chat -> ml/gw[http]", "ml/chat spec.rules[0].backendRefs[0] -> Service ml/llm:80: Deployment/vllm"}},
		{"allowedRoutes All",
			join(infra, ml, gwModelServer, gwService, gateway("infra", httpAll), httpRouteManifest("ml", routeTo("infra", "", svcRef))),
			[]string{"ml/chat -> infra/gw[http]", "ml/chat spec.rules[0].backendRefs[0] -> Service ml/llm:80: Deployment/vllm"}},
		{"allowedRoutes Selector matching the route's namespace",
			join(infra, ml, gwModelServer, gwService,
				gateway("infra", "[{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: Selector, selector: {matchLabels: {gateway-access: 'yes'}}}}}]"),
				httpRouteManifest("ml", routeTo("infra", "", svcRef))),
			[]string{"ml/chat -> infra/gw[http]", "ml/chat spec.rules[0].backendRefs[0] -> Service ml/llm:80: Deployment/vllm"}},
		{"allowedRoutes Selector not matching",
			join(infra, nsManifest("ml", "{}"), gwModelServer, gwService,
				gateway("infra", "[{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: Selector, selector: {matchLabels: {gateway-access: 'yes'}}}}}]"),
				httpRouteManifest("ml", routeTo("infra", "", svcRef))),
			[]string{"ml/chat detached", "ml/chat spec.rules[0].backendRefs[0] -> Service ml/llm:80: Deployment/vllm"}},
		{"allowedRoutes Selector on kubernetes.io/metadata.name of a namespace not in the inventory",
			join(gwModelServer, gwService,
				gateway("infra", "[{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: Selector, selector: {matchExpressions: [{key: kubernetes.io/metadata.name, operator: In, values: [ml]}]}}}}]"),
				httpRouteManifest("ml", routeTo("infra", "", svcRef))),
			[]string{"ml/chat -> infra/gw[http]", "ml/chat spec.rules[0].backendRefs[0] -> Service ml/llm:80: Deployment/vllm"}},
		{"allowedRoutes Selector without a selector admits nothing",
			join(infra, ml, gwModelServer, gwService,
				gateway("infra", "[{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: Selector}}}]"),
				httpRouteManifest("ml", routeTo("infra", "", svcRef))),
			[]string{"ml/chat detached", "ml/chat spec.rules[0].backendRefs[0] -> Service ml/llm:80: Deployment/vllm"}},
		{"no parentRef port or sectionName: every accepting listener",
			join(infra, ml, gwModelServer, gwService,
				gateway("infra", "[{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}, {name: https, port: 443, protocol: HTTPS, allowedRoutes: {namespaces: {from: All}}}]"),
				httpRouteManifest("ml", routeTo("infra", "", svcRef))),
			[]string{"ml/chat -> infra/gw[http]", "ml/chat -> infra/gw[https]", "ml/chat spec.rules[0].backendRefs[0] -> Service ml/llm:80: Deployment/vllm"}},
		{"sectionName picks one listener",
			join(infra, ml, gwModelServer, gwService,
				gateway("infra", "[{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}, {name: https, port: 443, protocol: HTTPS, allowedRoutes: {namespaces: {from: All}}}]"),
				httpRouteManifest("ml", routeTo("infra", ", sectionName: https", svcRef))),
			[]string{"ml/chat -> infra/gw[https]", "ml/chat spec.rules[0].backendRefs[0] -> Service ml/llm:80: Deployment/vllm"}},
		{"sectionName naming a listener that does not allow the namespace",
			join(infra, ml, gwModelServer, gwService,
				gateway("infra", "[{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}, {name: internal, port: 8080, protocol: HTTP}]"),
				httpRouteManifest("ml", routeTo("infra", ", sectionName: internal", svcRef))),
			[]string{"ml/chat detached", "ml/chat spec.rules[0].backendRefs[0] -> Service ml/llm:80: Deployment/vllm"}},
		{"sectionName naming no listener",
			join(infra, ml, gwModelServer, gwService, gateway("infra", httpAll), httpRouteManifest("ml", routeTo("infra", ", sectionName: grpc", svcRef))),
			[]string{"ml/chat detached", "ml/chat spec.rules[0].backendRefs[0] -> Service ml/llm:80: Deployment/vllm"}},
		{"parentRef port selects the listeners on it",
			join(infra, ml, gwModelServer, gwService,
				gateway("infra", "[{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}, {name: https, port: 443, protocol: HTTPS, allowedRoutes: {namespaces: {from: All}}}]"),
				httpRouteManifest("ml", routeTo("infra", ", port: 443", svcRef))),
			[]string{"ml/chat -> infra/gw[https]", "ml/chat spec.rules[0].backendRefs[0] -> Service ml/llm:80: Deployment/vllm"}},
		{"sectionName and port must both match",
			join(infra, ml, gwModelServer, gwService, gateway("infra", httpAll), httpRouteManifest("ml", routeTo("infra", ", sectionName: http, port: 443", svcRef))),
			[]string{"ml/chat detached", "ml/chat spec.rules[0].backendRefs[0] -> Service ml/llm:80: Deployment/vllm"}},
		{"two parentRefs naming the same listener count it once",
			join(infra, ml, gwModelServer, gwService, gateway("infra", httpAll),
				httpRouteManifest("ml", "  parentRefs: [{name: gw, namespace: infra}, {name: gw, namespace: infra, sectionName: http}]\n  rules: [{backendRefs: [{name: llm, port: 80}]}]\n")),
			[]string{"ml/chat -> infra/gw[http]", "ml/chat spec.rules[0].backendRefs[0] -> Service ml/llm:80: Deployment/vllm"}},
		{"a Gateway not in the inventory attaches nothing",
			join(ml, gwModelServer, gwService, httpRouteManifest("ml", routeTo("infra", "", svcRef))),
			[]string{"ml/chat detached", "ml/chat spec.rules[0].backendRefs[0] -> Service ml/llm:80: Deployment/vllm"}},
		{"a Service parent (mesh) is not a Gateway",
			join(ml, gwModelServer, gwService,
				httpRouteManifest("ml", "  parentRefs: [{group: '', kind: Service, name: llm}]\n  rules: [{backendRefs: [{name: llm, port: 80}]}]\n")),
			[]string{"ml/chat detached", "ml/chat spec.rules[0].backendRefs[0] -> Service ml/llm:80: Deployment/vllm"}},
		{"a TCP listener carries no HTTPRoute",
			join(infra, ml, gwModelServer, gwService,
				gateway("infra", "[{name: tcp, port: 9000, protocol: TCP, allowedRoutes: {namespaces: {from: All}}}]"),
				httpRouteManifest("ml", routeTo("infra", "", svcRef))),
			[]string{"ml/chat detached", "ml/chat spec.rules[0].backendRefs[0] -> Service ml/llm:80: Deployment/vllm"}},
		{"allowedRoutes kinds without HTTPRoute",
			join(infra, ml, gwModelServer, gwService,
				gateway("infra", "[{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}, kinds: [{kind: GRPCRoute}]}}]"),
				httpRouteManifest("ml", routeTo("infra", "", svcRef))),
			[]string{"ml/chat detached", "ml/chat spec.rules[0].backendRefs[0] -> Service ml/llm:80: Deployment/vllm"}},
		{"allowedRoutes kinds listing HTTPRoute",
			join(infra, ml, gwModelServer, gwService,
				gateway("infra", "[{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}, kinds: [{kind: GRPCRoute}, {group: gateway.networking.k8s.io, kind: HTTPRoute}]}}]"),
				httpRouteManifest("ml", routeTo("infra", "", svcRef))),
			[]string{"ml/chat -> infra/gw[http]", "ml/chat spec.rules[0].backendRefs[0] -> Service ml/llm:80: Deployment/vllm"}},
		{"hostnames not intersecting: not attached",
			join(infra, ml, gwModelServer, gwService,
				gateway("infra", "[{name: http, port: 80, protocol: HTTP, hostname: '*.example.com', allowedRoutes: {namespaces: {from: All}}}]"),
				httpRouteManifest("ml", "  hostnames: [chat.example.org, example.com]\n"+routeTo("infra", "", svcRef))),
			[]string{"ml/chat detached", "ml/chat spec.rules[0].backendRefs[0] -> Service ml/llm:80: Deployment/vllm"}},
		{"hostnames intersecting through the listener's wildcard",
			join(infra, ml, gwModelServer, gwService,
				gateway("infra", "[{name: http, port: 80, protocol: HTTP, hostname: '*.example.com', allowedRoutes: {namespaces: {from: All}}}]"),
				httpRouteManifest("ml", "  hostnames: [chat.example.org, chat.example.com]\n"+routeTo("infra", "", svcRef))),
			[]string{"ml/chat -> infra/gw[http]", "ml/chat spec.rules[0].backendRefs[0] -> Service ml/llm:80: Deployment/vllm"}},
		{"hostnames: only the listeners whose hostname intersects",
			join(infra, ml, gwModelServer, gwService,
				gateway("infra", "[{name: a, port: 80, protocol: HTTP, hostname: a.example.com, allowedRoutes: {namespaces: {from: All}}}, {name: b, port: 80, protocol: HTTP, hostname: b.example.com, allowedRoutes: {namespaces: {from: All}}}]"),
				httpRouteManifest("ml", "  hostnames: ['b.example.com']\n"+routeTo("infra", "", svcRef))),
			[]string{"ml/chat -> infra/gw[b]", "ml/chat spec.rules[0].backendRefs[0] -> Service ml/llm:80: Deployment/vllm"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := routeGraph(t, tc.manifest); !slices.Equal(got, tc.want) {
				t.Errorf("route graph:\n  got  %s\n  want %s", strings.Join(got, "\n       "), strings.Join(tc.want, "\n       "))
			}
		})
	}
}

func TestRouteGraphBackends(t *testing.T) {
	ml := nsManifest("ml", "{}")
	gw := gateway("infra", "[{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}]")
	route := func(ns, backend string) string { return httpRouteManifest(ns, routeTo("infra", "", backend)) }
	grantFromApps := referenceGrant("ml", "{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: apps}", "{group: '', kind: Service}")
	for _, tc := range []struct {
		name     string
		manifest string
		want     []string
	}{
		{"a Service in the route's namespace",
			join(ml, gw, gwModelServer, gwService, route("ml", "{name: llm, port: 80}")),
			[]string{"ml/chat -> infra/gw[http]", "ml/chat spec.rules[0].backendRefs[0] -> Service ml/llm:80: Deployment/vllm"}},
		{"a Service of another namespace without a ReferenceGrant",
			join(ml, gw, gwModelServer, gwService, route("apps", "{name: llm, namespace: ml, port: 80}")),
			[]string{"apps/chat -> infra/gw[http]", "apps/chat spec.rules[0].backendRefs[0] -> Service ml/llm:80: not permitted: no ReferenceGrant in namespace ml allows it"}},
		{"a Service of another namespace with a ReferenceGrant",
			join(ml, gw, gwModelServer, gwService, grantFromApps, route("apps", "{name: llm, namespace: ml, port: 80}")),
			[]string{"apps/chat -> infra/gw[http]", "apps/chat spec.rules[0].backendRefs[0] -> Service ml/llm:80: Deployment/vllm"}},
		{"a ReferenceGrant of the route's namespace does not count",
			join(ml, gw, gwModelServer, gwService,
				referenceGrant("apps", "{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: apps}", "{group: '', kind: Service}"),
				route("apps", "{name: llm, namespace: ml, port: 80}")),
			[]string{"apps/chat -> infra/gw[http]", "apps/chat spec.rules[0].backendRefs[0] -> Service ml/llm:80: not permitted: no ReferenceGrant in namespace ml allows it"}},
		{"a ReferenceGrant from another namespace",
			join(ml, gw, gwModelServer, gwService,
				referenceGrant("ml", "{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: other}", "{group: '', kind: Service}"),
				route("apps", "{name: llm, namespace: ml, port: 80}")),
			[]string{"apps/chat -> infra/gw[http]", "apps/chat spec.rules[0].backendRefs[0] -> Service ml/llm:80: not permitted: no ReferenceGrant in namespace ml allows it"}},
		{"a ReferenceGrant for another kind of route",
			join(ml, gw, gwModelServer, gwService,
				referenceGrant("ml", "{group: gateway.networking.k8s.io, kind: GRPCRoute, namespace: apps}", "{group: '', kind: Service}"),
				route("apps", "{name: llm, namespace: ml, port: 80}")),
			[]string{"apps/chat -> infra/gw[http]", "apps/chat spec.rules[0].backendRefs[0] -> Service ml/llm:80: not permitted: no ReferenceGrant in namespace ml allows it"}},
		{"a ReferenceGrant naming another Service",
			join(ml, gw, gwModelServer, gwService,
				referenceGrant("ml", "{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: apps}", "{group: '', kind: Service, name: web}"),
				route("apps", "{name: llm, namespace: ml, port: 80}")),
			[]string{"apps/chat -> infra/gw[http]", "apps/chat spec.rules[0].backendRefs[0] -> Service ml/llm:80: not permitted: no ReferenceGrant in namespace ml allows it"}},
		{"a ReferenceGrant naming the Service (v1)",
			join(ml, gw, gwModelServer, gwService,
				strings.Replace(referenceGrant("ml", "{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: apps}", "{group: '', kind: Service, name: llm}"), "v1beta1", "v1", 1),
				route("apps", "{name: llm, namespace: ml, port: 80}")),
			[]string{"apps/chat -> infra/gw[http]", "apps/chat spec.rules[0].backendRefs[0] -> Service ml/llm:80: Deployment/vllm"}},
		{"a ReferenceGrant for Services does not permit an InferencePool",
			join(ml, gw, gwModelServer, gwPool, grantFromApps,
				route("apps", "{group: inference.networking.k8s.io, kind: InferencePool, name: llama, namespace: ml}")),
			[]string{"apps/chat -> infra/gw[http]", "apps/chat spec.rules[0].backendRefs[0] -> InferencePool ml/llama: not permitted: no ReferenceGrant in namespace ml allows it"}},
		{"an InferencePool of another namespace with a ReferenceGrant",
			join(ml, gw, gwModelServer, gwPool,
				referenceGrant("ml", "{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: apps}", "{group: inference.networking.k8s.io, kind: InferencePool}"),
				route("apps", "{group: inference.networking.k8s.io, kind: InferencePool, name: llama, namespace: ml}")),
			[]string{"apps/chat -> infra/gw[http]", "apps/chat spec.rules[0].backendRefs[0] -> InferencePool ml/llama: Deployment/vllm"}},
		{"an InferencePool selects by matchLabels in its namespace only",
			join(ml, gw, gwModelServer, gwWebFrontEnd, deployIn("other", "vllm", "", "{containers: [{name: v, image: vllm/vllm-openai:v1}]}"), gwPool,
				route("ml", "{group: inference.networking.k8s.io, kind: InferencePool, name: llama}")),
			[]string{"ml/chat -> infra/gw[http]", "ml/chat spec.rules[0].backendRefs[0] -> InferencePool ml/llama: Deployment/vllm"}},
		{"an InferencePool whose labels match two workloads",
			join(ml, gw, gwModelServer, gwWebFrontEnd, strings.Replace(gwPool, "{app: vllm}", "{serving: llm}", 1),
				route("ml", "{group: inference.networking.k8s.io, kind: InferencePool, name: llama}")),
			[]string{"ml/chat -> infra/gw[http]", "ml/chat spec.rules[0].backendRefs[0] -> InferencePool ml/llama: Deployment/vllm, Deployment/web"}},
		{"an InferencePool not in the inventory",
			join(ml, gw, gwModelServer, route("ml", "{group: inference.networking.k8s.io, kind: InferencePool, name: llama}")),
			[]string{"ml/chat -> infra/gw[http]", "ml/chat spec.rules[0].backendRefs[0] -> InferencePool ml/llama: not in the inventory"}},
		{"a Service that selects nothing",
			join(ml, gw, gwModelServer, strings.Replace(gwService, "{app: vllm}", "{app: gone}", 1), route("ml", "{name: llm, port: 80}")),
			[]string{"ml/chat -> infra/gw[http]", "ml/chat spec.rules[0].backendRefs[0] -> Service ml/llm:80: the Service selects no pods of the inventory"}},
		{"a Service without a selector",
			join(ml, gw, gwModelServer, strings.Replace(gwService, "selector: {app: vllm}, ", "", 1), route("ml", "{name: llm, port: 80}")),
			[]string{"ml/chat -> infra/gw[http]", "ml/chat spec.rules[0].backendRefs[0] -> Service ml/llm:80: the Service selects no pods of the inventory"}},
		{"a Service port the Service does not have",
			join(ml, gw, gwModelServer, gwService, route("ml", "{name: llm, port: 8080}")),
			[]string{"ml/chat -> infra/gw[http]", "ml/chat spec.rules[0].backendRefs[0] -> Service ml/llm:8080: the Service has no port 8080"}},
		{"a Service reference without a port",
			join(ml, gw, gwModelServer, gwService, route("ml", "{name: llm}")),
			[]string{"ml/chat -> infra/gw[http]", "ml/chat spec.rules[0].backendRefs[0] -> Service ml/llm: no port (a Service backendRef requires one)"}},
		{"a Service not in the inventory",
			join(ml, gw, gwModelServer, route("ml", "{name: llm, port: 80}")),
			[]string{"ml/chat -> infra/gw[http]", "ml/chat spec.rules[0].backendRefs[0] -> Service ml/llm:80: not in the inventory"}},
		{"an unsupported backend kind",
			join(ml, gw, gwModelServer, route("ml", "{group: example.com, kind: Bucket, name: b}")),
			[]string{"ml/chat -> infra/gw[http]", "ml/chat spec.rules[0].backendRefs[0] -> Bucket ml/b: unsupported kind Bucket.example.com"}},
		{"request mirrors lead to their backends too",
			join(ml, gw, gwModelServer, gwService, gwPool, httpRouteManifest("ml", `  parentRefs: [{name: gw, namespace: infra}]
  rules:
  - filters: [{type: RequestMirror, requestMirror: {backendRef: {name: llm, port: 80}}}]
    backendRefs:
    - name: web
      port: 80
      filters: [{type: RequestMirror, requestMirror: {backendRef: {group: inference.networking.k8s.io, kind: InferencePool, name: llama}}}]
`)),
			[]string{"ml/chat -> infra/gw[http]",
				"ml/chat spec.rules[0].filters[0].requestMirror.backendRef -> Service ml/llm:80: Deployment/vllm",
				"ml/chat spec.rules[0].backendRefs[0] -> Service ml/web:80: not in the inventory",
				"ml/chat spec.rules[0].backendRefs[0].filters[0].requestMirror.backendRef -> InferencePool ml/llama: Deployment/vllm"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := routeGraph(t, tc.manifest); !slices.Equal(got, tc.want) {
				t.Errorf("route graph:\n  got  %s\n  want %s", strings.Join(got, "\n       "), strings.Join(tc.want, "\n       "))
			}
		})
	}
}

func TestHostnamesIntersect(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"chat.example.com", "chat.example.com", true},
		{"Chat.Example.com", "chat.example.com", true},
		{"chat.example.com", "api.example.com", false},
		{"*.example.com", "chat.example.com", true},
		{"*.example.com", "a.b.example.com", true},
		{"*.example.com", "example.com", false},
		{"*.example.com", "chat.example.org", false},
		{"*.example.com", "*.example.com", true},
		{"*.example.com", "*.a.example.com", true},
		{"*.example.com", "*.example.org", false},
		{"*.example.com", "*.badexample.com", false},
		{"*.example.com", "chat.badexample.com", false},
	} {
		if got := hostnamesIntersect(tc.a, tc.b); got != tc.want {
			t.Errorf("hostnamesIntersect(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
		if got := hostnamesIntersect(tc.b, tc.a); got != tc.want {
			t.Errorf("hostnamesIntersect(%q, %q) = %v, want %v", tc.b, tc.a, got, tc.want)
		}
	}
}

func TestRouteGraphPools(t *testing.T) {
	inv := loadInventory(t, join(nsManifest("ml", "{}"), gwModelServer, gwWebFrontEnd,
		gwPool, strings.Replace(strings.Replace(gwPool, "llama", "broad", 1), "{app: vllm}", "{serving: llm}", 1),
		strings.Replace(strings.Replace(gwPool, "llama", "empty", 1), "{matchLabels: {app: vllm}}", "{}", 1)))
	g := gatewayRoutesFact.Of(governance.NewPass(inv))
	got := map[string]string{}
	for _, p := range g.pools {
		var ws []string
		for _, cw := range p.workloads {
			ws = append(ws, cw.Workload.Name)
		}
		got[p.object.Name()] = fmt.Sprintf("%v %v", ws, p.targetPorts)
	}
	want := map[string]string{"llama": "[vllm] [8000]", "broad": "[vllm web] [8000]", "empty": "[] [8000]"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("pools: %v, want %v", got, want)
	}
}
