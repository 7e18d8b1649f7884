package governance_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/internal/gen"
)

// plantedCheck is a fake pod check for the mistakes internal/gen plants
// in custom resources: a privileged container, the host network or PID
// namespace, an image tagged latest; each at the field as written
// (PodTemplate.FieldPath).
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
				for i, c := range t.Spec.Containers {
					if c.SecurityContext != nil && c.SecurityContext.Privileged != nil && *c.SecurityContext.Privileged {
						add(t, fmt.Sprintf("containers[%d].securityContext.privileged", i), "privileged")
					}
					if strings.HasSuffix(c.Image, ":latest") {
						add(t, fmt.Sprintf("containers[%d].image", i), "latest")
					}
				}
			}
			return out
		},
	}
}

// TestFoldOperatorChildren: read as a cluster dump holds them (gen's
// custom resources with the StatefulSets, Jobs, Deployments, ReplicaSets
// and pods their operators create, owner references as the operators set
// them), a custom resource's children are not workloads of their own —
// a LeaderWorkerSet's worker StatefulSet is owned by its group's leader
// Pod — and a mistake in a template is one finding, on the resource,
// counting the pods that run it: PyTorch workers and LeaderWorkerSet
// workers of any index, a worker StatefulSet that carries its group's
// labels rather than its role's, and a KServe Deployment running the
// predictor's model.
func TestFoldOperatorChildren(t *testing.T) {
	opts := gen.Options{Seed: 3, Namespaces: 5, WorkloadsPerNamespace: 5, PodsPerWorkload: 4, CRFraction: 1, ReplicaSets: true}
	loader, err := governance.NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	inv, err := loader.LoadBytes("cluster.yaml", gen.Cluster(opts))
	if err != nil {
		t.Fatal(err)
	}
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
