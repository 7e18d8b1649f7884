// container-limits requires every container to declare CPU and memory
// limits, optionally below a ceiling: on a shared AI platform an unbounded
// model server or notebook starves its neighbours on the node. It reads
// resources.limits.cpu and resources.limits.memory of every container and
// init container of a Pod or of a workload's pod template (the stored
// object; ephemeral containers are exempt, they cannot have resources). It
// denies a missing limit, and, when the cpu or memory parameter is set, a
// limit above it by quantity comparison ("2000m" equals "2", "4G" is less
// than "4Gi"). Requests and pod-level resources are not read. Its
// ValidatingAdmissionPolicy has one validation per resource and rule,
// comparing with quantity().isGreaterThan, never as strings, and names the
// containers and values at fault.

package catalog

import (
	"fmt"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/aigov/aigov/governance"
)

// IDContainerLimits is the catalog ID of the container-limits check.
const IDContainerLimits = "container-limits"

// ContainerLimitsParams are the parameters of container-limits; both are
// optional.
type ContainerLimitsParams struct {
	// CPU is the largest allowed limits.cpu; nil means no maximum.
	CPU *resource.Quantity `json:"cpu,omitempty"`
	// Memory is the largest allowed limits.memory; nil means no maximum.
	Memory *resource.Quantity `json:"memory,omitempty"`
}

// ParseContainerLimitsParams parses and validates container-limits
// parameters: valid, non-negative quantities.
func ParseContainerLimitsParams(raw any) (ContainerLimitsParams, error) {
	var p ContainerLimitsParams
	if err := decodeParams(raw, &p); err != nil {
		return p, err
	}
	for _, q := range []struct {
		name string
		q    *resource.Quantity
	}{{"cpu", p.CPU}, {"memory", p.Memory}} {
		if q.q != nil && q.q.Sign() < 0 {
			return p, fmt.Errorf("%s: %s is negative", q.name, q.q)
		}
	}
	return p, nil
}

func containerLimitsDefinition() governance.Definition {
	return governance.Definition{
		ID:          IDContainerLimits,
		Description: "Containers and init containers must set limits.cpu and limits.memory, at most the given maximums.",
		Severity:    governance.SeverityMedium,
		Kinds:       []string{PodsAndWorkloads},
		Params: []governance.Param{
			{Name: "cpu", Type: "quantity", Description: `largest allowed limits.cpu, e.g. "8" or "8000m"; unset: no maximum`},
			{Name: "memory", Type: "quantity", Description: `largest allowed limits.memory, e.g. "64Gi"; unset: no maximum`},
		},
		VAP: true,
		New: NewContainerLimits,
	}
}

// NewContainerLimits builds the container-limits check from
// ContainerLimitsParams (nil params: limits required, no maximum).
func NewContainerLimits(params any) (governance.Check, error) {
	p, err := ParseContainerLimitsParams(params)
	if err != nil {
		return governance.Check{}, err
	}
	limits := []struct {
		name corev1.ResourceName
		max  *resource.Quantity
	}{{corev1.ResourceCPU, p.CPU}, {corev1.ResourceMemory, p.Memory}}
	check := newCheck(containerLimitsDefinition(),
		"set resources.limits.cpu and resources.limits.memory on every container and init container, within the platform's maximums",
		PodKinds(), podCheck(func(pv podView) []governance.Violation {
			var out []governance.Violation
			for _, c := range containersOf(pv.spec, pv.path, regularContainers|initContainers) {
				for _, l := range limits {
					q, ok := c.c.Resources.Limits[l.name]
					var msg string
					switch {
					case !ok:
						msg = fmt.Sprintf("%s has no %s limit", c.desc(), l.name)
					case l.max != nil && q.Cmp(*l.max) > 0:
						msg = fmt.Sprintf("%s: %s limit %s is above the maximum of %s", c.desc(), l.name, q.String(), l.max.String())
					default:
						continue
					}
					out = append(out, governance.Violation{Path: c.path() + ".resources.limits[" + string(l.name) + "]", Message: msg})
				}
			}
			return out
		}))
	check.Admission = containerLimitsAdmission(p)
	return check, nil
}

func containerLimitsAdmission(p ContainerLimitsParams) *governance.Admission {
	lists := governance.VarPodContainersAndInit
	a := &governance.Admission{Rules: governance.PodAdmissionRules(), Variables: governance.PodSpecsAdmissionVariables()}
	for _, r := range []struct {
		name string
		max  *resource.Quantity
	}{{"cpu", p.CPU}, {"memory", p.Memory}} {
		key := governance.CELString(r.name)
		has := `c.?resources.?limits[?` + key + `].hasValue()`
		a.Validations = append(a.Validations, admissionregistrationv1.Validation{
			Expression:        governance.CELEveryContainer(lists, has),
			Message:           "containers and init containers must set limits." + r.name,
			MessageExpression: `"containers " + ` + governance.CELQuotedNamesIn(lists, "!"+has) + ` + " have no ` + r.name + ` limit"`,
		})
		if r.max == nil {
			continue
		}
		maxLit := governance.CELString(r.max.String())
		// string(): in a custom resource without a schema a quantity
		// written as a YAML number stays a number.
		over := has + ` && quantity(string(c.resources.limits[` + key + `])).isGreaterThan(quantity(` + maxLit + `))`
		a.Validations = append(a.Validations, admissionregistrationv1.Validation{
			Expression: `!` + governance.CELAnyContainer(lists, over),
			Message:    "limits." + r.name + " must be at most " + r.max.String(),
			MessageExpression: governance.CELJoinIn(lists, over,
				`"container \"" + c.name + "\": `+r.name+` limit " + string(c.resources.limits[`+key+`]) + " is above the maximum of `+r.max.String()+`"`, "; "),
		})
	}
	return withModels(modelLimits, a)
}
