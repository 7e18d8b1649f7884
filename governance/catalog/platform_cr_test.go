package catalog

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/internal/gen"
)

// TestPlatformCR runs the default catalog over a generated platform where
// a third of the workloads are operator custom resources read with what
// their operators created (gen.PlatformCR): it loads with no error, and
// each mistake planted in a custom resource (gen.PlantedProblems: a
// privileged Ray worker group, a PyTorchJob worker in the host network, a
// LeaderWorkerSet worker tagged latest, a JobSet in the host PID namespace,
// a privileged KServe model) is one finding, on the resource at the field
// as written, counting the pods that run it, and no finding of that check
// remains on the pods, Jobs, StatefulSets or Deployments the operator
// created.
func TestPlatformCR(t *testing.T) {
	opts := gen.PlatformCR(1000)
	loader, err := governance.NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	inv, err := loader.LoadBytes("platform.yaml", gen.Cluster(opts))
	if err != nil {
		t.Fatalf("the generated platform does not load:\n%v", err)
	}
	if inv.Len() != opts.ObjectCount() {
		t.Fatalf("loaded %d objects, want %d", inv.Len(), opts.ObjectCount())
	}
	planted := gen.PlantedProblems(opts)
	kinds := map[string]bool{}
	for _, p := range planted {
		kinds[p.Kind] = true
	}
	if len(kinds) != 5 {
		t.Fatalf("planted problems in %d kinds, want 5: %+v", len(kinds), planted)
	}
	findings := defaultEngine(t).Run(inv)
	for _, p := range planted {
		var got []string
		for _, f := range findings {
			if f.Check == p.Check && f.Object.Namespace == p.Namespace {
				got = append(got, fmt.Sprintf("%s/%s %s affected=%d", f.Object.Kind, f.Object.Name, f.Path, f.Affected))
			}
		}
		// The pods that run the mistake: a worker group, the workers, the
		// JobSet's pods, the predictor's replicas.
		pods := map[string]int{gen.KindRayCluster: opts.PodsPerWorkload - 1, gen.KindPyTorchJob: opts.PodsPerWorkload - 1,
			gen.KindLeaderWorkerSet: opts.PodsPerWorkload - 1, gen.KindJobSet: opts.PodsPerWorkload,
			gen.KindInferenceService: opts.PodsPerWorkload}[p.Kind]
		want := fmt.Sprintf("%s/%s %s affected=%d", p.Kind, p.Name, p.Path, pods)
		if len(got) != 1 || got[0] != want {
			sort.Strings(got)
			t.Errorf("%s in %s: findings\n  %s\nwant\n  %s", p.Check, p.Namespace, strings.Join(got, "\n  "), want)
		}
	}
	// The pods the operators created run their resources' templates and
	// the containers the operators inject (KubeRay's wait-gcs-ready, with
	// the Ray container's securityContext): every finding about them is
	// its resource's.
	for _, f := range findings {
		if f.Object.Kind == "Pod" {
			t.Errorf("%s on Pod %s/%s %s: %s; want it folded into its resource's", f.Check, f.Object.Namespace, f.Object.Name, f.Path, f.Message)
		}
	}
	// The model-serving checks judge a LeaderWorkerSet's templates (vLLM
	// leader and workers, unpinned, without a liveness probe) on the
	// resource, each counting its pods, and fold the StatefulSets and
	// Pods its operator created.
	lws := map[string]bool{}
	for _, o := range inv.Objects() {
		if o.Kind() == gen.KindLeaderWorkerSet {
			lws[o.Namespace()+"/"+o.Name()] = true
		}
	}
	if len(lws) == 0 {
		t.Fatal("the platform holds no LeaderWorkerSet")
	}
	paths := map[string]int{
		"spec.leaderWorkerTemplate.leaderTemplate.spec.containers[0].image":         1,
		"spec.leaderWorkerTemplate.workerTemplate.spec.containers[0].image":         opts.PodsPerWorkload - 1,
		"spec.leaderWorkerTemplate.workerTemplate.spec.containers[0].livenessProbe": opts.PodsPerWorkload - 1,
	}
	seen := map[string]int{}
	for _, f := range findings {
		if f.Check != IDModelImageDigest && f.Check != IDInferenceProbes {
			continue
		}
		switch f.Object.Kind {
		case "StatefulSet", "Pod":
			t.Errorf("%s on %s/%s/%s %s: want it folded into its LeaderWorkerSet's", f.Check, f.Object.Kind, f.Object.Namespace, f.Object.Name, f.Path)
		case gen.KindLeaderWorkerSet:
			if want, ok := paths[f.Path]; ok {
				seen[f.Path]++
				if f.Affected != want {
					t.Errorf("%s on LeaderWorkerSet %s/%s %s: affected %d, want %d", f.Check, f.Object.Namespace, f.Object.Name, f.Path, f.Affected, want)
				}
			}
		}
	}
	for p := range paths {
		if seen[p] != len(lws) {
			t.Errorf("%d findings at %s, want one per LeaderWorkerSet (%d)", seen[p], p, len(lws))
		}
	}
}
