package catalog

import (
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

func TestRequiredLabels(t *testing.T) {
	c := mustNew(t, NewRequiredLabels, `{"labels": [{"key": "team", "allowedRegex": "ml|infra"}, {"key": "cost-center"}]}`)
	ns := func(labels string) string {
		return "apiVersion: v1\nkind: Namespace\nmetadata: {name: ml, labels: " + labels + "}\n"
	}
	okLabels := "{team: ml, cost-center: '42'}"
	runCases(t, c, []checkCase{
		{name: "namespace ok", manifest: ns(okLabels)},
		{name: "namespace empty cost-center allowed", manifest: ns("{team: infra, cost-center: ''}")},
		{name: "namespace missing both", manifest: ns("{}"),
			want: []string{
				`Namespace/ml metadata.labels[cost-center]: label "cost-center" is missing`,
				`Namespace/ml metadata.labels[team]: label "team" is missing`,
			}},
		{name: "anchored: substring does not match", manifest: ns("{team: ml-platform, cost-center: '1'}"),
			want: []string{`Namespace/ml metadata.labels[team]: label "team" has value "ml-platform", which does not match ^(?:ml|infra)$`}},
		{name: "anchored alternation", manifest: ns("{team: mlinfra, cost-center: '1'}"),
			want: []string{`Namespace/ml metadata.labels[team]: label "team" has value "mlinfra", which does not match ^(?:ml|infra)$`}},
		{name: "pod labels", manifest: podManifest("Pod", "p", okLabels, "{containers: [{name: a, image: x}]}")},
		{name: "workload object labels, not template labels", manifest: podManifest("Deployment", "d", "{team: ml}", "{containers: [{name: a, image: x}]}"),
			want: []string{`Deployment/d metadata.labels[cost-center]: label "cost-center" is missing`}},
		{name: "CronJob", manifest: podManifest("CronJob", "cj", "{team: research, cost-center: '1'}", "{containers: [{name: a, image: x}]}"),
			want: []string{`CronJob/cj metadata.labels[team]: label "team" has value "research", which does not match ^(?:ml|infra)$`}},
		{name: "other kinds not judged", manifest: service("s", "") + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm, namespace: ml}\n"},
	})

	custom := mustNew(t, NewRequiredLabels, `{"labels": [{"key": "platform.example.com/model"}], "kinds": ["Service", "InferenceService.serving.kserve.io"]}`)
	isvc := "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata: {name: llama, namespace: ml}\nspec: {predictor: {model: {modelFormat: {name: hf}}}}\n"
	runCases(t, custom, []checkCase{
		{name: "namespace and pods not judged", manifest: ns("{}") + "---\n" + podManifest("Pod", "p", "", "{containers: [{name: a, image: x}]}")},
		{name: "service and custom resource", manifest: service("s", "") + "---\n" + isvc,
			want: []string{
				`InferenceService/llama metadata.labels[platform.example.com/model]: label "platform.example.com/model" is missing`,
				`Service/s metadata.labels[platform.example.com/model]: label "platform.example.com/model" is missing`,
			}},
	})
}

func TestResolveKinds(t *testing.T) {
	got, err := ResolveKinds([]string{"Namespace", "Deployment", "CronJob", "Ingress", "Event", "Deployment.apps", "InferenceService.serving.kserve.io", "Role"})
	if err != nil {
		t.Fatal(err)
	}
	want := []schema.GroupKind{
		{Kind: "Namespace"}, {Group: "apps", Kind: "Deployment"}, {Group: "batch", Kind: "CronJob"},
		{Group: "networking.k8s.io", Kind: "Ingress"}, {Kind: "Event"},
		{Group: "serving.kserve.io", Kind: "InferenceService"}, {Group: "rbac.authorization.k8s.io", Kind: "Role"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("ResolveKinds = %v, want %v", got, want)
	}
	for _, tc := range []struct{ kind, err string }{
		{"InferenceService", `unknown kind "InferenceService": name custom resources as Kind.group`},
		{"deployment", `"deployment" is not Kind or Kind.group`},
		{"", `"" is not Kind or Kind.group`},
		{"Deployment.", "group of"},
		{"Foo.Bad_Group", "group of"},
	} {
		if _, err := ResolveKinds([]string{tc.kind}); err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("ResolveKinds(%q) error %v, want %q", tc.kind, err, tc.err)
		}
	}
}

func TestRequiredLabelsParams(t *testing.T) {
	p, err := ParseRequiredLabelsParams([]byte(`{"labels": [{"key": "team"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(p.GroupKinds, DefaultRequiredLabelsKinds()) {
		t.Errorf("default kinds %v", p.GroupKinds)
	}
	if got := AnchorRegex("a|b"); got != "^(?:a|b)$" {
		t.Errorf("AnchorRegex = %q", got)
	}
	runParamCases(t, NewRequiredLabels, []paramCase{
		{`{"labels": [{"key": "team", "allowedRegex": "[a-z]+"}]}`, ""},
		{`{"labels": [{"key": "app.kubernetes.io/name"}], "kinds": ["Pod"]}`, ""},
		{"", "labels is required"},
		{`{"labels": []}`, "labels is required"},
		{`{"labels": [{"key": "team", "allowedRegex": "("}]}`, "labels[0].allowedRegex: error parsing regexp"},
		{`{"labels": [{"key": "team", "allowedRegex": "a)(b"}]}`, "labels[0].allowedRegex"},
		{`{"labels": [{"key": "team", "allowedRegex": "x)|(.*"}]}`, "labels[0].allowedRegex"},
		{`{"labels": [{"key": "team", "allowedRegex": "a\\Q"}]}`, "labels[0].allowedRegex"},
		{`{"labels": [{"key": ""}]}`, `labels[0].key ""`},
		{`{"labels": [{"key": "bad key!"}]}`, `labels[0].key "bad key!"`},
		{`{"labels": [{"key": "team"}, {"key": "team"}]}`, `labels[1].key "team" is listed twice`},
		{`{"labels": [{"key": "team", "regex": "x"}]}`, `unknown field "labels[0].regex"`},
		{`{"labels": [{"key": "team"}], "kinds": []}`, "kinds must list at least one kind"},
		{`{"labels": [{"key": "team"}], "kinds": ["Pods"]}`, `unknown kind "Pods"`},
	})
}
