package catalog

import (
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/aigov/aigov/governance"
)

// namespaceKinds is the Kinds of the checks that judge Namespaces.
func namespaceKinds() []schema.GroupKind { return []schema.GroupKind{{Kind: "Namespace"}} }

// namespaceOf returns the Namespace object named ns, or nil when the
// inventory does not hold it.
func namespaceOf(inv *governance.Inventory, ns string) *corev1.Namespace {
	o := inv.Get(governance.Key{Kind: "Namespace", Name: ns})
	if o == nil {
		return nil
	}
	n, _ := o.Obj.(*corev1.Namespace)
	return n
}

// labelPath is the field path of a label: metadata.labels[KEY].
func labelPath(metaPath, key string) string {
	return metaPath + ".labels[" + key + "]"
}

// validateLabelKey reports a malformed label key of parameter param.
func validateLabelKey(param, key string) error {
	if errs := validation.IsQualifiedName(key); len(errs) > 0 {
		return fmt.Errorf("%s %q: %s", param, key, strings.Join(errs, "; "))
	}
	return nil
}

// validateDistinct reports an empty list, an empty value or a duplicate.
func validateDistinct(param string, values []string) error {
	if len(values) == 0 {
		return fmt.Errorf("%s must list at least one value", param)
	}
	for i, v := range values {
		if v == "" {
			return fmt.Errorf("%s[%d] is empty", param, i)
		}
		if slices.Index(values, v) != i {
			return fmt.Errorf("%s[%d]: duplicate %q", param, i, v)
		}
	}
	return nil
}

// modelServingContainers runs visit on the chosen containers of an object
// classified as a model-serving workload (inference server or embedding
// service); what names the workload for messages. Other objects yield
// nothing. A custom resource that neither its override label nor its
// kind classifies (a LeaderWorkerSet, a RayCluster) is judged template by
// template, each classified as the workload of its pods (cl.workload), so
// the resource is judged where it is written and not only through the
// StatefulSets or Pods its operator creates.
func modelServingContainers(cl *classifier, o *governance.Object, which containerSet,
	visit func(what string, ref containerRef) []governance.Violation) []governance.Violation {
	var out []governance.Violation
	for _, t := range governance.PodTemplatesOf(o) {
		c := cl.template(o, t)
		if !c.Class.ModelServing() {
			continue
		}
		what := describeWorkload(c.Class, o.Kind(), o.Name())
		written, _ := t.Written()
		for _, ref := range containersOf(t.Spec, t.Path, which) {
			overlay := ref.list == "containers" && ref.index >= len(written.Spec.Containers)
			for _, v := range visit(what, ref) {
				if overlay && !t.Sets(v.Path) {
					continue // a KServe model leaves it to its runtime
				}
				v.Path = t.FieldPath(v.Path)
				out = append(out, v)
			}
		}
	}
	return out
}

// template classifies the pods of one of o's templates: as o itself
// (cl.object) for a built-in kind, or a custom resource that its override
// label or its kind classifies; else as the workload of the template's
// pods.
func (cl *classifier) template(o *governance.Object, t governance.PodTemplate) Classification {
	if o.Typed {
		return cl.object(o)
	}
	if c := cl.object(o); c.Class != ClassNone {
		return c
	}
	if _, ok := overrideClass(o.Meta().GetLabels(), "metadata"); ok {
		return Classification{} // "none" on the resource
	}
	m := o.Meta()
	w := governance.Workload{Object: o, Kind: o.Kind(), Namespace: m.GetNamespace(), Name: m.GetName(),
		Labels: m.GetLabels(), SpecPath: t.Path, Pod: &corev1.Pod{ObjectMeta: *t.Meta, Spec: *t.Spec}}
	return cl.workload(w)
}
