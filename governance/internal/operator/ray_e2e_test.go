package operator_test

import (
	"testing"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/aigov/aigov/governance"
)

// rayE2EInput is the RayCluster of issue #14: its GPU worker group runs
// privileged, three replicas of two GPUs each.
const rayE2EInput = `
apiVersion: ray.io/v1
kind: RayCluster
metadata:
  name: rc
  namespace: team-a
spec:
  headGroupSpec:
    rayStartParams: {}
    template:
      spec:
        containers:
        - name: ray-head
          image: rayproject/ray:2.46.0
  workerGroupSpecs:
  - groupName: gpu
    replicas: 3
    minReplicas: 1
    maxReplicas: 4
    template:
      spec:
        containers:
        - name: ray-worker
          image: rayproject/ray:2.46.0-gpu
          securityContext:
            privileged: true
          resources:
            limits:
              nvidia.com/gpu: 2
`

func TestRayClusterThroughTheLoader(t *testing.T) {
	l, err := governance.NewLoader()
	if err != nil {
		t.Fatalf("loader: %v", err)
	}
	inv, err := l.LoadBytes("rc.yaml", []byte(rayE2EInput))
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	objs := inv.Objects()
	if len(objs) != 1 {
		t.Fatalf("%d objects, want the RayCluster", len(objs))
	}

	var worker *governance.PodTemplate
	for _, tmpl := range governance.PodTemplatesOf(objs[0]) {
		if tmpl.Role == "worker group gpu" {
			tmpl := tmpl
			worker = &tmpl
		}
	}
	if worker == nil {
		t.Fatalf("no template with role \"worker group gpu\" in %+v", governance.PodTemplatesOf(objs[0]))
	}
	if worker.Path != "spec.workerGroupSpecs[0].template.spec" {
		t.Errorf("worker template path = %q", worker.Path)
	}
	if sc := worker.Spec.Containers[0].SecurityContext; sc == nil || sc.Privileged == nil || !*sc.Privileged {
		t.Errorf("the privileged container is not visible in the template: %+v", sc)
	}

	var found bool
	for _, w := range inv.Workloads() {
		if w.Role != "worker group gpu" {
			continue
		}
		found = true
		if w.Kind != "RayCluster" || w.Name != "rc" || w.Namespace != "team-a" || w.SpecPath != "spec.workerGroupSpecs[0].template.spec" {
			t.Errorf("workload %s %s/%s at %s", w.Kind, w.Namespace, w.Name, w.SpecPath)
		}
		if w.Replicas != 3 || w.MinReplicas == nil || *w.MinReplicas != 1 || w.MaxReplicas == nil || *w.MaxReplicas != 4 {
			t.Errorf("replicas %d in [%v, %v], want 3 in [1, 4]", w.Replicas, w.MinReplicas, w.MaxReplicas)
		}
		for k, v := range map[string]string{"ray.io/cluster": "rc", "ray.io/node-type": "worker", "ray.io/group": "gpu",
			"ray.io/is-ray-node": "yes", "app.kubernetes.io/created-by": "kuberay-operator"} {
			if got := w.Pod.Labels[k]; got != v {
				t.Errorf("pod label %s = %q, want %q", k, got, v)
			}
		}
		// Two GPUs per pod, requested as well as limited (the apiserver
		// copies a limit without a request), so quota counts six.
		if got := w.Pod.Spec.Containers[0].Resources.Requests["nvidia.com/gpu"]; got.Cmp(resource.MustParse("2")) != 0 {
			t.Errorf("GPU request = %s, want 2", got.String())
		}
		if w.DisplayName() != "RayCluster/team-a/rc[worker group gpu]" {
			t.Errorf("display name = %q", w.DisplayName())
		}
	}
	if !found {
		t.Errorf("no workload with role \"worker group gpu\"")
	}
	var head bool
	for _, w := range inv.Workloads() {
		if w.Role == "head" && w.Replicas == 1 && w.Pod.Labels["ray.io/node-type"] == "head" {
			head = true
		}
	}
	if !head {
		t.Errorf("no head workload with one replica and the head label")
	}
}
