package cel

import (
	"strings"
	"testing"
)

// isvcModelCases rewrites the corpus's InferenceServices so that the pod
// spec under test is the predictor's and its first container is the
// predictor's model (KServe's ModelSpec: a container with the model's
// format), the way most InferenceServices are written, with and without
// the model's name and image: the Go checks read
// the model as a container of the predictor (internal/operator kserve.go),
// and the operators' policies must judge it too.
func isvcModelCases(cases []diffCase) []diffCase {
	var out []diffCase
	for _, c := range cases {
		if c.manifest["kind"] != "InferenceService" {
			continue
		}
		m := deepCopyMap(c.manifest)
		spec := m["spec"].(map[string]any)
		predictor, ok := spec["transformer"].(map[string]any)
		if !ok {
			continue
		}
		delete(spec, "transformer")
		containers, _ := predictor["containers"].([]any)
		if len(containers) == 0 {
			continue
		}
		model := containers[0].(map[string]any)
		model["modelFormat"] = map[string]any{"name": "sklearn"}
		model["storageUri"] = "gs://models/sklearn/iris"
		if len(containers) == 1 {
			delete(predictor, "containers")
		} else {
			predictor["containers"] = containers[1:]
		}
		predictor["model"] = model
		spec["predictor"] = predictor
		name := "model-" + c.name
		m["metadata"].(map[string]any)["name"] = name
		out = append(out, diffCase{name: name, manifest: m, namespaceLabels: c.namespaceLabels})
		// As most models are written: no name, no image (both come from
		// the ServingRuntime).
		bare := deepCopyMap(m)
		bareModel := bare["spec"].(map[string]any)["predictor"].(map[string]any)["model"].(map[string]any)
		delete(bareModel, "name")
		delete(bareModel, "image")
		bare["metadata"].(map[string]any)["name"] = "bare-" + name
		out = append(out, diffCase{name: "bare-" + name, manifest: bare, namespaceLabels: c.namespaceLabels})
	}
	return out
}

// TestISVCModelCorpus: the corpus holds, for every check enforced on the
// AI operators' resources, InferenceServices whose model the Go check
// denies and ones it admits (operatorCases adds them, so
// TestDifferentialInProcess and TestDifferentialAPIServer compare them
// with the in-process policy and the kube-apiserver).
func TestISVCModelCorpus(t *testing.T) {
	_, loader := diffSetup(t)
	checks := 0
	for _, dc := range corpus(t) {
		label := diffLabel(dc.entry)
		check := newGoCheck(t, dc.entry)
		var denied, allowed int
		for _, c := range dc.cases {
			if !strings.HasPrefix(c.name, "model-") && !strings.HasPrefix(c.name, "bare-model-") {
				continue
			}
			lc := loadCase(t, loader, c)
			if d, _ := goVerdict(check, lc.obj, namespaceObject(t, loader, caseNamespace("difftest", label, c))); d {
				denied++
			} else {
				allowed++
			}
		}
		if denied+allowed == 0 {
			continue
		}
		checks++
		if denied == 0 || allowed == 0 {
			t.Errorf("model corpus of %s must hold passing and failing InferenceServices: %d denied, %d allowed", label, denied, allowed)
		}
	}
	if checks == 0 {
		t.Fatal("no check's corpus holds InferenceService models")
	}
}
