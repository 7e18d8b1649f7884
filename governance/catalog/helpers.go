package catalog

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/aigov/aigov/governance"
)

// PodsAndWorkloads is the Kinds text of the checks that judge pods: Pods and
// the pod templates of the built-in workload controllers.
const PodsAndWorkloads = "pods + workloads"

// PodKinds returns the kinds "pods + workloads" stands for: Pod and the
// built-in controllers with a pod template (Deployment, ReplicaSet,
// StatefulSet, DaemonSet, Job, CronJob, ReplicationController). The slice is
// fresh on every call.
func PodKinds() []schema.GroupKind {
	return []schema.GroupKind{
		{Kind: "Pod"},
		{Group: "apps", Kind: "Deployment"},
		{Group: "apps", Kind: "ReplicaSet"},
		{Group: "apps", Kind: "StatefulSet"},
		{Group: "apps", Kind: "DaemonSet"},
		{Group: "batch", Kind: "Job"},
		{Group: "batch", Kind: "CronJob"},
		{Kind: "ReplicationController"},
	}
}

// containerSet selects container lists of a pod spec.
type containerSet int

const (
	regularContainers containerSet = 1 << iota
	initContainers
	ephemeralContainers

	allContainers = regularContainers | initContainers | ephemeralContainers
)

// containerRef is one container of a pod spec. Its field path and the way
// messages name it are built only when a check reports it.
type containerRef struct {
	c        *corev1.Container
	specPath string
	list     string // "containers", "initContainers" or "ephemeralContainers"
	index    int
}

// path is the container's field path, e.g.
// "spec.template.spec.initContainers[1]".
func (r containerRef) path() string {
	return r.specPath + "." + r.list + "[" + strconv.Itoa(r.index) + "]"
}

// desc names the container in messages: `init container "setup"`.
func (r containerRef) desc() string {
	var what string
	switch r.list {
	case "initContainers":
		what = "init container"
	case "ephemeralContainers":
		what = "ephemeral container"
	default:
		what = "container"
	}
	return what + " " + strconv.Quote(r.c.Name)
}

// containersOf lists the selected containers in the order containers,
// initContainers, ephemeralContainers.
func containersOf(spec *corev1.PodSpec, specPath string, which containerSet) []containerRef {
	n := 0
	if which&regularContainers != 0 {
		n += len(spec.Containers)
	}
	if which&initContainers != 0 {
		n += len(spec.InitContainers)
	}
	if which&ephemeralContainers != 0 {
		n += len(spec.EphemeralContainers)
	}
	out := make([]containerRef, 0, n)
	if which&regularContainers != 0 {
		for i := range spec.Containers {
			out = append(out, containerRef{c: &spec.Containers[i], specPath: specPath, list: "containers", index: i})
		}
	}
	if which&initContainers != 0 {
		for i := range spec.InitContainers {
			out = append(out, containerRef{c: &spec.InitContainers[i], specPath: specPath, list: "initContainers", index: i})
		}
	}
	if which&ephemeralContainers != 0 {
		for i := range spec.EphemeralContainers {
			c := (*corev1.Container)(&spec.EphemeralContainers[i].EphemeralContainerCommon)
			out = append(out, containerRef{c: c, specPath: specPath, list: "ephemeralContainers", index: i})
		}
	}
	return out
}

// podView is the stored pod spec of a Pod or workload, its pod metadata and
// the field path of the spec.
type podView struct {
	spec *corev1.PodSpec
	meta *metav1.ObjectMeta
	path string
	// partial is set for a template that cannot hold the pod-level fields
	// (governance.PodTemplate.Partial).
	partial bool
}

// podCheck adapts a function over a pod spec to governance.Check.Object.
// Objects without a pod spec (a ReplicationController without a template)
// yield nothing.
func podCheck(fn func(p podView) []governance.Violation) func(o *governance.Object) []governance.Violation {
	return func(o *governance.Object) []governance.Violation {
		var out []governance.Violation
		for _, t := range governance.PodTemplatesOf(o) {
			written, overlays := t.Written()
			out = append(out, fn(podView{spec: written.Spec, meta: t.Meta, path: t.Path, partial: t.Partial})...)
			if !overlays {
				continue
			}
			// A container written elsewhere (a KServe model) is judged on
			// the fields it writes; the rest comes from its runtime.
			for _, v := range fn(podView{spec: t.Spec, meta: t.Meta, path: t.Path, partial: t.Partial}) {
				if t.Sets(v.Path) {
					v.Path = t.FieldPath(v.Path)
					out = append(out, v)
				}
			}
		}
		return out
	}
}

// decodeParams reads a check's params into into (see
// governance.DecodeParams): nil, the params struct or a pointer to it, or
// its JSON decoded strictly.
func decodeParams(params, into any) error { return governance.DecodeParams(params, into) }

// noParams accepts only absent or empty params, for checks that take none.
func noParams(params any) error { return governance.NoParams(params) }

// quoteJoin renders `"a", "b"`.
func quoteJoin(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

// newCheck fills a Check from the check's definition. A check over pods
// (kinds holding Pod) also reads the custom resources of AI operators,
// whose pod templates PodTemplatesOf returns.
func newCheck(d governance.Definition, remediation string, kinds []schema.GroupKind, fn func(o *governance.Object) []governance.Violation) governance.Check {
	if slices.Contains(kinds, schema.GroupKind{Kind: "Pod"}) {
		kinds = append(slices.Clip(kinds), governance.OperatorKinds()...)
	}
	return governance.Check{
		ID: d.ID, Description: d.Description, Severity: d.Severity, Remediation: remediation,
		Kinds: kinds, Object: fn,
	}
}
