// Kubeflow Trainer v2 (trainer.kubeflow.org/v1alpha1): a TrainingRuntime
// or ClusterTrainingRuntime holds a JobSet template whose replicated jobs'
// pod templates are the runtime's templates (decoded as in a JobSet); a
// runtime runs no pod by itself. A TrainJob holds no pod template: its
// pods are those of the JobSet the Trainer controller builds from the
// runtime its spec.runtimeRef names, with the TrainJob's overrides, and
// then the JobSet controller's (jobset.go). Followed, in module
// github.com/kubeflow/trainer/v2 v2.0.0: pkg/apis/trainer/v1alpha1
// (trainjob_types.go, trainingruntime_types.go: runtimeRef and mlPolicy
// defaults), pkg/runtime/core/trainingruntime.go (newRuntimeInfo: pod set
// counts, mergePodSpecOverrides; syncPodSets: parallelism = completions =
// count), pkg/runtime/runtime.go (WithPodSet: count at least 1),
// pkg/runtime/framework/plugins/torch/torch.go, plugins/mpi/mpi.go,
// plugins/plainml/plainml.go, plugins/coscheduling/coscheduling.go,
// plugins/jobset/jobset.go and builder.go (Initializer, Trainer, PodLabels,
// Suspend), pkg/apply/apply.go (upserts by name, port or mount path) and
// pkg/constants.
//
// Choices: a TrainJob whose runtime is not in the inventory (or whose
// runtimeRef names another group or kind) yields no pods; a finding for
// the missing runtime may be added later. The SpecPath of a TrainJob's
// pods is the field a person edits in the TrainJob: spec.trainer for the
// trainer job, spec.initializer for the dataset and model initializers
// (each when the TrainJob sets it), spec.runtimeRef otherwise. Pods are
// named <trainjob>-<replicatedJob>. spec.managedBy is ignored (pods a
// MultiKueue worker runs are counted here).
//
// Proven against the Trainer itself: trainer_proof_test.go compares these
// pods with those of the JobSet the Trainer's own runtime builds (through
// internal/operatortest/cmd/trainerjobset) on testdata/trainer.
package operator

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/strategicpatch"
)

const (
	trainerGroup = "trainer.kubeflow.org"

	// The Job-template label that tells a runtime's jobs apart, and its
	// values (pkg/constants).
	trainerAncestorLabel   = "trainer.kubeflow.org/trainjob-ancestor-step"
	trainerAncestorTrainer = "trainer"
	trainerAncestorDataset = "dataset-initializer"
	trainerAncestorModel   = "model-initializer"
	// trainerNodeContainer is the container the TrainJob's trainer fields
	// apply to; MPI's node and launcher jobs are found by these names too.
	trainerNodeContainer  = "node"
	trainerMPILauncherJob = "launcher"
	trainerMPINodeJob     = "node"

	trainerPort               int32 = 29500
	trainerPodGroupLabel            = "scheduling.x-k8s.io/pod-group"
	trainerCompletionIndexRef       = "metadata.annotations['" + jobSetCompletionIndexKey + "']"
)

func trainerKinds() []Kind {
	runtimeTemplates := func(obj map[string]any) ([]Template, []string, error) {
		return replicatedJobTemplates(Map(obj, "spec", "template", "spec"), "spec.template.spec")
	}
	runtimeIntegers := append(replicatedJobIntegers("spec.template.spec"),
		"spec.mlPolicy.numNodes", "spec.mlPolicy.mpi.numProcPerNode")
	return []Kind{
		{GroupKind: schema.GroupKind{Group: trainerGroup, Kind: "TrainJob"}, Versions: []string{"v1alpha1"},
			Pods: trainJobPods, Integers: []string{"spec.trainer.numNodes"}},
		{GroupKind: schema.GroupKind{Group: trainerGroup, Kind: "TrainingRuntime"}, Versions: []string{"v1alpha1"},
			Templates: runtimeTemplates, Integers: runtimeIntegers},
		{GroupKind: schema.GroupKind{Group: trainerGroup, Kind: "ClusterTrainingRuntime"}, Versions: []string{"v1alpha1"},
			Templates: runtimeTemplates, Integers: runtimeIntegers},
	}
}

// trainJobRuntime resolves spec.runtimeRef: apiGroup defaults to
// trainer.kubeflow.org, kind to ClusterTrainingRuntime; a TrainingRuntime
// is looked up in the TrainJob's namespace.
func trainJobRuntime(r *Resource, lookup Lookup) (*Resource, bool) {
	ref := Map(r.Object, "spec", "runtimeRef")
	name := String(ref, "name")
	group, kind := String(ref, "apiGroup"), String(ref, "kind")
	if group == "" {
		group = trainerGroup
	}
	if kind == "" {
		kind = "ClusterTrainingRuntime"
	}
	if name == "" || group != trainerGroup || lookup == nil {
		return nil, false
	}
	switch kind {
	case "ClusterTrainingRuntime":
		return lookup(schema.GroupKind{Group: group, Kind: kind}, "", name)
	case "TrainingRuntime":
		return lookup(schema.GroupKind{Group: group, Kind: kind}, r.Namespace, name)
	}
	return nil, false
}

// trainJob is the part of a TrainJob's spec the build reads.
type trainJob struct {
	name        string
	spec        map[string]any
	trainer     map[string]any // nil without spec.trainer
	initializer map[string]any
	// command is the trainer command the Torch plugin rewrote for
	// torchtune; nil: spec.trainer.command as written.
	command []string
}

// trainJobPods derives the pods of a TrainJob from its runtime.
func trainJobPods(r *Resource, lookup Lookup) []Pod {
	rt, ok := trainJobRuntime(r, lookup)
	if !ok {
		return nil
	}
	tj := trainJob{name: r.Name, spec: Map(r.Object, "spec")}
	tj.trainer, tj.initializer = Map(tj.spec, "trainer"), Map(tj.spec, "initializer")
	rtSpec := Map(rt.Object, "spec")
	jsTemplate := Map(rtSpec, "template")

	// The JobSet's annotations: the runtime template's, overridden by the
	// TrainJob's spec.annotations (labels only reach the JobSet object).
	annotations, _ := jobSetStringMap(Map(jsTemplate, "metadata", "annotations"))
	tjAnnotations, _ := jobSetStringMap(Map(tj.spec, "annotations"))
	if len(tjAnnotations) > 0 && annotations == nil {
		annotations = map[string]string{}
	}
	for k, v := range tjAnnotations {
		annotations[k] = v
	}
	js := readJobSet(r.Name, annotations, Map(jsTemplate, "spec"), "spec.template.spec", rt.Templates)
	for i := range js.jobs {
		// The build edits the templates; the runtime's stay as written.
		t := &js.jobs[i].template
		t.Spec = *t.Spec.DeepCopy()
		t.Meta = *t.Meta.DeepCopy()
	}
	if err := tj.applyPodSpecOverrides(js); err != nil {
		return nil
	}

	// Pod sets (newRuntimeInfo): every job runs count pods; the trainer
	// job's count is mlPolicy.numNodes when the runtime has an mlPolicy.
	mlPolicy := Map(rtSpec, "mlPolicy")
	counts := make([]int32, len(js.jobs))
	for i, j := range js.jobs {
		counts[i] = max(j.parallelism, 1)
		if j.jobLabels[trainerAncestorLabel] == trainerAncestorTrainer && mlPolicy != nil {
			counts[i] = max(Int(mlPolicy, 1, "numNodes"), 1)
		}
	}
	trainerIdx := slices.IndexFunc(js.jobs, func(j replicatedJob) bool {
		return j.jobLabels[trainerAncestorLabel] == trainerAncestorTrainer
	})

	// The ML policy plugins (EnforceMLPolicy).
	torch, mpi := Map(mlPolicy, "torch"), Map(mlPolicy, "mpi")
	switch {
	case torch != nil:
		tj.enforceTorch(js, counts, trainerIdx, torch)
	case mpi != nil:
		if !tj.enforceMPI(js, counts, mpi) {
			return nil
		}
	default:
		tj.enforcePlainML(js, counts, trainerIdx)
	}

	// The JobSet plugin's builder.
	podGroupPolicy := Map(rtSpec, "podGroupPolicy") != nil
	for i := range js.jobs {
		j := &js.jobs[i]
		// syncPodSets writes every count to parallelism and completions.
		j.parallelism, j.completions = counts[i], counts[i]
		if j.replicas == 0 {
			// Replicas 0 is omitted from the apply configuration the
			// controller sends, and the JobSet CRD defaults it to 1.
			j.replicas = 1
		}
		j.specPath = "spec.runtimeRef"
		switch ancestor := j.jobLabels[trainerAncestorLabel]; ancestor {
		case trainerAncestorDataset, trainerAncestorModel:
			j.replicas = 1
			tj.applyInitializer(j, ancestor)
			if tj.initializer != nil {
				j.specPath = "spec.initializer"
			}
		case trainerAncestorTrainer:
			j.replicas = 1
			j.parallelism, j.completions = counts[trainerIdx], counts[trainerIdx]
			tj.applyTrainer(j)
			if tj.trainer != nil {
				j.specPath = "spec.trainer"
			}
		}
		if podGroupPolicy {
			if j.template.Meta.Labels == nil {
				j.template.Meta.Labels = map[string]string{}
			}
			j.template.Meta.Labels[trainerPodGroupLabel] = tj.name
		}
	}
	js.suspend = Bool(tj.spec, "suspend")
	return js.pods(r)
}

// applyPodSpecOverrides merges spec.podSpecOverrides into the pod specs of
// the jobs each targets, in order, as mergePodSpecOverrides does: the
// override, as its Go type marshals it (fields outside the type dropped,
// empty lists and maps omitted), is a strategic merge patch of the pod
// spec, applied by the same apimachinery function. Its list order matters
// to what the pods run (an init container's place, which env var wins):
// items of the patch come first, in the patch's order, and the runtime's
// other items are placed after the patch items they preceded.
func (tj *trainJob) applyPodSpecOverrides(js *jobSet) error {
	for oi, item := range Slice(tj.spec, "podSpecOverrides") {
		var override trainerPodSpecOverride
		if err := trainerDecode(item, &override); err != nil {
			return fmt.Errorf("spec.podSpecOverrides[%d]: %w", oi, err)
		}
		patch, err := json.Marshal(override)
		if err != nil {
			return fmt.Errorf("spec.podSpecOverrides[%d]: %w", oi, err)
		}
		for i := range js.jobs {
			j := &js.jobs[i]
			if !slices.ContainsFunc(override.TargetJobs, func(t trainerTargetJob) bool { return t.Name == j.name }) {
				continue
			}
			merged, err := trainerMergePodSpec(&j.template.Spec, patch)
			if err != nil {
				return fmt.Errorf("spec.podSpecOverrides[%d] into %s: %w", oi, j.name, err)
			}
			j.template.Spec = merged
		}
	}
	return nil
}

// trainerPodSpecOverride is a PodSpecOverride of the TrainJob
// (pkg/apis/trainer/v1alpha1 trainjob_types.go), with the same JSON
// names, pointers and omitempty, so that it marshals to the patch the
// controller applies.
type trainerPodSpecOverride struct {
	TargetJobs         []trainerTargetJob         `json:"targetJobs"`
	ServiceAccountName *string                    `json:"serviceAccountName,omitempty"`
	NodeSelector       map[string]string          `json:"nodeSelector,omitempty"`
	Tolerations        []corev1.Toleration        `json:"tolerations,omitempty"`
	Volumes            []corev1.Volume            `json:"volumes,omitempty"`
	InitContainers     []trainerContainerOverride `json:"initContainers,omitempty"`
	Containers         []trainerContainerOverride `json:"containers,omitempty"`
	SchedulingGates    []corev1.PodSchedulingGate `json:"schedulingGates,omitempty"`
}

type trainerTargetJob struct {
	Name string `json:"name"`
}

type trainerContainerOverride struct {
	Name         string               `json:"name"`
	Env          []corev1.EnvVar      `json:"env,omitempty"`
	VolumeMounts []corev1.VolumeMount `json:"volumeMounts,omitempty"`
}

// trainerMergePodSpec applies the strategic merge patch to spec, with the
// pod spec's patch strategies and merge keys.
func trainerMergePodSpec(spec *corev1.PodSpec, patch []byte) (corev1.PodSpec, error) {
	source, err := json.Marshal(spec)
	if err != nil {
		return corev1.PodSpec{}, err
	}
	merged, err := strategicpatch.StrategicMergePatch(source, patch, corev1.PodSpec{})
	if err != nil {
		return corev1.PodSpec{}, err
	}
	var out corev1.PodSpec
	if err := json.Unmarshal(merged, &out); err != nil {
		return corev1.PodSpec{}, err
	}
	return out, nil
}

// container returns the container named name of the job's pod template.
func (j *replicatedJob) container(name string) *corev1.Container {
	for i := range j.template.Spec.Containers {
		if j.template.Spec.Containers[i].Name == name {
			return &j.template.Spec.Containers[i]
		}
	}
	return nil
}

// trainerEnvVars decodes a list of env vars of the TrainJob; entries that do not
// decode are left out (the CRD's schema rejects them).
func trainerEnvVars(list []any) []corev1.EnvVar {
	var out []corev1.EnvVar
	for _, item := range list {
		var e corev1.EnvVar
		if trainerDecode(item, &e) == nil {
			out = append(out, e)
		}
	}
	return out
}

func trainerDecode(v, out any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, out)
}

// trainerUpsertEnv replaces the env var of the same name or appends it
// (apply.UpsertEnvVar).
func trainerUpsertEnv(c *corev1.Container, vars ...corev1.EnvVar) {
	for _, v := range vars {
		if i := slices.IndexFunc(c.Env, func(e corev1.EnvVar) bool { return e.Name == v.Name }); i >= 0 {
			c.Env[i] = v
		} else {
			c.Env = append(c.Env, v)
		}
	}
}

// numNodes returns spec.trainer.numNodes; ok is false when unset.
func (tj *trainJob) numNodes() (int32, bool) {
	if _, ok := Field(tj.trainer, "numNodes"); !ok {
		return 0, false
	}
	return Int(tj.trainer, 1, "numNodes"), true
}

// trainerIntOrString reads an int-or-string field; ok is false when unset.
func trainerIntOrString(m map[string]any, key string) (intstr.IntOrString, bool) {
	v, ok := m[key]
	if !ok || v == nil {
		return intstr.IntOrString{}, false
	}
	if s, isString := v.(string); isString {
		return intstr.FromString(s), true
	}
	return intstr.FromInt32(Int(m, 0, key)), true
}

// enforceTorch is the Torch plugin: spec.trainer.numNodes sets the trainer
// count, and the trainer job's node container gets the trainer env, the
// PET_* env of torchrun and port 29500 (only when the TrainJob sets
// spec.trainer).
func (tj *trainJob) enforceTorch(js *jobSet, counts []int32, trainerIdx int, torch map[string]any) {
	if n, ok := tj.numNodes(); ok && trainerIdx >= 0 {
		counts[trainerIdx] = n
	}
	numProc, ok := trainerIntOrString(torch, "numProcPerNode")
	if !ok {
		numProc = intstr.FromString("auto")
	}
	if v, ok := trainerIntOrString(tj.trainer, "numProcPerNode"); ok {
		numProc = v
	}
	if rpn, ok := tj.trainer["resourcesPerNode"]; ok && rpn != nil {
		var res corev1.ResourceRequirements
		if trainerDecode(rpn, &res) == nil {
			numProc = torchNumProcPerNode(numProc, res)
		}
	}
	if tj.trainer == nil || trainerIdx < 0 {
		return
	}
	node := js.jobs[trainerIdx].container(trainerNodeContainer)
	if node == nil {
		return
	}
	trainerUpsertEnv(node, trainerEnvVars(Slice(tj.trainer, "env"))...)
	trainerUpsertEnv(node,
		corev1.EnvVar{Name: "PET_NNODES", Value: strconv.Itoa(int(counts[trainerIdx]))},
		corev1.EnvVar{Name: "PET_NPROC_PER_NODE", Value: numProc.String()},
		corev1.EnvVar{Name: "PET_NODE_RANK", ValueFrom: &corev1.EnvVarSource{
			FieldRef: &corev1.ObjectFieldSelector{FieldPath: trainerCompletionIndexRef}}})
	if !isTorchTune(tj.trainer) {
		trainerUpsertEnv(node,
			corev1.EnvVar{Name: "PET_MASTER_ADDR", Value: fmt.Sprintf("%s-%s-0-0.%s", tj.name, trainerNodeContainer, tj.name)},
			corev1.EnvVar{Name: "PET_MASTER_PORT", Value: strconv.Itoa(int(trainerPort))})
	} else {
		tj.command = tj.torchTuneCommand(js, counts[trainerIdx], numProc)
	}
	// apply.UpsertPort matches by port number or by name, so the new
	// unnamed port replaces the first unnamed one.
	port := corev1.ContainerPort{ContainerPort: trainerPort}
	if i := slices.IndexFunc(node.Ports, func(p corev1.ContainerPort) bool {
		return p.ContainerPort == trainerPort || p.Name == ""
	}); i >= 0 {
		node.Ports[i] = port
	} else {
		node.Ports = append(node.Ports, port)
	}
}

// torchTuneCommand is the trainer command the Torch plugin writes for
// torchtune ("tune run"): the rendezvous endpoint of node 0 unless one
// process runs on one node, the recipe and config chosen from the counts
// and the model the runtime's name carries (torchtune-<model>-<size>),
// then the runtime node container's output_dir, tokenizer.path and
// checkpointer.checkpoint_dir arguments, which a TrainJob cannot change.
func (tj *trainJob) torchTuneCommand(js *jobSet, numNodes int32, numProc intstr.IntOrString) []string {
	command := trainerStrings(Slice(tj.trainer, "command"))
	oneProcess := numProc.Type == intstr.Int && numProc.IntVal == 1
	if numNodes > 1 || !oneProcess {
		command = append(command, fmt.Sprintf("--rdzv_endpoint=%s-%s-0-0.%s:%d", tj.name, trainerNodeContainer, tj.name, trainerPort))
	}
	recipe, suffix := "full_finetune_distributed", "_full"
	switch {
	case numNodes == 1 && oneProcess:
		recipe, suffix = "full_finetune_single_device", "_full_single_device"
	case numNodes > 1:
		suffix = "_full_multinode"
	}
	var model string
	if fields := strings.Split(String(tj.spec, "runtimeRef", "name"), "-"); len(fields) == 3 {
		model = strings.ReplaceAll(fields[1], ".", "_") + "/" + strings.ToUpper(fields[2])
	}
	command = append(command, recipe, "--config", model+suffix)
	for _, j := range js.jobs {
		if j.jobLabels[trainerAncestorLabel] != trainerAncestorTrainer {
			continue
		}
		for _, c := range j.template.Spec.Containers {
			if c.Name != trainerNodeContainer {
				continue
			}
			for _, arg := range c.Command {
				switch key, _, _ := strings.Cut(arg, "="); key {
				case "output_dir", "tokenizer.path", "checkpointer.checkpoint_dir":
					command = append(command, arg)
				}
			}
		}
	}
	return command
}

// isTorchTune reports whether the trainer's command is torchtune's
// entrypoint ("tune run").
func isTorchTune(trainer map[string]any) bool {
	cmd := Slice(trainer, "command")
	return len(cmd) == 2 && cmd[0] == "tune" && cmd[1] == "run"
}

// torchNumProcPerNode is the Torch plugin's process count per node when
// the TrainJob sets resourcesPerNode: "auto" means the CPU count when no
// resource name mentions a GPU; "cpu" the CPU count, else 1. The limits
// are read first, then the requests; absent resources count as 1.
func torchNumProcPerNode(numProc intstr.IntOrString, res corev1.ResourceRequirements) intstr.IntOrString {
	var useCPU func(corev1.ResourceList) bool
	fallback := numProc
	switch numProc.String() {
	case "auto":
		useCPU = func(rl corev1.ResourceList) bool {
			for name := range rl {
				if strings.Contains(strings.ToLower(string(name)), "gpu") {
					return false
				}
			}
			return true
		}
	case "cpu":
		useCPU = func(rl corev1.ResourceList) bool { _, ok := rl[corev1.ResourceCPU]; return ok }
		fallback = intstr.FromInt32(1)
	default:
		useCPU = func(corev1.ResourceList) bool { return false }
	}
	calc := func(rl corev1.ResourceList) (intstr.IntOrString, bool) {
		if rl == nil {
			return intstr.FromInt32(1), false
		}
		if useCPU(rl) {
			cpu := rl[corev1.ResourceCPU]
			return intstr.FromInt32(max(1, int32(cpu.Value()))), true
		}
		return fallback, false
	}
	n, usedCPU := calc(res.Limits)
	if !usedCPU {
		n, _ = calc(res.Requests)
	}
	return n
}

// enforceMPI is the MPI plugin: spec.trainer.numNodes sets the count of
// the job named node (one less when the launcher runs as a node), both
// jobs mount the SSH keys Secret, and the launcher's node container gets
// the hostfile and OpenMPI's env. ok is false for an MPI implementation
// other than OpenMPI, which the plugin rejects.
func (tj *trainJob) enforceMPI(js *jobSet, counts []int32, mpi map[string]any) (ok bool) {
	launcherAsNode := Bool(mpi, "runLauncherAsNode")
	if n, set := tj.numNodes(); set {
		if i := slices.IndexFunc(js.jobs, func(j replicatedJob) bool { return j.name == trainerMPINodeJob }); i >= 0 {
			if launcherAsNode {
				counts[i] = max(n-1, 1)
			} else {
				counts[i] = n
			}
		}
	}
	slots := Int(mpi, 1, "numProcPerNode")
	if v, set := trainerIntOrString(tj.trainer, "numProcPerNode"); set {
		slots = int32(v.IntValue())
	}
	sshPath := String(mpi, "sshAuthMountPath")
	if sshPath == "" {
		sshPath = "/root/.ssh"
	}
	impl := String(mpi, "mpiImplementation")
	if impl == "" {
		impl = "OpenMPI"
	}
	for i := range js.jobs {
		j := &js.jobs[i]
		if j.name != trainerMPINodeJob && j.name != trainerMPILauncherJob {
			continue
		}
		spec := &j.template.Spec
		trainerUpsertVolume(spec, corev1.Volume{Name: "mpi-ssh-auth", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{
			SecretName: tj.name + "-mpi-ssh-auth",
			Items: []corev1.KeyToPath{{Key: corev1.SSHAuthPrivateKey, Path: "id_rsa"},
				{Key: "ssh-publickey", Path: "id_rsa.pub"}, {Key: "ssh-publickey", Path: "authorized_keys"}},
		}}})
		if j.name == trainerMPILauncherJob {
			trainerUpsertVolume(spec, corev1.Volume{Name: "mpi-hostfile", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
				LocalObjectReference: corev1.LocalObjectReference{Name: tj.name + "-mpi-hostfile"},
				Items:                []corev1.KeyToPath{{Key: "hostfile", Path: "hostfile", Mode: Ptr[int32](0o444)}},
			}}})
		}
		node := j.container(trainerNodeContainer)
		if node == nil {
			continue
		}
		trainerUpsertMount(node, corev1.VolumeMount{Name: "mpi-ssh-auth", MountPath: sshPath})
		if j.name != trainerMPILauncherJob {
			continue
		}
		trainerUpsertMount(node, corev1.VolumeMount{Name: "mpi-hostfile", MountPath: "/etc/mpi"})
		if impl != "OpenMPI" {
			return false
		}
		trainerUpsertEnv(node,
			corev1.EnvVar{Name: "OMPI_MCA_orte_default_hostfile", Value: "/etc/mpi/hostfile"},
			corev1.EnvVar{Name: "OMPI_MCA_orte_keep_fqdn_hostnames", Value: "true"},
			corev1.EnvVar{Name: "OMPI_MCA_orte_set_default_slots", Value: strconv.Itoa(int(slots))},
			corev1.EnvVar{Name: "OMPI_MCA_plm_rsh_args", Value: "-o ConnectionAttempts=10"})
	}
	return true
}

func trainerUpsertVolume(spec *corev1.PodSpec, v corev1.Volume) {
	if i := slices.IndexFunc(spec.Volumes, func(o corev1.Volume) bool { return o.Name == v.Name }); i >= 0 {
		spec.Volumes[i] = v
		return
	}
	spec.Volumes = append(spec.Volumes, v)
}

func trainerUpsertMount(c *corev1.Container, m corev1.VolumeMount) {
	if i := slices.IndexFunc(c.VolumeMounts, func(o corev1.VolumeMount) bool { return o.MountPath == m.MountPath }); i >= 0 {
		c.VolumeMounts[i] = m
		return
	}
	c.VolumeMounts = append(c.VolumeMounts, m)
}

// enforcePlainML is the PlainML plugin (a runtime with neither Torch nor
// MPI): spec.trainer.numNodes sets the trainer count and the trainer env
// goes on the node container.
func (tj *trainJob) enforcePlainML(js *jobSet, counts []int32, trainerIdx int) {
	if trainerIdx < 0 || tj.trainer == nil {
		return
	}
	if n, ok := tj.numNodes(); ok {
		counts[trainerIdx] = n
	}
	if node := js.jobs[trainerIdx].container(trainerNodeContainer); node != nil {
		trainerUpsertEnv(node, trainerEnvVars(Slice(tj.trainer, "env"))...)
	}
}

// applyInitializer is the builder's Initializer step on a dataset or model
// initializer job: its container of the same name gets STORAGE_URI, the
// initializer's env and its secret as envFrom.
func (tj *trainJob) applyInitializer(j *replicatedJob, ancestor string) {
	key := "dataset"
	if ancestor == trainerAncestorModel {
		key = "model"
	}
	init := Map(tj.initializer, key)
	if init == nil {
		return
	}
	c := j.container(ancestor)
	if c == nil {
		return
	}
	if _, ok := init["storageUri"]; ok {
		trainerUpsertEnv(c, corev1.EnvVar{Name: "STORAGE_URI", Value: String(init, "storageUri")})
	}
	trainerUpsertEnv(c, trainerEnvVars(Slice(init, "env"))...)
	if secret := String(init, "secretRef", "name"); Map(init, "secretRef") != nil {
		c.EnvFrom = append(c.EnvFrom, corev1.EnvFromSource{SecretRef: &corev1.SecretEnvSource{
			LocalObjectReference: corev1.LocalObjectReference{Name: secret}}})
	}
}

// applyTrainer is the builder's Trainer step on the trainer job's node
// container: image, command and args replaced when set, resourcesPerNode
// as its resources, the trainer env upserted.
func (tj *trainJob) applyTrainer(j *replicatedJob) {
	c := j.container(trainerNodeContainer)
	if c == nil || tj.trainer == nil {
		return
	}
	if v, ok := tj.trainer["image"]; ok && v != nil {
		c.Image = String(tj.trainer, "image")
	}
	if v, ok := tj.trainer["command"]; ok && v != nil {
		c.Command = trainerStrings(Slice(tj.trainer, "command"))
	}
	if tj.command != nil {
		c.Command = tj.command
	}
	if v, ok := tj.trainer["args"]; ok && v != nil {
		c.Args = trainerStrings(Slice(tj.trainer, "args"))
	}
	if rpn, ok := tj.trainer["resourcesPerNode"]; ok && rpn != nil {
		var res corev1.ResourceRequirements
		if trainerDecode(rpn, &res) == nil && (res.Limits != nil || res.Requests != nil) {
			c.Resources = corev1.ResourceRequirements{Limits: res.Limits, Requests: res.Requests}
		}
	}
	trainerUpsertEnv(c, trainerEnvVars(Slice(tj.trainer, "env"))...)
}

func trainerStrings(list []any) []string {
	out := make([]string, 0, len(list))
	for _, v := range list {
		s, _ := v.(string)
		out = append(out, s)
	}
	return out
}
