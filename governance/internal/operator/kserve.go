// KServe (serving.kserve.io): the templates and pods of InferenceService
// (v1beta1), the templates of ServingRuntime and ClusterServingRuntime
// (v1alpha1), and the templates and pods of LLMInferenceService (v1alpha1
// and v1alpha2, alike in the fields read here). Followed, at kserve/kserve
// v0.20.0:
//
//   - pkg/apis/serving/v1beta1: predictor.go, component.go, podspec.go,
//     transformer.go, explainer.go (the component fields beside the inline
//     pod spec), predictor_model.go (GetSupportingRuntimes: runtime
//     auto-selection and its order), inference_service_defaults.go
//     (framework shorthands become model, their protocol; the custom
//     container's name and the shipped ConfigMap's default resources,
//     predictor_custom.go, transformer_custom.go, explainer_custom.go);
//   - pkg/apis/serving/v1alpha1/servingruntime_types.go (the runtime spec,
//     IsDisabled, IsMultiModelRuntime, IsMultiNodeRuntime,
//     IsProtocolVersionSupported, GetPriority);
//   - pkg/controller/v1beta1/inferenceservice/components/predictor.go
//     (buildPodSpec: the runtime's kserve-container merged with the model,
//     other runtime and predictor containers appended; buildObjectMeta
//     labels; INFERENCE_SERVICE_NAME), transformer.go, explainer.go;
//     utils/utils.go (GetDeploymentMode, GetServingRuntime,
//     MergeRuntimeContainers, MergePodSpec, ReplacePlaceholders,
//     UpdateImageTag, AddEnvVarToPodSpec); pkg/utils/container_merge.go;
//   - reconcilers/deployment/deployment_reconciler.go (app label, replicas
//     under the "none" autoscaler class), reconcilers/hpa/hpa_reconciler.go
//     (min at least 1, max at least min), reconcilers/knative (min-scale
//     and max-scale from minReplicas and maxReplicas);
//   - pkg/webhook/admission/pod/storage_initializer_injector.go and
//     pkg/utils/storage.go (the storage-initializer init container, its
//     /mnt/models volume; a pvc:// URI mounted instead), with the shipped
//     config/configmap/inferenceservice.yaml (Serverless default mode,
//     storage initializer kserve/storage-initializer:latest 100m/100Mi
//     requests, 1/1Gi limits, inferenceService default resources 1 CPU and
//     2Gi);
//   - pkg/controller/v1alpha2/llmisvc/workload_single_node.go (Deployments
//     <name>-kserve and <name>-kserve-prefill, their labels).
//
// One Pod stands for the pods of a component, named as its Deployment
// ("<isvc>-predictor"; "<isvc>-<name>-predictor" with predictor.name). A
// predictor with a model (or a framework shorthand such as sklearn, read
// as the defaulting webhook rewrites it) gets its pod from the
// ServingRuntime named by model.runtime (namespace first, then cluster) or
// auto-selected; its SpecPath is the model field. Without a runtime in the
// inventory it has no pod. The deployment mode is status.deploymentMode,
// then the serving.kserve.io/deploymentMode annotation, then Knative (the
// shipped default); ModelMesh pods are not derived. Knative's queue-proxy
// sidecar and its labels are left out: their resources and values come
// from Knative's own configuration, not verified here.
//
// Not derived: the multi-node worker Deployment (predictor.workerSpec),
// the ART explainer (its image is in the ConfigMap), storageUris lists,
// oci:// modelcar sidecars, the credentials the storage initializer gets
// from the service account's secrets, the logger/batcher agent sidecar,
// ClusterStorageContainer images, LLMInferenceService configuration
// presets (baseRefs and the well-known LLMInferenceServiceConfigs: only
// the template as written is read) and its multi-node (worker, a
// LeaderWorkerSet) form, whose templates are decoded and checked but give
// no pods.
package operator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"text/template"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	kjson "sigs.k8s.io/json"
)

// KServe names (pkg/constants/constants.go at v0.20.0).
const (
	kserveGroup                = "serving.kserve.io"
	kserveContainer            = "kserve-container"
	kserveTransformerContainer = "transformer-container"
	kserveIsvcLabel            = "serving.kserve.io/inferenceservice"
	kserveComponentLabel       = "component"
	kserveAppLabel             = "app"
	kserveDeploymentModeKey    = "serving.kserve.io/deploymentMode"
	kserveAutoscalerClassKey   = "serving.kserve.io/autoscalerClass"
	kserveStopKey              = "serving.kserve.io/stop"
	kserveServerTypeKey        = "serving.kserve.io/server-type"
	kserveReadonlyKey          = "storage.kserve.io/readonly"
	kserveIsvcNameEnv          = "INFERENCE_SERVICE_NAME"
	kserveStorageURIEnv        = "STORAGE_URI"
	kserveStorageInit          = "storage-initializer"
	kserveStorageInitImage     = "kserve/storage-initializer:latest"
	kserveModelVolume          = "kserve-provision-location"
	kservePVCVolume            = "kserve-pvc-source"
	kserveModelMountPath       = "/mnt/models"
	kserveLastApplied          = "kubectl.kubernetes.io/last-applied-configuration"

	kserveModeStandard  = "Standard"
	kserveModeKnative   = "Knative"
	kserveModeModelMesh = "ModelMesh"

	kserveLLMComponentKey   = "app.kubernetes.io/component"
	kserveLLMNameKey        = "app.kubernetes.io/name"
	kserveLLMPartOfKey      = "app.kubernetes.io/part-of"
	kserveLLMKServeCompKey  = "kserve.io/component"
	kserveLLMRoleKey        = "llm-d.ai/role"
	kserveLLMPartOf         = "llminferenceservice"
	kserveLLMWorkload       = "llminferenceservice-workload"
	kserveLLMWorkloadPrefil = "llminferenceservice-workload-prefill"
)

var (
	servingRuntimeGK        = schema.GroupKind{Group: kserveGroup, Kind: "ServingRuntime"}
	clusterServingRuntimeGK = schema.GroupKind{Group: kserveGroup, Kind: "ClusterServingRuntime"}
)

func kserveKinds() []Kind {
	return []Kind{
		{GroupKind: schema.GroupKind{Group: kserveGroup, Kind: "InferenceService"}, Versions: []string{"v1beta1"},
			Templates: isvcTemplates, Pods: isvcPods},
		{GroupKind: servingRuntimeGK, Versions: []string{"v1alpha1"}, Templates: servingRuntimeTemplates},
		{GroupKind: clusterServingRuntimeGK, Versions: []string{"v1alpha1"}, Templates: servingRuntimeTemplates},
		{GroupKind: schema.GroupKind{Group: kserveGroup, Kind: "LLMInferenceService"}, Versions: []string{"v1alpha1", "v1alpha2"},
			Templates: llmTemplates, Pods: llmPods, Integers: []string{"spec.replicas", "spec.prefill.replicas"}},
	}
}

// kserveStrict decodes m into out strictly; unknown fields come back as
// paths under path, other errors (a wrong type) as an error naming path.
func kserveStrict(m any, out any, path string) ([]string, error) {
	raw, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	strict, err := kjson.UnmarshalStrict(raw, out, kjson.DisallowUnknownFields)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var unknown []string
	for _, e := range strict {
		var fe kjson.FieldError
		if !errors.As(e, &fe) || !strings.HasPrefix(e.Error(), "unknown field ") {
			return nil, fmt.Errorf("%s: %w", path, e)
		}
		unknown = append(unknown, path+"."+fe.FieldPath())
	}
	return unknown, nil
}

// kserveLenient decodes m into out, ignoring what does not fit: Pods
// re-reads fields the loader already decoded strictly.
func kserveLenient(m any, out any) bool {
	raw, err := json.Marshal(m)
	if err != nil {
		return false
	}
	return json.Unmarshal(raw, out) == nil
}

// ---- ServingRuntime and ClusterServingRuntime ----

// kserveRuntimePodSpec is ServingRuntimePodSpec: the pod fields a runtime
// may set.
type kserveRuntimePodSpec struct {
	Containers       []corev1.Container            `json:"containers"`
	Volumes          []corev1.Volume               `json:"volumes,omitempty"`
	NodeSelector     map[string]string             `json:"nodeSelector,omitempty"`
	Affinity         *corev1.Affinity              `json:"affinity,omitempty"`
	Tolerations      []corev1.Toleration           `json:"tolerations,omitempty"`
	Labels           map[string]string             `json:"labels,omitempty"`
	Annotations      map[string]string             `json:"annotations,omitempty"`
	ImagePullSecrets []corev1.LocalObjectReference `json:"imagePullSecrets,omitempty"`
	HostIPC          bool                          `json:"hostIPC,omitempty"`
	SchedulerName    string                        `json:"schedulerName,omitempty"`
}

// podSpec maps the runtime's pod fields into a core pod spec.
func (s *kserveRuntimePodSpec) podSpec() corev1.PodSpec {
	return corev1.PodSpec{Containers: s.Containers, Volumes: s.Volumes, NodeSelector: s.NodeSelector,
		Affinity: s.Affinity, Tolerations: s.Tolerations, ImagePullSecrets: s.ImagePullSecrets,
		HostIPC: s.HostIPC, SchedulerName: s.SchedulerName}
}

type kserveSupportedFormat struct {
	Name       string  `json:"name"`
	Version    *string `json:"version,omitempty"`
	AutoSelect *bool   `json:"autoSelect,omitempty"`
	Priority   *int32  `json:"priority,omitempty"`
}

type kserveRuntimeWorkerSpec struct {
	kserveRuntimePodSpec
	PipelineParallelSize *int `json:"pipelineParallelSize,omitempty"`
	TensorParallelSize   *int `json:"tensorParallelSize,omitempty"`
}

// kserveRuntimeSpec is ServingRuntimeSpec.
type kserveRuntimeSpec struct {
	SupportedModelFormats []kserveSupportedFormat  `json:"supportedModelFormats,omitempty"`
	MultiModel            *bool                    `json:"multiModel,omitempty"`
	Disabled              *bool                    `json:"disabled,omitempty"`
	ProtocolVersions      []string                 `json:"protocolVersions,omitempty"`
	WorkerSpec            *kserveRuntimeWorkerSpec `json:"workerSpec,omitempty"`
	kserveRuntimePodSpec
	GrpcEndpoint     *string `json:"grpcEndpoint,omitempty"`
	GrpcDataEndpoint *string `json:"grpcDataEndpoint,omitempty"`
	HTTPDataEndpoint *string `json:"httpDataEndpoint,omitempty"`
	Replicas         *uint16 `json:"replicas,omitempty"`
	StorageHelper    *struct {
		Disabled bool `json:"disabled,omitempty"`
	} `json:"storageHelper,omitempty"`
	BuiltInAdapter *struct {
		ServerType                string          `json:"serverType,omitempty"`
		RuntimeManagementPort     int             `json:"runtimeManagementPort,omitempty"`
		MemBufferBytes            int             `json:"memBufferBytes,omitempty"`
		ModelLoadingTimeoutMillis int             `json:"modelLoadingTimeoutMillis,omitempty"`
		Env                       []corev1.EnvVar `json:"env,omitempty"`
	} `json:"builtInAdapter,omitempty"`
}

// servingRuntimeTemplates decodes the runtime's spec strictly: its pod
// fields are the template at "spec" (role "runtime"), its workerSpec the
// template at "spec.workerSpec" (role "runtime worker").
func servingRuntimeTemplates(obj map[string]any) ([]Template, []string, error) {
	spec, ok := Field(obj, "spec")
	if !ok || spec == nil {
		return nil, nil, nil
	}
	var rs kserveRuntimeSpec
	unknown, err := kserveStrict(spec, &rs, "spec")
	if err != nil {
		return nil, nil, err
	}
	out := []Template{kserveRuntimeTemplate("spec", "runtime", &rs.kserveRuntimePodSpec)}
	if rs.WorkerSpec != nil {
		out = append(out, kserveRuntimeTemplate("spec.workerSpec", "runtime worker", &rs.WorkerSpec.kserveRuntimePodSpec))
	}
	return out, unknown, nil
}

func kserveRuntimeTemplate(path, role string, s *kserveRuntimePodSpec) Template {
	return Template{Path: path, Role: role, Spec: s.podSpec(), Partial: true,
		Meta: metav1.ObjectMeta{Labels: s.Labels, Annotations: s.Annotations}}
}

// kserveRuntime is a runtime resolved for a predictor.
type kserveRuntime struct {
	name        string
	annotations map[string]string
	spec        kserveRuntimeSpec
	created     metav1.Time
}

func kserveReadRuntime(r *Resource) (kserveRuntime, bool) {
	rt := kserveRuntime{name: r.Name}
	if !kserveLenient(Map(r.Object, "spec"), &rt.spec) {
		return rt, false
	}
	meta := Map(r.Object, "metadata")
	var om metav1.ObjectMeta
	if kserveLenient(meta, &om) {
		rt.annotations, rt.created = om.Annotations, om.CreationTimestamp
	}
	return rt, true
}

func (rt *kserveRuntime) disabled() bool   { return rt.spec.Disabled != nil && *rt.spec.Disabled }
func (rt *kserveRuntime) multiModel() bool { return rt.spec.MultiModel != nil && *rt.spec.MultiModel }

func (rt *kserveRuntime) supportsProtocol(p string) bool {
	if p == "" || len(rt.spec.ProtocolVersions) == 0 {
		return true
	}
	for _, v := range rt.spec.ProtocolVersions {
		if v == p {
			return true
		}
	}
	return false
}

// supportsModel is RuntimeSupportsModel: a named runtime matches on any
// listed format, an auto-selected one only on formats with autoSelect.
func (rt *kserveRuntime) supportsModel(format kserveModelFormat, named bool) bool {
	want := "mt:" + format.Name
	if format.Version != nil {
		want += ":" + *format.Version
	}
	for _, f := range rt.spec.SupportedModelFormats {
		if !named && (f.AutoSelect == nil || !*f.AutoSelect) {
			continue
		}
		if want == "mt:"+f.Name || (f.Version != nil && want == "mt:"+f.Name+":"+*f.Version) {
			return true
		}
	}
	return false
}

// priority is GetPriority: that of the first format with the model's
// name, autoSelect or not.
func (rt *kserveRuntime) priority(formatName string) *int32 {
	for _, f := range rt.spec.SupportedModelFormats {
		if f.Name == formatName {
			return f.Priority
		}
	}
	return nil
}

// kserveProtocolRank is GetProtocolVersionPriority: the lowest of the
// runtime's protocols, v1 < v2 < grpc-v1 < grpc-v2 < unknown.
func kserveProtocolRank(protocols []string) int {
	rank := func(p string) int {
		switch p {
		case "v1":
			return 1
		case "v2":
			return 2
		case "grpc-v1":
			return 3
		case "grpc-v2":
			return 4
		}
		return 5
	}
	best := 5
	for _, p := range protocols {
		if r := rank(p); r < best {
			best = r
		}
	}
	return best
}

// ---- InferenceService ----

type kserveModelFormat struct {
	Name    string  `json:"name"`
	Version *string `json:"version,omitempty"`
}

// kservePredictorExt is PredictorExtensionSpec: a framework shorthand's
// fields, a container inline.
type kservePredictorExt struct {
	StorageURI      *string `json:"storageUri,omitempty"`
	RuntimeVersion  *string `json:"runtimeVersion,omitempty"`
	ProtocolVersion *string `json:"protocolVersion,omitempty"`
	corev1.Container
	Storage      *kserveModelStorage `json:"storage,omitempty"`
	Confidential *struct {
		Enabled    bool    `json:"enabled"`
		ResourceID *string `json:"resourceId,omitempty"`
	} `json:"confidential,omitempty"`
}

type kserveModelStorage struct {
	Path       *string            `json:"path,omitempty"`
	SchemaPath *string            `json:"schemaPath,omitempty"`
	Parameters *map[string]string `json:"parameters,omitempty"`
	StorageKey *string            `json:"key,omitempty"`
}

// kserveModel is ModelSpec.
type kserveModel struct {
	ModelFormat kserveModelFormat `json:"modelFormat"`
	Runtime     *string           `json:"runtime,omitempty"`
	kservePredictorExt
}

// kserveFrameworks are the predictor's framework shorthands in the order
// the defaulting webhook tries them, with the model format each becomes
// and whether it defaults to protocol v2.
var kserveFrameworks = []struct {
	key, format string
	v2          bool
}{
	{"sklearn", "sklearn", false}, {"tensorflow", "tensorflow", false}, {"xgboost", "xgboost", false},
	{"pytorch", "pytorch", false}, {"triton", "triton", true}, {"onnx", "onnx", true},
	{"huggingface", "huggingface", true}, {"pmml", "pmml", false}, {"lightgbm", "lightgbm", false},
	{"paddle", "paddle", false},
}

// kserveComponentFields are ComponentExtensionSpec's fields and
// storageUris: component settings, not pod fields.
var kserveComponentFields = []string{"minReplicas", "maxReplicas", "scaleTarget", "scaleMetric", "scaleMetricType",
	"autoScaling", "containerConcurrency", "timeout", "canaryTrafficPercent", "logger", "batcher", "labels",
	"annotations", "deploymentStrategy", "storageUris"}

// kserveComponentExt reads the component fields aigov uses, strictly
// typed.
type kserveComponentExt struct {
	MinReplicas *int32            `json:"minReplicas,omitempty"`
	MaxReplicas int32             `json:"maxReplicas,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

// isvcComponents are the InferenceService's components with the fields
// each has beside the component and pod fields.
var isvcComponents = []struct {
	name  string
	extra []string
}{
	{"predictor", []string{"name", "model", "storageContainerName", "workerSpec", "sklearn", "tensorflow", "xgboost",
		"pytorch", "triton", "onnx", "huggingface", "pmml", "lightgbm", "paddle"}},
	{"transformer", nil},
	{"explainer", []string{"art"}},
}

// isvcTemplates decodes each component's inline pod spec (spec.predictor,
// spec.transformer, spec.explainer; role the component's name) and the
// predictor's workerSpec ("predictor worker"). The model and framework
// fields are decoded strictly too (a container inline), so that a typo in
// them is reported.
func isvcTemplates(obj map[string]any) ([]Template, []string, error) {
	var out []Template
	var unknown []string
	for _, c := range isvcComponents {
		comp := Map(obj, "spec", c.name)
		if comp == nil {
			continue
		}
		path := "spec." + c.name
		t, unk, err := kserveComponentTemplate(comp, path, c.name, c.extra, true)
		if err != nil {
			return nil, nil, err
		}
		unknown = append(unknown, unk...)
		if c.name != "predictor" {
			out = append(out, t)
			continue
		}
		// The model (or a framework shorthand) is a container written
		// outside the predictor's containers: it joins the template so
		// that pod checks read it, at its own path.
		if model, ok := comp["model"]; ok {
			var m kserveModel
			unk, err := kserveStrict(model, &m, path+".model")
			if err != nil {
				return nil, nil, err
			}
			unknown = append(unknown, unk...)
			addModelContainer(&t, m.Container, path+".model")
		}
		for _, f := range kserveFrameworks {
			if fw, ok := comp[f.key]; ok {
				var ext kservePredictorExt
				unk, err := kserveStrict(fw, &ext, path+"."+f.key)
				if err != nil {
					return nil, nil, err
				}
				unknown = append(unknown, unk...)
				addModelContainer(&t, ext.Container, path+"."+f.key)
			}
		}
		out = append(out, t)
		if ws := Map(comp, "workerSpec"); ws != nil {
			t, unk, err := kserveComponentTemplate(ws, path+".workerSpec", "predictor worker",
				[]string{"pipelineParallelSize", "tensorParallelSize"}, false)
			if err != nil {
				return nil, nil, err
			}
			out = append(out, t)
			unknown = append(unknown, unk...)
		}
	}
	return out, unknown, nil
}

// writtenSpec is the template's spec as the predictor writes it: without
// the model container addModelContainer appended.
func writtenSpec(t *Template) corev1.PodSpec {
	spec := *t.Spec.DeepCopy()
	if n := len(t.ContainerPaths); n > 0 && n <= len(spec.Containers) {
		spec.Containers = spec.Containers[:len(spec.Containers)-n]
	}
	return spec
}

// addModelContainer appends the predictor's model container (named
// kserve-container when unnamed, as the runtime merge names it) to the
// predictor's template, written at path.
func addModelContainer(t *Template, c corev1.Container, path string) {
	if c.Name == "" {
		c.Name = "kserve-container"
	}
	rel := "containers[" + strconv.Itoa(len(t.Spec.Containers)) + "]"
	t.Spec.Containers = append(t.Spec.Containers, c)
	if t.ContainerPaths == nil {
		t.ContainerPaths = map[string]string{}
	}
	t.ContainerPaths[rel] = path
}

// kserveComponentTemplate decodes a component: its component fields (when
// it has them) into kserveComponentExt (the pod metadata: labels,
// annotations), the rest but the extra fields strictly as a pod spec.
func kserveComponentTemplate(comp map[string]any, path, role string, extra []string, component bool) (Template, []string, error) {
	t := Template{Path: path, Role: role}
	pod := map[string]any{}
	ext := map[string]any{}
	skip := map[string]bool{}
	for _, k := range extra {
		skip[k] = true
	}
	isExt := map[string]bool{}
	for _, k := range kserveComponentFields {
		isExt[k] = component
	}
	for k, v := range comp {
		switch {
		case skip[k]:
		case isExt[k]:
			ext[k] = v
		default:
			pod[k] = v
		}
	}
	var ce kserveComponentExt
	if err := kserveLenientStrictTypes(ext, &ce, path); err != nil {
		return t, nil, err
	}
	unknown, err := kserveStrict(pod, &t.Spec, path)
	if err != nil {
		return t, nil, err
	}
	t.Meta = metav1.ObjectMeta{Labels: ce.Labels, Annotations: ce.Annotations}
	return t, unknown, nil
}

// kserveLenientStrictTypes decodes the fields out knows with their types
// checked; fields it does not know (the other component settings) are
// left to the CRD schema.
func kserveLenientStrictTypes(m map[string]any, out any, path string) error {
	raw, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// isvc is an InferenceService read for its pods.
type isvc struct {
	r           *Resource
	meta        metav1.ObjectMeta
	mode        string
	stopped     bool
	autoscaler  string
	annotations map[string]string
}

func isvcPods(r *Resource, lookup Lookup) []Pod {
	is := &isvc{r: r}
	if !kserveLenient(Map(r.Object, "metadata"), &is.meta) {
		return nil
	}
	is.meta.Namespace, is.meta.Name = r.Namespace, r.Name
	is.mode = kserveDeploymentMode(r.Object, is.meta.Annotations)
	if is.mode == kserveModeModelMesh {
		return nil
	}
	is.stopped = strings.EqualFold(is.meta.Annotations[kserveStopKey], "true")
	is.autoscaler = is.meta.Annotations[kserveAutoscalerClassKey]
	is.annotations = map[string]string{}
	for k, v := range is.meta.Annotations {
		if k != kserveLastApplied {
			is.annotations[k] = v
		}
	}
	var out []Pod
	if p, ok := is.predictorPod(lookup); ok {
		out = append(out, p)
	}
	for _, name := range []string{"transformer", "explainer"} {
		if p, ok := is.customPod(name); ok {
			out = append(out, p)
		}
	}
	return out
}

// kserveDeploymentMode is GetDeploymentMode with the shipped ConfigMap's
// default (Serverless, that is Knative).
func kserveDeploymentMode(obj map[string]any, annotations map[string]string) string {
	norm := func(m string) string {
		switch m {
		case "RawDeployment":
			return kserveModeStandard
		case "Serverless":
			return kserveModeKnative
		}
		return m
	}
	if m := String(obj, "status", "deploymentMode"); m != "" {
		return norm(m)
	}
	switch m := norm(annotations[kserveDeploymentModeKey]); m {
	case kserveModeStandard, kserveModeKnative, kserveModeModelMesh:
		return m
	}
	return kserveModeKnative
}

func (is *isvc) template(path string) (Template, bool) {
	for _, t := range is.r.Templates {
		if t.Path == path {
			return t, true
		}
	}
	return Template{}, false
}

// predictorPod builds the predictor's pod: from its model and runtime, or
// from its own containers.
func (is *isvc) predictorPod(lookup Lookup) (Pod, bool) {
	comp := Map(is.r.Object, "spec", "predictor")
	t, ok := is.template("spec.predictor")
	if comp == nil || !ok {
		return Pod{}, false
	}
	var ext kserveComponentExt
	kserveLenient(comp, &ext)
	model, _, hasModel := kservePredictorModel(comp)
	var spec corev1.PodSpec
	var runtimeMeta metav1.ObjectMeta
	specPath := "spec.predictor"
	var storageURI string
	if hasModel {
		rt, ok := is.resolveRuntime(model, comp["workerSpec"] != nil, lookup)
		if !ok {
			return Pod{}, false
		}
		written := writtenSpec(&t)
		if spec, ok = is.modelPodSpec(&written, &model, &rt); !ok {
			return Pod{}, false
		}
		runtimeMeta.Labels, runtimeMeta.Annotations = rt.spec.Labels, rt.spec.Annotations
		if model.StorageURI != nil {
			storageURI = *model.StorageURI
		}
	} else {
		spec = *t.Spec.DeepCopy()
		if len(spec.Containers) == 0 {
			return Pod{}, false
		}
		// CustomPredictor.Default names a lone or unnamed first container.
		if len(spec.Containers) == 1 || spec.Containers[0].Name == "" {
			spec.Containers[0].Name = kserveContainer
		}
		kserveDefaultResources(&spec.Containers[0].Resources)
		main := kserveContainerNamed(spec.Containers, kserveContainer)
		if main == nil {
			return Pod{}, false
		}
		spec.Containers[0] = *main.DeepCopy()
		storageURI = kserveEnvValue(spec.Containers[0].Env, kserveStorageURIEnv)
	}
	for i := range spec.Containers {
		kserveSetEnv(&spec.Containers[i], kserveIsvcNameEnv, is.r.Name)
	}
	name := is.r.Name + "-predictor"
	if n := String(comp, "name"); n != "" {
		name = is.r.Name + "-" + n + "-predictor"
	}
	labels := kserveUnion(runtimeMeta.Labels, is.meta.Labels, ext.Labels,
		map[string]string{kserveIsvcLabel: is.r.Name, kserveComponentLabel: "predictor"})
	annotations := kserveUnion(runtimeMeta.Annotations, is.annotations, ext.Annotations)
	return is.finish(Pod{Role: "predictor", SpecPath: specPath}, name, labels, annotations, spec, storageURI, &ext), true
}

// customPod builds the pod of a transformer or an explainer: their own
// containers, the first being the component's container.
func (is *isvc) customPod(component string) (Pod, bool) {
	comp := Map(is.r.Object, "spec", component)
	t, ok := is.template("spec." + component)
	if comp == nil || !ok || len(t.Spec.Containers) == 0 {
		// An ART explainer's container comes from the ConfigMap.
		return Pod{}, false
	}
	var ext kserveComponentExt
	kserveLenient(comp, &ext)
	spec := *t.Spec.DeepCopy()
	spec.Containers[0].Name = kserveContainer
	kserveDefaultResources(&spec.Containers[0].Resources)
	kserveSetEnv(&spec.Containers[0], kserveIsvcNameEnv, is.r.Name)
	storageURI := kserveEnvValue(spec.Containers[0].Env, kserveStorageURIEnv)
	labels := kserveUnion(is.meta.Labels, ext.Labels,
		map[string]string{kserveIsvcLabel: is.r.Name, kserveComponentLabel: component})
	annotations := kserveUnion(is.annotations, ext.Annotations)
	return is.finish(Pod{Role: component, SpecPath: "spec." + component}, is.r.Name+"-"+component,
		labels, annotations, spec, storageURI, &ext), true
}

// finish names the pod, labels it for the deployment mode, injects the
// storage initializer and sets the replica counts.
func (is *isvc) finish(p Pod, name string, labels, annotations map[string]string, spec corev1.PodSpec,
	storageURI string, ext *kserveComponentExt) Pod {
	if is.mode == kserveModeStandard {
		labels[kserveAppLabel] = "isvc." + name
	}
	if len(annotations) == 0 {
		annotations = nil
	}
	pod := &corev1.Pod{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: is.r.Namespace, Labels: labels, Annotations: annotations},
		Spec:       spec}
	if storageURI != "" {
		readOnly := is.meta.Annotations[kserveReadonlyKey] != "false"
		kserveInjectStorage(&pod.Spec, storageURI, readOnly)
	}
	p.Pod = pod
	p.Replicas, p.MinReplicas, p.MaxReplicas = is.replicas(ext)
	return p
}

// replicas is the component's pod count and autoscaler bounds in the
// deployment mode.
func (is *isvc) replicas(ext *kserveComponentExt) (int32, *int32, *int32) {
	if is.stopped {
		return 0, nil, nil
	}
	if is.mode == kserveModeKnative {
		// min-scale is minReplicas (0 scales to zero); max-scale 0 is
		// unbounded.
		minR := int32(1)
		if ext.MinReplicas != nil && *ext.MinReplicas >= 0 {
			minR = *ext.MinReplicas
		}
		var maxR *int32
		if ext.MaxReplicas > 0 {
			maxR = Ptr(max(ext.MaxReplicas, minR))
		}
		return minR, Ptr(minR), maxR
	}
	switch is.autoscaler {
	case "none":
		// The Deployment gets minReplicas, and nothing scales it.
		if ext.MinReplicas != nil && *ext.MinReplicas >= 0 {
			return *ext.MinReplicas, nil, nil
		}
		return 1, nil, nil
	case "external":
		// An autoscaler outside KServe owns the count; the Deployment
		// starts at its default.
		return 1, nil, nil
	}
	// The HPA (or KEDA) keeps at least one pod.
	minR := int32(1)
	if ext.MinReplicas != nil && *ext.MinReplicas > 1 {
		minR = *ext.MinReplicas
	}
	maxR := max(ext.MaxReplicas, minR)
	return minR, Ptr(minR), Ptr(maxR)
}

// kservePredictorModel returns the predictor's model: model itself, or a
// framework shorthand rewritten as the defaulting webhook does, and the
// field path it is at.
func kservePredictorModel(comp map[string]any) (kserveModel, string, bool) {
	var m kserveModel
	if raw, ok := comp["model"]; ok && raw != nil {
		if !kserveLenient(raw, &m) {
			return m, "", false
		}
		// Triton and vLLM models default to protocol v2.
		if m.ProtocolVersion == nil && (m.ModelFormat.Name == "triton" || m.ModelFormat.Name == "vLLM") {
			m.ProtocolVersion = Ptr("v2")
		}
		return m, "spec.predictor.model", true
	}
	for _, f := range kserveFrameworks {
		raw, ok := comp[f.key]
		if !ok || raw == nil {
			continue
		}
		if !kserveLenient(raw, &m.kservePredictorExt) {
			return m, "", false
		}
		m.ModelFormat.Name = f.format
		if f.v2 && m.ProtocolVersion == nil {
			m.ProtocolVersion = Ptr("v2")
		}
		return m, "spec.predictor." + f.key, true
	}
	return m, "", false
}

// resolveRuntime finds the model's runtime: the named one (namespace,
// then cluster), or the first auto-selected one.
func (is *isvc) resolveRuntime(m kserveModel, multiNode bool, lookup Lookup) (kserveRuntime, bool) {
	protocol := "v1"
	if m.ProtocolVersion != nil {
		protocol = *m.ProtocolVersion
	}
	if m.Runtime != nil {
		var res *Resource
		var ok bool
		if lookup != nil {
			if res, ok = lookup(servingRuntimeGK, is.r.Namespace, *m.Runtime); !ok {
				res, ok = lookup(clusterServingRuntimeGK, "", *m.Runtime)
			}
		}
		if !ok {
			return kserveRuntime{}, false
		}
		rt, ok := kserveReadRuntime(res)
		if !ok || rt.disabled() || (m.ProtocolVersion != nil && !rt.supportsProtocol(protocol)) ||
			!rt.supportsModel(m.ModelFormat, true) {
			return kserveRuntime{}, false
		}
		return rt, true
	}
	if is.r.List == nil {
		return kserveRuntime{}, false
	}
	var candidates []kserveRuntime
	for _, scope := range []struct {
		gk schema.GroupKind
		ns string
	}{{servingRuntimeGK, is.r.Namespace}, {clusterServingRuntimeGK, ""}} {
		var list []kserveRuntime
		for _, res := range is.r.List(scope.gk, scope.ns) {
			rt, ok := kserveReadRuntime(res)
			if !ok || rt.disabled() || rt.multiModel() || (rt.spec.WorkerSpec != nil) != multiNode ||
				!rt.supportsModel(m.ModelFormat, false) || !rt.supportsProtocol(protocol) {
				continue
			}
			list = append(list, rt)
		}
		kserveSortRuntimes(list, m.ModelFormat.Name)
		candidates = append(candidates, list...)
	}
	if len(candidates) == 0 {
		return kserveRuntime{}, false
	}
	return candidates[0], true
}

// kserveSortRuntimes orders runtimes as GetSupportingRuntimes does: by
// protocol rank, newest first, then name; then by priority, highest first,
// unset last. Upstream's second sort is not stable; ties keep the first
// order here.
func kserveSortRuntimes(list []kserveRuntime, format string) {
	sort.SliceStable(list, func(i, j int) bool {
		pi, pj := kserveProtocolRank(list[i].spec.ProtocolVersions), kserveProtocolRank(list[j].spec.ProtocolVersions)
		if pi != pj {
			return pi < pj
		}
		if !list[i].created.Equal(&list[j].created) {
			return list[j].created.Before(&list[i].created)
		}
		return list[i].name < list[j].name
	})
	sort.SliceStable(list, func(i, j int) bool {
		a, b := list[i].priority(format), list[j].priority(format)
		switch {
		case a == nil:
			return false
		case b == nil:
			return true
		}
		return *a > *b
	})
}

// modelPodSpec is buildPodSpec: the runtime's pod fields merged under the
// predictor's, the runtime's kserve-container merged with the model's
// container (args appended), then the transformer container, the other
// runtime containers and the predictor's own containers.
func (is *isvc) modelPodSpec(predictor *corev1.PodSpec, m *kserveModel, rt *kserveRuntime) (corev1.PodSpec, bool) {
	base := corev1.PodSpec{NodeSelector: rt.spec.NodeSelector, Affinity: rt.spec.Affinity,
		Tolerations: rt.spec.Tolerations, Volumes: rt.spec.Volumes, ImagePullSecrets: rt.spec.ImagePullSecrets,
		SchedulerName: rt.spec.SchedulerName}
	var spec corev1.PodSpec
	if !kserveMerge(&base, predictor, &spec) {
		return spec, false
	}
	runtimeMain := kserveContainerNamed(rt.spec.Containers, kserveContainer)
	if runtimeMain == nil {
		return spec, false
	}
	main, ok := kserveMergeContainer(runtimeMain, &m.Container)
	if !ok || !kserveReplacePlaceholders(&main, &is.meta) {
		return spec, false
	}
	runtimeName := rt.name
	kserveUpdateImageTag(&main, m.RuntimeVersion, runtimeName, rt.annotations)
	spec.Containers = []corev1.Container{main}

	rtTransformer := kserveContainerNamed(rt.spec.Containers, kserveTransformerContainer)
	isTransformer := kserveContainerNamed(predictor.Containers, kserveTransformerContainer)
	var transformer *corev1.Container
	switch {
	case rtTransformer != nil && isTransformer != nil:
		merged, ok := kserveMergeContainer(rtTransformer, isTransformer)
		if !ok {
			return spec, false
		}
		transformer = &merged
	case rtTransformer != nil:
		transformer = rtTransformer.DeepCopy()
	case isTransformer != nil:
		transformer = isTransformer.DeepCopy()
	}
	if transformer != nil {
		if !kserveReplacePlaceholders(transformer, &is.meta) {
			return spec, false
		}
		spec.Containers = append(spec.Containers, *transformer)
	}
	for _, c := range rt.spec.Containers {
		if c.Name != kserveContainer && c.Name != kserveTransformerContainer {
			spec.Containers = append(spec.Containers, *c.DeepCopy())
		}
	}
	for _, c := range predictor.Containers {
		if c.Name != kserveTransformerContainer {
			spec.Containers = append(spec.Containers, *c.DeepCopy())
		}
	}
	return spec, true
}

// kserveMerge strategic-merges patch over base into out (both marshalled
// to JSON): maps merge, lists with a merge key merge by it, other values
// are replaced.
func kserveMerge(base, patch, out any) bool {
	var b, p map[string]any
	if !kserveLenient(base, &b) || !kserveLenient(patch, &p) {
		return false
	}
	return kserveLenient(kserveMergeMaps(b, p), out)
}

// kserveMergeKeys are the strategic merge keys of the core pod and
// container lists (k8s.io/api/core/v1 patchMergeKey tags); "volumes" and
// "resourceClaims" also retain only the patch's keys of a matched item.
var kserveMergeKeys = map[string]string{
	"containers": "name", "initContainers": "name", "ephemeralContainers": "name", "volumes": "name",
	"imagePullSecrets": "name", "hostAliases": "ip", "topologySpreadConstraints": "topologyKey",
	"schedulingGates": "name", "resourceClaims": "name", "env": "name", "ports": "containerPort",
	"volumeMounts": "mountPath", "volumeDevices": "devicePath",
}

func kserveMergeMaps(base, patch map[string]any) map[string]any {
	out := make(map[string]any, len(base)+len(patch))
	for k, v := range base {
		out[k] = v
	}
	for k, pv := range patch {
		bv, exists := out[k]
		switch {
		case !exists:
			out[k] = pv
		case kserveMergeKeys[k] != "":
			bl, bok := bv.([]any)
			pl, pok := pv.([]any)
			if bok && pok {
				out[k] = kserveMergeList(bl, pl, kserveMergeKeys[k], k == "volumes" || k == "resourceClaims")
			} else {
				out[k] = pv
			}
		default:
			bm, bok := bv.(map[string]any)
			pm, pok := pv.(map[string]any)
			if bok && pok {
				out[k] = kserveMergeMaps(bm, pm)
			} else {
				out[k] = pv
			}
		}
	}
	return out
}

// kserveMergeList merges patch items into base by key: a matched item in
// place, new ones appended in patch order.
func kserveMergeList(base, patch []any, key string, retainKeys bool) []any {
	out := append([]any{}, base...)
	for _, pi := range patch {
		pm, ok := pi.(map[string]any)
		if !ok {
			out = append(out, pi)
			continue
		}
		matched := false
		for i, bi := range out {
			bm, ok := bi.(map[string]any)
			if !ok || fmt.Sprint(bm[key]) != fmt.Sprint(pm[key]) {
				continue
			}
			if retainKeys {
				kept := map[string]any{}
				for k := range pm {
					if v, ok := bm[k]; ok {
						kept[k] = v
					}
				}
				bm = kept
			}
			out[i] = kserveMergeMaps(bm, pm)
			matched = true
			break
		}
		if !matched {
			out = append(out, pm)
		}
	}
	return out
}

// kserveMergeContainer is MergeRuntimeContainers: overlay merged over
// base, an env var the overlay sets keeping only the overlay's value
// source, the base's name kept when the overlay has none, and the args of
// both, base first.
func kserveMergeContainer(base, overlay *corev1.Container) (corev1.Container, bool) {
	var merged corev1.Container
	if !kserveMerge(base, overlay, &merged) {
		return merged, false
	}
	for i := range merged.Env {
		e := &merged.Env[i]
		if e.Value == "" || e.ValueFrom == nil {
			continue
		}
		for _, o := range overlay.Env {
			if o.Name != e.Name {
				continue
			}
			if o.ValueFrom != nil {
				e.Value = ""
			} else if o.Value != "" {
				e.ValueFrom = nil
			}
		}
	}
	if merged.Name == "" {
		merged.Name = base.Name
	}
	merged.Args = append(append([]string{}, base.Args...), overlay.Args...)
	if len(merged.Args) == 0 {
		merged.Args = nil
	}
	return merged, true
}

// kserveReplacePlaceholders is ReplacePlaceholders: the container's JSON
// executed as a Go template over the InferenceService's metadata
// ({{.Name}}, {{.Namespace}}, {{index .Labels "k"}}).
func kserveReplacePlaceholders(c *corev1.Container, meta *metav1.ObjectMeta) bool {
	data, err := json.Marshal(c)
	if err != nil {
		return false
	}
	if !bytes.Contains(data, []byte("{{")) {
		return true
	}
	tmpl, err := template.New("container").Parse(string(data))
	if err != nil {
		return false
	}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, meta); err != nil {
		return false
	}
	var out corev1.Container
	if err := json.Unmarshal(buf.Bytes(), &out); err != nil {
		return false
	}
	*c = out
	return true
}

// kserveServerTypes are the runtime names GetServerTypeFromRuntimeName
// knows, with their server type.
var kserveServerTypes = map[string]string{
	"kserve-mlserver": "mlserver", "kserve-torchserve": "torchserve", "kserve-tritonserver": "tritonserver",
	"kserve-tensorflow-serving": "tensorflow-serving", "kserve-huggingfaceserver": "huggingfaceserver",
	"kserve-vllmserver": "vllmserver",
}

var kserveImageTag = regexp.MustCompile(`(:([\w.\-_]*))$`)

// kserveUpdateImageTag is UpdateImageTag: runtimeVersion replaces the
// tag; otherwise GPU images of some servers get a -gpu suffix and a vLLM
// server without a GPU a -cpu one.
func kserveUpdateImageTag(c *corev1.Container, runtimeVersion *string, runtime string, annotations map[string]string) {
	image := c.Image
	if strings.Contains(image, "@sha256:") {
		return
	}
	if runtimeVersion != nil {
		if kserveImageTag.FindString(image) == "" {
			c.Image = image + ":" + *runtimeVersion
		} else {
			c.Image = kserveImageTag.ReplaceAllString(image, ":"+*runtimeVersion)
		}
		return
	}
	serverType := annotations[kserveServerTypeKey]
	if serverType == "" {
		serverType = kserveServerTypes[runtime]
	}
	if serverType == "" {
		return
	}
	tag := kserveImageTag.FindString(image)
	if tag == "" {
		return
	}
	if kserveGPUEnabled(c.Resources) {
		switch serverType {
		case "tensorflow-serving", "torchserve", "huggingfaceserver":
			if !strings.HasSuffix(image, "-gpu") {
				c.Image = image + "-gpu"
			}
		}
	} else if untagged := strings.TrimSuffix(image, tag); serverType == "vllmserver" && !strings.HasSuffix(untagged, "-cpu") {
		c.Image = untagged + "-cpu" + tag
	}
}

// kserveGPUEnabled is IsGPUEnabled: an nvidia.com/gpu or MIG limit.
func kserveGPUEnabled(res corev1.ResourceRequirements) bool {
	for name := range res.Limits {
		if name == "nvidia.com/gpu" || strings.HasPrefix(string(name), "nvidia.com/mig") {
			return true
		}
	}
	return false
}

// kserveDefaultResources fills the shipped ConfigMap's default requests
// and limits (1 CPU, 2Gi) into a custom container where missing.
func kserveDefaultResources(res *corev1.ResourceRequirements) {
	for _, list := range []*corev1.ResourceList{&res.Requests, &res.Limits} {
		if *list == nil {
			*list = corev1.ResourceList{}
		}
		if _, ok := (*list)[corev1.ResourceCPU]; !ok {
			(*list)[corev1.ResourceCPU] = resource.MustParse("1")
		}
		if _, ok := (*list)[corev1.ResourceMemory]; !ok {
			(*list)[corev1.ResourceMemory] = resource.MustParse("2Gi")
		}
	}
}

// kserveInjectStorage adds what the pod webhook adds for a storage URI:
// a pvc:// URI mounts the claim at /mnt/models; an oci:// URI is left out
// (modelcar); any other gets the storage-initializer init container
// writing an emptyDir mounted at /mnt/models. The model mounts are on the
// kserve-container and a transformer-container, read-only unless the
// storage.kserve.io/readonly annotation is "false".
func kserveInjectStorage(spec *corev1.PodSpec, uri string, readOnly bool) {
	if strings.HasPrefix(uri, "oci://") {
		return
	}
	user := kserveContainerNamed(spec.Containers, kserveContainer)
	if user == nil {
		return
	}
	volume := corev1.Volume{Name: kserveModelVolume, VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}
	mount := corev1.VolumeMount{Name: kserveModelVolume, MountPath: kserveModelMountPath, ReadOnly: readOnly}
	if rest, isPVC := strings.CutPrefix(uri, "pvc://"); isPVC {
		claim, subPath, _ := strings.Cut(rest, "/")
		volume = corev1.Volume{Name: kservePVCVolume, VolumeSource: corev1.VolumeSource{
			PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: claim}}}
		mount = corev1.VolumeMount{Name: kservePVCVolume, MountPath: kserveModelMountPath, SubPath: subPath, ReadOnly: readOnly}
	} else {
		initMount := mount
		initMount.ReadOnly = false // the init container writes the model
		spec.InitContainers = append(spec.InitContainers, corev1.Container{
			Name:                     kserveStorageInit,
			Image:                    kserveStorageInitImage,
			Args:                     []string{uri, kserveModelMountPath},
			TerminationMessagePolicy: corev1.TerminationMessageFallbackToLogsOnError,
			Resources: corev1.ResourceRequirements{
				Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("100Mi")},
				Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("1"), corev1.ResourceMemory: resource.MustParse("1Gi")},
			},
			VolumeMounts: []corev1.VolumeMount{initMount},
		})
	}
	kserveAddMount(user, mount)
	if t := kserveContainerNamed(spec.Containers, kserveTransformerContainer); t != nil {
		kserveAddMount(t, mount)
	}
	if !kserveHasVolume(spec.Volumes, volume.Name) {
		spec.Volumes = append(spec.Volumes, volume)
	}
	for i, e := range user.Env {
		if e.Name == kserveStorageURIEnv && e.Value != "" {
			user.Env[i].Value = kserveModelMountPath
		}
	}
}

// kserveAddMount mounts m unless the container mounts a volume of that
// name already.
func kserveAddMount(c *corev1.Container, m corev1.VolumeMount) {
	for _, existing := range c.VolumeMounts {
		if existing.Name == m.Name {
			return
		}
	}
	c.VolumeMounts = append(c.VolumeMounts, m)
}

func kserveHasVolume(vs []corev1.Volume, name string) bool {
	for _, v := range vs {
		if v.Name == name {
			return true
		}
	}
	return false
}

func kserveContainerNamed(cs []corev1.Container, name string) *corev1.Container {
	for i := range cs {
		if cs[i].Name == name {
			return &cs[i]
		}
	}
	return nil
}

// kserveSetEnv is AddEnvVarToPodSpec for one container: the value
// replaces a same-named var's, else the var is appended.
func kserveSetEnv(c *corev1.Container, name, value string) {
	for i := range c.Env {
		if c.Env[i].Name == name {
			c.Env[i].Value = value
			return
		}
	}
	c.Env = append(c.Env, corev1.EnvVar{Name: name, Value: value})
}

func kserveEnvValue(env []corev1.EnvVar, name string) string {
	for _, e := range env {
		if e.Name == name {
			return e.Value
		}
	}
	return ""
}

// kserveUnion merges maps, later ones winning.
func kserveUnion(maps ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range maps {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// ---- LLMInferenceService ----

// llmTemplates decodes the workload pod specs: spec.template ("main"),
// spec.worker ("worker"), spec.prefill.template ("prefill") and
// spec.prefill.worker ("prefill worker"). Each is a bare PodSpec.
func llmTemplates(obj map[string]any) ([]Template, []string, error) {
	var out []Template
	var unknown []string
	for _, t := range []struct {
		keys []string
		role string
	}{
		{[]string{"spec", "template"}, "main"},
		{[]string{"spec", "worker"}, "worker"},
		{[]string{"spec", "prefill", "template"}, "prefill"},
		{[]string{"spec", "prefill", "worker"}, "prefill worker"},
	} {
		m, ok := Field(obj, t.keys...)
		if !ok || m == nil {
			continue
		}
		path := strings.Join(t.keys, ".")
		tmpl := Template{Path: path, Role: t.role}
		unk, err := kserveStrict(m, &tmpl.Spec, path)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, tmpl)
		unknown = append(unknown, unk...)
	}
	return out, unknown, nil
}

// llmPods derives the single-node Deployments: <name>-kserve from
// spec.template and, with spec.prefill, <name>-kserve-prefill from
// spec.prefill.template. A workload with a worker runs as a
// LeaderWorkerSet instead and is not derived; the stop annotation deletes
// the Deployments.
func llmPods(r *Resource, _ Lookup) []Pod {
	var meta metav1.ObjectMeta
	kserveLenient(Map(r.Object, "metadata"), &meta)
	if strings.EqualFold(meta.Annotations[kserveStopKey], "true") {
		return nil
	}
	var out []Pod
	spec := Map(r.Object, "spec")
	prefill := Map(spec, "prefill")
	if spec["worker"] == nil {
		role := "decode"
		if prefill == nil {
			role = "both"
		}
		labels := map[string]string{kserveLLMComponentKey: kserveLLMWorkload, kserveLLMNameKey: r.Name,
			kserveLLMPartOfKey: kserveLLMPartOf, kserveLLMKServeCompKey: "workload", kserveLLMRoleKey: role}
		if p, ok := llmPod(r, spec, "spec.template", "main", r.Name+"-kserve", labels); ok {
			out = append(out, p)
		}
	}
	if prefill != nil && prefill["worker"] == nil {
		labels := map[string]string{kserveLLMComponentKey: kserveLLMWorkloadPrefil, kserveLLMNameKey: r.Name,
			kserveLLMPartOfKey: kserveLLMPartOf, kserveLLMKServeCompKey: "workload", kserveLLMRoleKey: "prefill"}
		if p, ok := llmPod(r, prefill, "spec.prefill.template", "prefill", r.Name+"-kserve-prefill", labels); ok {
			out = append(out, p)
		}
	}
	return out
}

// llmPod is one workload's pod: its template, the operator's labels and
// the workload's labels over them, spec.replicas (default 1) pods.
func llmPod(r *Resource, workload map[string]any, path, role, name string, labels map[string]string) (Pod, bool) {
	var t *Template
	for i := range r.Templates {
		if r.Templates[i].Path == path {
			t = &r.Templates[i]
		}
	}
	if t == nil {
		return Pod{}, false
	}
	var w struct {
		Labels      map[string]string `json:"labels"`
		Annotations map[string]string `json:"annotations"`
	}
	kserveLenient(workload, &w)
	pod := NewPod(r, t, name, kserveUnion(labels, w.Labels))
	if len(w.Annotations) > 0 {
		pod.Annotations = kserveUnion(pod.Annotations, w.Annotations)
	}
	replicas := Int(workload, 1, "replicas")
	if replicas < 0 {
		replicas = 0
	}
	return Pod{Role: role, SpecPath: path, Replicas: replicas, Pod: pod}, true
}
