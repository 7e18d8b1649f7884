package cel

import (
	"strings"
	"testing"
)

// operatorKinds are the AI operators' kinds a pod spec of the corpus is
// written into (every namespaced kind whose pod templates the operators'
// policies read; the cluster-scoped runtimes are read by the same
// expressions as their namespaced twins).
var operatorKinds = []string{
	"RayCluster", "RayJob", "RayService",
	"PyTorchJob", "TFJob", "XGBoostJob", "PaddleJob", "JAXJob", "MPIJob", "Notebook",
	"TrainingRuntime", "JobSet", "LeaderWorkerSet",
	"InferenceService", "ServingRuntime", "LLMInferenceService",
}

// wrapOperator writes a pod spec into one template of an AI operator's
// resource, its other templates (when it has others) holding base, a spec
// that passes every check: a violation must be found in the template
// where it is, whatever its position (a second worker group, a map value,
// a later replicated job). A ServingRuntime holds only containers (its
// template is partial: the InferenceService sets the pod's fields).
func wrapOperator(kind, name string, spec, base map[string]any) map[string]any {
	spec, base = deepCopyMap(spec), deepCopyMap(base)
	obj := map[string]any{"kind": kind, "metadata": map[string]any{"name": name}}
	tmpl := func(s map[string]any) map[string]any {
		return map[string]any{"metadata": map[string]any{"labels": map[string]any{"app": name}}, "spec": s}
	}
	ray := func() map[string]any {
		return map[string]any{
			"headGroupSpec":    map[string]any{"rayStartParams": map[string]any{}, "template": tmpl(base)},
			"workerGroupSpecs": []any{map[string]any{"groupName": "cpu", "replicas": 1, "template": tmpl(base)}, map[string]any{"groupName": "gpu", "replicas": 2, "template": tmpl(spec)}},
		}
	}
	replicas := func(first, second string) map[string]any {
		return map[string]any{first: map[string]any{"replicas": 1, "template": tmpl(base)}, second: map[string]any{"replicas": 2, "template": tmpl(spec)}}
	}
	job := func(s map[string]any) map[string]any {
		s["restartPolicy"] = "Never"
		return map[string]any{"spec": map[string]any{"template": tmpl(s)}}
	}
	jobs := func() map[string]any {
		return map[string]any{"replicatedJobs": []any{
			map[string]any{"name": "init", "replicas": 1, "template": job(base)},
			map[string]any{"name": "node", "replicas": 2, "template": job(spec)},
		}}
	}
	switch kind {
	case "RayCluster":
		obj["apiVersion"], obj["spec"] = "ray.io/v1", ray()
	case "RayJob":
		obj["apiVersion"] = "ray.io/v1"
		obj["spec"] = map[string]any{"entrypoint": "python main.py", "rayClusterSpec": ray(), "submitterPodTemplate": tmpl(base)}
	case "RayService":
		obj["apiVersion"], obj["spec"] = "ray.io/v1", map[string]any{"rayClusterConfig": ray()}
	case "PyTorchJob":
		obj["apiVersion"], obj["spec"] = "kubeflow.org/v1", map[string]any{"pytorchReplicaSpecs": replicas("Master", "Worker")}
	case "TFJob":
		obj["apiVersion"], obj["spec"] = "kubeflow.org/v1", map[string]any{"tfReplicaSpecs": replicas("Chief", "Worker")}
	case "XGBoostJob":
		obj["apiVersion"], obj["spec"] = "kubeflow.org/v1", map[string]any{"xgbReplicaSpecs": replicas("Master", "Worker")}
	case "PaddleJob":
		obj["apiVersion"], obj["spec"] = "kubeflow.org/v1", map[string]any{"paddleReplicaSpecs": replicas("Master", "Worker")}
	case "JAXJob":
		obj["apiVersion"], obj["spec"] = "kubeflow.org/v1", map[string]any{"jaxReplicaSpecs": map[string]any{"Worker": map[string]any{"replicas": 2, "template": tmpl(spec)}}}
	case "MPIJob":
		obj["apiVersion"], obj["spec"] = "kubeflow.org/v2beta1", map[string]any{"mpiReplicaSpecs": replicas("Launcher", "Worker")}
	case "Notebook":
		obj["apiVersion"], obj["spec"] = "kubeflow.org/v1", map[string]any{"template": map[string]any{"spec": spec}}
	case "TrainingRuntime":
		obj["apiVersion"], obj["spec"] = "trainer.kubeflow.org/v1alpha1", map[string]any{"template": map[string]any{"spec": jobs()}}
	case "JobSet":
		obj["apiVersion"], obj["spec"] = "jobset.x-k8s.io/v1alpha2", jobs()
	case "LeaderWorkerSet":
		obj["apiVersion"] = "leaderworkerset.x-k8s.io/v1"
		obj["spec"] = map[string]any{"replicas": 1, "leaderWorkerTemplate": map[string]any{"size": 2, "leaderTemplate": tmpl(base), "workerTemplate": tmpl(spec)}}
	case "InferenceService":
		// The predictor's own pod spec holds base; the transformer, a
		// component of its own, holds the spec.
		obj["apiVersion"], obj["spec"] = "serving.kserve.io/v1beta1", map[string]any{"predictor": base, "transformer": spec}
	case "ServingRuntime":
		obj["apiVersion"] = "serving.kserve.io/v1alpha1"
		obj["spec"] = map[string]any{"supportedModelFormats": []any{map[string]any{"name": "sklearn"}}, "containers": spec["containers"]}
		if v, ok := spec["hostIPC"]; ok { // the one host namespace a runtime holds
			obj["spec"].(map[string]any)["hostIPC"] = v
		}
	case "LLMInferenceService":
		obj["apiVersion"] = "serving.kserve.io/v1alpha1"
		obj["spec"] = map[string]any{"model": map[string]any{"uri": "hf://org/model"}, "template": base, "prefill": map[string]any{"template": spec}}
	}
	return obj
}

// operatorCases writes every pod spec into every operator kind, with
// baseSpec in the other templates, and adds the KubeRay resources whose
// pods hold injected containers (corpus_ray_operators_test.go).
func operatorCases(t testing.TB, specs map[string]string) []diffCase {
	return append(operatorCasesOn(t, specs, baseSpec), rayInjectionDiffCases(t, false)...)
}

// operatorCasesOn writes every pod spec into every operator kind, the
// other templates holding baseYAML.
func operatorCasesOn(t testing.TB, specs map[string]string, baseYAML string) []diffCase {
	base := mustYAML(t, baseYAML)
	var out []diffCase
	for _, name := range sortedKeys(specs) {
		spec := mustYAML(t, specs[name])
		for _, kind := range operatorKinds {
			n := strings.ToLower(kind) + "-" + name
			out = append(out, diffCase{name: n, manifest: wrapOperator(kind, n, spec, base)})
		}
	}
	// And every spec as an InferenceService's predictor with its first
	// container as the model (corpus_isvc_model_test.go).
	return append(out, isvcModelCases(out)...)
}

// podAndOperatorCases are podCases and operatorCases of the same specs.
func podAndOperatorCases(t testing.TB, specs map[string]string, ephemeral map[string]string) []diffCase {
	return append(podCases(t, specs, ephemeral), operatorCases(t, specs)...)
}
