package gen

import (
	"crypto/sha1" //nolint:gosec // the LWS and JobSet controllers' label hashes are SHA-1; computed, not used for security
	"encoding/hex"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// Operator custom resource kinds Options.CRFraction emits, in the order
// the custom resources of a namespace cycle through.
const (
	KindRayCluster       = "RayCluster"
	KindPyTorchJob       = "PyTorchJob"
	KindLeaderWorkerSet  = "LeaderWorkerSet"
	KindJobSet           = "JobSet"
	KindInferenceService = "InferenceService"
)

// crKinds are cycled through by the custom-resource workloads of a
// namespace, with the name prefix, component label, image and main port
// of each.
var crKinds = []struct {
	kind, name, component, image string
	port                         int32
}{
	{KindRayCluster, "ray", "ray", "rayproject/ray:2.46.0-py311-gpu", 6379},
	{KindPyTorchJob, "finetune", "trainer", "nvcr.io/nvidia/pytorch:24.05-py3", 23456},
	{KindLeaderWorkerSet, "llm-multinode", "llm-service", "vllm/vllm-openai:v0.8.5", 8080},
	{KindJobSet, "jax-train", "trainer", "nvcr.io/nvidia/jax:24.04-py3", 8476},
	{KindInferenceService, "llm-isvc", "llm-service", "kserve/huggingfaceserver:v0.15.2-gpu", 8080},
}

var (
	rayGV     = schema.GroupVersion{Group: "ray.io", Version: "v1"}
	kubeflow  = schema.GroupVersion{Group: "kubeflow.org", Version: "v1"}
	lwsGV     = schema.GroupVersion{Group: "leaderworkerset.x-k8s.io", Version: "v1"}
	jobSetGV  = schema.GroupVersion{Group: "jobset.x-k8s.io", Version: "v1alpha2"}
	kserveGV  = schema.GroupVersion{Group: "serving.kserve.io", Version: "v1beta1"}
	runtimeGV = schema.GroupVersion{Group: "serving.kserve.io", Version: "v1alpha1"}
)

// servingRuntimeName is the ServingRuntime each namespace with an
// InferenceService holds, which its predictors name.
const servingRuntimeName = "hf-runtime"

// PlatformCR is Platform(pods) with a third of the workloads written as
// operator custom resources (Options.CRFraction): the same pod count,
// 13 or 14 of each namespace's 40 workloads being RayClusters,
// PyTorchJobs, LeaderWorkerSets, JobSets and InferenceServices with what
// their operators create.
func PlatformCR(pods int) Options {
	o := Platform(pods)
	o.CRFraction = 1.0 / 3
	return o
}

// isCR reports whether workload w of a namespace is a custom resource,
// and its index among the namespace's custom resources: the
// CRFraction share spread evenly over the workloads, with no draw from
// the seed, so that options without custom resources give the bytes they
// always gave.
func (o Options) isCR(w int) (int, bool) {
	if o.CRFraction <= 0 {
		return 0, false
	}
	before, after := int(math.Floor(float64(w)*o.CRFraction)), int(math.Floor(float64(w+1)*o.CRFraction))
	return before, after > before
}

// crKind returns the kind of the c-th custom resource of a namespace.
func crKind(c int) string { return crKinds[c%len(crKinds)].kind }

// crObjects is the number of objects a custom-resource workload of kind
// writes: the per-workload objects, its pods, and what its operator
// creates besides the pods.
func (o Options) crObjects(kind string) int {
	n := perWorkload + o.PodsPerWorkload
	switch kind {
	case KindRayCluster:
		n++ // head Service
	case KindPyTorchJob:
		n += o.PodsPerWorkload // a headless Service per pod
	case KindLeaderWorkerSet:
		n += 3 // leader and worker StatefulSets, headless Service
	case KindJobSet:
		n += 2 // Job, headless Service
	case KindInferenceService:
		n += 2 // Deployment, Service
		if o.ReplicaSets {
			n++
		}
	}
	return n
}

// crObjectCount is what custom resources add to ObjectCount: their
// objects minus those of the workload they replace, per namespace.
func (o Options) crObjectCount() int {
	kinds := o.kinds()
	perNS, isvc := 0, false
	for w := 0; w < o.WorkloadsPerNamespace; w++ {
		c, ok := o.isCR(w)
		if !ok {
			continue
		}
		kind := kinds[w%len(kinds)]
		perNS -= perWorkload + o.PodsPerWorkload
		if hasService(kind) {
			perNS--
		}
		if o.ReplicaSets && kind == KindDeployment {
			perNS--
		}
		perNS += o.crObjects(crKind(c))
		isvc = isvc || crKind(c) == KindInferenceService
	}
	if isvc {
		perNS++ // the namespace's ServingRuntime
	}
	return o.Namespaces * perNS
}

// validateCR reports custom-resource options Generate cannot honour.
func (o Options) validateCR() error {
	switch {
	case o.CRFraction < 0 || o.CRFraction > 1:
		return fmt.Errorf("gen: CRFraction %v is not between 0 and 1", o.CRFraction)
	case o.CRFraction > 0 && o.PodsPerWorkload < 2:
		return fmt.Errorf("gen: CRFraction needs PodsPerWorkload of at least 2 (a head or leader and a worker)")
	}
	return nil
}

// Planted is a mistake written into a generated custom resource, for
// tests that the catalog finds it once, on the resource.
type Planted struct {
	Kind, Namespace, Name string
	// Check is the catalog check that reports it; Path the field.
	Check, Path string
}

// PlantedProblems lists the mistakes Generate writes into the custom
// resources of o, one in the first resource of a kind in a namespace,
// the kind and mistake rotating with the namespace:
//
//   - a RayCluster whose GPU worker group runs privileged;
//   - a PyTorchJob whose workers run in the host network;
//   - a LeaderWorkerSet whose workers run an image tagged latest;
//   - a JobSet whose pods share the host's PID namespace;
//   - an InferenceService whose model container runs privileged.
func PlantedProblems(o Options) []Planted {
	var out []Planted
	for i := 0; i < o.Namespaces; i++ {
		if p, ok := o.planted(i); ok {
			out = append(out, p)
		}
	}
	return out
}

// planted is namespace i's planted mistake.
func (o Options) planted(i int) (Planted, bool) {
	kind := crKinds[i%len(crKinds)].kind
	for w := 0; w < o.WorkloadsPerNamespace; w++ {
		c, ok := o.isCR(w)
		if !ok || crKind(c) != kind {
			continue
		}
		p := Planted{Kind: kind, Namespace: teamName(i), Name: crName(w, c)}
		switch kind {
		case KindRayCluster:
			p.Check, p.Path = "privileged-container", "spec.workerGroupSpecs[0].template.spec.containers[0].securityContext.privileged"
		case KindPyTorchJob:
			p.Check, p.Path = "host-namespaces", "spec.pytorchReplicaSpecs[Worker].template.spec.hostNetwork"
		case KindLeaderWorkerSet:
			p.Check, p.Path = "latest-tag", "spec.leaderWorkerTemplate.workerTemplate.spec.containers[0].image"
		case KindJobSet:
			p.Check, p.Path = "host-namespaces", "spec.replicatedJobs[0].template.spec.template.spec.hostPID"
		case KindInferenceService:
			p.Check, p.Path = "privileged-container", "spec.predictor.model.securityContext.privileged"
		}
		return p, true
	}
	return Planted{}, false
}

func crName(w, c int) string { return fmt.Sprintf("%s-%02d", crKinds[c%len(crKinds)].name, w) }

// workloadSelector is the labels that select the pods of workload w of a
// namespace, for the NetworkPolicy of the workload after it: the app
// label, except on KServe's pods, whose app label KServe sets itself.
func (o Options) workloadSelector(w int) map[string]string {
	if c, ok := o.isCR(w); ok {
		name := crName(w, c)
		if crKind(c) == KindInferenceService {
			return map[string]string{"serving.kserve.io/inferenceservice": name}
		}
		return map[string]string{LabelApp: name}
	}
	return map[string]string{LabelApp: fmt.Sprintf("%s-%02d", components[w%len(components)].name, w)}
}

// toMap converts a typed object to the unstructured content of a custom
// resource's field.
func toMap(v any) map[string]any {
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(v)
	if err != nil {
		panic(fmt.Sprintf("gen: %v", err)) // typed values always convert
	}
	return m
}

func controllerRef(gv schema.GroupVersion, kind, name string, uid metav1.ObjectMeta) metav1.OwnerReference {
	return metav1.OwnerReference{APIVersion: gv.String(), Kind: kind, Name: name, UID: uid.UID,
		Controller: ptr(true), BlockOwnerDeletion: ptr(true)}
}

// crWorkload writes workload w of namespace nsIndex as the c-th custom
// resource of the namespace, with what a cluster dump holds of it: the
// resource, the ServiceAccount, ConfigMap, Secret and NetworkPolicy a
// team writes beside it, and the objects and pods its operator creates
// (owner references as the operator sets them). Containers the
// operators inject into the pods are left out (PyTorch's init-pytorch,
// KServe's storage initializer), except KubeRay's wait-gcs-ready, which
// copies the Ray container's image and securityContext: the pods carry
// the templates' containers, the operators' labels, env and ports.
func (g *generator) crWorkload(nsIndex, w, c int) {
	o := g.opts
	ns := teamName(nsIndex)
	spec := crKinds[c%len(crKinds)]
	name := crName(w, c)
	labels := map[string]string{LabelApp: name}
	g.add(&corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: labels}},
		corev1.SchemeGroupVersion, "ServiceAccount")
	g.add(&corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: name + "-config", Namespace: ns, Labels: labels},
		Data: map[string]string{
			"MODEL_NAME":     []string{"llama-3-8b", "mistral-7b", "qwen2-72b", "llama-3-70b"}[g.rnd.IntN(4)],
			"NCCL_DEBUG":     []string{"WARN", "INFO"}[g.rnd.IntN(2)],
			"CHECKPOINT_DIR": "/mnt/checkpoints/" + name,
		},
	}, corev1.SchemeGroupVersion, "ConfigMap")
	g.add(&corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: name + "-credentials", Namespace: ns, Labels: labels},
		Type:       corev1.SecretTypeOpaque,
		Data:       map[string][]byte{"username": []byte("svc-" + name), "password": []byte(g.hex(32))},
	}, corev1.SchemeGroupVersion, "Secret")
	planted := false
	if p, ok := o.planted(nsIndex); ok && p.Name == name {
		planted = true
	}
	gpus := []int{1, 2, 4, 8}[g.rnd.IntN(4)]
	podLabels := map[string]string{LabelApp: name, LabelComponent: spec.component}
	switch spec.kind {
	case KindRayCluster:
		g.rayCluster(ns, name, podLabels, gpus, planted)
	case KindPyTorchJob:
		g.pyTorchJob(ns, name, podLabels, gpus, planted)
	case KindLeaderWorkerSet:
		g.leaderWorkerSet(ns, name, podLabels, gpus, planted)
	case KindJobSet:
		g.jobSet(ns, name, podLabels, gpus, planted)
	case KindInferenceService:
		g.inferenceService(ns, name, podLabels, gpus, planted)
	}
	np := g.networkPolicy(ns, name, w, spec.port)
	np.Spec.PodSelector.MatchLabels = o.workloadSelector(w)
	g.add(np, networkingv1.SchemeGroupVersion, "NetworkPolicy")
}

// crPod writes one pod an operator created, running on a node with an IP.
func (g *generator) crPod(ns, name string, labels map[string]string, spec corev1.PodSpec, owner metav1.OwnerReference) types.UID {
	g.pods++
	ip := fmt.Sprintf("10.%d.%d.%d", g.pods>>16&0xff, g.pods>>8&0xff, g.pods&0xff)
	spec.NodeName = fmt.Sprintf("node-%03d", g.rnd.IntN(64))
	uid := g.uid()
	g.add(&corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: labels, UID: uid,
			OwnerReferences: []metav1.OwnerReference{owner}},
		Spec: spec,
		Status: corev1.PodStatus{
			Phase:  corev1.PodRunning,
			HostIP: fmt.Sprintf("192.168.%d.%d", g.rnd.IntN(4), 1+g.rnd.IntN(250)),
			PodIP:  ip,
			PodIPs: []corev1.PodIP{{IP: ip}},
		},
	}, corev1.SchemeGroupVersion, "Pod")
	return uid
}

// addCR writes a custom resource with its unstructured spec and returns
// its metadata (with the UID its children name).
func (g *generator) addCR(gv schema.GroupVersion, kind, ns, name string, annotations map[string]string, spec map[string]any) metav1.ObjectMeta {
	meta := metav1.ObjectMeta{Name: name, Namespace: ns, Labels: map[string]string{LabelApp: name}, Annotations: annotations, UID: g.uid()}
	m := toMap(&meta)
	delete(m, "creationTimestamp")
	u := &unstructured.Unstructured{Object: map[string]any{"metadata": m, "spec": spec}}
	g.add(u, gv, kind)
	return meta
}

func merged(a map[string]string, b map[string]string) map[string]string {
	out := make(map[string]string, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

func sha1Hex(s string) string {
	sum := sha1.Sum([]byte(s)) //nolint:gosec // upstream's hash, see the import
	return hex.EncodeToString(sum[:])
}

// withGPUs makes the template's first container request n GPUs and
// places the pod on GPU nodes.
func (g *generator) withGPUs(t *corev1.PodTemplateSpec, n int) {
	gpu := g.opts.gpuResource()
	q := mustQ(strconv.Itoa(n))
	c := &t.Spec.Containers[0]
	c.Resources.Limits[gpu] = q
	c.Resources.Requests[gpu] = q
	t.Spec.NodeSelector = map[string]string{"nvidia.com/gpu.present": "true"}
	t.Spec.Tolerations = []corev1.Toleration{{Key: string(gpu), Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule}}
}

// rayCluster writes a KubeRay RayCluster of a CPU head and one GPU worker
// group of PodsPerWorkload-1 replicas, its head Service and its pods as
// KubeRay v1.5.0 creates them (owned by the RayCluster; labels of
// labelPod; the metrics port on the Ray container).
func (g *generator) rayCluster(ns, name string, labels map[string]string, gpus int, planted bool) {
	const image = "rayproject/ray:2.46.0-py311-gpu"
	head := g.podTemplate(ns, name, labels, image, 6379, 0, KindDeployment)
	head.Spec.Containers[0].Name = "ray-head"
	head.Spec.Containers[0].Ports[0].Name = "gcs-server"
	head.Spec.Containers[0].ReadinessProbe.HTTPGet = &corev1.HTTPGetAction{Path: "/api/gcs_healthz", Port: intstr.FromInt32(8265)}
	head.Spec.Containers[0].Ports = append(head.Spec.Containers[0].Ports,
		corev1.ContainerPort{Name: "dashboard", ContainerPort: 8265, Protocol: corev1.ProtocolTCP},
		corev1.ContainerPort{Name: "client", ContainerPort: 10001, Protocol: corev1.ProtocolTCP})
	worker := g.podTemplate(ns, name, labels, image, 8080, 0, KindJob)
	worker.Spec.RestartPolicy = ""
	worker.Spec.Containers[0].Name = "ray-worker"
	worker.Spec.Containers[0].Ports = nil
	g.withGPUs(&worker, gpus)
	if planted {
		worker.Spec.Containers[0].SecurityContext.Privileged = ptr(true)
		worker.Spec.Containers[0].SecurityContext.AllowPrivilegeEscalation = nil
	}
	workers := int64(g.opts.PodsPerWorkload - 1)
	meta := g.addCR(rayGV, KindRayCluster, ns, name, nil, map[string]any{
		"rayVersion": "2.46.0",
		"headGroupSpec": map[string]any{
			"rayStartParams": map[string]any{"dashboard-host": "0.0.0.0", "num-gpus": "0"},
			"template":       templateMap(head),
		},
		"workerGroupSpecs": []any{map[string]any{
			"groupName":      "gpu",
			"replicas":       workers,
			"minReplicas":    int64(1),
			"maxReplicas":    2 * workers,
			"rayStartParams": map[string]any{},
			"template":       templateMap(worker),
		}},
	})
	owner := controllerRef(rayGV, KindRayCluster, name, meta)
	g.add(&corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: name + "-head-svc", Namespace: ns, OwnerReferences: []metav1.OwnerReference{owner},
			Labels: map[string]string{"ray.io/cluster": name, "ray.io/node-type": "head", "ray.io/identifier": name + "-head",
				"app.kubernetes.io/name": "kuberay", "app.kubernetes.io/created-by": "kuberay-operator"}},
		Spec: corev1.ServiceSpec{
			Selector: map[string]string{"ray.io/cluster": name, "ray.io/node-type": "head"},
			Ports: []corev1.ServicePort{
				{Name: "gcs-server", Port: 6379, TargetPort: intstr.FromInt32(6379), Protocol: corev1.ProtocolTCP},
				{Name: "dashboard", Port: 8265, TargetPort: intstr.FromInt32(8265), Protocol: corev1.ProtocolTCP},
				{Name: "client", Port: 10001, TargetPort: intstr.FromInt32(10001), Protocol: corev1.ProtocolTCP},
			},
		},
	}, corev1.SchemeGroupVersion, "Service")
	rayLabels := func(nodeType, group string, tpl map[string]string) map[string]string {
		return merged(tpl, map[string]string{
			"ray.io/is-ray-node": "yes", "ray.io/cluster": name, "ray.io/node-type": nodeType, "ray.io/group": group,
			"ray.io/identifier": name + "-" + nodeType, "app.kubernetes.io/name": "kuberay",
			"app.kubernetes.io/created-by": "kuberay-operator",
		})
	}
	withMetrics := func(spec corev1.PodSpec) corev1.PodSpec {
		spec = *spec.DeepCopy()
		spec.Containers[0].Ports = append(spec.Containers[0].Ports, corev1.ContainerPort{Name: "metrics", ContainerPort: 8080})
		return spec
	}
	// KubeRay injects the wait-gcs-ready init container into worker pods
	// (DefaultWorkerPodTemplate): the Ray image with the Ray container's
	// securityContext, env and mounts, and fixed resources; its command
	// is left out.
	ray := worker.Spec.Containers[0]
	workerSpec := withMetrics(worker.Spec)
	workerSpec.InitContainers = append(workerSpec.InitContainers, corev1.Container{
		Name: "wait-gcs-ready", Image: ray.Image, ImagePullPolicy: ray.ImagePullPolicy,
		SecurityContext: ray.SecurityContext.DeepCopy(), Env: slices.Clone(ray.Env), VolumeMounts: slices.Clone(ray.VolumeMounts),
		Resources: corev1.ResourceRequirements{
			Requests: corev1.ResourceList{corev1.ResourceCPU: mustQ("200m"), corev1.ResourceMemory: mustQ("256Mi")},
			Limits:   corev1.ResourceList{corev1.ResourceCPU: mustQ("200m"), corev1.ResourceMemory: mustQ("256Mi")},
		},
	})
	g.crPod(ns, name+"-head-"+g.hex(5), rayLabels("head", "headgroup", head.Labels), withMetrics(head.Spec), owner)
	for i := int64(0); i < workers; i++ {
		g.crPod(ns, name+"-gpu-worker-"+g.hex(5), rayLabels("worker", "gpu", worker.Labels), *workerSpec.DeepCopy(), owner)
	}
}

// templateMap is a pod template as a custom resource's field.
func templateMap(t corev1.PodTemplateSpec) map[string]any {
	m := toMap(&t)
	if meta, ok := m["metadata"].(map[string]any); ok {
		delete(meta, "creationTimestamp")
	}
	return m
}

// pyTorchJob writes a Kubeflow PyTorchJob of a Master and
// PodsPerWorkload-1 Workers, and its pods as the training operator v1.9.0
// creates them (owned by the job; training.kubeflow.org labels; the
// PyTorch env), each with the headless Service of the same name the
// operator creates for it (pyTorchService).
func (g *generator) pyTorchJob(ns, name string, labels map[string]string, gpus int, planted bool) {
	const image = "nvcr.io/nvidia/pytorch:24.05-py3"
	tpl := func() corev1.PodTemplateSpec {
		t := g.podTemplate(ns, name, labels, image, 23456, 0, KindJob)
		t.Spec.RestartPolicy = ""
		t.Spec.Containers[0].Name = "pytorch"
		t.Spec.Containers[0].Ports = []corev1.ContainerPort{{Name: "pytorchjob-port", ContainerPort: 23456, Protocol: corev1.ProtocolTCP}}
		t.Spec.Containers[0].Command = []string{"torchrun", "/workspace/train.py"}
		g.withGPUs(&t, gpus)
		return t
	}
	master, worker := tpl(), tpl()
	if planted {
		worker.Spec.HostNetwork = true
	}
	workers := g.opts.PodsPerWorkload - 1
	meta := g.addCR(kubeflow, KindPyTorchJob, ns, name, nil, map[string]any{
		"runPolicy": map[string]any{"cleanPodPolicy": "None", "backoffLimit": int64(3)},
		"pytorchReplicaSpecs": map[string]any{
			"Master": map[string]any{"replicas": int64(1), "restartPolicy": "OnFailure", "template": templateMap(master)},
			"Worker": map[string]any{"replicas": int64(workers), "restartPolicy": "OnFailure", "template": templateMap(worker)},
		},
	})
	owner := controllerRef(kubeflow, KindPyTorchJob, name, meta)
	total := 1 + workers
	pod := func(rtype string, index, rank int, t corev1.PodTemplateSpec) {
		l := merged(t.Labels, map[string]string{
			"training.kubeflow.org/operator-name": "pytorchjob-controller",
			"training.kubeflow.org/job-name":      name,
			"training.kubeflow.org/replica-type":  rtype,
			"training.kubeflow.org/replica-index": strconv.Itoa(index),
		})
		if rtype == "master" {
			l["training.kubeflow.org/job-role"] = "master"
		}
		spec := *t.Spec.DeepCopy()
		spec.RestartPolicy = corev1.RestartPolicyOnFailure
		spec.Containers[0].Env = append(spec.Containers[0].Env,
			corev1.EnvVar{Name: "PYTHONUNBUFFERED", Value: "1"},
			corev1.EnvVar{Name: "MASTER_PORT", Value: "23456"},
			corev1.EnvVar{Name: "PET_MASTER_PORT", Value: "23456"},
			corev1.EnvVar{Name: "MASTER_ADDR", Value: name + "-master-0"},
			corev1.EnvVar{Name: "PET_MASTER_ADDR", Value: name + "-master-0"},
			corev1.EnvVar{Name: "WORLD_SIZE", Value: strconv.Itoa(total)},
			corev1.EnvVar{Name: "RANK", Value: strconv.Itoa(rank)},
			corev1.EnvVar{Name: "PET_NODE_RANK", Value: strconv.Itoa(rank)},
			corev1.EnvVar{Name: "PET_NPROC_PER_NODE", Value: "auto"},
			corev1.EnvVar{Name: "PET_NNODES", Value: strconv.Itoa(total)})
		g.crPod(ns, fmt.Sprintf("%s-%s-%d", name, rtype, index), l, spec, owner)
		g.pyTorchService(ns, name, rtype, index, t.Spec.Containers[0].Ports, owner)
	}
	pod("master", 0, 0, master)
	for i := 0; i < workers; i++ {
		pod("worker", i, i+1, worker)
	}
}

// pyTorchService writes the headless Service the training operator
// v1.9.0 creates for one replica (pkg/controller.v1/common/service.go
// CreateNewService): named as the pod, <job>-<replica type>-<index>
// (core.GenGeneralName); labelled and selecting by the job's labels
// (GenLabels: operator-name, job-name) with the replica type and index,
// so it selects that pod alone; clusterIP None; a port per port of the
// default container (core.GetPortsFromJob), named as the container's,
// in name order (the operator ranges over a map), with what the
// apiserver defaults (TCP, targetPort the port); owned by the job.
func (g *generator) pyTorchService(ns, job, rtype string, index int, ports []corev1.ContainerPort, owner metav1.OwnerReference) {
	labels := map[string]string{
		"training.kubeflow.org/operator-name": "pytorchjob-controller",
		"training.kubeflow.org/job-name":      job,
		"training.kubeflow.org/replica-type":  rtype,
		"training.kubeflow.org/replica-index": strconv.Itoa(index),
	}
	var svcPorts []corev1.ServicePort
	for _, p := range ports {
		svcPorts = append(svcPorts, corev1.ServicePort{Name: p.Name, Port: p.ContainerPort, Protocol: corev1.ProtocolTCP,
			TargetPort: intstr.FromInt32(p.ContainerPort)})
	}
	slices.SortFunc(svcPorts, func(a, b corev1.ServicePort) int { return strings.Compare(a.Name, b.Name) })
	name := fmt.Sprintf("%s-%s-%d", job, rtype, index)
	g.add(&corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: labels, OwnerReferences: []metav1.OwnerReference{owner}},
		Spec:       corev1.ServiceSpec{ClusterIP: corev1.ClusterIPNone, Selector: maps.Clone(labels), Ports: svcPorts},
	}, corev1.SchemeGroupVersion, "Service")
}

// leaderWorkerSet writes a LeaderWorkerSet of one group of a leader and
// PodsPerWorkload-1 workers (multi-node vLLM), with what LWS v0.10.0
// creates: the leader StatefulSet (owned by the LeaderWorkerSet), the
// group's worker StatefulSet (owned by the leader pod), the headless
// Service, and the pods with the leaderworkerset.sigs.k8s.io labels and
// LWS_* env.
func (g *generator) leaderWorkerSet(ns, name string, labels map[string]string, gpus int, planted bool) {
	const image = "vllm/vllm-openai:v0.8.5"
	leader := g.podTemplate(ns, name, labels, image, 8080, 0, KindDeployment)
	leader.Spec.Containers[0].Name = "vllm-leader"
	leader.Spec.Containers[0].Args = []string{"--tensor-parallel-size", strconv.Itoa(gpus), "--pipeline-parallel-size", strconv.Itoa(g.opts.PodsPerWorkload)}
	g.withGPUs(&leader, gpus)
	worker := g.podTemplate(ns, name, labels, image, 8080, 0, KindJob)
	worker.Spec.RestartPolicy = ""
	worker.Spec.Containers[0].Name = "vllm-worker"
	worker.Spec.Containers[0].Ports = nil
	g.withGPUs(&worker, gpus)
	if planted {
		worker.Spec.Containers[0].Image = "vllm/vllm-openai:latest"
	}
	size := g.opts.PodsPerWorkload
	meta := g.addCR(lwsGV, KindLeaderWorkerSet, ns, name, nil, map[string]any{
		"replicas":      int64(1),
		"startupPolicy": "LeaderCreated",
		"leaderWorkerTemplate": map[string]any{
			"size":           int64(size),
			"restartPolicy":  "RecreateGroupOnPodRestart",
			"leaderTemplate": templateMap(leader),
			"workerTemplate": templateMap(worker),
		},
	})
	lwsOwner := controllerRef(lwsGV, KindLeaderWorkerSet, name, meta)
	groupKey := sha1Hex(ns + "/" + name + "-0")
	address := name + "-0." + name + "." + ns
	lwsEnv := func(spec *corev1.PodSpec, index string) {
		env := []corev1.EnvVar{{Name: "LWS_LEADER_ADDRESS", Value: address}, {Name: "LWS_GROUP_SIZE", Value: strconv.Itoa(size)},
			{Name: "LWS_WORKER_INDEX", Value: index}}
		spec.Containers[0].Env = append(env, spec.Containers[0].Env...)
		spec.Subdomain = name
	}
	g.add(&corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, OwnerReferences: []metav1.OwnerReference{lwsOwner}},
		Spec: corev1.ServiceSpec{ClusterIP: corev1.ClusterIPNone, PublishNotReadyAddresses: true,
			Selector: map[string]string{"leaderworkerset.sigs.k8s.io/name": name}},
	}, corev1.SchemeGroupVersion, "Service")

	leaderLabels := merged(leader.Labels, map[string]string{"leaderworkerset.sigs.k8s.io/name": name, "leaderworkerset.sigs.k8s.io/worker-index": "0"})
	leaderSts := &appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, UID: g.uid(), OwnerReferences: []metav1.OwnerReference{lwsOwner},
			Labels: map[string]string{"leaderworkerset.sigs.k8s.io/name": name}},
		Spec: appsv1.StatefulSetSpec{Replicas: ptr(int32(1)), ServiceName: name,
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"leaderworkerset.sigs.k8s.io/name": name, "leaderworkerset.sigs.k8s.io/worker-index": "0"}},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: leaderLabels,
				Annotations: map[string]string{"leaderworkerset.sigs.k8s.io/size": strconv.Itoa(size)}}, Spec: *leader.Spec.DeepCopy()}},
	}
	g.add(leaderSts, appsv1.SchemeGroupVersion, "StatefulSet")
	leaderPodName := name + "-0"
	leaderSpec := *leader.Spec.DeepCopy()
	lwsEnv(&leaderSpec, "0")
	leaderUID := g.crPod(ns, leaderPodName, merged(leaderLabels, map[string]string{
		"leaderworkerset.sigs.k8s.io/group-index": "0", "leaderworkerset.sigs.k8s.io/group-key": groupKey,
		"statefulset.kubernetes.io/pod-name": leaderPodName, "apps.kubernetes.io/pod-index": "0",
	}), leaderSpec, controllerRef(appsv1.SchemeGroupVersion, "StatefulSet", name, leaderSts.ObjectMeta))
	// The worker StatefulSet is owned by the leader pod: deleting the
	// leader deletes its group.
	leaderPodRef := metav1.OwnerReference{APIVersion: "v1", Kind: "Pod", Name: leaderPodName, UID: leaderUID,
		Controller: ptr(true), BlockOwnerDeletion: ptr(true)}
	workerLabels := merged(worker.Labels, map[string]string{"leaderworkerset.sigs.k8s.io/name": name,
		"leaderworkerset.sigs.k8s.io/group-index": "0", "leaderworkerset.sigs.k8s.io/group-key": groupKey})
	workerSts := &appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Name: leaderPodName, Namespace: ns, UID: g.uid(), OwnerReferences: []metav1.OwnerReference{leaderPodRef},
			Labels: map[string]string{"leaderworkerset.sigs.k8s.io/name": name, "leaderworkerset.sigs.k8s.io/group-index": "0"}},
		Spec: appsv1.StatefulSetSpec{Replicas: ptr(int32(size - 1)), ServiceName: name, Ordinals: &appsv1.StatefulSetOrdinals{Start: 1},
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"leaderworkerset.sigs.k8s.io/name": name,
				"leaderworkerset.sigs.k8s.io/group-key": groupKey}},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: workerLabels,
				Annotations: map[string]string{"leaderworkerset.sigs.k8s.io/size": strconv.Itoa(size),
					"leaderworkerset.sigs.k8s.io/leader-name": leaderPodName}}, Spec: *worker.Spec.DeepCopy()}},
	}
	g.add(workerSts, appsv1.SchemeGroupVersion, "StatefulSet")
	for i := 1; i < size; i++ {
		podName := fmt.Sprintf("%s-%d", leaderPodName, i)
		spec := *worker.Spec.DeepCopy()
		lwsEnv(&spec, strconv.Itoa(i))
		g.crPod(ns, podName, merged(workerLabels, map[string]string{"leaderworkerset.sigs.k8s.io/worker-index": strconv.Itoa(i),
			"statefulset.kubernetes.io/pod-name": podName, "apps.kubernetes.io/pod-index": strconv.Itoa(i)}),
			spec, controllerRef(appsv1.SchemeGroupVersion, "StatefulSet", leaderPodName, workerSts.ObjectMeta))
	}
}

// jobSet writes a JobSet of one indexed replicated job of
// PodsPerWorkload pods, with what JobSet v0.12.0 and the Job controller
// create: the Job (owned by the JobSet), the headless Service of the DNS
// hostnames, and the pods (owned by the Job) with the jobset.sigs.k8s.io
// and Job labels and the completion index.
func (g *generator) jobSet(ns, name string, labels map[string]string, gpus int, planted bool) {
	const image = "nvcr.io/nvidia/jax:24.04-py3"
	tpl := g.podTemplate(ns, name, labels, image, 8476, 0, KindJob)
	tpl.Spec.Containers[0].Name = "jax"
	tpl.Spec.Containers[0].Ports[0].Name = "coordinator"
	tpl.Spec.Containers[0].Command = []string{"python3", "-m", "train", "--config=/etc/train/config.yaml"}
	g.withGPUs(&tpl, gpus)
	if planted {
		tpl.Spec.HostPID = true
	}
	pods := g.opts.PodsPerWorkload
	meta := g.addCR(jobSetGV, KindJobSet, ns, name, nil, map[string]any{
		"network":       map[string]any{"enableDNSHostnames": true},
		"successPolicy": map[string]any{"operator": "All"},
		"failurePolicy": map[string]any{"maxRestarts": int64(3)},
		"replicatedJobs": []any{map[string]any{
			"name":     "trainer",
			"replicas": int64(1),
			"template": map[string]any{"spec": map[string]any{
				"parallelism":    int64(pods),
				"completions":    int64(pods),
				"backoffLimit":   int64(0),
				"completionMode": "Indexed",
				"template":       templateMap(tpl),
			}},
		}},
	})
	owner := controllerRef(jobSetGV, KindJobSet, name, meta)
	g.add(&corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, OwnerReferences: []metav1.OwnerReference{owner}},
		Spec: corev1.ServiceSpec{ClusterIP: corev1.ClusterIPNone, PublishNotReadyAddresses: true,
			Selector: map[string]string{"jobset.sigs.k8s.io/jobset-name": name}},
	}, corev1.SchemeGroupVersion, "Service")
	jobName := name + "-trainer-0"
	keys := map[string]string{
		"jobset.sigs.k8s.io/jobset-name": name, "jobset.sigs.k8s.io/replicatedjob-name": "trainer",
		"jobset.sigs.k8s.io/restart-attempt": "0", "jobset.sigs.k8s.io/replicatedjob-replicas": "1",
		"jobset.sigs.k8s.io/global-replicas": "1", "jobset.sigs.k8s.io/job-index": "0",
		"jobset.sigs.k8s.io/job-key": sha1Hex(ns + "/" + jobName), "jobset.sigs.k8s.io/job-global-index": "0",
		"jobset.sigs.k8s.io/group-name": "default", "jobset.sigs.k8s.io/group-replicas": "1",
		"jobset.sigs.k8s.io/job-group-index": "0",
	}
	jobUID := g.uid()
	podTpl := *tpl.DeepCopy()
	podTpl.Labels = merged(tpl.Labels, merged(keys, map[string]string{"batch.kubernetes.io/controller-uid": string(jobUID),
		"controller-uid": string(jobUID), "batch.kubernetes.io/job-name": jobName, "job-name": jobName}))
	podTpl.Annotations = keys
	podTpl.Spec.RestartPolicy = corev1.RestartPolicyOnFailure
	podTpl.Spec.Subdomain = name
	job := &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Name: jobName, Namespace: ns, UID: jobUID, Labels: keys, Annotations: keys,
			OwnerReferences: []metav1.OwnerReference{owner}},
		Spec: batchv1.JobSpec{Parallelism: ptr(int32(pods)), Completions: ptr(int32(pods)), BackoffLimit: ptr(int32(0)),
			CompletionMode: ptr(batchv1.IndexedCompletion),
			Selector:       &metav1.LabelSelector{MatchLabels: map[string]string{"batch.kubernetes.io/controller-uid": string(jobUID)}},
			Template:       podTpl},
	}
	g.add(job, batchv1.SchemeGroupVersion, "Job")
	jobOwner := controllerRef(batchv1.SchemeGroupVersion, "Job", jobName, job.ObjectMeta)
	for i := 0; i < pods; i++ {
		index := strconv.Itoa(i)
		spec := *podTpl.Spec.DeepCopy()
		spec.Hostname = jobName + "-" + index
		spec.Containers[0].Env = append(spec.Containers[0].Env, corev1.EnvVar{Name: "JOB_COMPLETION_INDEX",
			ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.labels['batch.kubernetes.io/job-completion-index']"}}})
		g.crPod(ns, jobName+"-"+index+"-"+g.hex(5), merged(podTpl.Labels, map[string]string{"batch.kubernetes.io/job-completion-index": index}),
			spec, jobOwner)
	}
}

// servingRuntime writes the namespace's KServe ServingRuntime for
// Hugging Face models, which its InferenceServices name.
func (g *generator) servingRuntime(ns string) {
	c := corev1.Container{
		Name:  "kserve-container",
		Image: "kserve/huggingfaceserver:v0.15.2-gpu",
		Args:  []string{"--model_name={{.Name}}", "--model_dir=/mnt/models", "--http_port=8080"},
		Ports: []corev1.ContainerPort{{ContainerPort: 8080, Protocol: corev1.ProtocolTCP}},
		Resources: corev1.ResourceRequirements{
			Requests: corev1.ResourceList{corev1.ResourceCPU: mustQ("1"), corev1.ResourceMemory: mustQ("2Gi")},
			Limits:   corev1.ResourceList{corev1.ResourceCPU: mustQ("1"), corev1.ResourceMemory: mustQ("2Gi")},
		},
		SecurityContext: &corev1.SecurityContext{AllowPrivilegeEscalation: ptr(false), RunAsNonRoot: ptr(true),
			Capabilities: &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}}},
	}
	meta := metav1.ObjectMeta{Name: servingRuntimeName, Namespace: ns}
	m := toMap(&meta)
	delete(m, "creationTimestamp")
	g.add(&unstructured.Unstructured{Object: map[string]any{"metadata": m, "spec": map[string]any{
		"supportedModelFormats": []any{map[string]any{"name": "huggingface", "version": "1", "autoSelect": true, "priority": int64(1)}},
		"protocolVersions":      []any{"v2", "v1"},
		"multiModel":            false,
		"annotations":           map[string]any{"prometheus.kserve.io/port": "8080", "prometheus.kserve.io/path": "/metrics"},
		"containers":            []any{toMap(&c)},
	}}}, runtimeGV, "ServingRuntime")
}

// firstISVC reports whether workload w is the first InferenceService of
// its namespace, which writes the namespace's ServingRuntime.
func (o Options) firstISVC(w int) bool {
	for v := 0; v <= w; v++ {
		if c, ok := o.isCR(v); ok && crKind(c) == KindInferenceService {
			return v == w
		}
	}
	return false
}

// inferenceService writes a KServe InferenceService in RawDeployment mode
// whose predictor serves a Hugging Face model on the namespace's
// ServingRuntime with PodsPerWorkload replicas, with what KServe v0.20.0
// creates: the predictor Deployment (owned by the InferenceService; the
// runtime's container merged with the model's fields), its ReplicaSet
// (Options.ReplicaSets), its Service, and the pods with the
// serving.kserve.io labels.
func (g *generator) inferenceService(ns, name string, labels map[string]string, gpus int, planted bool) {
	tpl := g.podTemplate(ns, name, labels, "", 8080, 0, KindDeployment)
	g.withGPUs(&tpl, gpus)
	model := tpl.Spec.Containers[0]
	if planted {
		model.SecurityContext.Privileged = ptr(true)
		model.SecurityContext.AllowPrivilegeEscalation = nil
	}
	modelFields := map[string]any{
		"modelFormat": map[string]any{"name": "huggingface"},
		"runtime":     servingRuntimeName,
		"storageUri":  "hf://meta-llama/Llama-3.1-8B-Instruct",
		"args":        []any{"--max_model_len=8192"},
	}
	cm := toMap(&model)
	for _, k := range []string{"env", "envFrom", "resources", "securityContext"} {
		if v, ok := cm[k]; ok {
			modelFields[k] = v
		}
	}
	pods := int64(g.opts.PodsPerWorkload)
	predictor := map[string]any{
		"minReplicas":        pods,
		"maxReplicas":        2 * pods,
		"serviceAccountName": tpl.Spec.ServiceAccountName,
		"nodeSelector":       toMap(&corev1.PodSpec{NodeSelector: tpl.Spec.NodeSelector})["nodeSelector"],
		"tolerations":        toMap(&corev1.PodSpec{Tolerations: tpl.Spec.Tolerations})["tolerations"],
		"model":              modelFields,
	}
	if tpl.Spec.AutomountServiceAccountToken != nil {
		predictor["automountServiceAccountToken"] = *tpl.Spec.AutomountServiceAccountToken
	}
	meta := g.addCR(kserveGV, KindInferenceService, ns, name,
		map[string]string{"serving.kserve.io/deploymentMode": "RawDeployment"}, map[string]any{"predictor": predictor})
	owner := controllerRef(kserveGV, KindInferenceService, name, meta)

	deploy := name + "-predictor"
	podLabels := map[string]string{LabelApp: "isvc." + deploy, "serving.kserve.io/inferenceservice": name, "component": "predictor"}
	// The runtime's kserve-container merged with the model's fields.
	main := corev1.Container{
		Name:            "kserve-container",
		Image:           "kserve/huggingfaceserver:v0.15.2-gpu",
		Args:            []string{"--model_name=" + name, "--model_dir=/mnt/models", "--http_port=8080", "--max_model_len=8192"},
		Ports:           []corev1.ContainerPort{{ContainerPort: 8080, Protocol: corev1.ProtocolTCP}},
		EnvFrom:         model.EnvFrom,
		Env:             append(append([]corev1.EnvVar{}, model.Env...), corev1.EnvVar{Name: "INFERENCE_SERVICE_NAME", Value: name}),
		Resources:       model.Resources,
		SecurityContext: model.SecurityContext,
	}
	spec := corev1.PodSpec{ServiceAccountName: tpl.Spec.ServiceAccountName, AutomountServiceAccountToken: tpl.Spec.AutomountServiceAccountToken,
		NodeSelector: tpl.Spec.NodeSelector, Tolerations: tpl.Spec.Tolerations, Containers: []corev1.Container{main}}
	d := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: deploy, Namespace: ns, UID: g.uid(), Labels: podLabels,
			Annotations:     map[string]string{"serving.kserve.io/deploymentMode": "RawDeployment"},
			OwnerReferences: []metav1.OwnerReference{owner}},
		Spec: appsv1.DeploymentSpec{Replicas: ptr(int32(pods)),
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{LabelApp: "isvc." + deploy}},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: podLabels,
				Annotations: map[string]string{"serving.kserve.io/storage-initializer-sourceuri": "hf://meta-llama/Llama-3.1-8B-Instruct"}},
				Spec: spec}},
	}
	g.add(d, appsv1.SchemeGroupVersion, "Deployment")
	rsOwner := metav1.OwnerReference{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: deploy + "-" + g.hex(10), UID: g.uid(),
		Controller: ptr(true), BlockOwnerDeletion: ptr(true)}
	if g.opts.ReplicaSets {
		g.replicaSet(d, rsOwner)
	}
	g.add(&corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: deploy, Namespace: ns, Labels: podLabels, OwnerReferences: []metav1.OwnerReference{owner}},
		Spec: corev1.ServiceSpec{Selector: map[string]string{LabelApp: "isvc." + deploy},
			Ports: []corev1.ServicePort{{Name: deploy, Port: 80, TargetPort: intstr.FromInt32(8080), Protocol: corev1.ProtocolTCP}}},
	}, corev1.SchemeGroupVersion, "Service")
	hash := rsOwner.Name[len(deploy)+1:]
	for i := int64(0); i < pods; i++ {
		g.crPod(ns, deploy+"-"+hash+"-"+g.hex(5), merged(podLabels, map[string]string{"pod-template-hash": hash}),
			*spec.DeepCopy(), rsOwner)
	}
}
