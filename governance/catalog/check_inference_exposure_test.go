package catalog

import (
	"strings"
	"testing"
)

func TestInferenceExposure(t *testing.T) {
	llm := deployIn("ml", "llm", "", "{containers: [{name: v, image: vllm/vllm-openai:v1}]}")
	web := deployIn("ml", "web", "", "{containers: [{name: w, image: nginx}]}")
	svc := func(name, app, typ string) string {
		return `apiVersion: v1
kind: Service
metadata: {name: ` + name + `, namespace: ml}
spec: {type: ` + typ + `, selector: {app: ` + app + `}, ports: [{port: 80}]}
`
	}
	ing := `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: public, namespace: ml}
spec:
  rules:
  - host: llm.example.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: llm, port: {number: 80}}}}]}
`
	c := mustNew(t, NewInferenceExposure, "")
	runContainsCases(t, c, []containsCase{
		{name: "pass: ClusterIP", manifest: join(llm, svc("llm", "llm", "ClusterIP"))},
		{name: "pass: LoadBalancer for a non-AI app", manifest: join(llm, web, svc("web", "web", "LoadBalancer"))},
		{name: "pass: namespace allows", manifest: join(nsManifest("ml", "{aigov.dev/allow-external-inference: 'true'}"), llm, svc("llm", "llm", "NodePort"), ing)},
		{name: "fail: LoadBalancer", manifest: join(llm, svc("llm", "llm", "LoadBalancer")), want: []string{
			`Service/llm spec.type: LoadBalancer Service "llm" exposes inference-server Deployment "llm" outside the cluster, and namespace ml is not labelled aigov.dev/allow-external-inference=true`,
		}},
		{name: "fail: Ingress", manifest: join(llm, svc("llm", "llm", "ClusterIP"), ing), want: []string{
			`Ingress/public spec.rules[0].http.paths[0].backend.service.name: Ingress "public" routes to Service "llm", exposing inference-server Deployment "llm"`,
		}},
	})
	// Through the Gateway API: every listener faces outside.
	gw := gateway("infra", "[{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}, {name: https, port: 443, protocol: HTTPS, allowedRoutes: {namespaces: {from: All}}}]")
	toPool := routeTo("infra", "", "{group: inference.networking.k8s.io, kind: InferencePool, name: llama}")
	runCases(t, c, []checkCase{
		{name: "fail: HTTPRoute to an InferencePool of model servers", manifest: join(gwModelServer, gwPool, gw, httpRouteManifest("ml", toPool)), want: []string{
			`HTTPRoute/chat spec.rules[0].backendRefs[0]: HTTPRoute "chat", attached to Gateway infra/gw (listeners http, https), routes to InferencePool ml/llama, exposing inference-server Deployment "vllm" outside the cluster, and namespace ml is not labelled aigov.dev/allow-external-inference=true`,
		}},
		{name: "fail: HTTPRoute to a ClusterIP Service, one listener", manifest: join(gwModelServer, gwService, gw,
			httpRouteManifest("ml", routeTo("infra", ", sectionName: https", "{name: web, port: 80}, {name: llm, port: 80}"))), want: []string{
			`HTTPRoute/chat spec.rules[0].backendRefs[1]: HTTPRoute "chat", attached to Gateway infra/gw (listener https), routes to Service ml/llm:80, exposing inference-server Deployment "vllm" outside the cluster, and namespace ml is not labelled aigov.dev/allow-external-inference=true`,
		}},
		{name: "pass: HTTPRoute not attached (hostnames do not intersect)", manifest: join(gwModelServer, gwPool,
			gateway("infra", "[{name: http, port: 80, protocol: HTTP, hostname: chat.example.com, allowedRoutes: {namespaces: {from: All}}}]"),
			httpRouteManifest("ml", "  hostnames: [chat.example.org]\n"+toPool))},
		{name: "pass: HTTPRoute to a pool of non-AI pods", manifest: join(gwWebFrontEnd, strings.Replace(gwPool, "{app: vllm}", "{app: web}", 1), gw, httpRouteManifest("ml", toPool))},
		{name: "pass: cross-namespace backendRef without a ReferenceGrant", manifest: join(gwModelServer, gwPool, gw,
			httpRouteManifest("apps", routeTo("infra", "", "{group: inference.networking.k8s.io, kind: InferencePool, name: llama, namespace: ml}")))},
		{name: "pass: namespace allows", manifest: join(nsManifest("ml", "{aigov.dev/allow-external-inference: 'true'}"), gwModelServer, gwPool, gw, httpRouteManifest("ml", toPool))},
	})
	runContainsCases(t, c, []containsCase{
		{name: "fail: one finding per backendRef, naming every Gateway", manifest: join(gwModelServer, gwService, gwPool, gw,
			strings.Replace(gateway("edge", "[{name: web, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}]"), "name: gw", "name: edge", 1),
			httpRouteManifest("ml", "  parentRefs: [{name: gw, namespace: infra, sectionName: http}, {name: edge, namespace: edge}]\n  rules:\n  - backendRefs: [{name: llm, port: 80}]\n  - backendRefs: [{group: inference.networking.k8s.io, kind: InferencePool, name: llama}]\n")), want: []string{
			`HTTPRoute/chat spec.rules[0].backendRefs[0]: HTTPRoute "chat", attached to Gateway infra/gw (listener http), Gateway edge/edge (listener web), routes to Service ml/llm:80, exposing inference-server Deployment "vllm"`,
			`HTTPRoute/chat spec.rules[1].backendRefs[0]: HTTPRoute "chat", attached to Gateway infra/gw (listener http), Gateway edge/edge (listener web), routes to InferencePool ml/llama, exposing inference-server Deployment "vllm"`,
		}},
	})
	runParamCases(t, NewInferenceExposure, []paramCase{{"", ""}, {`{"classes": ["embedding-service"]}`, ""}, {`{"classes": ["x"]}`, "unknown AI class"}})
}
