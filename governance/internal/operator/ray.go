// KubeRay (ray.io/v1): the templates of a RayCluster are its head group's
// pod template (role "head", spec.headGroupSpec.template) and each worker
// group's (role "worker group <groupName>",
// spec.workerGroupSpecs[i].template); a RayJob holds the same under
// spec.rayClusterSpec plus spec.submitterPodTemplate (role "submitter"); a
// RayService under spec.rayClusterConfig. The pods are those the KubeRay
// operator creates: one head pod, clamp(replicas, minReplicas,
// maxReplicas) × numOfHosts pods per worker group (CRD defaults replicas 0,
// minReplicas 0, maxReplicas 2147483647, numOfHosts 1; a suspended group
// and a suspended cluster or job run none), and for a RayJob in
// K8sJobMode (the default submission mode) the pod of the submitter Job.
// Followed, at module github.com/ray-project/kuberay/ray-operator v1.5.0:
// controllers/ray/common/pod.go (DefaultHeadPodTemplate,
// DefaultWorkerPodTemplate, BuildPod, labelPod, mergeLabels,
// BuildAutoscalerContainer, mergeAutoscalerOverrides),
// controllers/ray/utils/util.go (PodName, CheckName, CheckLabel,
// GetWorkerGroupDesiredReplicas, CalculateMin/MaxReplicas,
// GetHeadGroupServiceAccountName, IsAutoscalingEnabled,
// IsAutoscalingV2Enabled, GetCRDType), controllers/ray/raycluster_controller.go
// (buildHeadPod, buildWorkerPod, getCreatorCRDType),
// controllers/ray/rayjob_controller.go (constructRayClusterForRayJob,
// getSubmitterTemplate), controllers/ray/common/job.go
// (GetSubmitterTemplate, GetDefaultSubmitterContainer),
// controllers/ray/rayservice_controller.go
// (constructRayClusterForRayService) and apis/ray/v1 (the CRD defaults).
//
// What a derived pod carries: the template's metadata and spec as written;
// the operator's labels (template labels and the group's labels merged in,
// ray.io/node-type, ray.io/group and ray.io/cluster not overridable, and
// ray.io/serve on a RayService's pods); the pod name without the generated
// suffix (<cluster>-head, <cluster>-<group>-worker); the containers the
// operator injects, which the templates themselves hold (Template.Injected,
// so checks judge them with the template): the autoscaler sidecar on the
// head when in-tree autoscaling is on (with the autoscalerOptions
// overrides; the head's service account then follows the operator's rule:
// the head template's, else the cluster name), the wait-gcs-ready init
// container on workers, the submitter container in SidecarMode; the metrics port 8080 on the Ray container (container 0)
// when no port is named metrics; restartPolicy Never where the operator
// sets it (autoscaler v2, SidecarMode head, default submitter). Not
// derived, because aigov does not analyse them and they depend on the
// operator's runtime state: the rewritten command of the Ray container
// (ulimit; ray start …), the env the operator appends (RAY_ADDRESS,
// FQ_RAY_IP, KUBERAY_GEN_RAY_START_CMD, …), probes, the /dev/shm and log
// volumes, the annotations it adds (ray.io/ft-enabled, the GCS storage
// namespace), the command and fixed env of the injected containers, and
// what the operator's own configuration adds (head/worker sidecar containers,
// default container env, batch scheduler metadata; the env switches
// ENABLE_INIT_CONTAINER_INJECTION, ENABLE_DETERMINISTIC_HEAD_POD_NAME and
// the alpha RayMultiHostIndexing gate are taken at their defaults).
//
// The cluster of a RayJob or RayService is named by the operator
// <name>-<5 random characters>; the random part is not in the manifests,
// so ray.io/cluster, ray.io/identifier, the pod names and the autoscaler's
// default service account use the resource's name as the cluster name (a
// stable prefix of the real one). A RayJob whose clusterSelector picks an
// existing cluster creates no cluster pods, only its submitter. A
// RayService's zero-downtime upgrade briefly runs a second cluster beside
// the active one; Replicas is one cluster's steady state. spec.managedBy
// is not read: a RayCluster that MultiKueue runs in a worker cluster is
// counted where it is written.
//
// The test TestKubeRayProof (kuberay_proof_test.go) checks these pods
// against the ones KubeRay's own builders make, in the test-only module
// internal/operatortest.
package operator

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"unicode"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// KubeRay's label keys and values (controllers/ray/utils/constant.go).
const (
	rayGroup              = "ray.io"
	rayIsNodeLabel        = "ray.io/is-ray-node"
	rayClusterLabel       = "ray.io/cluster"
	rayNodeTypeLabel      = "ray.io/node-type"
	rayGroupLabel         = "ray.io/group"
	rayIdentifierLabel    = "ray.io/identifier"
	rayServeLabel         = "ray.io/serve"
	rayOriginatedFromCRD  = "ray.io/originated-from-crd"
	rayAppNameLabel       = "app.kubernetes.io/name"
	rayCreatedByLabel     = "app.kubernetes.io/created-by"
	rayAppName            = "kuberay"
	rayComponentName      = "kuberay-operator"
	rayHeadGroupName      = "headgroup"
	rayHeadNode           = "head"
	rayWorkerNode         = "worker"
	rayMetricsPortName    = "metrics"
	rayMetricsPort        = 8080
	rayAutoscalerName     = RayAutoscalerContainer
	rayWaitGCSName        = RayWaitGCSContainer
	raySubmitterName      = RaySubmitterContainer
	rayAutoscalerV2       = "v2"
	rayK8sJobMode         = "K8sJobMode"
	raySidecarMode        = RaySidecarMode
	rayKindCluster        = "RayCluster"
	rayKindJob            = "RayJob"
	rayKindService        = "RayService"
	rayJobSubmitterRole   = "submitter"
	rayJobEntrypointField = "spec.entrypoint"

	// The Job API's labels on the submitter Job's pods (k8s.io/api/batch/v1).
	rayBatchJobNameLabel  = "batch.kubernetes.io/job-name"
	rayLegacyJobNameLabel = "job-name"
)

// What the containers KubeRay injects into a cluster's pods are made of
// (rayClusterSpec.inject), exported so that the admission policies that
// model them (governance's operator policies) read the same values.
const (
	// RayWaitGCSContainer is the init container injected into every worker
	// group's pods.
	RayWaitGCSContainer = "wait-gcs-ready"
	// RayAutoscalerContainer is the sidecar injected into the head's pods
	// when spec.enableInTreeAutoscaling is true.
	RayAutoscalerContainer = "autoscaler"
	// RaySubmitterContainer is the submitter injected into the head's pods
	// of a RayJob whose spec.submissionMode is RaySidecarMode.
	RaySubmitterContainer = "ray-job-submitter"
	// RaySidecarMode is the RayJob submission mode that runs the submitter
	// in the head pod.
	RaySidecarMode = "SidecarMode"
	// RayAutoscalerPullPolicy is the autoscaler's image pull policy unless
	// spec.autoscalerOptions.imagePullPolicy sets one.
	RayAutoscalerPullPolicy = corev1.PullIfNotPresent
)

// FixedResources are the requests and limits, as quantities, that the
// operator gives an injected container.
type FixedResources struct {
	RequestCPU, RequestMemory, LimitCPU, LimitMemory string
}

// The fixed resources of the injected containers: wait-gcs-ready's (so
// that a ResourceQuota admits it), the autoscaler's unless
// spec.autoscalerOptions.resources replaces them, and the submitter's
// (GetDefaultSubmitterContainer).
var (
	RayWaitGCSResources    = FixedResources{RequestCPU: "200m", RequestMemory: "256Mi", LimitCPU: "200m", LimitMemory: "256Mi"}
	RayAutoscalerResources = FixedResources{RequestCPU: "500m", RequestMemory: "512Mi", LimitCPU: "500m", LimitMemory: "512Mi"}
	RaySubmitterResources  = FixedResources{RequestCPU: "500m", RequestMemory: "200Mi", LimitCPU: "1", LimitMemory: "1Gi"}
)

// RayWaitGCSCopies lists the fields wait-gcs-ready copies from the Ray
// container (containers[0] of the worker group's template).
func RayWaitGCSCopies() []string {
	return []string{"image", "imagePullPolicy", "securityContext", "env", "volumeMounts"}
}

func rayKinds() []Kind {
	gk := func(kind string) schema.GroupKind { return schema.GroupKind{Group: rayGroup, Kind: kind} }
	return []Kind{
		{
			GroupKind: gk(rayKindCluster),
			Versions:  []string{"v1"},
			Templates: func(obj map[string]any) ([]Template, []string, error) {
				return rayClusterTemplates(obj, "spec", false)
			},
			Pods:     rayClusterPods,
			Integers: rayIntegers("spec"),
		},
		{
			GroupKind: gk(rayKindJob),
			Versions:  []string{"v1"},
			Templates: rayJobTemplates,
			Pods:      rayJobPods,
			Integers:  rayIntegers("spec.rayClusterSpec"),
		},
		{
			GroupKind: gk(rayKindService),
			Versions:  []string{"v1"},
			Templates: func(obj map[string]any) ([]Template, []string, error) {
				return rayClusterTemplates(obj, "spec.rayClusterConfig", false)
			},
			Pods:     rayServicePods,
			Integers: rayIntegers("spec.rayClusterConfig"),
		},
	}
}

// rayIntegers are the counts of the worker groups of the RayCluster spec
// at prefix.
func rayIntegers(prefix string) []string {
	var out []string
	for _, f := range []string{"replicas", "minReplicas", "maxReplicas", "numOfHosts"} {
		out = append(out, prefix+".workerGroupSpecs[*]."+f)
	}
	return out
}

// rayClusterTemplates decodes the head and worker group templates of the
// RayCluster spec at the dotted field path prefix of obj, with the
// containers the operator injects into their pods (rayInject);
// sidecarSubmitter is a RayJob's SidecarMode.
func rayClusterTemplates(obj map[string]any, prefix string, sidecarSubmitter bool) ([]Template, []string, error) {
	spec, err := rayObjectAt(obj, prefix)
	if err != nil || spec == nil {
		return nil, nil, err
	}
	var out []Template
	var unknown []string
	add := func(m any, path, role string) error {
		t, u, err := DecodeTemplate(m, path, role)
		if err != nil {
			return err
		}
		out = append(out, t)
		unknown = append(unknown, u...)
		return nil
	}
	if head, ok := spec["headGroupSpec"]; ok && head != nil {
		hm, ok := head.(map[string]any)
		if !ok {
			return nil, nil, fmt.Errorf("%s.headGroupSpec: not an object", prefix)
		}
		if t, ok := hm["template"]; ok && t != nil {
			if err := add(t, prefix+".headGroupSpec.template.spec", rayHeadNode); err != nil {
				return nil, nil, err
			}
		}
	}
	groups, err := rayWorkerGroupMaps(spec, prefix)
	if err != nil {
		return nil, nil, err
	}
	for i, g := range groups {
		if t, ok := g["template"]; ok && t != nil {
			if err := add(t, rayWorkerTemplatePath(prefix, i), rayWorkerRole(String(g, "groupName"))); err != nil {
				return nil, nil, err
			}
		}
	}
	if c := readRayCluster(obj, prefix); c != nil {
		for i := range out {
			c.inject(&out[i], sidecarSubmitter)
		}
	}
	return out, unknown, nil
}

// rayContainer is the Ray container of a template as the operator finds
// it (utils.RayContainerIndex), as an Injection's From.
const rayContainer = "containers[0]"

// inject adds to a template of the cluster the containers the operator
// injects into its pods: on a worker group's, the wait-gcs-ready init
// container, a copy of the Ray container's image, pull policy, security
// context, env and mounts with fixed resources so that a ResourceQuota
// admits it (DefaultWorkerPodTemplate); on the head's, a RayJob's
// submitter in SidecarMode, running the Ray image, then the autoscaler
// sidecar when in-tree autoscaling is on (DefaultHeadPodTemplate). A
// template without a container gets none (the CRD requires one; the
// operator would index it).
func (c *rayClusterSpec) inject(t *Template, sidecarSubmitter bool) {
	if len(t.Spec.Containers) == 0 {
		return
	}
	ray := &t.Spec.Containers[0]
	if t.Path != c.prefix+".headGroupSpec.template.spec" {
		t.Inject("initContainers", corev1.Container{
			Name:            rayWaitGCSName,
			Image:           ray.Image,
			ImagePullPolicy: ray.ImagePullPolicy,
			SecurityContext: ray.SecurityContext.DeepCopy(),
			Env:             rayCopyEnv(ray.Env),
			VolumeMounts:    rayCopyMounts(ray.VolumeMounts),
			Resources:       rayFixedResources(RayWaitGCSResources),
		}, rayContainer, RayWaitGCSCopies()...)
		return
	}
	rayImage := ray.Image
	if sidecarSubmitter {
		t.Inject("containers", raySubmitterContainer(rayImage), rayContainer, "image")
	}
	if c.autoscaling {
		var copies []string
		if c.autoscaler.Image == nil {
			copies = append(copies, "image")
		}
		t.Inject("containers", c.autoscalerContainer(rayImage), rayContainer, copies...)
	}
}

// rayJobTemplates decodes a RayJob's cluster templates and its submitter
// pod template.
func rayJobTemplates(obj map[string]any) ([]Template, []string, error) {
	mode := String(obj, "spec", "submissionMode")
	out, unknown, err := rayClusterTemplates(obj, "spec.rayClusterSpec", mode == raySidecarMode)
	if err != nil {
		return nil, nil, err
	}
	if sub, ok := Field(obj, "spec", "submitterPodTemplate"); ok && sub != nil {
		t, u, err := DecodeTemplate(sub, "spec.submitterPodTemplate.spec", rayJobSubmitterRole)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, t)
		unknown = append(unknown, u...)
	}
	return out, unknown, nil
}

// rayObjectAt returns the object at the dotted path of obj: nil when it is
// absent, an error when it is not an object.
func rayObjectAt(obj map[string]any, path string) (map[string]any, error) {
	v, ok := Field(obj, strings.Split(path, ".")...)
	if !ok || v == nil {
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: not an object", path)
	}
	return m, nil
}

// rayWorkerGroupMaps returns the worker group objects of a cluster spec.
func rayWorkerGroupMaps(spec map[string]any, prefix string) ([]map[string]any, error) {
	v, ok := spec["workerGroupSpecs"]
	if !ok || v == nil {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("%s.workerGroupSpecs: not a list", prefix)
	}
	out := make([]map[string]any, len(list))
	for i, item := range list {
		m, ok := item.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s.workerGroupSpecs[%d]: not an object", prefix, i)
		}
		out[i] = m
	}
	return out, nil
}

func rayWorkerTemplatePath(prefix string, i int) string {
	return fmt.Sprintf("%s.workerGroupSpecs[%d].template.spec", prefix, i)
}

func rayWorkerRole(group string) string { return "worker group " + group }

// rayClusterPods derives the pods of a RayCluster: the cluster is the
// resource itself, and its ray.io/originated-from-crd label (set by the
// RayJob and RayService controllers on the clusters they create) selects
// the creator's behaviour, as getCreatorCRDType does.
func rayClusterPods(r *Resource, _ Lookup) []Pod {
	c := readRayCluster(r.Object, "spec")
	if c == nil {
		return nil
	}
	creator := rayKindCluster
	if v := r.Labels[rayOriginatedFromCRD]; v == rayKindJob || v == rayKindService {
		creator = v
	}
	return c.pods(r, rayClusterBuild{name: r.Name, creator: creator})
}

// rayServicePods derives the pods of a RayService's cluster
// (spec.rayClusterConfig).
func rayServicePods(r *Resource, _ Lookup) []Pod {
	c := readRayCluster(r.Object, "spec.rayClusterConfig")
	if c == nil {
		return nil
	}
	return c.pods(r, rayClusterBuild{name: r.Name, creator: rayKindService})
}

// rayJobPods derives the pods of a RayJob: its cluster's (unless
// clusterSelector names an existing cluster) and, in K8sJobMode, the
// submitter Job's pod.
func rayJobPods(r *Resource, lookup Lookup) []Pod {
	spec := Map(r.Object, "spec")
	suspended := Bool(spec, "suspend")
	mode := String(spec, "submissionMode")
	if mode == "" {
		mode = rayK8sJobMode // the CRD default
	}
	var out []Pod
	// headImage is the image the default submitter container runs: the
	// Ray container's of the cluster's head template.
	headImage, haveHead := "", false
	if selected := String(spec, "clusterSelector", rayClusterLabel); selected != "" {
		if other, ok := lookup(schema.GroupKind{Group: rayGroup, Kind: rayKindCluster}, r.Namespace, selected); ok {
			headImage, haveHead = rayHeadImage(other.Templates, "spec")
		}
	} else if c := readRayCluster(r.Object, "spec.rayClusterSpec"); c != nil {
		headImage, haveHead = rayHeadImage(r.Templates, c.prefix)
		out = c.pods(r, rayClusterBuild{name: r.Name, creator: rayKindJob, suspended: suspended,
			sidecarSubmitter: mode == raySidecarMode})
	}
	if mode != rayK8sJobMode {
		return out
	}
	if sub := rayFindTemplate(r.Templates, "spec.submitterPodTemplate.spec"); sub != nil {
		out = append(out, raySubmitterPod(r, sub, "spec.submitterPodTemplate.spec", suspended))
	} else if haveHead {
		def := &Template{Role: rayJobSubmitterRole, Spec: corev1.PodSpec{
			Containers:    []corev1.Container{raySubmitterContainer(headImage)},
			RestartPolicy: corev1.RestartPolicyNever,
		}}
		out = append(out, raySubmitterPod(r, def, rayJobEntrypointField, suspended))
	}
	return out
}

// raySubmitterPod is the pod of the submitter Job, named after the RayJob
// as the Job is; the Job API adds its job-name labels to the pods.
func raySubmitterPod(r *Resource, t *Template, specPath string, suspended bool) Pod {
	pod := NewPod(r, t, r.Name, map[string]string{rayBatchJobNameLabel: r.Name, rayLegacyJobNameLabel: r.Name})
	return Pod{Role: rayJobSubmitterRole, SpecPath: specPath, Replicas: rayCount(!suspended), Pod: pod}
}

func rayCount(running bool) int32 {
	if running {
		return 1
	}
	return 0
}

// rayHeadImage is the image of the Ray container of the head template of
// the cluster spec at prefix.
func rayHeadImage(ts []Template, prefix string) (string, bool) {
	t := rayFindTemplate(ts, prefix+".headGroupSpec.template.spec")
	if t == nil || len(t.Spec.Containers) == 0 {
		return "", false
	}
	return t.Spec.Containers[0].Image, true
}

func rayFindTemplate(ts []Template, path string) *Template {
	for i := range ts {
		if ts[i].Path == path {
			return &ts[i]
		}
	}
	return nil
}

// rayClusterSpec is what the pods depend on in a RayCluster spec, CRD
// defaults applied.
type rayClusterSpec struct {
	prefix       string
	suspend      bool
	autoscaling  bool
	autoscalerV2 bool
	autoscaler   rayAutoscalerOptions
	headLabels   map[string]string
	workers      []rayWorkerGroup
}

// rayAutoscalerOptions are the autoscalerOptions fields that override the
// autoscaler container (mergeAutoscalerOverrides).
type rayAutoscalerOptions struct {
	Version         string                       `json:"version,omitempty"`
	Image           *string                      `json:"image,omitempty"`
	ImagePullPolicy *corev1.PullPolicy           `json:"imagePullPolicy,omitempty"`
	Resources       *corev1.ResourceRequirements `json:"resources,omitempty"`
	Env             []corev1.EnvVar              `json:"env,omitempty"`
	EnvFrom         []corev1.EnvFromSource       `json:"envFrom,omitempty"`
	VolumeMounts    []corev1.VolumeMount         `json:"volumeMounts,omitempty"`
	SecurityContext *corev1.SecurityContext      `json:"securityContext,omitempty"`
}

type rayWorkerGroup struct {
	index              int
	name               string
	labels             map[string]string
	replicas, min, max int32
	numOfHosts         int32
	suspend            bool
}

// desired is the group's pod count (GetWorkerGroupDesiredReplicas): the
// replicas clamped to [min, max] (max when min > max), times numOfHosts.
func (g rayWorkerGroup) desired() int32 {
	if g.suspend {
		return 0
	}
	var n int32
	switch {
	case g.min > g.max:
		n = g.max
	case g.replicas < g.min:
		n = g.min
	case g.replicas > g.max:
		n = g.max
	default:
		n = g.replicas
	}
	return rayTimes(n, g.numOfHosts)
}

// bounds are the group's pod count bounds under the autoscaler
// (CalculateMinReplicas, CalculateMaxReplicas): 0 for a suspended group.
func (g rayWorkerGroup) bounds() (lo, hi int32) {
	if g.suspend {
		return 0, 0
	}
	return rayTimes(g.min, g.numOfHosts), rayTimes(g.max, g.numOfHosts)
}

// rayTimes multiplies pod counts, saturating where the operator's int32
// arithmetic would overflow (the default maxReplicas is MaxInt32) and
// never negative.
func rayTimes(a, b int32) int32 {
	p := int64(a) * int64(b)
	switch {
	case p < 0:
		return 0
	case p > math.MaxInt32:
		return math.MaxInt32
	}
	return int32(p)
}

// readRayCluster reads the RayCluster spec at the dotted path prefix; nil
// when it is absent.
func readRayCluster(obj map[string]any, prefix string) *rayClusterSpec {
	spec, err := rayObjectAt(obj, prefix)
	if err != nil || spec == nil {
		return nil
	}
	c := &rayClusterSpec{prefix: prefix, suspend: Bool(spec, "suspend"), autoscaling: Bool(spec, "enableInTreeAutoscaling"),
		headLabels: rayStringMap(Map(spec, "headGroupSpec", "labels"))}
	if opts := Map(spec, "autoscalerOptions"); opts != nil {
		// A malformed option is the CRD's to reject; it then overrides
		// nothing here.
		if raw, err := json.Marshal(opts); err == nil {
			_ = json.Unmarshal(raw, &c.autoscaler)
		}
	}
	c.autoscalerV2 = c.autoscaler.Version == rayAutoscalerV2
	groups, _ := rayWorkerGroupMaps(spec, prefix)
	for i, g := range groups {
		c.workers = append(c.workers, rayWorkerGroup{
			index:      i,
			name:       String(g, "groupName"),
			labels:     rayStringMap(Map(g, "labels")),
			replicas:   Int(g, 0, "replicas"),
			min:        Int(g, 0, "minReplicas"),
			max:        Int(g, math.MaxInt32, "maxReplicas"),
			numOfHosts: Int(g, 1, "numOfHosts"),
			suspend:    Bool(g, "suspend"),
		})
	}
	return c
}

func rayStringMap(m map[string]any) map[string]string {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	return out
}

// rayClusterBuild is how a cluster's pods are built: the cluster's name,
// which kind created it, whether its owner is suspended (a RayJob's
// spec.suspend; the cluster's own spec.suspend counts too), and whether a RayJob in
// SidecarMode puts its submitter in the head pod.
type rayClusterBuild struct {
	name             string
	creator          string
	suspended        bool
	sidecarSubmitter bool
}

// pods builds the head pod and one pod per worker group.
func (c *rayClusterSpec) pods(r *Resource, b rayClusterBuild) []Pod {
	suspended := b.suspended || c.suspend
	var out []Pod
	if t := rayFindTemplate(r.Templates, c.prefix+".headGroupSpec.template.spec"); t != nil {
		out = append(out, Pod{Role: rayHeadNode, SpecPath: t.Path, Replicas: rayCount(!suspended), Pod: c.headPod(r, t, b)})
	}
	for _, g := range c.workers {
		t := rayFindTemplate(r.Templates, rayWorkerTemplatePath(c.prefix, g.index))
		if t == nil {
			continue
		}
		replicas := g.desired()
		if suspended {
			replicas = 0
		}
		lo, hi := g.bounds()
		out = append(out, Pod{Role: t.Role, SpecPath: t.Path, Replicas: replicas,
			MinReplicas: Ptr(lo), MaxReplicas: Ptr(hi), Pod: c.workerPod(r, t, g, b)})
	}
	return out
}

// headPod follows DefaultHeadPodTemplate and BuildPod for the head.
func (c *rayClusterSpec) headPod(r *Resource, t *Template, b rayClusterBuild) *corev1.Pod {
	pod := NewPod(r, t, rayPodName(b.name, rayHeadNode), nil)
	pod.Labels = rayPodLabels(rayHeadNode, b.name, rayHeadGroupName, t.Meta.Labels, c.headLabels)
	if b.creator == rayKindService {
		pod.Labels[rayServeLabel] = "false"
	}
	spec := &pod.Spec
	if len(spec.Containers) == 0 {
		return pod // the CRD requires a container; nothing to inject into
	}
	// The template holds the injected containers (inject).
	if b.sidecarSubmitter {
		spec.RestartPolicy = corev1.RestartPolicyNever
	}
	if c.autoscaling {
		sa := t.Spec.ServiceAccountName
		if sa == "" {
			sa = b.name
		}
		spec.ServiceAccountName = rayCheckName(sa)
		if c.autoscalerV2 {
			spec.RestartPolicy = corev1.RestartPolicyNever
		}
	}
	rayAddMetricsPort(&spec.Containers[0])
	return pod
}

// workerPod follows DefaultWorkerPodTemplate and BuildPod for a worker.
func (c *rayClusterSpec) workerPod(r *Resource, t *Template, g rayWorkerGroup, b rayClusterBuild) *corev1.Pod {
	pod := NewPod(r, t, rayPodName(b.name+"-"+g.name, rayWorkerNode), nil)
	pod.Labels = rayPodLabels(rayWorkerNode, b.name, g.name, t.Meta.Labels, g.labels)
	if b.creator == rayKindService {
		pod.Labels[rayServeLabel] = "true"
	}
	spec := &pod.Spec
	if len(spec.Containers) == 0 {
		return pod
	}
	// The template holds the wait-gcs-ready init container (inject).
	rayAddMetricsPort(&spec.Containers[0])
	if c.autoscaling && c.autoscalerV2 {
		spec.RestartPolicy = corev1.RestartPolicyNever
	}
	return pod
}

// autoscalerContainer is the autoscaler sidecar with the autoscalerOptions
// overrides (BuildAutoscalerContainer, mergeAutoscalerOverrides); its
// command and fixed env are not derived.
func (c *rayClusterSpec) autoscalerContainer(rayImage string) corev1.Container {
	ctr := corev1.Container{
		Name:            rayAutoscalerName,
		Image:           rayImage,
		ImagePullPolicy: RayAutoscalerPullPolicy,
		Resources:       rayFixedResources(RayAutoscalerResources),
	}
	o := c.autoscaler
	if o.Resources != nil {
		ctr.Resources = *o.Resources.DeepCopy()
	}
	if o.Image != nil {
		ctr.Image = *o.Image
	}
	if o.ImagePullPolicy != nil {
		ctr.ImagePullPolicy = *o.ImagePullPolicy
	}
	ctr.Env = append(ctr.Env, rayCopyEnv(o.Env)...)
	ctr.EnvFrom = append(ctr.EnvFrom, o.EnvFrom...)
	ctr.VolumeMounts = append(ctr.VolumeMounts, rayCopyMounts(o.VolumeMounts)...)
	if o.SecurityContext != nil {
		ctr.SecurityContext = o.SecurityContext.DeepCopy()
	}
	return ctr
}

// raySubmitterContainer is the default submitter container
// (GetDefaultSubmitterContainer): the head's Ray image with fixed
// resources; its command and env are not derived.
func raySubmitterContainer(image string) corev1.Container {
	return corev1.Container{Name: raySubmitterName, Image: image,
		Resources: rayFixedResources(RaySubmitterResources)}
}

func rayFixedResources(r FixedResources) corev1.ResourceRequirements {
	return corev1.ResourceRequirements{
		Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(r.RequestCPU), corev1.ResourceMemory: resource.MustParse(r.RequestMemory)},
		Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(r.LimitCPU), corev1.ResourceMemory: resource.MustParse(r.LimitMemory)},
	}
}

func rayCopyEnv(env []corev1.EnvVar) []corev1.EnvVar {
	var out []corev1.EnvVar
	for i := range env {
		out = append(out, *env[i].DeepCopy())
	}
	return out
}

func rayCopyMounts(m []corev1.VolumeMount) []corev1.VolumeMount {
	var out []corev1.VolumeMount
	for i := range m {
		out = append(out, *m[i].DeepCopy())
	}
	return out
}

// rayAddMetricsPort adds the metrics port to the Ray container unless a
// port of that name is there.
func rayAddMetricsPort(c *corev1.Container) {
	for _, p := range c.Ports {
		if p.Name == rayMetricsPortName {
			return
		}
	}
	c.Ports = append(c.Ports, corev1.ContainerPort{Name: rayMetricsPortName, ContainerPort: rayMetricsPort})
}

// rayPodLabels are the pod's labels (labelPod over mergeLabels): the
// operator's, overridden by the template's labels and then the group's,
// except the node type, group and cluster keys.
func rayPodLabels(nodeType, cluster, group string, templateLabels, groupLabels map[string]string) map[string]string {
	labels := map[string]string{
		rayIsNodeLabel:     "yes",
		rayClusterLabel:    cluster,
		rayNodeTypeLabel:   nodeType,
		rayGroupLabel:      group,
		rayIdentifierLabel: rayCheckLabel(cluster + "-" + nodeType),
		rayAppNameLabel:    rayAppName,
		rayCreatedByLabel:  rayComponentName,
	}
	for _, src := range []map[string]string{templateLabels, groupLabels} {
		for k, v := range src {
			if k == rayNodeTypeLabel || k == rayGroupLabel || k == rayClusterLabel {
				continue
			}
			labels[k] = v
		}
	}
	return labels
}

// rayPodName is the name the operator generates pods from (PodName),
// without the trailing dash and random suffix: the prefix cut to 50
// characters, then "-head" or "-worker", in lower case.
func rayPodName(prefix, nodeType string) string {
	if len(prefix) > 50 {
		prefix = prefix[:50]
	}
	return strings.ToLower(prefix + "-" + nodeType)
}

// rayCheckName shapes the autoscaler's service account name as CheckName
// does: the last 50 characters, and a leading digit or punctuation
// replaced by "r".
func rayCheckName(s string) string {
	if len(s) > 50 {
		s = s[len(s)-50:]
	}
	if s == "" {
		return s
	}
	if unicode.IsDigit(rune(s[0])) {
		s = "r" + s[1:]
	}
	if unicode.IsPunct(rune(s[0])) {
		s = "r" + s[1:]
	}
	return s
}

// rayCheckLabel shapes a label value as CheckLabel does: the last 63
// characters, and a leading punctuation replaced by "r".
func rayCheckLabel(s string) string {
	if len(s) > 63 {
		s = s[len(s)-63:]
	}
	if s != "" && unicode.IsPunct(rune(s[0])) {
		s = "r" + s[1:]
	}
	return s
}
