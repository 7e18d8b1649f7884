package operator_test

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/aigov/aigov/governance"
)

// kubeflowE2EInput is a PyTorchJob whose Worker template runs on the host
// network with GPUs, an MPIJob and a Notebook.
const kubeflowE2EInput = `
apiVersion: kubeflow.org/v1
kind: PyTorchJob
metadata:
  name: llm-pretrain
  namespace: team-a
spec:
  pytorchReplicaSpecs:
    Master:
      replicas: 1
      template:
        spec:
          containers:
          - name: pytorch
            image: pytorch/pytorch:2.7.1
    Worker:
      replicas: 7
      template:
        metadata:
          labels:
            app: pretrain
        spec:
          hostNetwork: true
          containers:
          - name: pytorch
            image: pytorch/pytorch:2.7.1
            resources:
              limits:
                nvidia.com/gpu: 8
---
apiVersion: kubeflow.org/v2beta1
kind: MPIJob
metadata:
  name: hvd
  namespace: team-a
spec:
  mpiReplicaSpecs:
    Launcher:
      replicas: 1
      template:
        spec:
          containers:
          - name: launcher
            image: mpioperator/openmpi:0.6.0
            command: [mpirun, python, train.py]
    Worker:
      replicas: 2
      template:
        spec:
          containers:
          - name: worker
            image: mpioperator/openmpi:0.6.0
---
apiVersion: kubeflow.org/v1
kind: Notebook
metadata:
  name: scratch
  namespace: team-a
spec:
  template:
    spec:
      containers:
      - name: scratch
        image: kubeflownotebookswg/jupyter-scipy:v1.10.0
`

func TestKubeflowE2E(t *testing.T) {
	l, err := governance.NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	inv, err := l.LoadBytes("kubeflow.yaml", []byte(kubeflowE2EInput))
	if err != nil {
		t.Fatalf("load: %v", err)
	}

	job := inv.Get(governance.Key{Group: "kubeflow.org", Kind: "PyTorchJob", Namespace: "team-a", Name: "llm-pretrain"})
	if job == nil {
		t.Fatal("PyTorchJob not in the inventory")
	}
	ts := governance.PodTemplatesOf(job)
	if len(ts) != 2 || ts[0].Role != "Master" || ts[1].Role != "Worker" {
		t.Fatalf("templates %+v, want Master then Worker", ts)
	}
	if ts[1].Path != "spec.pytorchReplicaSpecs[Worker].template.spec" || !ts[1].Spec.HostNetwork {
		t.Errorf("worker template at %q hostNetwork %v, want the host network at spec.pytorchReplicaSpecs[Worker].template.spec",
			ts[1].Path, ts[1].Spec.HostNetwork)
	}
	if ts[0].Spec.HostNetwork {
		t.Error("the Master template does not use the host network")
	}

	byRole := map[string]governance.Workload{}
	for _, w := range inv.Workloads() {
		byRole[w.Kind+"/"+w.Role] = w
	}
	if len(byRole) != 5 {
		t.Errorf("workloads %v, want PyTorchJob Master and Worker, MPIJob Launcher and Worker, Notebook", kubeflowRoles(byRole))
	}
	w, ok := byRole["PyTorchJob/Worker"]
	if !ok {
		t.Fatalf("no PyTorchJob Worker workload among %v", kubeflowRoles(byRole))
	}
	if w.Replicas != 7 || w.SpecPath != "spec.pytorchReplicaSpecs[Worker].template.spec" || w.DisplayName() != "PyTorchJob/team-a/llm-pretrain[Worker]" {
		t.Errorf("worker workload replicas %d path %q name %q", w.Replicas, w.SpecPath, w.DisplayName())
	}
	if !w.Pod.Spec.HostNetwork {
		t.Error("the worker pod lost hostNetwork")
	}
	c := w.Pod.Spec.Containers[0]
	gpu := resource.MustParse("8")
	if q := c.Resources.Limits["nvidia.com/gpu"]; q.Cmp(gpu) != 0 {
		t.Errorf("limits %v, want nvidia.com/gpu 8", c.Resources.Limits)
	}
	if q := c.Resources.Requests["nvidia.com/gpu"]; q.Cmp(gpu) != 0 {
		t.Errorf("requests %v, want the GPU limit copied", c.Resources.Requests)
	}
	if w.Pod.Labels["app"] != "pretrain" || w.Pod.Labels["training.kubeflow.org/replica-type"] != "worker" {
		t.Errorf("worker labels %v", w.Pod.Labels)
	}
	if len(w.Pod.Spec.InitContainers) != 1 || w.Pod.Spec.InitContainers[0].Name != "init-pytorch" {
		t.Errorf("worker init containers %+v, want init-pytorch", w.Pod.Spec.InitContainers)
	}
	if tmpl, ok := w.Template(); !ok || !tmpl.Spec.HostNetwork || len(tmpl.Spec.InitContainers) != 0 {
		t.Errorf("the workload's template (found %v) is not the Worker template as written", ok)
	}
	if m := byRole["PyTorchJob/Master"]; m.Replicas != 1 || m.Pod == nil || m.Pod.Labels["training.kubeflow.org/job-role"] != "master" {
		t.Errorf("master workload %+v", m)
	}

	if mw := byRole["MPIJob/Worker"]; mw.Replicas != 2 || mw.Pod == nil || strings.Join(mw.Pod.Spec.Containers[0].Command, " ") != "/usr/sbin/sshd -De" {
		t.Errorf("MPIJob worker workload %+v", mw)
	}
	if ml := byRole["MPIJob/Launcher"]; ml.Replicas != 1 || ml.Pod == nil || ml.Pod.Labels["training.kubeflow.org/job-role"] != "launcher" {
		t.Errorf("MPIJob launcher workload %+v", ml)
	}
	nb := byRole["Notebook/notebook"]
	if nb.Replicas != 1 || nb.Pod == nil || nb.Pod.Labels["notebook-name"] != "scratch" || nb.Pod.Spec.Containers[0].Ports[0].ContainerPort != 8888 {
		t.Errorf("notebook workload %+v", nb)
	}
}

func kubeflowRoles(m map[string]governance.Workload) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestKubeflowE2EUnknownFieldInWorkerTemplate(t *testing.T) {
	l, err := governance.NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	input := strings.Replace(kubeflowE2EInput, "          hostNetwork: true\n", "          hostNetwork: true\n          hostNetwrk: true\n", 1)
	_, err = l.LoadBytes("kubeflow.yaml", []byte(input))
	want := "spec.pytorchReplicaSpecs[Worker].template.spec.hostNetwrk"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("load error %v, want one naming %s", err, want)
	}
}
