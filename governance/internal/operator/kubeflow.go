// Kubeflow training-operator v1 jobs (kubeflow.org/v1 PyTorchJob, TFJob,
// XGBoostJob, PaddleJob, JAXJob), the mpi-operator's MPIJob
// (kubeflow.org/v2beta1) and the Kubeflow Notebook (kubeflow.org/v1,
// v1beta1, v1alpha1). The templates of a job are its replica specs'
// templates (spec.<kind>ReplicaSpecs[<type>].template), one per replica
// type, the replica spec decoded strictly as a whole so that a typo in
// replicas is reported too; a Notebook's is spec.template, which holds a
// pod spec and nothing else. The pods are those the controllers create.
//
// Followed, at kubeflow/training-operator v1.9.0:
// pkg/apis/kubeflow.org/v1/*_types.go (default container, port, restart
// policy and controller name of each kind), *_defaults.go and
// defaulting_utils.go (replicas 1, replica type keys renamed to their
// canonical case when they match case-insensitively, the default port
// appended to the default-named container or else container 0 unless a
// port of that name is there), pkg/controller.v1/common/pod.go
// (createNewPod: labels, restart policy) and job.go (runPolicy.suspend and
// managedBy), common/util.go (GenGeneralName), the IsMasterRole of each
// controller, pkg/controller.v1/pytorch/envvar.go, master.go,
// initcontainer.go and hpa.go with pkg/config/config.go (init-pytorch image
// and tries). At kubeflow/mpi-operator v0.8.0:
// pkg/apis/kubeflow/v2beta1/default.go and constants.go,
// pkg/apis/kubeflow/validation/validation.go (a job that fails it gets no
// pods), pkg/controller/mpi_job_controller.go (newWorker,
// newLauncherPodTemplate, newLauncherJob, setupSSHOnPod, defaultLabels),
// with the Job controller's pod labels of Kubernetes v1.37.2
// (pkg/registry/batch/job/strategy.go) on the launcher. At kubeflow/kubeflow
// v1.10.0: components/notebook-controller/api/v1/notebook_types.go and
// controllers/notebook_controller.go (generateStatefulSet,
// setPrefixEnvVar), with the StatefulSet controller's pod identity labels
// (pkg/controller/statefulset/stateful_set_utils.go).
//
// One Pod stands for every pod of a replica type: it is the pod of replica
// index 0, named <job>-<type in lower case> (the pods are <job>-<type>-<i>).
// Labels whose key only some of those pods carry are left out (see
// trainingJobRole). Not derived: gang-scheduling's schedulerName and
// PodGroup annotations (operator flags), TF_CONFIG and the env of XGBoost,
// Paddle and JAX jobs, the elastic rendezvous env of a PyTorchJob with an
// elasticPolicy, the MPI hostfile's content, the Notebook's
// controller-revision-hash and what the Kubeflow PodDefault webhook adds.
// Non-canonical replica keys of PyTorch, XGBoost, Paddle and JAX jobs are
// normalised as the controller does, although the v1.9.0 validating
// webhook of those kinds refuses them (TFJob's accepts them): the pods
// shown are those of a job that got past admission.
package operator

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation"
	kjson "sigs.k8s.io/json"
)

// Label keys and values of the training-operator (pkg/apis/kubeflow.org/v1
// common_types.go; mpi-operator's v2beta1/constants.go uses the same keys).
const (
	kubeflowGroup              = "kubeflow.org"
	kubeflowOperatorNameLabel  = "training.kubeflow.org/operator-name"
	kubeflowJobNameLabel       = "training.kubeflow.org/job-name"
	kubeflowReplicaTypeLabel   = "training.kubeflow.org/replica-type"
	kubeflowReplicaIndexLabel  = "training.kubeflow.org/replica-index"
	kubeflowJobRoleLabel       = "training.kubeflow.org/job-role"
	kubeflowJobRoleMaster      = "master"
	kubeflowTrainingController = "kubeflow.org/training-operator"
	kubeflowRestartExitCode    = "ExitCode"
	// kubeflowRepresentativeIdx is the replica index of the pod that stands
	// for every pod of a replica type.
	kubeflowRepresentativeIdx = 0

	// PyTorch (pytorch/initcontainer.go, pkg/config/config.go defaults).
	pyTorchInitContainerName  = "init-pytorch"
	pyTorchInitContainerImage = "alpine:3.10"
	pyTorchInitContainerTries = 100
	pyTorchDefaultNproc       = "auto"

	// mpi-operator v0.8.0.
	mpiJobController     = "kubeflow.org/mpi-operator"
	mpiOperatorName      = "mpi-operator"
	mpiLauncher          = "Launcher"
	mpiWorker            = "Worker"
	mpiRoleEnv           = "K_MPI_JOB_ROLE"
	mpiSSHVolume         = "ssh-auth"
	mpiRootSSHPath       = "/root/.ssh"
	mpiConfigVolume      = "mpi-job-config"
	mpiConfigMountPath   = "/etc/mpi"
	mpiHostfile          = "hostfile"
	mpiDiscoverHosts     = "discover_hosts.sh"
	mpiImplOpenMPI       = "OpenMPI"
	mpiImplIntel         = "Intel"
	mpiImplMPICH         = "MPICH"
	batchJobNameLabel    = "batch.kubernetes.io/job-name"
	batchLegacyJobLabel  = "job-name"
	mpiWorkerSSHDCommand = "/usr/sbin/sshd"

	// Notebook controller (kubeflow/kubeflow v1.10.0) and the StatefulSet
	// controller.
	notebookStatefulSetLabel = "statefulset"
	notebookNameLabel        = "notebook-name"
	notebookStoppedKey       = "kubeflow-resource-stopped"
	notebookPrefixEnv        = "NB_PREFIX"
	notebookPortName         = "notebook-port"
	notebookPort             = 8888
	notebookWorkingDir       = "/home/jovyan"
	notebookFSGroup          = int64(100)
)

// trainingJobKind is one kind of the training-operator v1.
type trainingJobKind struct {
	kind string
	// field is the replica spec map of the spec: "pytorchReplicaSpecs".
	field string
	// replicaTypes are the canonical replica types, in the order the
	// defaulting function renames them.
	replicaTypes []string
	// container, portName and port are the default container and the port
	// the defaulting appends to it.
	container, portName string
	port                int32
	// restartPolicy is the replica specs' default restart policy.
	restartPolicy string
	// controller is the operator-name label value.
	controller string
	// masterRole is the controller's IsMasterRole: whether the pod of
	// replica type rtype and index gets job-role=master; present holds the
	// replica types of the job.
	masterRole func(present map[string]bool, rtype string, index int) bool
	// clusterSpec adds what the controller's SetClusterSpec adds to a pod
	// (env, init containers); nil where aigov does not derive it.
	clusterSpec func(job *trainingJob, rtype string, index int, spec *corev1.PodSpec)
}

// trainingJobKinds lists the training-operator v1 kinds
// (pkg/apis/kubeflow.org/v1 and the controllers' IsMasterRole).
func trainingJobKinds() []trainingJobKind {
	masterOrWorker0 := func(masters ...string) func(map[string]bool, string, int) bool {
		return func(present map[string]bool, rtype string, index int) bool {
			for _, m := range masters {
				if present[m] {
					for _, mm := range masters {
						if rtype == mm {
							return true
						}
					}
					return false
				}
			}
			return rtype == "Worker" && index == 0
		}
	}
	onlyMaster := func(_ map[string]bool, rtype string, _ int) bool { return rtype == "Master" }
	return []trainingJobKind{
		{kind: "PyTorchJob", field: "pytorchReplicaSpecs", replicaTypes: []string{"Master", "Worker"},
			container: "pytorch", portName: "pytorchjob-port", port: 23456, restartPolicy: "OnFailure",
			controller: "pytorchjob-controller", masterRole: masterOrWorker0("Master"), clusterSpec: pyTorchClusterSpec},
		{kind: "TFJob", field: "tfReplicaSpecs", replicaTypes: []string{"PS", "Worker", "Chief", "Master", "Evaluator"},
			container: "tensorflow", portName: "tfjob-port", port: 2222, restartPolicy: "Never",
			controller: "tfjob-controller", masterRole: masterOrWorker0("Chief", "Master")},
		{kind: "XGBoostJob", field: "xgbReplicaSpecs", replicaTypes: []string{"Master", "Worker"},
			container: "xgboost", portName: "xgboostjob-port", port: 9999, restartPolicy: "Never",
			controller: "xgboostjob-controller", masterRole: onlyMaster},
		{kind: "PaddleJob", field: "paddleReplicaSpecs", replicaTypes: []string{"Master", "Worker"},
			container: "paddle", portName: "master", port: 36543, restartPolicy: "OnFailure",
			controller: "paddlejob-controller", masterRole: onlyMaster},
		{kind: "JAXJob", field: "jaxReplicaSpecs", replicaTypes: []string{"Worker"},
			container: "jax", portName: "jaxjob-port", port: 6666, restartPolicy: "Never",
			controller: "jaxjob-controller",
			masterRole: func(_ map[string]bool, _ string, index int) bool { return index == 0 }},
	}
}

// kubeflowKinds lists the supported kinds of the training-operator, the
// mpi-operator and the Notebook controller.
func kubeflowKinds() []Kind {
	var out []Kind
	for _, k := range trainingJobKinds() {
		out = append(out, Kind{
			GroupKind: schema.GroupKind{Group: kubeflowGroup, Kind: k.kind},
			Versions:  []string{"v1"},
			Templates: func(obj map[string]any) ([]Template, []string, error) {
				replicas, unknown, err := readKubeflowReplicas(obj, k.field, k.replicaTypes, true)
				if err != nil {
					return nil, nil, err
				}
				return decodeKubeflowTemplates(replicas, unknown)
			},
			Pods: k.pods,
			// PyTorchJob's HPA bounds; the replica counts decode strictly.
			Integers: []string{"spec.elasticPolicy.minReplicas", "spec.elasticPolicy.maxReplicas"},
		})
	}
	out = append(out,
		Kind{
			GroupKind: schema.GroupKind{Group: kubeflowGroup, Kind: "MPIJob"},
			Versions:  []string{"v2beta1"},
			Templates: func(obj map[string]any) ([]Template, []string, error) {
				replicas, unknown, err := readKubeflowReplicas(obj, "mpiReplicaSpecs", []string{mpiLauncher, mpiWorker}, false)
				if err != nil {
					return nil, nil, err
				}
				return decodeKubeflowTemplates(replicas, unknown)
			},
			Pods:     mpiJobPods,
			Integers: []string{"spec.slotsPerWorker"},
		},
		Kind{
			GroupKind: schema.GroupKind{Group: kubeflowGroup, Kind: "Notebook"},
			Versions:  []string{"v1", "v1beta1", "v1alpha1"},
			Templates: notebookTemplates,
			Pods:      notebookPods,
		})
	return out
}

// kubeflowReplica is one entry of a replica spec map.
type kubeflowReplica struct {
	// key is the map key as written; rtype the canonical replica type it
	// stands for (the key itself when it matches none).
	key, rtype string
	// path is the field path of the template's pod spec.
	path string
	// active is false for an entry the controller drops: a null one, or
	// a spelling of a replica type whose other spelling wins the renaming.
	active        bool
	replicas      *int32
	restartPolicy string
	// template is the template as written, undecoded; nil when absent.
	template any
}

// kubeflowReplicaSpec is a ReplicaSpec of either operator (both have the
// same three fields), the template kept raw for DecodeTemplate.
type kubeflowReplicaSpec struct {
	Replicas      *int32 `json:"replicas,omitempty"`
	Template      any    `json:"template,omitempty"`
	RestartPolicy string `json:"restartPolicy,omitempty"`
}

// readKubeflowReplicas reads spec.<field> of obj: every entry, in the
// order of canonical (then the other keys alphabetically), each decoded
// strictly; unknown fields of the replica specs (outside their templates)
// come back as paths. With normalise, keys are matched to canonical
// types case-insensitively as the training-operator's
// setTypeNameToCamelCase does: the first non-canonical spelling replaces
// the canonical key; without it (mpi-operator) only exact keys count.
func readKubeflowReplicas(obj map[string]any, field string, canonical []string, normalise bool) ([]kubeflowReplica, []string, error) {
	prefix := "spec." + field
	raw, ok := Field(obj, "spec", field)
	if !ok || raw == nil {
		return nil, nil, nil
	}
	specs, ok := raw.(map[string]any)
	if !ok {
		return nil, nil, fmt.Errorf("%s: want an object of replica specs, got %T", prefix, raw)
	}
	keys := make([]string, 0, len(specs))
	for k := range specs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	rank := func(rtype string) int {
		for i, c := range canonical {
			if c == rtype {
				return i
			}
		}
		return len(canonical)
	}
	var out []kubeflowReplica
	var unknown []string
	for _, key := range keys {
		path := fmt.Sprintf("%s[%s]", prefix, key)
		r := kubeflowReplica{key: key, rtype: key, path: path + ".template.spec", active: true}
		if normalise {
			for _, c := range canonical {
				if strings.EqualFold(key, c) {
					r.rtype = c
				}
			}
		}
		if specs[key] == nil {
			r.active = false
			out = append(out, r)
			continue
		}
		data, err := json.Marshal(specs[key])
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		var rs kubeflowReplicaSpec
		strict, err := kjson.UnmarshalStrict(data, &rs, kjson.DisallowUnknownFields)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		for _, e := range strict {
			var fe kjson.FieldError
			if !errors.As(e, &fe) || !strings.HasPrefix(e.Error(), "unknown field ") {
				return nil, nil, fmt.Errorf("%s: %w", path, e)
			}
			unknown = append(unknown, path+"."+fe.FieldPath())
		}
		r.replicas, r.restartPolicy, r.template = rs.Replicas, rs.RestartPolicy, rs.Template
		out = append(out, r)
	}
	// The renaming: for each canonical type, another spelling replaces
	// the canonical entry. With several other spellings the one renamed
	// depends on map order upstream; aigov takes the first in key order
	// and keeps that one only (the others are typos of the same type).
	winners := map[string]string{}
	for _, r := range out {
		if r.key != r.rtype {
			if _, seen := winners[r.rtype]; !seen {
				winners[r.rtype] = r.key
			}
		}
	}
	for i := range out {
		if w, ok := winners[out[i].rtype]; ok && out[i].key != w {
			out[i].active = false
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return rank(out[i].rtype) < rank(out[j].rtype) })
	return out, unknown, nil
}

// decodeKubeflowTemplates decodes the templates of the replica specs,
// role = the canonical replica type.
func decodeKubeflowTemplates(replicas []kubeflowReplica, unknown []string) ([]Template, []string, error) {
	var out []Template
	for _, r := range replicas {
		if r.template == nil {
			continue
		}
		t, u, err := DecodeTemplate(r.template, r.path, r.rtype)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, t)
		unknown = append(unknown, u...)
	}
	return out, unknown, nil
}

// kubeflowTemplateAt returns the decoded template at path.
func kubeflowTemplateAt(templates []Template, path string) (Template, bool) {
	for _, t := range templates {
		if t.Path == path {
			return t, true
		}
	}
	return Template{}, false
}

// trainingJob is what a training-operator controller reads: the job's
// name and spec after Scheme.Default, its replica specs by canonical type.
type trainingJob struct {
	kind    *trainingJobKind
	name    string
	spec    map[string]any
	types   []string
	specs   map[string]*trainingReplica
	present map[string]bool
}

// trainingReplica is one replica type of a training job after defaulting.
type trainingReplica struct {
	kubeflowReplica
	count    int32
	template Template
}

// pods derives the pods of a training-operator job: for each replica type,
// replicas pods from its template (ReconcileJobs ranges over every key of
// the replica spec map, so types unknown to the kind make pods too).
func (k trainingJobKind) pods(r *Resource, _ Lookup) []Pod {
	spec := Map(r.Object, "spec")
	if managedBy, ok := Field(spec, "runPolicy", "managedBy"); ok && managedBy != nil && managedBy != kubeflowTrainingController {
		// Reconciled elsewhere (MultiKueue runs the pods in another
		// cluster): this cluster's controller creates none.
		return nil
	}
	replicas, _, err := readKubeflowReplicas(r.Object, k.field, k.replicaTypes, true)
	if err != nil {
		return nil
	}
	job := &trainingJob{kind: &k, name: r.Name, spec: spec, specs: map[string]*trainingReplica{}, present: map[string]bool{}}
	for _, rep := range replicas {
		if !rep.active {
			continue
		}
		t, ok := kubeflowTemplateAt(r.Templates, rep.path)
		if !ok || len(t.Spec.Containers) == 0 {
			// The defaulting indexes container 0 of every replica spec and
			// the webhook requires containers: the job runs nothing.
			return nil
		}
		tr := &trainingReplica{kubeflowReplica: rep, count: 1}
		if rep.replicas != nil {
			tr.count = max(*rep.replicas, 0)
		}
		if tr.restartPolicy == "" {
			tr.restartPolicy = k.restartPolicy
		}
		// Defaulting works on the job in memory: copy the template before
		// appending the port so that the resource's template stays as
		// written.
		tr.template = Template{Path: t.Path, Role: t.Role}
		t.Meta.DeepCopyInto(&tr.template.Meta)
		t.Spec.DeepCopyInto(&tr.template.Spec)
		kubeflowDefaultPort(&tr.template.Spec, k.container, k.portName, k.port)
		job.types = append(job.types, rep.rtype)
		job.specs[rep.rtype] = tr
		job.present[rep.rtype] = true
	}
	suspended := Bool(spec, "runPolicy", "suspend")
	var out []Pod
	for _, rtype := range job.types {
		tr := job.specs[rtype]
		rt := strings.ToLower(rtype)
		labels := map[string]string{
			kubeflowOperatorNameLabel: k.controller,
			kubeflowJobNameLabel:      strings.ReplaceAll(r.Name, "/", "-"),
			kubeflowReplicaTypeLabel:  rt,
			kubeflowReplicaIndexLabel: strconv.Itoa(kubeflowRepresentativeIdx),
		}
		if trainingJobRole(job, rtype, tr.count) {
			labels[kubeflowJobRoleLabel] = kubeflowJobRoleMaster
		}
		pod := NewPod(r, &tr.template, strings.ReplaceAll(r.Name+"-"+rt, "/", "-"), labels)
		if k.clusterSpec != nil {
			k.clusterSpec(job, rtype, kubeflowRepresentativeIdx, &pod.Spec)
		}
		pod.Spec.RestartPolicy = kubeflowRestartPolicy(tr.restartPolicy)
		count := tr.count
		if suspended {
			count = 0
		}
		p := Pod{Role: rtype, SpecPath: tr.path, Replicas: count, Pod: pod}
		if k.kind == "PyTorchJob" && rtype == "Worker" {
			p.MinReplicas, p.MaxReplicas = pyTorchHPABounds(spec, tr.count)
		}
		out = append(out, p)
	}
	return out
}

// trainingJobRole reports whether the Pod standing for the count pods of
// rtype carries job-role=master. IsMasterRole decides per pod; where it
// picks replica index 0 of a type with several pods (a PyTorchJob or TFJob
// of Workers only, a JAXJob), only worker 0 has the label, and the
// representative Pod leaves it out: a label on it would claim it for every
// worker, so that a NetworkPolicy selecting job-role=master would look like
// it isolated all of them. Leaving it out errs towards more reachability
// for worker 0, never towards an isolation that does not exist. With one
// pod, or when the role is the whole type's (Master, Chief), the label is
// exact.
func trainingJobRole(job *trainingJob, rtype string, count int32) bool {
	if !job.kind.masterRole(job.present, rtype, kubeflowRepresentativeIdx) {
		return false
	}
	if count <= 1 {
		return true
	}
	// Every pod of the type is master only when index 1 is too.
	return job.kind.masterRole(job.present, rtype, 1)
}

// kubeflowDefaultPort appends the kind's port to the default-named
// container, else container 0, unless a port of that name is there
// (defaulting_utils.go setDefaultPort).
func kubeflowDefaultPort(spec *corev1.PodSpec, container, portName string, port int32) {
	if len(spec.Containers) == 0 {
		return
	}
	idx := 0
	for i, c := range spec.Containers {
		if c.Name == container {
			idx = i
			break
		}
	}
	for _, p := range spec.Containers[idx].Ports {
		if p.Name == portName {
			return
		}
	}
	spec.Containers[idx].Ports = append(spec.Containers[idx].Ports, corev1.ContainerPort{Name: portName, ContainerPort: port})
}

// kubeflowRestartPolicy is the pod restart policy of a replica spec's:
// ExitCode, which pods do not know, becomes Never (core.SetRestartPolicy).
func kubeflowRestartPolicy(p string) corev1.RestartPolicy {
	if p == kubeflowRestartExitCode {
		return corev1.RestartPolicyNever
	}
	return corev1.RestartPolicy(p)
}

// pyTorchClusterSpec adds the env and init container of a PyTorchJob's pod
// (pytorch/envvar.go setPodEnv, master.go, initcontainer.go).
func pyTorchClusterSpec(job *trainingJob, rtype string, index int, spec *corev1.PodSpec) {
	var total int32
	for _, t := range job.types {
		total += job.specs[t].count
	}
	elastic := Map(job.spec, "elasticPolicy")
	nproc, hasNproc := job.spec["nprocPerNode"].(string)
	if !hasNproc && (elastic == nil || elastic["nProcPerNode"] == nil) {
		// setDefaultNprocPerNode.
		nproc, hasNproc = pyTorchDefaultNproc, true
	}
	nprocInt := 1
	if n, err := strconv.Atoi(nproc); hasNproc && err == nil {
		nprocInt = n
	}
	master, hasMaster := job.specs["Master"]
	masterAddr := pyTorchReplicaName(job.name, "Master", 0)
	masterPort, hasMasterPort := int32(0), false
	if hasMaster {
		masterPort, hasMasterPort = pyTorchMasterPort(&master.template.Spec, job.kind)
	}
	rank := index
	if rtype == "Worker" {
		rank++
	}
	for i := range spec.Containers {
		c := &spec.Containers[i]
		c.Env = append(c.Env, corev1.EnvVar{Name: "PYTHONUNBUFFERED", Value: "1"})
		if hasMaster && hasMasterPort {
			port := strconv.Itoa(int(masterPort))
			c.Env = append(c.Env,
				corev1.EnvVar{Name: "MASTER_PORT", Value: port},
				corev1.EnvVar{Name: "PET_MASTER_PORT", Value: port},
				corev1.EnvVar{Name: "MASTER_ADDR", Value: masterAddr},
				corev1.EnvVar{Name: "PET_MASTER_ADDR", Value: masterAddr},
				corev1.EnvVar{Name: "WORLD_SIZE", Value: strconv.Itoa(int(total) * nprocInt)},
				corev1.EnvVar{Name: "RANK", Value: strconv.Itoa(rank)},
				corev1.EnvVar{Name: "PET_NODE_RANK", Value: strconv.Itoa(rank)})
		}
		if hasNproc {
			c.Env = append(c.Env, corev1.EnvVar{Name: "PET_NPROC_PER_NODE", Value: nproc})
		}
		if elastic == nil {
			c.Env = append(c.Env, corev1.EnvVar{Name: "PET_NNODES", Value: strconv.Itoa(int(total))})
		}
	}
	if hasMaster && rtype == "Worker" {
		spec.InitContainers = append(spec.InitContainers, pyTorchInitContainer(masterAddr))
	}
}

// pyTorchMasterPort is the master's port: the pytorchjob-port of its
// container named pytorch (getPortFromPyTorchJob). Without it the
// controller fails to set the env; aigov then leaves the master env out.
func pyTorchMasterPort(spec *corev1.PodSpec, k *trainingJobKind) (int32, bool) {
	for _, c := range spec.Containers {
		if c.Name != k.container {
			continue
		}
		for _, p := range c.Ports {
			if p.Name == k.portName {
				return p.ContainerPort, true
			}
		}
	}
	return 0, false
}

// pyTorchReplicaName is the name of a PyTorchJob's pod (replicaName).
func pyTorchReplicaName(job, rtype string, index int) string {
	return strings.ReplaceAll(job+"-"+strings.ToLower(rtype)+"-"+strconv.Itoa(index), "/", "-")
}

// pyTorchInitContainer is the init container that makes a worker wait for
// the master's DNS name (the default template of initcontainer.go with the
// default image and tries).
func pyTorchInitContainer(masterAddr string) corev1.Container {
	script := fmt.Sprintf("err=1;for i in $(seq %d); do if nslookup %s; then err=0 && break; fi;echo waiting for master; sleep 2; done; exit $err",
		pyTorchInitContainerTries, masterAddr)
	return corev1.Container{
		Name:            pyTorchInitContainerName,
		Image:           pyTorchInitContainerImage,
		ImagePullPolicy: corev1.PullIfNotPresent,
		Command:         []string{"sh", "-c", script},
		Resources: corev1.ResourceRequirements{
			Limits: corev1.ResourceList{
				corev1.ResourceCPU:    resource.MustParse("100m"),
				corev1.ResourceMemory: resource.MustParse("20Mi"),
			},
			Requests: corev1.ResourceList{
				corev1.ResourceCPU:    resource.MustParse("50m"),
				corev1.ResourceMemory: resource.MustParse("10Mi"),
			},
		},
	}
}

// pyTorchHPABounds are the bounds the HorizontalPodAutoscaler of an elastic
// PyTorchJob with metrics scales the workers within (hpa.go; the
// defaulting's setElasticPolicy fills a missing bound from the other, or
// both from the worker replicas); nil without such an autoscaler.
func pyTorchHPABounds(spec map[string]any, workers int32) (minReplicas, maxReplicas *int32) {
	elastic := Map(spec, "elasticPolicy")
	if elastic == nil || elastic["metrics"] == nil {
		return nil, nil
	}
	_, hasMin := elastic["minReplicas"]
	_, hasMax := elastic["maxReplicas"]
	lo, hi := Int(elastic, workers, "minReplicas"), Int(elastic, workers, "maxReplicas")
	switch {
	case hasMin && !hasMax:
		hi = lo
	case hasMax && !hasMin:
		lo = hi
	}
	return Ptr(lo), Ptr(hi)
}

// mpiJobPods derives the pods of an mpi-operator v2beta1 MPIJob: the
// launcher (one pod of the batch Job <job>-launcher) and the workers
// (pods <job>-worker-<i>). Replica keys are exact: the mpi-operator does
// not rename them, and a job without a "Launcher" fails its validation.
func mpiJobPods(r *Resource, _ Lookup) []Pod {
	spec := Map(r.Object, "spec")
	if managedBy, ok := Field(spec, "runPolicy", "managedBy"); ok && managedBy != nil && managedBy != mpiJobController {
		return nil
	}
	replicas, _, err := readKubeflowReplicas(r.Object, "mpiReplicaSpecs", []string{mpiLauncher, mpiWorker}, false)
	if err != nil {
		return nil
	}
	job, ok := readMPIJob(r, spec, replicas)
	if !ok {
		// The controller records a validation error and creates nothing.
		return nil
	}
	var out []Pod
	if job.worker != nil {
		out = append(out, job.workerPod(r))
	}
	return append(out, job.launcherPod(r))
}

// mpiJob is an MPIJob after SetDefaults_MPIJob.
type mpiJob struct {
	name, namespace  string
	suspended        bool
	slots            int32
	sshMountPath     string
	implementation   string
	launcherAsWorker bool
	launcher, worker *trainingReplica
}

// readMPIJob reads and defaults an MPIJob and applies the checks of
// validation.go that decide whether it runs: ok is false when it fails
// them.
func readMPIJob(r *Resource, spec map[string]any, replicas []kubeflowReplica) (*mpiJob, bool) {
	job := &mpiJob{name: r.Name, namespace: r.Namespace, suspended: Bool(spec, "runPolicy", "suspend"),
		slots: Int(spec, 1, "slotsPerWorker"), sshMountPath: String(spec, "sshAuthMountPath"),
		implementation: String(spec, "mpiImplementation"), launcherAsWorker: Bool(spec, "runLauncherAsWorker")}
	if job.sshMountPath == "" {
		job.sshMountPath = mpiRootSSHPath
	}
	if job.implementation == "" {
		job.implementation = mpiImplOpenMPI
	}
	switch job.implementation {
	case mpiImplOpenMPI, mpiImplIntel, mpiImplMPICH:
	default:
		return nil, false
	}
	if job.slots < 0 {
		return nil, false
	}
	for _, rep := range replicas {
		if (rep.key != mpiLauncher && rep.key != mpiWorker) || !rep.active {
			continue
		}
		t, ok := kubeflowTemplateAt(r.Templates, rep.path)
		if !ok || len(t.Spec.Containers) == 0 {
			return nil, false
		}
		tr := &trainingReplica{kubeflowReplica: rep, template: t}
		if rep.key == mpiLauncher {
			tr.count, tr.restartPolicy = 1, "OnFailure"
			job.launcher = tr
		} else {
			tr.count, tr.restartPolicy = 0, "Never"
			job.worker = tr
		}
		if rep.replicas != nil {
			tr.count = *rep.replicas
		}
		if rep.restartPolicy != "" {
			tr.restartPolicy = rep.restartPolicy
		}
		if tr.restartPolicy != "Never" && tr.restartPolicy != "OnFailure" {
			return nil, false
		}
	}
	if job.launcher == nil || job.launcher.count != 1 {
		return nil, false
	}
	maxHost := job.name + "-worker-0"
	if job.worker != nil {
		if job.worker.count <= 0 {
			return nil, false
		}
		maxHost = job.name + "-worker-" + strconv.Itoa(int(job.worker.count-1))
	}
	if len(validation.IsDNS1035Label(maxHost)) > 0 {
		return nil, false
	}
	return job, true
}

// workerPod is the pod of worker 0 (newWorker).
func (j *mpiJob) workerPod(r *Resource) Pod {
	name := j.name + "-worker-" + strconv.Itoa(kubeflowRepresentativeIdx)
	index := kubeflowRepresentativeIdx
	if j.launcherAsWorker {
		// The launcher takes index 0 (workerReplicaIndexLabel).
		index++
	}
	labels := mpiLabels(j.name, "worker")
	labels[kubeflowReplicaIndexLabel] = strconv.Itoa(index)
	pod := NewPod(r, &j.worker.template, j.name+"-worker", labels)
	spec := &pod.Spec
	spec.Hostname, spec.Subdomain = name, j.name
	j.setDNS(spec)
	spec.RestartPolicy = kubeflowRestartPolicy(j.worker.restartPolicy)
	c := &spec.Containers[0]
	if len(c.Command) == 0 && len(c.Args) == 0 {
		c.Command = []string{mpiWorkerSSHDCommand, "-De"}
	}
	c.Env = append(c.Env, corev1.EnvVar{Name: mpiRoleEnv, Value: "worker"})
	j.setupSSH(spec)
	count := j.worker.count
	if j.suspended {
		count = 0
	}
	return Pod{Role: mpiWorker, SpecPath: j.worker.path, Replicas: count, Pod: pod}
}

// launcherPod is the pod of the launcher Job (newLauncherPodTemplate; the
// Job controller adds its job-name labels).
func (j *mpiJob) launcherPod(r *Resource) Pod {
	name := j.name + "-launcher"
	labels := mpiLabels(j.name, "launcher")
	if j.launcherAsWorker {
		labels[kubeflowReplicaIndexLabel] = "0"
	}
	labels[batchJobNameLabel], labels[batchLegacyJobLabel] = name, name
	pod := NewPod(r, &j.launcher.template, name, labels)
	spec := &pod.Spec
	spec.Hostname, spec.Subdomain = name, j.name
	j.setDNSPolicy(spec)
	c := &spec.Containers[0]
	c.Env = append(c.Env, corev1.EnvVar{Name: mpiRoleEnv, Value: "launcher"})
	hostfile := mpiConfigMountPath + "/" + mpiHostfile
	slots := strconv.Itoa(int(j.slots))
	switch j.implementation {
	case mpiImplOpenMPI:
		c.Env = append(c.Env,
			corev1.EnvVar{Name: "OMPI_MCA_orte_keep_fqdn_hostnames", Value: "true"},
			corev1.EnvVar{Name: "OMPI_MCA_orte_default_hostfile", Value: hostfile},
			corev1.EnvVar{Name: "OMPI_MCA_plm_rsh_args", Value: "-o ConnectionAttempts=10"},
			corev1.EnvVar{Name: "OMPI_MCA_orte_set_default_slots", Value: slots})
	case mpiImplIntel:
		c.Env = append(c.Env,
			corev1.EnvVar{Name: "I_MPI_HYDRA_HOST_FILE", Value: hostfile},
			corev1.EnvVar{Name: "I_MPI_HYDRA_BOOTSTRAP_EXEC_EXTRA_ARGS", Value: "-o ConnectionAttempts=10"},
			corev1.EnvVar{Name: "I_MPI_PERHOST", Value: slots})
	case mpiImplMPICH:
		c.Env = append(c.Env,
			corev1.EnvVar{Name: "HYDRA_HOST_FILE", Value: hostfile},
			corev1.EnvVar{Name: "HYDRA_LAUNCH_EXTRA_ARGS", Value: "-o ConnectionAttempts=10"})
	}
	if !j.launcherAsWorker {
		// The operator blanks these so that the launcher does not use GPUs.
		c.Env = append(c.Env, corev1.EnvVar{Name: "NVIDIA_VISIBLE_DEVICES"}, corev1.EnvVar{Name: "NVIDIA_DRIVER_CAPABILITIES"})
	}
	j.setupSSH(spec)
	spec.RestartPolicy = kubeflowRestartPolicy(j.launcher.restartPolicy)
	spec.Volumes = append(spec.Volumes, corev1.Volume{Name: mpiConfigVolume, VolumeSource: corev1.VolumeSource{
		ConfigMap: &corev1.ConfigMapVolumeSource{
			LocalObjectReference: corev1.LocalObjectReference{Name: j.name + "-config"},
			Items: []corev1.KeyToPath{
				{Key: mpiHostfile, Path: mpiHostfile, Mode: Ptr[int32](0o444)},
				{Key: mpiDiscoverHosts, Path: mpiDiscoverHosts, Mode: Ptr[int32](0o555)},
			},
		}}})
	c = &spec.Containers[0]
	c.VolumeMounts = append(c.VolumeMounts, corev1.VolumeMount{Name: mpiConfigVolume, MountPath: mpiConfigMountPath})
	count := int32(1)
	if j.suspended {
		count = 0
	}
	return Pod{Role: mpiLauncher, SpecPath: j.launcher.path, Replicas: count, Pod: pod}
}

// mpiLabels are defaultLabels: no replica-type label on MPIJob pods.
func mpiLabels(job, role string) map[string]string {
	return map[string]string{
		kubeflowOperatorNameLabel: mpiOperatorName,
		kubeflowJobNameLabel:      job,
		kubeflowJobRoleLabel:      role,
	}
}

// setDNS sets the worker's DNS: the host network policy and the search
// domain of the job's Service.
func (j *mpiJob) setDNS(spec *corev1.PodSpec) {
	j.setDNSPolicy(spec)
	search := fmt.Sprintf("%s.%s.svc.cluster.local", j.name, j.namespace)
	if spec.DNSConfig == nil {
		spec.DNSConfig = &corev1.PodDNSConfig{}
	}
	spec.DNSConfig.Searches = append(spec.DNSConfig.Searches, search)
}

// setDNSPolicy lets a host-network pod resolve the job's hostnames.
func (j *mpiJob) setDNSPolicy(spec *corev1.PodSpec) {
	if spec.HostNetwork {
		spec.DNSPolicy = corev1.DNSClusterFirstWithHostNet
	}
}

// setupSSH mounts the job's SSH key Secret into container 0.
func (j *mpiJob) setupSSH(spec *corev1.PodSpec) {
	var mode *int32
	if j.sshMountPath == mpiRootSSHPath {
		mode = Ptr[int32](0o600)
	}
	spec.Volumes = append(spec.Volumes, corev1.Volume{Name: mpiSSHVolume, VolumeSource: corev1.VolumeSource{
		Secret: &corev1.SecretVolumeSource{
			SecretName:  j.name + "-ssh",
			DefaultMode: mode,
			Items: []corev1.KeyToPath{
				{Key: corev1.SSHAuthPrivateKey, Path: "id_rsa"},
				{Key: "ssh-publickey", Path: "id_rsa.pub"},
				{Key: "ssh-publickey", Path: "authorized_keys"},
			},
		}}})
	c := &spec.Containers[0]
	c.VolumeMounts = append(c.VolumeMounts, corev1.VolumeMount{Name: mpiSSHVolume, MountPath: j.sshMountPath})
}

// notebookTemplates decodes a Notebook's spec.template: the
// NotebookTemplateSpec holds a pod spec only, so any other field there
// (metadata included) is unknown and pruned by the apiserver.
func notebookTemplates(obj map[string]any) ([]Template, []string, error) {
	raw, ok := Field(obj, "spec", "template")
	if !ok || raw == nil {
		return nil, nil, nil
	}
	tmpl, ok := raw.(map[string]any)
	if !ok {
		return nil, nil, fmt.Errorf("spec.template: want an object, got %T", raw)
	}
	var unknown []string
	for k := range tmpl {
		if k != "spec" {
			unknown = append(unknown, "spec.template."+k)
		}
	}
	sort.Strings(unknown)
	if tmpl["spec"] == nil {
		return nil, unknown, nil
	}
	t, u, err := DecodeTemplate(map[string]any{"spec": tmpl["spec"]}, "spec.template.spec", "notebook")
	if err != nil {
		return nil, nil, err
	}
	return []Template{t}, append(unknown, u...), nil
}

// notebookPods derives the pod of a Notebook: its StatefulSet <name> runs
// one pod, <name>-0, none while the kubeflow-resource-stopped annotation
// is set (generateStatefulSet).
func notebookPods(r *Resource, _ Lookup) []Pod {
	t, ok := kubeflowTemplateAt(r.Templates, "spec.template.spec")
	if !ok || len(t.Spec.Containers) == 0 {
		return nil
	}
	annotations, _ := Field(r.Object, "metadata", "annotations")
	annots, _ := annotations.(map[string]any)
	replicas := int32(1)
	if _, stopped := annots[notebookStoppedKey]; stopped {
		replicas = 0
	}
	podName := r.Name + "-0"
	labels := map[string]string{notebookStatefulSetLabel: r.Name, notebookNameLabel: r.Name}
	// The Notebook's labels are copied after the controller's and win.
	for k, v := range r.Labels {
		labels[k] = v
	}
	if labels[notebookStatefulSetLabel] != r.Name {
		// The StatefulSet's selector (statefulset=<name>) no longer
		// matches its template: the apiserver refuses the StatefulSet.
		return nil
	}
	// The StatefulSet controller's identity labels (k8s v1.37.2).
	labels[appsv1.StatefulSetPodNameLabel] = podName
	labels[appsv1.PodIndexLabel] = "0"
	pod := NewPod(r, &Template{Path: t.Path, Role: t.Role, Spec: t.Spec}, podName, labels)
	for k, v := range annots {
		s, isString := v.(string)
		if isString && !strings.Contains(k, "kubectl") && !strings.Contains(k, "notebook") {
			if pod.Annotations == nil {
				pod.Annotations = map[string]string{}
			}
			pod.Annotations[k] = s
		}
	}
	pod.Spec.Hostname = podName
	c := &pod.Spec.Containers[0]
	if c.WorkingDir == "" {
		c.WorkingDir = notebookWorkingDir
	}
	if c.Ports == nil {
		c.Ports = []corev1.ContainerPort{{Name: notebookPortName, ContainerPort: notebookPort, Protocol: corev1.ProtocolTCP}}
	}
	// setPrefixEnvVar only appends: an NB_PREFIX already there keeps its
	// value (the loop assigns to a copy).
	hasPrefix := false
	for _, e := range c.Env {
		hasPrefix = hasPrefix || e.Name == notebookPrefixEnv
	}
	if !hasPrefix {
		c.Env = append(c.Env, corev1.EnvVar{Name: notebookPrefixEnv, Value: "/notebook/" + r.Namespace + "/" + r.Name})
	}
	// ADD_FSGROUP is unset by default, which adds fsGroup 100.
	if pod.Spec.SecurityContext == nil {
		pod.Spec.SecurityContext = &corev1.PodSecurityContext{FSGroup: Ptr(notebookFSGroup)}
	}
	return []Pod{{Role: "notebook", SpecPath: t.Path, Replicas: replicas, Pod: pod}}
}
