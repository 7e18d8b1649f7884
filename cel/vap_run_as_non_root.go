// The run-as-non-root policy expresses the Pod Security "restricted"
// runAsNonRoot and runAsUser checks of policy version v1.37
// (k8s.io/pod-security-admission/policy): a pod with hostUsers: false
// passes both; otherwise neither the pod nor any container, init container
// or ephemeral container may set runAsNonRoot: false, every container
// without its own runAsNonRoot needs the pod's runAsNonRoot: true, and
// nobody may set runAsUser: 0. Two validations, as the Go check reports
// the two Pod Security checks separately.

package cel

import (
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/catalog"
)

func runAsNonRootVAP(e governance.PolicyEntry) (vapBody, error) {
	if _, err := catalog.NewRunAsNonRoot(e.Params); err != nil {
		return vapBody{}, err
	}
	podNonRoot := `variables.podSpec.?securityContext.?runAsNonRoot`
	containerOK := `(c.?securityContext.?runAsNonRoot.hasValue() ? c.securityContext.runAsNonRoot == true : ` + podNonRoot + `.orValue(false) == true)`
	rootUser := `c.?securityContext.?runAsUser.orValue(1) == 0`
	level := `violates PodSecurity "restricted:` + catalog.PodSecurityVersion + `": `
	return vapBody{
		rules: podRules(),
		variables: podVariables(
			admissionregistrationv1.Variable{Name: "userNamespace", Expression: `variables.podSpec.?hostUsers.orValue(true) == false`},
		),
		validations: []admissionregistrationv1.Validation{
			{
				Expression: `variables.userNamespace || (` + podNonRoot + `.orValue(true) != false && variables.allContainers.all(c, ` + containerOK + `))`,
				Message:    level + "runAsNonRoot != true",
				MessageExpression: lit(level+"runAsNonRoot != true (") + ` + (` + podNonRoot + `.orValue(true) == false ? "pod must not set securityContext.runAsNonRoot=false" : ` +
					`"containers " + ` + quotedNames("variables.allContainers", "!"+containerOK) + ` + " must set securityContext.runAsNonRoot=true or inherit it from the pod") + ")"`,
			},
			{
				Expression: `variables.userNamespace || (variables.podSpec.?securityContext.?runAsUser.orValue(1) != 0 && !variables.allContainers.exists(c, ` + rootUser + `))`,
				Message:    level + "runAsUser=0",
				MessageExpression: lit(level+"runAsUser=0 (") + ` + (variables.podSpec.?securityContext.?runAsUser.orValue(1) == 0 ? "pod" : ` +
					`"containers " + ` + quotedNames("variables.allContainers", rootUser) + `) + " must not set runAsUser=0)"`,
			},
		},
	}, nil
}
