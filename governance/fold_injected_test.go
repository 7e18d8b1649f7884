package governance_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/aigov/aigov/governance"
)

// listingCheck is a fake pod check that, like Pod Security's
// runAsNonRoot, finds one pod-level cause and lists in its message every
// container and init container without runAsNonRoot: true.
func listingCheck() governance.Check {
	return governance.Check{
		ID: "listing", Severity: governance.SeverityMedium,
		Object: func(o *governance.Object) []governance.Violation {
			var out []governance.Violation
			for _, t := range governance.PodTemplatesOf(o) {
				var names []string
				for _, cs := range [][]corev1.Container{t.Spec.InitContainers, t.Spec.Containers} {
					for _, c := range cs {
						if c.SecurityContext == nil || c.SecurityContext.RunAsNonRoot == nil || !*c.SecurityContext.RunAsNonRoot {
							names = append(names, fmt.Sprintf("%q", c.Name))
						}
					}
				}
				if len(names) > 0 {
					out = append(out, governance.Violation{Path: t.Path + ".securityContext.runAsNonRoot",
						Message: fmt.Sprintf("%s %q: containers %s must set runAsNonRoot", o.Kind(), o.Name(), strings.Join(names, ", "))})
				}
			}
			return out
		},
	}
}

// foldRayCluster is a RayCluster whose worker group's Ray container runs
// an image tagged latest (the wait-gcs-ready init container KubeRay
// injects copies it) without runAsNonRoot, and whose in-tree autoscaler
// runs privileged by its autoscalerOptions; with a worker pod and the
// head pod as KubeRay creates them.
const foldRayCluster = `---
apiVersion: ray.io/v1
kind: RayCluster
metadata: {name: rc, namespace: ml}
spec:
  enableInTreeAutoscaling: true
  autoscalerOptions:
    securityContext: {privileged: true, runAsNonRoot: true}
  headGroupSpec:
    rayStartParams: {}
    template:
      spec:
        containers: [{name: ray-head, image: rayproject/ray:2.46.0, securityContext: {runAsNonRoot: true}}]
  workerGroupSpecs:
  - groupName: gpu
    replicas: 1
    rayStartParams: {}
    template:
      spec:
        containers: [{name: ray-worker, image: "rayproject/ray:latest"}]
---
apiVersion: v1
kind: Pod
metadata:
  name: rc-gpu-worker-abcde
  namespace: ml
  labels: {ray.io/cluster: rc, ray.io/node-type: worker, ray.io/group: gpu, ray.io/is-ray-node: "yes"}
  ownerReferences: [{apiVersion: ray.io/v1, kind: RayCluster, name: rc, uid: u-rc, controller: true}]
spec:
  initContainers: [{name: wait-gcs-ready, image: "rayproject/ray:latest"}]
  containers: [{name: ray-worker, image: "rayproject/ray:latest"}]
---
apiVersion: v1
kind: Pod
metadata:
  name: rc-head-fghij
  namespace: ml
  labels: {ray.io/cluster: rc, ray.io/node-type: head, ray.io/group: headgroup, ray.io/is-ray-node: "yes"}
  ownerReferences: [{apiVersion: ray.io/v1, kind: RayCluster, name: rc, uid: u-rc, controller: true}]
spec:
  containers:
  - {name: ray-head, image: rayproject/ray:2.46.0, securityContext: {runAsNonRoot: true}}
  - {name: autoscaler, image: rayproject/ray:2.46.0, securityContext: {privileged: true, runAsNonRoot: true}}
`

// TestFoldInjectedContainers: the containers KubeRay injects are in the
// RayCluster's templates, so checks judge them on the resource: a
// finding on a field the injected container copies from the Ray
// container (wait-gcs-ready's image) is the Ray container's finding; a
// finding of the injected container's own (the autoscaler's
// securityContext, from autoscalerOptions) is on the resource at its
// place in the head's pods, noting that the operator injects it; a
// pod-level finding listing containers lists wait-gcs-ready as the pods
// do, with the note. The created pods' findings fold into the
// resource's by field and message alone, each pod counted once.
func TestFoldInjectedContainers(t *testing.T) {
	loader, err := governance.NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	inv, err := loader.LoadBytes("rc.yaml", []byte(foldNamespace+foldRayCluster))
	if err != nil {
		t.Fatal(err)
	}
	engine, err := governance.NewEngine(governance.Rule{Check: plantedCheck()}, governance.Rule{Check: listingCheck()})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range engine.Run(inv) {
		got = append(got, fmt.Sprintf("%s %s %s +%d: %s", f.Check, f.Object.Kind, f.Path, f.Affected, f.Message))
	}
	sort.Strings(got)
	want := []string{
		`listing RayCluster spec.workerGroupSpecs[0].template.spec.securityContext.runAsNonRoot +1: ` +
			`RayCluster "rc": containers "wait-gcs-ready", "ray-worker" must set runAsNonRoot (the operator injects "wait-gcs-ready" into the pods of worker group gpu)`,
		`planted RayCluster spec.headGroupSpec.template.spec.containers[1].securityContext.privileged +1: ` +
			`RayCluster "rc": container "autoscaler" is privileged (the operator injects "autoscaler" into the pods of head)`,
		`planted RayCluster spec.workerGroupSpecs[0].template.spec.containers[0].image +1: ` +
			`RayCluster "rc": container "ray-worker" is tagged latest`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestInjectedAt: the templates of a RayCluster hold the containers
// KubeRay injects after the written ones, and InjectedAt tells them, with
// what they copy from the Ray container; written containers and
// pod-level fields are not injected.
func TestInjectedAt(t *testing.T) {
	loader, err := governance.NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	inv, err := loader.LoadBytes("rc.yaml", []byte(foldNamespace+foldRayCluster))
	if err != nil {
		t.Fatal(err)
	}
	var rc *governance.Object
	for _, o := range inv.Objects() {
		if o.Kind() == "RayCluster" {
			rc = o
		}
	}
	if rc == nil {
		t.Fatal("no RayCluster loaded")
	}
	const head, worker = "spec.headGroupSpec.template.spec", "spec.workerGroupSpecs[0].template.spec"
	cases := []struct {
		path, name, from, copies string
	}{
		{worker + ".initContainers[0].securityContext.runAsNonRoot", "wait-gcs-ready", worker + ".containers[0]", "image imagePullPolicy securityContext env volumeMounts"},
		{worker + ".initContainers[0]", "wait-gcs-ready", worker + ".containers[0]", "image imagePullPolicy securityContext env volumeMounts"},
		{head + ".containers[1].image", "autoscaler", head + ".containers[0]", "image"},
		{worker + ".containers[0].image", "", "", ""},
		{head + ".containers[0]", "", "", ""},
		{worker + ".securityContext", "", "", ""},
		{worker + ".initContainers[10]", "", "", ""},
	}
	for _, c := range cases {
		var in governance.Injection
		var ok bool
		for _, tmpl := range governance.PodTemplatesOf(rc) {
			if i, found := tmpl.InjectedAt(c.path); found {
				in, ok = i, true
			}
		}
		if c.name == "" {
			if ok {
				t.Errorf("%s: injected %+v, want none", c.path, in)
			}
			continue
		}
		if !ok || in.Name != c.name || in.From != c.from || strings.Join(in.Copies, " ") != c.copies {
			t.Errorf("%s: injected %+v (%v), want %s from %s copying %s", c.path, in, ok, c.name, c.from, c.copies)
		}
	}
}
