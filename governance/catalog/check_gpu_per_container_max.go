// gpu-per-container-max caps the accelerators one container may claim, so
// that a single training or inference container cannot take a whole GPU
// node that the platform meant to share. It reads
// resources.limits[<resource>] and resources.requests[<resource>] (default
// resource nvidia.com/gpu) of every container and init container of a Pod or
// of a workload's pod template (the stored object; ephemeral containers
// cannot have resources), treats an absent value as 0, and denies a
// container whose limit or request is above max by quantity comparison. A
// container yields one finding: on its limit when the limit is above max,
// else on its request. Its ValidatingAdmissionPolicy compares with
// quantity().isGreaterThan (at admission quantities are canonical strings,
// so a plain > would be a runtime error), an absent value passing, and
// names the containers at fault.

package catalog

import (
	"errors"
	"fmt"
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/aigov/aigov/governance"
)

// IDGPUPerContainerMax is the catalog ID of the gpu-per-container-max check.
const IDGPUPerContainerMax = "gpu-per-container-max"

// DefaultGPUResource is the resource gpu-per-container-max limits when its
// resource parameter is not set.
const DefaultGPUResource = "nvidia.com/gpu"

// GPUPerContainerMaxParams are the parameters of gpu-per-container-max.
type GPUPerContainerMaxParams struct {
	// Resource is the extended resource name; ParseGPUPerContainerMaxParams
	// sets DefaultGPUResource when it is empty.
	Resource string `json:"resource,omitempty"`
	// Max is the largest allowed request or limit per container (required).
	Max *resource.Quantity `json:"max"`
}

// ParseGPUPerContainerMaxParams parses and validates gpu-per-container-max
// parameters: max is required and a non-negative quantity; resource, when
// set, is a qualified resource name such as "amd.com/gpu".
func ParseGPUPerContainerMaxParams(raw any) (GPUPerContainerMaxParams, error) {
	var p GPUPerContainerMaxParams
	if err := decodeParams(raw, &p); err != nil {
		return p, err
	}
	if p.Resource == "" {
		p.Resource = DefaultGPUResource
	} else if errs := validation.IsQualifiedName(p.Resource); len(errs) > 0 {
		return p, fmt.Errorf("resource %q: %s", p.Resource, strings.Join(errs, "; "))
	}
	if p.Max == nil {
		return p, errors.New("max is required")
	}
	if p.Max.Sign() < 0 {
		return p, fmt.Errorf("max: %s is negative", p.Max)
	}
	return p, nil
}

func gpuPerContainerMaxDefinition() governance.Definition {
	return governance.Definition{
		ID:          IDGPUPerContainerMax,
		Description: "A container's or init container's request or limit of a GPU resource must not exceed a maximum.",
		Severity:    governance.SeverityMedium,
		Kinds:       []string{PodsAndWorkloads},
		Params: []governance.Param{
			{Name: "resource", Type: "string", Default: DefaultGPUResource, Description: "the extended resource to cap, e.g. amd.com/gpu"},
			{Name: "max", Type: "quantity", Required: true, Description: "largest request or limit of the resource per container; an absent value counts as 0"},
		},
		VAP: true,
		New: NewGPUPerContainerMax,
	}
}

// NewGPUPerContainerMax builds the gpu-per-container-max check from
// GPUPerContainerMaxParams.
func NewGPUPerContainerMax(params any) (governance.Check, error) {
	p, err := ParseGPUPerContainerMaxParams(params)
	if err != nil {
		return governance.Check{}, err
	}
	name := corev1.ResourceName(p.Resource)
	maxQ := *p.Max
	check := newCheck(gpuPerContainerMaxDefinition(),
		fmt.Sprintf("request at most %s %s per container; split the work across containers or pods", maxQ.String(), p.Resource),
		PodKinds(), podCheck(func(pv podView) []governance.Violation {
			var out []governance.Violation
			for _, c := range containersOf(pv.spec, pv.path, regularContainers|initContainers) {
				for _, f := range []struct {
					field string
					list  corev1.ResourceList
				}{{"limit", c.c.Resources.Limits}, {"request", c.c.Resources.Requests}} {
					q, ok := f.list[name]
					if !ok || q.Cmp(maxQ) <= 0 {
						continue
					}
					out = append(out, governance.Violation{
						Path:    fmt.Sprintf("%s.resources.%ss[%s]", c.path(), f.field, name),
						Message: fmt.Sprintf("%s: %s %s %s is above the maximum of %s", c.desc(), p.Resource, f.field, q.String(), maxQ.String()),
					})
					break
				}
			}
			return out
		}))
	check.Admission = gpuPerContainerMaxAdmission(p)
	return check, nil
}

func gpuPerContainerMaxAdmission(p GPUPerContainerMaxParams) *governance.Admission {
	key, maxLit := governance.CELString(p.Resource), governance.CELString(p.Max.String())
	// string(): in a custom resource without a schema a quantity written
	// as a YAML number stays a number.
	over := func(field string) string {
		return `(c.?resources.?` + field + `[?` + key + `].hasValue() && quantity(string(c.resources.` + field + `[` + key + `])).isGreaterThan(quantity(` + maxLit + `)))`
	}
	bad := over("limits") + ` || ` + over("requests")
	lists := governance.VarPodContainersAndInit
	return withModels(modelResources, &governance.Admission{
		Rules:     governance.PodAdmissionRules(),
		Variables: governance.PodSpecsAdmissionVariables(),
		Validations: []admissionregistrationv1.Validation{{
			Expression: `!` + governance.CELAnyContainer(lists, bad),
			Message:    "a container may request at most " + p.Max.String() + " " + p.Resource,
			MessageExpression: `"containers " + ` + governance.CELQuotedNamesIn(lists, bad) +
				` + " request or limit more than ` + p.Max.String() + ` ` + p.Resource + `"`,
		}},
	})
}
