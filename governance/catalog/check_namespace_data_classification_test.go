package catalog

import "testing"

func nsManifest(name, labels string) string {
	return "apiVersion: v1\nkind: Namespace\nmetadata: {name: " + name + ", labels: " + labels + "}\n"
}

func TestNamespaceDataClassification(t *testing.T) {
	c := mustNew(t, NewNamespaceDataClassification, "")
	runCases(t, c, []checkCase{
		{name: "confidential", manifest: nsManifest("ml", "{data-classification: confidential}")},
		{name: "missing", manifest: nsManifest("ml", "{team: ml}"),
			want: []string{`Namespace/ml metadata.labels[data-classification]: Namespace "ml" has no label "data-classification" (allowed: public, internal, confidential, restricted)`}},
		{name: "not allowed", manifest: nsManifest("ml", "{data-classification: Secret}"),
			want: []string{`Namespace/ml metadata.labels[data-classification]: Namespace "ml" has data-classification="Secret", not one of public, internal, confidential, restricted`}},
		{name: "other kinds unjudged", manifest: podManifest("Pod", "p", "", "{containers: [{name: a, image: x}]}")},
	})
	custom := mustNew(t, NewNamespaceDataClassification, `{"label": "example.com/data", "allowed": ["open", "closed"]}`)
	runCases(t, custom, []checkCase{
		{name: "custom ok", manifest: nsManifest("ml", "{example.com/data: closed}")},
		{name: "custom bad", manifest: nsManifest("ml", "{example.com/data: confidential}"),
			want: []string{`Namespace/ml metadata.labels[example.com/data]: Namespace "ml" has example.com/data="confidential", not one of open, closed`}},
	})
}

func TestNamespaceDataClassificationParams(t *testing.T) {
	runParamCases(t, NewNamespaceDataClassification, []paramCase{
		{"", ""},
		{`{"allowed": ["a"]}`, ""},
		{`{"allowed": []}`, "allowed must list at least one value"},
		{`{"allowed": ["a", "a"]}`, `allowed[1]: duplicate "a"`},
		{`{"label": "bad key!"}`, `label "bad key!"`},
		{`{"labels": "x"}`, `unknown field "labels"`},
	})
}
