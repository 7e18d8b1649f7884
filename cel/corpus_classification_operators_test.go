package cel

import (
	"context"
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/catalog"
)

// The policy of sensitive-workload-classification on AI operators'
// resources classifies a resource as the asset table does: by the first
// classified pod its operator derives from it, in the operator package's
// order (a Kubeflow job's replica types in rank order, not in key order),
// and a resource that derives none by its override or kind.

// sensitiveSpecs are the pod specs of the sensitive-workload-classification
// corpora on AI operators' resources, each written into one template of
// every kind (wrapOperator), the others holding a plain image
// (sensitiveBase): a vector database, an inference server and the
// resource's override (sensitiveOrderCases add the templates' order).
func sensitiveSpecs() []aiOperatorSpec {
	bare := func(image string) string { return `- {name: app, image: "` + image + `"}` }
	return []aiOperatorSpec{
		{name: "qdrant", spec: spec(bare("qdrant/qdrant:v1.12"))},
		{name: "vllm", spec: spec(bare("vllm/vllm-openai:v1"))},
		{name: "obj-registry", spec: spec(bare("registry.example.com/app:1")), objLabels: `{aigov.dev/ai-class: model-registry}`},
	}
}

// sensitiveBase is the pod spec of the templates sensitiveSpecs leave.
const sensitiveBase = `{containers: [{name: app, image: "registry.example.com/base:1"}]}`

// sensitiveOrderCases are the resources of every kind whose first
// template (wrapOperator's base: a RayCluster's head and first worker
// group, a Kubeflow job's first replica type as written, a JobSet's first
// replicated job, a LeaderWorkerSet's leader) is an inference server and
// whose second is a vector database: by their images, and by their
// templates' overrides (which decide over a Kubeflow job's operator
// labels, so its pods' order shows: a TFJob's Worker comes before its
// Chief).
func sensitiveOrderCases(t testing.TB) []diffCase {
	var out []diffCase
	for _, byLabels := range []bool{false, true} {
		base := mustYAML(t, `{containers: [{name: app, image: "vllm/vllm-openai:v1"}]}`)
		sp := mustYAML(t, `{containers: [{name: app, image: "qdrant/qdrant:v1.12"}]}`)
		name := "order-images-"
		if byLabels {
			base = mustYAML(t, sensitiveBase)
			sp = mustYAML(t, `{containers: [{name: app, image: "registry.example.com/app:1"}]}`)
			name = "order-labels-"
		}
		for _, kind := range operatorKinds {
			n := "swc-" + name + strings.ToLower(kind)
			m := wrapOperator(kind, n, sp, base)
			if byLabels {
				labelTemplate(m, base, map[string]any{"aigov.dev/ai-class": "inference-server"})
				labelTemplate(m, sp, map[string]any{"aigov.dev/ai-class": "vector-database"})
			}
			out = append(out, diffCase{name: n, manifest: m})
		}
	}
	return out
}

// sensitiveOperatorCases are the AI operators' resources of the corpus of
// sensitive-workload-classification (default parameters), small enough
// for the apiserver: sensitiveSpecs and sensitiveOrderCases on every kind
// in a namespace without the label, the vector databases in one
// classified confidential too, and TrainJobs (classified by kind).
func sensitiveOperatorCases(t testing.TB) []diffCase {
	cases := append(operatorSpecCases(t, "swc-", sensitiveSpecs(), mustYAML(t, sensitiveBase)), sensitiveOrderCases(t)...)
	for _, c := range operatorSpecCases(t, "swc-confidential-", sensitiveSpecs()[:1], mustYAML(t, sensitiveBase)) {
		c.namespaceLabels = map[string]string{"data-classification": "confidential"}
		cases = append(cases, c)
	}
	return append(cases, sensitiveTrainJobCases(t)...)
}

// sensitiveTrainJobCases are TrainJobs (no pod without their runtime):
// training jobs by kind, none or notebooks by the override.
func sensitiveTrainJobCases(t testing.TB) []diffCase {
	var out []diffCase
	for _, c := range []struct{ name, labels string }{{"swc-trainjob", ""}, {"swc-trainjob-none", `{aigov.dev/ai-class: none}`},
		{"swc-trainjob-notebook", `{aigov.dev/ai-class: notebook}`}} {
		m := mustYAML(t, `{apiVersion: trainer.kubeflow.org/v1alpha1, kind: TrainJob, metadata: {name: `+c.name+`}, spec: {runtimeRef: {name: torch-distributed}}}`)
		if c.labels != "" {
			m["metadata"].(map[string]any)["labels"] = mustYAML(t, c.labels)
		}
		out = append(out, diffCase{name: c.name, manifest: m})
	}
	return out
}

// sensitiveParamsOperatorCases are the AI operators' resources of the
// corpus of sensitive-workload-classification-params (inference servers
// need a namespace labelled example.com/tier=high): a vLLM template, an
// inference server by the resource's override, and the order cases by
// images in a namespace of tier low, and the vLLM one in a tier high
// namespace.
func sensitiveParamsOperatorCases(t testing.TB) []diffCase {
	specs := []aiOperatorSpec{sensitiveSpecs()[1],
		{name: "obj-serving", spec: spec(`- {name: app, image: "registry.example.com/app:1"}`), objLabels: `{aigov.dev/ai-class: inference-server}`}}
	var out []diffCase
	for _, c := range append(operatorSpecCases(t, "swcp-", specs, mustYAML(t, sensitiveBase)), sensitiveOrderCases(t)[:len(operatorKinds)]...) {
		c.name = strings.Replace(c.name, "swc-", "swcp-", 1)
		c.manifest["metadata"].(map[string]any)["name"] = c.name
		c.namespaceLabels = map[string]string{"example.com/tier": "low"}
		out = append(out, c)
	}
	for _, c := range operatorSpecCases(t, "swcp-high-", specs[:1], mustYAML(t, sensitiveBase)) {
		c.namespaceLabels = map[string]string{"example.com/tier": "high"}
		out = append(out, c)
	}
	return out
}

// TestSensitiveClassificationOperatorsDifferential proves, in process,
// that the -operators policy of sensitive-workload-classification denies
// exactly what the Go check reports on the AI operators' corpora: every
// kind of evidence on every kind and the rules of each derivation
// (derivedSACases), the classification corpus of the model-serving
// checks (aiOperatorCases), the order cases and TrainJobs, in a
// namespace without the label and in a confidential one, for the default
// classes and for classes that make the first classified pod's class
// decide (inference-server, notebook). Every kind is denied and admitted
// at least once.
func TestSensitiveClassificationOperatorsDifferential(t *testing.T) {
	var cases []diffCase
	cases = append(cases, derivedSACases(t)...)
	cases = append(cases, aiOperatorCases(t)...)
	cases = append(cases, sensitiveOrderCases(t)...)
	cases = append(cases, sensitiveTrainJobCases(t)...)
	comp, loader := diffSetup(t)
	for _, params := range []string{"", `{classes: [inference-server, notebook]}`} {
		e := item1Entry(t, catalog.IDSensitiveWorkloadClassification, params)
		label := "swc-default"
		if params != "" {
			label = "swc-serving"
		}
		t.Run(label, func(t *testing.T) {
			adm := entryAdmission(t, comp, "swc", diffEntry(e, label))
			check := newGoCheck(t, e)
			// byKind counts, per kind, the objects denied ([0]) and
			// admitted ([1]).
			byKind := map[string]*[2]int{}
			for _, labels := range []map[string]string{nil, {"data-classification": "confidential"}} {
				for _, c := range cases {
					c.namespaceLabels = labels
					lc := loadCase(t, loader, c)
					ns := caseNamespace("difftest", label, c)
					goDenies, violations := goVerdict(check, lc.obj, namespaceObject(t, loader, ns))
					resp, err := adm.Admit(context.Background(), Request{Object: lc.obj.Obj, Namespaces: []*corev1.Namespace{ns}})
					if err != nil {
						t.Fatal(err)
					}
					if goDenies == resp.Allowed {
						t.Errorf("%s (namespace %v): Go denies=%v %v, policy denies=%v (%s)", c.name, labels, goDenies, violations, !resp.Allowed, resp.Message)
					}
					k := lc.obj.GVK.Kind
					if byKind[k] == nil {
						byKind[k] = &[2]int{}
					}
					if goDenies {
						byKind[k][0]++
					} else {
						byKind[k][1]++
					}
				}
			}
			for _, k := range append(operatorKinds, "TrainJob") {
				if n := byKind[k]; n == nil || n[0] == 0 || n[1] == 0 {
					t.Errorf("%s: want denied and admitted objects, got %v", k, n)
				}
			}
		})
	}
}

// TestSensitiveClassificationOperatorsOrder pins the order of evidence
// between a resource's pods that the policy follows: of resources whose
// first template is labelled an inference server and second a vector
// database, the Go check and the policy deny (with the default classes)
// exactly those whose operator creates the vector database's pods first:
// a TFJob (its Worker before its Chief, though "Chief" sorts first) and
// an MPIJob (its Worker before its Launcher), and a JAXJob, which has only
// the second template. The others' first pod is the inference server, or
// none is classified by these labels (KServe's components and a
// Notebook's template hold no labels here; runtimes derive no pod).
func TestSensitiveClassificationOperatorsOrder(t *testing.T) {
	comp, loader := diffSetup(t)
	e := governance.PolicyEntry{ID: catalog.IDSensitiveWorkloadClassification, Action: governance.ActionDeny}
	adm := entryAdmission(t, comp, "order", diffEntry(e, "order"))
	check := newGoCheck(t, e)
	ns := diffNamespace("difftest", "order")
	for _, c := range sensitiveOrderCases(t) {
		if !strings.HasPrefix(c.name, "swc-order-labels-") {
			continue
		}
		kind := strings.TrimPrefix(c.name, "swc-order-labels-")
		lc := loadCase(t, loader, c)
		goDenies, violations := goVerdict(check, lc.obj, namespaceObject(t, loader, ns))
		resp, err := adm.Admit(context.Background(), Request{Object: lc.obj.Obj, Namespaces: []*corev1.Namespace{ns}})
		if err != nil {
			t.Fatal(err)
		}
		want := kind == "tfjob" || kind == "mpijob" || kind == "jaxjob"
		if goDenies != want || resp.Allowed == want {
			t.Errorf("%s: Go denies=%v %v, policy denies=%v (%s), want %v", c.name, goDenies, violations, !resp.Allowed, resp.Message, want)
		}
	}
}

// TestSensitiveClassificationOperatorsRuntimeCost measures the runtime
// cost the estimator cannot bound (cost_test.go, unboundedChecks): a
// RayCluster at the 16-pod guard whose templates hold 32 containers and
// 8 init containers with long images and 64 labels each, a vector
// database last, in a namespace without the label, is denied by the Go
// check and by the policy within the apiserver's runtime cost budget.
func TestSensitiveClassificationOperatorsRuntimeCost(t *testing.T) {
	m := largeRayCluster(t, func(i int, image string) string {
		return fmt.Sprintf(`{name: c%02d, image: %q}`, i, image)
	}, `{name: db, image: "qdrant/qdrant:v1.12"}`, true)
	goD, vapD, msgs := operatorsVerdicts(t, catalog.IDSensitiveWorkloadClassification, diffCase{name: "large", manifest: m})
	if strings.Contains(msgs[0], "cost") {
		t.Fatalf("the policy ran out of cost at the guard: %s", msgs[0])
	}
	if !goD[0] || !vapD[0] {
		t.Errorf("Go denies=%v, policy denies=%v (%s), want both", goD[0], vapD[0], msgs[0])
	}
}
