// The automount-token policy requires the pod spec to set
// automountServiceAccountToken: false; absent and true are denied, as in
// the Go check (the ServiceAccount's own setting is not consulted).

package cel

import (
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/catalog"
)

func automountTokenVAP(e governance.PolicyEntry) (vapBody, error) {
	if _, err := catalog.NewAutomountToken(e.Params); err != nil {
		return vapBody{}, err
	}
	return vapBody{
		rules:     podRules(),
		variables: []admissionregistrationv1.Variable{podSpecVariable()},
		validations: []admissionregistrationv1.Validation{{
			Expression: `variables.podSpec.?automountServiceAccountToken.orValue(true) == false`,
			Message:    "automountServiceAccountToken must be false: the service account token is mounted into the pod",
			MessageExpression: `variables.podSpec.?automountServiceAccountToken.hasValue() ? ` +
				`"automountServiceAccountToken is true: the service account token is mounted into the pod" : ` +
				`"automountServiceAccountToken is not set: the service account token is mounted into the pod"`,
		}},
	}, nil
}
