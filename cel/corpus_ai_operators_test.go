package cel

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/catalog"
)

// aiOperatorSpec is a pod spec written into an AI operator's resource,
// with labels for the resource and for the template that holds the spec.
type aiOperatorSpec struct {
	name, spec            string
	objLabels, tmplLabels string
}

// labelTemplate adds labels to every pod template of the resource m whose
// spec is spec (a KServe ServingRuntime's pod fields are its spec, their
// labels at spec.labels). Components that hold a pod spec without a pod
// template (an InferenceService's, an LLMInferenceService's) get none: their
// kinds classify them whatever their labels say.
func labelTemplate(m map[string]any, spec, labels map[string]any) {
	if m["kind"] == "ServingRuntime" {
		if s, ok := m["spec"].(map[string]any); ok && reflect.DeepEqual(s["containers"], spec["containers"]) {
			s["labels"] = deepCopyMap(labels)
		}
		return
	}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			// A Job's template gains restartPolicy: compare the containers.
			if s, ok := x["spec"].(map[string]any); ok && reflect.DeepEqual(s["containers"], spec["containers"]) &&
				reflect.DeepEqual(s["initContainers"], spec["initContainers"]) {
				meta, _ := x["metadata"].(map[string]any)
				if meta == nil {
					return // a Notebook's template has no metadata
				}
				l, _ := meta["labels"].(map[string]any)
				if l == nil {
					l = map[string]any{}
				}
				for k, val := range labels {
					l[k] = val
				}
				meta["labels"] = l
			}
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(m)
}

// operatorSpecCases writes each spec into every operator kind
// (wrapOperator, base for the templates the spec does not fill), named
// prefix + kind + "-" + spec name, with the spec's object and template
// labels.
func operatorSpecCases(t testing.TB, prefix string, specs []aiOperatorSpec, base map[string]any) []diffCase {
	var out []diffCase
	for _, s := range specs {
		sp := mustYAML(t, s.spec)
		for _, kind := range operatorKinds {
			n := prefix + strings.ToLower(kind) + "-" + s.name
			m := wrapOperator(kind, n, sp, base)
			if s.objLabels != "" {
				m["metadata"].(map[string]any)["labels"] = mustYAML(t, s.objLabels)
			}
			if s.tmplLabels != "" {
				labelTemplate(m, sp, mustYAML(t, s.tmplLabels))
			}
			out = append(out, diffCase{name: n, manifest: m})
		}
	}
	return out
}

// aiOperatorCases writes each spec into every AI operator kind, the other
// templates of the resource holding a pinned and probed container that no
// evidence classifies, and adds the InferenceService model cases
// (isvcModelCases). They judge the -operators policies of the
// classification checks whose pod templates the Go checks judge
// (inference-probes, model-image-digest): every kind of evidence (the
// resource's override and kind, the template's override, operator and
// component labels, images of containers and init containers) on every
// kind.
func aiOperatorCases(t testing.TB) []diffCase {
	digest := "@sha256:" + strings.Repeat("ab", 32)
	probe := `{exec: {command: ["true"]}}`
	good := func(name, image string) string {
		return `{name: ` + name + `, image: "` + image + `", readinessProbe: ` + probe + `, livenessProbe: ` + probe + `}`
	}
	bare := func(image string) string { return `{name: app, image: "` + image + `"}` }
	base := mustYAML(t, `{containers: [`+good("app", "registry.example.com/app"+digest)+`]}`)
	plain := bare("registry.example.com/app:1")
	specs := []aiOperatorSpec{
		{name: "vllm", spec: spec("- " + bare("vllm/vllm-openai:v1"))},
		{name: "vllm-good", spec: spec("- " + good("app", "vllm/vllm-openai:v1"+digest))},
		{name: "vllm-tag-digest", spec: spec("- " + good("app", "vllm/vllm-openai:v1"+digest) + "\n- " + good("side", "envoyproxy/envoy:v1.31"))},
		{name: "plain", spec: spec("- " + plain)},
		{name: "embedding", spec: spec("- " + bare("ghcr.io/huggingface/text-embeddings-inference:1.5"))},
		{name: "qdrant", spec: spec("- " + bare("qdrant/qdrant:v1.12"))},
		{name: "init-vllm", spec: spec("- "+good("app", "registry.example.com/app"+digest), `initContainers: [{name: fetch, image: "vllm/vllm-openai:v1"}]`)},
		{name: "sidecar-unprobed", spec: spec("- " + good("app", "vllm/vllm-openai"+digest) + "\n- {name: proxy, image: \"envoyproxy/envoy" + digest + "\"}")},
		{name: "tmpl-component", spec: spec("- " + plain), tmplLabels: `{app.kubernetes.io/component: Inference}`},
		{name: "tmpl-operator-label", spec: spec("- " + plain), tmplLabels: `{serving.kserve.io/inferenceservice: llm}`},
		{name: "tmpl-training-label", spec: spec("- " + bare("vllm/vllm-openai:v1")), tmplLabels: `{training.kubeflow.org/job-name: ft}`},
		{name: "tmpl-none", spec: spec("- " + bare("vllm/vllm-openai:v1")), tmplLabels: `{aigov.dev/ai-class: none}`},
		{name: "tmpl-override", spec: spec("- " + plain), tmplLabels: `{aigov.dev/ai-class: embedding-service}`},
		{name: "obj-none", spec: spec("- " + bare("vllm/vllm-openai:v1")), objLabels: `{aigov.dev/ai-class: none}`},
		{name: "obj-override", spec: spec("- " + plain), objLabels: `{aigov.dev/ai-class: inference-server}`},
		{name: "obj-override-training", spec: spec("- " + bare("vllm/vllm-openai:v1")), objLabels: `{aigov.dev/ai-class: training-job}`},
		{name: "obj-bogus", spec: spec("- " + bare("vllm/vllm-openai:v1")), objLabels: `{aigov.dev/ai-class: bogus}`},
		{name: "obj-component", spec: spec("- " + plain), objLabels: `{app.kubernetes.io/component: model-server}`},
		{name: "obj-over-tmpl", spec: spec("- " + plain), objLabels: `{aigov.dev/ai-class: inference-server}`, tmplLabels: `{aigov.dev/ai-class: none}`},
	}
	out := operatorSpecCases(t, "ai-", specs, base)
	out = append(out, isvcModelCases(out)...)
	return append(out, aiRayInjectionCases(t, good("app", "vllm/vllm-openai:v1"+digest), base)...)
}

// aiRayInjectionCases are the KubeRay resources (corpus_ray_operators_test.go)
// whose head runs a pinned and probed model server (server, a container
// YAML) beside the containers the operator injects: the autoscaler (no
// probes; the server's image, or the one autoscalerOptions sets, pinned or
// not), the SidecarMode submitter (no probes), wait-gcs-ready on the
// worker groups (base). The classification checks' -operators policies
// judge them as the Go checks do: where they read VarPodSpecs (a
// RayService classifies itself) and, of a RayCluster, which they classify
// by template, with the head's autoscaler judged beside it
// (TestAIOperatorsRayClusterAutoscalerJudged has the cases where the
// autoscaler alone decides).
func aiRayInjectionCases(t testing.TB, server string, base map[string]any) []diffCase {
	head := mustYAML(t, `{containers: [`+server+`]}`)
	autoscale := map[string]any{"enableInTreeAutoscaling": true}
	var out []diffCase
	for _, v := range []struct {
		name    string
		cluster map[string]any
		job     map[string]any
	}{
		{name: "off"},
		{name: "autoscaler", cluster: autoscale},
		{name: "autoscaler-unpinned", cluster: map[string]any{"enableInTreeAutoscaling": true, "autoscalerOptions": map[string]any{"image": "vllm/vllm-openai:v1"}}},
		{name: "autoscaler-off-unpinned", cluster: map[string]any{"autoscalerOptions": map[string]any{"image": "vllm/vllm-openai:v1"}}},
		{name: "sidecar", job: map[string]any{"submissionMode": "SidecarMode"}},
	} {
		for _, kind := range []string{"RayCluster", "RayJob", "RayService"} {
			if v.job != nil && kind != "RayJob" {
				continue
			}
			out = append(out, aiRayInjectionCase(t, kind, v.name, head, base, v.cluster, v.job))
		}
	}
	return out
}

// aiRayInjectionCase writes a KubeRay resource of kind with head as its
// head's pod spec, base in its other templates, and the fields cluster
// and job in its cluster spec and its RayJob spec.
func aiRayInjectionCase(t testing.TB, kind, name string, head, base, cluster, job map[string]any) diffCase {
	n := "ai-inject-" + strings.ToLower(kind) + "-" + name
	m := wrapOperator(kind, n, base, base)
	spec := m["spec"].(map[string]any)
	switch kind {
	case "RayJob":
		for k, val := range job {
			spec[k] = val
		}
		spec = spec["rayClusterSpec"].(map[string]any)
	case "RayService":
		spec = spec["rayClusterConfig"].(map[string]any)
	}
	spec["headGroupSpec"].(map[string]any)["template"].(map[string]any)["spec"] = deepCopyMap(head)
	for k, val := range cluster {
		spec[k] = val
	}
	return diffCase{name: n, manifest: m}
}

// rayClusterOfGroups is a RayCluster with a head and groups worker groups,
// each template holding containers (YAML list items), the last group's
// template holding last instead.
func rayClusterOfGroups(t testing.TB, name string, groups int, containers, last string) map[string]any {
	tmpl := func(cs string) map[string]any {
		return map[string]any{"metadata": map[string]any{"labels": map[string]any{"app": name}}, "spec": mustYAML(t, "containers: ["+cs+"]")}
	}
	var workers []any
	for i := range groups {
		cs := containers
		if i == groups-1 {
			cs = last
		}
		workers = append(workers, map[string]any{"groupName": fmt.Sprintf("g%02d", i), "replicas": 1, "template": tmpl(cs)})
	}
	return map[string]any{"apiVersion": "ray.io/v1", "kind": "RayCluster", "metadata": map[string]any{"name": name},
		"spec": map[string]any{"headGroupSpec": map[string]any{"rayStartParams": map[string]any{}, "template": tmpl(containers)}, "workerGroupSpecs": workers}}
}

// largeRayCluster is a RayCluster at the 16-template guard, as large as
// the cost tests make it: a head and 15 worker groups, each template
// holding 32 containers (container(i, image) writes the i-th, image a
// long reference), the last group's followed by last, 8 init containers
// with the long image and 64 labels; the object carries the labels too,
// and with groupLabels every group.
func largeRayCluster(t testing.TB, container func(i int, image string) string, last string, groupLabels bool) map[string]any {
	image := "registry.example.com/" + strings.Repeat("team/", 30) + "app:v1-" + strings.Repeat("x", 40)
	var cs []string
	for i := range 32 {
		cs = append(cs, container(i, image))
	}
	containers := strings.Join(cs, ", ")
	m := rayClusterOfGroups(t, "large", 15, containers, containers+", "+last)
	labels := map[string]any{}
	for i := range 64 {
		labels[fmt.Sprintf("example.com/label-%02d", i)] = fmt.Sprintf("value-%02d", i)
	}
	m["metadata"].(map[string]any)["labels"] = labels
	var inits []any
	for i := range 8 {
		inits = append(inits, map[string]any{"name": fmt.Sprintf("i%02d", i), "image": image})
	}
	spec := m["spec"].(map[string]any)
	for _, tp := range append([]any{spec["headGroupSpec"]}, spec["workerGroupSpecs"].([]any)...) {
		g := tp.(map[string]any)
		if groupLabels {
			g["labels"] = deepCopyMap(labels)
		}
		tmpl := g["template"].(map[string]any)
		tmpl["metadata"].(map[string]any)["labels"] = deepCopyMap(labels)
		tmpl["spec"].(map[string]any)["initContainers"] = inits
	}
	return m
}

// operatorsVerdicts returns, for the check id and each case, the Go
// check's verdict and the in-process policies' (the -operators one
// included).
func operatorsVerdicts(t *testing.T, id string, cases ...diffCase) (goDenies, vapDenies []bool, messages []string) {
	t.Helper()
	comp, loader := diffSetup(t)
	e := governance.PolicyEntry{ID: id, Action: governance.ActionDeny}
	adm := entryAdmission(t, comp, "guard", diffEntry(e, id))
	check := newGoCheck(t, e)
	for _, c := range cases {
		lc := loadCase(t, loader, c)
		ns := diffNamespace("difftest", id)
		d, _ := goVerdict(check, lc.obj, namespaceObject(t, loader, ns))
		resp, err := adm.Admit(context.Background(), Request{Object: lc.obj.Obj, Namespaces: []*corev1.Namespace{ns}})
		if err != nil {
			t.Fatal(err)
		}
		goDenies, vapDenies, messages = append(goDenies, d), append(vapDenies, !resp.Allowed), append(messages, resp.Message)
	}
	return goDenies, vapDenies, messages
}

// TestAIOperatorsSizeGuard pins what the size guard leaves to the scan:
// of a RayCluster (which its kind does not classify), the operators'
// policies of inference-probes and model-image-digest judge the first 16
// pod templates. A vLLM worker group that is the 16th template is denied
// by the Go check and the policy; as the 17th, only the Go check denies it
// (the definitions' AdmissionNote says so).
func TestAIOperatorsSizeGuard(t *testing.T) {
	plain := `{name: app, image: "registry.example.com/app@sha256:` + strings.Repeat("ab", 32) + `", readinessProbe: {exec: {command: ["true"]}}, livenessProbe: {exec: {command: ["true"]}}}`
	vllm := `{name: llm, image: "vllm/vllm-openai:v1"}`
	for _, id := range []string{catalog.IDInferenceProbes, catalog.IDModelImageDigest} {
		t.Run(id, func(t *testing.T) {
			within := diffCase{name: "within", manifest: rayClusterOfGroups(t, "within", 15, plain, vllm)}
			beyond := diffCase{name: "beyond", manifest: rayClusterOfGroups(t, "beyond", 16, plain, vllm)}
			clean := diffCase{name: "clean", manifest: rayClusterOfGroups(t, "clean", 16, plain, plain)}
			goD, vapD, msgs := operatorsVerdicts(t, id, within, beyond, clean)
			if !goD[0] || !vapD[0] {
				t.Errorf("vLLM group as the 16th template: Go denies=%v, policy denies=%v (%s), want both", goD[0], vapD[0], msgs[0])
			}
			if !goD[1] || vapD[1] {
				t.Errorf("vLLM group as the 17th template: Go denies=%v, policy denies=%v (%s), want the Go check alone (beyond the guard)", goD[1], vapD[1], msgs[1])
			}
			if goD[2] || vapD[2] {
				t.Errorf("no model server: Go denies=%v, policy denies=%v (%s), want neither", goD[2], vapD[2], msgs[2])
			}
		})
	}
}

// TestAIOperatorsRayClusterAutoscalerJudged proves that the
// classification checks' operators policies judge the autoscaler KubeRay
// injects into a RayCluster's head as the Go checks do: the head is
// classified with the autoscaler's image (after the written containers,
// before the init containers) and, when it is a model server, the
// autoscaler is judged with it (no probes; its image from
// autoscalerOptions or the Ray container). In every denied case the
// autoscaler alone fails: the Go findings are on it, and so is the
// policy's message.
func TestAIOperatorsRayClusterAutoscalerJudged(t *testing.T) {
	digest := "@sha256:" + strings.Repeat("ab", 32)
	probe := `{exec: {command: ["true"]}}`
	ctr := func(image string) string {
		return `{name: app, image: "` + image + `", readinessProbe: ` + probe + `, livenessProbe: ` + probe + `}`
	}
	vllm, plain := ctr("vllm/vllm-openai:v1"+digest), ctr("registry.example.com/app"+digest)
	base := mustYAML(t, `{containers: [`+plain+`]}`)
	on := func(image string) map[string]any {
		c := map[string]any{"enableInTreeAutoscaling": true}
		if image != "" {
			c["autoscalerOptions"] = map[string]any{"image": image}
		}
		return c
	}
	type verdicts struct{ probes, digest bool }
	cases := []struct {
		name, head string
		cluster    map[string]any
		want       verdicts
	}{
		// A model server head: its autoscaler has no probes; its image is
		// the server's (pinned) unless autoscalerOptions sets one.
		{"server", `{containers: [` + vllm + `]}`, on(""), verdicts{probes: true}},
		{"server-unpinned", `{containers: [` + vllm + `]}`, on("vllm/vllm-openai:v1"), verdicts{true, true}},
		{"server-pinned", `{containers: [` + vllm + `]}`, on("registry.example.com/autoscaler" + digest), verdicts{probes: true}},
		{"server-off", `{containers: [` + vllm + `]}`, map[string]any{"autoscalerOptions": map[string]any{"image": "vllm/vllm-openai:v1"}}, verdicts{}},
		// A plain head that the autoscaler's image alone classifies.
		{"plain-by-autoscaler", `{containers: [` + plain + `]}`, on("vllm/vllm-openai:v1"), verdicts{true, true}},
		{"plain-by-pinned-autoscaler", `{containers: [` + plain + `]}`, on("vllm/vllm-openai" + digest), verdicts{probes: true}},
		{"plain-autoscaler-plain", `{containers: [` + plain + `]}`, on("registry.example.com/autoscaler:1"), verdicts{}},
		{"plain-off", `{containers: [` + plain + `]}`, map[string]any{"enableInTreeAutoscaling": false, "autoscalerOptions": map[string]any{"image": "vllm/vllm-openai:v1"}}, verdicts{}},
		// The autoscaler's image comes before the init containers': a
		// vector database autoscaler wins over a vLLM init container.
		{"autoscaler-before-init", `{containers: [` + plain + `], initContainers: [{name: fetch, image: "vllm/vllm-openai` + digest + `"}]}`, on("qdrant/qdrant:v1.12"), verdicts{}},
		{"init-classifies", `{containers: [` + plain + `], initContainers: [{name: fetch, image: "vllm/vllm-openai` + digest + `"}]}`, on(""), verdicts{probes: true}},
		// The written containers' images come first.
		{"written-first", `{containers: [` + ctr("qdrant/qdrant:v1.12"+digest) + `]}`, on("vllm/vllm-openai:v1"), verdicts{}},
		// The template's override decides over the autoscaler's image.
		{"template-none", `{containers: [` + plain + `]}`, on("vllm/vllm-openai:v1"), verdicts{}},
	}
	comp, loader := diffSetup(t)
	for _, id := range []string{catalog.IDInferenceProbes, catalog.IDModelImageDigest} {
		t.Run(id, func(t *testing.T) {
			e := governance.PolicyEntry{ID: id, Action: governance.ActionDeny}
			adm := entryAdmission(t, comp, "autoscaler", diffEntry(e, id))
			check := newGoCheck(t, e)
			ns := diffNamespace("difftest", id)
			denied := 0
			for _, c := range cases {
				m := aiRayInjectionCase(t, "RayCluster", c.name, mustYAML(t, c.head), base, c.cluster, nil)
				if c.name == "template-none" {
					head := m.manifest["spec"].(map[string]any)["headGroupSpec"].(map[string]any)["template"].(map[string]any)
					head["metadata"].(map[string]any)["labels"] = map[string]any{"aigov.dev/ai-class": "none"}
				}
				want := c.want.probes
				if id == catalog.IDModelImageDigest {
					want = c.want.digest
				}
				lc := loadCase(t, loader, m)
				goDenies, violations := goVerdict(check, lc.obj, namespaceObject(t, loader, ns))
				resp, err := adm.Admit(context.Background(), Request{Object: lc.obj.Obj, Namespaces: []*corev1.Namespace{ns}})
				if err != nil {
					t.Fatal(err)
				}
				if goDenies != want || resp.Allowed == want {
					t.Errorf("%s: Go denies=%v %v, policy denies=%v (%s), want %v", c.name, goDenies, violations, !resp.Allowed, resp.Message, want)
				}
				for _, v := range violations {
					if !injectedFinding(lc.obj, v) {
						t.Errorf("%s: finding at %s is not on the autoscaler: %s", c.name, v.Path, v.Message)
					}
				}
				if want {
					denied++
					if !strings.Contains(resp.Message, `containers "autoscaler" of its`) {
						t.Errorf("%s: the policy's message does not name the autoscaler alone: %s", c.name, resp.Message)
					}
				}
			}
			if denied == 0 {
				t.Error("no case denied")
			}
		})
	}
}

// TestAIOperatorsRuntimeCostAtGuard: on a RayCluster at the guard (16
// templates of 32 containers and 8 init containers with long image
// references and 64 labels each, the model server last), the operators'
// policies of inference-probes and model-image-digest stay within the
// apiserver's runtime cost budget and still deny.
func TestAIOperatorsRuntimeCostAtGuard(t *testing.T) {
	m := largeRayCluster(t, func(i int, image string) string {
		return fmt.Sprintf(`{name: c%02d, image: %q, readinessProbe: {exec: {command: ["true"]}}, livenessProbe: {exec: {command: ["true"]}}}`, i, image+"@sha256:"+strings.Repeat("ab", 32))
	}, `{name: llm, image: "vllm/vllm-openai:v1"}`, false)
	for _, id := range []string{catalog.IDInferenceProbes, catalog.IDModelImageDigest} {
		t.Run(id, func(t *testing.T) {
			goD, vapD, msgs := operatorsVerdicts(t, id, diffCase{name: "large", manifest: m})
			if strings.Contains(msgs[0], "cost") {
				t.Fatalf("the policy ran out of cost at the guard: %s", msgs[0])
			}
			if !goD[0] || !vapD[0] {
				t.Errorf("Go denies=%v, policy denies=%v (%s), want both", goD[0], vapD[0], msgs[0])
			}
		})
	}
}
