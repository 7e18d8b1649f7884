package operator

import (
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// trainerTestLookup finds resources among docs, as the inventory does.
func trainerTestLookup(t *testing.T, docs ...string) Lookup {
	t.Helper()
	var all []*Resource
	for _, d := range docs {
		_, r, _ := testResource(t, d)
		all = append(all, r)
	}
	return testLookup(all)
}

// trainerTestPods derives the pods of the TrainJob document tj with the
// runtimes in the inventory.
func trainerTestPods(t *testing.T, tj string, runtimes ...string) []Pod {
	t.Helper()
	_, r, _ := testResource(t, tj)
	k, _ := Find(r.GVK)
	return k.Pods(r, trainerTestLookup(t, runtimes...))
}

func trainerTestEnv(c *corev1.Container) map[string]corev1.EnvVar {
	out := map[string]corev1.EnvVar{}
	for _, e := range c.Env {
		out[e.Name] = e
	}
	return out
}

const torchRuntime = `
apiVersion: trainer.kubeflow.org/v1alpha1
kind: ClusterTrainingRuntime
metadata:
  name: torch-distributed
spec:
  mlPolicy:
    numNodes: 2
    torch:
      numProcPerNode: auto
  template:
    spec:
      replicatedJobs:
      - name: dataset-initializer
        replicas: 3
        template:
          metadata:
            labels:
              trainer.kubeflow.org/trainjob-ancestor-step: dataset-initializer
          spec:
            template:
              spec:
                containers:
                - name: dataset-initializer
                  image: initializer:1
      - name: node
        template:
          metadata:
            labels:
              trainer.kubeflow.org/trainjob-ancestor-step: trainer
          spec:
            template:
              metadata:
                labels:
                  team: ml
              spec:
                containers:
                - name: node
                  image: pytorch:1
                  env:
                  - name: FROM_RUNTIME
                    value: "1"
                  - name: OVERRIDDEN
                    value: runtime
                  ports:
                  - containerPort: 8080
                  - name: metrics
                    containerPort: 9090
                - name: sidecar
                  image: sidecar:1
      - name: evaluator
        replicas: 2
        template:
          spec:
            parallelism: 3
            completions: 1
            template:
              spec:
                containers:
                - name: eval
                  image: eval:1
`

const torchTrainJob = `
apiVersion: trainer.kubeflow.org/v1alpha1
kind: TrainJob
metadata:
  name: tj
  namespace: team-a
spec:
  runtimeRef:
    name: torch-distributed
  trainer:
    numNodes: 4
    image: custom:2
    command: [torchrun, train.py]
    args: [--epochs, "3"]
    env:
    - name: OVERRIDDEN
      value: trainjob
    - name: ADDED
      value: "yes"
    resourcesPerNode:
      limits:
        nvidia.com/gpu: 2
`

func TestTrainJobTorch(t *testing.T) {
	pods := trainerTestPods(t, torchTrainJob, torchRuntime)
	if len(pods) != 3 {
		t.Fatalf("%d pods, want 3 (one per replicated job)", len(pods))
	}
	node := testPodOfRole(t, pods, "node")
	if node.Replicas != 4 || node.SpecPath != "spec.trainer" || node.Pod.Name != "tj-node" || node.Pod.Namespace != "team-a" {
		t.Errorf("node pod: replicas %d path %q name %s/%s, want 4 spec.trainer team-a/tj-node",
			node.Replicas, node.SpecPath, node.Pod.Namespace, node.Pod.Name)
	}
	c := &node.Pod.Spec.Containers[0]
	if c.Image != "custom:2" || !slices.Equal(c.Command, []string{"torchrun", "train.py"}) || !slices.Equal(c.Args, []string{"--epochs", "3"}) {
		t.Errorf("node container image %q command %q args %q, want the TrainJob's", c.Image, c.Command, c.Args)
	}
	if q := c.Resources.Limits["nvidia.com/gpu"]; q.Cmp(resource.MustParse("2")) != 0 {
		t.Errorf("node GPU limit %v, want 2", c.Resources.Limits)
	}
	var names []string
	for _, e := range c.Env {
		names = append(names, e.Name)
	}
	wantNames := []string{"FROM_RUNTIME", "OVERRIDDEN", "ADDED", "PET_NNODES", "PET_NPROC_PER_NODE", "PET_NODE_RANK",
		"PET_MASTER_ADDR", "PET_MASTER_PORT", "JOB_COMPLETION_INDEX"}
	if !slices.Equal(names, wantNames) {
		t.Errorf("node env %q, want %q", names, wantNames)
	}
	env := trainerTestEnv(c)
	for name, want := range map[string]string{
		"OVERRIDDEN": "trainjob", "PET_NNODES": "4",
		// GPU limits without requests: the plugin falls back to the
		// requests, absent, which count as one process.
		"PET_NPROC_PER_NODE": "1",
		"PET_MASTER_ADDR":    "tj-node-0-0.tj", "PET_MASTER_PORT": "29500",
	} {
		if env[name].Value != want {
			t.Errorf("env %s = %q, want %q", name, env[name].Value, want)
		}
	}
	if r := env["PET_NODE_RANK"].ValueFrom; r == nil || r.FieldRef.FieldPath != "metadata.annotations['batch.kubernetes.io/job-completion-index']" {
		t.Errorf("PET_NODE_RANK %+v, want the completion index annotation", env["PET_NODE_RANK"])
	}
	// The unnamed port 8080 is replaced (the upsert matches by port or
	// name); the named one stays.
	wantPorts := []corev1.ContainerPort{{ContainerPort: 29500}, {Name: "metrics", ContainerPort: 9090}}
	if !slices.Equal(c.Ports, wantPorts) {
		t.Errorf("node ports %+v, want %+v", c.Ports, wantPorts)
	}
	side := &node.Pod.Spec.Containers[1]
	if side.Image != "sidecar:1" || len(side.Ports) != 0 || len(side.Env) != 1 {
		t.Errorf("sidecar changed: %+v", side)
	}
	for k, v := range map[string]string{
		"team": "ml", "jobset.sigs.k8s.io/jobset-name": "tj", "jobset.sigs.k8s.io/replicatedjob-name": "node",
		"jobset.sigs.k8s.io/replicatedjob-replicas": "1", "batch.kubernetes.io/job-name": "tj-node-0",
	} {
		if node.Pod.Labels[k] != v {
			t.Errorf("node label %s = %q, want %q", k, node.Pod.Labels[k], v)
		}
	}
	if node.Pod.Spec.Subdomain != "tj" || node.Pod.Spec.Hostname != "tj-node-0-0" || node.Pod.Spec.RestartPolicy != corev1.RestartPolicyOnFailure {
		t.Errorf("node network %q %q restart %q, want tj tj-node-0-0 OnFailure", node.Pod.Spec.Subdomain, node.Pod.Spec.Hostname, node.Pod.Spec.RestartPolicy)
	}

	init := testPodOfRole(t, pods, "dataset-initializer")
	if init.Replicas != 1 || init.SpecPath != "spec.runtimeRef" {
		t.Errorf("initializer replicas %d path %q, want 1 (forced) spec.runtimeRef (no spec.initializer)", init.Replicas, init.SpecPath)
	}
	eval := testPodOfRole(t, pods, "evaluator")
	// parallelism 3 becomes the count, written to completions too.
	if eval.Replicas != 6 || eval.SpecPath != "spec.runtimeRef" {
		t.Errorf("evaluator replicas %d path %q, want 2 x 3 spec.runtimeRef", eval.Replicas, eval.SpecPath)
	}
	if _, ok := eval.Pod.Labels["scheduling.x-k8s.io/pod-group"]; ok {
		t.Errorf("pod group label without a podGroupPolicy")
	}
}

func TestTrainJobCounts(t *testing.T) {
	runtime := func(mlPolicy string) string {
		return `
apiVersion: trainer.kubeflow.org/v1alpha1
kind: TrainingRuntime
metadata: {name: rt, namespace: team-a}
spec:
` + mlPolicy + `
  template:
    spec:
      replicatedJobs:
      - name: node
        template:
          metadata:
            labels: {trainer.kubeflow.org/trainjob-ancestor-step: trainer}
          spec:
            parallelism: 3
            template:
              spec:
                containers: [{name: node, image: img}]
`
	}
	trainJob := func(extra string) string {
		return `
apiVersion: trainer.kubeflow.org/v1alpha1
kind: TrainJob
metadata: {name: tj, namespace: team-a}
spec:
  runtimeRef: {name: rt, kind: TrainingRuntime}
` + extra
	}
	for _, tc := range []struct {
		name, mlPolicy, extra string
		want                  int32
		wantPath              string
	}{
		{"no mlPolicy: the Job's parallelism", "", "", 3, "spec.runtimeRef"},
		{"mlPolicy.numNodes", "  mlPolicy: {numNodes: 5, torch: {}}", "", 5, "spec.runtimeRef"},
		{"mlPolicy without numNodes counts one", "  mlPolicy: {torch: {}}", "", 1, "spec.runtimeRef"},
		{"trainer.numNodes over mlPolicy (torch)", "  mlPolicy: {numNodes: 5, torch: {}}", "  trainer: {numNodes: 7}", 7, "spec.trainer"},
		{"trainer.numNodes without mlPolicy (plain)", "", "  trainer: {numNodes: 2}", 2, "spec.trainer"},
		{"suspended", "  mlPolicy: {numNodes: 5}", "  suspend: true\n  trainer: {numNodes: 2}", 0, "spec.trainer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pods := trainerTestPods(t, trainJob(tc.extra), runtime(tc.mlPolicy))
			if len(pods) != 1 {
				t.Fatalf("%d pods, want 1", len(pods))
			}
			if pods[0].Replicas != tc.want || pods[0].SpecPath != tc.wantPath {
				t.Errorf("replicas %d path %q, want %d %q", pods[0].Replicas, pods[0].SpecPath, tc.want, tc.wantPath)
			}
		})
	}
}

func TestTrainJobRuntimeResolution(t *testing.T) {
	namespaced := `
apiVersion: trainer.kubeflow.org/v1alpha1
kind: TrainingRuntime
metadata: {name: rt, namespace: team-a}
spec:
  template:
    spec:
      replicatedJobs:
      - name: namespaced
        template: {spec: {template: {spec: {containers: [{name: node}]}}}}
`
	cluster := `
apiVersion: trainer.kubeflow.org/v1alpha1
kind: ClusterTrainingRuntime
metadata: {name: rt}
spec:
  template:
    spec:
      replicatedJobs:
      - name: cluster
        template: {spec: {template: {spec: {containers: [{name: node}]}}}}
`
	tj := func(ns, ref string) string {
		return "apiVersion: trainer.kubeflow.org/v1alpha1\nkind: TrainJob\nmetadata: {name: tj, namespace: " + ns + "}\nspec:\n  runtimeRef: " + ref + "\n"
	}
	for _, tc := range []struct {
		name, doc string
		runtimes  []string
		wantRole  string // "" for no pods
	}{
		{"kind defaults to ClusterTrainingRuntime", tj("team-a", "{name: rt}"), []string{namespaced, cluster}, "cluster"},
		{"TrainingRuntime in the TrainJob's namespace", tj("team-a", "{name: rt, kind: TrainingRuntime}"), []string{namespaced, cluster}, "namespaced"},
		{"TrainingRuntime of another namespace", tj("team-b", "{name: rt, kind: TrainingRuntime}"), []string{namespaced, cluster}, ""},
		{"explicit group and kind", tj("team-b", "{name: rt, apiGroup: trainer.kubeflow.org, kind: ClusterTrainingRuntime}"), []string{cluster}, "cluster"},
		{"missing runtime", tj("team-a", "{name: absent}"), []string{namespaced, cluster}, ""},
		{"another group", tj("team-a", "{name: rt, apiGroup: example.com}"), []string{cluster}, ""},
		{"another kind", tj("team-a", "{name: rt, kind: JobSet}"), []string{cluster}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pods := trainerTestPods(t, tc.doc, tc.runtimes...)
			var roles []string
			for _, p := range pods {
				roles = append(roles, p.Role)
			}
			want := []string{tc.wantRole}
			if tc.wantRole == "" {
				want = nil
			}
			if !slices.Equal(roles, want) {
				t.Errorf("roles %q, want %q", roles, want)
			}
		})
	}
}

func TestTrainJobPodSpecOverridesInitializersPodGroup(t *testing.T) {
	rt := `
apiVersion: trainer.kubeflow.org/v1alpha1
kind: ClusterTrainingRuntime
metadata: {name: rt}
spec:
  podGroupPolicy:
    coscheduling: {scheduleTimeoutSeconds: 60}
  template:
    spec:
      replicatedJobs:
      - name: model-initializer
        template:
          metadata:
            labels: {trainer.kubeflow.org/trainjob-ancestor-step: model-initializer}
          spec:
            template:
              spec:
                containers:
                - name: model-initializer
                  image: init:1
                  env: [{name: STORAGE_URI, value: runtime-default}]
      - name: node
        template:
          metadata:
            labels: {trainer.kubeflow.org/trainjob-ancestor-step: trainer}
          spec:
            template:
              spec:
                serviceAccountName: runtime-sa
                nodeSelector: {pool: cpu, zone: a}
                tolerations: [{key: old, operator: Exists}]
                volumes: [{name: data, emptyDir: {}}]
                containers:
                - name: node
                  image: img
                  env: [{name: A, value: runtime}]
                  volumeMounts: [{name: data, mountPath: /data}]
`
	tj := `
apiVersion: trainer.kubeflow.org/v1alpha1
kind: TrainJob
metadata: {name: tj, namespace: team-a}
spec:
  runtimeRef: {name: rt}
  initializer:
    model:
      storageUri: hf://org/model
      secretRef: {name: hf-token}
  podSpecOverrides:
  - targetJobs: [{name: node}]
    serviceAccountName: override-sa
    nodeSelector: {pool: gpu}
    tolerations: [{key: nvidia.com/gpu, operator: Exists}]
    volumes: [{name: cache, persistentVolumeClaim: {claimName: cache}}]
    containers:
    - name: node
      env: [{name: B, value: override}]
      volumeMounts: [{name: cache, mountPath: /cache}]
      image: ignored-not-in-the-type
`
	pods := trainerTestPods(t, tj, rt)
	node := testPodOfRole(t, pods, "node")
	spec := node.Pod.Spec
	if spec.ServiceAccountName != "override-sa" {
		t.Errorf("service account %q, want override-sa", spec.ServiceAccountName)
	}
	if spec.NodeSelector["pool"] != "gpu" || spec.NodeSelector["zone"] != "a" {
		t.Errorf("node selector %v, want pool=gpu merged with zone=a", spec.NodeSelector)
	}
	if len(spec.Tolerations) != 1 || spec.Tolerations[0].Key != "nvidia.com/gpu" {
		t.Errorf("tolerations %+v, want the override's only (a replaced list)", spec.Tolerations)
	}
	var vols []string
	for _, v := range spec.Volumes {
		vols = append(vols, v.Name)
	}
	// A strategic merge patch puts the patch's new items first
	// (apimachinery strategicpatch normalizeElementOrder), as the Trainer
	// does (proven in trainer_proof_test.go).
	if !slices.Equal(vols, []string{"cache", "data"}) {
		t.Errorf("volumes %q, want cache, data", vols)
	}
	c := spec.Containers[0]
	if c.Image != "img" {
		t.Errorf("image %q: a field outside ContainerOverride was applied", c.Image)
	}
	env := trainerTestEnv(&c)
	if env["A"].Value != "runtime" || env["B"].Value != "override" {
		t.Errorf("env %+v, want A from the runtime and B from the override", c.Env)
	}
	if len(c.VolumeMounts) != 2 || c.VolumeMounts[0].MountPath != "/cache" {
		t.Errorf("mounts %+v, want /cache and /data", c.VolumeMounts)
	}
	if node.Pod.Labels["scheduling.x-k8s.io/pod-group"] != "tj" {
		t.Errorf("node labels %v, want the pod group", node.Pod.Labels)
	}

	init := testPodOfRole(t, pods, "model-initializer")
	if init.SpecPath != "spec.initializer" || init.Replicas != 1 {
		t.Errorf("initializer path %q replicas %d, want spec.initializer 1", init.SpecPath, init.Replicas)
	}
	ic := init.Pod.Spec.Containers[0]
	if trainerTestEnv(&ic)["STORAGE_URI"].Value != "hf://org/model" {
		t.Errorf("initializer env %+v, want STORAGE_URI from the TrainJob", ic.Env)
	}
	if len(ic.EnvFrom) != 1 || ic.EnvFrom[0].SecretRef == nil || ic.EnvFrom[0].SecretRef.Name != "hf-token" {
		t.Errorf("initializer envFrom %+v, want the secret hf-token", ic.EnvFrom)
	}
	if init.Pod.Spec.ServiceAccountName != "" {
		t.Errorf("the override reached a job it does not target")
	}
	if init.Pod.Labels["scheduling.x-k8s.io/pod-group"] != "tj" {
		t.Errorf("initializer labels %v, want the pod group", init.Pod.Labels)
	}

	// The runtime's templates stay as written.
	_, r, _ := testResource(t, rt)
	lookup := func(schema.GroupKind, string, string) (*Resource, bool) { return r, true }
	_, tjr, _ := testResource(t, tj)
	trainJobPods(tjr, lookup)
	if r.Templates[1].Spec.ServiceAccountName != "runtime-sa" || len(r.Templates[1].Spec.Containers[0].Env) != 1 {
		t.Errorf("building the pods edited the runtime's template: %+v", r.Templates[1].Spec)
	}
}

func TestTrainJobMPI(t *testing.T) {
	rt := `
apiVersion: trainer.kubeflow.org/v1alpha1
kind: ClusterTrainingRuntime
metadata: {name: mpi}
spec:
  mlPolicy:
    numNodes: 1
    mpi: {numProcPerNode: 2, sshAuthMountPath: /home/mpiuser/.ssh, runLauncherAsNode: true}
  template:
    spec:
      replicatedJobs:
      - name: launcher
        template:
          metadata:
            labels: {trainer.kubeflow.org/trainjob-ancestor-step: trainer}
          spec:
            template:
              spec:
                containers: [{name: node, image: mpi:1}]
      - name: node
        template:
          spec:
            template:
              spec:
                containers: [{name: node, image: mpi:1}]
`
	tj := `
apiVersion: trainer.kubeflow.org/v1alpha1
kind: TrainJob
metadata: {name: tj, namespace: team-a}
spec:
  runtimeRef: {name: mpi}
  trainer:
    numNodes: 4
    resourcesPerNode: {requests: {cpu: 2}}
`
	pods := trainerTestPods(t, tj, rt)
	launcher, node := testPodOfRole(t, pods, "launcher"), testPodOfRole(t, pods, "node")
	if launcher.Replicas != 1 || node.Replicas != 3 {
		t.Errorf("launcher %d node %d pods, want 1 and 3 (the launcher runs as a node)", launcher.Replicas, node.Replicas)
	}
	if launcher.SpecPath != "spec.trainer" || node.SpecPath != "spec.runtimeRef" {
		t.Errorf("paths %q %q, want spec.trainer spec.runtimeRef", launcher.SpecPath, node.SpecPath)
	}
	// The trainer's resources go on the launcher: it is the job marked as
	// the trainer.
	if q := launcher.Pod.Spec.Containers[0].Resources.Requests[corev1.ResourceCPU]; q.Cmp(resource.MustParse("2")) != 0 {
		t.Errorf("launcher requests %v, want cpu 2", launcher.Pod.Spec.Containers[0].Resources)
	}
	var lv, nv []string
	for _, v := range launcher.Pod.Spec.Volumes {
		lv = append(lv, v.Name)
	}
	for _, v := range node.Pod.Spec.Volumes {
		nv = append(nv, v.Name)
	}
	if !slices.Equal(lv, []string{"mpi-ssh-auth", "mpi-hostfile"}) || !slices.Equal(nv, []string{"mpi-ssh-auth"}) {
		t.Errorf("volumes launcher %q node %q", lv, nv)
	}
	if s := node.Pod.Spec.Volumes[0].Secret; s == nil || s.SecretName != "tj-mpi-ssh-auth" {
		t.Errorf("ssh volume %+v, want the Secret tj-mpi-ssh-auth", node.Pod.Spec.Volumes[0])
	}
	if m := node.Pod.Spec.Containers[0].VolumeMounts; len(m) != 1 || m[0].MountPath != "/home/mpiuser/.ssh" {
		t.Errorf("node mounts %+v", m)
	}
	env := trainerTestEnv(&launcher.Pod.Spec.Containers[0])
	if env["OMPI_MCA_orte_set_default_slots"].Value != "2" || env["OMPI_MCA_orte_default_hostfile"].Value != "/etc/mpi/hostfile" {
		t.Errorf("launcher env %+v, want OpenMPI's", launcher.Pod.Spec.Containers[0].Env)
	}
	if _, ok := trainerTestEnv(&node.Pod.Spec.Containers[0])["OMPI_MCA_orte_set_default_slots"]; ok {
		t.Errorf("OpenMPI env on the node job")
	}

	// An implementation the plugin does not support builds nothing.
	other := strings.Replace(rt, "runLauncherAsNode: true", "runLauncherAsNode: true, mpiImplementation: Intel", 1)
	if pods := trainerTestPods(t, tj, other); len(pods) != 0 {
		t.Errorf("%d pods for an unsupported MPI implementation, want none", len(pods))
	}
}

func TestTrainJobTorchWithoutTrainerAndTorchTune(t *testing.T) {
	base := `
apiVersion: trainer.kubeflow.org/v1alpha1
kind: TrainJob
metadata: {name: tj, namespace: team-a}
spec:
  runtimeRef: {name: torch-distributed}
`
	node := testPodOfRole(t, trainerTestPods(t, base, torchRuntime), "node")
	c := node.Pod.Spec.Containers[0]
	if _, ok := trainerTestEnv(&c)["PET_NNODES"]; ok || c.Ports[0].ContainerPort != 8080 {
		t.Errorf("without spec.trainer the Torch plugin changes nothing; env %v ports %v", c.Env, c.Ports)
	}
	if node.Replicas != 2 || node.SpecPath != "spec.runtimeRef" {
		t.Errorf("replicas %d path %q, want mlPolicy.numNodes 2 and spec.runtimeRef", node.Replicas, node.SpecPath)
	}

	tune := base + "  trainer:\n    command: [tune, run]\n"
	c = testPodOfRole(t, trainerTestPods(t, tune, torchRuntime), "node").Pod.Spec.Containers[0]
	env := trainerTestEnv(&c)
	if _, ok := env["PET_MASTER_ADDR"]; ok {
		t.Errorf("torchtune gets no master address: %v", c.Env)
	}
	if env["PET_NNODES"].Value != "2" {
		t.Errorf("PET_NNODES %q, want 2", env["PET_NNODES"].Value)
	}
}

// TestTorchTuneCommand: the Torch plugin rewrites torchtune's "tune run"
// into the full command (torch.go EnforceMLPolicy at v2.0.0).
func TestTorchTuneCommand(t *testing.T) {
	rt := strings.NewReplacer("name: torch-distributed", "name: torchtune-llama3.2-1b",
		"image: pytorch:1", "image: pytorch:1\n                  command: [tune, run, output_dir=/out, other=1, tokenizer.path=/tok]").Replace(torchRuntime)
	tests := []struct {
		name, trainer string
		want          []string
	}{
		{"multi-node", "numNodes: 2", []string{"tune", "run", "--rdzv_endpoint=tj-node-0-0.tj:29500",
			"full_finetune_distributed", "--config", "llama3_2/1B_full_multinode", "output_dir=/out", "tokenizer.path=/tok"}},
		{"one node, several processes", "numNodes: 1, numProcPerNode: 4", []string{"tune", "run", "--rdzv_endpoint=tj-node-0-0.tj:29500",
			"full_finetune_distributed", "--config", "llama3_2/1B_full", "output_dir=/out", "tokenizer.path=/tok"}},
		{"single device", "numNodes: 1, numProcPerNode: 1", []string{"tune", "run",
			"full_finetune_single_device", "--config", "llama3_2/1B_full_single_device", "output_dir=/out", "tokenizer.path=/tok"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tj := "apiVersion: trainer.kubeflow.org/v1alpha1\nkind: TrainJob\nmetadata: {name: tj, namespace: team-a}\n" +
				"spec:\n  runtimeRef: {name: torchtune-llama3.2-1b}\n  trainer: {command: [tune, run], " + tt.trainer + "}\n"
			c := testPodOfRole(t, trainerTestPods(t, tj, rt), "node").Pod.Spec.Containers[0]
			if !slices.Equal(c.Command, tt.want) {
				t.Errorf("command %q, want %q", c.Command, tt.want)
			}
		})
	}
}

func TestTorchNumProcPerNode(t *testing.T) {
	rl := func(kv ...string) corev1.ResourceList {
		out := corev1.ResourceList{}
		for i := 0; i < len(kv); i += 2 {
			out[corev1.ResourceName(kv[i])] = resource.MustParse(kv[i+1])
		}
		return out
	}
	for _, tc := range []struct {
		name    string
		numProc intstr.IntOrString
		res     corev1.ResourceRequirements
		want    string
	}{
		{"auto, GPU limits, no requests", intstr.FromString("auto"), corev1.ResourceRequirements{Limits: rl("nvidia.com/gpu", "2")}, "1"},
		{"auto, GPU requests", intstr.FromString("auto"), corev1.ResourceRequirements{Requests: rl("nvidia.com/gpu", "2")}, "auto"},
		{"auto, CPU limits", intstr.FromString("auto"), corev1.ResourceRequirements{Limits: rl("cpu", "4")}, "4"},
		{"cpu rounds up", intstr.FromString("cpu"), corev1.ResourceRequirements{Limits: rl("cpu", "2500m")}, "3"},
		{"cpu without a CPU resource", intstr.FromString("cpu"), corev1.ResourceRequirements{Limits: rl("memory", "1Gi"), Requests: rl("memory", "1Gi")}, "1"},
		{"a number stays when requests are set", intstr.FromInt32(8), corev1.ResourceRequirements{Requests: rl("cpu", "4")}, "8"},
		// The plugin reads the requests after limits that gave no CPU
		// count, and absent requests count as one process.
		{"a number with limits only", intstr.FromInt32(8), corev1.ResourceRequirements{Limits: rl("cpu", "4")}, "1"},
		{"gpu stays", intstr.FromString("gpu"), corev1.ResourceRequirements{Limits: rl("nvidia.com/gpu", "2"), Requests: rl("nvidia.com/gpu", "2")}, "gpu"},
	} {
		got := torchNumProcPerNode(tc.numProc, tc.res)
		if got.String() != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got.String(), tc.want)
		}
	}
}

func TestTrainerRuntimeTemplates(t *testing.T) {
	doc := strings.Replace(torchRuntime, "                - name: sidecar\n", "                - name: sidecar\n                  imagee: typo\n", 1)
	_, r, unknown := testResource(t, doc)
	var got []string
	for _, tp := range r.Templates {
		got = append(got, tp.Role+" "+tp.Path)
	}
	want := []string{
		"dataset-initializer spec.template.spec.replicatedJobs[0].template.spec.template.spec",
		"node spec.template.spec.replicatedJobs[1].template.spec.template.spec",
		"evaluator spec.template.spec.replicatedJobs[2].template.spec.template.spec",
	}
	if !slices.Equal(got, want) {
		t.Errorf("templates\n got %q\nwant %q", got, want)
	}
	wantUnknown := []string{"spec.template.spec.replicatedJobs[1].template.spec.template.spec.containers[1].imagee"}
	if !slices.Equal(unknown, wantUnknown) {
		t.Errorf("unknown %q, want %q", unknown, wantUnknown)
	}
	for _, kind := range []string{"TrainingRuntime", "ClusterTrainingRuntime"} {
		k, ok := Find(schema.GroupVersionKind{Group: "trainer.kubeflow.org", Version: "v1alpha1", Kind: kind})
		if !ok || k.Pods != nil || k.Templates == nil {
			t.Errorf("%s: found %v, Pods set %v, Templates set %v; want templates and no pods", kind, ok, k.Pods != nil, k.Templates != nil)
		}
	}
	k, ok := Find(schema.GroupVersionKind{Group: "trainer.kubeflow.org", Version: "v1alpha1", Kind: "TrainJob"})
	if !ok || k.Templates != nil || k.Pods == nil {
		t.Errorf("TrainJob: found %v, Templates set %v, Pods set %v; want pods and no templates", ok, k.Templates != nil, k.Pods != nil)
	}
	if _, ok := Find(schema.GroupVersionKind{Group: "trainer.kubeflow.org", Version: "v1beta1", Kind: "TrainJob"}); ok {
		t.Errorf("an unread version is supported")
	}
}
