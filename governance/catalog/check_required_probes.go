// required-probes requires the listed health probes on every regular
// container, so that a model server that hangs or is still loading weights
// is restarted or kept out of its Service's endpoints instead of serving
// errors. It reads livenessProbe, readinessProbe and startupProbe of the
// regular containers (spec.containers; init containers, sidecars declared as
// init containers and ephemeral containers are exempt) of a Pod or of a
// workload's pod template (the stored object) and denies, once per container
// and probe, a listed probe that is absent. Its ValidatingAdmissionPolicy
// has one validation per probe naming the containers that lack it.

package catalog

import (
	"errors"
	"fmt"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/aigov/aigov/governance"
)

// IDRequiredProbes is the catalog ID of the required-probes check.
const IDRequiredProbes = "required-probes"

// Probe names accepted by required-probes (the container field names).
const (
	LivenessProbe  = "livenessProbe"
	ReadinessProbe = "readinessProbe"
	StartupProbe   = "startupProbe"
)

// RequiredProbesParams are the parameters of required-probes.
type RequiredProbesParams struct {
	// Probes lists livenessProbe, readinessProbe and/or startupProbe;
	// ParseRequiredProbesParams drops duplicates.
	Probes []string `json:"probes"`
}

// ParseRequiredProbesParams parses and validates required-probes
// parameters: probes is required, not empty, and lists only the three probe
// field names.
func ParseRequiredProbesParams(raw any) (RequiredProbesParams, error) {
	var p RequiredProbesParams
	if err := decodeParams(raw, &p); err != nil {
		return p, err
	}
	if len(p.Probes) == 0 {
		return p, errors.New("probes is required and must list at least one probe")
	}
	var out []string
	seen := map[string]bool{}
	for i, name := range p.Probes {
		switch name {
		case LivenessProbe, ReadinessProbe, StartupProbe:
		default:
			return p, fmt.Errorf("probes[%d]: unknown probe %q (want livenessProbe, readinessProbe or startupProbe)", i, name)
		}
		if !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	p.Probes = out
	return p, nil
}

func probeOf(c *corev1.Container, name string) *corev1.Probe {
	switch name {
	case LivenessProbe:
		return c.LivenessProbe
	case ReadinessProbe:
		return c.ReadinessProbe
	default:
		return c.StartupProbe
	}
}

func requiredProbesDefinition() governance.Definition {
	return governance.Definition{
		ID:          IDRequiredProbes,
		Description: "Regular containers must define each listed probe.",
		Severity:    governance.SeverityLow,
		Kinds:       []string{PodsAndWorkloads},
		Params: []governance.Param{{
			Name: "probes", Type: "[]string", Required: true,
			Description: "probes every regular container needs: livenessProbe, readinessProbe, startupProbe",
		}},
		VAP: true,
		New: NewRequiredProbes,
	}
}

// NewRequiredProbes builds the required-probes check from
// RequiredProbesParams.
func NewRequiredProbes(params any) (governance.Check, error) {
	p, err := ParseRequiredProbesParams(params)
	if err != nil {
		return governance.Check{}, err
	}
	check := newCheck(requiredProbesDefinition(),
		"define the listed probes on every container (a startupProbe gives slow model loading time before the livenessProbe starts)",
		PodKinds(), podCheck(func(pv podView) []governance.Violation {
			var out []governance.Violation
			for _, c := range containersOf(pv.spec, pv.path, regularContainers) {
				for _, name := range p.Probes {
					if probeOf(c.c, name) == nil {
						out = append(out, governance.Violation{Path: c.path() + "." + name,
							Message: fmt.Sprintf("%s has no %s", c.desc(), name)})
					}
				}
			}
			return out
		}))
	check.Admission = requiredProbesAdmission(p)
	return check, nil
}

func requiredProbesAdmission(p RequiredProbesParams) *governance.Admission {
	// containers holds, per pod spec, its regular containers (init and
	// ephemeral containers need no probes).
	a := &governance.Admission{Rules: governance.PodAdmissionRules(), Variables: append(governance.PodSpecsAdmissionVariables()[:1], // podSpecs
		admissionregistrationv1.Variable{Name: "containers", Expression: `variables.` + governance.VarPodSpecs + `.map(s, s.?containers.orValue([]))`},
	)}
	for _, probe := range p.Probes {
		has := `has(c.` + probe + `)`
		a.Validations = append(a.Validations, admissionregistrationv1.Validation{
			Expression:        governance.CELEveryContainer("containers", has),
			Message:           "every container needs a " + probe,
			MessageExpression: `"containers " + ` + governance.CELQuotedNamesIn("containers", "!"+has) + ` + " have no ` + probe + `"`,
		})
	}
	return governance.WithOperators(a)
}
