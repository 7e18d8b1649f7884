package catalog

import "testing"

func TestSensitiveWorkloadClassification(t *testing.T) {
	c := mustNew(t, NewSensitiveWorkloadClassification, "")
	vdb := podManifest("StatefulSet", "vdb", "", "{containers: [{name: q, image: qdrant/qdrant:v1}]}")
	msg := `StatefulSet/vdb metadata.namespace: vector-database StatefulSet "vdb" needs a namespace classified confidential or restricted: `
	by := ` (recognised by image "qdrant/qdrant:v1")`
	runCases(t, c, []checkCase{
		{name: "confidential", manifest: nsManifest("ml", "{data-classification: confidential}") + "---\n" + vdb},
		{name: "restricted", manifest: nsManifest("ml", "{data-classification: restricted}") + "---\n" + vdb},
		{name: "internal", manifest: nsManifest("ml", "{data-classification: internal}") + "---\n" + vdb,
			want: []string{msg + `namespace "ml" is classified internal` + by}},
		{name: "unlabelled", manifest: nsManifest("ml", "{}") + "---\n" + vdb,
			want: []string{msg + `namespace "ml" has no data-classification label` + by}},
		{name: "unknown value", manifest: nsManifest("ml", "{data-classification: top-secret}") + "---\n" + vdb,
			want: []string{msg + `namespace "ml" has data-classification="top-secret", which is not in the order public < internal < confidential < restricted` + by}},
		{name: "namespace not in input", manifest: vdb,
			want: []string{msg + `namespace "ml" is not in the input, so its data-classification is unknown` + by}},
		{name: "inference servers are not sensitive by default", manifest: nsManifest("ml", "{data-classification: public}") + "---\n" +
			podManifest("Deployment", "llm", "", "{containers: [{name: v, image: vllm/vllm-openai:v1}]}")},
		{name: "custom resource", manifest: nsManifest("ml", "{data-classification: internal}") + "---\napiVersion: kubeflow.org/v1\nkind: TFJob\nmetadata: {name: tf, namespace: ml}\n",
			want: []string{`TFJob/tf metadata.namespace: training-job TFJob "tf" needs a namespace classified confidential or restricted: namespace "ml" is classified internal (recognised by kind TFJob.kubeflow.org)`}},
	})
	custom := mustNew(t, NewSensitiveWorkloadClassification, `{"classes": ["inference-server"], "order": ["low", "high"], "minimum": "high", "label": "tier"}`)
	runCases(t, custom, []checkCase{
		{name: "custom fails", manifest: nsManifest("ml", "{tier: low}") + "---\n" +
			podManifest("Deployment", "llm", "", "{containers: [{name: v, image: vllm/vllm-openai:v1}]}"),
			want: []string{`Deployment/llm metadata.namespace: inference-server Deployment "llm" needs a namespace classified high: namespace "ml" is classified low (recognised by image "vllm/vllm-openai:v1")`}},
		{name: "custom ignores vector dbs", manifest: nsManifest("ml", "{tier: low}") + "---\n" + vdb},
	})
}

func TestSensitiveWorkloadClassificationParams(t *testing.T) {
	runParamCases(t, NewSensitiveWorkloadClassification, []paramCase{
		{"", ""},
		{`{"classes": ["notebook"], "minimum": "restricted"}`, ""},
		{`{"classes": []}`, "classes must list at least one class"},
		{`{"classes": ["llm"]}`, `classes[0]: unknown AI class "llm"`},
		{`{"minimum": "secret"}`, `minimum "secret" is not in order`},
		{`{"order": ["a", "a"]}`, `order[1]: duplicate "a"`},
	})
}
