// The privileged-container policy denies a Pod or workload whose pod spec
// has a container, init container or ephemeral container with
// securityContext.privileged: true, like the Go check; absent and false
// pass. It matches Pods, pods/ephemeralcontainers and every workload kind
// on CREATE and UPDATE, and names the privileged containers.

package cel

import (
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/catalog"
)

func privilegedContainerVAP(e governance.PolicyEntry) (vapBody, error) {
	if _, err := catalog.NewPrivilegedContainer(e.Params); err != nil {
		return vapBody{}, err
	}
	privileged := `c.?securityContext.?privileged.orValue(false) == true`
	return vapBody{
		rules:     podRules(),
		variables: podVariables(),
		validations: []admissionregistrationv1.Validation{{
			Expression:        `!variables.allContainers.exists(c, ` + privileged + `)`,
			Message:           "containers must not set securityContext.privileged: true",
			MessageExpression: `"containers " + ` + quotedNames("variables.allContainers", privileged) + ` + " set securityContext.privileged: true"`,
		}},
	}, nil
}
