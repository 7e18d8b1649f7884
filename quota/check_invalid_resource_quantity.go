package quota

import (
	"fmt"
	"regexp"
	"strings"

	corev1 "k8s.io/api/core/v1"
	resourcev1 "k8s.io/api/resource/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/aigov/aigov/governance"
)

// InvalidResourceQuantity (invalid-resource-quantity) reports a negative
// quantity the apiserver refuses, in an object quota would otherwise
// charge: a container's, init container's, pod-level or overhead request
// or limit of a Pod or workload template ("must be greater than or equal
// to 0"), a ResourceClaim's or ResourceClaimTemplate's device count ("must
// be greater than zero"), a PersistentVolumeClaim's storage request ("must
// be greater than zero"). The object cannot exist in a cluster; quota
// charges it nothing, where a naive sum would lower the namespace's usage
// and let more in. The message is the apiserver's. A LimitRange is stored
// with negative values (its validation does not look at signs), but a
// negative default, defaultRequest or max (which becomes the default) is
// given to pods, which validation then refuses; a negative
// maxLimitRequestRatio gets the LimitRange itself refused. Negative
// ResourceQuota values are quota-invalid-key's.
func InvalidResourceQuantity() governance.Definition {
	return definition(newInvalidResourceQuantity, "pods + workloads", "PersistentVolumeClaims", "LimitRanges", "ResourceClaims", "ResourceClaimTemplates")
}

func newInvalidResourceQuantity() governance.Check {
	return governance.Check{
		ID:          "invalid-resource-quantity",
		Description: "negative request, limit, device count or storage request: the apiserver refuses the object, which quota must not charge",
		Severity:    governance.SeverityHigh,
		Remediation: "state resource quantities of zero or more (device counts and PVC storage above zero)",
		Kinds:       invalidQuantityKinds,
		Object:      invalidQuantities,
	}
}

var invalidQuantityKinds = []schema.GroupKind{
	{Kind: "Pod"}, {Group: "apps", Kind: "Deployment"}, {Group: "apps", Kind: "ReplicaSet"},
	{Group: "apps", Kind: "StatefulSet"}, {Group: "apps", Kind: "DaemonSet"},
	{Group: "batch", Kind: "Job"}, {Group: "batch", Kind: "CronJob"}, {Kind: "ReplicationController"},
	{Kind: "PersistentVolumeClaim"}, {Kind: "LimitRange"},
	{Group: resourcev1.GroupName, Kind: "ResourceClaim"}, {Group: resourcev1.GroupName, Kind: "ResourceClaimTemplate"},
}

func invalidQuantities(o *governance.Object) []governance.Violation {
	kind := o.GVK.Kind + "/" + o.Meta().GetName()
	switch obj := o.Obj.(type) {
	case *resourcev1.ResourceClaim:
		return refusedViolations(kind, 2, ValidateClaimCounts(obj))
	case *resourcev1.ResourceClaimTemplate:
		return refusedViolations(kind, 2, ValidateClaimTemplateCounts(obj))
	case *corev1.PersistentVolumeClaim:
		var errs field.ErrorList
		for _, e := range ValidatePVCStorage(obj) {
			if e.Type == field.ErrorTypeInvalid {
				errs = append(errs, e)
			}
		}
		return refusedViolations(kind, 1, errs)
	case *corev1.LimitRange:
		return negativeLimitRange(obj)
	}
	var out []governance.Violation
	for _, t := range governance.PodTemplatesOf(o) {
		spec, specPath := t.Spec, t.Path
		pod := &corev1.Pod{Spec: *spec}
		for _, e := range NegativeQuantities(pod) {
			// The apiserver validates a template at the workload's spec path.
			e.Field = specPath + strings.TrimPrefix(e.Field, "spec")
			out = append(out, governance.Violation{Path: t.FieldPath(e.Field),
				Message: fmt.Sprintf("%s: %s %s is %v; the apiserver refuses the %s: %s", kind, podPart(spec, e.Field), fieldTail(e.Field, 1), e.BadValue, o.GVK.Kind, e.Error())})
		}
	}
	return out
}

// refusedViolations are the errors of an object the apiserver refuses,
// each named by the last n segments of its path.
func refusedViolations(kind string, n int, errs field.ErrorList) []governance.Violation {
	out := make([]governance.Violation, 0, len(errs))
	for _, e := range errs {
		out = append(out, governance.Violation{Path: e.Field,
			Message: fmt.Sprintf("%s: %s is %v; the apiserver refuses the object: %s", kind, fieldTail(e.Field, n), e.BadValue, e.Error())})
	}
	return out
}

var containerIndex = regexp.MustCompile(`\.(containers|initContainers)\[(\d+)\]\.resources\.`)

// podPart names the part of a pod spec a resources path is in: "container
// NAME", "init container NAME", "pod-level resources" or "overhead".
func podPart(spec *corev1.PodSpec, path string) string {
	if m := containerIndex.FindStringSubmatch(path); m != nil {
		var i int
		fmt.Sscan(m[2], &i)
		if m[1] == "containers" && i < len(spec.Containers) {
			return "container " + spec.Containers[i].Name
		}
		if m[1] == "initContainers" && i < len(spec.InitContainers) {
			return "init container " + spec.InitContainers[i].Name
		}
	}
	if strings.Contains(path, ".overhead.") {
		return "overhead"
	}
	return "pod-level resources"
}

// fieldTail is the last n dot-separated segments of a path:
// "limits[nvidia.com/gpu]", "exactly.count", "resources[storage]".
func fieldTail(path string, n int) string {
	// Keys may hold dots (nvidia.com/gpu): cut at dots outside brackets.
	depth, cuts := 0, []int{}
	for i, r := range path {
		switch r {
		case '[':
			depth++
		case ']':
			depth--
		case '.':
			if depth == 0 {
				cuts = append(cuts, i)
			}
		}
	}
	if len(cuts) < n {
		return path
	}
	return path[cuts[len(cuts)-n]+1:]
}

// negativeLimitRange reports a LimitRange's negative default and
// defaultRequest (the apiserver stores them and hands them to containers
// that do not state the resource, and pod validation then refuses the
// pod), max (nothing non-negative is at most the max, and a Container max
// without default becomes the default) and maxLimitRequestRatio (the
// LimitRange is refused: a ratio must be at least 1). A negative min
// constrains nothing and is not reported.
func negativeLimitRange(lr *corev1.LimitRange) []governance.Violation {
	var out []governance.Violation
	for i, it := range lr.Spec.Limits {
		p := field.NewPath("spec", "limits").Index(i)
		for _, f := range []struct {
			name string
			list corev1.ResourceList
		}{{"default", it.Default}, {"defaultRequest", it.DefaultRequest}, {"max", it.Max}} {
			for _, k := range sortedKeys(f.list) {
				v := f.list[k]
				if v.Sign() >= 0 {
					continue
				}
				out = append(out, governance.Violation{Path: p.Child(f.name).Key(string(k)).String(),
					Message: fmt.Sprintf("LimitRange/%s: %s %s %s is %s: the apiserver stores the LimitRange, but %s", lr.Name, it.Type, f.name, k, v.String(), limitRangeEffect(it.Type, f.name, k, v.String()))})
			}
		}
		for _, k := range sortedKeys(it.MaxLimitRequestRatio) {
			v := it.MaxLimitRequestRatio[k]
			if v.Sign() < 0 {
				e := field.Invalid(p.Child("maxLimitRequestRatio").Key(string(k)), v, fmt.Sprintf("ratio %s is less than 1", v.String()))
				out = append(out, governance.Violation{Path: e.Field,
					Message: fmt.Sprintf("LimitRange/%s: maxLimitRequestRatio %s is %s; the apiserver refuses the object: %s", lr.Name, k, v.String(), e.Error())})
			}
		}
	}
	return out
}

// limitRangeEffect says what a negative value of a LimitRange item does.
func limitRangeEffect(t corev1.LimitType, fieldName string, k corev1.ResourceName, v string) string {
	target := "pod"
	if t == corev1.LimitTypePersistentVolumeClaim {
		target = "PersistentVolumeClaim"
	}
	if fieldName == "max" {
		return fmt.Sprintf("refuses every %s of the namespace: no %s, stated or defaulted, is at most %s", target, k, v)
	}
	return fmt.Sprintf("refuses every pod with a container that does not state %s: it gets the negative %s (must be greater than or equal to 0)", k, fieldName)
}
