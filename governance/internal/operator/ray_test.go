package operator

import (
	"math"
	"reflect"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"
)

// rayPodsOf derives the pods of doc with no other resources around.
func rayPodsOf(t *testing.T, doc string) []Pod {
	t.Helper()
	k, r, _ := testResource(t, doc)
	return k.Pods(r, noRayLookup)
}

func noRayLookup(schema.GroupKind, string, string) (*Resource, bool) { return nil, false }

const rayClusterDoc = `
apiVersion: ray.io/v1
kind: RayCluster
metadata:
  name: rc
  namespace: ml
spec:
  headGroupSpec:
    rayStartParams: {}
    template:
      metadata:
        labels:
          team: a
      spec:
        containers:
        - name: ray-head
          image: rayproject/ray:2.46.0
          ports:
          - name: gcs
            containerPort: 6379
  workerGroupSpecs:
  - groupName: cpu
    replicas: 2
    template:
      spec:
        containers:
        - name: ray-worker
          image: rayproject/ray:2.46.0
          imagePullPolicy: Always
          securityContext:
            runAsNonRoot: true
          resources:
            limits:
              cpu: "4"
  - groupName: gpu
    replicas: 3
    minReplicas: 1
    maxReplicas: 5
    template:
      spec:
        containers:
        - name: ray-worker
          image: rayproject/ray:2.46.0-gpu
          ports:
          - name: metrics
            containerPort: 9090
`

func TestRayKindsAreRegistered(t *testing.T) {
	for _, kind := range []string{"RayCluster", "RayJob", "RayService"} {
		k, ok := Find(schema.GroupVersionKind{Group: "ray.io", Version: "v1", Kind: kind})
		if !ok || k.Templates == nil || k.Pods == nil {
			t.Errorf("%s: found %v, with Templates and Pods: %v %v", kind, ok, k.Templates != nil, k.Pods != nil)
		}
		if _, ok := Find(schema.GroupVersionKind{Group: "ray.io", Version: "v1alpha1", Kind: kind}); ok {
			t.Errorf("%s v1alpha1 must not be supported", kind)
		}
	}
}

func TestRayTemplatePathsAndRoles(t *testing.T) {
	jobDoc := `
apiVersion: ray.io/v1
kind: RayJob
metadata: {name: job, namespace: ml}
spec:
  entrypoint: python train.py
  rayClusterSpec:
    headGroupSpec:
      template:
        spec:
          containers: [{name: head, image: ray}]
    workerGroupSpecs:
    - groupName: w
      template:
        spec:
          containers: [{name: w, image: ray}]
  submitterPodTemplate:
    spec:
      restartPolicy: Never
      containers: [{name: submit, image: ray}]
`
	serviceDoc := `
apiVersion: ray.io/v1
kind: RayService
metadata: {name: svc, namespace: ml}
spec:
  rayClusterConfig:
    headGroupSpec:
      template:
        spec:
          containers: [{name: head, image: ray}]
    workerGroupSpecs:
    - groupName: serve
      template:
        spec:
          containers: [{name: w, image: ray}]
`
	type pathRole struct{ path, role string }
	for _, tc := range []struct {
		name string
		doc  string
		want []pathRole
	}{
		{"RayCluster", rayClusterDoc, []pathRole{
			{"spec.headGroupSpec.template.spec", "head"},
			{"spec.workerGroupSpecs[0].template.spec", "worker group cpu"},
			{"spec.workerGroupSpecs[1].template.spec", "worker group gpu"},
		}},
		{"RayJob", jobDoc, []pathRole{
			{"spec.rayClusterSpec.headGroupSpec.template.spec", "head"},
			{"spec.rayClusterSpec.workerGroupSpecs[0].template.spec", "worker group w"},
			{"spec.submitterPodTemplate.spec", "submitter"},
		}},
		{"RayService", serviceDoc, []pathRole{
			{"spec.rayClusterConfig.headGroupSpec.template.spec", "head"},
			{"spec.rayClusterConfig.workerGroupSpecs[0].template.spec", "worker group serve"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, r, unknown := testResource(t, tc.doc)
			var got []pathRole
			for _, tmpl := range r.Templates {
				got = append(got, pathRole{tmpl.Path, tmpl.Role})
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("templates = %v, want %v", got, tc.want)
			}
			if len(unknown) != 0 {
				t.Errorf("unknown fields %v in a valid resource", unknown)
			}
		})
	}
}

func TestRayTemplatesReportUnknownFields(t *testing.T) {
	doc := strings.Replace(rayClusterDoc, "          imagePullPolicy: Always\n",
		"          imagePullPolicy: Always\n          privilegd: true\n", 1)
	_, _, unknown := testResource(t, doc)
	want := []string{"spec.workerGroupSpecs[0].template.spec.containers[0].privilegd"}
	if !reflect.DeepEqual(unknown, want) {
		t.Errorf("unknown = %v, want %v", unknown, want)
	}
}

func TestRayTemplatesRejectWrongTypes(t *testing.T) {
	k, _ := Find(schema.GroupVersionKind{Group: "ray.io", Version: "v1", Kind: "RayCluster"})
	job, _ := Find(schema.GroupVersionKind{Group: "ray.io", Version: "v1", Kind: "RayJob"})
	for _, tc := range []struct {
		name, doc, wantErr string
		kind               Kind
	}{
		{"head not an object", `spec: {headGroupSpec: x}`, "spec.headGroupSpec: not an object", k},
		{"groups not a list", `spec: {workerGroupSpecs: {a: 1}}`, "spec.workerGroupSpecs: not a list", k},
		{"group not an object", `spec: {workerGroupSpecs: [3]}`, "spec.workerGroupSpecs[0]: not an object", k},
		{"containers of the wrong type", `spec: {workerGroupSpecs: [{groupName: g, template: {spec: {containers: 3}}}]}`,
			"spec.workerGroupSpecs[0].template", k},
		{"cluster spec not an object", `spec: {rayClusterSpec: [1]}`, "spec.rayClusterSpec: not an object", job},
		{"submitter of the wrong type", `spec: {submitterPodTemplate: {spec: {containers: x}}}`, "spec.submitterPodTemplate", job},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var obj map[string]any
			if err := yaml.Unmarshal([]byte(tc.doc), &obj); err != nil {
				t.Fatal(err)
			}
			_, _, err := tc.kind.Templates(obj)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error = %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestRayWorkerReplicaCounts(t *testing.T) {
	i32 := func(v int32) *int32 { return &v }
	for _, tc := range []struct {
		name             string
		group            string // fields of the worker group besides name and template
		clusterSuspended bool
		want             int32
		wantMin, wantMax *int32
	}{
		{"CRD defaults: no replicas means 0", ``, false, 0, i32(0), i32(math.MaxInt32)},
		{"replicas as written", `replicas: 3`, false, 3, i32(0), i32(math.MaxInt32)},
		{"raised to minReplicas", `{replicas: 1, minReplicas: 2, maxReplicas: 4}`, false, 2, i32(2), i32(4)},
		{"absent replicas take minReplicas", `{minReplicas: 2}`, false, 2, i32(2), i32(math.MaxInt32)},
		{"cut to maxReplicas", `{replicas: 9, maxReplicas: 4}`, false, 4, i32(0), i32(4)},
		{"min above max gives max", `{replicas: 3, minReplicas: 5, maxReplicas: 2}`, false, 2, i32(5), i32(2)},
		{"multi-host replicas", `{replicas: 2, minReplicas: 1, maxReplicas: 3, numOfHosts: 4}`, false, 8, i32(4), i32(12)},
		{"headroom saturates", `{replicas: 2, numOfHosts: 2}`, false, 4, i32(0), i32(math.MaxInt32)},
		{"numOfHosts 0 as written", `{replicas: 2, numOfHosts: 0}`, false, 0, i32(0), i32(0)},
		{"suspended group", `{replicas: 2, minReplicas: 1, maxReplicas: 3, suspend: true}`, false, 0, i32(0), i32(0)},
		{"suspended cluster keeps the bounds", `{replicas: 2, minReplicas: 1, maxReplicas: 3}`, true, 0, i32(1), i32(3)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fields := ""
			if tc.group != "" {
				if strings.HasPrefix(tc.group, "{") {
					fields = ", " + strings.Trim(tc.group, "{}")
				} else {
					fields = ", " + tc.group
				}
			}
			doc := `
apiVersion: ray.io/v1
kind: RayCluster
metadata: {name: rc, namespace: ml}
spec:
  suspend: ` + map[bool]string{true: "true", false: "false"}[tc.clusterSuspended] + `
  headGroupSpec:
    template: {spec: {containers: [{name: head, image: ray}]}}
  workerGroupSpecs:
  - {groupName: g` + fields + `, template: {spec: {containers: [{name: w, image: ray}]}}}
`
			pods := rayPodsOf(t, doc)
			w := testPodOfRole(t, pods, "worker group g")
			if w.Replicas != tc.want {
				t.Errorf("replicas = %d, want %d", w.Replicas, tc.want)
			}
			if !reflect.DeepEqual(w.MinReplicas, tc.wantMin) || !reflect.DeepEqual(w.MaxReplicas, tc.wantMax) {
				t.Errorf("min, max = %v, %v; want %v, %v", deref(w.MinReplicas), deref(w.MaxReplicas), deref(tc.wantMin), deref(tc.wantMax))
			}
			head := testPodOfRole(t, pods, "head")
			wantHead := int32(1)
			if tc.clusterSuspended {
				wantHead = 0
			}
			if head.Replicas != wantHead || head.MinReplicas != nil || head.MaxReplicas != nil {
				t.Errorf("head replicas = %d (min %v, max %v), want %d and no bounds", head.Replicas, head.MinReplicas, head.MaxReplicas, wantHead)
			}
		})
	}
}

func deref(p *int32) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestRayClusterPods(t *testing.T) {
	pods := rayPodsOf(t, rayClusterDoc)
	if len(pods) != 3 {
		t.Fatalf("%d pods, want head and two worker groups", len(pods))
	}
	head := testPodOfRole(t, pods, "head")
	if head.SpecPath != "spec.headGroupSpec.template.spec" || head.Pod.Name != "rc-head" || head.Pod.Namespace != "ml" {
		t.Errorf("head at %s named %s/%s", head.SpecPath, head.Pod.Namespace, head.Pod.Name)
	}
	wantHeadLabels := map[string]string{
		"ray.io/is-ray-node": "yes", "ray.io/cluster": "rc", "ray.io/node-type": "head", "ray.io/group": "headgroup",
		"ray.io/identifier": "rc-head", "app.kubernetes.io/name": "kuberay", "app.kubernetes.io/created-by": "kuberay-operator",
		"team": "a",
	}
	if !reflect.DeepEqual(head.Pod.Labels, wantHeadLabels) {
		t.Errorf("head labels = %v, want %v", head.Pod.Labels, wantHeadLabels)
	}
	wantHeadPorts := []corev1.ContainerPort{{Name: "gcs", ContainerPort: 6379}, {Name: "metrics", ContainerPort: 8080}}
	if got := head.Pod.Spec.Containers[0].Ports; !reflect.DeepEqual(got, wantHeadPorts) {
		t.Errorf("head ports = %v, want %v", got, wantHeadPorts)
	}
	if len(head.Pod.Spec.Containers) != 1 || len(head.Pod.Spec.InitContainers) != 0 || head.Pod.Spec.ServiceAccountName != "" {
		t.Errorf("head without autoscaling gained containers %v, init containers %v or service account %q",
			head.Pod.Spec.Containers, head.Pod.Spec.InitContainers, head.Pod.Spec.ServiceAccountName)
	}

	cpu := testPodOfRole(t, pods, "worker group cpu")
	if cpu.Pod.Name != "rc-cpu-worker" || cpu.SpecPath != "spec.workerGroupSpecs[0].template.spec" || cpu.Replicas != 2 {
		t.Errorf("cpu group: %s at %s x%d", cpu.Pod.Name, cpu.SpecPath, cpu.Replicas)
	}
	if cpu.Pod.Labels["ray.io/node-type"] != "worker" || cpu.Pod.Labels["ray.io/group"] != "cpu" || cpu.Pod.Labels["ray.io/identifier"] != "rc-worker" {
		t.Errorf("cpu group labels = %v", cpu.Pod.Labels)
	}
	if len(cpu.Pod.Spec.InitContainers) != 1 {
		t.Fatalf("worker init containers = %v, want wait-gcs-ready", cpu.Pod.Spec.InitContainers)
	}
	wait := cpu.Pod.Spec.InitContainers[0]
	wantWaitRes := corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("200m"), corev1.ResourceMemory: resource.MustParse("256Mi")}
	if wait.Name != "wait-gcs-ready" || wait.Image != "rayproject/ray:2.46.0" || wait.ImagePullPolicy != corev1.PullAlways ||
		wait.SecurityContext == nil || wait.SecurityContext.RunAsNonRoot == nil || !*wait.SecurityContext.RunAsNonRoot ||
		!reflect.DeepEqual(wait.Resources.Requests, wantWaitRes) || !reflect.DeepEqual(wait.Resources.Limits, wantWaitRes) {
		t.Errorf("wait-gcs-ready = %+v", wait)
	}
	if got := cpu.Pod.Spec.Containers[0].Ports; !reflect.DeepEqual(got, []corev1.ContainerPort{{Name: "metrics", ContainerPort: 8080}}) {
		t.Errorf("cpu ports = %v, want the metrics port added", got)
	}

	gpu := testPodOfRole(t, pods, "worker group gpu")
	if got := gpu.Pod.Spec.Containers[0].Ports; !reflect.DeepEqual(got, []corev1.ContainerPort{{Name: "metrics", ContainerPort: 9090}}) {
		t.Errorf("gpu ports = %v: a port named metrics is kept and no other added", got)
	}
	if gpu.Replicas != 3 || *gpu.MinReplicas != 1 || *gpu.MaxReplicas != 5 {
		t.Errorf("gpu replicas %d in [%d, %d], want 3 in [1, 5]", gpu.Replicas, *gpu.MinReplicas, *gpu.MaxReplicas)
	}
}

func TestRayLabelOverrides(t *testing.T) {
	doc := `
apiVersion: ray.io/v1
kind: RayCluster
metadata: {name: rc, namespace: ml}
spec:
  headGroupSpec:
    labels: {tier: from-group}
    template:
      metadata:
        labels:
          tier: from-template
          ray.io/node-type: worker
          ray.io/cluster: other
          ray.io/group: mine
          ray.io/identifier: custom-id
          app.kubernetes.io/name: my-app
          ray.io/is-ray-node: "no"
      spec:
        containers: [{name: head, image: ray}]
`
	head := testPodOfRole(t, rayPodsOf(t, doc), "head")
	want := map[string]string{
		"ray.io/is-ray-node": "no", "ray.io/cluster": "rc", "ray.io/node-type": "head", "ray.io/group": "headgroup",
		"ray.io/identifier": "custom-id", "app.kubernetes.io/name": "my-app", "app.kubernetes.io/created-by": "kuberay-operator",
		"tier": "from-group",
	}
	if !reflect.DeepEqual(head.Pod.Labels, want) {
		t.Errorf("labels = %v, want %v", head.Pod.Labels, want)
	}
}

func TestRayAutoscaler(t *testing.T) {
	for _, tc := range []struct {
		name, cluster, headSA, options string
		wantSA, wantImage              string
		wantPull                       corev1.PullPolicy
		wantCPU                        string
		wantRestart                    corev1.RestartPolicy
		wantPrivileged                 bool
	}{
		{name: "default service account is the cluster's name", cluster: "rc", wantSA: "rc",
			wantImage: "rayproject/ray:2.46.0", wantPull: corev1.PullIfNotPresent, wantCPU: "500m"},
		{name: "template service account kept", cluster: "rc", headSA: "ray-head", wantSA: "ray-head",
			wantImage: "rayproject/ray:2.46.0", wantPull: corev1.PullIfNotPresent, wantCPU: "500m"},
		{name: "long name keeps its last 50 characters", cluster: "c" + strings.Repeat("x", 59),
			wantSA: strings.Repeat("x", 50), wantImage: "rayproject/ray:2.46.0", wantPull: corev1.PullIfNotPresent, wantCPU: "500m"},
		{name: "leading digit replaced", cluster: "rc", headSA: "1sa", wantSA: "rsa",
			wantImage: "rayproject/ray:2.46.0", wantPull: corev1.PullIfNotPresent, wantCPU: "500m"},
		{name: "options override; v2 never restarts", cluster: "rc",
			options: `{version: v2, image: "my/autoscaler:1", imagePullPolicy: Always, resources: {requests: {cpu: "1"}}, securityContext: {privileged: true}}`,
			wantSA:  "rc", wantImage: "my/autoscaler:1", wantPull: corev1.PullAlways, wantCPU: "1",
			wantRestart: corev1.RestartPolicyNever, wantPrivileged: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := ""
			if tc.options != "" {
				opts = "\n  autoscalerOptions: " + tc.options
			}
			sa := ""
			if tc.headSA != "" {
				sa = "serviceAccountName: " + tc.headSA + ", "
			}
			doc := `
apiVersion: ray.io/v1
kind: RayCluster
metadata: {name: ` + tc.cluster + `, namespace: ml}
spec:
  enableInTreeAutoscaling: true` + opts + `
  headGroupSpec:
    template: {spec: {` + sa + `containers: [{name: head, image: "rayproject/ray:2.46.0"}]}}
  workerGroupSpecs:
  - {groupName: g, template: {spec: {containers: [{name: w, image: ray}]}}}
`
			pods := rayPodsOf(t, doc)
			head := testPodOfRole(t, pods, "head").Pod
			if head.Spec.ServiceAccountName != tc.wantSA {
				t.Errorf("service account = %q, want %q", head.Spec.ServiceAccountName, tc.wantSA)
			}
			if len(head.Spec.Containers) != 2 || head.Spec.Containers[1].Name != "autoscaler" {
				t.Fatalf("head containers = %v, want the Ray container and the autoscaler", head.Spec.Containers)
			}
			a := head.Spec.Containers[1]
			if a.Image != tc.wantImage || a.ImagePullPolicy != tc.wantPull || a.Resources.Requests.Cpu().String() != tc.wantCPU {
				t.Errorf("autoscaler image %s, pull %s, cpu %s; want %s, %s, %s", a.Image, a.ImagePullPolicy,
					a.Resources.Requests.Cpu(), tc.wantImage, tc.wantPull, tc.wantCPU)
			}
			if got := a.SecurityContext != nil && a.SecurityContext.Privileged != nil && *a.SecurityContext.Privileged; got != tc.wantPrivileged {
				t.Errorf("autoscaler privileged = %v, want %v", got, tc.wantPrivileged)
			}
			worker := testPodOfRole(t, pods, "worker group g").Pod
			if head.Spec.RestartPolicy != tc.wantRestart || worker.Spec.RestartPolicy != tc.wantRestart {
				t.Errorf("restart policies head %q worker %q, want %q", head.Spec.RestartPolicy, worker.Spec.RestartPolicy, tc.wantRestart)
			}
			if worker.Spec.ServiceAccountName != "" {
				t.Errorf("worker service account = %q, want it untouched", worker.Spec.ServiceAccountName)
			}
		})
	}
}

func TestRayPodNames(t *testing.T) {
	long := strings.Repeat("a", 45)
	doc := `
apiVersion: ray.io/v1
kind: RayCluster
metadata: {name: ` + long + `, namespace: ml}
spec:
  headGroupSpec:
    template: {spec: {containers: [{name: head, image: ray}]}}
  workerGroupSpecs:
  - {groupName: GPU-Group, template: {spec: {containers: [{name: w, image: ray}]}}}
`
	pods := rayPodsOf(t, doc)
	if got := testPodOfRole(t, pods, "head").Pod.Name; got != long+"-head" {
		t.Errorf("head name = %q", got)
	}
	if got, want := testPodOfRole(t, pods, "worker group GPU-Group").Pod.Name, strings.ToLower(long+"-GPU-")+"-worker"; got != want {
		t.Errorf("worker name = %q, want %q (prefix cut to 50, lower case)", got, want)
	}
}

func TestRayServicePods(t *testing.T) {
	doc := `
apiVersion: ray.io/v1
kind: RayService
metadata: {name: llm, namespace: serve}
spec:
  rayClusterConfig:
    headGroupSpec:
      template:
        metadata: {labels: {ray.io/serve: "true"}}
        spec: {containers: [{name: head, image: ray}]}
    workerGroupSpecs:
    - {groupName: gpu, replicas: 2, template: {spec: {containers: [{name: w, image: ray}]}}}
`
	pods := rayPodsOf(t, doc)
	head := testPodOfRole(t, pods, "head")
	if head.SpecPath != "spec.rayClusterConfig.headGroupSpec.template.spec" || head.Pod.Labels["ray.io/serve"] != "false" ||
		head.Pod.Labels["ray.io/cluster"] != "llm" || head.Pod.Name != "llm-head" {
		t.Errorf("head at %s named %s labels %v: want serve=false (the operator's value wins) and the service's name as the cluster",
			head.SpecPath, head.Pod.Name, head.Pod.Labels)
	}
	w := testPodOfRole(t, pods, "worker group gpu")
	if w.Replicas != 2 || w.Pod.Labels["ray.io/serve"] != "true" || w.SpecPath != "spec.rayClusterConfig.workerGroupSpecs[0].template.spec" {
		t.Errorf("worker x%d at %s labels %v", w.Replicas, w.SpecPath, w.Pod.Labels)
	}

	// A RayCluster the RayService controller created carries the label
	// that makes the operator add ray.io/serve.
	cluster := `
apiVersion: ray.io/v1
kind: RayCluster
metadata: {name: llm-abcde, namespace: serve, labels: {ray.io/originated-from-crd: RayService}}
spec:
  headGroupSpec:
    template: {spec: {containers: [{name: head, image: ray}]}}
  workerGroupSpecs:
  - {groupName: gpu, template: {spec: {containers: [{name: w, image: ray}]}}}
`
	cpods := rayPodsOf(t, cluster)
	if got := testPodOfRole(t, cpods, "worker group gpu").Pod.Labels["ray.io/serve"]; got != "true" {
		t.Errorf("RayCluster from a RayService: worker ray.io/serve = %q, want true", got)
	}
	if got := testPodOfRole(t, rayPodsOf(t, rayClusterDoc), "head").Pod.Labels["ray.io/serve"]; got != "" {
		t.Errorf("plain RayCluster: ray.io/serve = %q, want none", got)
	}
}

const rayJobDoc = `
apiVersion: ray.io/v1
kind: RayJob
metadata: {name: train, namespace: ml}
spec:
  entrypoint: python train.py
  rayClusterSpec:
    headGroupSpec:
      template: {spec: {containers: [{name: head, image: "rayproject/ray:2.46.0"}]}}
    workerGroupSpecs:
    - {groupName: gpu, replicas: 2, template: {spec: {containers: [{name: w, image: ray}]}}}
`

func TestRayJobPods(t *testing.T) {
	defaultSubmitter := func(t *testing.T, p Pod) {
		t.Helper()
		c := p.Pod.Spec.Containers
		if len(c) != 1 || c[0].Name != "ray-job-submitter" || c[0].Image != "rayproject/ray:2.46.0" ||
			c[0].Resources.Requests.Cpu().String() != "500m" || c[0].Resources.Requests.Memory().String() != "200Mi" ||
			c[0].Resources.Limits.Cpu().String() != "1" || c[0].Resources.Limits.Memory().String() != "1Gi" {
			t.Errorf("submitter containers = %+v", c)
		}
		if p.Pod.Spec.RestartPolicy != corev1.RestartPolicyNever {
			t.Errorf("submitter restart policy = %q", p.Pod.Spec.RestartPolicy)
		}
	}
	t.Run("K8sJobMode default submitter", func(t *testing.T) {
		pods := rayPodsOf(t, rayJobDoc)
		if len(pods) != 3 {
			t.Fatalf("%d pods, want head, worker group and submitter", len(pods))
		}
		head := testPodOfRole(t, pods, "head")
		if head.SpecPath != "spec.rayClusterSpec.headGroupSpec.template.spec" || head.Pod.Labels["ray.io/cluster"] != "train" || len(head.Pod.Spec.Containers) != 1 {
			t.Errorf("head at %s labels %v containers %d", head.SpecPath, head.Pod.Labels, len(head.Pod.Spec.Containers))
		}
		sub := testPodOfRole(t, pods, "submitter")
		if sub.Replicas != 1 || sub.SpecPath != "spec.entrypoint" || sub.Pod.Name != "train" ||
			sub.Pod.Labels["batch.kubernetes.io/job-name"] != "train" || sub.Pod.Labels["job-name"] != "train" {
			t.Errorf("submitter x%d at %s named %s labels %v", sub.Replicas, sub.SpecPath, sub.Pod.Name, sub.Pod.Labels)
		}
		defaultSubmitter(t, sub)
	})
	t.Run("submitterPodTemplate", func(t *testing.T) {
		doc := rayJobDoc + `
  submitterPodTemplate:
    metadata: {labels: {app: submit}}
    spec:
      restartPolicy: OnFailure
      containers: [{name: custom, image: "me/submit:1"}]
`
		sub := testPodOfRole(t, rayPodsOf(t, doc), "submitter")
		if sub.SpecPath != "spec.submitterPodTemplate.spec" || sub.Pod.Spec.Containers[0].Name != "custom" ||
			sub.Pod.Spec.RestartPolicy != corev1.RestartPolicyOnFailure || sub.Pod.Labels["app"] != "submit" || sub.Pod.Labels["job-name"] != "train" {
			t.Errorf("submitter at %s: %+v", sub.SpecPath, sub.Pod)
		}
	})
	t.Run("SidecarMode", func(t *testing.T) {
		pods := rayPodsOf(t, strings.Replace(rayJobDoc, "  entrypoint:", "  submissionMode: SidecarMode\n  entrypoint:", 1))
		if len(pods) != 2 {
			t.Fatalf("%d pods, want head and worker group only", len(pods))
		}
		head := testPodOfRole(t, pods, "head").Pod
		if len(head.Spec.Containers) != 2 || head.Spec.RestartPolicy != corev1.RestartPolicyNever {
			t.Fatalf("head containers %v restart %q", head.Spec.Containers, head.Spec.RestartPolicy)
		}
		defaultSubmitter(t, Pod{Pod: &corev1.Pod{Spec: corev1.PodSpec{Containers: head.Spec.Containers[1:], RestartPolicy: head.Spec.RestartPolicy}}})
	})
	for _, mode := range []string{"HTTPMode", "InteractiveMode"} {
		t.Run(mode, func(t *testing.T) {
			pods := rayPodsOf(t, strings.Replace(rayJobDoc, "  entrypoint:", "  submissionMode: "+mode+"\n  entrypoint:", 1))
			if len(pods) != 2 || len(testPodOfRole(t, pods, "head").Pod.Spec.Containers) != 1 {
				t.Errorf("%d pods, want head and worker group, no submitter", len(pods))
			}
		})
	}
	t.Run("suspended", func(t *testing.T) {
		pods := rayPodsOf(t, strings.Replace(rayJobDoc, "  entrypoint:", "  suspend: true\n  entrypoint:", 1))
		if len(pods) != 3 {
			t.Fatalf("%d pods", len(pods))
		}
		for _, p := range pods {
			if p.Replicas != 0 {
				t.Errorf("%s: %d replicas of a suspended RayJob", p.Role, p.Replicas)
			}
		}
	})
	t.Run("clusterSelector", func(t *testing.T) {
		doc := `
apiVersion: ray.io/v1
kind: RayJob
metadata: {name: adhoc, namespace: ml}
spec:
  entrypoint: python x.py
  clusterSelector: {ray.io/cluster: shared}
`
		k, r, _ := testResource(t, doc)
		if pods := k.Pods(r, noRayLookup); len(pods) != 0 {
			t.Errorf("without the selected cluster: %d pods, want none", len(pods))
		}
		_, shared, _ := testResource(t, strings.Replace(rayClusterDoc, "name: rc", "name: shared", 1))
		lookup := func(gk schema.GroupKind, ns, name string) (*Resource, bool) {
			if gk.Kind == "RayCluster" && ns == "ml" && name == "shared" {
				return shared, true
			}
			return nil, false
		}
		pods := k.Pods(r, lookup)
		if len(pods) != 1 || pods[0].Role != "submitter" || pods[0].Pod.Spec.Containers[0].Image != "rayproject/ray:2.46.0" {
			t.Errorf("with the selected cluster: %+v, want only a submitter running its head image", pods)
		}
	})
}
