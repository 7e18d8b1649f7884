package operator_test

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/aigov/aigov/governance"
)

// kserveE2EInput is issue #14's InferenceService: a huggingface model
// whose runtime is auto-selected from a ClusterServingRuntime, one GPU per
// pod, two pods at least; and its LeaderWorkerSet: two groups of four, no
// leader template, a privileged GPU worker template.
const kserveE2EInput = `
apiVersion: serving.kserve.io/v1alpha1
kind: ClusterServingRuntime
metadata:
  name: kserve-huggingfaceserver
spec:
  supportedModelFormats:
  - name: huggingface
    version: "1"
    autoSelect: true
    priority: 1
  protocolVersions: [v2, v1]
  containers:
  - name: kserve-container
    image: kserve/huggingfaceserver:v0.20.0
    args: ["--model_name={{.Name}}"]
    resources:
      requests:
        cpu: "1"
        memory: 2Gi
---
apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata:
  name: llama
  namespace: team-a
  annotations:
    serving.kserve.io/deploymentMode: Standard
spec:
  predictor:
    minReplicas: 2
    maxReplicas: 4
    canaryTrafficPercent: 100
    model:
      modelFormat:
        name: huggingface
      storageUri: hf://meta-llama/Llama-3.1-8B
      resources:
        limits:
          nvidia.com/gpu: 1
---
apiVersion: leaderworkerset.x-k8s.io/v1
kind: LeaderWorkerSet
metadata:
  name: vllm
  namespace: team-a
spec:
  replicas: 2
  leaderWorkerTemplate:
    size: 4
    workerTemplate:
      spec:
        containers:
        - name: vllm
          image: vllm/vllm-openai:v0.9.0
          securityContext:
            privileged: true
          resources:
            limits:
              nvidia.com/gpu: 8
`

func TestKServeAndLWSThroughTheLoader(t *testing.T) {
	l, err := governance.NewLoader()
	if err != nil {
		t.Fatalf("loader: %v", err)
	}
	inv, err := l.LoadBytes("serving.yaml", []byte(kserveE2EInput))
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	byKind := map[string][]governance.Workload{}
	for _, w := range inv.Workloads() {
		byKind[w.Kind] = append(byKind[w.Kind], w)
	}
	if n := len(byKind["ClusterServingRuntime"]); n != 0 {
		t.Errorf("the runtime has %d workloads, want none: it only holds a template", n)
	}

	isvcs := byKind["InferenceService"]
	if len(isvcs) != 1 {
		t.Fatalf("InferenceService workloads = %d, want 1", len(isvcs))
	}
	w := isvcs[0]
	if w.Role != "predictor" || w.Replicas != 2 || w.SpecPath != "spec.predictor" || w.Namespace != "team-a" {
		t.Errorf("predictor workload = role %q replicas %d path %s ns %s", w.Role, w.Replicas, w.SpecPath, w.Namespace)
	}
	if w.MinReplicas == nil || *w.MinReplicas != 2 || w.MaxReplicas == nil || *w.MaxReplicas != 4 {
		t.Errorf("bounds = %v..%v, want 2..4", w.MinReplicas, w.MaxReplicas)
	}
	main := w.Pod.Spec.Containers[0]
	// The runtime's image; the huggingface server with a GPU limit gets
	// UpdateImageTag's -gpu suffix.
	if main.Name != "kserve-container" || main.Image != "kserve/huggingfaceserver:v0.20.0-gpu" {
		t.Errorf("main container = %s %s", main.Name, main.Image)
	}
	if len(main.Args) != 1 || main.Args[0] != "--model_name=llama" {
		t.Errorf("args = %v", main.Args)
	}
	// The limit is copied into the request, as the apiserver does.
	if got := main.Resources.Requests["nvidia.com/gpu"]; got.Cmp(resource.MustParse("1")) != 0 {
		t.Errorf("GPU request = %s, want 1", got.String())
	}
	if got := main.Resources.Requests["cpu"]; got.Cmp(resource.MustParse("1")) != 0 {
		t.Errorf("CPU request = %s, want the runtime's 1", got.String())
	}
	for k, v := range map[string]string{"serving.kserve.io/inferenceservice": "llama", "component": "predictor",
		"app": "isvc.llama-predictor"} {
		if got := w.Pod.Labels[k]; got != v {
			t.Errorf("pod label %s = %q, want %q", k, got, v)
		}
	}
	if w.Pod.Name != "llama-predictor" || len(w.Pod.Spec.InitContainers) != 1 || w.Pod.Spec.InitContainers[0].Name != "storage-initializer" {
		t.Errorf("pod %s init containers %+v", w.Pod.Name, w.Pod.Spec.InitContainers)
	}
	if w.DisplayName() != "InferenceService/team-a/llama[predictor]" {
		t.Errorf("display name = %q", w.DisplayName())
	}

	lws := byKind["LeaderWorkerSet"]
	if len(lws) != 2 {
		t.Fatalf("LeaderWorkerSet workloads = %d, want leader and worker", len(lws))
	}
	const workerPath = "spec.leaderWorkerTemplate.workerTemplate.spec"
	for _, w := range lws {
		want := map[string]int32{"leader": 2, "worker": 6}[w.Role]
		if want == 0 || w.Replicas != want || w.SpecPath != workerPath {
			t.Errorf("%s workload = %d pods from %s, want %d from the worker template", w.Role, w.Replicas, w.SpecPath, want)
		}
		if w.Pod.Labels["leaderworkerset.sigs.k8s.io/name"] != "vllm" {
			t.Errorf("%s pod labels = %v", w.Role, w.Pod.Labels)
		}
		if got := w.Pod.Spec.Containers[0].Resources.Requests["nvidia.com/gpu"]; got.Cmp(resource.MustParse("8")) != 0 {
			t.Errorf("%s GPU request = %s, want 8", w.Role, got.String())
		}
		if tmpl, ok := w.Template(); !ok || tmpl.Path != workerPath {
			t.Errorf("%s workload's stored template = %v, %v", w.Role, tmpl.Path, ok)
		}
	}

	// The privileged container is visible, at its path, in the templates
	// pod checks read.
	for _, o := range inv.Objects() {
		if o.GVK.Kind != "LeaderWorkerSet" {
			continue
		}
		ts := governance.PodTemplatesOf(o)
		if len(ts) != 1 || ts[0].Path != workerPath || ts[0].Role != "worker" {
			t.Fatalf("LWS templates = %+v", ts)
		}
		if sc := ts[0].Spec.Containers[0].SecurityContext; sc == nil || sc.Privileged == nil || !*sc.Privileged {
			t.Errorf("privileged not visible: %+v", sc)
		}
	}
}

func TestKServeUnknownFieldsThroughTheLoader(t *testing.T) {
	l, err := governance.NewLoader()
	if err != nil {
		t.Fatalf("loader: %v", err)
	}
	for _, tc := range []struct{ from, to, path string }{
		{"    minReplicas: 2\n", "    minReplica: 2\n", "spec.predictor.minReplica"},
		{"          securityContext:\n", "          securityContex:\n", "spec.leaderWorkerTemplate.workerTemplate.spec.containers[0].securityContex"},
	} {
		doc := strings.Replace(kserveE2EInput, tc.from, tc.to, 1)
		_, err := l.LoadBytes("serving.yaml", []byte(doc))
		if err == nil || !strings.Contains(err.Error(), tc.path) {
			t.Errorf("load with %s: err = %v, want one naming %s", strings.TrimSpace(tc.to), err, tc.path)
		}
	}
}
