package governance

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/aigov/aigov/governance/internal/operator"
)

// PodTemplate is one pod template of an object as it is stored: the spec
// of a Pod, the template of a built-in workload, or one of the templates
// written inside a custom resource of an AI operator (a RayCluster's head
// and worker groups, a PyTorchJob's replica specs, a LeaderWorkerSet's
// leader and worker templates). Pod checks read templates, so a finding
// names the field as written.
type PodTemplate struct {
	Spec *PodSpec
	Meta *metav1.ObjectMeta
	// Path is the field path of Spec in the object, map keys in brackets:
	// "spec.template.spec", "spec.pytorchReplicaSpecs[Worker].template.spec".
	Path string
	// Role names the template among several of one object ("head",
	// "worker group gpu", "Worker", "leader"); "" for built-in kinds.
	Role string
	// Partial marks a template that holds only some pod fields (a KServe
	// ServingRuntime: containers, volumes, scheduling); the service
	// account, its token and the pod security context are set by the
	// resource that uses it, and checks of those fields skip it.
	Partial bool
	// containerPaths maps containers not written in Spec's lists to their
	// field (operator.Template.ContainerPaths); FieldPath applies it.
	containerPaths map[string]string
	// injected are the containers of Spec that the operator injects into
	// the template's pods (operator.Template.Injected); InjectedAt reads
	// them.
	injected map[string]operator.Injection
}

// Injection is a container that an AI operator injects into every pod of
// a template (KubeRay's wait-gcs-ready init container on a worker group's
// pods, its autoscaler sidecar on the head's). PodTemplatesOf holds it in
// the template's Spec after the written containers of its list, at the
// index it has in the pods the operator creates, so checks judge the pods
// as they run, and a finding on it in a created pod folds into the
// template's. Its fields are not written anywhere in the object: a
// finding's path under it ("...template.spec.initContainers[1].image")
// names the template, and the engine notes that the operator injects it.
type Injection struct {
	// Name is the container's name.
	Name string
	// Path is the container's field path in the template's pods
	// ("spec.workerGroupSpecs[0].template.spec.initContainers[1]").
	Path string
	// From is the field path of the written container whose fields it
	// copies (the Ray container), "" when it copies none.
	From string
	// Copies lists the container fields it copies from From ("image",
	// "securityContext", "env").
	Copies []string
}

// InjectedAt returns the injected container (Injection) that field path
// p is in or is; ok is false for a path of a written container or
// outside the containers.
func (t PodTemplate) InjectedAt(p string) (Injection, bool) {
	for rel, in := range t.injected {
		at := t.Path + "." + rel
		if !underPath(p, at) {
			continue
		}
		out := Injection{Name: in.Name, Path: at, Copies: in.Copies}
		if in.From != "" {
			out.From = t.Path + "." + in.From
		}
		return out, true
	}
	return Injection{}, false
}

// FieldPath returns where a field path under the template's Spec is
// written in the object: the path itself, except for a container written
// outside the spec's container lists (a KServe predictor's model), whose
// fields are under its own path ("spec.predictor.containers[0].image" is
// "spec.predictor.model.image").
func (t PodTemplate) FieldPath(p string) string {
	for rel, at := range t.containerPaths {
		prefix := t.Path + "." + rel
		if p == prefix || strings.HasPrefix(p, prefix+".") {
			return at + p[len(prefix):]
		}
	}
	return p
}

// Written returns the template as written in its own lists: without the
// containers written elsewhere (FieldPath), and whether there were any.
// The containers an operator injects (InjectedAt) stay: they are part of
// every pod of the template, as the written ones are.
func (t PodTemplate) Written() (PodTemplate, bool) {
	if len(t.containerPaths) == 0 {
		return t, false
	}
	spec := *t.Spec
	spec.Containers = nil
	for i, c := range t.Spec.Containers {
		if _, elsewhere := t.containerPaths["containers["+strconv.Itoa(i)+"]"]; !elsewhere {
			spec.Containers = append(spec.Containers, c)
		}
	}
	t.Spec, t.containerPaths = &spec, nil
	return t, true
}

// Sets reports, for a field path under the template's Spec, whether a
// container written outside the spec's lists (FieldPath) writes that
// field itself; paths elsewhere are not such a container's, and report
// false. Such a container is an overlay (a KServe model is merged into
// its runtime's container): only what it writes is its own, so checks
// judge it on that alone (an image or a limit it leaves out comes from
// the runtime).
func (t PodTemplate) Sets(p string) bool {
	for rel := range t.containerPaths {
		prefix := t.Path + "." + rel
		if !strings.HasPrefix(p, prefix+".") {
			continue
		}
		i, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(rel, "containers["), "]"))
		if err != nil || i < 0 || i >= len(t.Spec.Containers) {
			return false
		}
		raw, err := json.Marshal(t.Spec.Containers[i])
		if err != nil {
			return false
		}
		var m any
		if json.Unmarshal(raw, &m) != nil {
			return false
		}
		return hasField(m, p[len(prefix)+1:])
	}
	return false
}

// hasField reports whether the decoded JSON value v has the field at
// path p ("securityContext.privileged", "resources.limits[cpu]",
// "ports[0].hostPort").
func hasField(v any, p string) bool {
	_, ok := valueAt(v, p)
	return ok
}

// valueAt returns the value at path p of the decoded JSON value v (see
// hasField), and whether it is there.
func valueAt(v any, p string) (any, bool) {
	for p != "" {
		var key string
		switch {
		case p[0] == '[':
			end := strings.IndexByte(p, ']')
			if end < 0 {
				return nil, false
			}
			key, p = p[1:end], p[end+1:]
		default:
			end := strings.IndexAny(p, ".[")
			if end < 0 {
				end = len(p)
			}
			key, p = p[:end], p[end:]
		}
		p = strings.TrimPrefix(p, ".")
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[key]; !ok {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(key)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// PodSpec is the core Pod spec type.
type PodSpec = corev1.PodSpec

// PodTemplatesOf returns the stored pod templates of o, in the object's
// order: one for a Pod or a built-in workload, those written inside a
// supported custom resource, none for other objects. It does not copy.
func PodTemplatesOf(o *Object) []PodTemplate {
	if spec, meta, path, ok := podSpecOf(o); ok {
		if spec == nil {
			return nil
		}
		if meta == nil {
			meta = &metav1.ObjectMeta{}
		}
		return []PodTemplate{{Spec: spec, Meta: meta, Path: path}}
	}
	if len(o.templates) == 0 {
		return nil
	}
	out := make([]PodTemplate, len(o.templates))
	for i := range o.templates {
		t := &o.templates[i]
		out[i] = PodTemplate{Spec: &t.Spec, Meta: &t.Meta, Path: t.Path, Role: t.Role, Partial: t.Partial,
			containerPaths: t.ContainerPaths, injected: t.Injected}
	}
	return out
}

// Template returns the stored pod template the workload's pods come from
// (PodTemplatesOf its object, at SpecPath); ok is false when the pods do
// not come from a template of the object itself (a TrainJob's pods come
// from its runtime).
func (w *Workload) Template() (PodTemplate, bool) {
	if w.Object == nil {
		return PodTemplate{}, false
	}
	for _, t := range PodTemplatesOf(w.Object) {
		if t.Path == w.SpecPath {
			return t, true
		}
	}
	return PodTemplate{}, false
}

// OperatorKinds lists the custom resource kinds of AI operators whose pod
// templates and pods aigov derives (see the README's table): KubeRay,
// Kubeflow training and Notebook, Kubeflow Trainer, JobSet,
// LeaderWorkerSet and KServe.
func OperatorKinds() []schema.GroupKind {
	var out []schema.GroupKind
	for _, k := range operator.Kinds() {
		out = append(out, k.GroupKind)
	}
	return out
}

// OperatorVersionKinds lists every supported version of OperatorKinds,
// each kind's versions in the order the operator package gives them (a
// reader of a cluster takes the first one the server serves).
func OperatorVersionKinds() []schema.GroupVersionKind {
	var out []schema.GroupVersionKind
	for _, k := range operator.Kinds() {
		for _, v := range k.Versions {
			out = append(out, k.GroupKind.WithVersion(v))
		}
	}
	return out
}

// IsOperatorKind reports whether gvk is a supported custom resource
// version of an AI operator.
func IsOperatorKind(gvk schema.GroupVersionKind) bool {
	_, ok := operator.Find(gvk)
	return ok
}

// decodeTemplates decodes the pod templates of a supported custom
// resource into o (once); it returns the unknown fields inside them.
func decodeTemplates(o *Object) ([]string, error) {
	if o.templatesDecoded {
		return nil, nil
	}
	o.templatesDecoded = true
	k, ok := operator.Find(o.GVK)
	if !ok {
		return nil, nil
	}
	u, ok := o.Obj.(*unstructured.Unstructured)
	if !ok {
		return nil, nil
	}
	if err := operator.CheckIntegers(u.Object, k.Integers); err != nil {
		var ie *operator.IntegerError
		if errors.As(err, &ie) {
			return nil, &fieldDecodeError{path: ie.Path, err: fmt.Errorf("%s: %w", o.GVK.Kind, err)}
		}
		return nil, fmt.Errorf("%s: %w", o.GVK.Kind, err)
	}
	if k.Templates == nil {
		return nil, nil
	}
	ts, unknown, err := k.Templates(u.Object)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", o.GVK.Kind, err)
	}
	o.templates = ts
	return unknown, nil
}

// operatorResource is the operator package's view of a custom resource.
func operatorResource(o *Object) *operator.Resource {
	u, ok := o.Obj.(*unstructured.Unstructured)
	if !ok {
		return nil
	}
	return &operator.Resource{GVK: o.GVK, Namespace: u.GetNamespace(), Name: u.GetName(),
		Labels: u.GetLabels(), Object: u.Object, Templates: o.templates}
}

// operatorWorkloads derives the workloads of a supported custom resource:
// one per kind of pod its operator creates.
func (inv *Inventory) operatorWorkloads(o *Object) []Workload {
	k, ok := operator.Find(o.GVK)
	if !ok || k.Pods == nil {
		return nil
	}
	r := operatorResource(o)
	if r == nil {
		return nil
	}
	lookup := func(gk schema.GroupKind, namespace, name string) (*operator.Resource, bool) {
		other := inv.Get(Key{Group: gk.Group, Kind: gk.Kind, Namespace: namespace, Name: name})
		if other == nil {
			return nil, false
		}
		res := operatorResource(other)
		return res, res != nil
	}
	r.List = func(gk schema.GroupKind, namespace string) []*operator.Resource {
		var list []*operator.Resource
		for _, other := range inv.OfKind(gk) {
			if other.Namespace() != namespace {
				continue
			}
			if res := operatorResource(other); res != nil {
				list = append(list, res)
			}
		}
		return list
	}
	var out []Workload
	for _, p := range k.Pods(r, lookup) {
		if p.Pod == nil {
			continue
		}
		CopyLimitsToRequests(&p.Pod.Spec)
		out = append(out, Workload{Object: o, Kind: o.GVK.Kind, Namespace: r.Namespace, Name: r.Name,
			Labels: r.Labels, Replicas: p.Replicas, Pod: p.Pod, SpecPath: p.SpecPath, Role: p.Role,
			MinReplicas: p.MinReplicas, MaxReplicas: p.MaxReplicas})
	}
	return out
}
