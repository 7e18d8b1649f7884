// The host-namespaces policy denies a pod spec with hostNetwork, hostPID
// or hostIPC set to true, one validation per field as the Go check reports
// one finding per field.

package cel

import (
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"

	"github.com/aigov/aigov/governance"
	"github.com/aigov/aigov/governance/catalog"
)

func hostNamespacesVAP(e governance.PolicyEntry) (vapBody, error) {
	if _, err := catalog.NewHostNamespaces(e.Params); err != nil {
		return vapBody{}, err
	}
	body := vapBody{rules: podRules(), variables: []admissionregistrationv1.Variable{podSpecVariable()}}
	for _, f := range []struct{ field, what string }{
		{"hostNetwork", "network"}, {"hostPID", "process ID"}, {"hostIPC", "IPC"},
	} {
		body.validations = append(body.validations, admissionregistrationv1.Validation{
			Expression: `variables.podSpec.?` + f.field + `.orValue(false) != true`,
			Message:    "the pod shares the node's " + f.what + " namespace (" + f.field + ": true)",
		})
	}
	return body, nil
}
