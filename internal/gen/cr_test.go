package gen_test

import (
	"fmt"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/internal/gen"
)

// TestCRClusterLoads: a cluster with custom-resource workloads loads with
// no error and no unknown field, holds ObjectCount objects, and every
// workload's pods are derived once: each custom resource runs
// PodsPerWorkload pods, and the pods, Jobs, StatefulSets, Deployments and
// ReplicaSets its operator created are its own, not workloads of their own.
func TestCRClusterLoads(t *testing.T) {
	for _, opts := range []gen.Options{
		{Seed: 1, Namespaces: 5, WorkloadsPerNamespace: 15, PodsPerWorkload: 3, CRFraction: 1.0 / 3, ReplicaSets: true, GPUFraction: 0.2},
		{Seed: 2, Namespaces: 2, WorkloadsPerNamespace: 10, PodsPerWorkload: 2, CRFraction: 1},
	} {
		t.Run(fmt.Sprintf("%+v", opts), func(t *testing.T) {
			out := gen.Generate(opts)
			if got, want := len(out.Objects), opts.ObjectCount(); got != want {
				t.Fatalf("Generate returned %d objects, ObjectCount says %d", got, want)
			}
			inv := load(t, gen.Cluster(opts))
			if got, want := inv.Len(), opts.ObjectCount(); got != want {
				t.Fatalf("loaded %d objects, want %d", got, want)
			}
			for _, o := range inv.Objects() {
				if len(o.UnknownFields) > 0 {
					t.Errorf("%s has unknown fields %q", o.Key(), o.UnknownFields)
				}
			}
			// Each custom resource derives PodsPerWorkload pods; nothing
			// its operator created is a workload of its own.
			pods := map[string]int32{}
			for _, w := range inv.Workloads() {
				if !plainKinds[w.Kind] {
					pods[w.Kind+"/"+w.Namespace+"/"+w.Name] += w.Replicas
				} else if w.Name[:len(w.Name)-3] != plainName(w.Name) {
					t.Errorf("%s %s/%s is a workload of its own", w.Kind, w.Namespace, w.Name)
				}
			}
			want := map[string]int32{}
			for _, o := range inv.Objects() {
				if !plainKinds[o.Kind()] && o.Kind() != "Pod" && o.Kind() != "ReplicaSet" && o.Kind() != "ServingRuntime" && len(o.Meta().GetOwnerReferences()) == 0 && isWorkloadKind(o.Kind()) {
					want[o.Kind()+"/"+o.Namespace()+"/"+o.Name()] = int32(opts.PodsPerWorkload)
				}
			}
			if len(want) == 0 || fmt.Sprint(pods) != fmt.Sprint(want) {
				t.Errorf("pods per custom resource:\n%v\nwant\n%v", pods, want)
			}
		})
	}
}

var plainKinds = map[string]bool{"Deployment": true, "StatefulSet": true, "Job": true}

func isWorkloadKind(k string) bool {
	switch k {
	case gen.KindRayCluster, gen.KindPyTorchJob, gen.KindLeaderWorkerSet, gen.KindJobSet, gen.KindInferenceService:
		return true
	}
	return false
}

// plainName is the role prefix of a generated plain workload's name
// ("rag-api" of "rag-api-03"), "" for other names.
func plainName(name string) string {
	for _, c := range []string{"rag-api", "llm-service", "vector-db", "embedder", "trainer", "cache"} {
		if len(name) == len(c)+3 && name[:len(c)] == c {
			return c
		}
	}
	return ""
}

// TestPyTorchJobReplicaServices: as the training operator v1.9.0 does
// (CreateNewService), every pod of a generated PyTorchJob has a headless
// Service of its own name, owned by the job, whose selector selects that
// pod alone among the namespace's pods and whose ports are the pytorch
// container's.
func TestPyTorchJobReplicaServices(t *testing.T) {
	opts := gen.Options{Seed: 4, Namespaces: 3, WorkloadsPerNamespace: 10, PodsPerWorkload: 4, CRFraction: 1}
	inv := load(t, gen.Cluster(opts))
	pods := governance.Typed[*corev1.Pod](inv)
	services := map[string]*corev1.Service{}
	for _, s := range governance.Typed[*corev1.Service](inv) {
		services[s.Namespace+"/"+s.Name] = s
	}
	checked := 0
	for _, p := range pods {
		job := p.Labels["training.kubeflow.org/job-name"]
		if job == "" {
			continue
		}
		s, ok := services[p.Namespace+"/"+p.Name]
		if !ok {
			t.Errorf("pod %s/%s of PyTorchJob %s has no Service", p.Namespace, p.Name, job)
			continue
		}
		checked++
		if s.Spec.ClusterIP != corev1.ClusterIPNone {
			t.Errorf("Service %s: clusterIP %q, want None", s.Name, s.Spec.ClusterIP)
		}
		if refs := s.OwnerReferences; len(refs) != 1 || refs[0].Kind != gen.KindPyTorchJob || refs[0].Name != job || refs[0].Controller == nil || !*refs[0].Controller {
			t.Errorf("Service %s: owners %+v, want the PyTorchJob %s as controller", s.Name, refs, job)
		}
		sel := labels.SelectorFromSet(s.Spec.Selector)
		var selected []string
		for _, q := range pods {
			if q.Namespace == s.Namespace && sel.Matches(labels.Set(q.Labels)) {
				selected = append(selected, q.Name)
			}
		}
		if len(selected) != 1 || selected[0] != p.Name {
			t.Errorf("Service %s selects %v, want only its pod", s.Name, selected)
		}
		if len(s.Spec.Ports) != 1 || s.Spec.Ports[0].Name != "pytorchjob-port" || s.Spec.Ports[0].Port != 23456 {
			t.Errorf("Service %s: ports %+v, want pytorchjob-port 23456", s.Name, s.Spec.Ports)
		}
	}
	if checked == 0 {
		t.Fatal("no PyTorchJob pod generated")
	}
}
