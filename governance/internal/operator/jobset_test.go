package operator

import (
	"math"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"
)

// jobSetTestPods derives the pods of a JobSet document.
func jobSetTestPods(t *testing.T, doc string) []Pod {
	t.Helper()
	_, r, _ := testResource(t, doc)
	k, _ := Find(r.GVK)
	return k.Pods(r, nil)
}

const jobSetTwoJobs = `
apiVersion: jobset.x-k8s.io/v1alpha2
kind: JobSet
metadata:
  name: train
  namespace: team-a
spec:
  replicatedJobs:
  - name: driver
    template:
      spec:
        template:
          metadata:
            labels:
              app: driver
              jobset.sigs.k8s.io/jobset-name: spoofed
          spec:
            serviceAccountName: trainer
            containers:
            - name: main
              image: driver:1
  - name: workers
    replicas: 3
    groupName: gpus
    template:
      metadata:
        labels:
          job-level: "yes"
      spec:
        parallelism: 4
        completions: 4
        template:
          spec:
            restartPolicy: Never
            containers:
            - name: main
              image: worker:1
              resources:
                limits:
                  nvidia.com/gpu: 1
              env:
              - name: JOB_COMPLETION_INDEX
                value: kept
`

func TestJobSetTemplates(t *testing.T) {
	_, r, unknown := testResource(t, jobSetTwoJobs)
	if len(unknown) != 0 {
		t.Errorf("unknown fields %v, want none", unknown)
	}
	var got []string
	for _, tp := range r.Templates {
		got = append(got, tp.Role+" "+tp.Path+" "+tp.Spec.Containers[0].Image)
	}
	want := []string{
		"driver spec.replicatedJobs[0].template.spec.template.spec driver:1",
		"workers spec.replicatedJobs[1].template.spec.template.spec worker:1",
	}
	if !slices.Equal(got, want) {
		t.Errorf("templates\n got %q\nwant %q", got, want)
	}
	if r.Templates[0].Meta.Labels["app"] != "driver" {
		t.Errorf("template metadata not decoded: %v", r.Templates[0].Meta.Labels)
	}
}

func TestJobSetTemplatesUnknownAndInvalid(t *testing.T) {
	k, _ := Find(jobSetGVK())
	for _, tc := range []struct {
		name        string
		doc         string
		wantUnknown []string
		wantErr     string
	}{
		{
			name: "unknown fields in the pod template and in the Job spec",
			doc: `
spec:
  replicatedJobs:
  - name: a
    template:
      spec:
        paralelism: 2
        template:
          spec:
            containers:
            - name: c
              imagePullPolicyy: Always
`,
			wantUnknown: []string{
				"spec.replicatedJobs[0].template.spec.paralelism",
				"spec.replicatedJobs[0].template.spec.template.spec.containers[0].imagePullPolicyy",
			},
		},
		{
			name: "a wrong type",
			doc: `
spec:
  replicatedJobs:
  - name: a
    template:
      spec:
        parallelism: two
`,
			wantErr: "spec.replicatedJobs[0].template",
		},
		{
			name:    "a replicated job that is not an object",
			doc:     "spec:\n  replicatedJobs: [3]\n",
			wantErr: "spec.replicatedJobs[0]: not an object",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var obj map[string]any
			if err := yaml.Unmarshal([]byte(tc.doc), &obj); err != nil {
				t.Fatal(err)
			}
			_, unknown, err := k.Templates(obj)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(unknown)
			if !slices.Equal(unknown, tc.wantUnknown) {
				t.Errorf("unknown %q, want %q", unknown, tc.wantUnknown)
			}
		})
	}
}

func TestJobSetPodCounts(t *testing.T) {
	for _, tc := range []struct {
		name   string
		rjob   string // the replicated job's fields after its name
		suffix string // fields of the JobSet spec
		want   int32
	}{
		{"defaults: one Job of one pod", "template: {spec: {template: {spec: {containers: [{name: c}]}}}}", "", 1},
		{"replicas x parallelism", "replicas: 2\n    template: {spec: {parallelism: 4, template: {spec: {containers: [{name: c}]}}}}", "", 8},
		{"completions below parallelism", "replicas: 3\n    template: {spec: {parallelism: 4, completions: 2, template: {spec: {containers: [{name: c}]}}}}", "", 6},
		{"completions above parallelism", "template: {spec: {parallelism: 2, completions: 10, template: {spec: {containers: [{name: c}]}}}}", "", 2},
		{"zero replicas", "replicas: 0\n    template: {spec: {parallelism: 4, template: {spec: {containers: [{name: c}]}}}}", "", 0},
		{"negative replicas", "replicas: -2\n    template: {spec: {parallelism: -4, template: {spec: {containers: [{name: c}]}}}}", "", 0},
		{"a product beyond int32", "replicas: 100000\n    template: {spec: {parallelism: 100000, template: {spec: {containers: [{name: c}]}}}}", "", math.MaxInt32},
		{"suspended", "replicas: 2\n    template: {spec: {parallelism: 4, template: {spec: {containers: [{name: c}]}}}}", "  suspend: true\n", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := "apiVersion: jobset.x-k8s.io/v1alpha2\nkind: JobSet\nmetadata: {name: js, namespace: ns}\nspec:\n" +
				tc.suffix + "  replicatedJobs:\n  - name: w\n    " + tc.rjob + "\n"
			pods := jobSetTestPods(t, doc)
			if len(pods) != 1 {
				t.Fatalf("%d pods, want 1", len(pods))
			}
			if pods[0].Replicas != tc.want {
				t.Errorf("replicas %d, want %d", pods[0].Replicas, tc.want)
			}
			if pods[0].MinReplicas != nil || pods[0].MaxReplicas != nil {
				t.Errorf("min/max set on JobSet pods")
			}
		})
	}
}

func TestJobSetPodLabelsAndDefaults(t *testing.T) {
	pods := jobSetTestPods(t, jobSetTwoJobs)
	if len(pods) != 2 {
		t.Fatalf("%d pods, want 2", len(pods))
	}
	driver, workers := pods[0], pods[1]
	for _, tc := range []struct {
		pod                        Pod
		role, specPath, name, host string
		replicas                   int32
		labels                     map[string]string
	}{
		{driver, "driver", "spec.replicatedJobs[0].template.spec.template.spec", "train-driver", "train-driver-0-0", 1, map[string]string{
			"app":                                       "driver",
			"jobset.sigs.k8s.io/jobset-name":            "train",
			"jobset.sigs.k8s.io/replicatedjob-name":     "driver",
			"jobset.sigs.k8s.io/replicatedjob-replicas": "1",
			"jobset.sigs.k8s.io/global-replicas":        "4",
			"jobset.sigs.k8s.io/job-index":              "0",
			"jobset.sigs.k8s.io/job-global-index":       "0",
			"jobset.sigs.k8s.io/job-key":                "1db2e514fc059cf435afbda7a375509c5e95a148",
			"jobset.sigs.k8s.io/group-name":             "default",
			"jobset.sigs.k8s.io/group-replicas":         "1",
			"jobset.sigs.k8s.io/job-group-index":        "0",
			"jobset.sigs.k8s.io/restart-attempt":        "0",
			"batch.kubernetes.io/job-name":              "train-driver-0",
			"job-name":                                  "train-driver-0",
			"batch.kubernetes.io/job-completion-index":  "0",
		}},
		{workers, "workers", "spec.replicatedJobs[1].template.spec.template.spec", "train-workers", "train-workers-0-0", 12, map[string]string{
			"jobset.sigs.k8s.io/jobset-name":            "train",
			"jobset.sigs.k8s.io/replicatedjob-name":     "workers",
			"jobset.sigs.k8s.io/replicatedjob-replicas": "3",
			"jobset.sigs.k8s.io/global-replicas":        "4",
			"jobset.sigs.k8s.io/job-index":              "0",
			"jobset.sigs.k8s.io/job-global-index":       "1",
			"jobset.sigs.k8s.io/job-key":                "a3f1c52992af8e7a3ea54dd7ed60494bfd07cd13",
			"jobset.sigs.k8s.io/group-name":             "gpus",
			"jobset.sigs.k8s.io/group-replicas":         "3",
			"jobset.sigs.k8s.io/job-group-index":        "0",
			"jobset.sigs.k8s.io/restart-attempt":        "0",
			"batch.kubernetes.io/job-name":              "train-workers-0",
			"job-name":                                  "train-workers-0",
			"batch.kubernetes.io/job-completion-index":  "0",
		}},
	} {
		p := tc.pod
		if p.Role != tc.role || p.SpecPath != tc.specPath || p.Replicas != tc.replicas {
			t.Errorf("pod %s: role %q path %q replicas %d, want %q %q %d", tc.role, p.Role, p.SpecPath, p.Replicas, tc.role, tc.specPath, tc.replicas)
		}
		if p.Pod.Name != tc.name || p.Pod.Namespace != "team-a" {
			t.Errorf("pod %s: named %s/%s, want team-a/%s", tc.role, p.Pod.Namespace, p.Pod.Name, tc.name)
		}
		for k, v := range tc.labels {
			if got, ok := p.Pod.Labels[k]; !ok || got != v {
				t.Errorf("pod %s: label %s = %q (set %v), want %q", tc.role, k, got, ok, v)
			}
			if k != "app" && k != "job-name" && k != "batch.kubernetes.io/job-name" && p.Pod.Annotations[k] != v {
				t.Errorf("pod %s: annotation %s = %q, want %q", tc.role, k, p.Pod.Annotations[k], v)
			}
		}
		if len(p.Pod.Labels) != len(tc.labels) {
			t.Errorf("pod %s: labels %v, want exactly %v", tc.role, p.Pod.Labels, tc.labels)
		}
		if _, ok := p.Pod.Labels["jobset.sigs.k8s.io/jobset-uid"]; ok {
			t.Errorf("pod %s: an invented uid label", tc.role)
		}
		if p.Pod.Spec.Hostname != tc.host || p.Pod.Spec.Subdomain != "train" {
			t.Errorf("pod %s: hostname %q subdomain %q, want %q train", tc.role, p.Pod.Spec.Hostname, p.Pod.Spec.Subdomain, tc.host)
		}
	}
	if driver.Pod.Spec.RestartPolicy != corev1.RestartPolicyOnFailure {
		t.Errorf("driver restartPolicy %q, want the webhook's OnFailure", driver.Pod.Spec.RestartPolicy)
	}
	if workers.Pod.Spec.RestartPolicy != corev1.RestartPolicyNever {
		t.Errorf("workers restartPolicy %q, want Never as written", workers.Pod.Spec.RestartPolicy)
	}
	if driver.Pod.Spec.ServiceAccountName != "trainer" {
		t.Errorf("service account %q, want trainer", driver.Pod.Spec.ServiceAccountName)
	}
	if _, ok := workers.Pod.Labels["job-level"]; ok {
		t.Errorf("the Job template's labels reached the pods")
	}
	env := driver.Pod.Spec.Containers[0].Env
	if len(env) != 1 || env[0].Name != "JOB_COMPLETION_INDEX" || env[0].ValueFrom == nil ||
		env[0].ValueFrom.FieldRef.FieldPath != "metadata.labels['batch.kubernetes.io/job-completion-index']" {
		t.Errorf("driver env %+v, want JOB_COMPLETION_INDEX from the label", env)
	}
	if env := workers.Pod.Spec.Containers[0].Env; len(env) != 1 || env[0].Value != "kept" {
		t.Errorf("workers env %+v, want the written JOB_COMPLETION_INDEX kept", env)
	}
	// The templates are not edited by deriving pods.
	_, r, _ := testResource(t, jobSetTwoJobs)
	k, _ := Find(r.GVK)
	k.Pods(r, nil)
	if r.Templates[0].Spec.RestartPolicy != "" || len(r.Templates[0].Spec.Containers[0].Env) != 0 {
		t.Errorf("deriving pods edited the template: %+v", r.Templates[0].Spec)
	}
}

func TestJobSetNetworkCoordinatorPlacementVolumes(t *testing.T) {
	doc := `
apiVersion: jobset.x-k8s.io/v1alpha2
kind: JobSet
metadata:
  name: js
  namespace: ns
  annotations:
    alpha.jobset.sigs.k8s.io/exclusive-topology: cloud.google.com/gke-nodepool
    alpha.jobset.sigs.k8s.io/node-selector: "true"
spec:
  network:
    subdomain: sub
  coordinator:
    replicatedJob: leader
    jobIndex: 0
    podIndex: 1
  volumeClaimPolicies:
  - templates:
    - metadata:
        name: ckpt
      spec:
        accessModes: [ReadWriteOnce]
  replicatedJobs:
  - name: leader
    template:
      spec:
        completionMode: NonIndexed
        template:
          spec:
            containers:
            - name: c
              volumeMounts:
              - name: ckpt
                mountPath: /ckpt
`
	pods := jobSetTestPods(t, doc)
	if len(pods) != 1 {
		t.Fatalf("%d pods, want 1", len(pods))
	}
	p := pods[0].Pod
	if p.Spec.Subdomain != "sub" {
		t.Errorf("subdomain %q, want sub", p.Spec.Subdomain)
	}
	if got := p.Labels["jobset.sigs.k8s.io/coordinator"]; got != "js-leader-0-1.sub" {
		t.Errorf("coordinator %q, want js-leader-0-1.sub", got)
	}
	if p.Spec.NodeSelector["alpha.jobset.sigs.k8s.io/namespaced-job"] != "ns_js-leader-0" {
		t.Errorf("node selector %v, want the namespaced job", p.Spec.NodeSelector)
	}
	if len(p.Spec.Tolerations) != 1 || p.Spec.Tolerations[0].Key != "alpha.jobset.sigs.k8s.io/no-schedule" {
		t.Errorf("tolerations %+v, want the no-schedule one", p.Spec.Tolerations)
	}
	if len(p.Spec.Volumes) != 1 || p.Spec.Volumes[0].PersistentVolumeClaim == nil ||
		p.Spec.Volumes[0].PersistentVolumeClaim.ClaimName != "ckpt-js" {
		t.Errorf("volumes %+v, want the claim ckpt-js", p.Spec.Volumes)
	}
	// NonIndexed: no completion index, hostname or env.
	if _, ok := p.Labels["batch.kubernetes.io/job-completion-index"]; ok || p.Spec.Hostname != "" || len(p.Spec.Containers[0].Env) != 0 {
		t.Errorf("a NonIndexed pod got index details: labels %v hostname %q env %v", p.Labels, p.Spec.Hostname, p.Spec.Containers[0].Env)
	}
}

func TestJobSetDNSHostnamesOff(t *testing.T) {
	doc := `
apiVersion: jobset.x-k8s.io/v1alpha2
kind: JobSet
metadata: {name: js, namespace: ns}
spec:
  network: {enableDNSHostnames: false}
  replicatedJobs:
  - name: w
    template: {spec: {template: {spec: {containers: [{name: c}]}}}}
`
	p := jobSetTestPods(t, doc)[0].Pod
	if p.Spec.Subdomain != "" {
		t.Errorf("subdomain %q with DNS hostnames off, want none", p.Spec.Subdomain)
	}
	if p.Spec.Hostname != "js-w-0-0" {
		t.Errorf("hostname %q, want the Job controller's js-w-0-0", p.Spec.Hostname)
	}
}

func jobSetGVK() schema.GroupVersionKind {
	return schema.GroupVersionKind{Group: "jobset.x-k8s.io", Version: "v1alpha2", Kind: "JobSet"}
}
