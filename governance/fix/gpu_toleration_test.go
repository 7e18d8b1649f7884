package fix_test

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/aigov/aigov/governance/catalog"
	"github.com/aigov/aigov/governance/fix"
)

// gpuTolerationCases are pod specs that request GPUs and neither tolerate a
// GPU taint nor select GPU nodes, with the key of the toleration that
// gpu-node-targeting's mutating policy adds to them (its CEL, in
// catalog.gpuTolerationMutation), or "" for none. cmd/aigov's
// TestFixGPUTolerationIsTheMutations proves on a kube-apiserver that the
// mutation adds what aigov fix writes.
var gpuTolerationCases = []struct {
	name, spec, key string
}{
	{"a whole NVIDIA GPU", `containers: [{name: c, image: i:1, resources: {limits: {nvidia.com/gpu: "1"}}}]`, "nvidia.com/gpu"},
	{"a MIG slice: the GPU operator taints MIG nodes nvidia.com/gpu", `containers: [{name: c, image: i:1, resources: {limits: {nvidia.com/mig-1g.5gb: "1"}}}]`, "nvidia.com/gpu"},
	{"a MIG slice requested by an init container", `initContainers: [{name: w, image: i:1, resources: {requests: {nvidia.com/mig-3g.20gb: "1"}}}]
containers: [{name: c, image: i:1}]`, "nvidia.com/gpu"},
	{"an NVIDIA resource not named gpu", `containers: [{name: c, image: i:1, resources: {limits: {nvidia.com/a100: "1"}}}]`, "nvidia.com/gpu"},
	{"an AMD GPU: the resource itself", `containers: [{name: c, image: i:1, resources: {limits: {amd.com/gpu: "2"}}}]`, "amd.com/gpu"},
	{"another vendor's */gpu", `containers: [{name: c, image: i:1, resources: {limits: {gpu.intel.com/gpu: "1"}}}]`, "gpu.intel.com/gpu"},
	{"two vendors: the least key by name", `containers:
- {name: a, image: i:1, resources: {limits: {nvidia.com/mig-1g.5gb: "1"}}}
- {name: b, image: i:1, resources: {limits: {amd.com/gpu: "1"}}}`, "amd.com/gpu"},
	{"two vendors, NVIDIA's key least after mapping", `containers:
- {name: a, image: i:1, resources: {limits: {nvidia.com/mig-1g.5gb: "1"}}}
- {name: b, image: i:1, resources: {limits: {zz.example/gpu: "1"}}}`, "nvidia.com/gpu"},
	{"a zero quantity is no GPU", `containers: [{name: c, image: i:1, resources: {limits: {nvidia.com/mig-1g.5gb: "0", amd.com/gpu: "1"}}}]`, "amd.com/gpu"},
	{"only zero quantities: no GPU", `containers: [{name: c, image: i:1, resources: {limits: {nvidia.com/gpu: "0"}}}]`, ""},
	{"no GPU", `containers: [{name: c, image: i:1, resources: {limits: {cpu: "1"}}}]`, ""},
}

// TestGPUTolerationKey checks catalog.GPUTolerationKey, which the mutation's
// CEL mirrors, on the table.
func TestGPUTolerationKey(t *testing.T) {
	for _, tc := range gpuTolerationCases {
		var spec corev1.PodSpec
		if err := yaml.UnmarshalStrict([]byte(tc.spec), &spec); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		key, ok := catalog.GPUTolerationKey(&spec)
		if key != tc.key || ok != (tc.key != "") {
			t.Errorf("%s: GPUTolerationKey = %q, %v, want %q", tc.name, key, ok, tc.key)
		}
	}
}

// TestFixGPUTolerationIsTheMutations checks that aigov fix gives each GPU
// pod of the table the toleration gpu-node-targeting's mutating policy
// adds: key, operator Exists, effect NoSchedule; none to a pod without
// GPUs.
func TestFixGPUTolerationIsTheMutations(t *testing.T) {
	for _, tc := range gpuTolerationCases {
		t.Run(tc.name, func(t *testing.T) {
			manifest := "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: ns}\nspec:\n  " +
				strings.ReplaceAll(tc.spec, "\n", "\n  ") + "\n"
			edits, _ := planManifest(t, manifest)
			var got []map[string]any
			for _, ed := range edits {
				if ed.Path == "spec.tolerations" {
					if ed.Check != catalog.IDGPUNodeTargeting || ed.Op != fix.OpAppend {
						t.Errorf("edit %s %s by %s", ed.Op, ed.Path, ed.Check)
					}
					v, _ := ed.Value.(map[string]any)
					got = append(got, v)
				}
			}
			if tc.key == "" {
				if len(got) != 0 {
					t.Errorf("tolerations %v, want none", got)
				}
				return
			}
			want := map[string]any{"key": tc.key, "operator": "Exists", "effect": "NoSchedule"}
			if len(got) != 1 || len(got[0]) != len(want) || got[0]["key"] != want["key"] || got[0]["operator"] != want["operator"] || got[0]["effect"] != want["effect"] {
				t.Errorf("tolerations %v, want [%v]", got, want)
			}
		})
	}
}
