package cel

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
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

// TestDifferentialISVCModel proves, for every pod check enforced on the
// AI operators' resources, that the operators' policy evaluated in-process
// denies exactly the InferenceServices whose predictor model (with the
// predictor's pod fields) the Go check reports, and that the corpus holds
// models that pass and models that fail.
func TestDifferentialISVCModel(t *testing.T) {
	comp, loader := diffSetup(t)
	checks := 0
	for _, dc := range corpus(t) {
		cases := isvcModelCases(dc.cases)
		if len(cases) == 0 {
			continue
		}
		checks++
		label := diffLabel(dc.entry)
		t.Run(label, func(t *testing.T) {
			entry := diffEntry(dc.entry, label)
			gs, err := comp.GenerateEntry("diff", entry, testDefinitions())
			if err != nil {
				t.Fatalf("generate: %v", err)
			}
			adm, err := NewAdmission(Policies(gs))
			if err != nil {
				t.Fatal(err)
			}
			check := newGoCheck(t, dc.entry)
			var denied, allowed int
			for _, c := range cases {
				lc := loadCase(t, loader, c)
				ns := caseNamespace("difftest", label, c)
				want, violations := goVerdict(check, lc.obj, namespaceObject(t, loader, ns))
				resp, err := adm.Admit(context.Background(), Request{Object: lc.obj.Obj, Namespaces: []*corev1.Namespace{ns}})
				if err != nil {
					t.Fatalf("%s: admit: %v", c.name, err)
				}
				if got := !resp.Allowed; got != want {
					t.Errorf("%s: Go check denies=%v %v, in-process VAP denies=%v (%s)", c.name, want, violations, got, resp.Message)
				}
				if want {
					denied++
				} else {
					allowed++
				}
			}
			if denied == 0 || allowed == 0 {
				t.Errorf("model corpus of %s must hold passing and failing InferenceServices: %d denied, %d allowed", label, denied, allowed)
			}
		})
	}
	if checks == 0 {
		t.Fatal("no check's corpus holds InferenceServices")
	}
}
