// inference-probes requires readiness and liveness probes on model servers:
// an inference server or embedding service that is still loading weights,
// or that has hung with its GPU memory full, must be kept out of its
// Service's endpoints and restarted instead of timing out every request. It
// classifies each Pod and workload (ClassifyObject, which reads labels,
// images and the aigov.dev/ai-class override of the stored object) and, for
// inference-server and embedding-service workloads, reads readinessProbe
// and livenessProbe of the regular containers (init containers, native
// sidecars and ephemeral containers are exempt); it denies, once per
// container and probe, a probe that is absent. An AI operator's resource
// is judged template by template (each classified by the resource's
// override or kind, else as the workload of its pods), and so is it by
// the -operators policy, within its size guard.

package catalog

import (
	"fmt"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"

	"github.com/aigov/aigov/governance"
)

// IDInferenceProbes is the catalog ID of the inference-probes check.
const IDInferenceProbes = "inference-probes"

func inferenceProbesDefinition() governance.Definition {
	return governance.Definition{
		ID:            IDInferenceProbes,
		Description:   "Inference servers and embedding services must define readiness and liveness probes on every regular container.",
		Severity:      governance.SeverityMedium,
		Kinds:         []string{PodsAndWorkloads + " classified inference-server or embedding-service"},
		VAP:           true,
		AdmissionNote: operatorServingAdmissionNote(),
		New:           NewInferenceProbes,
	}
}

// NewInferenceProbes builds the inference-probes check. It takes no
// parameters.
func NewInferenceProbes(params any) (governance.Check, error) {
	if err := noParams(params); err != nil {
		return governance.Check{}, err
	}
	cl := newClassifier()
	check := newCheck(inferenceProbesDefinition(),
		"add a readinessProbe (the server's health or model-ready endpoint) and a livenessProbe; give slow model loading a startupProbe instead of a long initialDelaySeconds",
		PodKinds(), func(o *governance.Object) []governance.Violation {
			return modelServingContainers(cl, o, regularContainers, func(what string, ref containerRef) []governance.Violation {
				var out []governance.Violation
				for _, name := range []string{ReadinessProbe, LivenessProbe} {
					if probeOf(ref.c, name) == nil {
						out = append(out, governance.Violation{Path: ref.path() + "." + name,
							Message: fmt.Sprintf("%s: %s has no %s", what, ref.desc(), name)})
					}
				}
				return out
			})
		})
	check.Admission = inferenceProbesAdmission()
	return check, nil
}

// inferenceProbesAdmission classifies the object in CEL (the variables of
// aiClassAdmissionVariables) and, for a model server, denies a regular
// container without a readiness or a liveness probe.
func inferenceProbesAdmission() *governance.Admission {
	missing := `!c.?` + ReadinessProbe + `.hasValue() || !c.?` + LivenessProbe + `.hasValue()`
	containers := `variables.` + governance.VarPodSpec + `.?containers.orValue([])`
	return &governance.Admission{
		Rules:     governance.PodAdmissionRules(),
		Variables: aiClassAdmissionVariables(false),
		Validations: []admissionregistrationv1.Validation{{
			Expression: `!(variables.` + varAIClass + ` in ` + modelServingClassesCEL() + `) || !` + containers + `.exists(c, ` + missing + `)`,
			Message:    "containers of inference servers and embedding services must define a readinessProbe and a livenessProbe",
			MessageExpression: `variables.` + varAIClass + ` + " " + object.kind + " \"" + object.metadata.name + "\": containers " + ` +
				governance.CELQuotedNames(containers, missing) + ` + " lack a readinessProbe or a livenessProbe"`,
		}},
		Operators: inferenceProbesOperatorsAdmission(missing),
	}
}

// inferenceProbesOperatorsAdmission is the policy over the AI operators'
// resources: each pod template classified as a model server
// (operatorServingAdmissionVariables: the resource's override or kind, else
// the template's labels and images) must not hold a regular container
// without a readiness or a liveness probe, and a model server head's
// autoscaler, to which KubeRay gives none, is denied. A KServe model is
// not judged: a probe it leaves out comes from its ServingRuntime, as in
// the Go check.
func inferenceProbesOperatorsAdmission(missing string) *governance.Admission {
	a := governance.WithOperators(&governance.Admission{Variables: operatorServingAdmissionVariables()})
	a.Operators.Validations = []admissionregistrationv1.Validation{{
		Expression: `!variables.` + varServingSpecs + `.exists(t, t.?containers.orValue([]).exists(c, ` + missing + `)) && size(variables.` + varServingAutoscalerImages + `) == 0`,
		Message:    "containers of inference servers and embedding services must define a readinessProbe and a livenessProbe",
		MessageExpression: `object.kind + " \"" + object.metadata.name + "\": containers " + (variables.` + varServingSpecs + `.map(t, ` + governance.CELQuotedNames(`t.?containers.orValue([])`, missing) + `) + ` +
			servingAutoscalerNamesCEL("true") + `).filter(n, n != "").join(", ") + ` +
			`" of its inference servers and embedding services lack a readinessProbe or a livenessProbe"`,
	}}
	return a.Operators
}
