package operator

import (
	"reflect"
	"strconv"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// kubeflowTestPods derives the pods of doc.
func kubeflowTestPods(t *testing.T, doc string) []Pod {
	t.Helper()
	k, r, unknown := testResource(t, doc)
	if len(unknown) > 0 {
		t.Fatalf("unexpected unknown fields %v", unknown)
	}
	return k.Pods(r, func(schema.GroupKind, string, string) (*Resource, bool) { return nil, false })
}

// kubeflowTestPorts lists the ports of c as name:number.
func kubeflowTestPorts(c *corev1.Container) []string {
	var out []string
	for _, p := range c.Ports {
		out = append(out, p.Name+":"+strconv.Itoa(int(p.ContainerPort)))
	}
	return out
}

func TestKubeflowKindsAreRegistered(t *testing.T) {
	for _, gvk := range []schema.GroupVersionKind{
		{Group: "kubeflow.org", Version: "v1", Kind: "PyTorchJob"},
		{Group: "kubeflow.org", Version: "v1", Kind: "TFJob"},
		{Group: "kubeflow.org", Version: "v1", Kind: "XGBoostJob"},
		{Group: "kubeflow.org", Version: "v1", Kind: "PaddleJob"},
		{Group: "kubeflow.org", Version: "v1", Kind: "JAXJob"},
		{Group: "kubeflow.org", Version: "v2beta1", Kind: "MPIJob"},
		{Group: "kubeflow.org", Version: "v1", Kind: "Notebook"},
		{Group: "kubeflow.org", Version: "v1beta1", Kind: "Notebook"},
	} {
		if _, ok := Find(gvk); !ok {
			t.Errorf("%s is not supported", gvk)
		}
	}
	// The training-operator's v1 MPIJob is not the mpi-operator's.
	if _, ok := Find(schema.GroupVersionKind{Group: "kubeflow.org", Version: "v1", Kind: "MPIJob"}); ok {
		t.Error("kubeflow.org/v1 MPIJob should not be supported")
	}
}

// kubeflowPodWant is what one derived pod must be.
type kubeflowPodWant struct {
	role, path, name string
	replicas         int32
	labels           map[string]string
	// container is the container the default port goes to; ports its
	// ports after defaulting.
	container     string
	ports         []string
	restartPolicy corev1.RestartPolicy
}

func TestKubeflowTrainingJobPods(t *testing.T) {
	labels := func(controller, job, rtype string, master bool) map[string]string {
		l := map[string]string{
			"training.kubeflow.org/operator-name": controller,
			"training.kubeflow.org/job-name":      job,
			"training.kubeflow.org/replica-type":  rtype,
			"training.kubeflow.org/replica-index": "0",
		}
		if master {
			l["training.kubeflow.org/job-role"] = "master"
		}
		return l
	}
	cases := []struct {
		name string
		doc  string
		want []kubeflowPodWant
	}{{
		name: "pytorch master and workers",
		doc: `
apiVersion: kubeflow.org/v1
kind: PyTorchJob
metadata: {name: llm, namespace: ml}
spec:
  pytorchReplicaSpecs:
    Master:
      replicas: 1
      template:
        metadata: {labels: {app: llm, training.kubeflow.org/job-role: none}}
        spec:
          containers: [{name: pytorch, image: torch}]
    Worker:
      replicas: 3
      restartPolicy: ExitCode
      template:
        spec:
          containers:
          - {name: sidecar, image: proxy}
          - {name: pytorch, image: torch}
`,
		want: []kubeflowPodWant{
			{role: "Master", path: "spec.pytorchReplicaSpecs[Master].template.spec", name: "llm-master", replicas: 1,
				// The operator's job-role overrides the template's.
				labels:    kubeflowMergeLabels(labels("pytorchjob-controller", "llm", "master", true), map[string]string{"app": "llm"}),
				container: "pytorch", ports: []string{"pytorchjob-port:23456"}, restartPolicy: corev1.RestartPolicyOnFailure},
			{role: "Worker", path: "spec.pytorchReplicaSpecs[Worker].template.spec", name: "llm-worker", replicas: 3,
				labels:    labels("pytorchjob-controller", "llm", "worker", false),
				container: "pytorch", ports: []string{"pytorchjob-port:23456"}, restartPolicy: corev1.RestartPolicyNever},
		},
	}, {
		name: "pytorch workers only: worker 0 is master, left out of a group of 2",
		doc: `
apiVersion: kubeflow.org/v1
kind: PyTorchJob
metadata: {name: ddp, namespace: ml}
spec:
  pytorchReplicaSpecs:
    Worker:
      replicas: 2
      template:
        spec:
          containers: [{name: pytorch, image: torch, ports: [{name: pytorchjob-port, containerPort: 29500}]}]
`,
		want: []kubeflowPodWant{
			{role: "Worker", path: "spec.pytorchReplicaSpecs[Worker].template.spec", name: "ddp-worker", replicas: 2,
				labels:    labels("pytorchjob-controller", "ddp", "worker", false),
				container: "pytorch", ports: []string{"pytorchjob-port:29500"}, restartPolicy: corev1.RestartPolicyOnFailure},
		},
	}, {
		name: "pytorch one worker is the master",
		doc: `
apiVersion: kubeflow.org/v1
kind: PyTorchJob
metadata: {name: one, namespace: ml}
spec:
  pytorchReplicaSpecs:
    Worker:
      template:
        spec:
          containers: [{name: pytorch, image: torch}]
`,
		want: []kubeflowPodWant{
			{role: "Worker", path: "spec.pytorchReplicaSpecs[Worker].template.spec", name: "one-worker", replicas: 1,
				labels:    labels("pytorchjob-controller", "one", "worker", true),
				container: "pytorch", ports: []string{"pytorchjob-port:23456"}, restartPolicy: corev1.RestartPolicyOnFailure},
		},
	}, {
		name: "pytorch keys in other case are renamed; paths keep them",
		doc: `
apiVersion: kubeflow.org/v1
kind: PyTorchJob
metadata: {name: mixed, namespace: ml}
spec:
  pytorchReplicaSpecs:
    WORKER:
      replicas: 2
      template:
        spec:
          containers: [{name: pytorch, image: torch}]
    master:
      template:
        spec:
          containers: [{name: pytorch, image: torch}]
`,
		want: []kubeflowPodWant{
			{role: "Master", path: "spec.pytorchReplicaSpecs[master].template.spec", name: "mixed-master", replicas: 1,
				labels:    labels("pytorchjob-controller", "mixed", "master", true),
				container: "pytorch", ports: []string{"pytorchjob-port:23456"}, restartPolicy: corev1.RestartPolicyOnFailure},
			{role: "Worker", path: "spec.pytorchReplicaSpecs[WORKER].template.spec", name: "mixed-worker", replicas: 2,
				labels:    labels("pytorchjob-controller", "mixed", "worker", false),
				container: "pytorch", ports: []string{"pytorchjob-port:23456"}, restartPolicy: corev1.RestartPolicyOnFailure},
		},
	}, {
		name: "tfjob chief is master, ps and workers are not, unknown types make pods",
		doc: `
apiVersion: kubeflow.org/v1
kind: TFJob
metadata: {name: tf, namespace: ml}
spec:
  tfReplicaSpecs:
    Worker:
      replicas: 1
      template: {spec: {containers: [{name: tensorflow, image: tf}]}}
    PS:
      replicas: 2
      restartPolicy: Always
      template: {spec: {containers: [{name: tensorflow, image: tf}]}}
    chief:
      template: {spec: {containers: [{name: tensorflow, image: tf}]}}
    evaluator:
      template: {spec: {containers: [{name: tensorflow, image: tf}]}}
    Tuner:
      template: {spec: {containers: [{name: main, image: tf}]}}
`,
		want: []kubeflowPodWant{
			{role: "PS", path: "spec.tfReplicaSpecs[PS].template.spec", name: "tf-ps", replicas: 2,
				labels:    labels("tfjob-controller", "tf", "ps", false),
				container: "tensorflow", ports: []string{"tfjob-port:2222"}, restartPolicy: corev1.RestartPolicyAlways},
			{role: "Worker", path: "spec.tfReplicaSpecs[Worker].template.spec", name: "tf-worker", replicas: 1,
				labels:    labels("tfjob-controller", "tf", "worker", false),
				container: "tensorflow", ports: []string{"tfjob-port:2222"}, restartPolicy: corev1.RestartPolicyNever},
			{role: "Chief", path: "spec.tfReplicaSpecs[chief].template.spec", name: "tf-chief", replicas: 1,
				labels:    labels("tfjob-controller", "tf", "chief", true),
				container: "tensorflow", ports: []string{"tfjob-port:2222"}, restartPolicy: corev1.RestartPolicyNever},
			{role: "Evaluator", path: "spec.tfReplicaSpecs[evaluator].template.spec", name: "tf-evaluator", replicas: 1,
				labels:    labels("tfjob-controller", "tf", "evaluator", false),
				container: "tensorflow", ports: []string{"tfjob-port:2222"}, restartPolicy: corev1.RestartPolicyNever},
			{role: "Tuner", path: "spec.tfReplicaSpecs[Tuner].template.spec", name: "tf-tuner", replicas: 1,
				labels:    labels("tfjob-controller", "tf", "tuner", false),
				container: "main", ports: []string{"tfjob-port:2222"}, restartPolicy: corev1.RestartPolicyNever},
		},
	}, {
		name: "tfjob without chief: the single worker is master",
		doc: `
apiVersion: kubeflow.org/v1
kind: TFJob
metadata: {name: tf, namespace: ml}
spec:
  tfReplicaSpecs:
    Worker:
      template: {spec: {containers: [{name: tensorflow, image: tf}]}}
    PS:
      template: {spec: {containers: [{name: tensorflow, image: tf}]}}
`,
		want: []kubeflowPodWant{
			{role: "PS", path: "spec.tfReplicaSpecs[PS].template.spec", name: "tf-ps", replicas: 1,
				labels:    labels("tfjob-controller", "tf", "ps", false),
				container: "tensorflow", ports: []string{"tfjob-port:2222"}, restartPolicy: corev1.RestartPolicyNever},
			{role: "Worker", path: "spec.tfReplicaSpecs[Worker].template.spec", name: "tf-worker", replicas: 1,
				labels:    labels("tfjob-controller", "tf", "worker", true),
				container: "tensorflow", ports: []string{"tfjob-port:2222"}, restartPolicy: corev1.RestartPolicyNever},
		},
	}, {
		name: "xgboost: port on container 0 without a default-named container",
		doc: `
apiVersion: kubeflow.org/v1
kind: XGBoostJob
metadata: {name: xgb, namespace: ml}
spec:
  xgbReplicaSpecs:
    Master:
      template: {spec: {containers: [{name: main, image: xgb, ports: [{name: http, containerPort: 8080}]}, {name: side, image: s}]}}
    Worker:
      replicas: 4
      template: {spec: {containers: [{name: xgboost, image: xgb}]}}
`,
		want: []kubeflowPodWant{
			{role: "Master", path: "spec.xgbReplicaSpecs[Master].template.spec", name: "xgb-master", replicas: 1,
				labels:    labels("xgboostjob-controller", "xgb", "master", true),
				container: "main", ports: []string{"http:8080", "xgboostjob-port:9999"}, restartPolicy: corev1.RestartPolicyNever},
			{role: "Worker", path: "spec.xgbReplicaSpecs[Worker].template.spec", name: "xgb-worker", replicas: 4,
				labels:    labels("xgboostjob-controller", "xgb", "worker", false),
				container: "xgboost", ports: []string{"xgboostjob-port:9999"}, restartPolicy: corev1.RestartPolicyNever},
		},
	}, {
		name: "paddle: port named master",
		doc: `
apiVersion: kubeflow.org/v1
kind: PaddleJob
metadata: {name: pd, namespace: ml}
spec:
  paddleReplicaSpecs:
    Worker:
      replicas: 2
      template: {spec: {containers: [{name: paddle, image: pd}]}}
`,
		want: []kubeflowPodWant{
			// Paddle's master role is the Master type only.
			{role: "Worker", path: "spec.paddleReplicaSpecs[Worker].template.spec", name: "pd-worker", replicas: 2,
				labels:    labels("paddlejob-controller", "pd", "worker", false),
				container: "paddle", ports: []string{"master:36543"}, restartPolicy: corev1.RestartPolicyOnFailure},
		},
	}, {
		name: "jax: index 0 is master, left out of a group",
		doc: `
apiVersion: kubeflow.org/v1
kind: JAXJob
metadata: {name: jx, namespace: ml}
spec:
  jaxReplicaSpecs:
    worker:
      replicas: 8
      template: {spec: {containers: [{name: jax, image: jax}]}}
`,
		want: []kubeflowPodWant{
			{role: "Worker", path: "spec.jaxReplicaSpecs[worker].template.spec", name: "jx-worker", replicas: 8,
				labels:    labels("jaxjob-controller", "jx", "worker", false),
				container: "jax", ports: []string{"jaxjob-port:6666"}, restartPolicy: corev1.RestartPolicyNever},
		},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pods := kubeflowTestPods(t, tc.doc)
			if len(pods) != len(tc.want) {
				t.Fatalf("got %d pods, want %d", len(pods), len(tc.want))
			}
			for i, w := range tc.want {
				p := pods[i]
				if p.Role != w.role || p.SpecPath != w.path || p.Replicas != w.replicas {
					t.Errorf("pod %d: role %q path %q replicas %d, want %q %q %d", i, p.Role, p.SpecPath, p.Replicas, w.role, w.path, w.replicas)
				}
				if p.Pod.Name != w.name || p.Pod.Namespace != "ml" {
					t.Errorf("%s: pod %s/%s, want ml/%s", w.role, p.Pod.Namespace, p.Pod.Name, w.name)
				}
				if !reflect.DeepEqual(p.Pod.Labels, w.labels) {
					t.Errorf("%s: labels %v, want %v", w.role, p.Pod.Labels, w.labels)
				}
				if p.Pod.Spec.RestartPolicy != w.restartPolicy {
					t.Errorf("%s: restartPolicy %q, want %q", w.role, p.Pod.Spec.RestartPolicy, w.restartPolicy)
				}
				for j := range p.Pod.Spec.Containers {
					c := &p.Pod.Spec.Containers[j]
					got := kubeflowTestPorts(c)
					if c.Name == w.container && !reflect.DeepEqual(got, w.ports) {
						t.Errorf("%s: container %s ports %v, want %v", w.role, c.Name, got, w.ports)
					}
					if c.Name != w.container && len(got) > 0 {
						t.Errorf("%s: container %s got ports %v, want none", w.role, c.Name, got)
					}
				}
				if p.MinReplicas != nil || p.MaxReplicas != nil {
					t.Errorf("%s: unexpected autoscaler bounds", w.role)
				}
			}
		})
	}
}

func kubeflowMergeLabels(a, b map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

func TestKubeflowPyTorchEnvAndInitContainer(t *testing.T) {
	doc := `
apiVersion: kubeflow.org/v1
kind: PyTorchJob
metadata: {name: llm, namespace: ml}
spec:
  nprocPerNode: "2"
  pytorchReplicaSpecs:
    Master:
      template:
        spec:
          containers: [{name: pytorch, image: torch, ports: [{name: pytorchjob-port, containerPort: 29400}]}]
    Worker:
      replicas: 3
      template:
        spec:
          initContainers: [{name: fetch, image: busybox}]
          containers: [{name: pytorch, image: torch, env: [{name: HF_HOME, value: /cache}]}]
`
	k, r, _ := testResource(t, doc)
	pods := k.Pods(r, nil)
	master, worker := testPodOfRole(t, pods, "Master"), testPodOfRole(t, pods, "Worker")

	env := testEnv(&worker.Pod.Spec.Containers[0])
	want := map[string]string{
		"HF_HOME": "/cache", "PYTHONUNBUFFERED": "1",
		"MASTER_ADDR": "llm-master-0", "PET_MASTER_ADDR": "llm-master-0",
		"MASTER_PORT": "29400", "PET_MASTER_PORT": "29400",
		// 4 nodes of 2 processes; worker 0 has rank 1 (the master is 0).
		"WORLD_SIZE": "8", "RANK": "1", "PET_NODE_RANK": "1",
		"PET_NPROC_PER_NODE": "2", "PET_NNODES": "4",
	}
	if !reflect.DeepEqual(env, want) {
		t.Errorf("worker env %v, want %v", env, want)
	}
	if got := testEnv(&master.Pod.Spec.Containers[0])["RANK"]; got != "0" {
		t.Errorf("master RANK %q, want 0", got)
	}
	if n := len(master.Pod.Spec.InitContainers); n != 0 {
		t.Errorf("master has %d init containers, want 0", n)
	}
	ics := worker.Pod.Spec.InitContainers
	if len(ics) != 2 || ics[0].Name != "fetch" || ics[1].Name != "init-pytorch" {
		t.Fatalf("worker init containers %v, want fetch then init-pytorch", ics)
	}
	ic := ics[1]
	if ic.Image != "alpine:3.10" || !strings.Contains(strings.Join(ic.Command, " "), "nslookup llm-master-0") {
		t.Errorf("init-pytorch image %q command %v", ic.Image, ic.Command)
	}
	if ic.Resources.Requests.Cpu().String() != "50m" || ic.Resources.Limits.Memory().String() != "20Mi" {
		t.Errorf("init-pytorch resources %v", ic.Resources)
	}
	// The resource's templates stay as written.
	for _, tm := range r.Templates {
		if tm.Role == "Worker" && (len(tm.Spec.InitContainers) != 1 || len(tm.Spec.Containers[0].Ports) != 0 || len(tm.Spec.Containers[0].Env) != 1) {
			t.Errorf("the Worker template was modified: %+v", tm.Spec)
		}
	}
}

func TestKubeflowPyTorchWithoutMasterAndElastic(t *testing.T) {
	doc := `
apiVersion: kubeflow.org/v1
kind: PyTorchJob
metadata: {name: el, namespace: ml}
spec:
  elasticPolicy:
    maxReplicas: 6
    metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 80}}}]
  pytorchReplicaSpecs:
    Worker:
      replicas: 2
      template:
        spec:
          containers: [{name: pytorch, image: torch}]
`
	worker := testPodOfRole(t, kubeflowTestPods(t, doc), "Worker")
	env := testEnv(&worker.Pod.Spec.Containers[0])
	for _, name := range []string{"MASTER_ADDR", "RANK", "WORLD_SIZE", "PET_NNODES"} {
		if _, ok := env[name]; ok {
			t.Errorf("env %s set without a Master / under elasticPolicy", name)
		}
	}
	if env["PET_NPROC_PER_NODE"] != "auto" {
		t.Errorf("PET_NPROC_PER_NODE %q, want auto", env["PET_NPROC_PER_NODE"])
	}
	if len(worker.Pod.Spec.InitContainers) != 0 {
		t.Errorf("init container without a Master")
	}
	if worker.MinReplicas == nil || worker.MaxReplicas == nil || *worker.MinReplicas != 6 || *worker.MaxReplicas != 6 {
		t.Errorf("HPA bounds %v..%v, want 6..6 (min defaults to max)", worker.MinReplicas, worker.MaxReplicas)
	}
	if worker.Replicas != 2 {
		t.Errorf("replicas %d, want 2", worker.Replicas)
	}
}

func TestKubeflowTrainingJobSuspendedManagedAndEmpty(t *testing.T) {
	base := `
apiVersion: kubeflow.org/v1
kind: TFJob
metadata: {name: tf, namespace: ml}
spec:
  runPolicy: {%s}
  tfReplicaSpecs:
    Worker:
      replicas: 3
      template: {spec: {containers: [%s]}}
`
	cases := []struct {
		name, runPolicy, containers string
		want                        []int32
	}{
		{"running", "", "{name: tensorflow, image: tf}", []int32{3}},
		{"suspended", "suspend: true", "{name: tensorflow, image: tf}", []int32{0}},
		{"managed by its own controller", "managedBy: kubeflow.org/training-operator", "{name: tensorflow, image: tf}", []int32{3}},
		{"managed by multikueue", "managedBy: kueue.x-k8s.io/multikueue", "{name: tensorflow, image: tf}", nil},
		{"no containers", "", "", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pods := kubeflowTestPods(t, kubeflowFill(base, tc.runPolicy, tc.containers))
			var got []int32
			for _, p := range pods {
				got = append(got, p.Replicas)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("replicas %v, want %v", got, tc.want)
			}
		})
	}
}

func kubeflowFill(format string, args ...string) string {
	for _, a := range args {
		format = strings.Replace(format, "%s", a, 1)
	}
	return format
}

func TestKubeflowTemplatesUnknownFields(t *testing.T) {
	doc := `
apiVersion: kubeflow.org/v1
kind: PyTorchJob
metadata: {name: llm, namespace: ml}
spec:
  pytorchReplicaSpecs:
    Worker:
      replica: 4
      template:
        metadata: {lables: {a: b}}
        spec:
          containers: [{name: pytorch, image: torch, imagePullPolicyy: Always}]
          hostNetwork: true
`
	_, r, unknown := testResource(t, doc)
	want := []string{
		"spec.pytorchReplicaSpecs[Worker].replica",
		"spec.pytorchReplicaSpecs[Worker].template.metadata.lables",
		"spec.pytorchReplicaSpecs[Worker].template.spec.containers[0].imagePullPolicyy",
	}
	if !reflect.DeepEqual(unknown, want) {
		t.Errorf("unknown %v, want %v", unknown, want)
	}
	if len(r.Templates) != 1 || !r.Templates[0].Spec.HostNetwork || r.Templates[0].Role != "Worker" {
		t.Errorf("templates %+v", r.Templates)
	}
}

func TestKubeflowTemplatesWrongTypes(t *testing.T) {
	cases := map[string]string{
		"template is a string": `
apiVersion: kubeflow.org/v1
kind: PyTorchJob
metadata: {name: j}
spec: {pytorchReplicaSpecs: {Worker: {template: oops}}}`,
		"containers is a map": `
apiVersion: kubeflow.org/v1
kind: TFJob
metadata: {name: j}
spec: {tfReplicaSpecs: {Worker: {template: {spec: {containers: {name: x}}}}}}`,
		"replicas is a string": `
apiVersion: kubeflow.org/v1
kind: JAXJob
metadata: {name: j}
spec: {jaxReplicaSpecs: {Worker: {replicas: two, template: {spec: {containers: [{name: jax}]}}}}}`,
		"replica specs is a list": `
apiVersion: kubeflow.org/v1
kind: XGBoostJob
metadata: {name: j}
spec: {xgbReplicaSpecs: [{replicas: 1}]}`,
		"mpi template is a list": `
apiVersion: kubeflow.org/v2beta1
kind: MPIJob
metadata: {name: j}
spec: {mpiReplicaSpecs: {Launcher: {template: []}}}`,
		"notebook spec is a string": `
apiVersion: kubeflow.org/v1
kind: Notebook
metadata: {name: j}
spec: {template: {spec: nope}}`,
	}
	for name, doc := range cases {
		t.Run(name, func(t *testing.T) {
			if _, _, _, err := testDecode(t, doc); err == nil || !strings.Contains(err.Error(), "spec.") {
				t.Errorf("err = %v, want a decode error naming the field", err)
			}
		})
	}
}

const kubeflowMPIJob = `
apiVersion: kubeflow.org/v2beta1
kind: MPIJob
metadata: {name: hvd, namespace: ml}
spec:
  slotsPerWorker: 2
  runPolicy: {%s}
  mpiReplicaSpecs:
    Launcher:
      replicas: 1
      template:
        metadata: {labels: {app: hvd}}
        spec:
          containers: [{name: launcher, image: mpi, command: [mpirun, python, train.py]}]
    Worker:
      replicas: 4
      template:
        spec:
          hostNetwork: true
          containers: [{name: worker, image: mpi, resources: {limits: {nvidia.com/gpu: 1}}}]
`

func TestKubeflowMPIJobPods(t *testing.T) {
	k, r, unknown := testResource(t, kubeflowFill(kubeflowMPIJob, ""))
	if len(unknown) != 0 {
		t.Fatalf("unknown %v", unknown)
	}
	if len(r.Templates) != 2 || r.Templates[0].Role != "Launcher" || r.Templates[0].Path != "spec.mpiReplicaSpecs[Launcher].template.spec" ||
		r.Templates[1].Role != "Worker" || r.Templates[1].Path != "spec.mpiReplicaSpecs[Worker].template.spec" {
		t.Fatalf("templates %+v", r.Templates)
	}
	pods := k.Pods(r, nil)
	launcher, worker := testPodOfRole(t, pods, "Launcher"), testPodOfRole(t, pods, "Worker")

	if launcher.Replicas != 1 || worker.Replicas != 4 {
		t.Errorf("replicas launcher %d worker %d, want 1 and 4", launcher.Replicas, worker.Replicas)
	}
	wantLauncher := map[string]string{
		"app":                                 "hvd",
		"training.kubeflow.org/operator-name": "mpi-operator",
		"training.kubeflow.org/job-name":      "hvd",
		"training.kubeflow.org/job-role":      "launcher",
		"batch.kubernetes.io/job-name":        "hvd-launcher",
		"job-name":                            "hvd-launcher",
	}
	if !reflect.DeepEqual(launcher.Pod.Labels, wantLauncher) {
		t.Errorf("launcher labels %v, want %v", launcher.Pod.Labels, wantLauncher)
	}
	wantWorker := map[string]string{
		"training.kubeflow.org/operator-name": "mpi-operator",
		"training.kubeflow.org/job-name":      "hvd",
		"training.kubeflow.org/job-role":      "worker",
		"training.kubeflow.org/replica-index": "0",
	}
	if !reflect.DeepEqual(worker.Pod.Labels, wantWorker) {
		t.Errorf("worker labels %v, want %v", worker.Pod.Labels, wantWorker)
	}
	if launcher.Pod.Name != "hvd-launcher" || worker.Pod.Name != "hvd-worker" {
		t.Errorf("names %q %q", launcher.Pod.Name, worker.Pod.Name)
	}
	ws := worker.Pod.Spec
	if got := strings.Join(ws.Containers[0].Command, " "); got != "/usr/sbin/sshd -De" {
		t.Errorf("worker command %q, want the sshd default", got)
	}
	if ws.Hostname != "hvd-worker-0" || ws.Subdomain != "hvd" || ws.DNSPolicy != corev1.DNSClusterFirstWithHostNet ||
		ws.DNSConfig == nil || !reflect.DeepEqual(ws.DNSConfig.Searches, []string{"hvd.ml.svc.cluster.local"}) {
		t.Errorf("worker network %q %q %q %+v", ws.Hostname, ws.Subdomain, ws.DNSPolicy, ws.DNSConfig)
	}
	if ws.RestartPolicy != corev1.RestartPolicyNever || launcher.Pod.Spec.RestartPolicy != corev1.RestartPolicyOnFailure {
		t.Errorf("restart policies worker %q launcher %q", ws.RestartPolicy, launcher.Pod.Spec.RestartPolicy)
	}
	if ws.Containers[0].Resources.Limits.Name("nvidia.com/gpu", "").String() != "1" {
		t.Errorf("worker GPU limit lost: %v", ws.Containers[0].Resources)
	}
	if len(ws.Volumes) != 1 || ws.Volumes[0].Secret == nil || ws.Volumes[0].Secret.SecretName != "hvd-ssh" ||
		*ws.Volumes[0].Secret.DefaultMode != 0o600 || ws.Containers[0].VolumeMounts[0].MountPath != "/root/.ssh" {
		t.Errorf("worker ssh volume %+v mounts %+v", ws.Volumes, ws.Containers[0].VolumeMounts)
	}
	ls := launcher.Pod.Spec
	if got := strings.Join(ls.Containers[0].Command, " "); got != "mpirun python train.py" {
		t.Errorf("launcher command %q changed", got)
	}
	env := testEnv(&ls.Containers[0])
	if env["K_MPI_JOB_ROLE"] != "launcher" || env["OMPI_MCA_orte_set_default_slots"] != "2" ||
		env["OMPI_MCA_orte_default_hostfile"] != "/etc/mpi/hostfile" {
		t.Errorf("launcher env %v", env)
	}
	if v, ok := env["NVIDIA_VISIBLE_DEVICES"]; !ok || v != "" {
		t.Errorf("NVIDIA_VISIBLE_DEVICES %q (set %v), want blanked", v, ok)
	}
	if len(ls.Volumes) != 2 || ls.Volumes[0].Name != "ssh-auth" || ls.Volumes[1].ConfigMap == nil || ls.Volumes[1].ConfigMap.Name != "hvd-config" {
		t.Errorf("launcher volumes %+v", ls.Volumes)
	}
	if ls.Hostname != "hvd-launcher" || ls.Subdomain != "hvd" || ls.DNSConfig != nil {
		t.Errorf("launcher network %q %q %+v", ls.Hostname, ls.Subdomain, ls.DNSConfig)
	}
}

func TestKubeflowMPIJobVariants(t *testing.T) {
	cases := []struct {
		name string
		doc  string
		// want maps role to replicas; nil means no pods.
		want map[string]int32
	}{
		{"suspended", kubeflowFill(kubeflowMPIJob, "suspend: true"), map[string]int32{"Launcher": 0, "Worker": 0}},
		{"managed by multikueue", kubeflowFill(kubeflowMPIJob, "managedBy: kueue.x-k8s.io/multikueue"), nil},
		{"lower-case keys are not replica types", `
apiVersion: kubeflow.org/v2beta1
kind: MPIJob
metadata: {name: j, namespace: ml}
spec:
  mpiReplicaSpecs:
    launcher: {template: {spec: {containers: [{name: l, image: mpi}]}}}
    worker: {replicas: 2, template: {spec: {containers: [{name: w, image: mpi}]}}}
`, nil},
		{"launcher only", `
apiVersion: kubeflow.org/v2beta1
kind: MPIJob
metadata: {name: j, namespace: ml}
spec:
  mpiReplicaSpecs:
    Launcher: {template: {spec: {containers: [{name: l, image: mpi}]}}}
`, map[string]int32{"Launcher": 1}},
		{"worker replicas default to 0, which fails validation", `
apiVersion: kubeflow.org/v2beta1
kind: MPIJob
metadata: {name: j, namespace: ml}
spec:
  mpiReplicaSpecs:
    Launcher: {template: {spec: {containers: [{name: l, image: mpi}]}}}
    Worker: {template: {spec: {containers: [{name: w, image: mpi}]}}}
`, nil},
		{"launcher replicas must be 1", `
apiVersion: kubeflow.org/v2beta1
kind: MPIJob
metadata: {name: j, namespace: ml}
spec:
  mpiReplicaSpecs:
    Launcher: {replicas: 2, template: {spec: {containers: [{name: l, image: mpi}]}}}
`, nil},
		{"restartPolicy Always is invalid", `
apiVersion: kubeflow.org/v2beta1
kind: MPIJob
metadata: {name: j, namespace: ml}
spec:
  mpiReplicaSpecs:
    Launcher: {restartPolicy: Always, template: {spec: {containers: [{name: l, image: mpi}]}}}
`, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pods := kubeflowTestPods(t, tc.doc)
			var got map[string]int32
			for _, p := range pods {
				if got == nil {
					got = map[string]int32{}
				}
				got[p.Role] = p.Replicas
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("pods %v, want %v", got, tc.want)
			}
		})
	}
}

func TestKubeflowMPIJobLauncherAsWorker(t *testing.T) {
	doc := `
apiVersion: kubeflow.org/v2beta1
kind: MPIJob
metadata: {name: hvd, namespace: ml}
spec:
  runLauncherAsWorker: true
  mpiImplementation: Intel
  sshAuthMountPath: /home/mpi/.ssh
  mpiReplicaSpecs:
    Launcher: {template: {spec: {containers: [{name: l, image: mpi}]}}}
    Worker: {replicas: 2, template: {spec: {containers: [{name: w, image: mpi, args: [run]}]}}}
`
	pods := kubeflowTestPods(t, doc)
	launcher, worker := testPodOfRole(t, pods, "Launcher"), testPodOfRole(t, pods, "Worker")
	if launcher.Pod.Labels["training.kubeflow.org/replica-index"] != "0" || worker.Pod.Labels["training.kubeflow.org/replica-index"] != "1" {
		t.Errorf("replica-index launcher %q worker %q, want 0 and 1", launcher.Pod.Labels["training.kubeflow.org/replica-index"],
			worker.Pod.Labels["training.kubeflow.org/replica-index"])
	}
	env := testEnv(&launcher.Pod.Spec.Containers[0])
	if _, blanked := env["NVIDIA_VISIBLE_DEVICES"]; blanked {
		t.Error("a launcher that works keeps its GPUs")
	}
	if env["I_MPI_PERHOST"] != "1" || env["I_MPI_HYDRA_HOST_FILE"] != "/etc/mpi/hostfile" {
		t.Errorf("Intel env %v", env)
	}
	if len(worker.Pod.Spec.Containers[0].Command) != 0 {
		t.Errorf("worker with args got command %v", worker.Pod.Spec.Containers[0].Command)
	}
	if v := worker.Pod.Spec.Volumes[0].Secret; v.DefaultMode != nil || worker.Pod.Spec.Containers[0].VolumeMounts[0].MountPath != "/home/mpi/.ssh" {
		t.Errorf("ssh volume %+v", v)
	}
}

const kubeflowNotebook = `
apiVersion: kubeflow.org/v1
kind: Notebook
metadata:
  name: nb
  namespace: alice
  labels: {access-ml-pipeline: "true"}
  annotations: {team: a, notebooks.kubeflow.org/last-activity: x, kubectl.kubernetes.io/last-applied-configuration: y%s}
spec:
  template:
    spec:
      containers:
      - name: nb
        image: jupyter
        resources: {limits: {nvidia.com/gpu: 1}}
%s
`

func TestKubeflowNotebookPods(t *testing.T) {
	k, r, unknown := testResource(t, kubeflowFill(kubeflowNotebook, "", ""))
	if len(unknown) != 0 || len(r.Templates) != 1 || r.Templates[0].Path != "spec.template.spec" || r.Templates[0].Role != "notebook" {
		t.Fatalf("templates %+v unknown %v", r.Templates, unknown)
	}
	pods := k.Pods(r, nil)
	if len(pods) != 1 {
		t.Fatalf("%d pods, want 1", len(pods))
	}
	p := pods[0]
	if p.Role != "notebook" || p.SpecPath != "spec.template.spec" || p.Replicas != 1 || p.Pod.Name != "nb-0" || p.Pod.Namespace != "alice" {
		t.Errorf("pod %q %q %d %s/%s", p.Role, p.SpecPath, p.Replicas, p.Pod.Namespace, p.Pod.Name)
	}
	wantLabels := map[string]string{
		"statefulset": "nb", "notebook-name": "nb", "access-ml-pipeline": "true",
		"statefulset.kubernetes.io/pod-name": "nb-0", "apps.kubernetes.io/pod-index": "0",
	}
	if !reflect.DeepEqual(p.Pod.Labels, wantLabels) {
		t.Errorf("labels %v, want %v", p.Pod.Labels, wantLabels)
	}
	if !reflect.DeepEqual(p.Pod.Annotations, map[string]string{"team": "a"}) {
		t.Errorf("annotations %v, want only team", p.Pod.Annotations)
	}
	c := &p.Pod.Spec.Containers[0]
	if got := kubeflowTestPorts(c); !reflect.DeepEqual(got, []string{"notebook-port:8888"}) {
		t.Errorf("ports %v", got)
	}
	if env := testEnv(c); env["NB_PREFIX"] != "/notebook/alice/nb" {
		t.Errorf("NB_PREFIX %q", env["NB_PREFIX"])
	}
	if c.WorkingDir != "/home/jovyan" || c.Resources.Limits.Name("nvidia.com/gpu", "").String() != "1" {
		t.Errorf("workingDir %q resources %v", c.WorkingDir, c.Resources)
	}
	if sc := p.Pod.Spec.SecurityContext; sc == nil || sc.FSGroup == nil || *sc.FSGroup != 100 {
		t.Errorf("securityContext %+v, want fsGroup 100", sc)
	}
	if len(r.Templates[0].Spec.Containers[0].Env) != 0 {
		t.Error("the template was modified")
	}
}

func TestKubeflowNotebookVariants(t *testing.T) {
	t.Run("stopped", func(t *testing.T) {
		pods := kubeflowTestPods(t, kubeflowFill(kubeflowNotebook, ", kubeflow-resource-stopped: '2024-01-01T00:00:00Z'", ""))
		if len(pods) != 1 || pods[0].Replicas != 0 {
			t.Errorf("pods %+v, want one with 0 replicas", pods)
		}
	})
	t.Run("written port, prefix and securityContext are kept", func(t *testing.T) {
		extra := `        ports: [{name: http, containerPort: 8080}]
        env: [{name: NB_PREFIX, value: /custom}]
        workingDir: /work
      securityContext: {runAsNonRoot: true}`
		p := kubeflowTestPods(t, kubeflowFill(kubeflowNotebook, "", extra))[0]
		c := &p.Pod.Spec.Containers[0]
		if got := kubeflowTestPorts(c); !reflect.DeepEqual(got, []string{"http:8080"}) {
			t.Errorf("ports %v", got)
		}
		if env := testEnv(c); env["NB_PREFIX"] != "/custom" || len(c.Env) != 1 {
			t.Errorf("env %v", c.Env)
		}
		if c.WorkingDir != "/work" || p.Pod.Spec.SecurityContext.FSGroup != nil {
			t.Errorf("workingDir %q securityContext %+v", c.WorkingDir, p.Pod.Spec.SecurityContext)
		}
	})
	t.Run("a statefulset label of another value makes no pods", func(t *testing.T) {
		doc := strings.Replace(kubeflowFill(kubeflowNotebook, "", ""), `access-ml-pipeline: "true"`, `statefulset: other`, 1)
		if pods := kubeflowTestPods(t, doc); len(pods) != 0 {
			t.Errorf("pods %+v, want none", pods)
		}
	})
	t.Run("template metadata is unknown", func(t *testing.T) {
		doc := `
apiVersion: kubeflow.org/v1beta1
kind: Notebook
metadata: {name: nb, namespace: a}
spec:
  template:
    metadata: {labels: {a: b}}
    spec:
      containers: [{name: nb, image: jupyter, imagee: x}]
`
		_, r, unknown := testResource(t, doc)
		want := []string{"spec.template.metadata", "spec.template.spec.containers[0].imagee"}
		if !reflect.DeepEqual(unknown, want) {
			t.Errorf("unknown %v, want %v", unknown, want)
		}
		if len(r.Templates) != 1 || len(r.Templates[0].Meta.Labels) != 0 {
			t.Errorf("templates %+v", r.Templates)
		}
	})
}

func TestKubeflowTwoSpellingsOfOneType(t *testing.T) {
	// setTypeNameToCamelCase moves the other spelling onto the canonical
	// key, replacing what was there: the pods come from "worker".
	doc := `
apiVersion: kubeflow.org/v1
kind: PyTorchJob
metadata: {name: dup, namespace: ml}
spec:
  pytorchReplicaSpecs:
    Worker: {replicas: 2, template: {spec: {containers: [{name: pytorch, image: a}]}}}
    worker: {replicas: 5, template: {spec: {containers: [{name: pytorch, image: b}]}}}
`
	k, r, _ := testResource(t, doc)
	if len(r.Templates) != 2 || r.Templates[0].Role != "Worker" || r.Templates[1].Role != "Worker" {
		t.Fatalf("templates %+v, want both spellings, role Worker", r.Templates)
	}
	pods := k.Pods(r, nil)
	if len(pods) != 1 || pods[0].SpecPath != "spec.pytorchReplicaSpecs[worker].template.spec" || pods[0].Replicas != 5 ||
		pods[0].Pod.Spec.Containers[0].Image != "b" {
		t.Errorf("pods %+v, want the 5 pods of the lower-case entry", pods)
	}
}

func TestKubeflowNotebookWithoutPodSpec(t *testing.T) {
	doc := `
apiVersion: kubeflow.org/v1
kind: Notebook
metadata: {name: nb, namespace: a}
spec:
  template:
    metadata: {labels: {a: b}}
`
	k, r, unknown := testResource(t, doc)
	if len(r.Templates) != 0 || !reflect.DeepEqual(unknown, []string{"spec.template.metadata"}) {
		t.Errorf("templates %+v unknown %v, want none and spec.template.metadata", r.Templates, unknown)
	}
	if pods := k.Pods(r, nil); len(pods) != 0 {
		t.Errorf("pods %+v, want none", pods)
	}
}
