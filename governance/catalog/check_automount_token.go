// automount-token requires pods to opt out of the service account token
// mount: most AI workloads (inference servers, training jobs, vector
// databases) never call the Kubernetes API, and a mounted token is a
// credential any code execution in the pod can steal. It reads
// automountServiceAccountToken of a Pod's spec or a workload's pod template
// (the stored object) and denies unless it is explicitly false; absent and
// true both fail. The ServiceAccount's own automountServiceAccountToken is
// not consulted, so that the verdict depends on the object alone, as its
// ValidatingAdmissionPolicy's does (one validation, the message telling
// absent from true).
//
// sa-token-automount, the secrets rule about the same field, is an alias:
// a run of the catalog reports the cause once, as automount-token, and a
// policy entry or an exemption annotation naming sa-token-automount means
// this check. The rule itself (which also honours the ServiceAccount's
// automountServiceAccountToken) stays in `aigov secrets scan`.

package catalog

import (
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/secrets"
)

// IDAutomountToken is the catalog ID of the automount-token check.
const IDAutomountToken = "automount-token"

func automountTokenDefinition() governance.Definition {
	return governance.Definition{
		ID:          IDAutomountToken,
		Aliases:     []string{secrets.IDSATokenAutomount},
		Description: "Pod specs must set automountServiceAccountToken: false.",
		Severity:    governance.SeverityLow,
		Kinds:       []string{PodsAndWorkloads},
		VAP:         true,
		New:         NewAutomountToken,
	}
}

// NewAutomountToken builds the automount-token check. It takes no
// parameters.
func NewAutomountToken(params any) (governance.Check, error) {
	if err := noParams(params); err != nil {
		return governance.Check{}, err
	}
	check := newCheck(automountTokenDefinition(),
		"set automountServiceAccountToken: false in the pod spec; pods that call the API can mount a projected token volume explicitly",
		PodKinds(), podCheck(checkAutomountToken))
	check.Aliases = automountTokenDefinition().Aliases
	check.Admission = automountTokenAdmission()
	return check, nil
}

func automountTokenAdmission() *governance.Admission {
	// A ServingRuntime's template is partial: the InferenceService sets
	// the token (VarPodFieldSpecs leaves it out).
	specs := `variables.` + governance.VarPodFieldSpecs
	return governance.WithOperators(&governance.Admission{
		Rules:     governance.PodAdmissionRules(),
		Variables: append(governance.PodSpecsAdmissionVariables()[:1], governance.PodFieldSpecsVariable()), // podSpecs, podFieldSpecs
		Validations: []admissionregistrationv1.Validation{{
			Expression: specs + `.all(s, s.?automountServiceAccountToken.orValue(true) == false)`,
			Message:    "automountServiceAccountToken must be false: the service account token is mounted into the pod",
			MessageExpression: specs + `.exists(s, s.?automountServiceAccountToken.orValue(false) == true) ? ` +
				`"automountServiceAccountToken is true: the service account token is mounted into the pod" : ` +
				`"automountServiceAccountToken is not set: the service account token is mounted into the pod"`,
		}},
	})
}

func checkAutomountToken(p podView) []governance.Violation {
	if p.partial {
		return nil // a KServe runtime: the InferenceService sets the token
	}
	v := p.spec.AutomountServiceAccountToken
	if v != nil && !*v {
		return nil
	}
	msg := "automountServiceAccountToken is not set: the service account token is mounted into the pod"
	if v != nil {
		msg = "automountServiceAccountToken is true: the service account token is mounted into the pod"
	}
	return []governance.Violation{{Path: p.path + ".automountServiceAccountToken", Message: msg}}
}
