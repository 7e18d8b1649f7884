package catalog

import "testing"

func TestRouteToOtherTeam(t *testing.T) {
	c := mustNew(t, NewRouteToOtherTeam, "")
	nsTeams := join(nsManifest("ml", "{team: nlp}"), nsManifest("apps", "{team: web}"), nsManifest("ml2", "{team: nlp}"), nsManifest("shared", "{}"))
	gw := gateway("infra", "[{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}]")
	grant := func(ns, to string) string {
		return referenceGrant(ns, "{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: apps}", to)
	}
	toPool := "{group: inference.networking.k8s.io, kind: InferencePool, name: llama, namespace: ml}"
	runCases(t, c, []checkCase{
		{name: "pass: same namespace", manifest: join(nsTeams, gw, gwModelServer, gwService, httpRouteManifest("ml", routeTo("infra", "", "{name: llm, port: 80}")))},
		{name: "pass: another namespace of the same team", manifest: join(nsTeams, gw, gwModelServer, gwService,
			referenceGrant("ml", "{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: ml2}", "{group: '', kind: Service}"),
			httpRouteManifest("ml2", routeTo("infra", "", "{name: llm, namespace: ml, port: 80}")))},
		{name: "pass: not permitted, so it reaches nothing", manifest: join(nsTeams, gw, gwModelServer, gwPool, httpRouteManifest("apps", routeTo("infra", "", toPool)))},
		{name: "pass: the backend's namespace has no team", manifest: join(nsTeams, gw, grant("shared", "{group: '', kind: Service}"),
			httpRouteManifest("apps", routeTo("infra", "", "{name: llm, namespace: shared, port: 80}")))},
		{name: "fail: a pool of another team", manifest: join(nsTeams, gw, gwModelServer, gwPool,
			grant("ml", "{group: inference.networking.k8s.io, kind: InferencePool}"), httpRouteManifest("apps", routeTo("infra", "", toPool))), want: []string{
			`HTTPRoute/chat spec.rules[0].backendRefs[0]: HTTPRoute "chat" of team web routes to InferencePool ml/llama of team nlp (permitted by ReferenceGrant ml/allow)`,
		}},
		{name: "fail: a Service of another team, even through a detached route", manifest: join(nsTeams, gwModelServer, gwService,
			grant("ml", "{group: '', kind: Service, name: llm}"), httpRouteManifest("apps", routeTo("infra", "", "{name: web, port: 80}, {name: llm, namespace: ml, port: 80}"))), want: []string{
			`HTTPRoute/chat spec.rules[0].backendRefs[1]: HTTPRoute "chat" of team web routes to Service ml/llm:80 of team nlp (permitted by ReferenceGrant ml/allow)`,
		}},
	})
	runParamCases(t, NewRouteToOtherTeam, noParamCases)
}
