// privileged-container keeps containers from running privileged: a
// privileged container sees every device of the node and holds every
// capability, so it can take over the node and every pod on it, GPUs and
// model weights of other teams included. It reads
// securityContext.privileged of every container, init container and
// ephemeral container of a Pod or of a workload's pod template (the stored
// object, no defaults added), and denies when any of them is true; absent or
// false passes. Its ValidatingAdmissionPolicy matches Pods,
// pods/ephemeralcontainers and every workload kind on CREATE and UPDATE and
// denies the same objects in one validation that names the privileged
// containers.

package catalog

import (
	"fmt"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"

	"github.com/aigov/aigov/governance"
)

// IDPrivilegedContainer is the catalog ID of the privileged-container check.
const IDPrivilegedContainer = "privileged-container"

func privilegedContainerDefinition() governance.Definition {
	return governance.Definition{
		ID:          IDPrivilegedContainer,
		Description: "Containers, init containers and ephemeral containers must not set securityContext.privileged: true.",
		Severity:    governance.SeverityCritical,
		Kinds:       []string{PodsAndWorkloads},
		VAP:         true,
		New:         NewPrivilegedContainer,
	}
}

// NewPrivilegedContainer builds the privileged-container check. It takes no
// parameters.
func NewPrivilegedContainer(params any) (governance.Check, error) {
	if err := noParams(params); err != nil {
		return governance.Check{}, err
	}
	check := newCheck(privilegedContainerDefinition(),
		"remove securityContext.privileged or set it to false; grant only the capabilities the container needs",
		PodKinds(), podCheck(checkPrivileged))
	check.Admission = privilegedContainerAdmission()
	return check, nil
}

func privilegedContainerAdmission() *governance.Admission {
	privileged := `c.?securityContext.?privileged.orValue(false) == true`
	return withModels(modelSecurityContext, &governance.Admission{
		Rules:     governance.PodAdmissionRules(),
		Variables: governance.PodSpecsAdmissionVariables(),
		Validations: []admissionregistrationv1.Validation{{
			Expression:        `!` + governance.CELAnyContainer(governance.VarPodContainers, privileged),
			Message:           "containers must not set securityContext.privileged: true",
			MessageExpression: `"containers " + ` + governance.CELQuotedNamesIn(governance.VarPodContainers, privileged) + ` + " set securityContext.privileged: true"`,
		}},
	})
}

func checkPrivileged(p podView) []governance.Violation {
	var out []governance.Violation
	for _, c := range containersOf(p.spec, p.path, allContainers) {
		if sc := c.c.SecurityContext; sc != nil && sc.Privileged != nil && *sc.Privileged {
			out = append(out, governance.Violation{
				Path:    c.path() + ".securityContext.privileged",
				Message: fmt.Sprintf("%s sets securityContext.privileged: true", c.desc()),
			})
		}
	}
	return out
}
