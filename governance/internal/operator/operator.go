// Package operator knows the custom resources of the AI operators (KubeRay,
// Kubeflow, Kubeflow Trainer, JobSet, LeaderWorkerSet, KServe) well enough
// to answer two questions for the loader: which pod templates a resource
// holds as written (so pod checks read them, with their field paths), and
// which pods the operator creates from it (labels, service account,
// injected containers, replica counts), so reachability, quota and AI
// classification see them. Each operator's semantics live in one file
// named after it and cite the operator's source they follow.
//
// The package reads unstructured content only: no operator module is a
// dependency of aigov. The operators' own builders check it in the
// test-only module internal/operatortest.
package operator

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	kjson "sigs.k8s.io/json"

	"github.com/aigov/aigov/governance/internal/manifest"
)

// Template is one pod template written inside a resource: its metadata and
// spec, decoded strictly into the core types, and where it is.
type Template struct {
	// Path is the field path of the template's pod spec in the resource,
	// map keys in brackets: "spec.workerGroupSpecs[0].template.spec",
	// "spec.pytorchReplicaSpecs[Worker].template.spec".
	Path string
	// Role names the template among the resource's: "head",
	// "worker group gpu", "Worker", "leader", "predictor".
	Role string
	Meta metav1.ObjectMeta
	Spec corev1.PodSpec
	// Partial marks a template that holds only some of a pod's fields (a
	// KServe ServingRuntime: containers, volumes, scheduling): the service
	// account, its token and the pod security context come from the
	// resource that uses it, so checks of those fields skip it.
	Partial bool
	// ContainerPaths maps a container of Spec that is not written in the
	// template's list ("containers[1]") to the field it is written at
	// ("spec.predictor.model": a KServe model is a container written
	// outside the predictor's containers).
	ContainerPaths map[string]string
	// Injected maps a container of Spec that the operator adds to every
	// pod of the template ("initContainers[1]": KubeRay's wait-gcs-ready
	// on a worker group's pods) to what it is. It is in no list as
	// written, after the written containers of its list, at the index it
	// has in the pods the operator creates, so checks judge it with the
	// template and a finding on it in a created pod is the template's.
	Injected map[string]Injection
}

// Injection is a container the operator injects into a template's pods.
type Injection struct {
	// Name is the container's name.
	Name string
	// From is the written container whose fields it copies
	// ("containers[0]": the Ray container), "" when it copies none.
	From string
	// Copies lists the container fields it copies from From ("image",
	// "securityContext", "env"): a value there is From's value, so a
	// finding on it has the same cause as one on From's field.
	Copies []string
}

// Inject appends c to the list ("containers" or "initContainers") of the
// template's spec and records it in Injected, copying the fields copies
// from the written container from.
func (t *Template) Inject(list string, c corev1.Container, from string, copies ...string) {
	var i int
	switch list {
	case "initContainers":
		i = len(t.Spec.InitContainers)
		t.Spec.InitContainers = append(t.Spec.InitContainers, c)
	default:
		list = "containers"
		i = len(t.Spec.Containers)
		t.Spec.Containers = append(t.Spec.Containers, c)
	}
	if t.Injected == nil {
		t.Injected = map[string]Injection{}
	}
	t.Injected[fmt.Sprintf("%s[%d]", list, i)] = Injection{Name: c.Name, From: from, Copies: copies}
}

// MetaPath is the field path of the template's metadata: Path with its
// last ".spec" replaced by ".metadata".
func (t *Template) MetaPath() string {
	return strings.TrimSuffix(t.Path, ".spec") + ".metadata"
}

// Pod is one kind of pod the operator runs for a resource: Replicas pods
// alike, built from one template.
type Pod struct {
	// Role is the Template's role the pod comes from.
	Role string
	// SpecPath is the field path, in the resource a person edits, of what
	// the pod comes from: the template's Path, or for resources that hold
	// no template (a TrainJob, an InferenceService with a model) the field
	// that selects it.
	SpecPath string
	// Replicas is how many such pods run at once: the count the operator
	// creates at steady state (0 when suspended).
	Replicas int32
	// MinReplicas and MaxReplicas bound the count under an autoscaler;
	// nil when the operator does not scale the pods.
	MinReplicas, MaxReplicas *int32
	// Pod is the pod as the operator creates it: template labels merged
	// with the operator's, its service account, injected containers and
	// env, in the resource's namespace, named as the operator names the
	// pods (without the generated suffix).
	Pod *corev1.Pod
}

// Resource is a custom resource of a supported kind with its decoded
// templates.
type Resource struct {
	GVK       schema.GroupVersionKind
	Namespace string
	Name      string
	Labels    map[string]string
	// Object is the resource's unstructured content.
	Object    map[string]any
	Templates []Template
	// List lists the inventory's resources of a kind in a namespace, for
	// a Pods func that selects among them (an InferenceService
	// auto-selects its ServingRuntime); nil outside an inventory.
	List List
}

// List lists the resources of a kind in a namespace ("" for
// cluster-scoped kinds), in inventory order.
type List func(gk schema.GroupKind, namespace string) []*Resource

// Lookup finds another resource of the inventory (a TrainJob's runtime, an
// InferenceService's ServingRuntime); ok is false when it is not there.
type Lookup func(gk schema.GroupKind, namespace, name string) (r *Resource, ok bool)

// Kind is one supported custom resource kind.
type Kind struct {
	schema.GroupKind
	// Versions are the API versions read; others are not supported.
	Versions []string
	// Templates decodes the pod templates written in the resource. It
	// returns the JSON paths of unknown fields inside them and an error
	// when a template does not decode (a wrong type).
	Templates func(obj map[string]any) (templates []Template, unknown []string, err error)
	// Pods derives the pods the operator creates; nil for kinds that only
	// hold templates for others (TrainingRuntime, ServingRuntime). Pods
	// never fails: a reference it cannot resolve yields no pods.
	Pods func(r *Resource, lookup Lookup) []Pod
	// Integers are the fields the operator reads as int32 counts (Int),
	// as field paths with "[*]" for every item of a list.
	// CheckIntegers refuses a resource where one holds anything else, as
	// the operator's CRD schema makes the apiserver refuse it: Int alone
	// would truncate 2.5 replicas to 2 or read "3" as the default.
	Integers []string
}

// Kinds lists every supported kind.
func Kinds() []Kind {
	var out []Kind
	for _, family := range [][]Kind{rayKinds(), kubeflowKinds(), trainerKinds(), jobSetKinds(), lwsKinds(), kserveKinds()} {
		out = append(out, family...)
	}
	return out
}

// Find returns the supported kind of gvk.
func Find(gvk schema.GroupVersionKind) (Kind, bool) {
	for _, k := range kindIndex() {
		if k.GroupKind == gvk.GroupKind() {
			for _, v := range k.Versions {
				if v == gvk.Version {
					return k, true
				}
			}
		}
	}
	return Kind{}, false
}

// kindIndex is Kinds, built on first use (no package state is built at
// init) and then only read: Find runs for every object loaded, and Kinds
// builds every kind's description anew (5% of the CPU and 8% of the
// allocations of a 50,000-pod check when built per call).
var kindIndex = sync.OnceValue(Kinds)

// DecodeTemplate decodes the pod template at m (a PodTemplateSpec:
// metadata and spec) strictly. path is the field path of its spec; unknown
// fields come back as full paths.
func DecodeTemplate(m any, path, role string) (Template, []string, error) {
	t := Template{Path: path, Role: role}
	if m == nil {
		return t, nil, nil
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return t, nil, fmt.Errorf("%s: %w", strings.TrimSuffix(path, ".spec"), err)
	}
	var pts corev1.PodTemplateSpec
	strict, err := kjson.UnmarshalStrict(raw, &pts, kjson.DisallowUnknownFields)
	if err != nil {
		return t, nil, fmt.Errorf("%s: %w", strings.TrimSuffix(path, ".spec"), err)
	}
	prefix := strings.TrimSuffix(path, ".spec") + "."
	var unknown []string
	for _, e := range strict {
		var fe kjson.FieldError
		if !errors.As(e, &fe) || !strings.HasPrefix(e.Error(), "unknown field ") {
			return t, nil, fmt.Errorf("%s: %w", strings.TrimSuffix(path, ".spec"), e)
		}
		unknown = append(unknown, prefix+fe.FieldPath())
	}
	t.Meta, t.Spec = pts.ObjectMeta, pts.Spec
	return t, unknown, nil
}

// Field returns the value at the keys of an unstructured object.
func Field(obj map[string]any, keys ...string) (any, bool) {
	var cur any = obj
	for _, k := range keys {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[k]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// Map returns the map at the keys, or nil.
func Map(obj map[string]any, keys ...string) map[string]any {
	v, _ := Field(obj, keys...)
	m, _ := v.(map[string]any)
	return m
}

// Slice returns the list at the keys, or nil.
func Slice(obj map[string]any, keys ...string) []any {
	v, _ := Field(obj, keys...)
	s, _ := v.([]any)
	return s
}

// String returns the string at the keys, or "".
func String(obj map[string]any, keys ...string) string {
	v, _ := Field(obj, keys...)
	s, _ := v.(string)
	return s
}

// Int returns the integer at the keys (JSON numbers decode as int64 or
// float64), or def when absent or not a number.
func Int(obj map[string]any, def int32, keys ...string) int32 {
	v, ok := Field(obj, keys...)
	if !ok {
		return def
	}
	switch n := v.(type) {
	case int64:
		return int32(n)
	case int:
		return int32(n)
	case float64:
		return int32(n)
	case json.Number:
		i, err := n.Int64()
		if err == nil {
			return int32(i)
		}
	}
	return def
}

// CheckIntegers returns an error naming the first field of paths (see
// Kind.Integers) that obj holds with a value other than an integer in the
// int32 range; an absent or null field is the default, not an error. A
// float with no fraction (2.0) is an integer. Both follow the apiserver's
// CRD validation (k8s.io/kube-openapi pkg/validation/validate: type.go
// lets an integral float pass type integer, and the number validator
// bounds format int32, the format the operators' CRDs give these fields).
func CheckIntegers(obj map[string]any, paths []string) error {
	for _, p := range paths {
		if err := checkIntegerAt(obj, p, ""); err != nil {
			return err
		}
	}
	return nil
}

// IntegerError is a count field (Kind.Integers) that holds something else.
// Its message reads as the loader's for the typed fields of built-in kinds.
type IntegerError struct {
	Path string // the field, with list indexes: "spec.workerGroupSpecs[1].replicas"
	Msg  string // what is wrong, a string value redacted
}

func (e *IntegerError) Error() string { return e.Path + ": " + e.Msg }

// checkIntegerAt checks the field at the rest of a path below v, whose
// own path is at.
func checkIntegerAt(v any, rest, at string) error {
	if rest == "" {
		if v == nil {
			return nil
		}
		integer, inRange := isInt32(v)
		switch {
		case !integer:
			return &IntegerError{Path: at, Msg: "expected an integer, got " + manifest.DescribeValue(v)}
		case !inRange:
			return &IntegerError{Path: at, Msg: fmt.Sprintf("number %v is out of range for int32", v)}
		}
		return nil
	}
	if list, ok := strings.CutPrefix(rest, "[*]"); ok {
		items, _ := v.([]any)
		for i, item := range items {
			if err := checkIntegerAt(item, strings.TrimPrefix(list, "."), fmt.Sprintf("%s[%d]", at, i)); err != nil {
				return err
			}
		}
		return nil
	}
	key, next, _ := strings.Cut(rest, ".")
	if i := strings.IndexByte(key, '['); i > 0 {
		key, next = key[:i], rest[i:] // key is a prefix of rest
	}
	m, _ := v.(map[string]any)
	child, ok := m[key]
	if !ok {
		return nil
	}
	if at != "" {
		key = at + "." + key
	}
	return checkIntegerAt(child, next, key)
}

// isInt32 reports whether a decoded JSON value is an integer, and whether
// it is in the int32 range.
func isInt32(v any) (integer, inRange bool) {
	var f float64
	switch n := v.(type) {
	case int64:
		return true, n >= math.MinInt32 && n <= math.MaxInt32
	case int:
		return true, n >= math.MinInt32 && n <= math.MaxInt32
	case int32:
		return true, true
	case float64:
		f = n
	case json.Number:
		if i, err := n.Int64(); err == nil {
			return true, i >= math.MinInt32 && i <= math.MaxInt32
		}
		var err error
		if f, err = n.Float64(); err != nil {
			return false, false
		}
	default:
		return false, false
	}
	if f != math.Trunc(f) || math.IsInf(f, 0) {
		return false, false
	}
	return true, f >= math.MinInt32 && f <= math.MaxInt32
}

// Bool returns the boolean at the keys, or false.
func Bool(obj map[string]any, keys ...string) bool {
	v, _ := Field(obj, keys...)
	b, _ := v.(bool)
	return b
}

// NewPod builds the pod of a template in the resource's namespace: the
// template's metadata and spec (copied), name set, labels merged with
// extra (extra wins: the operator's labels override the template's).
func NewPod(r *Resource, t *Template, name string, extra map[string]string) *corev1.Pod {
	pod := &corev1.Pod{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"}}
	t.Meta.DeepCopyInto(&pod.ObjectMeta)
	t.Spec.DeepCopyInto(&pod.Spec)
	pod.Namespace, pod.Name = r.Namespace, name
	if len(extra) > 0 && pod.Labels == nil {
		pod.Labels = map[string]string{}
	}
	for k, v := range extra {
		pod.Labels[k] = v
	}
	return pod
}

// Ptr returns a pointer to v.
func Ptr[T any](v T) *T { return &v }
