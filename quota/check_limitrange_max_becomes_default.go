package quota

import (
	"fmt"
	"strconv"
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/aigov/aigov/governance"
)

var limitRangeKind = schema.GroupKind{Kind: "LimitRange"}

// LimitRangeMaxBecomesDefault (limitrange-max-becomes-default) reports a
// LimitRange item of type Container whose max for a resource is also its
// default limit. The apiserver's defaulting of the LimitRange object
// (SetDefaults_LimitRangeItem) copies a max without a default into
// default, and default into defaultRequest when that is unset too, so every
// container that does not state the resource silently gets limit (and
// request) = max: a max of 4 nvidia.com/gpu hands 4 GPUs to every
// container that asked for none, and a cpu max becomes every container's
// reservation. The loader applies that defaulting as the apiserver does,
// and a LimitRange read from a cluster holds the copy too, so a missing
// default and one written equal to max look the same here; both mean the
// max is what every silent container gets. The finding points at the max.
// Its ValidatingAdmissionPolicy decides the same on the LimitRange the
// apiserver has defaulted (a max without default counts as equal, for
// the offline evaluation of a manifest), comparing quantities as the Go
// check does, within the size guard limitRangeMaxAdmission states.
func LimitRangeMaxBecomesDefault() governance.Definition {
	d := definition(newLimitRangeMaxBecomesDefault, "LimitRanges")
	d.AdmissionNote = "VAP leaves to the scan: LimitRanges of more than " + strconv.Itoa(limitRangeMaxItems) +
		" items, and items of more than " + strconv.Itoa(limitRangeMaxKeys) + " max resources (the size guard of its cost)"
	return d
}

func newLimitRangeMaxBecomesDefault() governance.Check {
	return governance.Check{
		ID:          "limitrange-max-becomes-default",
		Description: "LimitRange Container max that is also the default: every container that states nothing gets the max as limit and request",
		Severity:    governance.SeverityMedium,
		Remediation: "set a default (and defaultRequest) below max for every resource with a max, e.g. default nvidia.com/gpu: \"0\" beside max nvidia.com/gpu",
		Kinds:       []schema.GroupKind{limitRangeKind},
		Object: func(o *governance.Object) []governance.Violation {
			lr, ok := o.Obj.(*corev1.LimitRange)
			if !ok {
				return nil
			}
			lr = DefaultLimitRange(lr) // idempotent: the loader has applied it already
			var out []governance.Violation
			for i, it := range lr.Spec.Limits {
				if it.Type != corev1.LimitTypeContainer {
					continue
				}
				for _, k := range sortedKeys(it.Max) {
					m, d := it.Max[k], it.Default[k]
					if d.Cmp(m) != 0 {
						continue
					}
					req := it.DefaultRequest[k]
					out = append(out, governance.Violation{
						Path: fmt.Sprintf("spec.limits[%d].max[%s]", i, k),
						Message: fmt.Sprintf("max %s %s is also the default limit (a max without default is copied into default): a container that does not state %s gets limit %s and request %s",
							k, m.String(), k, m.String(), req.String()),
					})
				}
			}
			return out
		},
		Admission: limitRangeMaxAdmission(),
	}
}

// The size guard of the policy: a LimitRange with more items (the
// apiserver stores at most one per type, three), or an item with more max
// resources, is admitted and left to the scan.
const (
	limitRangeMaxItems = 8
	limitRangeMaxKeys  = 32
)

// limitRangeMaxAdmission denies a LimitRange with a Container item whose
// max for a resource is also its default: equal quantities, or no default
// (which the apiserver's defaulting fills from max).
func limitRangeMaxAdmission() *governance.Admission {
	idx := make([]string, limitRangeMaxItems)
	for i := range idx {
		idx[i] = strconv.Itoa(i)
	}
	// Per item it (at index i): the max resources that are also the
	// default, as "spec.limits[i].max[KEY] VALUE".
	perItem := `it.?type.orValue("") != "Container" ? [] : it.?max.orValue({}).filter(k, !(k in it.?default.orValue({})) || ` +
		`quantity(string(it.default[k])).compareTo(quantity(string(it.max[k]))) == 0)` +
		`.map(k, "spec.limits[" + string(i) + "].max[" + k + "] " + string(it.max[k]))`
	return &governance.Admission{
		Rules: []admissionregistrationv1.NamedRuleWithOperations{governance.AdmissionRule([]string{""}, []string{"v1"}, []string{"limitranges"})},
		Variables: []admissionregistrationv1.Variable{
			{Name: "items", Expression: `object.spec.?limits.orValue([])`},
			{Name: "guarded", Expression: `size(variables.items) <= ` + strconv.Itoa(limitRangeMaxItems) +
				` && variables.items.all(it, size(it.?max.orValue({})) <= ` + strconv.Itoa(limitRangeMaxKeys) + `)`},
			{Name: "defaulted", Expression: `variables.guarded ? [` + strings.Join(idx, ", ") + `].filter(i, i < size(variables.items))` +
				`.map(i, [variables.items[i]].map(it, ` + perItem + `)[0]).filter(l, size(l) > 0).map(l, l.join(", ")) : []`},
		},
		Validations: []admissionregistrationv1.Validation{{
			Expression: `size(variables.defaulted) == 0`,
			Message:    "a LimitRange Container max must not also be the default limit: set a default (and defaultRequest) below max",
			MessageExpression: `"LimitRange \"" + object.metadata.name + "\": Container max that is also the default limit (a max without default is copied into default), ` +
				`so every container that does not state the resource gets the max as limit and request: " + variables.defaulted.join(", ")`,
		}},
	}
}
