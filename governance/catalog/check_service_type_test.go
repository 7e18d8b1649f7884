package catalog

import "testing"

func service(name, typ string) string {
	spec := "{ports: [{port: 80}]}"
	if typ != "" {
		spec = "{type: " + typ + ", ports: [{port: 80}]}"
	}
	return "apiVersion: v1\nkind: Service\nmetadata: {name: " + name + ", namespace: ml}\nspec: " + spec + "\n"
}

func TestServiceType(t *testing.T) {
	c := mustNew(t, NewServiceType, `{"disallowed": ["NodePort", "LoadBalancer"]}`)
	runCases(t, c, []checkCase{
		{name: "ClusterIP", manifest: service("s", "ClusterIP")},
		{name: "omitted", manifest: service("s", "")},
		{name: "ExternalName", manifest: service("s", "ExternalName")},
		{name: "NodePort", manifest: service("s", "NodePort"),
			want: []string{`Service/s spec.type: Service type "NodePort" is not allowed (disallowed: NodePort, LoadBalancer)`}},
		{name: "LoadBalancer", manifest: service("s", "LoadBalancer"),
			want: []string{`Service/s spec.type: Service type "LoadBalancer" is not allowed (disallowed: NodePort, LoadBalancer)`}},
		{name: "pods are not judged", manifest: podManifest("Pod", "p", "", "{containers: [{name: a, image: x}]}")},
	})

	clusterIP := mustNew(t, NewServiceType, `{"disallowed": ["ClusterIP"]}`)
	runCases(t, clusterIP, []checkCase{
		{name: "omitted is ClusterIP", manifest: service("s", ""),
			want: []string{`Service/s spec.type: Service type "ClusterIP" is not allowed (disallowed: ClusterIP)`}},
	})
}

func TestServiceTypeParams(t *testing.T) {
	runParamCases(t, NewServiceType, []paramCase{
		{`{"disallowed": ["NodePort"]}`, ""},
		{`{"disallowed": ["NodePort", "NodePort"]}`, ""},
		{"", "disallowed is required"},
		{`{"disallowed": []}`, "disallowed is required"},
		{`{"disallowed": ["nodeport"]}`, `disallowed[0]: unknown Service type "nodeport"`},
		{`{"disallowed": ["NodePort"], "allowed": ["ClusterIP"]}`, `unknown field "allowed"`},
	})
}
