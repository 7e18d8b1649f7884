package operator_test

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/aigov/aigov/governance"
)

// trainerE2EInput is a ClusterTrainingRuntime whose trainer template runs
// a privileged container, a TrainJob asking for four nodes of two GPUs,
// and a JobSet of its own.
const trainerE2EInput = `
apiVersion: trainer.kubeflow.org/v1alpha1
kind: ClusterTrainingRuntime
metadata:
  name: torch-distributed
spec:
  mlPolicy:
    numNodes: 1
    torch:
      numProcPerNode: auto
  template:
    spec:
      replicatedJobs:
      - name: node
        template:
          metadata:
            labels:
              trainer.kubeflow.org/trainjob-ancestor-step: trainer
          spec:
            template:
              spec:
                containers:
                - name: node
                  image: pytorch/pytorch:2.7.1
                  securityContext:
                    privileged: true
---
apiVersion: trainer.kubeflow.org/v1alpha1
kind: TrainJob
metadata:
  name: llm-ft
  namespace: team-a
spec:
  runtimeRef:
    name: torch-distributed
  trainer:
    numNodes: 4
    resourcesPerNode:
      limits:
        nvidia.com/gpu: 2
---
apiVersion: jobset.x-k8s.io/v1alpha2
kind: JobSet
metadata:
  name: sweep
  namespace: team-b
spec:
  replicatedJobs:
  - name: workers
    replicas: 2
    template:
      spec:
        parallelism: 3
        template:
          spec:
            containers:
            - name: w
              image: sweep:1
              securityContext:
                privileged: true
`

func TestTrainerE2E(t *testing.T) {
	l, err := governance.NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	inv, err := l.LoadBytes("train.yaml", []byte(trainerE2EInput))
	if err != nil {
		t.Fatalf("load: %v", err)
	}

	byKind := map[string][]governance.Workload{}
	for _, w := range inv.Workloads() {
		byKind[w.Kind] = append(byKind[w.Kind], w)
	}
	if n := len(byKind["ClusterTrainingRuntime"]); n != 0 {
		t.Errorf("%d workloads of the runtime, want none: a runtime runs no pods", n)
	}
	tjs := byKind["TrainJob"]
	if len(tjs) != 1 {
		t.Fatalf("%d TrainJob workloads, want 1", len(tjs))
	}
	w := tjs[0]
	if w.Name != "llm-ft" || w.Namespace != "team-a" || w.Role != "node" || w.Replicas != 4 || w.SpecPath != "spec.trainer" {
		t.Errorf("TrainJob workload %s/%s role %q replicas %d path %q, want team-a/llm-ft node 4 spec.trainer",
			w.Namespace, w.Name, w.Role, w.Replicas, w.SpecPath)
	}
	c := w.Pod.Spec.Containers[0]
	gpu := resource.MustParse("2")
	if q := c.Resources.Limits["nvidia.com/gpu"]; c.Name != "node" || q.Cmp(gpu) != 0 {
		t.Errorf("container %q limits %v, want node with nvidia.com/gpu 2", c.Name, c.Resources.Limits)
	}
	// The workload's pod has Pod defaults: the limit is the request.
	if q := c.Resources.Requests["nvidia.com/gpu"]; q.Cmp(gpu) != 0 {
		t.Errorf("requests %v, want the GPU limit copied", c.Resources.Requests)
	}
	if w.Pod.Labels["jobset.sigs.k8s.io/jobset-name"] != "llm-ft" {
		t.Errorf("labels %v, want the JobSet's, named after the TrainJob", w.Pod.Labels)
	}
	if len(c.Ports) != 1 || c.Ports[0].ContainerPort != 29500 {
		t.Errorf("ports %+v, want torchrun's 29500", c.Ports)
	}
	if _, ok := w.Template(); ok {
		t.Errorf("a TrainJob's pods come from its runtime, not from a template of its own")
	}

	// The privileged container is visible in the runtime's template, at
	// the path a finding names.
	rt := inv.Get(governance.Key{Group: "trainer.kubeflow.org", Kind: "ClusterTrainingRuntime", Name: "torch-distributed"})
	if rt == nil {
		t.Fatal("runtime not in the inventory")
	}
	ts := governance.PodTemplatesOf(rt)
	if len(ts) != 1 {
		t.Fatalf("%d runtime templates, want 1", len(ts))
	}
	if ts[0].Path != "spec.template.spec.replicatedJobs[0].template.spec.template.spec" || ts[0].Role != "node" {
		t.Errorf("runtime template at %q role %q", ts[0].Path, ts[0].Role)
	}
	if sc := ts[0].Spec.Containers[0].SecurityContext; sc == nil || sc.Privileged == nil || !*sc.Privileged {
		t.Errorf("privileged container not visible in the runtime template: %+v", sc)
	}
	tj := inv.Get(governance.Key{Group: "trainer.kubeflow.org", Kind: "TrainJob", Namespace: "team-a", Name: "llm-ft"})
	if tj == nil || len(governance.PodTemplatesOf(tj)) != 0 {
		t.Errorf("a TrainJob holds no pod template")
	}

	// The JobSet: one workload of replicas x parallelism pods, its
	// template found at the workload's path.
	jss := byKind["JobSet"]
	if len(jss) != 1 {
		t.Fatalf("%d JobSet workloads, want 1", len(jss))
	}
	js := jss[0]
	if js.Replicas != 6 || js.Role != "workers" || js.Pod.Spec.RestartPolicy != corev1.RestartPolicyOnFailure {
		t.Errorf("JobSet workload replicas %d role %q restartPolicy %q, want 6 workers OnFailure", js.Replicas, js.Role, js.Pod.Spec.RestartPolicy)
	}
	tmpl, ok := js.Template()
	if !ok || tmpl.Path != "spec.replicatedJobs[0].template.spec.template.spec" || !*tmpl.Spec.Containers[0].SecurityContext.Privileged {
		t.Errorf("JobSet template %+v (found %v), want the privileged one at spec.replicatedJobs[0]...", tmpl.Path, ok)
	}
	if got := governance.OperatorKinds(); !containsKind(got, "trainer.kubeflow.org", "TrainJob") || !containsKind(got, "jobset.x-k8s.io", "JobSet") {
		t.Errorf("operator kinds %v lack TrainJob or JobSet", got)
	}
}

func containsKind(gks []schema.GroupKind, group, kind string) bool {
	for _, gk := range gks {
		if gk.Group == group && gk.Kind == kind {
			return true
		}
	}
	return false
}

func TestTrainerE2EUnknownFieldInRuntime(t *testing.T) {
	l, err := governance.NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	input := strings.Replace(trainerE2EInput, "                  image: pytorch/pytorch:2.7.1\n",
		"                  image: pytorch/pytorch:2.7.1\n                  imagee: typo\n", 1)
	_, err = l.LoadBytes("train.yaml", []byte(input))
	want := "spec.template.spec.replicatedJobs[0].template.spec.template.spec.containers[0].imagee"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("load error %v, want one naming %s", err, want)
	}
}
