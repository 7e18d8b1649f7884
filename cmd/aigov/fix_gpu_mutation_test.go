package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"

	"github.com/aigov/aigov/internal/testenv"
)

// TestFixGPUTolerationIsTheMutations writes GPU pods that neither tolerate
// a GPU taint nor select GPU nodes, lets aigov fix --write add their
// toleration, and creates the unfixed pods (dry run) on a kube-apiserver
// where gpu-node-targeting's MutatingAdmissionPolicy (aigov vap generate
// --mutating) is bound: the toleration the apiserver's mutation adds is the
// one aigov fix wrote, for a whole GPU, a MIG slice (nvidia.com/gpu, as the
// NVIDIA GPU operator taints), an AMD GPU and two vendors at once.
func TestFixGPUTolerationIsTheMutations(t *testing.T) {
	env := testenv.Shared(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dir := t.TempDir()
	policy := filepath.Join(dir, "policy.yaml")
	if err := os.WriteFile(policy, []byte(`apiVersion: aigov.dev/v1alpha1
kind: GovernancePolicy
metadata: {name: fixgpu}
spec:
  kubernetesVersion: "1.37"
  checks:
  - id: gpu-node-targeting
    match: {namespaceSelector: {matchLabels: {aigov-fix-gpu: "true"}}}
`), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := aigov(t, "", "vap", "generate", "--policy", policy, "--mutating")
	if code != 0 {
		t.Fatalf("vap generate: exit %d: %s", code, errOut)
	}
	docs, err := testenv.DecodeManifests([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	dyn := env.Dynamic(t)
	resources := map[string]string{"MutatingAdmissionPolicy": "mutatingadmissionpolicies", "MutatingAdmissionPolicyBinding": "mutatingadmissionpolicybindings"}
	installed := 0
	for _, d := range docs {
		res, ok := resources[d.GetKind()]
		if !ok {
			continue
		}
		ri := dyn.Resource(schema.GroupVersionResource{Group: "admissionregistration.k8s.io", Version: "v1", Resource: res})
		if _, err := ri.Create(ctx, d, metav1.CreateOptions{}); err != nil {
			t.Fatalf("%s %s: %v", d.GetKind(), d.GetName(), err)
		}
		name := d.GetName()
		t.Cleanup(func() { _ = ri.Delete(context.Background(), name, metav1.DeleteOptions{}) })
		installed++
	}
	if installed == 0 {
		t.Fatal("vap generate --mutating wrote no MutatingAdmissionPolicy")
	}
	ns := env.CreateNamespace(t, "fixgpu", map[string]string{"aigov-fix-gpu": "true"})

	for _, tc := range []struct{ name, resources string }{
		{"whole-gpu", `containers: [{name: c, image: registry.example/app:1, resources: {limits: {nvidia.com/gpu: "1"}}}]`},
		{"mig", `containers: [{name: c, image: registry.example/app:1, resources: {limits: {nvidia.com/mig-1g.5gb: "1"}}}]`},
		{"amd", `containers: [{name: c, image: registry.example/app:1, resources: {limits: {amd.com/gpu: "1"}}}]`},
		{"two-vendors", `containers:
  - {name: a, image: registry.example/app:1, resources: {limits: {nvidia.com/mig-1g.5gb: "1"}}}
  - {name: b, image: registry.example/app:1, resources: {limits: {amd.com/gpu: "1"}}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			manifest := fmt.Sprintf("apiVersion: v1\nkind: Pod\nmetadata: {name: %s, namespace: %s}\nspec:\n  %s\n", tc.name, ns, tc.resources)
			file := filepath.Join(t.TempDir(), "pod.yaml")
			if err := os.WriteFile(file, []byte(manifest), 0o600); err != nil {
				t.Fatal(err)
			}
			if code, _, errOut := aigov(t, "", "fix", "-f", file, "--write"); code != 0 {
				t.Fatalf("fix --write: exit %d: %s", code, errOut)
			}
			fixed, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var pod struct {
				Spec struct {
					Tolerations []map[string]any `json:"tolerations"`
				} `json:"spec"`
			}
			if err := yaml.Unmarshal(fixed, &pod); err != nil {
				t.Fatal(err)
			}
			if len(pod.Spec.Tolerations) != 1 {
				t.Fatalf("aigov fix wrote tolerations %v, want one:\n%s", pod.Spec.Tolerations, fixed)
			}
			want := pod.Spec.Tolerations[0]

			obj := &unstructured.Unstructured{}
			if err := yaml.Unmarshal([]byte(manifest), &obj.Object); err != nil {
				t.Fatal(err)
			}
			pods := dyn.Resource(schema.GroupVersionResource{Version: "v1", Resource: "pods"}).Namespace(ns)
			// The policy takes effect once the apiserver's informers see it.
			var got any
			deadline := time.Now().Add(30 * time.Second)
			for {
				created, err := pods.Create(ctx, obj.DeepCopy(), metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
				if err != nil {
					t.Fatal(err)
				}
				tols, _, _ := unstructured.NestedSlice(created.Object, "spec", "tolerations")
				if len(tols) > 0 {
					if m, ok := tols[0].(map[string]any); ok && m["effect"] == "NoSchedule" {
						got = m
						break
					}
				}
				if time.Now().After(deadline) {
					t.Fatalf("no toleration added by the mutating policy after 30s: %v", tols)
				}
				time.Sleep(200 * time.Millisecond)
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("the mutation added %v, aigov fix wrote %v", got, want)
			}
		})
	}
}
