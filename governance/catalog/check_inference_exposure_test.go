package catalog

import "testing"

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
	runParamCases(t, NewInferenceExposure, []paramCase{{"", ""}, {`{"classes": ["embedding-service"]}`, ""}, {`{"classes": ["x"]}`, "unknown AI class"}})
}
