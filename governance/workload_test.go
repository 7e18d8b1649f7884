package governance_test

import (
	"fmt"
	"strings"
	"testing"
)

const podSpec = "{containers: [{name: c, image: x}]}"

func TestWorkloadsOfEveryKind(t *testing.T) {
	tmpl := "{metadata: {labels: {app: a}}, spec: " + podSpec + "}"
	tests := []struct {
		kind, apiVersion, spec string
		replicas               int32
		specPath               string
	}{
		{"Pod", "v1", podSpec, 1, "spec"},
		{"Deployment", "apps/v1", "{replicas: 3, selector: {matchLabels: {app: a}}, template: " + tmpl + "}", 3, "spec.template.spec"},
		{"ReplicaSet", "apps/v1", "{replicas: 2, selector: {matchLabels: {app: a}}, template: " + tmpl + "}", 2, "spec.template.spec"},
		{"StatefulSet", "apps/v1", "{replicas: 5, serviceName: a, selector: {matchLabels: {app: a}}, template: " + tmpl + "}", 5, "spec.template.spec"},
		{"DaemonSet", "apps/v1", "{selector: {matchLabels: {app: a}}, template: " + tmpl + "}", 1, "spec.template.spec"},
		{"Job", "batch/v1", "{parallelism: 4, completions: 16, template: " + tmpl + "}", 4, "spec.template.spec"},
		{"CronJob", "batch/v1", "{schedule: '@hourly', jobTemplate: {spec: {parallelism: 2, template: " + tmpl + "}}}", 2, "spec.jobTemplate.spec.template.spec"},
		{"ReplicationController", "v1", "{replicas: 0, selector: {app: a}, template: " + tmpl + "}", 0, "spec.template.spec"},
		{"Deployment", "apps/v1", "{selector: {matchLabels: {app: a}}, template: " + tmpl + "}", 1, "spec.template.spec"},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s %s", tc.kind, tc.spec), func(t *testing.T) {
			inv := loadString(t, "w.yaml", fmt.Sprintf("apiVersion: %s\nkind: %s\nmetadata: {name: w, namespace: ai, labels: {tier: gpu}}\nspec: %s\n", tc.apiVersion, tc.kind, tc.spec))
			ws := inv.Workloads()
			if len(ws) != 1 {
				t.Fatalf("%d workloads", len(ws))
			}
			w := ws[0]
			if w.Kind != tc.kind || w.Namespace != "ai" || w.Name != "w" || w.Labels["tier"] != "gpu" {
				t.Errorf("workload %s %s/%s labels %v", w.Kind, w.Namespace, w.Name, w.Labels)
			}
			if w.Replicas != tc.replicas || w.SpecPath != tc.specPath {
				t.Errorf("replicas %d specPath %q, want %d %q", w.Replicas, w.SpecPath, tc.replicas, tc.specPath)
			}
			tmpl, ok := w.Template()
			if !ok || tmpl.Path != tc.specPath || tmpl.Spec.Containers[0].Name != "c" {
				t.Errorf("Template: ok %v %+v", ok, tmpl)
			}
			if w.Pod == nil || w.Pod.Namespace != "ai" || w.Pod.Spec.Containers[0].Image != "x" {
				t.Errorf("pod %+v", w.Pod)
			}
			if tc.kind != "Pod" && w.Pod.Labels["app"] != "a" {
				t.Errorf("pod labels %v, want the template's", w.Pod.Labels)
			}
		})
	}
}

func TestWorkloadsLeaveOutOwnedChildren(t *testing.T) {
	owned := func(kind, name, ownerKind, ownerName string) string {
		api := map[string]string{"ReplicaSet": "apps/v1", "Pod": "v1", "Job": "batch/v1"}[kind]
		spec := "{selector: {matchLabels: {app: a}}, template: {metadata: {labels: {app: a}}, spec: " + podSpec + "}}"
		if kind == "Pod" {
			spec = podSpec
		}
		if kind == "Job" {
			spec = "{template: {spec: " + podSpec + "}}"
		}
		return fmt.Sprintf("apiVersion: %s\nkind: %s\nmetadata:\n  name: %s\n  namespace: ai\n  ownerReferences: [{apiVersion: x, kind: %s, name: %s, uid: u, controller: true}]\nspec: %s\n",
			api, kind, name, ownerKind, ownerName, spec)
	}
	deployment := "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: llm, namespace: ai}\nspec: {selector: {matchLabels: {app: a}}, template: {metadata: {labels: {app: a}}, spec: " + podSpec + "}}\n"
	job := "apiVersion: batch/v1\nkind: Job\nmetadata: {name: train, namespace: ai}\nspec: {template: {spec: " + podSpec + "}}\n"
	cronjob := "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: nightly, namespace: ai}\nspec: {schedule: '@daily', jobTemplate: {spec: {template: {spec: " + podSpec + "}}}}\n"
	otherNS := strings.Replace(owned("Pod", "elsewhere", "Job", "train"), "namespace: ai", "namespace: other", 1)
	tests := []struct {
		name  string
		docs  []string
		wants []string
	}{
		{"ReplicaSet of a Deployment in the input",
			[]string{deployment, owned("ReplicaSet", "llm-5d8f", "Deployment", "llm"), owned("Pod", "llm-5d8f-x", "ReplicaSet", "llm-5d8f")},
			[]string{"Deployment/llm"}},
		{"Pod of a Job in the input",
			[]string{job, owned("Pod", "train-abc", "Job", "train")},
			[]string{"Job/train"}},
		{"Job of a CronJob in the input",
			[]string{cronjob, owned("Job", "nightly-29000000", "CronJob", "nightly"), owned("Pod", "nightly-29000000-x", "Job", "nightly-29000000")},
			[]string{"CronJob/nightly"}},
		{"owners absent from the input do not hide the child",
			[]string{owned("ReplicaSet", "llm-5d8f", "Deployment", "llm"), owned("Pod", "train-abc", "Job", "train")},
			[]string{"Pod/train-abc", "ReplicaSet/llm-5d8f"}},
		{"an owner in another namespace does not count",
			[]string{job, otherNS},
			[]string{"Pod/elsewhere", "Job/train"}}, // inventory order: group, kind, namespace, name
		{"non-controller owner kinds do not hide",
			[]string{owned("Pod", "p", "Node", "n1")},
			[]string{"Pod/p"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inv := loadString(t, "owned.yaml", strings.Join(tc.docs, "---\n"))
			var got []string
			for _, w := range inv.Workloads() {
				got = append(got, w.Kind+"/"+w.Name)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.wants) {
				t.Errorf("workloads %v, want %v", got, tc.wants)
			}
		})
	}
}
