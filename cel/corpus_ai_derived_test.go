package cel

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aigov/aigov/governance/catalog"
)

// derivedNoPodKinds lists, per check whose policy on AI operators'
// resources judges the pods each operator derives, the kinds of
// operatorKinds that derive no pod from a single object and so can never
// fail: the policy does not match them (catalog's derivedNoPodKinds), and
// the differential tests require that the Go check admits every one of
// them instead of requiring failing cases.
var derivedNoPodKinds = map[string][]string{
	"ai-workload-own-serviceaccount": {"TrainingRuntime", "ServingRuntime"},
}

// derivedShadowAnyValueCases are the AI operators' resources of the
// corpus of shadow-ai with approvalLabel example.com/ai (any value): every
// kind, classified by the resource's override, in a namespace with the
// key (empty value) and in one with the default label only.
func derivedShadowAnyValueCases(t testing.TB) []diffCase {
	base := mustYAML(t, `{containers: [{name: app, image: "registry.example.com/app:1"}]}`)
	var out []diffCase
	for i, labels := range []map[string]string{{"example.com/ai": ""}, {"aigov.dev/ai-approved": "true"}} {
		for _, kind := range operatorKinds {
			n := fmt.Sprintf("anyvalue-%s-ns%d", strings.ToLower(kind), i)
			m := wrapOperator(kind, n, base, base)
			m["metadata"].(map[string]any)["labels"] = map[string]any{"aigov.dev/ai-class": "vector-database"}
			out = append(out, diffCase{name: n, manifest: m, namespaceLabels: labels})
		}
	}
	return out
}

// derivedShadowCases are the AI operators' resources of the corpus of
// shadow-ai: derivedSACases (every kind of evidence on every kind, and the
// rules of each derivation) and TrainJobs, in a namespace without the
// approval label and in an approved one.
func derivedShadowCases(t testing.TB) []diffCase {
	cases := derivedSACases(t)
	for _, c := range []struct{ name, labels string }{{"trainjob", ""}, {"trainjob-none", `{aigov.dev/ai-class: none}`}, {"trainjob-bogus", `{aigov.dev/ai-class: bogus}`}} {
		m := mustYAML(t, `{apiVersion: trainer.kubeflow.org/v1alpha1, kind: TrainJob, metadata: {name: `+c.name+`}, spec: {runtimeRef: {name: torch-distributed}}}`)
		if c.labels != "" {
			m["metadata"].(map[string]any)["labels"] = mustYAML(t, c.labels)
		}
		cases = append(cases, diffCase{name: c.name, manifest: m})
	}
	var out []diffCase
	for i, labels := range []map[string]string{nil, {"aigov.dev/ai-approved": "true"}} {
		for _, c := range cases {
			c.name = fmt.Sprintf("%s-ns%d", c.name, i)
			c.manifest = deepCopyMap(c.manifest)
			c.manifest["metadata"].(map[string]any)["name"] = c.name
			c.namespaceLabels = labels
			out = append(out, c)
		}
	}
	return out
}

// derivedSACases are the AI operators' resources of the corpus of
// ai-workload-own-serviceaccount: every kind with a varied pod spec in one
// template (the others running a plain image as their own ServiceAccount),
// and per kind the rules of its derivation that decide which pods exist,
// how they are labelled and which ServiceAccount they run as.
func derivedSACases(t testing.TB) []diffCase {
	base := mustYAML(t, `{serviceAccountName: base-sa, containers: [{name: app, image: "registry.example.com/app:1"}]}`)
	bare := func(image string) string { return `- {name: app, image: "` + image + `"}` }
	gpu := `- {name: app, image: "registry.example.com/train:1", resources: {limits: {nvidia.com/gpu: 1}}}`
	specs := []aiOperatorSpec{
		{name: "vllm", spec: spec(bare("vllm/vllm-openai:v1"))},
		{name: "vllm-own", spec: spec(bare("vllm/vllm-openai:v1"), "serviceAccountName: llm-sa")},
		{name: "vllm-deprecated", spec: spec(bare("vllm/vllm-openai:v1"), "serviceAccount: llm-sa")},
		{name: "vllm-explicit-default", spec: spec(bare("vllm/vllm-openai:v1"), "serviceAccountName: default")},
		{name: "plain", spec: spec(bare("registry.example.com/app:1"))},
		{name: "plain-own", spec: spec(bare("registry.example.com/app:1"), "serviceAccountName: app-sa")},
		{name: "init-qdrant", spec: spec(bare("registry.example.com/app:1"), `initContainers: [{name: init, image: "qdrant/qdrant:v1"}]`)},
		{name: "gpu", spec: spec(gpu)},
		{name: "gpu-own", spec: spec(gpu, "serviceAccountName: train-sa")},
		{name: "gpu-zero", spec: spec(`- {name: app, image: "registry.example.com/app:1", resources: {limits: {nvidia.com/gpu: 0}}}`)},
		{name: "obj-none", spec: spec(bare("vllm/vllm-openai:v1")), objLabels: `{aigov.dev/ai-class: none}`},
		{name: "obj-none-gpu", spec: spec(gpu), objLabels: `{aigov.dev/ai-class: none}`},
		{name: "obj-override", spec: spec(bare("registry.example.com/app:1")), objLabels: `{aigov.dev/ai-class: model-registry}`},
		{name: "obj-bogus", spec: spec(bare("registry.example.com/app:1")), objLabels: `{aigov.dev/ai-class: bogus}`},
		{name: "obj-component", spec: spec(bare("registry.example.com/app:1")), objLabels: `{app.kubernetes.io/component: Model-Server}`},
		{name: "obj-operator-label", spec: spec(bare("registry.example.com/app:1")), objLabels: `{seldon.io/model: m}`},
		{name: "tmpl-none", spec: spec(bare("vllm/vllm-openai:v1")), tmplLabels: `{aigov.dev/ai-class: none}`},
		{name: "tmpl-override", spec: spec(bare("registry.example.com/app:1")), tmplLabels: `{aigov.dev/ai-class: notebook}`},
		{name: "tmpl-component", spec: spec(bare("registry.example.com/app:1")), tmplLabels: `{app.kubernetes.io/component: trainer}`},
		{name: "tmpl-operator-label", spec: spec(bare("registry.example.com/app:1")), tmplLabels: `{ray.io/serve: "false"}`},
		{name: "obj-over-tmpl", spec: spec(bare("vllm/vllm-openai:v1")), objLabels: `{aigov.dev/ai-class: none}`, tmplLabels: `{aigov.dev/ai-class: inference-server}`},
	}
	return append(operatorSpecCases(t, "sa-", specs, base), derivedRuleCases(t, base)...)
}

// derivedRuleCases are the per-kind rules of the derivation, each case
// built from wrapOperator's resource and edited.
func derivedRuleCases(t testing.TB, base map[string]any) []diffCase {
	vllm := mustYAML(t, `{containers: [{name: app, image: "vllm/vllm-openai:v1"}]}`)
	plain := mustYAML(t, `{containers: [{name: app, image: "registry.example.com/app:1"}]}`)
	var out []diffCase
	edit := func(kind, name string, spec map[string]any, f func(m, s map[string]any)) {
		n := "sa-rule-" + strings.ToLower(kind) + "-" + name
		m := wrapOperator(kind, n, spec, base)
		s, _ := m["spec"].(map[string]any)
		f(m, s)
		out = append(out, diffCase{name: n, manifest: m})
	}
	set := func(m map[string]any, path string, v any) {
		keys := strings.Split(path, ".")
		for _, k := range keys[:len(keys)-1] {
			next, ok := m[k].(map[string]any)
			if !ok {
				next = map[string]any{}
				m[k] = next
			}
			m = next
		}
		m[keys[len(keys)-1]] = v
	}
	labels := func(m map[string]any, l map[string]any) { m["metadata"].(map[string]any)["labels"] = l }
	annotate := func(m map[string]any, a map[string]any) { m["metadata"].(map[string]any)["annotations"] = a }
	head := func(s map[string]any) map[string]any { return s["headGroupSpec"].(map[string]any) }
	worker := func(s map[string]any, i int) map[string]any { return s["workerGroupSpecs"].([]any)[i].(map[string]any) }

	// KubeRay: a cluster a RayService created labels its pods ray.io/serve.
	edit("RayCluster", "from-rayservice", plain, func(m, _ map[string]any) { labels(m, map[string]any{"ray.io/originated-from-crd": "RayService"}) })
	edit("RayCluster", "from-rayjob", plain, func(m, _ map[string]any) { labels(m, map[string]any{"ray.io/originated-from-crd": "RayJob"}) })
	// The worker group's labels are the pod's, over its template's.
	edit("RayCluster", "group-label", plain, func(_, s map[string]any) {
		worker(s, 1)["labels"] = map[string]any{"app.kubernetes.io/component": "llm"}
	})
	edit("RayCluster", "group-over-template", vllm, func(_, s map[string]any) {
		worker(s, 1)["labels"] = map[string]any{"aigov.dev/ai-class": "none"}
		set(worker(s, 1), "template.metadata.labels", map[string]any{"aigov.dev/ai-class": "inference-server"})
	})
	edit("RayCluster", "head-labels", plain, func(_, s map[string]any) {
		head(s)["labels"] = map[string]any{"app.kubernetes.io/component": "llm"}
		delete(head(s)["template"].(map[string]any)["spec"].(map[string]any), "serviceAccountName")
		worker(s, 1)["template"].(map[string]any)["spec"].(map[string]any)["serviceAccountName"] = "w-sa"
	})
	// With the in-tree autoscaler the head runs as its template's
	// ServiceAccount, else as one named after the cluster.
	for _, c := range []struct {
		name, cluster, sa string
		autoscaling       bool
	}{
		{"autoscaler-named", "autoscaler-named", "", true},
		{"autoscaler-off", "autoscaler-off", "", false},
		{"autoscaler-default-sa", "autoscaler-default-sa", "default", true},
		{"autoscaler-own-sa", "autoscaler-own-sa", "head-sa", true},
		{"autoscaler-deprecated", "autoscaler-deprecated", "", true},
	} {
		edit("RayCluster", c.name, plain, func(m, s map[string]any) {
			hs := head(s)["template"].(map[string]any)
			hs["spec"] = deepCopyMap(vllm)
			if c.sa != "" {
				hs["spec"].(map[string]any)["serviceAccountName"] = c.sa
			}
			if c.name == "autoscaler-deprecated" {
				hs["spec"].(map[string]any)["serviceAccount"] = "head-sa"
			}
			s["enableInTreeAutoscaling"] = c.autoscaling
			worker(s, 1)["template"].(map[string]any)["spec"].(map[string]any)["serviceAccountName"] = "w-sa"
		})
	}
	// A cluster named "default" runs its autoscaling head as "default".
	edit("RayService", "autoscaler", plain, func(m, s map[string]any) {
		c := s["rayClusterConfig"].(map[string]any)
		c["enableInTreeAutoscaling"] = true
		delete(head(c)["template"].(map[string]any)["spec"].(map[string]any), "serviceAccountName")
		worker(c, 1)["template"].(map[string]any)["spec"].(map[string]any)["serviceAccountName"] = "w-sa"
	})
	edit("RayService", "autoscaler-default", plain, func(m, s map[string]any) {
		m["metadata"].(map[string]any)["name"] = "default"
		c := s["rayClusterConfig"].(map[string]any)
		c["enableInTreeAutoscaling"] = true
		delete(head(c)["template"].(map[string]any)["spec"].(map[string]any), "serviceAccountName")
		worker(c, 1)["template"].(map[string]any)["spec"].(map[string]any)["serviceAccountName"] = "w-sa"
	})
	// RayJob: the default submitter runs the head's image as "default"; a
	// selected cluster or another submission mode has none.
	vllmHead := func(s map[string]any) {
		delete(s, "submitterPodTemplate")
		hs := head(s["rayClusterSpec"].(map[string]any))["template"].(map[string]any)["spec"].(map[string]any)
		hs["containers"] = []any{map[string]any{"name": "ray-head", "image": "vllm/vllm-openai:v1"}}
	}
	edit("RayJob", "default-submitter", plain, func(_, s map[string]any) { vllmHead(s) })
	edit("RayJob", "default-submitter-plain", plain, func(_, s map[string]any) { delete(s, "submitterPodTemplate") })
	edit("RayJob", "default-submitter-override", plain, func(m, s map[string]any) {
		delete(s, "submitterPodTemplate")
		labels(m, map[string]any{"aigov.dev/ai-class": "training-job"})
	})
	edit("RayJob", "http-mode", plain, func(_, s map[string]any) { vllmHead(s); s["submissionMode"] = "HTTPMode" })
	edit("RayJob", "explicit-k8s-mode", plain, func(_, s map[string]any) { vllmHead(s); s["submissionMode"] = "K8sJobMode" })
	edit("RayJob", "cluster-selector", vllm, func(_, s map[string]any) {
		vllmHead(s)
		s["clusterSelector"] = map[string]any{"ray.io/cluster": "shared"}
	})
	edit("RayJob", "cluster-selector-submitter", plain, func(_, s map[string]any) {
		s["clusterSelector"] = map[string]any{"ray.io/cluster": "shared"}
		s["submitterPodTemplate"] = map[string]any{"spec": deepCopyMap(vllm)}
	})

	// Kubeflow: every pod is a training job; none runs when another
	// controller manages the job or a replica spec has no container.
	for _, kind := range []string{"PyTorchJob", "TFJob", "XGBoostJob", "PaddleJob", "JAXJob", "MPIJob"} {
		edit(kind, "managed-elsewhere", plain, func(_, s map[string]any) {
			s["runPolicy"] = map[string]any{"managedBy": "kueue.x-k8s.io/multikueue"}
		})
		edit(kind, "managed-here", plain, func(_, s map[string]any) {
			ctl := "kubeflow.org/training-operator"
			if kind == "MPIJob" {
				ctl = "kubeflow.org/mpi-operator"
			}
			s["runPolicy"] = map[string]any{"managedBy": ctl}
		})
	}
	// A lower-case spelling replaces the canonical replica type.
	edit("PyTorchJob", "respelled", plain, func(_, s map[string]any) {
		r := s["pytorchReplicaSpecs"].(map[string]any)
		r["worker"] = map[string]any{"replicas": 1, "template": map[string]any{"spec": deepCopyMap(base)}}
	})
	edit("PyTorchJob", "respelled-bad", plain, func(_, s map[string]any) {
		r := s["pytorchReplicaSpecs"].(map[string]any)
		r["Worker"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)["serviceAccountName"] = "w-sa"
		r["worker"] = map[string]any{"replicas": 1, "template": map[string]any{"spec": deepCopyMap(plain)}}
	})
	edit("TFJob", "unknown-type", plain, func(_, s map[string]any) {
		r := s["tfReplicaSpecs"].(map[string]any)
		r["Worker"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)["serviceAccountName"] = "w-sa"
		r["Sidecar"] = map[string]any{"replicas": 1, "template": map[string]any{"spec": deepCopyMap(plain)}}
	})
	// The MPI operator refuses a job with two launchers, a worker with no
	// replica or an unknown implementation.
	edit("MPIJob", "two-launchers", plain, func(_, s map[string]any) {
		s["mpiReplicaSpecs"].(map[string]any)["Launcher"].(map[string]any)["replicas"] = 2
	})
	edit("MPIJob", "no-workers", plain, func(_, s map[string]any) {
		s["mpiReplicaSpecs"].(map[string]any)["Worker"].(map[string]any)["replicas"] = 0
	})
	edit("MPIJob", "launcher-only", plain, func(_, s map[string]any) {
		r := s["mpiReplicaSpecs"].(map[string]any)
		delete(r, "Worker")
		delete(r["Launcher"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any), "serviceAccountName")
	})
	edit("MPIJob", "intel", plain, func(_, s map[string]any) { s["mpiImplementation"] = "Intel" })
	edit("MPIJob", "unknown-impl", plain, func(_, s map[string]any) { s["mpiImplementation"] = "Other" })
	edit("MPIJob", "restart-always", plain, func(_, s map[string]any) {
		s["mpiReplicaSpecs"].(map[string]any)["Worker"].(map[string]any)["restartPolicy"] = "Always"
	})

	// Notebook: its labels are the pod's; a statefulset label naming
	// another StatefulSet makes the apiserver refuse it (no pod).
	edit("Notebook", "statefulset-other", plain, func(m, _ map[string]any) { labels(m, map[string]any{"statefulset": "other"}) })
	edit("Notebook", "statefulset-self", plain, func(m, _ map[string]any) {
		labels(m, map[string]any{"statefulset": "sa-rule-notebook-statefulset-self"})
	})
	edit("Notebook", "label-none", plain, func(m, _ map[string]any) { labels(m, map[string]any{"aigov.dev/ai-class": "none"}) })

	// LeaderWorkerSet: a group of one pod has no worker; without a leader
	// template the leader runs the worker template.
	edit("LeaderWorkerSet", "size-one", vllm, func(_, s map[string]any) { s["leaderWorkerTemplate"].(map[string]any)["size"] = 1 })
	edit("LeaderWorkerSet", "no-leader", vllm, func(_, s map[string]any) {
		lwt := s["leaderWorkerTemplate"].(map[string]any)
		delete(lwt, "leaderTemplate")
		lwt["size"] = 1
	})

	// InferenceService: a predictor naming a model gets its pod from a
	// ServingRuntime (not derived here); ModelMesh runs no pod of its own;
	// a predictor of several containers needs a kserve-container unless
	// its first is unnamed.
	isvc := func(name string, predictor string, f func(m, s map[string]any)) {
		edit("InferenceService", name, plain, func(m, s map[string]any) {
			s["predictor"] = mustYAML(t, predictor)
			s["transformer"].(map[string]any)["serviceAccountName"] = "t-sa"
			if f != nil {
				f(m, s)
			}
		})
	}
	isvc("predictor-default", `{containers: [{name: app, image: "registry.example.com/app:1"}]}`, nil)
	isvc("predictor-own", `{serviceAccountName: p-sa, containers: [{name: app, image: "registry.example.com/app:1"}]}`, nil)
	isvc("predictor-model", `{model: {modelFormat: {name: sklearn}, storageUri: "gs://bucket/model"}}`, nil)
	isvc("predictor-sklearn", `{sklearn: {storageUri: "gs://bucket/model"}, containers: [{name: kserve-container, image: "registry.example.com/app:1"}]}`, nil)
	isvc("predictor-two-named", `{containers: [{name: a, image: "registry.example.com/app:1"}, {name: b, image: "registry.example.com/app:1"}]}`, nil)
	isvc("predictor-two-main", `{containers: [{name: a, image: "registry.example.com/app:1"}, {name: kserve-container, image: "registry.example.com/app:1"}]}`, nil)
	isvc("predictor-two-unnamed", `{containers: [{image: "registry.example.com/app:1"}, {name: b, image: "registry.example.com/app:1"}]}`, nil)
	isvc("modelmesh", `{containers: [{name: app, image: "registry.example.com/app:1"}]}`, func(m, _ map[string]any) {
		annotate(m, map[string]any{"serving.kserve.io/deploymentMode": "ModelMesh"})
	})
	isvc("raw", `{containers: [{name: app, image: "registry.example.com/app:1"}]}`, func(m, _ map[string]any) {
		annotate(m, map[string]any{"serving.kserve.io/deploymentMode": "RawDeployment"})
	})
	isvc("component-none", `{labels: {aigov.dev/ai-class: none}, containers: [{name: app, image: "registry.example.com/app:1"}]}`, nil)
	isvc("component-none-obj-class", `{labels: {aigov.dev/ai-class: none}, containers: [{name: app, image: "registry.example.com/app:1"}]}`, func(m, _ map[string]any) {
		labels(m, map[string]any{"aigov.dev/ai-class": "embedding-service"})
	})
	isvc("component-bogus-obj-none", `{labels: {aigov.dev/ai-class: bogus}, containers: [{name: app, image: "registry.example.com/app:1"}]}`, func(m, _ map[string]any) {
		labels(m, map[string]any{"aigov.dev/ai-class": "none"})
	})
	isvc("explainer", `{serviceAccountName: p-sa, containers: [{name: app, image: "registry.example.com/app:1"}]}`, func(_, s map[string]any) {
		s["explainer"] = mustYAML(t, `{containers: [{name: app, image: "registry.example.com/app:1"}]}`)
	})

	// LLMInferenceService: a workload with a worker runs as a
	// LeaderWorkerSet (not derived); the stop annotation deletes the pods;
	// the workload's labels are the pod's.
	edit("LLMInferenceService", "prefill-worker", vllm, func(_, s map[string]any) {
		s["prefill"].(map[string]any)["worker"] = deepCopyMap(vllm)
	})
	edit("LLMInferenceService", "main-worker", plain, func(_, s map[string]any) {
		s["template"] = deepCopyMap(vllm)
		s["worker"] = deepCopyMap(vllm)
	})
	edit("LLMInferenceService", "main-vllm", plain, func(_, s map[string]any) { s["template"] = deepCopyMap(vllm) })
	edit("LLMInferenceService", "stopped", vllm, func(m, _ map[string]any) {
		annotate(m, map[string]any{"serving.kserve.io/stop": "TRUE"})
	})
	edit("LLMInferenceService", "workload-labels", plain, func(_, s map[string]any) {
		s["prefill"].(map[string]any)["labels"] = map[string]any{"app.kubernetes.io/component": "inference"}
	})
	edit("LLMInferenceService", "workload-labels-main", plain, func(_, s map[string]any) {
		s["labels"] = map[string]any{"app.kubernetes.io/component": "inference"}
		delete(s["template"].(map[string]any), "serviceAccountName")
	})

	// JobSet: a replicated job's Job template labels are not the pods'.
	edit("JobSet", "job-labels", plain, func(_, s map[string]any) {
		j := s["replicatedJobs"].([]any)[1].(map[string]any)["template"].(map[string]any)
		j["metadata"] = map[string]any{"labels": map[string]any{"app.kubernetes.io/component": "training"}}
	})
	return out
}

// TestDerivedPodsGuardAndRuntimeCost pins what the size guard of the
// policy on AI operators' resources of ai-workload-own-serviceaccount
// leaves to the scan, and its runtime cost at the guard. Of a RayCluster's
// pods (its head, then its worker groups), the policy judges the first 16:
// a vLLM group running as "default" is denied by both as the 16th pod and
// by the Go check alone as the 17th. A cluster at the guard whose 16
// templates hold 32 containers and 8 init containers with long images,
// GPU-free resources and 64 labels each stays within the apiserver's
// runtime cost budget and is still denied.
func TestDerivedPodsGuardAndRuntimeCost(t *testing.T) {
	plain := `{name: app, image: "registry.example.com/app:1"}`
	vllm := `{name: llm, image: "vllm/vllm-openai:v1"}`
	own := func(m map[string]any) map[string]any {
		spec := m["spec"].(map[string]any)
		for i, tp := range append([]any{spec["headGroupSpec"]}, spec["workerGroupSpecs"].([]any)...) {
			ts := tp.(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)
			if cs := ts["containers"].([]any); i == 0 || cs[len(cs)-1].(map[string]any)["name"] != "llm" {
				ts["serviceAccountName"] = "own-sa"
			}
		}
		return m
	}
	within := diffCase{name: "within", manifest: own(rayClusterOfGroups(t, "within", 15, plain, vllm))}
	beyond := diffCase{name: "beyond", manifest: own(rayClusterOfGroups(t, "beyond", 16, plain, vllm))}
	clean := diffCase{name: "clean", manifest: own(rayClusterOfGroups(t, "clean", 16, plain, plain))}

	large := own(largeRayCluster(t, func(i int, image string) string {
		return fmt.Sprintf(`{name: c%02d, image: %q, resources: {limits: {cpu: 1, memory: 1Gi, example.com/dev%02d: 1}}}`, i, image, i)
	}, vllm, true))

	goD, vapD, msgs := operatorsVerdicts(t, catalog.IDAIWorkloadOwnServiceAccount, within, beyond, clean, diffCase{name: "large", manifest: large})
	if !goD[0] || !vapD[0] {
		t.Errorf("vLLM group as the 16th pod: Go denies=%v, policy denies=%v (%s), want both", goD[0], vapD[0], msgs[0])
	}
	if !goD[1] || vapD[1] {
		t.Errorf("vLLM group as the 17th pod: Go denies=%v, policy denies=%v (%s), want the Go check alone (beyond the guard)", goD[1], vapD[1], msgs[1])
	}
	if goD[2] || vapD[2] {
		t.Errorf("no AI pod: Go denies=%v, policy denies=%v (%s), want neither", goD[2], vapD[2], msgs[2])
	}
	if strings.Contains(msgs[3], "cost") {
		t.Fatalf("the policy ran out of cost at the guard: %s", msgs[3])
	}
	if !goD[3] || !vapD[3] {
		t.Errorf("large cluster: Go denies=%v, policy denies=%v (%s), want both", goD[3], vapD[3], msgs[3])
	}
	// shadow-ai's policy reads the same derived pods (and their classes)
	// in a namespace without the approval label: the large cluster at the
	// guard is denied within the budget too.
	goS, vapS, msgS := operatorsVerdicts(t, catalog.IDShadowAI, diffCase{name: "large", manifest: large})
	if strings.Contains(msgS[0], "cost") {
		t.Fatalf("shadow-ai's policy ran out of cost at the guard: %s", msgS[0])
	}
	if !goS[0] || !vapS[0] {
		t.Errorf("shadow-ai, large cluster: Go denies=%v, policy denies=%v (%s), want both", goS[0], vapS[0], msgS[0])
	}
}
