package quota

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
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
// ResourceQuota values are quota-invalid-key's. Its
// ValidatingAdmissionPolicy decides the same on every kind the check
// reads: on a LimitRange's default, defaultRequest and max it is what
// refuses them in a cluster; on the other objects it repeats the
// apiserver's rule for offline evaluation (aigov vap test), the
// apiserver's own validation refusing them before admission policies run.
func InvalidResourceQuantity() governance.Definition {
	d := definition(newInvalidResourceQuantity, "pods + workloads", "PersistentVolumeClaims", "LimitRanges", "ResourceClaims", "ResourceClaimTemplates")
	d.AdmissionNote = "VAP refuses a LimitRange's negative default, defaultRequest or max (which the apiserver stores) and repeats the " +
		"apiserver's rule on the other objects for offline evaluation: in a cluster the apiserver's own validation refuses " +
		"negative pod and template quantities, device counts, PVC storage and maxLimitRequestRatio before admission policies run; " +
		"it leaves to the scan pod specs of more than " + strconv.Itoa(quantityMaxContainers) + " containers and init containers, " +
		"LimitRanges of more than " + strconv.Itoa(quantityMaxItems) + " items, and resource lists of more than " +
		strconv.Itoa(quantityMaxKeys) + " entries (the size guard of its cost)"
	return d
}

func newInvalidResourceQuantity() governance.Check {
	return governance.Check{
		ID:          "invalid-resource-quantity",
		Description: "negative request, limit, device count or storage request: the apiserver refuses the object, which quota must not charge",
		Severity:    governance.SeverityHigh,
		Remediation: "state resource quantities of zero or more (device counts and PVC storage above zero)",
		Kinds:       invalidQuantityKinds,
		Object:      invalidQuantities,
		Admission:   invalidQuantityAdmission(),
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

// The size guard of the policy: a pod spec with more containers and init
// containers, a LimitRange with more items (the apiserver stores at most
// three), or a resource list with more entries, is admitted and left to
// the scan.
const (
	quantityMaxContainers = 64
	quantityMaxItems      = 8
	quantityMaxKeys       = 32
)

// celNegatives is the CEL list of "LABEL[KEY] VALUE" for the negative
// quantities of the resource list m (a CEL map expression); label is a
// CEL string expression.
func celNegatives(m, label string) string {
	return m + `.filter(k, quantity(string(` + m + `[k])).isLessThan(quantity("0"))).map(k, ` + label + ` + "[" + k + "] " + string(` + m + `[k]))`
}

// invalidQuantityAdmission denies what invalidQuantities reports: a
// negative request or limit of a container, init container, pod-level
// resources (not on a Windows pod) or overhead of a Pod or workload
// template; a PersistentVolumeClaim's storage request of zero or less; a
// device request of a ResourceClaim or ResourceClaimTemplate whose count
// the apiserver refuses (after its defaults: allocationMode ExactCount,
// count 1); a LimitRange's negative default, defaultRequest, max or
// maxLimitRequestRatio.
func invalidQuantityAdmission() *governance.Admission {
	keys := strconv.Itoa(quantityMaxKeys)
	small := func(m string) string { return `size(` + m + `) <= ` + keys }
	req, lim := `c.?resources.?requests.orValue({})`, `c.?resources.?limits.orValue({})`
	podReq, podLim := `variables.podSpec.?resources.?requests.orValue({})`, `variables.podSpec.?resources.?limits.orValue({})`
	overhead := `variables.podSpec.?overhead.orValue({})`
	lrFields := []string{"default", "defaultRequest", "max", "maxLimitRequestRatio"}
	var lrSmall, lrNeg []string
	for _, f := range lrFields {
		m := `it.?` + f + `.orValue({})`
		lrSmall = append(lrSmall, small(m))
		lrNeg = append(lrNeg, celNegatives(m, `"spec.limits[" + string(i) + "].`+f+`"`))
	}
	idx := make([]string, quantityMaxItems)
	for i := range idx {
		idx[i] = strconv.Itoa(i)
	}
	cidx := make([]string, quantityMaxContainers)
	for i := range cidx {
		cidx[i] = strconv.Itoa(i)
	}
	// mode is the count error of a device request (exactly) or subrequest
	// (firstAvailable) x, after the apiserver's defaults, or "".
	mode := func(x string) string {
		m, n := x+`.?allocationMode.orValue("ExactCount")`, x+`.?count.orValue(0)`
		return `(` + m + ` == "All" && ` + n + ` != 0) ? "count must not be specified when allocationMode is 'All'" : ` +
			`(((` + m + ` == "ExactCount" || ` + m + ` == "") && ` + n + ` < 0) ? "count must be greater than zero" : ` +
			`(!(` + m + ` in ["", "All", "ExactCount"]) ? "allocationMode " + ` + m + ` + " is not supported" : ""))`
	}
	claimRequest := `(size(r.?firstAvailable.orValue([])) > 0 && has(r.exactly)) ? [] : (size(r.?firstAvailable.orValue([])) > 0 ? ` +
		`r.firstAvailable.map(s, [` + mode("s") + `].map(e, e == "" ? "" : "request " + r.name + "/" + s.name + ": " + e)[0]) : ` +
		`(has(r.exactly) ? [[` + mode("r.exactly") + `].map(e, e == "" ? "" : "request " + r.name + ": " + e)[0]] : []))`
	rules := append(governance.PodAdmissionRules(),
		governance.AdmissionRule([]string{""}, []string{"v1"}, []string{"limitranges", "persistentvolumeclaims"}),
		governance.AdmissionRule([]string{resourcev1.GroupName}, []string{"v1"}, []string{"resourceclaims", "resourceclaimtemplates"}),
	)
	return &governance.Admission{
		Rules: rules,
		Variables: []admissionregistrationv1.Variable{
			{Name: "podSpec", Expression: `object.kind == "Pod" ? object.spec : (object.kind == "CronJob" ? object.spec.jobTemplate.spec.template.spec : ` +
				`(object.kind in ["Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "ReplicationController"] ? object.spec.?template.?spec.orValue({}) : {}))`},
			{Name: "containers", Expression: `variables.podSpec.?containers.orValue([]) + variables.podSpec.?initContainers.orValue([])`},
			{Name: "items", Expression: `object.kind == "LimitRange" ? object.spec.?limits.orValue([]) : []`},
			{Name: "claimRequests", Expression: `object.kind == "ResourceClaim" ? object.spec.?devices.?requests.orValue([]) : ` +
				`(object.kind == "ResourceClaimTemplate" ? object.spec.?spec.?devices.?requests.orValue([]) : [])`},
			{Name: "guarded", Expression: `size(variables.containers) <= ` + strconv.Itoa(quantityMaxContainers) +
				` && variables.containers.all(c, ` + small(req) + ` && ` + small(lim) + `) && ` + small(podReq) + ` && ` + small(podLim) + ` && ` + small(overhead) +
				` && size(variables.items) <= ` + strconv.Itoa(quantityMaxItems) + ` && variables.items.all(it, ` + strings.Join(lrSmall, " && ") + `)`},
			// The containers are read through the index list [0, guard),
			// so that the cost estimate knows their bound.
			{Name: "containerNegatives", Expression: `!variables.guarded ? [] : [` + strings.Join(cidx, ", ") + `].filter(i, i < size(variables.containers))` +
				`.map(i, [variables.containers[i]].map(c, ` +
				celNegatives(req, `"container " + c.name + " requests"`) + ` + ` + celNegatives(lim, `"container " + c.name + " limits"`) + `)[0])` +
				`.filter(l, size(l) > 0).map(l, l.join(", "))`},
			{Name: "podNegatives", Expression: `!variables.guarded ? [] : ` +
				`(variables.podSpec.?os.?name.orValue("") == "windows" ? [] : ` + celNegatives(podReq, `"pod-level requests"`) + ` + ` + celNegatives(podLim, `"pod-level limits"`) + `) + ` +
				celNegatives(overhead, `"overhead"`)},
			{Name: "pvcNegatives", Expression: `(object.kind == "PersistentVolumeClaim" && object.spec.?resources.?requests[?"storage"].hasValue() && ` +
				`!quantity(string(object.spec.resources.requests["storage"])).isGreaterThan(quantity("0"))) ? ` +
				`["storage request " + string(object.spec.resources.requests["storage"]) + " (must be greater than zero)"] : []`},
			{Name: "claimNegatives", Expression: `variables.claimRequests.map(r, ` + claimRequest + `.filter(e, e != "")).filter(l, size(l) > 0).map(l, l.join(", "))`},
			{Name: "limitRangeNegatives", Expression: `!variables.guarded ? [] : [` + strings.Join(idx, ", ") + `].filter(i, i < size(variables.items))` +
				`.map(i, [variables.items[i]].map(it, ` + strings.Join(lrNeg, " + ") + `)[0]).filter(l, size(l) > 0).map(l, l.join(", "))`},
			{Name: "negative", Expression: `variables.containerNegatives + variables.podNegatives + variables.pvcNegatives + variables.claimNegatives + variables.limitRangeNegatives`},
		},
		Validations: []admissionregistrationv1.Validation{{
			Expression: `size(variables.negative) == 0`,
			Message:    "resource quantities must be zero or more (device counts and PVC storage above zero)",
			MessageExpression: `object.kind + " \"" + object.metadata.name + "\" has quantities the apiserver refuses, or, in a LimitRange, hands to containers ` +
				`whose pods it then refuses: " + variables.negative.join("; ")`,
		}},
	}
}
