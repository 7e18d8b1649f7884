package operator

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

// TestTrainerProof is issue #14's proof against Kubeflow Trainer v2.0.0
// itself: cmd/trainerjobset of the test-only module internal/operatortest
// runs the Trainer controller's own runtime (core.New, NewObjects: the ML
// policy, pod group, pod network and JobSet builder plugins) on every
// TrainJob of testdata/trainer and prints the JobSet it would apply.
// aigov then derives pods twice: from that JobSet (jobset.go, the JobSet
// controller's part) and from the TrainJob with its runtime (trainer.go,
// which rebuilds the Trainer's part itself). Both must be equal, field by
// field: the roles and replica counts, and the whole pod each stands for
// (name, namespace, labels, annotations and the whole spec: service
// account, containers and init containers with names, images, commands,
// args, env, ports, resources and mounts, volumes, node selector,
// tolerations, scheduling gates). So every difference between aigov's
// TrainJob derivation and the Trainer's build shows, except in what the
// JobSet controller does afterwards, which both sides share. Only the
// SpecPath differs by design (the TrainJob's pods name the TrainJob's
// fields). The nested module is outside ./...; this test builds it (the
// Trainer, JobSet and controller-runtime; minutes on a cold build cache),
// so -short skips it, and nothing else does.
func TestTrainerProof(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the proof builds Kubeflow Trainer in internal/operatortest")
	}
	files := proofTestdata(t, "trainer")
	var jobSets []map[string]any
	if err := json.Unmarshal(runOperatorTest(t, "trainerjobset", files), &jobSets); err != nil {
		t.Fatalf("trainerjobset output: %v", err)
	}
	upstream := map[string]map[string]any{}
	for _, js := range jobSets {
		upstream[String(js, "metadata", "namespace")+"/"+String(js, "metadata", "name")] = js
	}

	var all []*Resource
	for _, f := range files {
		all = append(all, proofResources(t, f, trainerGroup, "v1alpha1")...)
	}
	lookup := testLookup(all)
	jobSetKind, _ := Find(schema.GroupVersionKind{Group: jobSetGroup, Version: "v1alpha2", Kind: "JobSet"})

	var trainJobs, compared int
	for _, r := range all {
		if r.GVK.Kind != "TrainJob" {
			continue
		}
		trainJobs++
		key := r.Namespace + "/" + r.Name
		js, ok := upstream[key]
		if !ok {
			t.Errorf("TrainJob %s: the Trainer built no JobSet", key)
			continue
		}
		jsResource := proofResource(t, key, js)
		want := jobSetKind.Pods(jsResource, nil)
		got := trainJobPods(r, lookup)
		if gr, wr := proofRoles(got), proofRoles(want); !slices.Equal(gr, wr) {
			t.Errorf("TrainJob %s: roles %q, from the Trainer's JobSet %q", key, gr, wr)
			continue
		}
		for i := range want {
			where := fmt.Sprintf("TrainJob %s[%s]", key, want[i].Role)
			for _, d := range proofDiff(proofComparable(got[i]), proofComparable(want[i]), "Trainer") {
				t.Errorf("%s: %s", where, d)
			}
			compared++
		}
	}
	if trainJobs != len(jobSets) {
		t.Errorf("%d TrainJobs in testdata/trainer, the Trainer built %d JobSets", trainJobs, len(jobSets))
	}
	if trainJobs < 10 || compared < 20 {
		t.Errorf("only %d TrainJobs and %d pods compared; the testdata should give more", trainJobs, compared)
	}
	t.Logf("%d pods of %d TrainJobs equal those of the JobSets Kubeflow Trainer v2.0.0 builds", compared, trainJobs)
}
