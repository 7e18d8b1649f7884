package operator

import (
	"encoding/json"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

// TestCheckIntegers covers the count fields the operators read as int32:
// integers pass (2.0 is one, as in JSON Schema), anything else names the
// field with its list index, and an absent or null field is the default.
func TestCheckIntegers(t *testing.T) {
	paths := []string{"spec.replicas", "spec.groups[*].replicas", "spec.groups[*].nested[*].size"}
	for _, tc := range []struct {
		name, spec string
		want       string // "" for no error
	}{
		{"integers", `{"replicas": 3, "groups": [{"replicas": 0}, {"replicas": 2147483647}]}`, ""},
		{"integral float", `{"replicas": 2.0}`, ""},
		{"absent and null", `{"groups": [{"replicas": null}, {}]}`, ""},
		{"not a list", `{"groups": {"replicas": "x"}}`, ""}, // a wrong type is the template decoder's
		{"fraction", `{"replicas": 2.5}`, "spec.replicas: expected an integer, got number 2.5"},
		{"string", `{"groups": [{"replicas": 1}, {"replicas": "3"}]}`, `spec.groups[1].replicas: expected an integer, got string "3"`},
		{"too big", `{"replicas": 3000000000}`, "spec.replicas: number 3000000000 is out of range for int32"},
		{"too small", `{"replicas": -2147483649}`, "spec.replicas: number -2147483649 is out of range for int32"},
		{"boolean", `{"groups": [{"nested": [{"size": 1}, {"size": true}]}]}`, "spec.groups[0].nested[1].size: expected an integer, got boolean true"},
		{"object", `{"replicas": {"a": 1}}`, "spec.replicas: expected an integer, got an object"},
		{"credential redacted", `{"replicas": "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789"}`, "spec.replicas: expected an integer, got string"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var obj map[string]any
			dec := json.NewDecoder(strings.NewReader(`{"spec": ` + tc.spec + `}`))
			dec.UseNumber()
			if err := dec.Decode(&obj); err != nil {
				t.Fatal(err)
			}
			err := CheckIntegers(obj, paths)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tc.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.want)):
				t.Fatalf("error %v, want %q", err, tc.want)
			case err != nil && strings.Contains(err.Error(), "0123456789"):
				t.Fatalf("error shows the whole value: %v", err)
			}
		})
	}
}

// TestIntegersNameCountFields checks each kind's Integers against the
// fields its operator reads as counts: a float there is refused, so Int
// never truncates it.
func TestIntegersNameCountFields(t *testing.T) {
	for _, tc := range []struct {
		gk   schema.GroupKind
		path string
	}{
		{schema.GroupKind{Group: "ray.io", Kind: "RayCluster"}, "spec.workerGroupSpecs[0].replicas"},
		{schema.GroupKind{Group: "ray.io", Kind: "RayJob"}, "spec.rayClusterSpec.workerGroupSpecs[0].maxReplicas"},
		{schema.GroupKind{Group: "ray.io", Kind: "RayService"}, "spec.rayClusterConfig.workerGroupSpecs[0].numOfHosts"},
		{schema.GroupKind{Group: "jobset.x-k8s.io", Kind: "JobSet"}, "spec.replicatedJobs[0].template.spec.parallelism"},
		{schema.GroupKind{Group: "leaderworkerset.x-k8s.io", Kind: "LeaderWorkerSet"}, "spec.leaderWorkerTemplate.size"},
		{schema.GroupKind{Group: "trainer.kubeflow.org", Kind: "TrainJob"}, "spec.trainer.numNodes"},
		{schema.GroupKind{Group: "trainer.kubeflow.org", Kind: "ClusterTrainingRuntime"}, "spec.mlPolicy.numNodes"},
		{schema.GroupKind{Group: "kubeflow.org", Kind: "PyTorchJob"}, "spec.elasticPolicy.maxReplicas"},
		{schema.GroupKind{Group: "kubeflow.org", Kind: "MPIJob"}, "spec.slotsPerWorker"},
		{schema.GroupKind{Group: "serving.kserve.io", Kind: "LLMInferenceService"}, "spec.prefill.replicas"},
	} {
		var k *Kind
		for _, c := range Kinds() {
			if c.GroupKind == tc.gk {
				k = &c
			}
		}
		if k == nil {
			t.Fatalf("%s: no such kind", tc.gk)
		}
		obj := objectWith(tc.path, 2.5)
		err := CheckIntegers(obj, k.Integers)
		if err == nil || !strings.HasPrefix(err.Error(), tc.path+": ") {
			t.Errorf("%s %s = 2.5: error %v, want one naming the field", tc.gk.Kind, tc.path, err)
		}
	}
}

// objectWith builds an object holding v at a dotted path whose list
// items are written "[0]".
func objectWith(path string, v any) map[string]any {
	root := map[string]any{}
	cur := root
	parts := strings.Split(path, ".")
	for i, p := range parts {
		last := i == len(parts)-1
		name, isItem := strings.CutSuffix(p, "[0]")
		var next any = v
		var child map[string]any
		if !last {
			child = map[string]any{}
			next = child
		}
		if isItem {
			next = []any{next}
		}
		cur[name] = next
		cur = child
	}
	return root
}
