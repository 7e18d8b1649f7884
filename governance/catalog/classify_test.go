package catalog

import (
	"maps"
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/aigov/aigov/governance"
)

func TestImageClass(t *testing.T) {
	for image, want := range map[string]AIClass{
		"vllm/vllm-openai:v0.6.3":                               ClassInferenceServer,
		"mirror.example.com:5000/ai/vllm-openai@sha256:abc":     ClassInferenceServer,
		"ghcr.io/huggingface/text-generation-inference:2.4":     ClassInferenceServer,
		"nvcr.io/nvidia/tritonserver:24.10-py3":                 ClassInferenceServer,
		"ollama/ollama":                                         ClassInferenceServer,
		"nvcr.io/nim/meta/llama-3.1-8b-instruct:1.3":            ClassInferenceServer,
		"kserve/huggingfaceserver:v0.14.0":                      ClassInferenceServer,
		"pytorch/torchserve:0.12.0-gpu":                         ClassInferenceServer,
		"tensorflow/serving:2.17.0":                             ClassInferenceServer,
		"ghcr.io/huggingface/text-embeddings-inference:cpu-1.5": ClassEmbeddingService,
		"michaelf34/infinity:0.0.70":                            ClassEmbeddingService,
		"qdrant/qdrant:v1.12.4":                                 ClassVectorDatabase,
		"localhost:5000/qdrant/qdrant":                          ClassVectorDatabase,
		"cr.weaviate.io/semitechnologies/weaviate:1.27.0":       ClassVectorDatabase,
		"milvusdb/milvus:v2.4.15":                               ClassVectorDatabase,
		"chromadb/chroma:0.5.20":                                ClassVectorDatabase,
		"pgvector/pgvector:pg17":                                ClassVectorDatabase,
		"redis/redis-stack-server:7.4.0-v1":                     ClassVectorDatabase,
		"opensearchproject/opensearch:2.18.0":                   ClassVectorDatabase,
		"docker.elastic.co/elasticsearch/elasticsearch:8.16.0":  ClassVectorDatabase,
		"jupyter/pytorch-notebook:latest":                       ClassNotebook,
		"quay.io/jupyter/scipy-notebook:2024-10-28":             ClassNotebook,
		"kubeflownotebookswg/jupyter-pytorch-cuda-full:v1.9.0":  ClassNotebook,
		"ghcr.io/mlflow/mlflow:v2.17.2":                         ClassModelRegistry,
		"kubeflow/model-registry:v0.2.10":                       ClassModelRegistry,
		"nvcr.io/nvidia/pytorch:24.10-py3":                      ClassNone,
		"registry.example.com/recs-team/recommender:2.3.0":      ClassNone,
		"ghcr.io/berriai/litellm:main-v1.52.0":                  ClassNone,
		"nginx":                                                 ClassNone,
		"":                                                      ClassNone,
		"registry.example.com/vllm-docs/site:1":                 ClassNone,
	} {
		if got := ImageClass(image); got != want {
			t.Errorf("ImageClass(%q) = %q, want %q", image, got, want)
		}
	}
}

func TestImageRepository(t *testing.T) {
	for image, want := range map[string]string{
		"nvcr.io/nim/meta/llama3:1":      "nim/meta/llama3",
		"vllm/vllm-openai@sha256:abcd":   "vllm/vllm-openai",
		"localhost:5000/Qdrant/qdrant:1": "qdrant/qdrant",
		"nginx:1.27":                     "nginx",
		"localhost/x":                    "x",
	} {
		if got := ImageRepository(image); got != want {
			t.Errorf("ImageRepository(%q) = %q, want %q", image, got, want)
		}
	}
}

func TestParseAIClass(t *testing.T) {
	for _, c := range AIClasses() {
		if got, err := ParseAIClass(string(c)); err != nil || got != c {
			t.Errorf("ParseAIClass(%q) = %q, %v", c, got, err)
		}
	}
	if got, err := ParseAIClass("none"); err != nil || got != ClassNone {
		t.Errorf("ParseAIClass(none) = %q, %v", got, err)
	}
	if _, err := ParseAIClass("llm"); err == nil {
		t.Error("ParseAIClass(llm): no error")
	}
	if ClassNone.String() != "none" || ClassNotebook.String() != "notebook" {
		t.Error("AIClass.String")
	}
}

const classifyManifest = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: by-image, namespace: ml}
spec:
  selector: {matchLabels: {app: a}}
  template:
    metadata: {labels: {app: a}}
    spec:
      initContainers: [{name: fetch, image: busybox}]
      containers: [{name: app, image: nginx}, {name: llm, image: vllm/vllm-openai:v0.6.3}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: by-component, namespace: ml, labels: {app.kubernetes.io/component: vector-db}}
spec:
  selector: {matchLabels: {app: b}}
  template:
    metadata: {labels: {app: b}}
    spec: {containers: [{name: db, image: registry.example.com/db:1}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: override-none, namespace: ml, labels: {aigov.dev/ai-class: none}}
spec:
  selector: {matchLabels: {app: c}}
  template:
    metadata: {labels: {app: c}}
    spec: {containers: [{name: db, image: qdrant/qdrant:v1}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: override-template, namespace: ml}
spec:
  selector: {matchLabels: {app: d}}
  template:
    metadata: {labels: {app: d, aigov.dev/ai-class: model-registry}}
    spec: {containers: [{name: r, image: registry.example.com/registry:1}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: override-invalid, namespace: ml, labels: {aigov.dev/ai-class: llm}}
spec:
  selector: {matchLabels: {app: e}}
  template:
    metadata: {labels: {app: e}}
    spec: {containers: [{name: o, image: ollama/ollama}]}
---
apiVersion: batch/v1
kind: Job
metadata: {name: gpu-job, namespace: ml}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: t, image: nvcr.io/nvidia/pytorch:24.10-py3, resources: {limits: {nvidia.com/gpu: 2}}}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: gpu-deployment, namespace: ml}
spec:
  selector: {matchLabels: {app: f}}
  template:
    metadata: {labels: {app: f}}
    spec: {containers: [{name: t, image: registry.example.com/x:1, resources: {limits: {nvidia.com/gpu: 1}}}]}
---
apiVersion: v1
kind: Pod
metadata: {name: kserve-pod, namespace: ml, labels: {serving.kserve.io/inferenceservice: llama}}
spec: {containers: [{name: kserve-container, image: registry.example.com/custom:1}]}
---
apiVersion: kubeflow.org/v1
kind: PyTorchJob
metadata: {name: pt, namespace: ml}
spec: {}
---
apiVersion: kubeflow.org/v1
kind: Notebook
metadata: {name: nb, namespace: ml, labels: {aigov.dev/ai-class: none}}
spec: {}
---
apiVersion: ray.io/v1
kind: RayService
metadata: {name: rs, namespace: ml}
spec: {}
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: w, namespace: ml}
spec: {}
`

func TestClassifyInventory(t *testing.T) {
	inv := loadInventory(t, classifyManifest)
	got := map[string]AIClass{}
	for k, c := range ClassifyInventory(inv) {
		got[k.Kind+"/"+k.Name] = c
	}
	want := map[string]AIClass{
		"Deployment/by-image":          ClassInferenceServer,
		"StatefulSet/by-component":     ClassVectorDatabase,
		"Deployment/override-template": ClassModelRegistry,
		"Deployment/override-invalid":  ClassInferenceServer,
		"Job/gpu-job":                  ClassTrainingJob,
		"Pod/kserve-pod":               ClassInferenceServer,
		"PyTorchJob/pt":                ClassTrainingJob,
		"RayService/rs":                ClassInferenceServer,
	}
	if !maps.Equal(got, want) {
		t.Errorf("ClassifyInventory:\n got  %v\n want %v", got, want)
	}

	rows := AssetTable(inv)
	var names []string
	for _, r := range rows {
		names = append(names, string(r.Class)+" "+r.Kind+"/"+r.Name)
	}
	wantRows := []string{
		"inference-server Deployment/by-image", "inference-server Deployment/override-invalid", "inference-server Pod/kserve-pod", "inference-server RayService/rs",
		"vector-database StatefulSet/by-component", "model-registry Deployment/override-template",
		"training-job Job/gpu-job", "training-job PyTorchJob/pt",
	}
	if !slices.Equal(names, wantRows) {
		t.Errorf("AssetTable:\n got  %v\n want %v", names, wantRows)
	}
	byImage := rows[0]
	if byImage.Reason != `image "vllm/vllm-openai:v0.6.3"` || byImage.Path != "spec.template.spec.containers[1].image" ||
		!slices.Equal(byImage.Images, []string{"nginx", "vllm/vllm-openai:v0.6.3", "busybox"}) || byImage.ServiceAccount != "default" {
		t.Errorf("by-image row %+v", byImage)
	}
	for _, r := range rows {
		if r.Name == "gpu-job" && (r.GPUs != "nvidia.com/gpu=2" || r.Path != "spec.template.spec.containers[0].resources.limits[nvidia.com/gpu]") {
			t.Errorf("gpu-job row %+v", r)
		}
		if r.Name == "override-template" && r.Path != "spec.template.metadata.labels[aigov.dev/ai-class]" {
			t.Errorf("override-template row %+v", r)
		}
	}
	for _, o := range inv.Objects() {
		if o.Name() == "nb" && ClassifyObject(o).Class != ClassNone {
			t.Error("the override none does not apply to a custom resource")
		}
	}
}

func TestClassifyWorkloadComponentSynonyms(t *testing.T) {
	for value, want := range componentClasses() {
		w := governance.Workload{Kind: "Deployment", Name: "x", Labels: map[string]string{ComponentLabel: value}, SpecPath: "spec.template.spec"}
		if got := Classify(w); got != want {
			t.Errorf("component %q: %q, want %q", value, got, want)
		}
	}
}

func TestIsGPUResource(t *testing.T) {
	for name, want := range map[string]bool{
		"nvidia.com/gpu": true, "amd.com/gpu": true, "nvidia.com/mig-1g.5gb": true, "gpu.intel.com/i915": false,
		"cpu": false, "example.com/foo": false,
	} {
		if got := IsGPUResource(corev1.ResourceName(name)); got != want {
			t.Errorf("IsGPUResource(%q) = %v", name, got)
		}
	}
}
