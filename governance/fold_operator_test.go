package governance_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/internal/gen"
)

// plantedCheck is a fake pod check for the mistakes internal/gen plants
// in custom resources: a privileged container, the host network or PID
// namespace, an image tagged latest; each at the field as written
// (PodTemplate.FieldPath), init containers included, naming the
// container as the catalog's checks do.
func plantedCheck() governance.Check {
	return governance.Check{
		ID: "planted", Severity: governance.SeverityHigh,
		Object: func(o *governance.Object) []governance.Violation {
			var out []governance.Violation
			add := func(t governance.PodTemplate, rel, what string) {
				out = append(out, governance.Violation{Path: t.FieldPath(t.Path + "." + rel),
					Message: fmt.Sprintf("%s %q: %s", o.Kind(), o.Name(), what)})
			}
			for _, t := range governance.PodTemplatesOf(o) {
				if t.Spec.HostNetwork {
					add(t, "hostNetwork", "host network")
				}
				if t.Spec.HostPID {
					add(t, "hostPID", "host PID")
				}
				for _, list := range []struct {
					name string
					cs   []corev1.Container
				}{{"initContainers", t.Spec.InitContainers}, {"containers", t.Spec.Containers}} {
					for i, c := range list.cs {
						at := fmt.Sprintf("%s[%d].", list.name, i)
						desc := fmt.Sprintf("container %q", c.Name)
						if list.name == "initContainers" {
							desc = "init " + desc
						}
						if c.SecurityContext != nil && c.SecurityContext.Privileged != nil && *c.SecurityContext.Privileged {
							add(t, at+"securityContext.privileged", desc+" is privileged")
						}
						if strings.HasSuffix(c.Image, ":latest") {
							add(t, at+"image", desc+" is tagged latest")
						}
					}
				}
			}
			return out
		},
	}
}

// loadCRCluster loads a small generated cluster of custom resources only,
// with what their operators created (gen's CRFraction 1).
func loadCRCluster(t *testing.T) (gen.Options, *governance.Inventory) {
	t.Helper()
	opts := gen.Options{Seed: 3, Namespaces: 5, WorkloadsPerNamespace: 5, PodsPerWorkload: 4, CRFraction: 1, ReplicaSets: true}
	loader, err := governance.NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	inv, err := loader.LoadBytes("cluster.yaml", gen.Cluster(opts))
	if err != nil {
		t.Fatal(err)
	}
	return opts, inv
}

// TestFoldOperatorChildren: read as a cluster dump holds them (gen's
// custom resources with the StatefulSets, Jobs, Deployments, ReplicaSets
// and pods their operators create, owner references as the operators set
// them), a custom resource's children are not workloads of their own —
// a LeaderWorkerSet's worker StatefulSet is owned by its group's leader
// Pod — and a mistake in a template is one finding, on the resource,
// counting the pods that run it: PyTorch workers and LeaderWorkerSet
// workers of any index, a worker StatefulSet that carries its group's
// labels rather than its role's, a KServe Deployment running the
// predictor's model, and a Ray worker's wait-gcs-ready init container,
// which KubeRay injects with the Ray container's securityContext.
func TestFoldOperatorChildren(t *testing.T) {
	opts, inv := loadCRCluster(t)
	for _, w := range inv.Workloads() {
		switch w.Kind {
		case gen.KindRayCluster, gen.KindPyTorchJob, gen.KindLeaderWorkerSet, gen.KindJobSet, gen.KindInferenceService:
		default:
			t.Errorf("%s %s/%s is a workload of its own", w.Kind, w.Namespace, w.Name)
		}
	}
	engine, err := governance.NewEngine(governance.Rule{Check: plantedCheck()})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range engine.Run(inv) {
		got = append(got, fmt.Sprintf("%s/%s/%s %s +%d", f.Object.Kind, f.Object.Namespace, f.Object.Name, f.Path, f.Affected))
	}
	var want []string
	for _, p := range gen.PlantedProblems(opts) {
		pods := opts.PodsPerWorkload - 1 // the workers
		if p.Kind == gen.KindJobSet || p.Kind == gen.KindInferenceService {
			pods = opts.PodsPerWorkload
		}
		want = append(want, fmt.Sprintf("%s/%s/%s %s +%d", p.Kind, p.Namespace, p.Name, p.Path, pods))
	}
	sort.Strings(got)
	sort.Strings(want)
	if len(want) != 5 || strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestFoldInjectedOnlyWhatTheOperatorCopies: a finding on a container
// folds into its custom resource's only when the operator injects that
// container and copies the field from the template's container that has
// the finding. A sidecar another controller injected, and a
// wait-gcs-ready made privileged behind the operator's back (the Ray
// container is not), stay findings of their pod.
func TestFoldInjectedOnlyWhatTheOperatorCopies(t *testing.T) {
	_, inv := loadCRCluster(t)
	// A worker pod of the privileged group (gen plants it in one
	// RayCluster) and one of another RayCluster.
	var planted, clean *corev1.Pod
	for _, p := range governance.Typed[*corev1.Pod](inv) {
		if p.Labels["ray.io/node-type"] != "worker" || len(p.Spec.InitContainers) != 1 {
			continue
		}
		privileged := p.Spec.Containers[0].SecurityContext.Privileged
		switch {
		case planted == nil && privileged != nil && *privileged:
			planted = p
		case clean == nil && (privileged == nil || !*privileged):
			clean = p
		}
	}
	if planted == nil || clean == nil {
		t.Fatalf("want a Ray worker pod of a privileged group and one of another group (have %v, %v)", planted != nil, clean != nil)
	}
	yes := true
	planted.Spec.InitContainers = append(planted.Spec.InitContainers, corev1.Container{Name: "istio-init", Image: "istio/proxyv2:1.24.0",
		SecurityContext: &corev1.SecurityContext{Privileged: &yes}})
	sc := clean.Spec.InitContainers[0].SecurityContext
	if sc == nil {
		sc = &corev1.SecurityContext{}
		clean.Spec.InitContainers[0].SecurityContext = sc
	}
	sc.Privileged = &yes
	engine, err := governance.NewEngine(governance.Rule{Check: plantedCheck()})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range engine.Run(inv) {
		if f.Object.Kind == "Pod" {
			got = append(got, fmt.Sprintf("%s/%s %s +%d", f.Object.Namespace, f.Object.Name, f.Path, f.Affected))
		}
	}
	sort.Strings(got)
	want := []string{
		fmt.Sprintf("%s/%s spec.initContainers[0].securityContext.privileged +0", clean.Namespace, clean.Name),
		fmt.Sprintf("%s/%s spec.initContainers[1].securityContext.privileged +0", planted.Namespace, planted.Name),
	}
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings on pods:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestFoldOperatorServices: the headless Services an operator creates
// beside its pods (the training operator one per PyTorchJob replica,
// LeaderWorkerSet and JobSet one each) are its children: the same
// finding on every one of them is one finding per custom resource, not
// one per pod.
func TestFoldOperatorServices(t *testing.T) {
	_, inv := loadCRCluster(t)
	headless := governance.Check{
		ID: "headless", Severity: governance.SeverityLow,
		Object: func(o *governance.Object) []governance.Violation {
			s, ok := o.Obj.(*corev1.Service)
			if !ok || s.Spec.ClusterIP != corev1.ClusterIPNone {
				return nil
			}
			return []governance.Violation{{Path: "spec.clusterIP", Message: fmt.Sprintf("Service %q is headless", s.Name)}}
		},
	}
	engine, err := governance.NewEngine(governance.Rule{Check: headless})
	if err != nil {
		t.Fatal(err)
	}
	owners := map[string]int{}      // the custom resources owning headless Services
	services := map[string]string{} // Service namespace/name to its owner
	for _, s := range governance.Typed[*corev1.Service](inv) {
		if s.Spec.ClusterIP != corev1.ClusterIPNone || len(s.OwnerReferences) != 1 {
			continue
		}
		owner := s.OwnerReferences[0].Kind + "/" + s.Namespace + "/" + s.OwnerReferences[0].Name
		owners[owner]++
		services[s.Namespace+"/"+s.Name] = owner
	}
	perPod := 0
	for _, n := range owners {
		if n > 1 {
			perPod++
		}
	}
	if perPod == 0 {
		t.Fatal("no custom resource with a headless Service per pod generated")
	}
	got := map[string]int{}
	for _, f := range engine.Run(inv) {
		owner, ok := services[f.Object.Namespace+"/"+f.Object.Name]
		if !ok {
			t.Errorf("finding on %s, not a Service a custom resource owns", f.Object)
			continue
		}
		got[owner]++
	}
	for owner := range owners {
		if got[owner] != 1 {
			t.Errorf("%s: %d findings on its headless Services, want 1", owner, got[owner])
		}
	}
}
