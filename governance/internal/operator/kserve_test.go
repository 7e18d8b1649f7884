package operator

import (
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// kserveTestInventory holds the resources of YAML documents the way the
// loader hands them to Pods: templates decoded, Lookup and List over all.
type kserveTestInventory struct {
	resources []*Resource
	unknown   []string
}

func kserveTestLoad(t *testing.T, docs ...string) *kserveTestInventory {
	t.Helper()
	inv := &kserveTestInventory{}
	for _, doc := range docs {
		_, r, unknown := testResource(t, doc)
		inv.unknown = append(inv.unknown, unknown...)
		r.List = inv.list
		inv.resources = append(inv.resources, r)
	}
	return inv
}

func (inv *kserveTestInventory) list(gk schema.GroupKind, namespace string) []*Resource {
	var out []*Resource
	for _, r := range inv.resources {
		if r.GVK.GroupKind() == gk && r.Namespace == namespace {
			out = append(out, r)
		}
	}
	return out
}

// pods derives the pods of the last document.
func (inv *kserveTestInventory) pods(t *testing.T) []Pod {
	t.Helper()
	r := inv.resources[len(inv.resources)-1]
	k, _ := Find(r.GVK)
	if k.Pods == nil {
		t.Fatalf("%s derives no pods", r.GVK.Kind)
	}
	return k.Pods(r, testLookup(inv.resources))
}

func kserveTestQty(t *testing.T, list corev1.ResourceList, name corev1.ResourceName, want string) {
	t.Helper()
	got, ok := list[name]
	if !ok || got.Cmp(resource.MustParse(want)) != 0 {
		t.Errorf("%s = %v (present %v), want %s", name, got.String(), ok, want)
	}
}

const kserveHFClusterRuntime = `
apiVersion: serving.kserve.io/v1alpha1
kind: ClusterServingRuntime
metadata:
  name: hf-runtime
spec:
  supportedModelFormats:
  - name: huggingface
    version: "1"
    autoSelect: true
    priority: 1
  protocolVersions: [v2, v1]
  multiModel: false
  grpcEndpoint: "port:8085"
  builtInAdapter:
    serverType: mlserver
  annotations:
    prometheus.kserve.io/port: "8080"
  labels:
    runtime: hf
  nodeSelector:
    accelerator: a100
  tolerations:
  - key: nvidia.com/gpu
    operator: Exists
  volumes:
  - name: shm
    emptyDir:
      medium: Memory
  imagePullSecrets:
  - name: registry
  containers:
  - name: kserve-container
    image: kserve/huggingfaceserver:v0.20.0
    args: ["--model_name={{.Name}}", "--model_dir=/mnt/models"]
    env:
    - name: HF_HOME
      value: /tmp/hf
    - name: LOG_LEVEL
      value: info
    resources:
      requests:
        cpu: "1"
        memory: 2Gi
      limits:
        cpu: "1"
        memory: 2Gi
    volumeMounts:
    - name: shm
      mountPath: /dev/shm
  - name: sidecar
    image: example.com/metrics:1
`

const kserveLLMIsvc = `
apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata:
  name: llama
  namespace: team-a
  labels:
    team: a
  annotations:
    serving.kserve.io/deploymentMode: RawDeployment
spec:
  predictor:
    minReplicas: 2
    maxReplicas: 4
    scaleTarget: 80
    canaryTrafficPercent: 100
    containerConcurrency: 2
    timeout: 60
    labels:
      tier: gold
    annotations:
      note: x
    logger:
      mode: all
    deploymentStrategy:
      type: Recreate
    serviceAccountName: llama-sa
    nodeSelector:
      zone: a
    model:
      modelFormat:
        name: huggingface
      storageUri: hf://meta-llama/Llama-3.1-8B
      args: ["--max_model_len=8192"]
      env:
      - name: LOG_LEVEL
        value: debug
      resources:
        limits:
          nvidia.com/gpu: "1"
`

func TestServingRuntimeTemplates(t *testing.T) {
	inv := kserveTestLoad(t, kserveHFClusterRuntime)
	if len(inv.unknown) != 0 {
		t.Errorf("unknown = %v, want none: runtime fields are not pod fields", inv.unknown)
	}
	ts := inv.resources[0].Templates
	if len(ts) != 1 || ts[0].Path != "spec" || ts[0].Role != "runtime" {
		t.Fatalf("templates = %+v, want one at spec (runtime)", ts)
	}
	s := ts[0].Spec
	if len(s.Containers) != 2 || s.Containers[0].Image != "kserve/huggingfaceserver:v0.20.0" ||
		s.NodeSelector["accelerator"] != "a100" || len(s.Tolerations) != 1 || len(s.Volumes) != 1 ||
		len(s.ImagePullSecrets) != 1 {
		t.Errorf("runtime pod spec = %+v", s)
	}
	if ts[0].Meta.Labels["runtime"] != "hf" || ts[0].Meta.Annotations["prometheus.kserve.io/port"] != "8080" {
		t.Errorf("runtime meta = %+v", ts[0].Meta)
	}

	multi := strings.Replace(kserveHFClusterRuntime, "  multiModel: false\n",
		"  multiModel: false\n  workerSpec:\n    tensorParallelSize: 2\n    containers:\n    - name: worker-container\n      image: w\n", 1)
	inv = kserveTestLoad(t, multi)
	ts = inv.resources[0].Templates
	if len(ts) != 2 || ts[1].Path != "spec.workerSpec" || ts[1].Role != "runtime worker" || ts[1].Spec.Containers[0].Name != "worker-container" {
		t.Errorf("workerSpec template = %+v", ts)
	}
}

func TestKServeTemplatesUnknownFieldsAndWrongTypes(t *testing.T) {
	for _, tc := range []struct {
		name, doc, from, to string
		unknown             []string
		errHas              string
	}{
		{name: "runtime top-level typo", doc: kserveHFClusterRuntime, from: "  multiModel: false\n", to: "  multiModell: false\n",
			unknown: []string{"spec.multiModell"}},
		{name: "runtime container typo", doc: kserveHFClusterRuntime, from: "    image: example.com/metrics:1\n",
			to: "    image: example.com/metrics:1\n    imagePolicy: Always\n", unknown: []string{"spec.containers[1].imagePolicy"}},
		{name: "runtime wrong type", doc: kserveHFClusterRuntime, from: "    priority: 1\n", to: "    priority: high\n",
			errHas: "spec"},
		{name: "component field typo", doc: kserveLLMIsvc, from: "    minReplicas: 2\n", to: "    minReplica: 2\n",
			unknown: []string{"spec.predictor.minReplica"}},
		{name: "predictor pod field typo", doc: kserveLLMIsvc, from: "    serviceAccountName: llama-sa\n",
			to: "    serviceAccount_name: llama-sa\n", unknown: []string{"spec.predictor.serviceAccount_name"}},
		{name: "model container typo", doc: kserveLLMIsvc, from: "      storageUri:", to: "      imagePolicy: Always\n      storageUri:",
			unknown: []string{"spec.predictor.model.imagePolicy"}},
		{name: "model nested typo", doc: kserveLLMIsvc, from: "        limits:\n", to: "        limit:\n",
			unknown: []string{"spec.predictor.model.resources.limit"}},
		{name: "shorthand field", doc: kserveLLMIsvc, from: "    model:\n      modelFormat:\n        name: huggingface\n",
			to: "    sklearn:\n      modelFormat:\n        name: huggingface\n", unknown: []string{"spec.predictor.sklearn.modelFormat"}},
		{name: "component label wrong type", doc: kserveLLMIsvc, from: "      tier: gold\n", to: "      tier: [gold]\n",
			errHas: "spec.predictor"},
		{name: "model wrong type", doc: kserveLLMIsvc, from: "      args: [\"--max_model_len=8192\"]\n", to: "      args: 3\n",
			errHas: "spec.predictor.model"},
		{name: "llm template typo", doc: kserveLLMService, from: "      image: vllm/vllm-openai:v0.9.0\n",
			to: "      image: vllm/vllm-openai:v0.9.0\n      imagePolicy: Always\n", unknown: []string{"spec.template.containers[0].imagePolicy"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := strings.Replace(tc.doc, tc.from, tc.to, 1)
			if doc == tc.doc {
				t.Fatal("the test edit did not apply")
			}
			_, _, unknown, err := testDecode(t, doc)
			if tc.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errHas) {
					t.Errorf("err = %v, want one naming %s", err, tc.errHas)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(unknown, tc.unknown) {
				t.Errorf("unknown = %v, want %v", unknown, tc.unknown)
			}
		})
	}
}

func TestInferenceServiceTemplates(t *testing.T) {
	doc := kserveLLMIsvc + `  transformer:
    minReplicas: 1
    containers:
    - name: tx
      image: example.com/tx:1
  explainer:
    containers:
    - image: example.com/explain:1
`
	inv := kserveTestLoad(t, doc)
	if len(inv.unknown) != 0 {
		t.Fatalf("unknown = %v", inv.unknown)
	}
	ts := inv.resources[0].Templates
	var got []string
	for _, tmpl := range ts {
		got = append(got, tmpl.Path+"="+tmpl.Role)
	}
	want := []string{"spec.predictor=predictor", "spec.transformer=transformer", "spec.explainer=explainer"}
	if !slices.Equal(got, want) {
		t.Errorf("templates = %v, want %v", got, want)
	}
	// The model is a container written outside the predictor's
	// containers: it joins the template, mapped to its own field.
	if ts[0].Spec.ServiceAccountName != "llama-sa" || len(ts[0].Spec.Containers) != 1 || ts[0].Meta.Labels["tier"] != "gold" {
		t.Errorf("predictor template = %+v", ts[0])
	}
	if c := ts[0].Spec.Containers[0]; c.Name != "kserve-container" || ts[0].ContainerPaths["containers[0]"] != "spec.predictor.model" {
		t.Errorf("model container %q at %v", c.Name, ts[0].ContainerPaths)
	}
}

func TestInferenceServiceModelPod(t *testing.T) {
	inv := kserveTestLoad(t, kserveHFClusterRuntime, kserveLLMIsvc)
	pods := inv.pods(t)
	if len(pods) != 1 {
		t.Fatalf("pods = %d, want 1", len(pods))
	}
	p := pods[0]
	if p.Role != "predictor" || p.SpecPath != "spec.predictor" || p.Replicas != 2 ||
		p.MinReplicas == nil || *p.MinReplicas != 2 || p.MaxReplicas == nil || *p.MaxReplicas != 4 {
		t.Errorf("pod = role %q path %s replicas %d min %v max %v", p.Role, p.SpecPath, p.Replicas,
			lwsDeref(p.MinReplicas), lwsDeref(p.MaxReplicas))
	}
	pod := p.Pod
	if pod.Name != "llama-predictor" || pod.Namespace != "team-a" || pod.Spec.ServiceAccountName != "llama-sa" {
		t.Errorf("pod %s/%s sa %q", pod.Namespace, pod.Name, pod.Spec.ServiceAccountName)
	}
	for k, v := range map[string]string{
		kserveIsvcLabel: "llama", kserveComponentLabel: "predictor", kserveAppLabel: "isvc.llama-predictor",
		"runtime": "hf", "team": "a", "tier": "gold",
	} {
		if pod.Labels[k] != v {
			t.Errorf("label %s = %q, want %q", k, pod.Labels[k], v)
		}
	}
	if pod.Annotations["prometheus.kserve.io/port"] != "8080" || pod.Annotations["note"] != "x" {
		t.Errorf("annotations = %v", pod.Annotations)
	}
	// Pod fields: the runtime's merged under the predictor's.
	if pod.Spec.NodeSelector["zone"] != "a" || pod.Spec.NodeSelector["accelerator"] != "a100" ||
		len(pod.Spec.Tolerations) != 1 || pod.Spec.ImagePullSecrets[0].Name != "registry" {
		t.Errorf("merged pod fields = %+v", pod.Spec)
	}
	var names []string
	for _, c := range pod.Spec.Containers {
		names = append(names, c.Name)
	}
	if !slices.Equal(names, []string{"kserve-container", "sidecar"}) {
		t.Fatalf("containers = %v", names)
	}
	main := &pod.Spec.Containers[0]
	// The huggingface server type from the runtime name is unknown here
	// (hf-runtime), so the image keeps its tag.
	if main.Image != "kserve/huggingfaceserver:v0.20.0" {
		t.Errorf("image = %s", main.Image)
	}
	wantArgs := []string{"--model_name=llama", "--model_dir=/mnt/models", "--max_model_len=8192"}
	if !slices.Equal(main.Args, wantArgs) {
		t.Errorf("args = %v, want %v", main.Args, wantArgs)
	}
	env := testEnv(main)
	if env["LOG_LEVEL"] != "debug" || env["HF_HOME"] != "/tmp/hf" || env[kserveIsvcNameEnv] != "llama" {
		t.Errorf("env = %v", env)
	}
	if testEnv(&pod.Spec.Containers[1])[kserveIsvcNameEnv] != "llama" {
		t.Error("the sidecar lacks INFERENCE_SERVICE_NAME")
	}
	kserveTestQty(t, main.Resources.Limits, "nvidia.com/gpu", "1")
	kserveTestQty(t, main.Resources.Limits, corev1.ResourceCPU, "1")
	kserveTestQty(t, main.Resources.Requests, corev1.ResourceMemory, "2Gi")
	// The storage initializer and the model volume.
	if len(pod.Spec.InitContainers) != 1 {
		t.Fatalf("init containers = %d, want the storage initializer", len(pod.Spec.InitContainers))
	}
	si := pod.Spec.InitContainers[0]
	if si.Name != "storage-initializer" || !slices.Equal(si.Args, []string{"hf://meta-llama/Llama-3.1-8B", "/mnt/models"}) {
		t.Errorf("storage initializer = %s %v", si.Name, si.Args)
	}
	kserveTestQty(t, si.Resources.Requests, corev1.ResourceCPU, "100m")
	kserveTestQty(t, si.Resources.Requests, corev1.ResourceMemory, "100Mi")
	kserveTestQty(t, si.Resources.Limits, corev1.ResourceCPU, "1")
	kserveTestQty(t, si.Resources.Limits, corev1.ResourceMemory, "1Gi")
	if len(si.VolumeMounts) != 1 || si.VolumeMounts[0].ReadOnly || si.VolumeMounts[0].MountPath != "/mnt/models" {
		t.Errorf("initializer mounts = %+v", si.VolumeMounts)
	}
	mounts := map[string]bool{}
	for _, m := range main.VolumeMounts {
		mounts[m.Name+":"+m.MountPath] = m.ReadOnly
	}
	if ro, ok := mounts["kserve-provision-location:/mnt/models"]; !ok || !ro {
		t.Errorf("main mounts = %v, want the model volume read-only", mounts)
	}
	if _, ok := mounts["shm:/dev/shm"]; !ok {
		t.Errorf("main mounts = %v, want the runtime's shm mount", mounts)
	}
	var vols []string
	for _, v := range pod.Spec.Volumes {
		vols = append(vols, v.Name)
	}
	if !slices.Equal(vols, []string{"shm", "kserve-provision-location"}) {
		t.Errorf("volumes = %v", vols)
	}
	// The runtime is not modified by deriving pods.
	if rt := inv.resources[0].Templates[0].Spec.Containers[0]; len(rt.Args) != 2 || len(rt.VolumeMounts) != 1 {
		t.Errorf("runtime template changed: %+v", rt)
	}
}

func TestInferenceServiceRuntimeSelection(t *testing.T) {
	runtime := func(kind, ns, name, extra string) string {
		meta := "  name: " + name + "\n"
		if ns != "" {
			meta += "  namespace: " + ns + "\n"
		}
		return "apiVersion: serving.kserve.io/v1alpha1\nkind: " + kind + "\nmetadata:\n" + meta +
			"spec:\n  supportedModelFormats:\n  - name: sklearn\n" + extra +
			"  containers:\n  - name: kserve-container\n    image: " + name + ":1\n"
	}
	isvc := func(model string) string {
		return "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata:\n  name: m\n  namespace: ns\n" +
			"spec:\n  predictor:\n" + model
	}
	auto := "    autoSelect: true\n"
	sk := isvc("    model:\n      modelFormat:\n        name: sklearn\n")
	for _, tc := range []struct {
		name  string
		docs  []string
		image string // "" for no pod
	}{
		{name: "namespace runtime before cluster runtime", docs: []string{
			runtime("ClusterServingRuntime", "", "a-cluster", auto), runtime("ServingRuntime", "ns", "z-ns", auto), sk},
			image: "z-ns:1"},
		{name: "autoSelect required", docs: []string{
			runtime("ServingRuntime", "ns", "a-manual", ""), runtime("ClusterServingRuntime", "", "b-auto", auto), sk},
			image: "b-auto:1"},
		{name: "no autoSelect runtime: no pod", docs: []string{runtime("ServingRuntime", "ns", "manual", ""), sk}},
		{name: "runtime of another namespace is not seen", docs: []string{runtime("ServingRuntime", "other", "rt", auto), sk}},
		{name: "name order", docs: []string{
			runtime("ClusterServingRuntime", "", "b", auto), runtime("ClusterServingRuntime", "", "a", auto), sk},
			image: "a:1"},
		{name: "priority wins over name", docs: []string{
			runtime("ClusterServingRuntime", "", "a", auto), runtime("ClusterServingRuntime", "", "b", auto+"    priority: 2\n"), sk},
			image: "b:1"},
		{name: "higher priority first", docs: []string{
			runtime("ClusterServingRuntime", "", "a", auto+"    priority: 1\n"), runtime("ClusterServingRuntime", "", "b", auto+"    priority: 3\n"), sk},
			image: "b:1"},
		{name: "disabled runtime skipped", docs: []string{
			runtime("ClusterServingRuntime", "", "a", auto+"  disabled: true\n"), runtime("ClusterServingRuntime", "", "b", auto), sk},
			image: "b:1"},
		{name: "multi-model runtime skipped", docs: []string{
			runtime("ClusterServingRuntime", "", "a", auto+"  multiModel: true\n"), runtime("ClusterServingRuntime", "", "b", auto), sk},
			image: "b:1"},
		{name: "protocol not supported", docs: []string{
			runtime("ClusterServingRuntime", "", "a", auto+"  protocolVersions: [v2]\n"), runtime("ClusterServingRuntime", "", "b", auto), sk},
			image: "b:1"},
		{name: "v1 ranks before v2", docs: []string{
			runtime("ClusterServingRuntime", "", "a", auto+"  protocolVersions: [v2]\n"), runtime("ClusterServingRuntime", "", "b", auto+"  protocolVersions: [v1, v2]\n"),
			isvc("    model:\n      modelFormat:\n        name: sklearn\n      protocolVersion: v2\n")},
			image: "b:1"},
		{name: "format version must match", docs: []string{
			runtime("ClusterServingRuntime", "", "a", auto), isvc("    model:\n      modelFormat:\n        name: sklearn\n        version: \"2\"\n")}},
		{name: "named runtime: namespace first, autoSelect not needed", docs: []string{
			runtime("ClusterServingRuntime", "", "rt", auto), runtime("ServingRuntime", "ns", "rt-ns", ""),
			isvc("    model:\n      runtime: rt-ns\n      modelFormat:\n        name: sklearn\n")},
			image: "rt-ns:1"},
		{name: "named cluster runtime", docs: []string{
			runtime("ClusterServingRuntime", "", "rt", ""), isvc("    model:\n      runtime: rt\n      modelFormat:\n        name: sklearn\n")},
			image: "rt:1"},
		{name: "named runtime missing: no pod", docs: []string{
			runtime("ClusterServingRuntime", "", "rt", auto), isvc("    model:\n      runtime: other\n      modelFormat:\n        name: sklearn\n")}},
		{name: "named runtime of another format: no pod", docs: []string{
			runtime("ClusterServingRuntime", "", "rt", auto), isvc("    model:\n      runtime: rt\n      modelFormat:\n        name: onnx\n")}},
		{name: "framework shorthand", docs: []string{
			runtime("ClusterServingRuntime", "", "rt", auto), isvc("    sklearn:\n      storageUri: pvc://models/iris\n")},
			image: "rt:1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pods := kserveTestLoad(t, tc.docs...).pods(t)
			if tc.image == "" {
				if len(pods) != 0 {
					t.Errorf("pods = %d, want none", len(pods))
				}
				return
			}
			if len(pods) != 1 {
				t.Fatalf("pods = %d, want 1", len(pods))
			}
			if got := pods[0].Pod.Spec.Containers[0].Image; got != tc.image {
				t.Errorf("image = %s, want %s", got, tc.image)
			}
			// The predictor's template holds the model container (at its
			// own field, see TestInferenceServiceTemplates).
			if want := "spec.predictor"; pods[0].SpecPath != want {
				t.Errorf("SpecPath = %s, want %s", pods[0].SpecPath, want)
			}
		})
	}
}

func TestInferenceServicePVCStorage(t *testing.T) {
	rt := "apiVersion: serving.kserve.io/v1alpha1\nkind: ClusterServingRuntime\nmetadata:\n  name: rt\nspec:\n" +
		"  supportedModelFormats:\n  - name: sklearn\n    autoSelect: true\n  containers:\n  - name: kserve-container\n    image: rt:1\n"
	isvc := "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata:\n  name: m\n  namespace: ns\n" +
		"  annotations:\n    storage.kserve.io/readonly: \"false\"\nspec:\n  predictor:\n    sklearn:\n      storageUri: pvc://models/iris/v1\n"
	pod := kserveTestLoad(t, rt, isvc).pods(t)[0].Pod
	if len(pod.Spec.InitContainers) != 0 {
		t.Errorf("init containers = %d, want none for a PVC", len(pod.Spec.InitContainers))
	}
	m := pod.Spec.Containers[0].VolumeMounts
	if len(m) != 1 || m[0].Name != "kserve-pvc-source" || m[0].SubPath != "iris/v1" || m[0].ReadOnly {
		t.Errorf("mounts = %+v", m)
	}
	if v := pod.Spec.Volumes; len(v) != 1 || v[0].PersistentVolumeClaim == nil || v[0].PersistentVolumeClaim.ClaimName != "models" {
		t.Errorf("volumes = %+v", v)
	}
}

func TestInferenceServiceImageTag(t *testing.T) {
	for _, tc := range []struct {
		name, runtime, image, modelExtra, want string
	}{
		{"huggingface server with a GPU", "kserve-huggingfaceserver", "kserve/huggingfaceserver:v0.20.0",
			"      resources:\n        limits:\n          nvidia.com/gpu: \"1\"\n", "kserve/huggingfaceserver:v0.20.0-gpu"},
		{"huggingface server on CPU", "kserve-huggingfaceserver", "kserve/huggingfaceserver:v0.20.0", "", "kserve/huggingfaceserver:v0.20.0"},
		{"vLLM server on CPU", "kserve-vllmserver", "kserve/vllm:v1", "", "kserve/vllm-cpu:v1"},
		{"runtimeVersion replaces the tag", "kserve-huggingfaceserver", "kserve/huggingfaceserver:v0.20.0",
			"      runtimeVersion: v9\n", "kserve/huggingfaceserver:v9"},
		{"digest untouched", "kserve-huggingfaceserver", "kserve/huggingfaceserver@sha256:abc",
			"      runtimeVersion: v9\n", "kserve/huggingfaceserver@sha256:abc"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rt := "apiVersion: serving.kserve.io/v1alpha1\nkind: ClusterServingRuntime\nmetadata:\n  name: " + tc.runtime +
				"\nspec:\n  supportedModelFormats:\n  - name: f\n    autoSelect: true\n  containers:\n  - name: kserve-container\n    image: " + tc.image + "\n"
			isvc := "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata:\n  name: m\n  namespace: ns\n" +
				"spec:\n  predictor:\n    model:\n      modelFormat:\n        name: f\n" + tc.modelExtra
			pods := kserveTestLoad(t, rt, isvc).pods(t)
			if len(pods) != 1 {
				t.Fatalf("pods = %d", len(pods))
			}
			if got := pods[0].Pod.Spec.Containers[0].Image; got != tc.want {
				t.Errorf("image = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestInferenceServiceReplicasAndModes(t *testing.T) {
	custom := func(annotations, predictorExtra string) string {
		doc := "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata:\n  name: m\n  namespace: ns\n"
		if annotations != "" {
			doc += "  annotations:\n" + annotations
		}
		return doc + "spec:\n  predictor:\n" + predictorExtra + "    containers:\n    - image: example.com/m:1\n"
	}
	for _, tc := range []struct {
		name                 string
		doc                  string
		replicas             int32
		min, max             *int32
		noPods, appLabel     bool
		annotationsWithLabel bool
	}{
		{name: "knative default: min 1, unbounded", doc: custom("", ""), replicas: 1, min: Ptr[int32](1)},
		{name: "knative scale to zero", doc: custom("", "    minReplicas: 0\n    maxReplicas: 3\n"), replicas: 0,
			min: Ptr[int32](0), max: Ptr[int32](3)},
		{name: "serverless is knative", doc: custom("    serving.kserve.io/deploymentMode: Serverless\n", "    minReplicas: 0\n"),
			replicas: 0, min: Ptr[int32](0)},
		{name: "standard HPA keeps one", doc: custom("    serving.kserve.io/deploymentMode: Standard\n", "    minReplicas: 0\n"),
			replicas: 1, min: Ptr[int32](1), max: Ptr[int32](1), appLabel: true},
		{name: "standard HPA bounds", doc: custom("    serving.kserve.io/deploymentMode: RawDeployment\n", "    minReplicas: 3\n    maxReplicas: 5\n"),
			replicas: 3, min: Ptr[int32](3), max: Ptr[int32](5), appLabel: true},
		{name: "standard no autoscaler", doc: custom("    serving.kserve.io/deploymentMode: Standard\n    serving.kserve.io/autoscalerClass: none\n",
			"    minReplicas: 0\n    maxReplicas: 5\n"), replicas: 0, appLabel: true},
		{name: "status mode wins", doc: custom("    serving.kserve.io/deploymentMode: Knative\n", "    minReplicas: 0\n") +
			"status:\n  deploymentMode: Standard\n", replicas: 1, min: Ptr[int32](1), max: Ptr[int32](1), appLabel: true},
		{name: "stopped", doc: custom("    serving.kserve.io/stop: \"True\"\n", "    minReplicas: 2\n"), replicas: 0},
		{name: "modelmesh: no pods", doc: custom("    serving.kserve.io/deploymentMode: ModelMesh\n", ""), noPods: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pods := kserveTestLoad(t, tc.doc).pods(t)
			if tc.noPods {
				if len(pods) != 0 {
					t.Errorf("pods = %d, want none", len(pods))
				}
				return
			}
			if len(pods) != 1 {
				t.Fatalf("pods = %d, want 1", len(pods))
			}
			p := pods[0]
			if p.Replicas != tc.replicas {
				t.Errorf("replicas = %d, want %d", p.Replicas, tc.replicas)
			}
			checkBound(t, "min", p.MinReplicas, tc.min)
			checkBound(t, "max", p.MaxReplicas, tc.max)
			if got, ok := p.Pod.Labels[kserveAppLabel]; ok != tc.appLabel || (ok && got != "isvc.m-predictor") {
				t.Errorf("app label = %q (present %v), want present %v", got, ok, tc.appLabel)
			}
		})
	}
}

func TestInferenceServiceCustomComponents(t *testing.T) {
	doc := `
apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata:
  name: chat
  namespace: ns
  annotations:
    serving.kserve.io/deploymentMode: Standard
spec:
  predictor:
    name: blue
    containers:
    - image: example.com/llm:1
      env:
      - name: STORAGE_URI
        value: s3://bucket/model
      - name: INFERENCE_SERVICE_NAME
        value: old
      resources:
        limits:
          cpu: "4"
  transformer:
    labels:
      stage: pre
    containers:
    - name: tx
      image: example.com/tx:1
    - name: helper
      image: example.com/helper:1
  explainer:
    art:
      type: SquareAttack
`
	pods := kserveTestLoad(t, doc).pods(t)
	if len(pods) != 2 {
		t.Fatalf("pods = %d, want predictor and transformer (an ART explainer is not derived)", len(pods))
	}
	pred := testPodOfRole(t, pods, "predictor")
	if pred.SpecPath != "spec.predictor" || pred.Pod.Name != "chat-blue-predictor" {
		t.Errorf("predictor = %s %s", pred.SpecPath, pred.Pod.Name)
	}
	c := pred.Pod.Spec.Containers[0]
	if c.Name != "kserve-container" {
		t.Errorf("predictor container name = %q", c.Name)
	}
	kserveTestQty(t, c.Resources.Limits, corev1.ResourceCPU, "4")
	kserveTestQty(t, c.Resources.Limits, corev1.ResourceMemory, "2Gi")
	kserveTestQty(t, c.Resources.Requests, corev1.ResourceCPU, "1")
	env := testEnv(&c)
	if env[kserveIsvcNameEnv] != "chat" || env[kserveStorageURIEnv] != "/mnt/models" {
		t.Errorf("predictor env = %v", env)
	}
	if len(pred.Pod.Spec.InitContainers) != 1 || pred.Pod.Spec.InitContainers[0].Args[0] != "s3://bucket/model" {
		t.Errorf("predictor init containers = %+v", pred.Pod.Spec.InitContainers)
	}
	if pred.Pod.Labels[kserveAppLabel] != "isvc.chat-blue-predictor" {
		t.Errorf("predictor app label = %q", pred.Pod.Labels[kserveAppLabel])
	}

	tx := testPodOfRole(t, pods, "transformer")
	if tx.SpecPath != "spec.transformer" || tx.Pod.Name != "chat-transformer" || tx.Replicas != 1 {
		t.Errorf("transformer = %s %s %d", tx.SpecPath, tx.Pod.Name, tx.Replicas)
	}
	for k, v := range map[string]string{kserveIsvcLabel: "chat", kserveComponentLabel: "transformer", "stage": "pre",
		kserveAppLabel: "isvc.chat-transformer"} {
		if tx.Pod.Labels[k] != v {
			t.Errorf("transformer label %s = %q, want %q", k, tx.Pod.Labels[k], v)
		}
	}
	// The first container becomes the kserve-container; only it gets the
	// service name.
	if tx.Pod.Spec.Containers[0].Name != "kserve-container" || testEnv(&tx.Pod.Spec.Containers[0])[kserveIsvcNameEnv] != "chat" {
		t.Errorf("transformer container 0 = %+v", tx.Pod.Spec.Containers[0])
	}
	if _, ok := testEnv(&tx.Pod.Spec.Containers[1])[kserveIsvcNameEnv]; ok {
		t.Error("the transformer's second container got INFERENCE_SERVICE_NAME")
	}
}

const kserveLLMService = `
apiVersion: serving.kserve.io/v1alpha2
kind: LLMInferenceService
metadata:
  name: qwen
  namespace: llm
spec:
  model:
    uri: hf://Qwen/Qwen3-8B
  replicas: 3
  labels:
    team: a
  router:
    route: {}
  template:
    containers:
    - name: main
      image: vllm/vllm-openai:v0.9.0
      resources:
        limits:
          nvidia.com/gpu: "1"
`

func TestLLMInferenceService(t *testing.T) {
	inv := kserveTestLoad(t, kserveLLMService)
	ts := inv.resources[0].Templates
	if len(ts) != 1 || ts[0].Path != "spec.template" || ts[0].Role != "main" {
		t.Fatalf("templates = %+v", ts)
	}
	pods := inv.pods(t)
	if len(pods) != 1 {
		t.Fatalf("pods = %d", len(pods))
	}
	p := pods[0]
	if p.Role != "main" || p.SpecPath != "spec.template" || p.Replicas != 3 || p.Pod.Name != "qwen-kserve" {
		t.Errorf("pod = %s %s %d %s", p.Role, p.SpecPath, p.Replicas, p.Pod.Name)
	}
	for k, v := range map[string]string{
		"app.kubernetes.io/component": "llminferenceservice-workload", "app.kubernetes.io/name": "qwen",
		"app.kubernetes.io/part-of": "llminferenceservice", "kserve.io/component": "workload", "llm-d.ai/role": "both",
		"team": "a",
	} {
		if p.Pod.Labels[k] != v {
			t.Errorf("label %s = %q, want %q", k, p.Pod.Labels[k], v)
		}
	}

	withPrefill := strings.Replace(kserveLLMService, "  router:\n", `  prefill:
    replicas: 2
    labels:
      stage: prefill
    template:
      containers:
      - name: main
        image: vllm/vllm-openai:v0.9.0
  router:
`, 1)
	withPrefill = strings.Replace(withPrefill, "v1alpha2", "v1alpha1", 1)
	pods = kserveTestLoad(t, withPrefill).pods(t)
	if len(pods) != 2 {
		t.Fatalf("pods = %d, want main and prefill", len(pods))
	}
	main, prefill := testPodOfRole(t, pods, "main"), testPodOfRole(t, pods, "prefill")
	if main.Pod.Labels["llm-d.ai/role"] != "decode" {
		t.Errorf("main role label = %q, want decode", main.Pod.Labels["llm-d.ai/role"])
	}
	if prefill.Replicas != 2 || prefill.SpecPath != "spec.prefill.template" || prefill.Pod.Name != "qwen-kserve-prefill" ||
		prefill.Pod.Labels["app.kubernetes.io/component"] != "llminferenceservice-workload-prefill" ||
		prefill.Pod.Labels["llm-d.ai/role"] != "prefill" || prefill.Pod.Labels["stage"] != "prefill" {
		t.Errorf("prefill = %d %s %s %v", prefill.Replicas, prefill.SpecPath, prefill.Pod.Name, prefill.Pod.Labels)
	}

	multiNode := strings.Replace(kserveLLMService, "  template:\n", "  worker:\n    containers:\n    - name: main\n      image: w\n  template:\n", 1)
	inv = kserveTestLoad(t, multiNode)
	if n := len(inv.resources[0].Templates); n != 2 {
		t.Errorf("templates = %d, want template and worker", n)
	}
	if pods := inv.pods(t); len(pods) != 0 {
		t.Errorf("multi-node pods = %d, want none (a LeaderWorkerSet, not derived)", len(pods))
	}

	stopped := strings.Replace(kserveLLMService, "  namespace: llm\n", "  namespace: llm\n  annotations:\n    serving.kserve.io/stop: \"true\"\n", 1)
	if pods := kserveTestLoad(t, stopped).pods(t); len(pods) != 0 {
		t.Errorf("stopped pods = %d, want none", len(pods))
	}

	defaults := strings.Replace(kserveLLMService, "  replicas: 3\n", "", 1)
	if pods := kserveTestLoad(t, defaults).pods(t); len(pods) != 1 || pods[0].Replicas != 1 {
		t.Errorf("default replicas = %+v, want 1", pods)
	}
}

func TestKServeMergeLists(t *testing.T) {
	base := &corev1.Container{Name: "kserve-container", Image: "rt:1", Args: []string{"a"},
		Env: []corev1.EnvVar{{Name: "A", Value: "1"}, {Name: "B", ValueFrom: &corev1.EnvVarSource{
			FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.name"}}}},
		Ports:           []corev1.ContainerPort{{ContainerPort: 8080, Name: "http"}},
		SecurityContext: &corev1.SecurityContext{RunAsNonRoot: Ptr(true)}}
	overlay := &corev1.Container{Args: []string{"b"}, Env: []corev1.EnvVar{{Name: "B", Value: "2"}, {Name: "C", Value: "3"}},
		Ports:           []corev1.ContainerPort{{ContainerPort: 8080, Protocol: corev1.ProtocolTCP}},
		SecurityContext: &corev1.SecurityContext{Privileged: Ptr(true)}}
	got, ok := kserveMergeContainer(base, overlay)
	if !ok {
		t.Fatal("merge failed")
	}
	if got.Name != "kserve-container" || got.Image != "rt:1" || !slices.Equal(got.Args, []string{"a", "b"}) {
		t.Errorf("merged = %s %s %v", got.Name, got.Image, got.Args)
	}
	if len(got.Env) != 3 || got.Env[1].Name != "B" || got.Env[1].Value != "2" || got.Env[1].ValueFrom != nil || got.Env[2].Name != "C" {
		t.Errorf("env = %+v", got.Env)
	}
	if len(got.Ports) != 1 || got.Ports[0].Name != "http" || got.Ports[0].Protocol != corev1.ProtocolTCP {
		t.Errorf("ports = %+v", got.Ports)
	}
	sc := got.SecurityContext
	if sc == nil || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot || sc.Privileged == nil || !*sc.Privileged {
		t.Errorf("securityContext = %+v, want both fields", sc)
	}
}
