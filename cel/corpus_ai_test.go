package cel

import (
	"fmt"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/catalog"
)

// namespaceCase is a Namespace with the labels given in YAML ("" for none).
func namespaceCase(t testing.TB, name, labels string) diffCase {
	m := map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": name}}
	if labels != "" {
		m["metadata"].(map[string]any)["labels"] = mustYAML(t, labels)
	}
	return diffCase{name: name, manifest: m}
}

// aiCorpus is the corpus of the AI and namespace checks of issue #17: the
// checks whose admission forms read the AI classification, GPU resources
// and namespace labels.
func aiCorpus(t testing.TB, entry func(id, params string) governance.PolicyEntry) []diffCheck {
	var checks []diffCheck

	checks = append(checks, diffCheck{entry(catalog.IDNamespaceDataClassification, ""), []diffCase{
		namespaceCase(t, "dc-public", `{data-classification: public}`),
		namespaceCase(t, "dc-restricted", `{data-classification: restricted, team: ml}`),
		namespaceCase(t, "dc-upper", `{data-classification: Public}`),
		namespaceCase(t, "dc-empty", `{data-classification: ""}`),
		namespaceCase(t, "dc-other-key", `{classification: public}`),
		namespaceCase(t, "dc-none", ``),
	}})
	checks = append(checks, diffCheck{entry(catalog.IDNamespaceDataClassification, `{label: example.com/data, allowed: [open, secret]}`), []diffCase{
		namespaceCase(t, "dcp-open", `{example.com/data: open}`),
		namespaceCase(t, "dcp-default-value", `{example.com/data: public}`),
		namespaceCase(t, "dcp-default-key", `{data-classification: open}`),
	}})
	checks[len(checks)-1].entry.Name = "namespace-data-classification-params"

	checks = append(checks, diffCheck{entry(catalog.IDNamespaceTeamLabels, ""), []diffCase{
		namespaceCase(t, "tl-ok", `{team: ml, environment: production}`),
		namespaceCase(t, "tl-empty-env", `{team: ml, environment: ""}`),
		namespaceCase(t, "tl-no-env", `{team: ml}`),
		namespaceCase(t, "tl-empty-team", `{team: "", environment: dev}`),
		namespaceCase(t, "tl-none", ``),
	}})

	digest := "@sha256:" + strings.Repeat("ab", 32)
	probe := `{exec: {command: ["true"]}}`
	probed := func(image string) string {
		return `{name: app, image: "` + image + `", readinessProbe: ` + probe + `, livenessProbe: ` + probe + `}`
	}
	bare := func(image string) string { return `{name: app, image: "` + image + `"}` }
	// classified are objects whose class comes from each kind of evidence;
	// the image of each is unpinned and unprobed (bare) or pinned and
	// probed (good).
	classified := func(image func(string) string) []aiSpec {
		return []aiSpec{
			{name: "vllm", spec: spec("- " + image("vllm/vllm-openai:v0.6.3"))},
			{name: "plain", spec: spec("- " + image("registry.example.com/app:1"))},
			{name: "mirror", spec: spec("- " + image("mirror.example.com/ai/vllm-openai:v1"))},
			{name: "localhost-port", spec: spec("- " + image("localhost:5000/vllm-openai:1"))},
			{name: "glob-one", spec: spec("- " + image("ghcr.io/org/vllm-custom:1"))},
			{name: "glob-two", spec: spec("- " + image("kserve/sklearnserver:v0.14"))},
			{name: "glob-two-no", spec: spec("- " + image("other/sklearnserver:v0.14"))},
			{name: "prefix", spec: spec("- " + image("nvcr.io/nim/meta/llama3-8b-instruct:1.0"))},
			{name: "prefix-short", spec: spec("- " + image("nvcr.io/nim:1.0"))},
			{name: "upper", spec: spec("- " + image("VLLM/VLLM-OPENAI:v1"))},
			{name: "embedding", spec: spec("- " + image("ghcr.io/huggingface/text-embeddings-inference:1.5"))},
			{name: "vector-db", spec: spec("- " + image("qdrant/qdrant:v1.12"))},
			{name: "first-classifies", spec: spec("- " + image("registry.example.com/app:1") + "\n- {name: db, image: qdrant/qdrant:v1}\n- {name: llm, image: vllm/vllm-openai:v1}")},
			{name: "init-classifies", spec: spec("- "+image("registry.example.com/app:1"), `initContainers: [{name: fetch, image: "ollama/ollama:0.3"}]`)},
			{name: "override-none", spec: spec("- " + image("vllm/vllm-openai:v0.6.3")), objLabels: `{aigov.dev/ai-class: none}`},
			{name: "override-class", spec: spec("- " + image("registry.example.com/app:1")), objLabels: `{aigov.dev/ai-class: embedding-service}`},
			{name: "override-bogus", spec: spec("- " + image("vllm/vllm-openai:v0.6.3")), objLabels: `{aigov.dev/ai-class: bogus}`},
			{name: "template-none", spec: spec("- " + image("vllm/vllm-openai:v0.6.3")), tmplLabels: `{aigov.dev/ai-class: none}`},
			{name: "object-over-template", spec: spec("- " + image("registry.example.com/app:1")), objLabels: `{aigov.dev/ai-class: inference-server}`, tmplLabels: `{aigov.dev/ai-class: none}`},
			{name: "operator-label", spec: spec("- " + image("registry.example.com/app:1")), tmplLabels: `{serving.kserve.io/inferenceservice: llm}`},
			{name: "operator-training", spec: spec("- " + image("vllm/vllm-openai:v1")), objLabels: `{training.kubeflow.org/job-name: ft}`},
			{name: "component", spec: spec("- " + image("registry.example.com/app:1")), objLabels: `{app.kubernetes.io/component: Inference}`},
			{name: "component-template", spec: spec("- " + image("registry.example.com/app:1")), tmplLabels: `{app.kubernetes.io/component: embedding}`},
			{name: "component-wins", spec: spec("- " + image("vllm/vllm-openai:v1")), objLabels: `{app.kubernetes.io/component: vector-db}`},
			{name: "component-unknown", spec: spec("- " + image("vllm/vllm-openai:v1")), objLabels: `{app.kubernetes.io/component: frontend}`},
			{name: "gpu", spec: spec(`- {name: app, image: "registry.example.com/train:1", resources: {limits: {nvidia.com/gpu: 1}}}`)},
		}
	}
	var saCases []diffCase
	for _, s := range classified(bare) {
		saCases = append(saCases, aiCases(t, s)...)
		s.name += "-own-sa"
		s.spec += "\nserviceAccountName: llm-sa"
		saCases = append(saCases, aiCases(t, s)...)
	}
	gpuApp := `- {name: app, image: "registry.example.com/app:1", resources: {limits: {nvidia.com/gpu: 1}}}`
	for _, s := range []aiSpec{
		{name: "explicit-default", spec: spec("- "+bare("vllm/vllm-openai:v1"), "serviceAccountName: default")},
		{name: "deprecated-field", spec: spec("- "+bare("vllm/vllm-openai:v1"), "serviceAccount: llm-sa")},
		{name: "gpu-none-override", spec: spec(gpuApp), objLabels: `{aigov.dev/ai-class: none}`},
		{name: "gpu-none-override-own", spec: spec(gpuApp, "serviceAccountName: llm-sa"), objLabels: `{aigov.dev/ai-class: none}`},
		{name: "gpu-init", spec: spec("- "+bare("registry.example.com/app:1"), `initContainers: [{name: init, image: x.io/a:1, resources: {limits: {amd.com/gpu: 1}}}]`)},
		{name: "gpu-zero", spec: spec(`- {name: app, image: "registry.example.com/app:1", resources: {limits: {nvidia.com/gpu: 0}}}`)},
	} {
		saCases = append(saCases, aiCases(t, s)...)
	}
	saCases = append(saCases, derivedSACases(t)...) // corpus_ai_derived_test.go
	checks = append(checks, diffCheck{entry(catalog.IDAIWorkloadOwnServiceAccount, ""), saCases})

	// inNamespaces repeats cases in namespaces with each set of labels.
	inNamespaces := func(specs []aiSpec, labelSets ...map[string]string) []diffCase {
		var out []diffCase
		for i, labels := range labelSets {
			for _, s := range specs {
				s.name = fmt.Sprintf("%s-ns%d", s.name, i)
				for _, c := range aiCases(t, s) {
					c.namespaceLabels = labels
					out = append(out, c)
				}
			}
		}
		return out
	}
	gpuJob := `- {name: train, image: "registry.example.com/train:1", resources: {limits: {nvidia.com/gpu: 2}}}`
	shadowSpecs := []aiSpec{
		{name: "plain", spec: spec("- " + bare("registry.example.com/app:1"))},
		{name: "vllm", spec: spec("- " + bare("vllm/vllm-openai:v1"))},
		{name: "qdrant", spec: spec("- " + bare("qdrant/qdrant:v1.12"))},
		{name: "component", spec: spec("- " + bare("registry.example.com/app:1")), tmplLabels: `{app.kubernetes.io/component: notebook}`},
		{name: "gpu", spec: spec(gpuJob)},
		{name: "gpu-none-override", spec: spec(gpuJob), objLabels: `{aigov.dev/ai-class: none}`},
		{name: "none-override", spec: spec("- " + bare("vllm/vllm-openai:v1")), objLabels: `{aigov.dev/ai-class: none}`},
	}
	checks = append(checks, diffCheck{entry(catalog.IDShadowAI, ""), append(inNamespaces(shadowSpecs,
		nil, map[string]string{"aigov.dev/ai-approved": "true"}, map[string]string{"aigov.dev/ai-approved": "false"}),
		derivedShadowCases(t)...)}) // corpus_ai_derived_test.go
	anyValue := entry(catalog.IDShadowAI, `{approvalLabel: example.com/ai}`)
	anyValue.Name = "shadow-ai-any-value"
	checks = append(checks, diffCheck{anyValue, append(inNamespaces(shadowSpecs[:3],
		map[string]string{"example.com/ai": ""}, map[string]string{"aigov.dev/ai-approved": "true"}),
		derivedShadowAnyValueCases(t)...)}) // corpus_ai_derived_test.go

	sensitiveSpecs := []aiSpec{
		{name: "plain", spec: spec("- " + bare("registry.example.com/app:1"))},
		{name: "vllm", spec: spec("- " + bare("vllm/vllm-openai:v1"))},
		{name: "qdrant", spec: spec("- " + bare("qdrant/qdrant:v1.12"))},
		{name: "mlflow", spec: spec("- " + bare("ghcr.io/mlflow/mlflow:v2.16.0"))},
		{name: "gpu", spec: spec(gpuJob)},
		{name: "component-training", spec: spec("- " + bare("registry.example.com/app:1")), objLabels: `{app.kubernetes.io/component: fine-tuning}`},
	}
	dc := func(v string) map[string]string { return map[string]string{"data-classification": v} }
	checks = append(checks, diffCheck{entry(catalog.IDSensitiveWorkloadClassification, ""), append(inNamespaces(sensitiveSpecs,
		nil, dc("public"), dc("internal"), dc("confidential"), dc("restricted"), dc("Confidential")),
		sensitiveOperatorCases(t)...)}) // corpus_classification_operators_test.go
	custom := entry(catalog.IDSensitiveWorkloadClassification, `{classes: [inference-server], label: example.com/tier, order: [low, high], minimum: high}`)
	custom.Name = "sensitive-workload-classification-params"
	checks = append(checks, diffCheck{custom, append(inNamespaces(sensitiveSpecs[:3],
		map[string]string{"example.com/tier": "low"}, map[string]string{"example.com/tier": "high"}, dc("restricted")),
		sensitiveParamsOperatorCases(t)...)}) // corpus_classification_operators_test.go

	rq := func(name, hard string) diffCase {
		m := mustYAML(t, `{apiVersion: v1, kind: ResourceQuota, metadata: {name: `+name+`}}`)
		m["spec"] = map[string]any{"hard": mustYAML(t, hard)}
		return diffCase{name: name, manifest: m}
	}
	checks = append(checks, diffCheck{entry("quota-inert-key", ""), []diffCase{
		rq("standard", `{requests.cpu: "8", limits.memory: 64Gi, pods: "20", count/pods: "20"}`),
		rq("requests-gpu", `{requests.nvidia.com/gpu: "4"}`),
		rq("bare-gpu", `{nvidia.com/gpu: "4"}`),
		rq("limits-gpu", `{limits.nvidia.com/gpu: "4", requests.nvidia.com/gpu: "4"}`),
		rq("count", `{count/deployments.apps: "10", count/jobs.batch: "5"}`),
		rq("storage-class", `{gold.storageclass.storage.k8s.io/requests.storage: 500Gi, gold.storageclass.storage.k8s.io/persistentvolumeclaims: "10"}`),
		rq("storage-class-other", `{gold.storageclass.storage.k8s.io/limits.storage: 500Gi}`),
		rq("device-class", `{gpu.example.com.deviceclass.resource.k8s.io/devices: "4"}`),
		rq("implicit-dra", `{requests.deviceclass.resource.kubernetes.io/gpu.example.com: "4"}`),
		rq("kubernetes-io", `{requests.kubernetes.io/widgets: "4"}`),
		rq("hugepages", `{requests.hugepages-2Mi: 1Gi, hugepages-1Gi: 2Gi}`),
	}})

	var digestCases []diffCase
	for _, s := range classified(bare) {
		digestCases = append(digestCases, aiCases(t, s)...)
	}
	for _, s := range []aiSpec{
		{name: "pinned", spec: spec("- " + bare("vllm/vllm-openai"+digest))},
		{name: "tag-and-digest", spec: spec("- " + bare("vllm/vllm-openai:v0.6.3"+digest))},
		{name: "upper-hex", spec: spec("- " + bare("vllm/vllm-openai"+strings.ToUpper(digest)))},
		{name: "sha512", spec: spec("- " + bare("vllm/vllm-openai@sha512:"+strings.Repeat("ab", 64)))},
		{name: "init-unpinned", spec: spec("- "+bare("vllm/vllm-openai"+digest), `initContainers: [{name: init, image: "busybox:1.36"}]`)},
	} {
		digestCases = append(digestCases, aiCases(t, s)...)
	}
	pinnedPod := `{name: llm, image: "vllm/vllm-openai` + digest + `"}`
	digestCases = append(digestCases,
		ephemeralCase(t, "eph-unpinned", spec("- "+pinnedPod), `[{name: debug, image: "busybox:1.36"}]`),
		ephemeralCase(t, "eph-pinned", spec("- "+pinnedPod), `[{name: debug, image: "busybox@sha256:`+strings.Repeat("cd", 32)+`"}]`),
	)
	digestCases = append(digestCases, aiOperatorCases(t)...) // corpus_ai_operators_test.go
	checks = append(checks, diffCheck{entry(catalog.IDModelImageDigest, ""), digestCases})

	var probeCases []diffCase
	for _, s := range classified(bare) {
		probeCases = append(probeCases, aiCases(t, s)...)
	}
	for _, s := range classified(probed) {
		s.name = "probed-" + s.name
		probeCases = append(probeCases, aiCases(t, s)...)
	}
	llm := "vllm/vllm-openai:v1"
	for _, s := range []aiSpec{
		{name: "readiness-only", spec: spec(`- {name: app, image: "` + llm + `", readinessProbe: ` + probe + `}`)},
		{name: "liveness-only", spec: spec(`- {name: app, image: "` + llm + `", livenessProbe: ` + probe + `}`)},
		{name: "sidecar-unprobed", spec: spec("- " + probed(llm) + "\n- {name: proxy, image: envoyproxy/envoy:v1.31}")},
		{name: "init-exempt", spec: spec("- "+probed(llm), `initContainers: [{name: fetch, image: "busybox:1.36"}]`)},
	} {
		probeCases = append(probeCases, aiCases(t, s)...)
	}
	probeCases = append(probeCases, ephemeralCase(t, "eph-exempt", spec("- "+probed(llm)), `[{name: debug, image: "busybox:1.36"}]`))
	probeCases = append(probeCases, aiOperatorCases(t)...)
	checks = append(checks, diffCheck{entry(catalog.IDInferenceProbes, ""), probeCases})

	gpuC := `- {name: app, image: x.io/a:1, resources: {limits: {nvidia.com/gpu: 1}}}`
	tol := func(t string) string { return "tolerations: [" + t + "]" }
	gpuTaint := tol(`{key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}`)
	req := func(exprs ...string) string {
		terms := make([]string, len(exprs))
		for i, e := range exprs {
			terms[i] = "{matchExpressions: [" + e + "]}"
		}
		return "affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [" + strings.Join(terms, ", ") + "]}}}"
	}
	checks = append(checks, diffCheck{entry(catalog.IDGPUNodeTargeting, ""), podCases(t, map[string]string{
		"cpu":                spec(okC),
		"cpu-gpu-toleration": spec(okC, gpuTaint),
		"cpu-amd-toleration": spec(okC, tol(`{key: amd.com/gpu, operator: Exists}`)),
		"cpu-other-taint":    spec(okC, tol(`{key: example.com/other, operator: Exists}`)),
		"cpu-wildcard":       spec(okC, tol(`{operator: Exists}`)),
		"gpu-bare":           spec(gpuC),
		"gpu-toleration":     spec(gpuC, gpuTaint),
		"gpu-mig":            spec(`- {name: app, image: x.io/a:1, resources: {limits: {nvidia.com/mig-1g.5gb: 1}}}`, tol(`{key: nvidia.com/mig-1g.5gb, operator: Exists}`)),
		"gpu-zero":           spec(`- {name: app, image: x.io/a:1, resources: {limits: {nvidia.com/gpu: 0}}}`),
		"gpu-zero-tolerates": spec(`- {name: app, image: x.io/a:1, resources: {limits: {nvidia.com/gpu: 0}}}`, gpuTaint),
		"gpu-request":        spec(`- {name: app, image: x.io/a:1, resources: {requests: {amd.com/gpu: 1}, limits: {amd.com/gpu: 1}}}`),
		"gpu-init":           spec(okC, `initContainers: [{name: init, image: x.io/a:1, resources: {limits: {nvidia.com/gpu: 1}}}]`),
		"gpu-wildcard":       spec(gpuC, tol(`{operator: Exists}`)),
		"gpu-other-taint":    spec(gpuC, tol(`{key: dedicated, operator: Equal, value: ml}`)),
		"gpu-selector":       spec(gpuC, `nodeSelector: {cloud.google.com/gke-accelerator: nvidia-l4}`),
		"gpu-selector-upper": spec(gpuC, `nodeSelector: {example.com/GPU-type: a100}`),
		"gpu-selector-pci":   spec(gpuC, `nodeSelector: {feature.node.kubernetes.io/pci-10de.present: "true"}`),
		"gpu-selector-other": spec(gpuC, `nodeSelector: {kubernetes.io/arch: amd64}`),
		"gpu-affinity":       spec(gpuC, req(`{key: nvidia.com/gpu.product, operator: In, values: [A100]}`)),
		"gpu-affinity-notin": spec(gpuC, req(`{key: nvidia.com/gpu.product, operator: NotIn, values: [T4]}`)),
		"gpu-affinity-one":   spec(gpuC, req(`{key: nvidia.com/gpu.present, operator: Exists}`, `{key: kubernetes.io/arch, operator: In, values: [amd64]}`)),
		"gpu-affinity-all":   spec(gpuC, req(`{key: nvidia.com/gpu.present, operator: Exists}`, `{key: accelerator, operator: In, values: [h100]}`)),
	}, nil)})
	return checks
}

// aiSpec is a pod spec with labels for the object and its pod template (a
// Pod carries both sets).
type aiSpec struct {
	name, spec            string
	objLabels, tmplLabels string
}

// aiCases wraps an aiSpec into every workload kind.
func aiCases(t testing.TB, s aiSpec) []diffCase {
	var out []diffCase
	for _, kind := range workloadKinds {
		name := strings.ToLower(kind) + "-" + s.name
		obj := map[string]any{}
		if s.objLabels != "" {
			obj = mustYAML(t, s.objLabels)
		}
		tmpl := map[string]any{}
		if s.tmplLabels != "" {
			tmpl = mustYAML(t, s.tmplLabels)
		}
		var labels map[string]any
		if kind == "Pod" {
			for k, v := range tmpl {
				obj[k] = v
			}
		}
		if len(obj) > 0 {
			labels = obj
		}
		m := wrap(kind, name, mustYAML(t, s.spec), labels)
		if kind != "Pod" {
			var meta map[string]any
			if kind == "CronJob" {
				meta = m["spec"].(map[string]any)["jobTemplate"].(map[string]any)["spec"].(map[string]any)["template"].(map[string]any)["metadata"].(map[string]any)
			} else {
				meta = m["spec"].(map[string]any)["template"].(map[string]any)["metadata"].(map[string]any)
			}
			for k, v := range tmpl {
				meta["labels"].(map[string]any)[k] = v
			}
		}
		out = append(out, diffCase{name: name, manifest: m})
	}
	return out
}

// ephemeralCase is an UPDATE of pods/ephemeralcontainers adding the
// ephemeral containers (YAML list) to a Pod of the given spec.
func ephemeralCase(t testing.TB, name, podSpec, ephemeral string) diffCase {
	var list []any
	if err := yaml.Unmarshal([]byte(ephemeral), &list); err != nil {
		t.Fatal(err)
	}
	return diffCase{name: name, manifest: wrap("Pod", name, mustYAML(t, podSpec), nil), ephemeral: list}
}
